"""The tidy sample table: every log of a run read back as one row per sample (and judge).

``load_samples(run_dirs)`` returns a ``pandas.DataFrame`` with one row per stigma sample and
one row per (appropriateness sample, judge). ``export`` writes exactly these columns; the
analysis computes every figure from them. The common columns are defined here; each experiment
defines its own columns and turns its scored samples into rows (``<experiment>/rows.py``).
Logs are read by ``logfile`` (directly from the ``.eval`` zip, without importing Inspect).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from therapy_audit.appropriateness import rows as appropriateness_rows
from therapy_audit.appropriateness.judges.completion import complete_with_humans
from therapy_audit.logfile import LogHeader, LogReadError, read_header, read_samples
from therapy_audit.rundir import RunDirError
from therapy_audit.stigma import rows as stigma_rows
from therapy_audit.vocab import APPROPRIATENESS, STIGMA, is_human

# Columns common to every experiment.
COMMON_COLUMNS = [
    "run_dir",  # the run directory the log was read from
    "log_file",  # the Inspect .eval log
    "model",  # display name of the audited model (e.g. "local/smollm2", "replay/llama3.1-8b")
    "experiment",  # "stigma" | "appropriateness"
    "system_prompt",  # "none" | "steel-man" | "file:<name>"
    "sample_id",
    "error",  # "" when the model answered; else the recorded error message
]

# What each experiment contributes: its columns and how a scored sample becomes rows.
EXPERIMENT_ROWS = {
    STIGMA: stigma_rows,
    APPROPRIATENESS: appropriateness_rows,
}

COLUMNS = list(dict.fromkeys(
    COMMON_COLUMNS[:5] + ["condition"] + COMMON_COLUMNS[5:]
    + [c for module in EXPERIMENT_ROWS.values() for c in module.COLUMNS]
))


def find_logs(run_dir: Path) -> list[Path]:
    if not run_dir.is_dir():
        raise RunDirError(f"run directory {run_dir} does not exist")
    try:
        return sorted(run_dir.rglob("*.eval"))
    except OSError as err:
        raise RunDirError(f"cannot read run directory {run_dir}: {err.strerror}") from err


def latest_logs(paths: list[Path]) -> list[tuple[Path, LogHeader]]:
    """One log per (task, model, task args): the newest complete one, else the fullest."""
    chosen: dict[tuple, tuple[Path, LogHeader, tuple]] = {}
    for path in paths:
        try:
            header = read_header(path)
        except LogReadError as err:  # a truncated or foreign file
            raise RunDirError(str(err)) from err
        key = (header.task, header.model, repr(sorted(header.task_args.items())),
               str(path.parent))
        rank = (header.status == "success", header.completed_samples, header.created)
        if key not in chosen or rank > chosen[key][2]:
            chosen[key] = (path, header, rank)
    return [(p, h) for p, h, _ in chosen.values()]


def load_samples(run_dirs: Iterable[Path]) -> pd.DataFrame:
    """The tidy sample table of every log in ``run_dirs`` (the newest log per task)."""
    rows: list[dict] = []
    for run_dir in run_dirs:
        for path, header in latest_logs(find_logs(Path(run_dir))):
            meta = header.metadata
            experiment = meta.get("experiment", header.task.split("/")[-1])
            base = {
                "run_dir": str(run_dir),
                "log_file": str(path),
                "model": meta.get("model_display", header.model),
                "experiment": experiment,
                "system_prompt": meta.get("system_prompt", "none"),
            }
            sample_rows = EXPERIMENT_ROWS.get(experiment, appropriateness_rows).sample_rows
            try:
                samples = read_samples(path)
            except LogReadError as err:
                raise RunDirError(str(err)) from err
            for sample in samples:
                rows.extend(sample_rows(sample, {**base, "sample_id": str(sample.id)}))
    frame = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return with_human_completions(frame[COLUMNS])


def with_human_completions(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus, for every judge that left verdicts ``unsure`` on samples people have
    labelled, the rows of that judge completed by the people (``<judge>>human``)."""
    if frame.empty or not frame["judge"].map(is_human).any():
        return frame
    unsure = frame.loc[frame["verdict"] == "unsure", "judge"]
    judges = [j for j in dict.fromkeys(unsure) if not is_human(j)]
    completed = [complete_with_humans(frame, judge) for judge in judges]
    return pd.concat([frame, *completed], ignore_index=True)[COLUMNS] if completed else frame
