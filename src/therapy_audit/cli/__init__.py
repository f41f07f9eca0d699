"""The ``therapy-audit`` command: one module per command group, assembled here.

``main`` parses the arguments, prepares the run directory for commands that write one, runs
the command's handler and turns a problem with the user's input into one line on stderr and
exit code 2 (an interrupt: 130).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from therapy_audit.cli import collect, imports, results, run, tag
from therapy_audit.cli.options import UsageError
from therapy_audit.rundir import use_run_dir

__all__ = ["UsageError", "build_parser", "main"]

COMMAND_GROUPS = (run, imports, results, tag, collect)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="therapy-audit",
        description="Audit language models and therapy chatbots for mental-health stigma and "
        "unsafe responses (after Moore et al., FAccT 2025).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.add_commands(sub)
    return parser


# Rich console markup that Inspect puts in some messages ("No [bold][blue]OPENAI_API_KEY...").
_MARKUP = re.compile(r"\[/?(?:bold|italic|underline|dim|red|green|blue|yellow|magenta|cyan)"
                     r"(?: (?:bold|italic|underline|dim|red|green|blue|yellow|magenta|cyan))*\]")


def _one_line(err: BaseException) -> str:
    text = " ".join(_MARKUP.sub("", str(err)).split()) or type(err).__name__
    return text[:400]


def _error(err: BaseException) -> int:
    print(f"therapy-audit: error: {_one_line(err)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; see the module docstring for exit codes."""
    args = build_parser().parse_args(argv)
    if getattr(args, "uses_run_dir", False):
        try:
            args.run_dir = use_run_dir(args.run_dir)
        except ValueError as err:
            return _error(err)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("therapy-audit: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    except (ValueError, OSError, LookupError, RuntimeError) as err:
        return _error(err)
    except Exception as err:  # Inspect's PrerequisiteError and other setup failures
        if type(err).__name__ in ("PrerequisiteError", "ModelNotFoundError"):
            return _error(err)
        raise


if __name__ == "__main__":
    sys.exit(main())
