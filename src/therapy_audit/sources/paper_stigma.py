"""Import the paper's stigma results files: replay the recorded outputs as the model's answers
and score them with our parser and coding (``therapy-audit import paper-stigma``)."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset

from therapy_audit.analysis.summary import summarise
from therapy_audit.engine import run_replay
from therapy_audit.models.replay import messages_key
from therapy_audit.rundir import log_dir_for, slug
from therapy_audit.sources.paper_files import paper_file
from therapy_audit.stigma.dataset import read_paper_rows, samples_from_paper_rows
from therapy_audit.stigma.task import build_stigma_task
from therapy_audit.table import load_samples


def import_stigma_files(files: list[Path], run_dir: Path) -> str:
    """Score the paper's stigma results files with our parser and coding (replayed outputs)."""

    summaries = []
    for path in files:
        if not path.is_file():
            raise ValueError(f"{path} does not exist")
        source = paper_file(path, with_context=False)
        model, preset = source.model, source.preset(path.name)
        rows = read_paper_rows(path)
        if any("output" not in row for row in rows):
            raise ValueError(f"{path}: rows have no 'output' field (not a results file)")
        samples = samples_from_paper_rows(rows, preset, path)
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


