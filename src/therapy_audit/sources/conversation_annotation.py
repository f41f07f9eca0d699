"""Human annotation of conversations at turn level: blinded sheets out, labels back in.

:func:`export_turn_annotation_sheets` writes the same blinded, shuffled sheets and separate key
as ``annotate export`` (:mod:`.annotation`), with one item per judged turn of every logged
conversation in a run: the conversation up to that turn's client message (what the judge saw,
nothing later), the reply, and the card's question (the stimulus's verification question, or
the over-reaction question on a control twin); see
:func:`therapy_audit.conversation.annotation.turn_items`. The key records
``"experiment": "conversation"`` and, per item, the log, sample and turn.

:func:`import_turn_annotations` reads the filled sheets and re-runs each labelled conversation
(its recorded client lines and replies) with the annotator's labels as the judge
``human:<annotator>``, so human verdicts are ordinary turn rows next to the automatic judges'.
A blank or unrecognised label leaves the turn unjudged (counted, never guessed); a turn whose
reply changed since the export is listed as stale and left unjudged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import read_eval_log_samples

from therapy_audit.conversation.annotation import annotation_task, turn_items
from therapy_audit.conversation.recorded import replay_logged
from therapy_audit.engine import run_replay
from therapy_audit.logfile import read_samples
from therapy_audit.models.replay import messages_key
from therapy_audit.rundir import slug
from therapy_audit.sources.annotation import (
    AnnotationError,
    AnnotationImport,
    LabelSheet,
    SheetItem,
    annotation_root,
    annotation_targets,
    is_annotation_log,
    key_run_dir,
    normalise_label,
    read_key,
    read_sheets,
    relative_path,
    replay_sheets,
    write_annotation_files,
)
from therapy_audit.table import load_samples
from therapy_audit.vocab import CONVERSATION


def _turn_rows(run_dir: Path) -> list[SheetItem]:
    """One sheet item per judged turn with a reply, of every conversation log in the run."""
    frame = load_samples([run_dir])
    frame = frame[frame["experiment"] == CONVERSATION]
    frame = frame[[not is_annotation_log(Path(p), run_dir) for p in frame["log_file"]]]
    rows = []
    for log_file, grp in frame.groupby("log_file", sort=True):
        model, prompt = str(grp["model"].iloc[0]), str(grp["system_prompt"].iloc[0])
        for sample in read_samples(Path(log_file)):
            for item in turn_items(sample):
                rows.append(SheetItem(item.conversation, item.response, item.question, {
                    "log_file": relative_path(Path(log_file), run_dir),
                    "sample_id": item.sample_id, "turn": item.turn, "model": model,
                    "system_prompt": prompt, "card_id": item.card_id,
                    "card_kind": item.card_kind, "question": item.question,
                    "appropriate_answer": item.appropriate_answer,
                    "response_sha256": item.response_sha256}))
    return rows


@dataclass
class TurnAnnotationExport:
    """What :func:`export_turn_annotation_sheets` wrote."""

    sheets: list[Path]
    key: Path
    items: int

    def text(self) -> str:
        return "\n".join([f"Wrote {len(self.sheets)} annotation sheet(s) of {self.items} "
                          "conversation turn(s):", *(f"  {p}" for p in self.sheets),
                          f"Key (do NOT give it to annotators): {self.key}"])


def export_turn_annotation_sheets(run_dir: Path, out_dir: Path, annotators: int = 2,
                                  seed: int = 0) -> TurnAnnotationExport:
    """Blinded sheets of every judged conversation turn in ``run_dir``, and the key."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise AnnotationError(f"run directory {run_dir} does not exist")
    sheets, key_path = annotation_targets(Path(out_dir), annotators)
    rows = _turn_rows(run_dir)
    if not rows:
        raise AnnotationError(f"no conversation turns with a reply to annotate in {run_dir}")
    write_annotation_files(run_dir, sheets, key_path, seed, rows, CONVERSATION)
    return TurnAnnotationExport(sheets, key_path, len(rows))


def _labelled_samples(sheet: LabelSheet, key: dict, source: Path, log_file: str,
                      wanted: dict[str, dict[int, str]], stale: list[tuple[str, str]]):
    """The logged conversations of ``source`` with this annotator's labels per turn."""
    samples, records = [], {}
    for original in read_eval_log_samples(str(source), all_samples_required=False):
        turns = wanted.pop(str(original.id), None)
        if turns is None:
            continue
        replies = {int(t["turn"]): str(t.get("reply") or "")
                   for t in (original.store or {}).get("conversation_turns") or []}
        labels = {}
        for turn, item_id in turns.items():
            entry = key["items"][item_id]
            if hashlib.sha256(replies.get(turn, "").encode()).hexdigest() != \
                    entry["response_sha256"]:
                stale.append((item_id, f"turn {turn} of {original.id} in {log_file} changed"))
                continue
            raw = sheet.raw.get(item_id, "")
            labels[turn] = normalise_label(raw) or raw
        sample, inputs = replay_logged(original, labels, {"annotator": sheet.annotator})
        samples.append(sample)
        records.update({messages_key(m): r for m, r in inputs})
    return samples, records


def _replay_turn_labels(sheet: LabelSheet, key: dict, run_dir: Path,
                        stale: list[tuple[str, str]]) -> list[Path]:
    """Log one annotator's turn labels as ``human:<annotator>`` (one task per source log)."""
    by_log: dict[str, dict[str, dict[int, str]]] = {}
    for item_id, entry in key["items"].items():
        by_log.setdefault(entry["log_file"], {}).setdefault(
            str(entry["sample_id"]), {})[int(entry["turn"])] = item_id
    log_dirs = []
    for log_file, wanted in sorted(by_log.items()):
        source = Path(log_file) if Path(log_file).is_absolute() else run_dir / log_file
        if not source.is_file():
            stale += [(i, f"log {log_file} no longer exists")
                      for turns in wanted.values() for i in turns.values()]
            continue
        entry = next(iter(key["items"][i] for t in wanted.values() for i in t.values()))
        samples, records = _labelled_samples(sheet, key, source, log_file, wanted, stale)
        stale += [(i, f"conversation not found in {log_file}")
                  for turns in wanted.values() for i in turns.values()]
        if not samples:
            continue
        tag = hashlib.sha256(log_file.encode()).hexdigest()[:8]
        log_dir = (annotation_root(run_dir) / slug(sheet.annotator)
                   / f"{slug(entry['model'])}-{tag}" / slug(entry["system_prompt"]))
        recording = run_dir / "recordings" / f"annotation-{slug(sheet.annotator)}-{tag}.jsonl"
        task = annotation_task(samples, entry["system_prompt"], sheet.judge,
                               {"model_display": entry["model"], "annotator": sheet.annotator,
                                "annotated_log": log_file})
        run_replay(task, "replay/annotation", records, recording, log_dir)
        log_dirs.append(log_dir)
    return log_dirs


def import_turn_annotations(files: Sequence[Path], key_path: Path, run_dir: Path | None = None,
                            annotator: str | None = None) -> AnnotationImport:
    """Store filled turn-level sheets' labels as ``human:<annotator>`` judges in the run."""
    key = read_key(key_path)
    if key.get("experiment") != CONVERSATION:
        raise AnnotationError(f"{key_path} is not a key of conversation turns")
    run_dir = key_run_dir(key, run_dir)
    return replay_sheets(read_sheets(files, key, annotator), key, run_dir, _replay_turn_labels)
