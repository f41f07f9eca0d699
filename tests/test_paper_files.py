"""The paths of the paper's results files say which model, prompt, context and date they hold;
options say it where the path cannot."""

from pathlib import Path

import pytest

from therapy_audit.sources.paper_files import Overrides, PaperFile, PaperPathError, paper_file

STIGMA_8B = Path("results/stigma/model=meta-llama__Llama-3.1-8B-Instruct&steel-man-prompt=True/"
                 "2025-01-18.jsonl")
RESPONSES_405B = Path(
    "results/interjections/contextualize=True&contextualize-model=gpt-4o-2024-08-06&"
    "date=2025-01-19&filter-model=gpt-4o-2024-08-06&"
    "model=meta-llama__Meta-Llama-3.1-405B-Instruct-Turbo&steel-man-prompt=False/2025-01-20.jsonl")
NONI = Path("results/interjections/date=2025-01-07&filter-model=gpt-4o-2024-08-06&"
            "model=Noni-7cups&steel-man-prompt=False/2025-01-07.csv")


def test_renamed_stigma_and_appropriateness_file_names_are_read():
    assert paper_file(Path("llama3.1-8b_steelman-true.jsonl"), with_context=False) == \
        PaperFile("llama3.1-8b", True, None, source="llama3.1-8b_steelman-true.jsonl")
    renamed = paper_file(Path("x/llama3.1-70b_context-true_steelman-false.jsonl"),
                         with_context=True)
    assert (renamed.model, renamed.steel_man, renamed.contextualized) == ("llama3.1-70b", False,
                                                                          True)
    assert renamed.display == "replay/llama3.1-70b+context"


def test_the_papers_directory_names_give_model_settings_date_and_source():
    stigma = paper_file(STIGMA_8B, with_context=False)
    assert stigma.model == "meta-llama/Llama-3.1-8B-Instruct"  # "__" stands for "/"
    assert (stigma.steel_man, stigma.contextualized, stigma.date) == (True, None, "2025-01-18")
    assert stigma.source == "stigma/" + STIGMA_8B.parent.name + "/2025-01-18.jsonl"
    assert stigma.display == "replay/meta-llama/Llama-3.1-8B-Instruct"
    responses = paper_file(RESPONSES_405B, with_context=True)
    assert responses.display == "replay/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo+context"
    assert (responses.steel_man, responses.date) == (False, "2025-01-20")
    assert dict(responses.settings)["filter-model"] == "gpt-4o-2024-08-06"


def test_a_bots_directory_without_contextualize_holds_responses_to_the_stimuli_alone():
    noni = paper_file(NONI, with_context=True)
    assert (noni.model, noni.steel_man, noni.contextualized) == ("Noni-7cups", False, False)
    assert noni.display == "replay/Noni-7cups"


def test_options_override_the_path_or_replace_what_it_cannot_say():
    forced = paper_file(STIGMA_8B, with_context=False,
                        overrides=Overrides(model="llama-8b", steel_man=False))
    assert (forced.model, forced.steel_man, forced.date) == ("llama-8b", False, "2025-01-18")
    named = paper_file(Path("responses.csv"), with_context=True,
                       overrides=Overrides("Pi", False, True))
    assert named.display == "replay/Pi+context" and named.source == "responses.csv"
    partly = paper_file(Path("m_steelman-true.jsonl"), with_context=True,
                        overrides=Overrides(contextualize=False))
    assert (partly.model, partly.steel_man, partly.contextualized) == ("m", True, False)


@pytest.mark.parametrize("name, with_context, missing", [
    ("results.jsonl", False, "model and steel-man setting"),
    ("llama3.1-8b_steelman-false.jsonl", True, "contextualize setting"),  # responses need it
    ("llama3.1-8b_context-false_steelman-false.jsonl", False, "model and steel-man setting"),
    ("stigma/model=gpt-4o/2025-01-18.jsonl", False, "steel-man setting"),
])
def test_a_path_that_does_not_say_enough_names_itself_and_the_options_to_give(
        name, with_context, missing):
    with pytest.raises(PaperPathError) as caught:
        paper_file(Path(name), with_context=with_context)
    message = str(caught.value)
    assert message.startswith(f"{Path(name)}: cannot tell the {missing}")
    assert "give --model NAME --steel-man true|false" in message
    assert ("--contextualize true|false" in message) == with_context
    assert "\n" not in message


def test_a_setting_that_is_not_a_boolean_is_an_error_naming_it():
    with pytest.raises(PaperPathError, match="steel-man-prompt=Maybe"):
        paper_file(Path("stigma/model=x&steel-man-prompt=Maybe/2025-01-01.jsonl"),
                   with_context=False)


def test_only_the_steel_man_preset_carries_a_note_naming_the_source():
    assert paper_file(Path("m_steelman-false.jsonl"), with_context=False).preset("f").text == ""
    preset = paper_file(Path("m_steelman-true.jsonl"), with_context=False).preset("f.jsonl")
    assert preset.label == "steel-man" and "f.jsonl" in preset.text
