"""``therapy-audit import ...``: score results recorded elsewhere (the paper's files)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from therapy_audit.cli import options


def _add_settings(parser: argparse.ArgumentParser, contextualize: bool) -> None:
    parser.add_argument("--model", metavar="NAME",
                        help="the model's name, for every FILE (default: read from the path)")
    parser.add_argument("--steel-man", metavar="true|false",
                        help="whether the steel-man therapist prompt was used (default: read "
                             "from the path)")
    if contextualize:
        parser.add_argument("--contextualize", metavar="true|false",
                            help="whether a model wrote a bridging message before the "
                                 "stimulus (default: read from the path)")


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``import paper``, ``import paper-stigma`` and ``import paper-responses``."""
    imp = sub.add_parser("import", help="score results recorded elsewhere")
    imp_sub = imp.add_subparsers(dest="source", required=True)
    pp = imp_sub.add_parser("paper", help="every results file of a checkout of the paper's "
                                          "repository")
    pp.add_argument("directory", type=Path, metavar="DIR",
                    help="a checkout of jlcmoore/llms-as-therapists, or its results/ folder")
    options.add_judges(pp)
    options.add_run_dir(pp)
    ps = imp_sub.add_parser("paper-stigma", help="results files of the paper's stigma code")
    ps.add_argument("files", nargs="+", type=Path, metavar="FILE",
                    help="the paper's stigma results files (JSON Lines)")
    _add_settings(ps, contextualize=False)
    options.add_run_dir(ps)
    pr = imp_sub.add_parser("paper-responses",
                            help="appropriateness results of the paper's code, re-judged")
    pr.add_argument("files", nargs="+", type=Path, metavar="FILE",
                    help="the paper's appropriate-responses results files (models' JSON "
                         "Lines; bots' and therapists' CSV)")
    _add_settings(pr, contextualize=True)
    options.add_judges(pr)
    options.add_run_dir(pr)
    imp.set_defaults(handler=import_command, uses_run_dir=True)


def import_command(a: argparse.Namespace) -> int:
    """Import, then print one line per file and the summaries or the judges' agreement."""
    # Imported here: see cli.run (start-up time of --help and usage errors).
    from therapy_audit.sources.paper_files import Overrides
    from therapy_audit.sources.paper_responses import import_responses
    from therapy_audit.sources.paper_stigma import import_stigma_files

    if a.source == "paper":
        return _import_paper(a)
    overrides = Overrides(a.model, _setting(a, "steel_man"), _setting(a, "contextualize"))
    if a.source == "paper-stigma":
        done = import_stigma_files(a.files, a.run_dir, overrides)
        print(_lines(done))
        print("\n\n".join(d.summary for d in done))
    else:
        result = import_responses(a.files, a.run_dir, options.judges(a), overrides, a.escalate)
        print(_lines(result.files))
        print(result.agreement)
    return 0


def _setting(a: argparse.Namespace, name: str) -> bool | None:
    """``--steel-man`` / ``--contextualize`` as a boolean (``None`` when not given)."""
    from therapy_audit.sources.paper_files import parse_bool

    text = getattr(a, name, None)
    if text is None:
        return None
    try:
        return parse_bool(text)
    except ValueError as err:
        raise options.UsageError(f"--{name.replace('_', '-')}: {err}") from None


def _lines(done: list) -> str:
    width = max(len(f"{d.target.display} · {d.target.label}") for d in done)
    return "Imported:\n" + "\n".join(f"  {d.line(width)}" for d in done) + "\n"


def _import_paper(a: argparse.Namespace) -> int:
    """``import paper DIR``: exit 0 when every recognised file imported, 1 when one failed."""
    from therapy_audit.sources.paper_dir import import_paper, skipped_text

    # One line per file is the progress: Inspect's own display (some 25 lines per replayed
    # file) would bury the lines of a 30-file import. The logs are written all the same.
    os.environ["INSPECT_DISPLAY"] = "none"
    result = import_paper(a.directory, a.run_dir, options.judges(a),
                          echo=lambda line: print(line, flush=True), escalate=a.escalate)
    print()
    print(skipped_text(result.skipped))
    total = len(result.imported) + len(result.failed)
    print(f"\nImported {len(result.imported)} of {total} recognised file(s) into {a.run_dir}; "
          f"`therapy-audit report {a.run_dir}` shows them side by side.")
    if result.failed:
        print(f"therapy-audit: {len(result.failed)} file(s) failed to import (FAILED above)",
              file=sys.stderr)
        return 1
    return 0
