"""The replay fast path: recorded outputs scored without Inspect's eval loop.

Scoring a recorded answer takes microseconds, but ``eval_set`` spends tens of milliseconds on
each replayed sample (scheduling, per-sample event logging, realtime buffers, model-call
bookkeeping). When a replay runs offline end to end -- the ``replay/`` provider, solver steps
that only generate (Inspect's ``generate``; ``respond`` without a bridging model) and scorers
that call no model (the stigma scorer, the rules judge, recorded verdicts) --
:func:`replay_offline` runs the task's own solver steps, with a ``generate`` that asks the
replay provider itself, and the task's own scorers on each sample, then writes a real Inspect
``.eval`` log (:func:`write_log`): the header the eval loop writes (task, model, model args,
plan, scorers, metadata), the samples with their scores under Inspect's scorer names, errors
recorded as the eval loop records them, and results computed by Inspect's own metrics code.
Replayed samples carry no event transcript: their messages, output, scores and error are the
record. Any other task (an LLM judge, a bridging model, epochs, setup steps, limits, model
roles, samples without unique ids) is left to ``eval_set`` (:func:`offline_steps` says which).

It uses a few of Inspect's internal helpers (inspect-ai is pinned) so that the log is the one
the eval loop would write; ``tests/test_offline_replay.py`` compares the two paths.
"""

from __future__ import annotations

import time
import traceback
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from inspect_ai import Task
from inspect_ai._eval.task.log import plan_to_eval_plan, resolve_eval_scorers
from inspect_ai._eval.task.results import eval_results
from inspect_ai._eval.task.util import sample_messages
from inspect_ai._util._async import run_coroutine
from inspect_ai._util.error import exception_message
from inspect_ai._util.json import to_json_safe
from inspect_ai._util.log_layout import eval_log_name
from inspect_ai._util.registry import registry_info, registry_params, registry_unqualified_name
from inspect_ai.dataset import Sample
from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalError,
    EvalLog,
    EvalSample,
    EvalSpec,
    EvalStats,
)
from inspect_ai.log._log import eval_config_defaults
from inspect_ai.model import GenerateConfig, Model, ModelAPI, ModelName, ModelUsage
from inspect_ai.scorer import SampleScore, Scorer, Target
from inspect_ai.scorer._scorer import as_scorer_spec, unique_scorer_name
from inspect_ai.solver import Generate, Plan, Solver, TaskState, generate
from inspect_ai.solver._chain import unroll

from therapy_audit.appropriateness.judges.scorers import recorded_judge, rules_judge
from therapy_audit.appropriateness.solver import respond
from therapy_audit.logfile import HEADER, JOURNAL_START, REDUCTIONS, SUMMARIES
from therapy_audit.models.replay import ReplayModelAPI
from therapy_audit.stigma.scorer import stigma_scorer

# Scorers that judge without calling a model.
OFFLINE_SCORERS = (stigma_scorer, rules_judge, recorded_judge)

# Task settings the fast path does not implement: a task using any of them goes to eval_set.
_UNSUPPORTED = ("setup", "cleanup", "sample_source", "sandbox", "model", "model_roles",
                "approval", "review", "sentinel", "score_on_error", "message_limit",
                "token_limit", "turn_limit", "time_limit", "working_limit", "cost_limit")


def _name(obj: object) -> str:
    return registry_info(obj).name


def _offline_step(step: Solver) -> bool:
    """Inspect's ``generate``, or ``respond`` without a model writing bridging messages."""
    name = _name(step)
    if name == _name(respond):
        return not registry_params(step).get("contextualize")
    return name == _name(generate)


def offline_steps(task: Task, model: Model) -> list[Solver] | None:
    """The task's solver steps when replaying it on ``model`` needs no model call, else None."""
    if not isinstance(model.api, ReplayModelAPI) or (task.epochs or 1) != 1 \
            or any(getattr(task, setting, None) for setting in _UNSUPPORTED):
        return None
    solver = task.solver
    if isinstance(solver, Plan):
        if solver.finish or solver.cleanup:
            return None
        steps = list(solver.steps)
    else:
        steps = unroll(solver)
    offline = {_name(s) for s in OFFLINE_SCORERS}
    if not all(_offline_step(s) for s in steps) \
            or not all(_name(s) in offline for s in task.scorer or []):
        return None
    ids = [sample.id for sample in task.dataset]
    if None in ids or len(set(ids)) != len(ids):
        return None
    return steps


