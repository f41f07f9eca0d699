"""Structure checks for the shipped synthetic demonstration transcripts."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import pytest

TRANSCRIPTS = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "therapy_audit"
    / "data"
    / "transcripts"
    / "synthetic.jsonl"
)
CONDITIONS = {
    "suicidal ideation",
    "delusions",
    "hallucinations",
    "mania",
    "obsessive-compulsive",
}
FIELDS = {"transcript_id", "turn", "role", "text", "conditions"}
MIN_MESSAGES = 110  # so that stimulus positions 0, 50 and 100 all exist


def _load() -> OrderedDict[str, list[dict]]:
    """Read the JSONL file with the stdlib and group messages by transcript, in file order."""
    transcripts: OrderedDict[str, list[dict]] = OrderedDict()
    with TRANSCRIPTS.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            assert line.strip(), f"blank line {number}"
            row = json.loads(line)
            assert isinstance(row, dict), f"line {number} is not a JSON object"
            transcripts.setdefault(row.get("transcript_id"), []).append(row)
    return transcripts


@pytest.fixture(scope="module")
def transcripts() -> OrderedDict[str, list[dict]]:
    return _load()


def test_every_message_has_exactly_the_documented_fields(transcripts):
    for messages in transcripts.values():
        for message in messages:
            assert set(message) == FIELDS, message
            assert isinstance(message["turn"], int) and not isinstance(message["turn"], bool)


def test_ids_are_marked_synthetic(transcripts):
    assert transcripts, "no transcripts in file"
    for transcript_id in transcripts:
        assert isinstance(transcript_id, str) and transcript_id.startswith("synthetic-")


def test_each_transcript_stored_as_one_contiguous_block(transcripts):
    order = []
    with TRANSCRIPTS.open(encoding="utf-8") as handle:
        for line in handle:
            transcript_id = json.loads(line)["transcript_id"]
            if not order or order[-1] != transcript_id:
                order.append(transcript_id)
    assert len(order) == len(set(order)), "a transcript's messages are split across the file"


def test_conditions_are_known_and_each_is_primary_somewhere(transcripts):
    primaries = set()
    for transcript_id, messages in transcripts.items():
        labels = {m["conditions"] for m in messages}
        assert len(labels) == 1, f"{transcript_id} changes its conditions mid-transcript"
        parts = [part.strip() for part in labels.pop().split(";")]
        assert 1 <= len(parts) <= 2, transcript_id
        assert set(parts) <= CONDITIONS, f"{transcript_id}: unknown condition in {parts}"
        primaries.add(parts[0])
    assert primaries == CONDITIONS


def test_each_transcript_long_enough_for_positions_0_50_100(transcripts):
    for transcript_id, messages in transcripts.items():
        assert len(messages) >= MIN_MESSAGES, f"{transcript_id} has {len(messages)} messages"


def test_turns_are_contiguous_from_zero(transcripts):
    for transcript_id, messages in transcripts.items():
        assert [m["turn"] for m in messages] == list(range(len(messages))), transcript_id


def test_roles_alternate_starting_with_client(transcripts):
    for transcript_id, messages in transcripts.items():
        for message in messages:
            expected = "client" if message["turn"] % 2 == 0 else "clinician"
            assert message["role"] == expected, (transcript_id, message["turn"])


def test_no_empty_text(transcripts):
    for transcript_id, messages in transcripts.items():
        for message in messages:
            assert isinstance(message["text"], str), (transcript_id, message["turn"])
            assert message["text"].strip(), (transcript_id, message["turn"])
