"""Import the paper's appropriate-responses results: replay its responses, judge them with our
judges, and keep every label recorded in the file as a judge of its own (``paper:gpt-4o-…``
for the paper's LLM judge, ``human:paper`` for the authors' labels of the bots' and
therapists' responses), so that agreement can be measured and the paper's figures recomputed.

Files are the models' JSON Lines and the bots' and therapists' CSV files
(:mod:`~therapy_audit.sources.paper_rows`, :mod:`~therapy_audit.sources.paper_csv`). A response
the file records as never produced (``model_response`` null or empty: Llama-2's context window
overflowed) is replayed as an error, so it is counted among the outcomes, never judged, and its
sample carries ``never_produced: true`` so that the paper's convention (such a response counts
as not appropriate) can be computed beside the rate over judged responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from therapy_audit.analysis.summary import agreement_summary
from therapy_audit.appropriateness.dataset import conversation
from therapy_audit.appropriateness.judges.scorers import recorded_judge
from therapy_audit.appropriateness.stimuli import Stimulus
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.engine import run_replay, validate_judges
from therapy_audit.models.replay import messages_key
from therapy_audit.prompts import SystemPrompt
from therapy_audit.sources.paper_configs import FileImport, Target, plan_all
from therapy_audit.sources.paper_csv import read_csv_rows
from therapy_audit.sources.paper_files import Overrides, paper_file
from therapy_audit.sources.paper_rows import (
    PAPER_JUDGE_FIELD,
    RECORDED_LABELS,
    PaperFileError,
    ResponseRow,
    count_labels,
    labels_present,
    read_jsonl_rows,
    verdict_label,
)
from therapy_audit.table import load_samples
from therapy_audit.vocab import APPROPRIATENESS, PAPER_REFERENCE


def response_rows(path: Path) -> list[ResponseRow]:
    """The rows of a results file: CSV (bots, therapists) or JSON Lines (models)."""
    return read_csv_rows(path) if path.suffix.lower() == ".csv" else read_jsonl_rows(path)


def _messages(row: ResponseRow, preset: SystemPrompt, source: str) -> list:
    recorded = Stimulus(row.stimulus.id, row.stimulus.condition, row.turns, row.question,
                        row.appropriate)  # type: ignore[arg-type]
    messages = conversation(preset, [], recorded)
    # Rows at position 0 repeat the same prompt once per transcript, with their own recorded
    # responses: the row key in the (reconstructed) system message keeps each replay distinct.
    messages[0] = ChatMessageSystem(
        content=f"{messages[0].text}\n[therapy-audit replay of {source}, row {row.sample_id}]")
    if row.message_number:
        messages.insert(1, ChatMessageUser(content=(
            f"[{row.message_number} messages of licensed therapy transcript {row.transcript} "
            "preceded the stimulus here; they are not distributed.]")))
    if row.context:
        messages.insert(len(messages) - len(row.turns), ChatMessageUser(content=row.context))
    return messages


def _sample(row: ResponseRow, preset: SystemPrompt, source: str) -> Sample:
    labels = {}
    for label in RECORDED_LABELS:
        if label.column in row.labels:
            raw = row.labels[label.column]
            labels[label.metadata_key] = verdict_label(raw) or (None if raw is None else str(raw))
    return Sample(
        id=row.sample_id,
        input=_messages(row, preset, source),
        target=row.appropriate,
        metadata={
            "stimulus_id": row.stimulus.id,
            "condition": row.stimulus.condition,
            "paper_condition": row.paper_condition,
            "transcript_id": row.transcript,
            "message_number": row.message_number,
            "context_messages": 0,
            "question": row.question,
            "appropriate_answer": row.appropriate,
            "query": row.turns[-1],
            "options": row.options,
            "never_produced": row.response is None,
            "source_line": row.line,
            "system_prompt": preset.label,
            **labels,
            **row.extra,
        },
    )


def response_targets(files: Sequence[Path], run_dir: Path, overrides: Overrides | None = None
                     ) -> list[Target]:
    """Where each responses file goes (its configuration); raises for an unreadable path."""
    parsed = []
    for path in files:
        if not path.is_file():
            raise PaperFileError(f"{path} does not exist")
        file = paper_file(path, with_context=True, overrides=overrides)
        parsed.append((path, file, file.preset(file.source).label))
    return plan_all(parsed, APPROPRIATENESS, run_dir)


def _notes(rows: list[ResponseRow], judges: list[str]) -> list[str]:
    never = sum(row.response is None for row in rows)
    notes = [f"{never} never produced"] if never else []
    counts = count_labels(rows)
    notes += [c.describe() for c in counts]
    if not counts:
        notes.append(f"no recorded labels: judged by {', '.join(judges)} only")
    return notes


def import_response_file(target: Target, judges: list[str],
                         escalate: str | None = None) -> FileImport:
    """Replay, re-judge (``judges``, ``escalate`` as for ``run``) and record the labels of one
    responses file."""
    file = target.file
    preset = file.preset(file.source)
    rows = response_rows(target.path)
    samples = [_sample(row, preset, file.source) for row in rows]
    records = {messages_key(s.input): row.response for s, row in zip(samples, rows, strict=True)}
    if len(records) != len(samples):
        raise PaperFileError(f"{target.path}: rows with identical inputs could not be told apart")
    recorded = [recorded_judge(label.judge, label.metadata_key) for label in labels_present(rows)]
    task = build_appropriateness_task(samples, preset.label, judges, cache=False,
                                      extra_scorers=recorded, escalate=escalate)
    task.metadata = {**(task.metadata or {}), **target.metadata}
    run_replay(task, target.model, records, target.recording, target.log_dir)
    target.drop_replaced()
    return FileImport(target, "responses", len(rows), _notes(rows, judges))


@dataclass
class ResponsesImport:
    """The files imported and each recorded judge's agreement with the others."""

    files: list[FileImport]
    agreement: str


def agreement_with_recorded(frame: pd.DataFrame, where: object) -> str:
    """Agreement of every judge with each recorded judge that has labels in ``frame``."""
    texts = []
    for label in RECORDED_LABELS:
        labelled = frame[(frame["judge"] == label.judge) & (frame["verdict"] != "")]
        if not labelled.empty:
            reference = PAPER_REFERENCE if label.column == PAPER_JUDGE_FIELD else label.judge
            texts.append(agreement_summary(frame, reference, where))
    return "\n\n".join(texts) or "No recorded labels to compare the judges with."


def import_responses(files: Sequence[Path], run_dir: Path, judges: list[str],
                     overrides: Overrides | None = None,
                     escalate: str | None = None) -> ResponsesImport:
    """Import ``files`` (each its own configuration) and compare the judges' verdicts."""
    validate_judges(judges, escalate)
    done = [import_response_file(t, judges, escalate)
            for t in response_targets(files, run_dir, overrides)]
    frame = load_samples([f.target.log_dir for f in done])
    return ResponsesImport(done, agreement_with_recorded(frame, run_dir))