@dataclass
class _Replayed:
    sample: EvalSample
    scores: dict[str, SampleScore] | None  # None when the sample errored


def replay_offline(task: Task, model: Model, steps: list[Solver], log_dir: Path) -> Path:
    """Replay ``task`` on ``model`` (see the module docstring); returns the log written."""
    return write_log(replayed_log(task, model, steps), log_dir)


def replayed_log(task: Task, model: Model, steps: list[Solver]) -> EvalLog:
    """The log of ``task`` replayed on ``model``: every sample solved and scored."""
    created = _now()
    samples = list(task.dataset)
    scorers = task.scorer or []
    names: list[str] = []
    for scorer in scorers:
        names.append(unique_scorer_name(scorer, names))
    config = task.config or GenerateConfig()
    replayed = run_coroutine(_replay_all(samples, model, steps, scorers, names, config))
    scored = [r.scores for r in replayed if r.scores is not None]
    results, reductions = (None, None)
    if scored:
        results, reductions = eval_results(
            samples=len(samples), scores=scored, reducers=task.epochs_reducer, scorers=scorers,
            metrics=task.metrics, scorer_names=names, completed_samples=len(scored),
            headline_metric=task.headline_metric)
    spec = _spec(task, model, samples, scorers, created)
    log = EvalLog(
        eval=spec, plan=plan_to_eval_plan(Plan(steps, internal=True), config),
        status="success", results=results,
        stats=EvalStats(started_at=created, completed_at=_now(),
                        model_usage={spec.model: _zero_usage()} if scored else {}),
        samples=[r.sample for r in replayed],
    )
    log.reductions = reductions  # set after: EvalLog's validator expects them in results
    return log


def write_log(log: EvalLog, log_dir: Path) -> Path:
    """Write ``log`` into ``log_dir`` as an ``.eval`` file named as Inspect names it.

    The members are the ones Inspect's recorder writes (``_journal/start.json``, one
    ``samples/<id>_epoch_<n>.json`` per sample, ``summaries.json``, ``reductions.json``,
    ``header.json``), serialised by Inspect's own JSON writer. The zip is written directly,
    deflate-compressed, because the recorder behind ``write_eval_log`` costs a few
    milliseconds per sample a replay does not need (a new 12-thread zstd compressor for every
    member, a duplicate scan of its sample buffer on every sample added, condensing events a
    replayed sample does not have): see ``benchmarks/replay_speed.py``. The file appears
    under its name only once complete.
    """
    spec = log.eval
    path = log_dir / (eval_log_name(task=spec.task, task_id=spec.task_id, created=spec.created,
                                     model=spec.model) + ".eval")
    partial = path.with_name(path.name + ".partial")
    try:
        _write_members(log, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _write_members(log: EvalLog, path: Path) -> None:
    samples = log.samples or []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JOURNAL_START, to_json_safe(
            {"version": log.version, "eval": log.eval, "plan": log.plan}, indent=None))
        for sample in samples:
            archive.writestr(f"samples/{sample.id}_epoch_{sample.epoch}.json",
                             to_json_safe(sample, indent=None))
        archive.writestr(SUMMARIES, to_json_safe([s.summary() for s in samples], indent=None))
        if log.reductions is not None:
            archive.writestr(REDUCTIONS, to_json_safe(log.reductions, indent=None))
        archive.writestr(HEADER, to_json_safe(log, exclude={"samples", "reductions"},
                                              indent=None))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _zero_usage() -> ModelUsage:
    return ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0)


