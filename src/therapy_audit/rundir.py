"""Run directories: where a run's logs and caches live, and which of its logs count.

A run directory (default ``./audit-runs``) holds everything a run writes:
``logs/<experiment>/<model>/<system prompt>/`` (Inspect ``.eval`` logs that ``inspect view``
browses), ``.cache/`` (Inspect's generation cache) and ``.inspect/`` (Inspect's own data).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

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
