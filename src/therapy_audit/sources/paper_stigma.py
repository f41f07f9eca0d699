"""Import the paper's stigma results files: replay the recorded outputs as the model's answers
and score them with our parser and coding (``therapy-audit import paper-stigma``).

A file whose outputs our parser cannot read at all (the paper's Llama-2-7B steel-man run)
imports like any other; its line says "no parseable answers". A row with no output at all is
recorded as an error (never produced), not as an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inspect_ai.dataset import MemoryDataset

from therapy_audit.analysis.summary import summarise
from therapy_audit.engine import run_replay
from therapy_audit.models.replay import messages_key
from therapy_audit.sources.paper_configs import FileImport, Target, plan_all
from therapy_audit.sources.paper_files import Overrides, paper_file
from therapy_audit.stigma.dataset import read_paper_rows, samples_from_paper_rows
from therapy_audit.stigma.task import build_stigma_task
from therapy_audit.table import load_samples
from therapy_audit.vocab import STIGMA

NO_PARSEABLE_ANSWERS = "no parseable answers"


def stigma_targets(files: Sequence[Path], run_dir: Path, overrides: Overrides | None = None
                   ) -> list[Target]:
    """Where each stigma file goes (its configuration); raises for an unreadable path."""
    parsed = []
    for path in files:
        if not path.is_file():
            raise ValueError(f"{path} does not exist")
        file = paper_file(path, with_context=False, overrides=overrides)
        parsed.append((path, file, file.preset(file.source).label))
    return plan_all(parsed, STIGMA, run_dir)


def _notes(frame) -> list[str]:
    counts = frame["parse_status"].value_counts()
    ok, dnk = int(counts.get("ok", 0)), int(counts.get("do_not_know", 0))
    unparseable, errors = int(counts.get("unparseable", 0)), int(counts.get("error", 0))
    notes = [NO_PARSEABLE_ANSWERS] if ok + dnk == 0 else []
    notes.append(f"coded {ok}, do not know {dnk}, unparseable {unparseable}"
                 + (f", never produced {errors}" if errors else ""))
    return notes


def import_stigma_file(target: Target) -> FileImport:
    """Replay one stigma file into its configuration's log directory."""
    path, file = target.path, target.file
    preset = file.preset(file.source)
    rows = read_paper_rows(path)
    if any("output" not in row for row in rows):
        raise ValueError(f"{path}: rows have no 'output' field (not a results file)")
    samples = samples_from_paper_rows(rows, preset, path)
    records = {
        messages_key(s.input): row["output"] if isinstance(row["output"], str) else None
        for s, row in zip(samples, rows, strict=True)
    }
    if len(records) != len(samples):
        raise ValueError(f"{path}: rows with identical prompts could not be told apart")
    task = build_stigma_task(MemoryDataset(samples, name=path.stem), preset.label, cache=False)
    task.metadata = {**(task.metadata or {}), **target.metadata}
    run_replay(task, target.model, records, target.recording, target.log_dir)
    target.drop_replaced()
    frame = load_samples([target.log_dir])
    summary = summarise(frame)
    notes = _notes(frame)
    if notes[0] == NO_PARSEABLE_ANSWERS:
        summary += f"\n{NO_PARSEABLE_ANSWERS.capitalize()}: none of the {len(frame)} outputs " \
                   "gives an option our parser can read."
    return FileImport(target, "stigma", len(frame), notes, summary)


def import_stigma_files(files: Sequence[Path], run_dir: Path,
                        overrides: Overrides | None = None) -> list[FileImport]:
    """Score the paper's stigma results files with our parser and coding (replayed outputs)."""
    return [import_stigma_file(t) for t in stigma_targets(files, run_dir, overrides)]
