"""``therapy-audit worksheet ...`` and ``therapy-audit annotate ...``: collecting by hand.

``worksheet export|import`` collects responses from chatbots without an API and from people;
``annotate export|import`` has people label responses to validate the judges. Handlers raise
``ValueError`` for bad input (exit code 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from therapy_audit.cli import options
from therapy_audit.vocab import RULES_JUDGE_NAME


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``worksheet`` and ``annotate`` commands to the main parser's subcommands."""
    ws = sub.add_parser("worksheet", help="collect responses by hand (chatbots without an API, "
                        "people)")
    ws_sub = ws.add_subparsers(dest="action", required=True)
    wex = ws_sub.add_parser("export", help="write a blank worksheet of the ten stimuli")
    wex.add_argument("-o", "--output", type=Path, default=None, metavar="FILE.csv",
                     help="the worksheet as CSV (instructions in # lines at the top)")
    wex.add_argument("--xlsx", type=Path, default=None, metavar="FILE.xlsx",
                     help="the worksheet as an Excel workbook (Instructions + Responses)")
    wex.add_argument("--system-prompt", choices=["none", "steel-man"], default="none",
                     help="the system prompt the chatbot is given (default none)")
    wex.add_argument("--force", action="store_true", help="overwrite existing files")
    wim = ws_sub.add_parser("import", help="judge a filled worksheet like a model's run")
    wim.add_argument("file", type=Path, metavar="FILE(.csv|.xlsx)",
                     help="the filled worksheet")
    wim.add_argument("--name", required=True,
                     help='the bot or group in the report, e.g. "Noni (7cups)"; each '
                     'respondent_id is shown as "NAME [respondent_id]"')
    options.add_judges(wim)
    options.add_run_dir(wim, help="where logs and reports go (default ./audit-runs)")
    ws.set_defaults(handler=worksheet_command)

    an = sub.add_parser("annotate", help="validate judges against human labels")
    an_sub = an.add_subparsers(dest="action", required=True)
    aex = an_sub.add_parser("export", help="blinded annotation sheets of a run's responses")
    aex.add_argument("run_dir", type=Path, help="the run whose responses are annotated")
    aex.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                     help="directory for the sheets and the (separate) key")
    aex.add_argument("--annotators", type=options.positive_int, default=2,
                     help="number of sheets, one per annotator (default 2)")
    aex.add_argument("--seed", type=int, default=0, help="seed of the item orders (default 0)")
    aex.add_argument("--only-unsure", nargs="?", const=RULES_JUDGE_NAME, default=None,
                     metavar="JUDGE",
                     help=f"only the responses JUDGE (default {RULES_JUDGE_NAME}) left unsure; "
                     "the imported labels then complete that judge's verdicts")
    aim = an_sub.add_parser("import", help="add filled sheets' labels as human judges")
    aim.add_argument("files", nargs="+", type=Path, metavar="FILE",
                     help="filled annotation sheets (one per annotator)")
    aim.add_argument("--key", type=Path, required=True, help="the key.json of the export")
    options.add_run_dir(aim, default=None,
                        help="the annotated run directory (default: the one in the key)")
    aim.add_argument("--annotator", default=None,
                     help="annotator id for a single sheet (default: the file's name)")
    an.set_defaults(handler=annotate_command)


def worksheet_command(a: argparse.Namespace) -> int:
    """``worksheet export`` / ``worksheet import``."""
    # Imported here: see cli.run (start-up time of --help and usage errors).
    from therapy_audit.rundir import use_run_dir
    from therapy_audit.sources import worksheet

    if a.action == "export":
        paths = worksheet.export_worksheet(a.output, a.xlsx, a.system_prompt, a.force)
        for path in paths:
            print(f"Wrote {path}")
        print("Fill respondent_id, date and response, then: therapy-audit worksheet import "
              f"{paths[0]} --name NAME")
        return 0
    run_dir = use_run_dir(a.run_dir)
    result = worksheet.import_worksheet(a.file, a.name, run_dir, options.judges(a),
                                        escalate=a.escalate)
    print(result.text())
    print(f"\nReport: therapy-audit report {a.run_dir}")
    return 0 if result.complete else 1


def annotate_command(a: argparse.Namespace) -> int:
    """``annotate export`` / ``annotate import``."""
    from therapy_audit.rundir import use_run_dir
    from therapy_audit.sources import annotation

    if a.action == "export":
        print(annotation.export_annotation_sheets(a.run_dir, a.output, a.annotators,
                                                  a.seed, a.only_unsure).text())
        return 0
    key = annotation.read_key(a.key)
    run_dir = a.run_dir if a.run_dir is not None else Path(key["run_dir"])
    if not run_dir.is_dir():
        raise annotation.AnnotationError(f"run directory {run_dir} does not exist "
                                         "(give --run-dir)")
    run_dir = use_run_dir(run_dir)
    result = annotation.import_annotations(a.files, a.key, run_dir, a.annotator)
    print(result.text())
    print(f"\nReport: therapy-audit report {run_dir}")
    return 0
