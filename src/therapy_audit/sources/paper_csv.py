"""The bots' and human therapists' responses as the paper's repository keeps them: CSV files
with columns id, interjection, verification_prompt, verification_options ("yes, no"),
verification_correct, verification_in_context, model_response, human_classification,
condition (and participant_id for the therapists).

Strict where a row must be understood, tolerant where that is safe. A row is mapped to its
stimulus by its verification question (:meth:`Stimulus.question_for`: case, spacing and quotes
ignored), and its interjection must then be that stimulus's (contain the client's last message,
or be a passage of the stimulus; a multi-turn stimulus may be written as a list); its
``verification_correct`` must be yes or no and agree with the instrument. A row that fails any
of these, or that has more or fewer cells than the header, fails the file with its line
number: it is never guessed.
Labels are read case- and space-insensitively, and an empty or unknown label is counted
(:mod:`~therapy_audit.sources.paper_rows`). An empty ``model_response`` is a response never
produced.
"""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

from therapy_audit.appropriateness.stimuli import STIMULI, Stimulus, normalise_question
from therapy_audit.sources.paper_rows import (
    RECORDED_LABELS,
    PaperFileError,
    ResponseRow,
    verdict_label,
)

CSV_REQUIRED = ("interjection", "verification_prompt", "verification_correct", "model_response")
_KEPT = ("id", "participant_id", "condition")


def _read_lines(path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of every record, the header first; multi-line cells allowed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise PaperFileError(f"{path}: not UTF-8 text (at byte {err.start})") from err
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as err:
        raise PaperFileError(f"{path}:{reader.line_num}: not valid CSV ({err})") from err
    if not records:
        raise PaperFileError(f"{path}: empty file (expected a header with "
                             f"{', '.join(CSV_REQUIRED)})")
    return records


def _header(path: Path, cells: list[str]) -> list[str]:
    header = [c.strip().lower() for c in cells]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise PaperFileError(f"{path}:1: no column(s) {', '.join(missing)} in the header "
                             f"(expected the paper's columns, at least {', '.join(CSV_REQUIRED)})")
    named = [h for h in header if h]
    doubled = sorted({h for h in named if named.count(h) > 1})
    if doubled:
        raise PaperFileError(f"{path}:1: column(s) {', '.join(doubled)} appear twice")
    return header


def interjection_text(cell: str) -> str:
    """The client's words in an ``interjection`` cell; a JSON or Python list is joined."""
    text = cell.strip()
    if text.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(text)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return " ".join(value)
    return text


def matches_stimulus(interjection: str, stimulus: Stimulus) -> bool:
    """Whether an interjection is this stimulus's: it contains the client's last message, or
    it is a passage (three words or more) of the stimulus's conversation."""
    said = normalise_question(interjection_text(interjection))
    if not said:
        return True  # nothing to check against: the verification question decided
    whole = normalise_question(" ".join(stimulus.messages))
    return normalise_question(stimulus.query) in said or (
        len(said.split()) >= 3 and f" {said} " in f" {whole} ")


def _stimulus(values: dict[str, str]) -> tuple[Stimulus, str] | str:
    """The row's stimulus and appropriate answer, or why the row cannot be mapped."""
    question = values["verification_prompt"]
    found = [(s, q) for s in STIMULI if (q := s.question_for(question)) is not None]
    if len(found) != 1:
        return (f"verification_prompt {question[:70]!r} is "
                f"{'no' if not found else 'more than one'} stimulus's question")
    stimulus, wording = found[0]
    if not matches_stimulus(values["interjection"], stimulus):
        return (f"interjection {values['interjection'][:50]!r} is not the {stimulus.id!r} "
                "stimulus its verification question belongs to")
    correct = verdict_label(values["verification_correct"])
    if correct is None:
        return f"verification_correct {values['verification_correct']!r} is not yes or no"
    if correct != wording.appropriate:
        return (f"verification_correct {correct!r} contradicts the instrument "
                f"({wording.appropriate!r} is appropriate for {stimulus.id!r})")
    return stimulus, correct


def _options(cell: str) -> list[str] | None:
    """``"yes, no"`` (or a list) as the option order; ``None`` if it is not yes and no."""
    options = [o.strip(" '\"").lower() for o in cell.strip().strip("[]").split(",")]
    return options if sorted(options) == ["no", "yes"] else None


def _row(line: int, values: dict[str, str], stimulus: Stimulus, correct: str) -> ResponseRow:
    response = values["model_response"]
    return ResponseRow(
        line=line, sample_id=f"line{line}-{stimulus.id}", stimulus=stimulus,
        turns=stimulus.messages, question=values["verification_prompt"].strip(),
        appropriate=correct, paper_condition=values.get("condition", ""),
        response=response if response.strip() else None,
        options=_options(values.get("verification_options", "")),
        labels={label.column: values[label.column] for label in RECORDED_LABELS
                if label.column in values},
        extra={f"paper_{k}" if k == "id" else k: values[k] for k in _KEPT if k in values},
    )


def read_csv_rows(path: Path) -> list[ResponseRow]:
    """Every row of a bots' or therapists' CSV, or :class:`PaperFileError` naming bad lines."""
    records = _read_lines(path)
    header = _header(path, records[0][1])
    rows: list[ResponseRow] = []
    bad: list[str] = []
    for line, cells in records[1:]:
        if len(cells) != len(header):
            bad.append(f"line {line}: {len(cells)} cells, the header has {len(header)}")
            continue
        values = {name: cell for name, cell in zip(header, cells, strict=True) if name}
        mapped = _stimulus(values)
        if isinstance(mapped, str):
            bad.append(f"line {line}: {mapped}")
            continue
        rows.append(_row(line, values, *mapped))
    if bad:
        more = f" (and {len(bad) - 1} more bad row(s))" if len(bad) > 1 else ""
        raise PaperFileError(f"{path}: {bad[0]}{more}; no row was imported")
    if not rows:
        raise PaperFileError(f"{path}: no data rows")
    return rows
