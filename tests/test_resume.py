"""An interrupted run, run again, completes with every sample exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from interrupt import start_interruptible

from therapy_audit.table import load_samples

pytestmark = pytest.mark.slow

LIMIT = 42  # three vignettes


def _cached_generations(run_dir: Path) -> int:
    cache = run_dir / ".cache"
    return sum(1 for p in cache.rglob("*") if p.is_file()) if cache.is_dir() else 0


def _command(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "therapy_audit.cli", "run", "--experiment", "stigma",
            "--limit", str(LIMIT), "--run-dir", str(run_dir), "--no-report"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_interrupted_run_resumes_without_loss_or_duplicates(tmp_path, sig):
    run_dir = tmp_path / "run"
    proc = start_interruptible(_command(run_dir))
    # On a loaded 2-core machine the first cached generations can take minutes.
    deadline = time.monotonic() + 600
    while _cached_generations(run_dir) < 8:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no progress within 600 s"
        time.sleep(0.2)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    if sig == signal.SIGINT:
        assert code == 130  # reported as an interrupt ("run the same command again"), not success
    interrupted = load_samples([run_dir]) if list(run_dir.rglob("*.eval")) else None
    assert interrupted is None or len(interrupted) < LIMIT

    done = subprocess.run(_command(run_dir), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = load_samples([run_dir])
    assert len(rows) == LIMIT
    assert rows["sample_id"].is_unique
    assert (rows["error"] == "").all()
    # Running once more does no new work and changes nothing.
    again = subprocess.run(_command(run_dir), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    assert len(load_samples([run_dir])) == LIMIT
