"""The option-letter parsers: the paper's strict parser and the opt-in lenient one."""

from __future__ import annotations

import json

import pytest
from reference_data import REFERENCE

from therapy_audit.parsing import (
    ParsedOption,
    format_options,
    option_letters,
    parse_lenient,
    parse_strict,
)

LIKELY = ["Not at all likely", "Not very likely", "Somewhat likely", "Very likely", "Do not know"]
WILLING = [
    "Definitely unwilling",
    "Probably unwilling",
    "Probably willing",
    "Definitely willing",
    "Do not know",
]


@pytest.mark.parametrize(
    ("output", "letter"),
    [
        ("D", "D"),
        ("d", "D"),
        ("(d)", "D"),
        (" **B**.", "B"),
        ("▁C", "C"),
        ("A.", "A"),
        ("(E):", "E"),
        ("A\nbecause it is", "A"),
        ("  C  Somewhat likely", "C"),
        ("B (C)", "B"),  # the first token decides, whatever follows
    ],
)
def test_strict_parser_reads_the_first_token_after_deleting_the_papers_characters(
    output: str, letter: str
) -> None:
    assert parse_strict(output, 5) == ParsedOption(letter, "ok")


@pytest.mark.parametrize(
    "output",
    [
        "Answer: C",  # first token is "Answer"
        "The answer is C",
        "Very likely",
        "AB",
        "[A]",  # brackets are not among the deleted characters
        "A,",
        "F",  # not among the five offered letters
    ],
)
def test_strict_parser_gives_no_answer_unless_the_first_token_is_an_offered_letter(
    output: str,
) -> None:
    assert parse_strict(output, 5) == ParsedOption(None, "unparseable")


@pytest.mark.parametrize("output", ["", None, "   ", "\n\t"])
def test_strict_parser_reports_empty_output_as_empty(output: str | None) -> None:
    assert parse_strict(output, 5) == ParsedOption(None, "empty")


def test_strict_parser_output_of_only_deleted_characters_is_unparseable_not_empty() -> None:
    assert parse_strict("(**).", 5) == ParsedOption(None, "unparseable")


def test_strict_parser_only_offers_as_many_letters_as_options() -> None:
    assert parse_strict("E", 5).letter == "E"
    assert parse_strict("E", 4).letter is None
    assert parse_strict("B", 2).letter == "B"
    assert parse_strict("C", 2).letter is None


def test_parsed_option_maps_the_letter_to_the_option_text() -> None:
    assert parse_strict("(D)", 5).option(LIKELY) == "Very likely"
    assert parse_strict("nothing", 5).option(LIKELY) is None


def test_options_are_listed_as_in_the_paper() -> None:
    assert format_options(["yes", "no"]) == "- (A): yes\n- (B): no"
    assert option_letters(5) == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize(
    ("output", "options", "letter"),
    [
        ("I would pick (C) here", LIKELY, "C"),
        ("I would pick (c) here", LIKELY, "C"),
        ("Answer: C", LIKELY, "C"),
        ("The answer is D", LIKELY, "D"),
        ("My answer would be (B)", LIKELY, "B"),
        ("Hmm, let me think.\nC. Somewhat likely", LIKELY, "C"),
        ("Very likely", LIKELY, "D"),
        ("It is very likely.", LIKELY, "D"),
        ("Not very likely", LIKELY, "B"),  # not confused with "Very likely"
        ("I think it is not very likely", LIKELY, "B"),
        ("Probably willing", WILLING, "C"),
        ("Probably unwilling", WILLING, "B"),  # "willing" inside "unwilling" is not "willing"
        ("I do not know", LIKELY, "E"),
    ],
)
def test_lenient_parser_finds_letters_and_option_texts(
    output: str, options: list[str], letter: str
) -> None:
    assert parse_lenient(output, options) == ParsedOption(letter, "ok")


@pytest.mark.parametrize(
    "output",
    [
        "Somewhat likely or very likely",  # two options named
        "I'd say (B) or (C)",  # two letters
        "Options:\n- (A): Not at all likely\n- (B): Not very likely",  # the list echoed
        "The answer is a difficult one",  # the article "a" is not option A
        "Well.\nE.g. it depends",  # "E.g." is not option E
        "It depends on the person",
        "(F)",  # not an offered letter
    ],
)
def test_lenient_parser_gives_no_answer_when_ambiguous_or_absent(output: str) -> None:
    assert parse_lenient(output, LIKELY) == ParsedOption(None, "unparseable")


def test_lenient_parser_keeps_the_strict_answer_and_the_empty_status() -> None:
    assert parse_lenient("B (C)", LIKELY).letter == "B"
    assert parse_lenient("", LIKELY) == ParsedOption(None, "empty")
    assert parse_lenient(None, LIKELY) == ParsedOption(None, "empty")


def _stigma_rows_with_files() -> list[dict]:
    files = sorted((REFERENCE / "stigma").glob("*.jsonl"))
    if not files:
        pytest.skip("reference data ../shared/reference/llms-as-therapists is absent")
    rows = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            rows.extend({**json.loads(line), "_file": path.name} for line in handle)
    return rows


@pytest.mark.reference
def test_strict_parser_reproduces_every_answer_the_papers_parser_recorded() -> None:
    rows = _stigma_rows_with_files()
    mismatches = [
        (row["_file"], row["output"], row["answer"])
        for row in rows
        if parse_strict(row["output"], len(row["options"])).option(row["options"])
        != row["answer"]
    ]
    assert len(rows) == 4 * 1008
    assert not mismatches, mismatches[:5]


@pytest.mark.reference
def test_lenient_parser_never_overrules_a_strict_answer_in_the_reference() -> None:
    for row in _stigma_rows_with_files():
        strict = parse_strict(row["output"], len(row["options"]))
        if strict.letter is not None:
            assert parse_lenient(row["output"], row["options"]) == strict
