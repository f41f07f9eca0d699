"""A conversation run killed mid-conversation, run again, loses nothing and generates no
finished turn twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from interrupt import start_interruptible

from therapy_audit.conversation.cards import builtin_dir
from therapy_audit.table import load_samples

pytestmark = pytest.mark.slow

TURNS = 6  # four lead-in turns, the anchor, one pushback


def _cache_files(run_dir: Path) -> dict[Path, tuple[int, bytes]]:
    cache = run_dir / ".cache"
    return {p: (p.stat().st_mtime_ns, p.read_bytes())
            for p in cache.rglob("*") if p.is_file()} if cache.is_dir() else {}


def _command(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "therapy_audit.cli", "run", "--experiment", "conversation",
            "--personas", str(builtin_dir() / "soap-explicit-1.yaml"), "--limit", "1",
            "--pressure-turns", "1", "--reply-tokens", "24", "--run-dir", str(run_dir),
            "--no-report"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_a_conversation_interrupted_mid_way_resumes_without_regenerating_a_turn(tmp_path, sig):
    run_dir = tmp_path / "run"
    proc = start_interruptible(_command(run_dir))
    deadline = time.monotonic() + 600
    while len(_cache_files(run_dir)) < 2:  # two turns done: mid-conversation
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no progress within 600 s"
        time.sleep(0.2)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    if sig == signal.SIGINT:
        assert code == 130  # reported as an interrupt, with the resume hint
    before = _cache_files(run_dir)
    assert 2 <= len(before) < TURNS

    done = subprocess.run(_command(run_dir), capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = load_samples([run_dir])
    assert sorted(rows["turn"]) == [5, 6] and (rows["error"] == "").all()
    assert rows.groupby("turn").size().eq(1).all()  # each judged turn exactly once
    after = _cache_files(run_dir)
    # One cache entry per turn: the finished turns were read back, not generated again (a
    # regenerated turn would rewrite its entry or add one under a different key).
    assert len(after) == TURNS
    assert all(after[path] == entry for path, entry in before.items())
    # Running once more does no new work and changes nothing.
    again = subprocess.run(_command(run_dir), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    assert _cache_files(run_dir) == after and len(load_samples([run_dir])) == 2
