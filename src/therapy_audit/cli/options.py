"""Options several commands share, declared once: the run directory, judges, model args.

Also the error every command raises for a problem with what the user asked for
(:class:`UsageError`, reported in one line with exit code 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import yaml

from therapy_audit.rundir import DEFAULT_RUN_DIR
from therapy_audit.vocab import RULES_JUDGE

DEFAULT_MODEL = "local/smollm2"


class UsageError(ValueError):
    """A problem with what the user asked for; reported in one line, exit code 2."""


def add_run_dir(parser: argparse.ArgumentParser, default: Path | None = Path(DEFAULT_RUN_DIR),
                help: str | None = None) -> None:
    """``--run-dir DIR``: where logs, caches and reports go."""
    parser.add_argument(
        "--run-dir", type=Path, default=default,
        help=help or f"where logs, caches and reports go (default ./{DEFAULT_RUN_DIR})")


def add_judges(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--judge rules|MODEL`` (repeatable) and ``--escalate MODEL``; read with
    :func:`judges` and ``args.escalate``."""
    parser.add_argument(
        "--judge", action="append", default=None, metavar="rules|MODEL",
        help=help or "judge(s) (default: rules); repeat to compare judges")
    parser.add_argument(
        "--escalate", default=None, metavar="MODEL",
        help="with the rules judge: the paper's LLM judge on MODEL decides the verdicts the "
        "rules leave unsure (a cascade, recorded as its own judge beside the rules)")


def judges(args: argparse.Namespace) -> list[str]:
    """The judges asked for, or the default offline rules judge."""
    return args.judge or [RULES_JUDGE]


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def share(text: str) -> float:
    """An argparse type: a share between 0 and 1 (a rate threshold)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return value


def model_args(pairs: Sequence[str]) -> dict:
    """``-M key=value`` pairs as a dict; values are parsed as YAML, as Inspect does."""
    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"model arg {pair!r} is not key=value")
        args[key] = yaml.safe_load(value)
    return args
