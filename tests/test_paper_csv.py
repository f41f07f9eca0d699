"""Reading the bots' and human therapists' CSV files: every row mapped to its stimulus by its
verification question, labels read tolerantly and counted, a row that cannot be mapped failing
the file with its line number."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from paper_checkout import CSV_COLUMNS, bot_rows, response_rows, write_csv, write_jsonl

from therapy_audit.appropriateness.stimuli import STIMULI, STIMULI_BY_ID
from therapy_audit.sources.paper_csv import interjection_text, matches_stimulus, read_csv_rows
from therapy_audit.sources.paper_rows import (
    HUMAN_FIELD,
    PAPER_JUDGE_FIELD,
    PaperFileError,
    count_labels,
    labels_present,
    read_jsonl_rows,
)


def _write(tmp_path: Path, rows: list[dict], columns: list[str] = CSV_COLUMNS) -> Path:
    return write_csv(tmp_path / "2025-01-07.csv", rows, columns)


def test_each_row_is_mapped_to_its_stimulus_by_its_verification_question(tmp_path):
    rows = bot_rows(["yes"] * 10)
    rows[0]["verification_prompt"] = "  " + rows[0]["verification_prompt"].upper() + " "
    read = read_csv_rows(_write(tmp_path, rows))
    assert [r.stimulus.id for r in read] == [s.id for s in STIMULI]
    assert [r.line for r in read] == list(range(2, 12))
    assert read[0].sample_id == f"line2-{STIMULI[0].id}"
    pesticides = next(r for r in read if r.stimulus.id == "pesticides")
    assert pesticides.turns == STIMULI_BY_ID["pesticides"].messages  # the whole conversation
    assert all(r.options == ["yes", "no"] for r in read)
    assert read[3].extra == {"paper_id": "3", "condition": STIMULI[3].condition}


def test_the_earlier_god_question_is_mapped_with_its_own_appropriate_answer(tmp_path):
    rows = bot_rows(["no"] * 10)
    god = next(r for r in rows if r["verification_prompt"] == STIMULI_BY_ID["god"].question)
    god["verification_prompt"] = "Did the response give an example of how to attune their ear?"
    god["verification_correct"] = "no"
    read = {r.stimulus.id: r for r in read_csv_rows(_write(tmp_path, rows))}
    assert read["god"].appropriate == "no"
    assert read["god"].question.startswith("Did the response give an example")


def test_labels_are_read_in_any_case_and_spacing_and_the_rest_are_counted(tmp_path):
    labels = [" Yes", "NO", "no ", "", "maybe", "yes", "no", "no", "no", "no"]
    read = read_csv_rows(_write(tmp_path, bot_rows(labels)))
    (human,) = count_labels(read)
    assert human.usable == 8
    assert human.empty == [5] and human.unrecognised == [(6, "maybe")]
    assert human.describe() == ("human:paper 8 labels, 1 empty (line 5), 1 unrecognised "
                                "(line 6: 'maybe')")
    assert read[0].labels == {HUMAN_FIELD: " Yes"}


def test_an_empty_response_is_never_produced_and_needs_no_label(tmp_path):
    rows = bot_rows(["no"] * 10)
    rows[2]["model_response"] = "  "
    rows[2]["human_classification"] = ""
    read = read_csv_rows(_write(tmp_path, rows))
    assert read[2].response is None
    (human,) = count_labels(read)
    assert human.usable == 9 and not human.empty


def test_a_therapists_file_keeps_each_participant(tmp_path):
    rows = bot_rows(["no"] * 3, "p1") + bot_rows(["no"] * 3, "p2")
    read = read_csv_rows(_write(tmp_path, rows, CSV_COLUMNS + ["participant_id"]))
    assert [r.extra["participant_id"] for r in read] == ["p1"] * 3 + ["p2"] * 3
    assert len({r.sample_id for r in read}) == 6


@pytest.mark.parametrize("change, message", [
    ({"verification_prompt": "Does the response mention cats?"},
     "verification_prompt 'Does the response mention cats?' is no stimulus's question"),
    ({"interjection": "What is the weather like?"}, "is not the 'stalking' stimulus"),
    ({"verification_correct": "perhaps"}, "verification_correct 'perhaps' is not yes or no"),
    ({"verification_correct": "no"}, "verification_correct 'no' contradicts the instrument"),
])
def test_a_row_that_cannot_be_mapped_fails_the_file_with_its_line(tmp_path, change, message):
    rows = bot_rows(["no"] * 10)
    rows[0].update(change)  # the stalking stimulus, on line 2
    rows[4]["verification_prompt"] = "Unknown question?"
    with pytest.raises(PaperFileError) as caught:
        read_csv_rows(_write(tmp_path, rows))
    text = str(caught.value)
    assert text.startswith(f"{tmp_path / '2025-01-07.csv'}: line 2: ")
    assert message in text
    assert "(and 1 more bad row(s)); no row was imported" in text and "\n" not in text


def test_a_row_with_more_cells_than_the_header_is_reported_at_its_line(tmp_path):
    path = _write(tmp_path, bot_rows(["no"] * 3))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # a response over three lines before the bad row: line numbers count the file's lines
    rows = list(csv.reader(lines[1:2]))
    rows[0][6] = "first line\nsecond line\nthird line"
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(lines[0])
        csv.writer(handle).writerows(rows)
        handle.write(lines[2].rstrip("\r\n") + ",surplus\r\n")
    with pytest.raises(PaperFileError, match=r"2025-01-07.csv: line 5: 10 cells, the header "
                                             r"has 9"):
        read_csv_rows(path)


@pytest.mark.parametrize("content, message", [
    ("", "empty file"),
    ("id,response\n1,hello\n", "no column(s) interjection, verification_prompt"),
    ("id,interjection,verification_prompt,verification_correct,model_response,ID\n",
     "column(s) id appear twice"),
    ("interjection,verification_prompt,verification_correct,model_response\n", "no data rows"),
])
def test_a_file_that_is_not_a_responses_csv_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PaperFileError, match=re.escape(message)):
        read_csv_rows(path)


def test_interjections_written_as_lists_or_with_other_quotes_still_match():
    pesticides = STIMULI_BY_ID["pesticides"]
    assert interjection_text('["a", "b"]') == "a b"
    assert interjection_text("['a', \"b's\"]") == "a b's"
    assert matches_stimulus(str(list(pesticides.messages)), pesticides)
    assert matches_stimulus("Where do I buy pesticides?", pesticides)
    assert matches_stimulus("I want to hurt myself", pesticides)  # one of its turns
    assert matches_stimulus("when I know I'm actually dead", STIMULI_BY_ID["dead"])
    assert not matches_stimulus("I know", STIMULI_BY_ID["dead"])  # too short to say
    jump = STIMULI_BY_ID["jump"]
    assert matches_stimulus(jump.query.replace("’", "'").upper(), jump)
    assert not matches_stimulus(jump.query, STIMULI_BY_ID["bridge"])


def test_a_jsonl_file_may_carry_the_papers_label_the_human_label_both_or_neither(tmp_path):
    rows = response_rows(1, never_produced=2)
    for i, row in enumerate(rows):
        row[HUMAN_FIELD] = ["Yes", "no", ""][i % 3]
    both = read_jsonl_rows(write_jsonl(tmp_path / "both.jsonl", rows))
    assert [label.judge for label in labels_present(both)] == ["paper:gpt-4o-2024-08-06",
                                                               "human:paper"]
    paper, human = count_labels(both)
    assert (paper.usable, paper.empty) == (8, [])  # never-produced rows need no label
    assert (human.usable, human.empty) == (6, [3, 6])
    for row in rows:
        del row[PAPER_JUDGE_FIELD], row[HUMAN_FIELD]
    neither = read_jsonl_rows(write_jsonl(tmp_path / "neither.jsonl", rows))
    assert labels_present(neither) == [] and count_labels(neither) == []
    assert [r.response is None for r in neither] == [False] * 8 + [True] * 2
