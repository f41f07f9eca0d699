"""One row of the paper's appropriate-responses results, from whichever file it came, with the
labels recorded in it.

The paper's model runs are JSON Lines (one object per prompt, its gpt-4o judge's answer in
``gpt-4o-2024-08-06_classification``); the bots' and human therapists' responses are CSV files
whose ``human_classification`` holds the authors' label. Either kind of file may carry the
gpt-4o field, the human field, both or neither. Each recorded label becomes a judge of its own
(:data:`RECORDED_LABELS`): ``paper:gpt-4o-2024-08-06`` and ``human:paper``. A label is read
case- and space-insensitively; an empty or any other label leaves that row unjudged by that
judge, and is counted (:class:`LabelCounts`), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID, Stimulus
from therapy_audit.jsonl import read_objects
from therapy_audit.vocab import PAPER_JUDGE, PAPER_JUDGE_MODEL, human_judge

PAPER_JUDGE_FIELD = f"{PAPER_JUDGE_MODEL}_classification"
HUMAN_FIELD = "human_classification"
HUMAN_PAPER_JUDGE = human_judge("paper")


@dataclass(frozen=True)
class RecordedLabel:
    """A label column of the paper's files, the judge it becomes and its sample-metadata key."""

    column: str
    judge: str
    metadata_key: str


RECORDED_LABELS = (
    RecordedLabel(PAPER_JUDGE_FIELD, PAPER_JUDGE, "recorded_verdict"),
    RecordedLabel(HUMAN_FIELD, HUMAN_PAPER_JUDGE, "human_verdict"),
)
JSONL_REQUIRED = ("key", "condition", "interjection", "verification_prompt",
                  "verification_correct", "message_number", "model_response")


class PaperFileError(ValueError):
    """A file that is not (or not entirely) one of the paper's appropriate-responses files."""


def verdict_label(value: object) -> str | None:
    """``"yes"``/``"no"`` from a recorded label (any case, surrounding spaces); else ``None``."""
    text = str(value).strip().lower() if value is not None else ""
    return text if text in ("yes", "no") else None


@dataclass
class LabelCounts:
    """How one recorded judge's labels of a file read: usable, empty, or something else."""

    judge: str
    usable: int = 0
    empty: list[int] = field(default_factory=list)  # line numbers
    unrecognised: list[tuple[int, str]] = field(default_factory=list)  # (line, label)

    def add(self, line: int, value: object) -> None:
        if verdict_label(value) is not None:
            self.usable += 1
        elif value is None or not str(value).strip():
            self.empty.append(line)
        else:
            self.unrecognised.append((line, str(value)))

    def describe(self) -> str:
        """E.g. ``human:paper 9 labels, 1 empty (line 7)``."""
        text = f"{self.judge} {self.usable} labels"
        if self.empty:
            text += f", {len(self.empty)} empty ({_lines(self.empty)})"
        if self.unrecognised:
            shown = ", ".join(f"{line}: {label[:20]!r}" for line, label in self.unrecognised[:3])
            more = f" and {len(self.unrecognised) - 3} more" if len(self.unrecognised) > 3 else ""
            lines = "line" if len(self.unrecognised) == 1 else "lines"
            text += f", {len(self.unrecognised)} unrecognised ({lines} {shown}{more})"
        return text


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


@dataclass
class ResponseRow:
    """One response of a results file, mapped to its stimulus."""

    line: int
    sample_id: str
    stimulus: Stimulus
    turns: tuple[str, ...]  # what the client said (the recorded wording)
    question: str  # the verification question the row was judged with
    appropriate: str  # "yes" | "no": the answer that makes the response appropriate
    paper_condition: str
    response: str | None  # None: never produced (e.g. the context window overflowed)
    transcript: str = ""
    message_number: int = 0
    options: list[str] | None = None  # the option order the paper's judge saw
    context: str | None = None  # a recorded bridging message before the stimulus, if any
    labels: dict[str, object] = field(default_factory=dict)  # label column -> raw value
    extra: dict[str, str] = field(default_factory=dict)  # participant_id, the paper's id, ...


def labels_present(rows: list[ResponseRow]) -> list[RecordedLabel]:
    """The recorded label columns a file has (none, either or both)."""
    return [label for label in RECORDED_LABELS if any(label.column in row.labels for row in rows)]


def count_labels(rows: list[ResponseRow]) -> list[LabelCounts]:
    """Per recorded label column present in ``rows``: how its labels read."""
    counts = []
    for label in labels_present(rows):
        c = LabelCounts(label.judge)
        for row in rows:
            if row.response is not None:  # a never-produced response has nothing to label
                c.add(row.line, row.labels.get(label.column))
        counts.append(c)
    return counts


def read_jsonl_rows(path: Path) -> list[ResponseRow]:
    """The rows of a JSON Lines file in the paper's field format (see the reference README)."""
    rows = []
    for number, row in read_objects(path, PaperFileError):
        missing = [f for f in JSONL_REQUIRED if f not in row]
        if missing:
            raise PaperFileError(f"{path}:{number}: missing field(s) {', '.join(missing)}")
        key = str(row["key"])
        stimulus_id = key.split("_")[-2] if "_" in key else ""
        if stimulus_id not in STIMULI_BY_ID:
            raise PaperFileError(f"{path}:{number}: unknown stimulus in key {key!r}")
        correct = verdict_label(row["verification_correct"])
        if correct is None:
            raise PaperFileError(f"{path}:{number}: verification_correct "
                                 f"{row['verification_correct']!r} is not yes or no")
        interjection = row["interjection"]
        turns = tuple(interjection) if isinstance(interjection, list) else (str(interjection),)
        response = row["model_response"]
        try:
            message_number = int(row["message_number"])
        except (TypeError, ValueError):
            raise PaperFileError(f"{path}:{number}: message_number {row['message_number']!r} "
                                 "is not a whole number") from None
        rows.append(ResponseRow(
            line=number, sample_id=key, stimulus=STIMULI_BY_ID[stimulus_id], turns=turns,
            question=str(row["verification_prompt"]), appropriate=correct,
            paper_condition=str(row["condition"]),
            response=str(response) if response not in (None, "") else None,
            transcript=str(row.get("transcript_index", "") or ""),
            message_number=message_number,
            options=list(row.get("verification_options") or []) or None,
            context=row["context"] if isinstance(row.get("context"), str) else None,
            labels={label.column: row[label.column] for label in RECORDED_LABELS
                    if label.column in row},
        ))
    if not rows:
        raise PaperFileError(f"{path}: no rows")
    keys = [r.sample_id for r in rows]
    if len(set(keys)) != len(keys):
        raise PaperFileError(f"{path}: duplicate keys")
    return rows
