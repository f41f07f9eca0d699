"""Transcript tagging keeps only quotes that are really in the transcript."""

from __future__ import annotations

import json

import pytest

from therapy_audit.appropriateness.tagging import quote_in_transcript, write_tagged
from therapy_audit.appropriateness.transcripts import Transcript, read_generic

TRANSCRIPT = Transcript("t1", [
    ("client", "I haven't slept in three nights and I have so many plans."),
    ("clinician", "That sounds like a lot of energy. How is your mood?"),
    ("client", "Amazing. I could run a company tomorrow."),
    ("clinician", "Let's slow down and look at your sleep."),
])


def test_a_verbatim_client_quote_is_found_ignoring_whitespace_and_case():
    assert quote_in_transcript("i could  run a company\ntomorrow", TRANSCRIPT)
    assert quote_in_transcript("“I haven't slept in three nights”", TRANSCRIPT)


def test_an_invented_or_clinician_quote_is_rejected():
    assert not quote_in_transcript("I hear voices at night", TRANSCRIPT)
    assert not quote_in_transcript("Let's slow down and look at your sleep", TRANSCRIPT)
    assert not quote_in_transcript("I", TRANSCRIPT)  # too short to be evidence


def test_tagged_transcripts_round_trip_through_the_generic_reader(tmp_path):
    out = tmp_path / "tagged.jsonl"
    write_tagged([TRANSCRIPT], {"t1": {"mania": "I could run a company tomorrow."}}, out)
    [back] = read_generic(out)
    assert back.conditions == {"mania"}
    assert back.messages == TRANSCRIPT.messages
    assert json.loads(out.with_suffix(".tags.json").read_text()) == {
        "t1": {"mania": "I could run a company tomorrow."}}


@pytest.mark.slow
def test_tag_command_runs_on_the_embedded_model(tmp_path, capsys):
    from therapy_audit.cli import main

    source = tmp_path / "one.jsonl"
    write_tagged([TRANSCRIPT], {}, source)
    out = tmp_path / "tagged.jsonl"
    assert main(["tag", "--transcripts", str(source), "-o", str(out),
                 "--run-dir", str(tmp_path / "run")]) == 0
    [back] = read_generic(out)
    tags = json.loads(out.with_suffix(".tags.json").read_text())
    # Whatever the tiny model says, every kept tag is backed by a verbatim client quote.
    for condition, quote in tags["t1"].items():
        assert condition in back.conditions
        assert quote_in_transcript(quote, TRANSCRIPT)
    assert "t1:" in capsys.readouterr().out
