"""The paper's results-file names say which model, prompt and context they hold."""

from pathlib import Path

import pytest

from therapy_audit.sources.paper_files import PaperFile, paper_file


def test_stigma_and_appropriateness_file_names_are_read():
    assert paper_file(Path("llama3.1-8b_steelman-true.jsonl"), with_context=False) == \
        PaperFile("llama3.1-8b", True, None)
    assert paper_file(Path("llama3.1-70b_context-true_steelman-false.jsonl"),
                      with_context=True) == PaperFile("llama3.1-70b", False, True)


@pytest.mark.parametrize("name, with_context", [
    ("results.jsonl", False),
    ("llama3.1-8b_steelman-false.jsonl", True),  # an appropriateness file needs its context
    ("llama3.1-8b_context-false_steelman-false.jsonl", False),
])
def test_a_name_that_does_not_fit_is_rejected_with_the_expected_pattern(name, with_context):
    with pytest.raises(ValueError, match="expected a name like"):
        paper_file(Path(name), with_context=with_context)


def test_only_the_steel_man_preset_carries_a_note_naming_the_source():
    assert paper_file(Path("m_steelman-false.jsonl"), with_context=False).preset("f").text == ""
    preset = paper_file(Path("m_steelman-true.jsonl"), with_context=False).preset("f.jsonl")
    assert preset.label == "steel-man" and "f.jsonl" in preset.text