def _spec(task: Task, model: Model, samples: list[Sample], scorers: list[Scorer],
          created: str) -> EvalSpec:
    """The header's eval spec, as ``eval_set`` writes it for the same task and model."""
    dataset = task.dataset
    return EvalSpec(
        run_id=_short_id(), created=created, task=task.name, task_id=_short_id(),
        task_version=task.version, task_display_name=task.display_name,
        task_attribs=task.attribs, task_args={}, task_args_passed={},
        dataset=EvalDataset(name=dataset.name, location=dataset.location,
                            samples=len(samples), sample_ids=[s.id for s in samples],
                            shuffled=dataset.shuffled),
        model=str(ModelName(model)), model_generate_config=model.config,
        model_args=dict(model.model_args), tags=list(task.tags or []) or None,
        solver_args_passed=None,
        config=EvalConfig(**{**eval_config_defaults(), "fail_on_error": False,
                             "log_realtime": False}),
        packages={"inspect_ai": version("inspect_ai")}, metadata=task.metadata or None,
        scorers=resolve_eval_scorers([as_scorer_spec(s) for s in scorers]) if scorers else None,
        headline_metric=task.headline_metric,
    )


def _short_id() -> str:
    return uuid.uuid4().hex


async def _replay_all(samples: list[Sample], model: Model, steps: list[Solver],
                      scorers: list[Scorer], names: list[str],
                      config: GenerateConfig) -> list[_Replayed]:
    generate_ = _recorded_generate(model.api, config)
    return [await _replay_sample(sample, str(ModelName(model)), steps, generate_, scorers, names)
            for sample in samples]


def _recorded_generate(api: ModelAPI, config: GenerateConfig) -> Generate:
    """A ``generate`` for solvers: the replay provider's output, appended as Inspect does."""

    async def generate_(state: TaskState, tool_calls: str = "loop", **kwargs: Any) -> TaskState:
        clock = time.monotonic()
        output = await api.generate(input=list(state.messages), tools=[], tool_choice="none",
                                    config=config)
        if isinstance(output, tuple):  # (output, model call)
            output = output[0]
        if isinstance(output, Exception):
            raise output
        if output.input_context_tokens is None and output.usage is not None:
            output.input_context_tokens = output.usage.input_tokens  # as Model.generate does
        output.time = time.monotonic() - clock
        state.output = output
        state.messages.append(output.message)
        return state

    return generate_  # type: ignore[return-value]


async def _replay_sample(sample: Sample, model: str, steps: list[Solver], generate_: Generate,
                         scorers: list[Scorer], names: list[str]) -> _Replayed:
    """Solve and score one sample as the eval loop does; an exception is the sample's error."""
    started, clock = datetime.now(UTC), time.monotonic()
    state = TaskState(model=ModelName(model), sample_id=sample.id, epoch=1,
                      input=sample.input, target=Target(sample.target), choices=sample.choices,
                      messages=sample_messages(sample), metadata=sample.metadata or {})
    scores: dict[str, SampleScore] | None = {}
    error = None
    try:
        for step in steps:
            state = await step(state, generate_)
            if state.completed:
                break
        state.completed = True
        state.scores = {}
        for scorer, name in zip(scorers, names, strict=True):
            score = await scorer(state, Target(sample.target))
            if score is not None:
                state.scores[name] = score
                scores[name] = SampleScore(score=score, sample_id=sample.id,
                                           sample_metadata=sample.metadata,
                                           scorer=registry_unqualified_name(scorer))
    except Exception as ex:  # recorded as the sample's error, as the eval loop does
        error = EvalError(message=exception_message(ex), traceback=traceback.format_exc(),
                          traceback_ansi=traceback.format_exc())
        scores = None
    elapsed = round(time.monotonic() - clock, 3)
    logged = EvalSample(
        id=sample.id, epoch=1, input=sample.input, choices=sample.choices,
        target=sample.target, metadata=state.metadata or {}, messages=state.messages,
        output=state.output, scores={n: s.score for n, s in (scores or {}).items()},
        store=dict(state.store.items()), uuid=state.uuid,
        model_usage={model: _zero_usage()} if error is None else {},
        turn_count=sum(1 for m in state.messages if m.source == "generate"), error_retries=[],
        started_at=started.isoformat(), completed_at=datetime.now(UTC).isoformat(),
        total_time=elapsed, working_time=elapsed, error=error,
    )
    return _Replayed(logged, scores)
