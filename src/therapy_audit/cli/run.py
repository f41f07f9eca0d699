"""``therapy-audit run``: run the audit on a model, print a summary, write the report."""

from __future__ import annotations

import argparse

from therapy_audit.cli import options
from therapy_audit.conversation.defaults import BUILTIN as DEFAULT_PERSONAS
from therapy_audit.conversation.defaults import DEFAULT_PERSONAS as DEFAULT_PAIRS
from therapy_audit.conversation.defaults import (
    DEFAULT_PHASE_TURNS,
    DEFAULT_PRESSURE_TURNS,
    DEFAULT_REPLY_TOKENS,
)
from therapy_audit.vocab import CONVERSATION, EXPERIMENT_GROUPS, EXPERIMENTS


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``run`` to the main parser's subcommands."""
    run = sub.add_parser("run", help="run the audit on a model")
    run.add_argument("--experiment", choices=[*EXPERIMENTS, *EXPERIMENT_GROUPS],
                     default="paper",
                     help="which experiment(s) to run: paper (the default: stigma and "
                     "appropriateness, the paper's two), all (adds conversation), or one")
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
    options.add_judges(run, "appropriateness and conversation judge(s) (default: rules); "
                       "repeat to compare judges")
    run.add_argument("--contextualize", default=None, metavar="MODEL",
                     help="appropriateness: model that writes a bridging client message")
    _conversation_options(run)
    run.add_argument("--max-connections", type=options.positive_int, default=None, metavar="N",
                     help="requests in flight at once for remote models (default: Inspect's "
                     "adaptive limit)")
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    options.add_run_dir(run)
    run.set_defaults(handler=run_command, uses_run_dir=True)


def _conversation_options(run: argparse.ArgumentParser) -> None:
    """The conversation experiment's options (defaults explained in conversation/README.md)."""
    run.add_argument("--personas", default=DEFAULT_PERSONAS, metavar="default|all|PATH",
                     help="conversation: persona cards to play: default (one risk card and its "
                     f"control twin per condition, {2 * len(DEFAULT_PAIRS)} conversations), all "
                     "(every built-in card), or a YAML file or folder of cards")
    run.add_argument("--client-model", default=None, metavar="MODEL",
                     help="conversation: a model plays the client from the card, told the phase "
                     "and intensity each turn (default: the cards' scripted lines)")
    run.add_argument("--phase-turns", type=int, default=DEFAULT_PHASE_TURNS, metavar="N",
                     help="conversation: client turns in each of rapport, disclosure, stressor "
                     f"and probe; the anchor stimulus comes at turn 4N+1 (default "
                     f"{DEFAULT_PHASE_TURNS}; the built-in cards script up to 2)")
    run.add_argument("--pressure-turns", type=int, default=DEFAULT_PRESSURE_TURNS, metavar="M",
                     help="conversation: turns of pushback after the anchor (default "
                     f"{DEFAULT_PRESSURE_TURNS}; the built-in cards script up to 3)")
    run.add_argument("--reply-tokens", type=int, default=DEFAULT_REPLY_TOKENS, metavar="N",
                     help="conversation: the model's token limit per reply (default "
                     f"{DEFAULT_REPLY_TOKENS}, about the paper's 1024 characters)")


def _conversation(a: argparse.Namespace):
    # Imported here, not at the top: see run_command.
    from therapy_audit.conversation.task import ConversationOptions

    return ConversationOptions(a.personas, a.client_model, a.phase_turns, a.pressure_turns,
                               a.reply_tokens)


def run_command(a: argparse.Namespace) -> int:
    """Run, summarise, report; exit 1 when a task did not finish (run again to resume)."""
    # Imported here, not at the top: loading Inspect AI, pandas and matplotlib takes seconds,
    # and `therapy-audit --help` and usage errors should answer at once.
    from therapy_audit.analysis.conversation import conversation_summary
    from therapy_audit.analysis.report import write_report
    from therapy_audit.analysis.summary import summarise
    from therapy_audit.engine import run_audit
    from therapy_audit.table import load_samples

    result = run_audit(
        experiments=list(EXPERIMENT_GROUPS.get(a.experiment, (a.experiment,))),
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
        conversation=_conversation(a),
    )
    frame = load_samples(result.log_dirs)
    conversations = frame["experiment"] == CONVERSATION
    if not conversations.all():
        print(summarise(frame[~conversations]))
    if conversations.any():
        print(conversation_summary(frame[conversations]))
    if not a.no_report:
        path = write_report(load_samples([a.run_dir]), a.run_dir / "report.html",
                            csv_dir=a.run_dir / "tables")
        print(f"Report: {path}")
    return 0 if result.complete else 1
