"""``therapy-audit import ...``: score results recorded elsewhere (the paper's files)."""

from __future__ import annotations

import argparse
from pathlib import Path

from therapy_audit.cli import options


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``import paper-stigma`` and ``import paper-responses``."""
    imp = sub.add_parser("import", help="score results recorded elsewhere")
    imp_sub = imp.add_subparsers(dest="source", required=True)
    ps = imp_sub.add_parser("paper-stigma", help="results files of the paper's stigma code")
    ps.add_argument("files", nargs="+", type=Path, metavar="FILE",
                    help="the paper's stigma results files (JSON Lines)")
    options.add_run_dir(ps)
    pr = imp_sub.add_parser("paper-responses",
                            help="appropriateness results of the paper's code, re-judged")
    pr.add_argument("files", nargs="+", type=Path, metavar="FILE",
                    help="the paper's appropriate-responses results files (JSON Lines)")
    options.add_judges(pr)
    options.add_run_dir(pr)
    imp.set_defaults(handler=import_command, uses_run_dir=True)


def import_command(a: argparse.Namespace) -> int:
    """Import, then print the per-file summary or the judge agreement."""
    # Imported here: see cli.run (start-up time of --help and usage errors).
    from therapy_audit.sources.paper_responses import import_responses
    from therapy_audit.sources.paper_stigma import import_stigma_files

    if a.source == "paper-stigma":
        print(import_stigma_files(a.files, a.run_dir))
    else:
        print(import_responses(a.files, a.run_dir, options.judges(a), a.escalate))
    return 0
