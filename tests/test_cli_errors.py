"""User errors on the command line: exit code 2 and one clear line on stderr, no traceback.

None of these runs a model: each fails while the run is being set up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from therapy_audit.cli import main

PREFIX = "therapy-audit: error: "


@pytest.fixture(autouse=True)
def _restore_inspect_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``main`` points Inspect's folders into the run directory; undo that after each test."""
    for name in ("INSPECT_CACHE_DIR", "XDG_DATA_HOME", "INSPECT_DISPLAY"):
        monkeypatch.setenv(name, os.environ.get(name, str(tmp_path / "unused")))
    monkeypatch.setenv("INSPECT_DISPLAY", "none")
    monkeypatch.chdir(tmp_path)


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the CLI, check it failed cleanly with exit code 2, and return the error line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(PREFIX), err
    assert "Running " not in out  # no experiment started
    return lines[0]


def _run(run_dir: Path, *extra: str) -> list[str]:
    return ["run", "--limit", "1", "--no-report", "--run-dir", str(run_dir), *extra]


def test_unknown_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "--model", "nosuch/model"))
    assert "nosuch/model" in line and "not recognized" in line
    assert not (tmp_path / "runs" / "logs").exists()


def test_unknown_local_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "--model", "local/nosuch"))
    assert "local/nosuch" in line


def test_missing_api_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    line = _error(capsys, _run(tmp_path / "runs", "--model", "openai/gpt-4o"))
    assert "openai/gpt-4o" in line and "OPENAI_API_KEY" in line
    assert "[bold]" not in line and "[/" not in line  # no console markup
    assert not (tmp_path / "runs" / "logs").exists()


def test_malformed_stimuli_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"education": "college"}\n{not json\n', encoding="utf-8")
    line = _error(capsys, _run(tmp_path / "runs", "--experiment", "stigma", "--stimuli",
                               str(bad)))
    assert f"{bad}:1:" in line and "missing field" in line


def test_stimuli_with_wrongly_typed_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    fields = ["education", "race", "gender", "condition", "vignette", "question_only", "options",
              "prompt"]
    bad.write_text(json.dumps({field: 1 for field in fields}) + "\n", encoding="utf-8")
    line = _error(capsys, _run(tmp_path / "runs", "--stimuli", str(bad)))
    assert f"{bad}:1:" in line and "must be text" in line


def test_missing_stimuli_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "--stimuli", str(tmp_path / "nosuch.jsonl")))
    assert "nosuch.jsonl" in line


def test_malformed_transcripts_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"transcript_id": "s", "turn": 0, "role": "nurse", "text": "Hi"}\n',
                   encoding="utf-8")
    line = _error(capsys, _run(tmp_path / "runs", "--experiment", "appropriateness",
                               "--transcripts", str(bad)))
    assert f"{bad}:1:" in line and "unknown role" in line


def test_odd_interval(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "--experiment", "appropriateness",
                               "--interval", "25"))
    assert "interval" in line and "25" in line


def test_bad_model_arg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "-M", "n_ctx"))
    assert "n_ctx" in line and "key=value" in line


def test_unknown_system_prompt_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _error(capsys, _run(tmp_path / "runs", "--system-prompt", "nosuch-prompt.txt"))
    assert "nosuch-prompt.txt" in line


def test_empty_system_prompt_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    line = _error(capsys, _run(tmp_path / "runs", "--system-prompt", str(empty)))
    assert "empty.txt" in line and "empty" in line


def test_run_dir_that_is_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    line = _error(capsys, _run(blocker))
    assert "cannot create run directory" in line and "not-a-dir" in line
    line = _error(capsys, _run(blocker / "inside"))
    assert "cannot create run directory" in line


def test_run_dir_that_is_not_writable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import therapy_audit.rundir as runs

    monkeypatch.setattr(runs.os, "access", lambda *args, **kwargs: False)
    line = _error(capsys, _run(tmp_path / "runs"))
    assert "is not writable" in line and "runs" in line


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permissions do not bind root")
def test_run_dir_inside_a_read_only_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = _error(capsys, _run(locked / "runs"))
    finally:
        locked.chmod(0o755)
    assert "cannot create run directory" in line


def test_export_of_a_nonexistent_run_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = _error(capsys, ["export", str(tmp_path / "nosuch"), "-o", str(tmp_path / "o.csv")])
    assert "nosuch" in line and "does not exist" in line
    assert not (tmp_path / "o.csv").exists()


def test_export_of_an_empty_run_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    line = _error(capsys, ["export", str(tmp_path / "empty"), "-o", str(tmp_path / "o.csv")])
    assert "no samples" in line


def test_export_of_a_run_dir_with_an_unreadable_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "runs" / "logs" / "stigma" / "broken.eval"
    log.parent.mkdir(parents=True)
    log.write_text("not a zip archive", encoding="utf-8")
    line = _error(capsys, ["export", str(tmp_path / "runs"), "-o", str(tmp_path / "o.csv")])
    assert "cannot read log" in line and "broken.eval" in line


def test_the_command_line_entry_point_reports_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "therapy_audit.cli", *_run(tmp_path / "runs"),
         "--model", "nosuch/model"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{PREFIX}cannot use model 'nosuch/model': Model API nosuch of model 'nosuch/model' "
        "not recognized."
    ]
