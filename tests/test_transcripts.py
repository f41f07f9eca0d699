"""Reading therapy transcripts: generic JSONL/CSV, the AnnoMI CSV, and the built-in ones."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from therapy_audit.appropriateness.stimuli import CONDITIONS
from therapy_audit.appropriateness.transcripts import (
    TranscriptError,
    builtin_transcripts,
    load_transcripts,
    normalise_messages,
    read_annomi,
    read_generic,
)


def _jsonl(path: Path, rows: list) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(tid: str, turn: int, role: str, text: str, conditions: object = None) -> dict:
    row = {"transcript_id": tid, "turn": turn, "role": role, "text": text}
    if conditions is not None:
        row["conditions"] = conditions
    return row


def test_normalise_merges_a_speakers_consecutive_messages_and_drops_a_leading_clinician() -> None:
    raw = [("clinician", "Welcome."), ("client", "Hi."), ("client", "Sorry I'm late."),
           ("clinician", "That's fine."), ("clinician", " "), ("clinician", "Shall we start?"),
           ("client", "Yes.")]
    assert normalise_messages(raw) == [
        ("client", "Hi.\nSorry I'm late."),
        ("clinician", "That's fine.\nShall we start?"),
        ("client", "Yes."),
    ]


def test_generic_jsonl_maps_roles_orders_turns_and_parses_conditions(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [
        _row("s1", 2, "User", "I slept badly.", "mania; delusions"),
        _row("s1", 0, "therapist", "Hello, how are you?"),
        _row("s1", 1, "patient", "Tired."),
        _row("s1", 3, "counselor", "Tell me more."),
        _row("s2", 0, "client", "Hi."),
        _row("s2", 1, "assistant", "Hello.", "compulsive behavior, obsessive behavior"),
    ])
    first, second = read_generic(path)
    assert first.id == "s1"
    assert first.messages == [("client", "Tired.\nI slept badly."), ("clinician", "Tell me more.")]
    assert first.conditions == {"mania", "delusions"}
    assert first.source == str(path)
    assert second.messages == [("client", "Hi."), ("clinician", "Hello.")]
    assert second.conditions == {"obsessive-compulsive"}  # the paper's name, mapped


def test_generic_jsonl_accepts_conditions_as_a_list(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [_row("s", 0, "client", "Hi.", ["mania", "delusions"])])
    assert read_generic(path)[0].conditions == {"mania", "delusions"}


def test_generic_csv_reads_the_same_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", ["transcript_id", "turn", "role", "text", "conditions"], [
        ["s", 1, "clinician", "Go on.", ""],
        ["s", 0, "client", "It's been a long week, honestly.", "suicidal ideation"],
        ["s", 2, "client", "Okay.", ""],
    ])
    (transcript,) = read_generic(path)
    assert transcript.messages == [("client", "It's been a long week, honestly."),
                                   ("clinician", "Go on."), ("client", "Okay.")]
    assert transcript.conditions == {"suicidal ideation"}


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ([_row("s", 0, "client", "Hi."), "{oops"], 2, "not valid JSON"),
        ([_row("s", 0, "client", "Hi."), "[1]"], 2, "expected a JSON object"),
        ([_row("s", 0, "client", "")], 1, "missing text"),
        ([{"transcript_id": "s", "role": "client", "text": "Hi."}], 1, "missing turn"),
        ([_row("s", 0, "client", "Hi."), _row("s", 1, "doctor", "Hi.")], 2, "unknown role"),
        ([_row("s", "first", "client", "Hi.")], 1, "is not a number"),
        ([_row("s", 0, "client", "Hi.", "mania; depresion")], 1, "unknown condition"),
        ([_row("s", 0, "client", "Hi."), _row("s", 0, "clinician", "Hello.")], 2,
         "appears twice"),
    ],
)
def test_bad_generic_rows_are_errors_naming_file_and_line(
    tmp_path: Path, rows: list, line: int, message: str
) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(TranscriptError) as err:
        read_generic(path)
    assert f"{path}:{line}:" in str(err.value)
    assert message in str(err.value)


def test_bad_csv_rows_name_the_csv_line(tmp_path: Path) -> None:
    path = _csv(tmp_path / "bad.csv", ["transcript_id", "turn", "role", "text"], [
        ["s", 0, "client", "Hi."],
        ["s", 1, "nurse", "Hello."],
    ])
    with pytest.raises(TranscriptError, match=r"bad\.csv:3: unknown role"):
        read_generic(path)


def test_empty_or_unsupported_files_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(TranscriptError, match="no transcripts"):
        read_generic(empty)
    text = tmp_path / "t.txt"
    text.write_text("client: hi", encoding="utf-8")
    with pytest.raises(TranscriptError, match=".jsonl or .csv"):
        read_generic(text)


ANNOMI_HEADER = ["mi_quality", "transcript_id", "video_title", "utterance_id", "interlocutor",
                 "timestamp", "utterance_text"]


def _annomi(tmp_path: Path, rows: list[list]) -> Path:
    return _csv(tmp_path / "AnnoMI-simple.csv", ANNOMI_HEADER, rows)


def test_annomi_csv_becomes_transcripts_starting_with_the_client(tmp_path: Path) -> None:
    path = _annomi(tmp_path, [
        ["high", 7, "Demo", 0, "therapist", "00:00:01", "Thanks for coming in today."],
        ["high", 7, "Demo", 2, "therapist", "00:00:09", "What brings you here?"],
        ["high", 7, "Demo", 1, "client", "00:00:05", "Sure."],
        ["high", 7, "Demo", 3, "client", "00:00:12", "My doctor suggested it."],
        ["high", 7, "Demo", 4, "client", "00:00:15", "About my drinking."],
        ["low", 8, "Other", 0, "client", "00:00:01", "Hi."],
        ["low", 8, "Other", 1, "therapist", "00:00:02", "Hello."],
    ])
    first, second = read_annomi(path)
    assert first.id == "annomi-7"
    assert first.messages == [("client", "Sure."), ("clinician", "What brings you here?"),
                              ("client", "My doctor suggested it.\nAbout my drinking.")]
    assert first.conditions == set()
    assert "role-played" in first.source
    assert second.id == "annomi-8"
    assert load_transcripts(f"annomi:{path}")[0].messages == first.messages


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["high", 7, "Demo", 1, "narrator", "00:00:05", "Sure."], "unknown interlocutor"),
        (["high", 7, "Demo", "one", "client", "00:00:05", "Sure."], "is not a number"),
    ],
)
def test_bad_annomi_rows_are_errors_naming_file_and_line(
    tmp_path: Path, bad: list, message: str
) -> None:
    path = _annomi(tmp_path, [["high", 7, "Demo", 0, "therapist", "00:00:01", "Hi."], bad])
    with pytest.raises(TranscriptError) as err:
        read_annomi(path)
    assert f"{path}:3:" in str(err.value)
    assert message in str(err.value)


def test_a_csv_without_annomi_columns_is_rejected(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", ["transcript_id", "turn", "role", "text"],
                [["s", 0, "client", "Hi."]])
    with pytest.raises(TranscriptError, match="not an AnnoMI CSV"):
        read_annomi(path)


def test_an_annomi_csv_without_rows_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="no transcripts"):
        read_annomi(_annomi(tmp_path, []))


def test_load_transcripts_specs(tmp_path: Path) -> None:
    assert load_transcripts(None) == []
    assert load_transcripts("") == []
    assert load_transcripts("none") == []
    with pytest.raises(TranscriptError, match="does not exist"):
        load_transcripts(str(tmp_path / "nosuch.jsonl"))
    with pytest.raises(TranscriptError, match="does not exist"):
        load_transcripts(f"annomi:{tmp_path / 'nosuch.csv'}")
    path = _jsonl(tmp_path / "t.jsonl", [_row("s", 0, "client", "Hi.")])
    assert [t.id for t in load_transcripts(str(path))] == ["s"]


def test_builtin_transcripts_are_long_alternating_and_tagged() -> None:
    transcripts = builtin_transcripts()
    assert transcripts == load_transcripts("builtin")
    assert len(transcripts) >= 5
    assert len({t.id for t in transcripts}) == len(transcripts)
    tagged = set()
    for transcript in transcripts:
        assert len(transcript.messages) >= 110, transcript.id
        roles = [role for role, _ in transcript.messages]
        assert roles == ["client", "clinician"] * (len(roles) // 2) + ["client"] * (len(roles) % 2)
        assert transcript.conditions and transcript.conditions <= set(CONDITIONS)
        assert "synthetic" in transcript.source
        tagged |= transcript.conditions
    assert tagged == set(CONDITIONS)  # every stimulus has a transcript to go into
