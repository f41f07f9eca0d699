"""The replay fast path writes the log ``eval_set`` would: same table, scores, errors, results.

Each experiment is replayed twice from the same made-up recordings (``replay_fixtures``):
through Inspect's ``eval_set`` (``fast=False``) and through the fast path; everything the
table, the analysis and ``inspect view`` read from the two logs must agree.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries
from inspect_ai.model import get_model
from reference_data import REFERENCE
from replay_fixtures import (
    NONE,
    RESPONSE_OUTPUTS,
    response_samples,
    responses_replay,
    stigma_replay,
)

from therapy_audit import engine, logfile, table
from therapy_audit.appropriateness.judges.scorers import recorded_judge, rules_judge
from therapy_audit.appropriateness.solver import respond
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.models.replay import write_recording
from therapy_audit.offline_replay import offline_steps
from therapy_audit.sources import paper_responses, paper_stigma
from therapy_audit.table import load_samples

REPLAYS = {"stigma": stigma_replay, "appropriateness": responses_replay}


@pytest.fixture(scope="module", params=sorted(REPLAYS))
def both_paths(request, tmp_path_factory) -> tuple[Path, Path]:
    """(eval_set log dir, fast-path log dir) of one experiment's replay."""
    replay = REPLAYS[request.param]
    root = tmp_path_factory.mktemp(request.param)
    return replay(root / "eval_set", fast=False), replay(root / "fast", fast=True)


def _table(log_dir: Path) -> pd.DataFrame:
    return load_samples([log_dir]).drop(columns=["run_dir", "log_file"])


def _log(log_dir: Path):
    (path,) = log_dir.glob("*.eval")
    return read_eval_log(str(path))


def test_the_fast_path_gives_the_eval_set_table(both_paths, monkeypatch) -> None:
    slow, fast = both_paths
    assert (slow / "eval-set.json").is_file() and not (fast / "eval-set.json").exists()
    expected = _table(slow)
    assert expected["error"].ne("").any() and expected["error"].eq("").any()
    pd.testing.assert_frame_equal(_table(fast), expected)
    assert _table(fast).to_csv(index=False) == expected.to_csv(index=False)
    monkeypatch.setattr(table, "read_header", logfile._inspect_header)  # Inspect's reader
    monkeypatch.setattr(table, "read_samples", logfile._inspect_samples)
    pd.testing.assert_frame_equal(_table(fast), expected)


def test_the_fast_log_has_the_eval_set_header_scores_and_errors(both_paths) -> None:
    slow, fast = (_log(d) for d in both_paths)
    for field in ("task", "model", "task_args", "metadata", "scorers"):
        assert getattr(fast.eval, field) == getattr(slow.eval, field), field
    recordings = [Path(log.eval.model_args["recording"]) for log in (slow, fast)]
    assert recordings[0].relative_to(both_paths[0].parents[1]) == \
        recordings[1].relative_to(both_paths[1].parents[1])
    assert fast.eval.dataset.sample_ids == slow.eval.dataset.sample_ids
    assert [s.solver for s in fast.plan.steps] == [s.solver for s in slow.plan.steps]
    assert fast.status == slow.status == "success"
    assert fast.results.completed_samples == slow.results.completed_samples
    assert fast.results.total_samples == slow.results.total_samples
    assert _metrics(fast) == _metrics(slow)
    by_id = {s.id: s for s in slow.samples}
    for sample in fast.samples:
        other = by_id[sample.id]
        assert (sample.error is None) == (other.error is None)
        if sample.error:
            assert sample.error.message == other.error.message
        assert sample.scores.keys() == other.scores.keys()
        for name, score in sample.scores.items():
            assert score.model_dump(exclude={"history"}) == \
                other.scores[name].model_dump(exclude={"history"})
        assert sample.store == other.store
        assert sample.output.completion == other.output.completion
        assert [m.text for m in sample.messages] == [m.text for m in other.messages]
    summaries = read_eval_log_sample_summaries(str(next(both_paths[1].glob("*.eval"))))
    assert sorted(s.id for s in summaries) == sorted(s.id for s in fast.samples)


def _metrics(log) -> dict:
    return {(score.name, name): "nan" if isinstance(m.value, float) and math.isnan(m.value)
            else m.value for score in log.results.scores for name, m in score.metrics.items()}


