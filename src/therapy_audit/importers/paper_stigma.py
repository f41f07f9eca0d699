"""Import the paper's stigma results files: replay the recorded outputs as the model's answers
and score them with our parser and coding (``therapy-audit import paper-stigma``)."""

from __future__ import annotations

import re
from pathlib import Path

from therapy_audit.prompts import SystemPrompt
from therapy_audit.runs import load_samples, log_dir_for, slug

_STEELMAN = re.compile(r"^(?P<model>.+?)_(?:context-(?P<context>true|false)_)?"
                       r"steelman-(?P<steelman>true|false)$")


def _paper_file_config(path: Path) -> tuple[str, bool, bool | None]:
    """(model, steel-man?, contextualised?) from ``<model>[_context-X]_steelman-Y.jsonl``."""
    match = _STEELMAN.match(path.stem)
    if not match:
        raise ValueError(
            f"{path.name}: expected a name like <model>_steelman-<true|false>.jsonl "
            "(as the paper's results files are named)"
        )
    context = match["context"]
    return match["model"], match["steelman"] == "true", (None if context is None
                                                         else context == "true")


def _paper_preset(steel_man: bool, source: str) -> SystemPrompt:
    if not steel_man:
        return SystemPrompt("none", "")
    note = (f"[Replayed from {source}: the model saw the paper's own steel-man therapist "
            "system prompt here.]")
    return SystemPrompt("steel-man", note)


def import_stigma_files(files: list[Path], run_dir: Path) -> str:
    """Score the paper's stigma results files with our parser and coding (replayed outputs)."""
    from inspect_ai.dataset import MemoryDataset

    from therapy_audit.models.replay import messages_key
    from therapy_audit.stigma.dataset import paper_samples, read_paper_rows
    from therapy_audit.stigma.task import build_stigma_task
    from therapy_audit.workflow import run_replay, summarise

    summaries = []
    for path in files:
        if not path.is_file():
            raise ValueError(f"{path} does not exist")
        model, steel_man, _ = _paper_file_config(path)
        preset = _paper_preset(steel_man, path.name)
        rows = read_paper_rows(path)
        if any("output" not in row for row in rows):
            raise ValueError(f"{path}: rows have no 'output' field (not a results file)")
        samples = paper_samples(path, preset)
        records = {
            messages_key(s.input): row.get("output") for s, row in zip(samples, rows, strict=True)
        }
        if len(records) != len(samples):
            raise ValueError(f"{path}: rows with identical prompts could not be told apart")
        recording = run_dir / "recordings" / f"stigma-{slug(path.stem)}.jsonl"
        task = build_stigma_task(MemoryDataset(samples, name=path.stem), preset.label,
                                 cache=False)
        name = f"replay/{model}"
        log_dir = log_dir_for(run_dir, "stigma", name, preset.label)
        run_replay(task, name, records, recording, log_dir)
        frame = load_samples([log_dir])
        summaries.append(summarise(frame))
    return "\n\n".join(summaries)


