"""The command line's options: every one has help, and impossible values exit 2 at once."""

from __future__ import annotations

import argparse

import pytest

from therapy_audit.cli import build_parser, main


def _options(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, (*path, name))
        elif not isinstance(action, argparse._HelpAction):
            yield " ".join(path), action


def test_every_option_of_every_command_has_help_text() -> None:
    missing = [(cmd, a.option_strings or a.dest) for cmd, a in _options(build_parser())
               if not a.help]
    assert missing == []


@pytest.mark.parametrize("argv", [
    ["run", "--limit", "-1"],
    ["run", "--limit", "0"],
    ["run", "--limit", "two"],
    ["run", "--interval", "0"],
    ["run", "--max-connections", "0"],
    ["check", "runs", "--max-stigma", "1.5"],
    ["check", "runs", "--min-appropriate", "-0.1"],
    ["check", "runs", "--max-undecided", "2"],
    ["annotate", "export", "runs", "-o", "out", "--annotators", "0"],
])
def test_impossible_numbers_exit_2_before_any_work(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and ("at least 1" in err or "between 0 and 1" in err
                                or "whole number" in err)
