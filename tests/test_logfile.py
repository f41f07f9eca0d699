"""The direct log reader gives the table Inspect's reader gives, on every kind of log.

Guards against format drift: logs written by Inspect's own eval loop (both experiments,
errored samples, events and attachments), an unfinished log that has only its journal, a
log with a re-logged sample, a log the direct reader does not know (read by Inspect), and a
file that is not a log at all.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.log import read_eval_log
from inspect_ai.log._recorders.eval import EvalRecorder
from replay_fixtures import responses_replay, stigma_replay

from therapy_audit import logfile, table
from therapy_audit.rundir import RunDirError
from therapy_audit.table import load_samples


@pytest.fixture(scope="module")
def inspect_logs(tmp_path_factory) -> Path:
    """A run directory of logs written by ``eval_set``, errors included."""
    run_dir = tmp_path_factory.mktemp("run")
    stigma_replay(run_dir, fast=False)
    responses_replay(run_dir, fast=False)
    return run_dir


def _inspect_table(run_dirs: list[Path], monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    with monkeypatch.context() as patch:
        patch.setattr(table, "read_header", logfile._inspect_header)
        patch.setattr(table, "read_samples", logfile._inspect_samples)
        return load_samples(run_dirs)


def test_the_direct_reader_gives_inspects_table(inspect_logs, monkeypatch) -> None:
    direct = load_samples([inspect_logs])
    assert set(direct["experiment"]) == {"stigma", "appropriateness"}
    assert direct["error"].ne("").sum() >= 4
    pd.testing.assert_frame_equal(direct, _inspect_table([inspect_logs], monkeypatch))


def _rewrite(source: Path, target: Path, *, finish: bool, relog: bool = False) -> None:
    """Write ``source``'s samples again with Inspect's recorder, optionally unfinished."""
    log = read_eval_log(str(source))

    async def record() -> None:
        recorder = EvalRecorder(str(target.parent))
        await recorder.log_init(log.eval, str(target), clean=True)
        await recorder.log_start(log.eval, log.plan)
        for sample in log.samples:
            await recorder.log_sample(log.eval, sample)
        await recorder.flush(log.eval)
        if relog:  # the first sample again, with a changed store (read: the last record)
            first = log.samples[0].model_copy(update={"store": {"stored_response": "again"}})
            await recorder.log_sample(log.eval, first)
            await recorder.flush(log.eval)
        if finish:
            await recorder.log_finish(log.eval, log.status, log.stats, log.results,
                                      log.reductions)

    asyncio.run(record())


def test_an_unfinished_log_is_read_from_its_journal(inspect_logs, tmp_path, monkeypatch):
    (source,) = (inspect_logs / "logs" / "appropriateness").glob("*.eval")
    target = tmp_path / "run" / source.name
    target.parent.mkdir()
    _rewrite(source, target, finish=False)
    header = logfile.read_header(target)
    assert header.status == "started" and header.completed_samples == 0
    direct = load_samples([tmp_path / "run"])
    assert len(direct) == len(load_samples([inspect_logs / "logs" / "appropriateness"]))
    pd.testing.assert_frame_equal(direct, _inspect_table([tmp_path / "run"], monkeypatch))


def test_a_relogged_sample_is_read_from_its_last_record(inspect_logs, tmp_path, monkeypatch):
    (source,) = (inspect_logs / "logs" / "appropriateness").glob("*.eval")
    target = tmp_path / "run" / source.name
    target.parent.mkdir()
    _rewrite(source, target, finish=True, relog=True)
    direct = load_samples([tmp_path / "run"])
    first = read_eval_log(str(source)).samples[0].id  # the sample _rewrite logs twice
    assert set(direct.loc[direct["sample_id"] == first, "response"]) == {"again"}
    pd.testing.assert_frame_equal(direct, _inspect_table([tmp_path / "run"], monkeypatch))


def test_a_log_format_it_does_not_know_is_read_by_inspect(inspect_logs, monkeypatch) -> None:
    expected = load_samples([inspect_logs])
    calls = []
    inspect_samples = logfile._inspect_samples

    def spy(path: Path):
        calls.append(path)
        return inspect_samples(path)

    monkeypatch.setattr(logfile, "FORMAT_VERSION", 999)
    monkeypatch.setattr(logfile, "_inspect_samples", spy)
    pd.testing.assert_frame_equal(load_samples([inspect_logs]), expected)
    assert len(calls) == 2


def test_a_file_that_is_not_a_log_is_a_run_directory_error(tmp_path) -> None:
    (tmp_path / "broken.eval").write_bytes(b"not a zip file")
    with pytest.raises(RunDirError, match="cannot read log .*broken.eval"):
        load_samples([tmp_path])


def test_reading_a_run_directory_does_not_import_inspect(inspect_logs) -> None:
    code = ("import sys; from therapy_audit.table import load_samples; "
            f"rows = load_samples([{str(inspect_logs)!r}]); "
            "print(len(rows), 'inspect_ai' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=_env())
    assert out.stdout.split() == [str(len(load_samples([inspect_logs]))), "False"]


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (src, os.environ.get("PYTHONPATH", "")) if p)}
