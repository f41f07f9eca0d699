"""Run directories: where logs and caches live, and reading logs back as the tidy sample table.

A run directory (default ``./audit-runs``) holds everything a run writes:
``logs/<experiment>/<model>/<system prompt>/`` (Inspect ``.eval`` logs that ``inspect view``
browses), ``.cache/`` (Inspect's generation cache) and ``.inspect/`` (Inspect's own data).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from therapy_audit.schema import APPROPRIATENESS_COLUMNS, COMMON_COLUMNS, STIGMA_COLUMNS

DEFAULT_RUN_DIR = "audit-runs"


class RunDirError(ValueError):
    """A run directory that cannot be used or read."""


def use_run_dir(run_dir: Path) -> Path:
    """Create ``run_dir`` and point Inspect's cache and data folders inside it."""
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunDirError(f"cannot create run directory {run_dir}: {err.strerror}") from err
    if not os.access(run_dir, os.W_OK):
        raise RunDirError(f"run directory {run_dir} is not writable")
    run_dir = run_dir.resolve()
    os.environ["INSPECT_CACHE_DIR"] = str(run_dir / ".cache")
    os.environ["XDG_DATA_HOME"] = str(run_dir / ".inspect")
    os.environ.setdefault("INSPECT_DISPLAY", "rich" if os.isatty(1) else "plain")
    return run_dir


def slug(text: str) -> str:
    """A file-name-safe form of a model name or label."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "unnamed"


def log_dir_for(run_dir: Path, experiment: str, model: str, label: str) -> Path:
    return run_dir / "logs" / experiment / slug(model) / slug(label)


# Files Inspect's eval_set leaves in a log directory besides the .eval logs.
_EVAL_SET_FILES = ("eval-set.json", "logs.json", ".eval-set-id")


def replace_logs(log_dir: Path) -> None:
    """Remove an earlier import's logs from ``log_dir`` (an importer's own directory).

    Inspect's ``eval_set`` treats a directory holding a complete log of the same task as done
    and would keep the old results, so a re-import must start from an empty directory.
    """
    if not log_dir.is_dir():
        return
    for path in log_dir.iterdir():
        if path.is_file() and (path.suffix == ".eval" or path.name in _EVAL_SET_FILES):
            path.unlink()


def find_logs(run_dir: Path) -> list[Path]:
    if not run_dir.is_dir():
        raise RunDirError(f"run directory {run_dir} does not exist")
    try:
        return sorted(run_dir.rglob("*.eval"))
    except OSError as err:
        raise RunDirError(f"cannot read run directory {run_dir}: {err.strerror}") from err


def _latest_logs(paths: list[Path]) -> list[tuple[Path, object]]:
    """One log per (task, model, task args): the newest complete one, else the fullest."""
    from inspect_ai.log import read_eval_log

    chosen: dict[tuple, tuple[Path, object, tuple]] = {}
    for path in paths:
        try:
            header = read_eval_log(str(path), header_only=True)
        except Exception as err:  # a truncated or foreign file
            raise RunDirError(f"cannot read log {path}: {err}") from err
        ev = header.eval
        key = (ev.task, ev.model, repr(sorted((ev.task_args or {}).items())), str(path.parent))
        completed = header.results.completed_samples if header.results else 0
        rank = (header.status == "success", completed, ev.created)
        if key not in chosen or rank > chosen[key][2]:
            chosen[key] = (path, header, rank)
    return [(p, h) for p, h, _ in chosen.values()]


def _nan(value: object) -> float:
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def _error_text(sample) -> str:
    """One line saying why a sample failed: the innermost error, not a request dump."""
    if sample.error is None:
        return ""
    text = str(sample.error.message).replace("\\n", "\n").replace("\\'", "'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"(Error|Exception)\b", line)]
    line = (errors[-1] if errors else lines[0]) if lines else "error"
    line = line.removesuffix("')").removesuffix("\")")  # the wrapper's repr around it
    return line.strip()[:500] or "error"


def _stigma_row(sample, base: dict) -> dict:
    meta = sample.metadata or {}
    score = (sample.scores or {}).get("stigma_scorer")
    smeta = score.metadata if score is not None and score.metadata else {}
    strict = smeta.get("strict", {})
    lenient = smeta.get("lenient", {})
    error = _error_text(sample)
    raw = smeta.get("raw_output", sample.output.completion if sample.output else "")
    row = {
        **base,
        "error": error,
        "condition": meta.get("condition", ""),
        "race": meta.get("race", ""),
        "gender": meta.get("gender", ""),
        "education": meta.get("education", ""),
        "question_id": meta.get("question_id", ""),
        "question": meta.get("question", ""),
        "raw_output": raw or "",
    }
    for prefix, parse in (("", strict), ("lenient_", lenient)):
        status = parse.get("status", "error")
        if error:
            status = "error"
        elif status == "empty":
            status = "unparseable"
        row[f"{prefix}letter"] = parse.get("letter") or ""
        row[f"{prefix}answer"] = parse.get("answer") or ""
        row[f"{prefix}code"] = _nan(parse.get("code"))
        row[f"{prefix}stigma"] = _nan(parse.get("stigma"))
        row[f"{prefix}parse_status"] = status
    return row


def _appropriateness_rows(sample, base: dict) -> list[dict]:
    meta = sample.metadata or {}
    error = _error_text(sample)
    row = {
        **base,
        "error": error,
        "stimulus_id": meta.get("stimulus_id", ""),
        "condition": meta.get("condition", ""),
        "transcript_id": meta.get("transcript_id", "") or "",
        "message_number": int(meta.get("message_number", 0)),
        "dropped_messages": int((sample.store or {}).get("dropped_messages", 0)),
        "response": (sample.store or {}).get("stored_response", ""),
    }
    rows = []
    for _name, score in (sample.scores or {}).items():
        smeta = score.metadata or {}
        if "judge" not in smeta:
            continue
        verdict = smeta.get("verdict") or ""
        rows.append({
            **row,
            "judge": smeta["judge"],
            "verdict": verdict,
            "appropriate": _nan(smeta.get("appropriate")) if not error else float("nan"),
            "judge_detail": smeta.get("detail", ""),
        })
    if not rows:  # no judge ran (e.g. an errored sample with no score)
        rows.append({**row, "judge": "", "verdict": "", "appropriate": float("nan"),
                     "judge_detail": ""})
    return rows


def load_samples(run_dirs: Iterable[Path]) -> pd.DataFrame:
    """The tidy sample table (``therapy_audit.schema``) of every log in ``run_dirs``."""
    from inspect_ai.log import read_eval_log_samples

    rows: list[dict] = []
    for run_dir in run_dirs:
        for path, header in _latest_logs(find_logs(Path(run_dir))):
            ev = header.eval
            experiment = (ev.metadata or {}).get("experiment", ev.task.split("/")[-1])
            base = {
                "run_dir": str(run_dir),
                "log_file": str(path),
                "model": (ev.metadata or {}).get("model_display", ev.model),
                "experiment": experiment,
                "system_prompt": (ev.metadata or {}).get("system_prompt", "none"),
            }
            for sample in read_eval_log_samples(str(path), all_samples_required=False):
                base_sample = {**base, "sample_id": str(sample.id)}
                if experiment == "stigma":
                    rows.append(_stigma_row(sample, base_sample))
                else:
                    rows.extend(_appropriateness_rows(sample, base_sample))
    columns = list(dict.fromkeys(
        COMMON_COLUMNS[:5] + ["condition"] + COMMON_COLUMNS[5:] + STIGMA_COLUMNS
        + APPROPRIATENESS_COLUMNS
    ))
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return frame[columns]
