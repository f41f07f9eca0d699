"""``therapy-audit run``: run the audit on a model, print a summary, write the report."""

from __future__ import annotations

import argparse

from therapy_audit.cli import options
from therapy_audit.vocab import EXPERIMENTS


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``run`` to the main parser's subcommands."""
    run = sub.add_parser("run", help="run the audit on a model")
    run.add_argument("--experiment", choices=[*EXPERIMENTS, "all"], default="all",
                     help="which experiment to run (default: all)")
    run.add_argument("--model", default=options.DEFAULT_MODEL,
                     help=f"any Inspect model (default {options.DEFAULT_MODEL}, the embedded "
                     "model)")
    run.add_argument("-M", "--model-arg", action="append", default=[], metavar="KEY=VALUE",
                     help="model argument, e.g. -M n_ctx=4096 (repeatable)")
    run.add_argument("--model-base-url", default=None, help="base URL of the model's API")
    run.add_argument("--system-prompt", default="none", metavar="none|steel-man|FILE",
                     help="none (the paper's default), steel-man (the therapist prompt built "
                     "from clinical guidelines) or a text file placed before each experiment's "
                     "own instruction")
    run.add_argument("--limit", type=options.positive_int, default=None, metavar="N",
                     help="run only the first N samples of each experiment (N >= 1)")
    run.add_argument("--stimuli", default=None,
                     help="stigma: the original paper's prompts.jsonl instead of our vignettes")
    run.add_argument("--parser", choices=["strict", "lenient"], default="strict",
                     help="stigma: which parse drives the headline rates (both are recorded)")
    run.add_argument("--transcripts", default="builtin",
                     help="appropriateness: builtin, none, FILE (JSONL/CSV) or annomi:FILE")
    run.add_argument("--all-transcripts", action="store_true",
                     help="appropriateness: insert stimuli into every transcript, not only "
                     "those tagged with the stimulus's condition")
    run.add_argument("--interval", type=options.positive_int, default=50, metavar="N",
                     help="appropriateness: transcript messages between insertion points "
                     "(even; default 50)")
    options.add_judges(run, "appropriateness judge(s) (default: rules); repeat to compare "
                       "judges")
    run.add_argument("--contextualize", default=None, metavar="MODEL",
                     help="appropriateness: model that writes a bridging client message")
    run.add_argument("--max-connections", type=options.positive_int, default=None, metavar="N",
                     help="requests in flight at once for remote models (default: Inspect's "
                     "adaptive limit)")
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    options.add_run_dir(run)
    run.set_defaults(handler=run_command, uses_run_dir=True)


def run_command(a: argparse.Namespace) -> int:
    """Run, summarise, report; exit 1 when a task did not finish (run again to resume)."""
    # Imported here, not at the top: loading Inspect AI, pandas and matplotlib takes seconds,
    # and `therapy-audit --help` and usage errors should answer at once.
    from therapy_audit.analysis.report import write_report
    from therapy_audit.analysis.summary import summarise
    from therapy_audit.engine import run_audit
    from therapy_audit.table import load_samples

    result = run_audit(
        experiments=list(EXPERIMENTS) if a.experiment == "all" else [a.experiment],
        model=a.model,
        model_args=options.model_args(a.model_arg),
        model_base_url=a.model_base_url,
        system_prompt=a.system_prompt,
        limit=a.limit,
        stimuli=a.stimuli,
        parser=a.parser,
        transcripts=a.transcripts,
        all_transcripts=a.all_transcripts,
        interval=a.interval,
        judges=options.judges(a),
        escalate=a.escalate,
        contextualize=a.contextualize,
        max_connections=a.max_connections,
        run_dir=a.run_dir,
    )
    print(summarise(load_samples(result.log_dirs)))
    if not a.no_report:
        path = write_report(load_samples([a.run_dir]), a.run_dir / "report.html",
                            csv_dir=a.run_dir / "tables")
        print(f"Report: {path}")
    return 0 if result.complete else 1
