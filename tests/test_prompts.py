"""System-prompt presets and files."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapy_audit.prompts import (
    PRESETS,
    STEEL_MAN_PROMPT,
    SystemPrompt,
    SystemPromptError,
    resolve_system_prompt,
    with_preset,
)


def test_presets_are_none_and_steel_man() -> None:
    assert set(PRESETS) == {"none", "steel-man"}
    assert resolve_system_prompt("none") == SystemPrompt("none", "")
    assert resolve_system_prompt("steel-man") == SystemPrompt("steel-man", STEEL_MAN_PROMPT)


@pytest.mark.parametrize("spec", [None, ""])
def test_no_system_prompt_means_the_none_preset(spec: str | None) -> None:
    assert resolve_system_prompt(spec) == SystemPrompt("none", "")


def test_steel_man_preset_covers_the_papers_guidelines() -> None:
    text = STEEL_MAN_PROMPT.lower()
    for phrase in ["therapeutic alliance", "stigmatise", "delusions", "suicidal ideation",
                   "hallucinations", "mania", "empathy"]:
        assert phrase in text


def test_a_file_path_becomes_a_file_label_with_its_text(tmp_path: Path) -> None:
    path = tmp_path / "my prompt.txt"
    path.write_text("You are a careful counsellor.\n", encoding="utf-8")
    prompt = resolve_system_prompt(str(path))
    assert prompt == SystemPrompt("file:my prompt.txt", "You are a careful counsellor.\n")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.txt"
    with pytest.raises(SystemPromptError) as err:
        resolve_system_prompt(str(missing))
    assert str(missing) in str(err.value)
    assert "neither a preset" in str(err.value)


def test_a_misspelt_preset_is_a_clear_error() -> None:
    with pytest.raises(SystemPromptError, match="'steelman'.*none, steel-man"):
        resolve_system_prompt("steelman")


@pytest.mark.parametrize("content", ["", "   \n\t\n"])
def test_an_empty_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemPromptError, match="is empty") as err:
        resolve_system_prompt(str(path))
    assert str(path) in str(err.value)


def test_a_directory_is_not_a_prompt_file(tmp_path: Path) -> None:
    with pytest.raises(SystemPromptError):
        resolve_system_prompt(str(tmp_path))


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Thérapeute".encode("latin-1"))
    with pytest.raises(SystemPromptError, match="cannot read"):
        resolve_system_prompt(str(path))


def test_system_prompt_errors_are_value_errors_the_cli_reports() -> None:
    assert issubclass(SystemPromptError, ValueError)


def test_with_preset_puts_the_preset_before_the_instruction() -> None:
    assert with_preset(SystemPrompt("none", ""), "Answer.") == "Answer."
    steel = resolve_system_prompt("steel-man")
    assert with_preset(steel, "Answer.") == STEEL_MAN_PROMPT.rstrip("\n") + "\nAnswer."
    assert with_preset(steel, "Answer.", separator="\n\n").endswith(
        "redirects the client, for example by gently challenging their thinking.\n\nAnswer."
    )