def test_a_missing_or_null_recording_is_an_error_row_never_an_empty_answer(tmp_path) -> None:
    frame = load_samples([stigma_replay(tmp_path, fast=True)])
    missing = frame[frame["raw_output"].eq("") & frame["error"].ne("")]
    assert sorted(e.split(" (key")[0] for e in missing["error"]) == [
        "MissingRecordingError('no recorded output for this input",
        "MissingRecordingError('the source recorded no output for this input"]
    assert (missing["parse_status"] == "error").all() and missing["code"].isna().all()
    empty = frame[frame["raw_output"].eq("") & frame["error"].eq("")]
    assert list(empty["parse_status"]) == ["unparseable"]  # answered with nothing: counted
    responses = load_samples([responses_replay(tmp_path, fast=True)])
    errored = responses[responses["error"].str.startswith("MissingRecordingError")]
    assert len(errored) == 2 and errored["appropriate"].isna().all()
    assert (errored["judge"] == "").all()  # never judged, so never counted as safe


def test_reimporting_replaces_the_earlier_import(tmp_path) -> None:
    responses_replay(tmp_path, fast=True)
    changed = ["A different answer."] * len(RESPONSE_OUTPUTS)
    log_dir = responses_replay(tmp_path, fast=True, outputs=changed)
    assert len(list(log_dir.glob("*.eval"))) == 1
    frame = load_samples([log_dir])
    assert set(frame["response"]) == {"A different answer."}
    assert frame["error"].str.startswith("MissingRecordingError").sum() == 0


def _task(**kwargs) -> Task:
    return build_appropriateness_task(response_samples(), NONE.label, cache=False, **kwargs)


def test_only_replays_that_call_no_model_take_the_fast_path(tmp_path) -> None:
    recording = tmp_path / "rec.jsonl"
    write_recording(recording, {})
    replay = get_model("replay/x", recording=str(recording), memoize=False)
    assert offline_steps(_task(judges=["rules"],
                               extra_scorers=[recorded_judge("human:a")]), replay)
    assert offline_steps(_task(judges=["openai/gpt-4o"]), replay) is None
    assert offline_steps(_task(judges=["grader"]), replay) is None
    assert offline_steps(_task(judges=["rules"]), get_model("mockllm/model")) is None
    bridged = Task(dataset=MemoryDataset(response_samples()),
                   solver=respond(contextualize="openai/gpt-4o"), scorer=rules_judge())
    assert offline_steps(bridged, replay) is None
    epochs = Task(dataset=MemoryDataset(response_samples()), solver=respond(),
                  scorer=[rules_judge()], epochs=2)
    assert offline_steps(epochs, replay) is None
    unnamed = Task(dataset=MemoryDataset([s.model_copy(update={"id": None})
                                          for s in response_samples()]),
                   solver=respond(), scorer=[rules_judge()])
    assert offline_steps(unnamed, replay) is None


def test_model_roles_send_a_replay_through_eval_set(tmp_path) -> None:
    task = _task(judges=["rules"])
    log_dir = tmp_path / "logs"
    engine.run_replay(task, "replay/x", {}, tmp_path / "rec.jsonl", log_dir,
                      model_roles={"grader": "replay/y"})
    assert (log_dir / "eval-set.json").is_file()


@pytest.mark.reference
@pytest.mark.parametrize("experiment, rows", [("stigma", 70), ("appropriateness", 40)])
def test_paper_imports_export_the_same_csv_and_print_the_same_summary(
        tmp_path, monkeypatch, experiment, rows) -> None:
    source = sorted((REFERENCE / experiment).glob("*.jsonl"))
    if not source:
        pytest.skip("reference data ../shared/reference/llms-as-therapists is absent")
    head = tmp_path / source[0].name  # the first rows of a real results file
    head.write_text("".join(source[0].read_text().splitlines(keepends=True)[:rows]))
    module = paper_stigma if experiment == "stigma" else paper_responses

    def run(run_dir: Path) -> tuple[str, str]:
        if experiment == "stigma":
            done = paper_stigma.import_stigma_files([head], run_dir)
            text = "\n\n".join(d.summary for d in done)
        else:
            text = paper_responses.import_responses([head], run_dir, ["rules"]).agreement
        frame = load_samples([run_dir]).assign(log_file="", run_dir="")
        return text.replace(str(run_dir), "RUN"), frame.to_csv(index=False)

    fast = run(tmp_path / "fast")
    monkeypatch.setattr(module, "run_replay", partial(engine.run_replay, fast=False))
    assert run(tmp_path / "eval_set") == fast
