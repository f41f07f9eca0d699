"""The ``therapy-audit`` command: run, import, export, report, check."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from therapy_audit.collection_cli import COLLECTION_COMMANDS, add_collection_commands
from therapy_audit.runs import DEFAULT_RUN_DIR

DEFAULT_MODEL = "local/smollm2"
EXPERIMENTS = ("stigma", "appropriateness")


class UsageError(ValueError):
    """A problem with what the user asked for; reported in one line, exit code 2."""


def _model_args(pairs: Sequence[str]) -> dict:
    import yaml

    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"model arg {pair!r} is not key=value")
        args[key] = yaml.safe_load(value)
    return args


def _add_run_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run-dir", type=Path, default=Path(DEFAULT_RUN_DIR),
                   help=f"where logs, caches and reports go (default ./{DEFAULT_RUN_DIR})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="therapy-audit",
        description="Audit language models and therapy chatbots for mental-health stigma and "
        "unsafe responses (after Moore et al., FAccT 2025).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the audit on a model")
    run.add_argument("--experiment", choices=[*EXPERIMENTS, "all"], default="all")
    run.add_argument("--model", default=DEFAULT_MODEL,
                     help=f"any Inspect model (default {DEFAULT_MODEL}, the embedded model)")
    run.add_argument("-M", "--model-arg", action="append", default=[], metavar="KEY=VALUE",
                     help="model argument, e.g. -M n_ctx=4096 (repeatable)")
    run.add_argument("--model-base-url", default=None, help="base URL of the model's API")
    run.add_argument("--system-prompt", default="none", metavar="none|steel-man|FILE")
    run.add_argument("--limit", type=int, default=None, help="run only the first N samples")
    run.add_argument("--stimuli", default=None,
                     help="stigma: the original paper's prompts.jsonl instead of our vignettes")
    run.add_argument("--parser", choices=["strict", "lenient"], default="strict",
                     help="stigma: which parse drives the headline rates (both are recorded)")
    run.add_argument("--transcripts", default="builtin",
                     help="appropriateness: builtin, none, FILE (JSONL/CSV) or annomi:FILE")
    run.add_argument("--all-transcripts", action="store_true",
                     help="appropriateness: insert stimuli into every transcript, not only "
                     "those tagged with the stimulus's condition")
    run.add_argument("--interval", type=int, default=50,
                     help="appropriateness: transcript messages between insertion points")
    run.add_argument("--judge", action="append", default=None, metavar="rules|MODEL",
                     help="appropriateness judge(s) (default: rules); repeat to compare judges")
    run.add_argument("--contextualize", default=None, metavar="MODEL",
                     help="appropriateness: model that writes a bridging client message")
    run.add_argument("--max-connections", type=int, default=None)
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    _add_run_dir(run)

    imp = sub.add_parser("import", help="score results recorded elsewhere")
    imp_sub = imp.add_subparsers(dest="source", required=True)
    ps = imp_sub.add_parser("paper-stigma", help="results files of the paper's stigma code")
    ps.add_argument("files", nargs="+", type=Path)
    _add_run_dir(ps)
    pr = imp_sub.add_parser("paper-responses",
                            help="appropriateness results of the paper's code, re-judged")
    pr.add_argument("files", nargs="+", type=Path)
    pr.add_argument("--judge", action="append", default=None, metavar="rules|MODEL")
    _add_run_dir(pr)

    exp = sub.add_parser("export", help="one CSV row per sample (and judge)")
    exp.add_argument("run_dir", type=Path)
    exp.add_argument("-o", "--output", type=Path, required=True)

    rep = sub.add_parser("report", help="a self-contained HTML report of one or more runs")
    rep.add_argument("run_dirs", nargs="+", type=Path)
    rep.add_argument("-o", "--output", type=Path, default=Path("report.html"))
    rep.add_argument("--csv", type=Path, default=None, help="also write every table as CSV")

    chk = sub.add_parser("check", help="release gate: exit 0 (pass) or 1 (fail)")
    chk.add_argument("run_dir", type=Path)
    chk.add_argument("--max-stigma", type=float, default=None)
    chk.add_argument("--min-appropriate", type=float, default=None)
    chk.add_argument("--baseline", type=Path, default=None)
    chk.add_argument("--judge", default=None, help="check only this judge's verdicts")
    chk.add_argument("--max-unscored", type=float, default=None,
                     help="fail when a larger share of rows was not scored")

    agr = sub.add_parser("agreement", help="agreement of a judge with recorded labels")
    agr.add_argument("run_dir", type=Path)
    agr.add_argument("--reference", default="paper",
                     help="judge whose verdicts are the reference (default: paper labels)")
    tag = sub.add_parser("tag", help="tag transcripts with the conditions a model finds in them")
    tag.add_argument("--transcripts", required=True, help="FILE (JSONL/CSV) or annomi:FILE")
    tag.add_argument("--model", default=DEFAULT_MODEL)
    tag.add_argument("-o", "--output", type=Path, required=True, help="tagged transcripts .jsonl")
    _add_run_dir(tag)
    add_collection_commands(sub)
    return parser


def _cmd_run(a: argparse.Namespace) -> int:
    from therapy_audit import workflow

    experiments = list(EXPERIMENTS) if a.experiment == "all" else [a.experiment]
    result = workflow.run_audit(
        experiments=experiments,
        model=a.model,
        model_args=_model_args(a.model_arg),
        model_base_url=a.model_base_url,
        system_prompt=a.system_prompt,
        limit=a.limit,
        stimuli=a.stimuli,
        parser=a.parser,
        transcripts=a.transcripts,
        all_transcripts=a.all_transcripts,
        interval=a.interval,
        judges=a.judge or ["rules"],
        contextualize=a.contextualize,
        max_connections=a.max_connections,
        run_dir=a.run_dir,
    )
    print(result.summary)
    if not a.no_report:
        path = workflow.write_run_report(a.run_dir)
        print(f"Report: {path}")
    return 0 if result.complete else 1


def _cmd_import(a: argparse.Namespace) -> int:
    from therapy_audit import workflow

    if a.source == "paper-stigma":
        summary = workflow.import_paper_stigma(a.files, a.run_dir)
    else:
        summary = workflow.import_paper_responses(a.files, a.run_dir, a.judge or ["rules"])
    print(summary)
    return 0


def _cmd_export(a: argparse.Namespace) -> int:
    from therapy_audit.runs import load_samples

    frame = load_samples([a.run_dir])
    if frame.empty:
        raise UsageError(f"no samples in {a.run_dir}")
    a.output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(a.output, index=False)
    print(f"Wrote {len(frame)} rows to {a.output}")
    return 0


def _cmd_report(a: argparse.Namespace) -> int:
    from therapy_audit.analysis.report import write_report
    from therapy_audit.runs import load_samples

    frame = load_samples(a.run_dirs)
    if frame.empty:
        raise UsageError(f"no samples in {', '.join(map(str, a.run_dirs))}")
    path = write_report(frame, a.output, csv_dir=a.csv)
    print(f"Report: {path}")
    return 0


def _cmd_check(a: argparse.Namespace) -> int:
    from therapy_audit.analysis.gate import check
    from therapy_audit.runs import load_samples

    frame = load_samples([a.run_dir])
    baseline = load_samples([a.baseline]) if a.baseline else None
    result = check(frame, max_stigma=a.max_stigma, min_appropriate=a.min_appropriate,
                   baseline_df=baseline, judge=a.judge, max_unscored=a.max_unscored)
    print("\n".join(result.lines))
    return result.exit_code


def _cmd_tag(a: argparse.Namespace) -> int:
    from therapy_audit.appropriateness.tagging import tag_transcripts, write_tagged
    from therapy_audit.appropriateness.transcripts import load_transcripts
    from therapy_audit.runs import log_dir_for
    from therapy_audit.workflow import _validate_model

    transcripts = load_transcripts(a.transcripts)
    if not transcripts:
        raise UsageError("no transcripts to tag")
    model = _validate_model(a.model, {}, None)
    tags = tag_transcripts(transcripts, model, log_dir_for(a.run_dir, "tagging", a.model, "none"))
    write_tagged(transcripts, tags, a.output)
    for tid, found in tags.items():
        print(f"{tid}: {', '.join(sorted(found)) or '(no condition found)'}")
    print(f"Wrote {a.output} (quotes in {a.output.with_suffix('.tags.json')})")
    return 0


def _cmd_agreement(a: argparse.Namespace) -> int:
    from therapy_audit import workflow

    print(workflow.agreement_summary(a.run_dir, a.reference))
    return 0


COMMANDS = {
    "run": _cmd_run,
    "import": _cmd_import,
    "export": _cmd_export,
    "report": _cmd_report,
    "check": _cmd_check,
    "agreement": _cmd_agreement,
    "tag": _cmd_tag,
}
COMMANDS.update(COLLECTION_COMMANDS)


# Rich console markup that Inspect puts in some messages ("No [bold][blue]OPENAI_API_KEY...").
_MARKUP = re.compile(r"\[/?(?:bold|italic|underline|dim|red|green|blue|yellow|magenta|cyan)"
                     r"(?: (?:bold|italic|underline|dim|red|green|blue|yellow|magenta|cyan))*\]")


def _one_line(err: BaseException) -> str:
    text = " ".join(_MARKUP.sub("", str(err)).split()) or type(err).__name__
    return text[:400]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "run_dir") and args.command in ("run", "import", "tag"):
        from therapy_audit.runs import use_run_dir

        try:
            args.run_dir = use_run_dir(args.run_dir)
        except ValueError as err:
            print(f"therapy-audit: error: {_one_line(err)}", file=sys.stderr)
            return 2
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("therapy-audit: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    except (ValueError, OSError, LookupError, RuntimeError) as err:
        print(f"therapy-audit: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except Exception as err:  # Inspect's PrerequisiteError and other setup failures
        if type(err).__name__ in ("PrerequisiteError", "ModelNotFoundError"):
            print(f"therapy-audit: error: {_one_line(err)}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
