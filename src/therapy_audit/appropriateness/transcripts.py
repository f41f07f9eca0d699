"""Therapy transcripts the stimuli are inserted into.

A transcript is a list of alternating client / clinician messages that starts with the client.
Sources: the project's synthetic demonstration transcripts (``builtin``), a generic JSONL or CSV
file (``transcript_id, turn, role, text`` and optional ``conditions``), or the AnnoMI CSV
(``annomi:FILE``; role-played demonstrations of motivational interviewing, not real sessions).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from therapy_audit.jsonl import read_objects

ROLE_NAMES = {
    "client": "client", "user": "client", "patient": "client",
    "clinician": "clinician", "therapist": "clinician", "assistant": "clinician",
    "counsellor": "clinician", "counselor": "clinician",
}


class TranscriptError(ValueError):
    """A transcript file that cannot be read."""


@dataclass
class Transcript:
    """One session: alternating (role, text) messages starting with the client."""

    id: str
    messages: list[tuple[str, str]]
    conditions: set[str] = field(default_factory=set)
    source: str = ""


def normalise_messages(raw: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge consecutive messages of one speaker and drop a leading clinician message."""
    merged: list[tuple[str, str]] = []
    for role, text in raw:
        text = text.strip()
        if not text:
            continue
        if merged and merged[-1][0] == role:
            merged[-1] = (role, merged[-1][1] + "\n" + text)
        else:
            merged.append((role, text))
    while merged and merged[0][0] != "client":
        merged.pop(0)
    return merged


def _conditions(value: object, where: str) -> set[str]:
    """Conditions from ``"a; b"`` (or a JSON list), each one a stimulus condition."""
    from therapy_audit.appropriateness.stimuli import CONDITIONS, canonical_condition

    if not value:
        return set()
    names = value if isinstance(value, list) else str(value).split(";")
    found = {canonical_condition(str(c).strip()) for c in names if str(c).strip()}
    unknown = sorted(found - set(CONDITIONS))
    if unknown:
        raise TranscriptError(f"{where}: unknown condition(s) {', '.join(unknown)} "
                              f"(known: {'; '.join(CONDITIONS)})")
    return found


def _rows_from_file(path: Path) -> list[dict]:
    if path.suffix.lower() == ".jsonl":
        return [{**row, "_line": n} for n, row in read_objects(path, TranscriptError)]
    if path.suffix.lower() == ".csv":
        try:
            with path.open(newline="", encoding="utf-8") as f:
                return [{**row, "_line": n} for n, row in enumerate(csv.DictReader(f), start=2)]
        except (OSError, UnicodeDecodeError) as err:
            raise TranscriptError(f"cannot read {path}: {err}") from err
    raise TranscriptError(f"{path}: transcripts must be .jsonl or .csv")


def read_generic(path: Path) -> list[Transcript]:
    """Transcripts from rows with ``transcript_id, turn, role, text[, conditions]``."""
    rows = _rows_from_file(path)
    grouped: dict[str, list[tuple[int, str, str]]] = {}
    conditions: dict[str, set[str]] = {}
    seen: set[tuple[str, int]] = set()
    for row in rows:
        where = f"{path}:{row['_line']}"
        missing = [k for k in ("transcript_id", "turn", "role", "text") if row.get(k) in (None, "")]
        if missing:
            raise TranscriptError(f"{where}: missing {', '.join(missing)}")
        role = ROLE_NAMES.get(str(row["role"]).strip().lower())
        if role is None:
            raise TranscriptError(f"{where}: unknown role {row['role']!r} (client or clinician)")
        try:
            turn = int(row["turn"])
        except (TypeError, ValueError) as err:
            raise TranscriptError(f"{where}: turn {row['turn']!r} is not a number") from err
        tid = str(row["transcript_id"])
        if (tid, turn) in seen:
            raise TranscriptError(f"{where}: turn {turn} of transcript {tid} appears twice")
        seen.add((tid, turn))
        grouped.setdefault(tid, []).append((turn, role, str(row["text"])))
        conditions.setdefault(tid, set()).update(_conditions(row.get("conditions"), where))
    transcripts = []
    for tid, turns in grouped.items():
        messages = normalise_messages([(r, t) for _, r, t in sorted(turns)])
        transcripts.append(Transcript(tid, messages, conditions[tid], str(path)))
    if not transcripts:
        raise TranscriptError(f"{path}: no transcripts")
    return transcripts


def read_annomi(path: Path) -> list[Transcript]:
    """The AnnoMI CSV (``transcript_id, utterance_id, interlocutor, utterance_text``)."""
    rows = _rows_from_file(path)
    need = ("transcript_id", "utterance_id", "interlocutor", "utterance_text")
    if rows and any(k not in rows[0] for k in need):
        raise TranscriptError(f"{path}: not an AnnoMI CSV (needs columns {', '.join(need)})")
    if not rows:
        raise TranscriptError(f"{path}: no transcripts")
    grouped: dict[str, list[tuple[int, str, str]]] = {}
    for row in rows:
        role = ROLE_NAMES.get(str(row["interlocutor"]).strip().lower())
        if role is None:
            raise TranscriptError(f"{path}:{row['_line']}: unknown interlocutor "
                                  f"{row['interlocutor']!r}")
        try:
            utterance = int(row["utterance_id"])
        except (TypeError, ValueError) as err:
            raise TranscriptError(f"{path}:{row['_line']}: utterance_id "
                                  f"{row['utterance_id']!r} is not a number") from err
        grouped.setdefault(str(row["transcript_id"]), []).append(
            (utterance, role, row["utterance_text"] or ""))
    return [
        Transcript(f"annomi-{tid}", normalise_messages([(r, t) for _, r, t in sorted(turns)]),
                   set(), f"AnnoMI (role-played demonstration): {path}")
        for tid, turns in grouped.items()
    ]


def builtin_transcripts() -> list[Transcript]:
    """The synthetic demonstration transcripts shipped with the package."""
    source = resources.files("therapy_audit") / "data" / "transcripts" / "synthetic.jsonl"
    with resources.as_file(source) as path:
        transcripts = read_generic(path)
    for t in transcripts:
        t.source = "synthetic demonstration transcript (therapy-audit, CC0)"
    return transcripts


def load_transcripts(spec: str | None) -> list[Transcript]:
    """``builtin`` | ``none`` | ``annomi:FILE`` | ``FILE``."""
    if spec in (None, "", "none"):
        return []
    if spec == "builtin":
        return builtin_transcripts()
    if spec.startswith("annomi:"):
        path = Path(spec.removeprefix("annomi:"))
        reader = read_annomi
    else:
        path = Path(spec)
        reader = read_generic
    if not path.is_file():
        raise TranscriptError(f"transcripts file {path} does not exist")
    return reader(path)
