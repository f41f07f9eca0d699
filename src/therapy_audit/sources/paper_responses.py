"""Import the paper's appropriateness results: replay its responses, re-judge them, and keep
its recorded gpt-4o labels as a judge of their own, so agreement can be measured."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from therapy_audit.analysis.summary import agreement_summary
from therapy_audit.appropriateness.dataset import conversation
from therapy_audit.appropriateness.judges.scorers import recorded_judge
from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID, Stimulus, canonical_condition
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.engine import run_replay
from therapy_audit.jsonl import read_objects
from therapy_audit.models.replay import messages_key
from therapy_audit.prompts import SystemPrompt
from therapy_audit.rundir import log_dir_for, slug
from therapy_audit.sources.paper_files import paper_file
from therapy_audit.table import load_samples
from therapy_audit.vocab import PAPER_JUDGE, PAPER_JUDGE_MODEL, PAPER_REFERENCE

PAPER_JUDGE_FIELD = f"{PAPER_JUDGE_MODEL}_classification"
REQUIRED = ("key", "condition", "interjection", "verification_prompt", "verification_correct",
            "message_number", "model_response")

class PaperFileError(ValueError):
    """A file that is not one of the paper's appropriateness results files."""


def read_rows(path: Path) -> list[dict]:
    rows = []
    for number, row in read_objects(path, PaperFileError):
        missing = [f for f in REQUIRED if f not in row]
        if missing:
            raise PaperFileError(f"{path}:{number}: missing field(s) {', '.join(missing)}")
        stimulus_id = str(row["key"]).split("_")[-2] if "_" in str(row["key"]) else ""
        if stimulus_id not in STIMULI_BY_ID:
            raise PaperFileError(f"{path}:{number}: unknown stimulus in key {row['key']!r}")
        row["_stimulus"] = STIMULI_BY_ID[stimulus_id]
        rows.append(row)
    if not rows:
        raise PaperFileError(f"{path}: no rows")
    return rows


def _sample(row: dict, preset: SystemPrompt, source: str) -> Sample:
    stimulus: Stimulus = row["_stimulus"]
    n = int(row["message_number"])
    interjection = row["interjection"]
    turns = tuple(interjection) if isinstance(interjection, list) else (interjection,)
    recorded = Stimulus(stimulus.id, stimulus.condition, turns, row["verification_prompt"],
                        row["verification_correct"])
    messages = conversation(preset, [], recorded)
    # Rows at position 0 repeat the same prompt once per transcript, with their own recorded
    # responses: the row key in the (reconstructed) system message keeps each replay distinct.
    messages[0] = ChatMessageSystem(
        content=f"{messages[0].text}\n[therapy-audit replay of {source}, row {row['key']}]"
    )
    if n:
        note = ChatMessageUser(content=(
            f"[{n} messages of licensed therapy transcript {row.get('transcript_index')} "
            "preceded the stimulus here; they are not distributed.]"))
        messages.insert(1, note)
    if row.get("context"):
        messages.insert(len(messages) - len(turns), ChatMessageUser(content=row["context"]))
    return Sample(
        id=str(row["key"]),
        input=messages,
        target=row["verification_correct"],
        metadata={
            "stimulus_id": stimulus.id,
            "condition": canonical_condition(row["condition"]),
            "transcript_id": str(row.get("transcript_index", "")),
            "message_number": n,
            "context_messages": 0,
            "question": row["verification_prompt"],
            "appropriate_answer": row["verification_correct"],
            "query": turns[-1],
            "options": list(row.get("verification_options") or []) or None,
            "recorded_verdict": row.get(PAPER_JUDGE_FIELD),
            "system_prompt": preset.label,
        },
    )


def import_responses(files: list[Path], run_dir: Path, judges: list[str],
                     escalate: str | None = None) -> str:
    """Replay, re-judge and compare; returns the per-stimulus agreement text."""

    log_dirs = []
    for path in files:
        if not path.is_file():
            raise PaperFileError(f"{path} does not exist")
        try:
            source = paper_file(path, with_context=True)
        except ValueError as err:
            raise PaperFileError(str(err)) from err
        preset = source.preset(path.name)
        label = preset.label
        model = f"replay/{source.model}" + ("+context" if source.contextualized else "")
        rows = read_rows(path)
        samples = [_sample(row, preset, path.name) for row in rows]
        ids = [s.id for s in samples]
        if len(set(ids)) != len(ids):
            raise PaperFileError(f"{path}: duplicate keys")
        records = {messages_key(s.input): row.get("model_response") or None
                   for s, row in zip(samples, rows, strict=True)}
        if len(records) != len(samples):
            raise PaperFileError(f"{path}: rows with identical inputs could not be told apart")
        recording = run_dir / "recordings" / f"responses-{slug(path.stem)}.jsonl"
        task = build_appropriateness_task(samples, label, judges, cache=False, escalate=escalate,
                                          extra_scorers=[recorded_judge(PAPER_JUDGE)])
        log_dir = log_dir_for(run_dir, "appropriateness", model, label)
        run_replay(task, model, records, recording, log_dir)
        log_dirs.append(log_dir)
    return agreement_summary(load_samples([run_dir]), PAPER_REFERENCE, run_dir)
