"""Running evaluations: the one place that calls Inspect's ``eval_set``.

It validates models before any work starts, runs the experiments' tasks into a run directory
(resumable: an interrupted run is completed by running it again), and replays outputs recorded
elsewhere (the paper's files, worksheets, annotations) through the same tasks, scorers and
judges. Commands and importers call it; it calls neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set
from inspect_ai.model import Model, get_model

from therapy_audit.appropriateness.dataset import appropriateness_samples
from therapy_audit.appropriateness.judges.registry import plan_judges
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.appropriateness.transcripts import load_transcripts
from therapy_audit.conversation.task import ConversationOptions
from therapy_audit.logfile import read_header
from therapy_audit.models.replay import write_recording
from therapy_audit.offline_replay import offline_steps, replay_offline
from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.rundir import log_dir_for, replace_logs, slug
from therapy_audit.stigma.dataset import stigma_dataset
from therapy_audit.stigma.task import build_stigma_task
from therapy_audit.vocab import APPROPRIATENESS, CONVERSATION, STIGMA


@dataclass
class RunResult:
    """Whether every task finished, and where its logs are."""

    complete: bool
    log_dirs: list[Path]


def validate_model(model: str, model_args: dict | None = None,
                   base_url: str | None = None) -> Model:
    """Construct the model now so an unknown model or missing key fails before any work."""
    try:
        return get_model(model, base_url=base_url, **(model_args or {}))
    except Exception as err:  # Inspect raises several types for these
        message = " ".join(str(err).split())
        if type(err).__name__ in ("PrerequisiteError",) or "api key" in message.lower() \
                or "environment variable" in message.lower():
            raise ValueError(f"model {model}: {message}") from err
        raise ValueError(f"cannot use model {model!r}: {message}") from err


def validate_judges(judges: list[str], escalate: str | None = None,
                    model_roles: dict | None = None) -> None:
    """Check the judges before any work: the registry knows them, their models load, and the
    model roles they need are given."""
    plan = plan_judges(judges, escalate)
    for role in plan.roles:
        if role not in (model_roles or {}):
            raise ValueError(f"judge {role!r} needs a {role!r} model role; name a model "
                             "instead, e.g. --judge openai/gpt-4o")
    for model in plan.models:
        validate_model(model)


def run_eval(task: Task, log_dir: Path, model: Model, limit: int | None,
             max_connections: int | None, local: bool, model_roles: dict | None = None) -> bool:
    """Run ``task`` as an Inspect eval set in ``log_dir``; True when every sample finished."""
    log_dir.mkdir(parents=True, exist_ok=True)
    # A local model takes as many samples at once as its provider serves together: 1 on the
    # single-sequence path (-M batching=false), twice the batch with the batching engine.
    local_limit = model.api.max_connections() if local else None
    ok, logs = eval_set(
        [task],
        log_dir=str(log_dir),
        model=model,
        model_roles=model_roles,
        limit=limit,
        max_connections=local_limit if local else max_connections,
        max_samples=local_limit if local else None,
        fail_on_error=False,
        retry_attempts=2,
        retry_wait=1,
        log_level="warning",
    )
    if _cancelled(logs, log_dir):
        # Inspect turns Ctrl-C into a cancelled log (its in-flight samples recorded as
        # errors) and eval_set may still report success; the command reports the interrupt
        # it was (exit 130, "run the same command again"), never success.
        raise KeyboardInterrupt
    return bool(ok)


def _cancelled(logs: list, log_dir: Path) -> bool:
    """Whether the eval set was interrupted: a returned log, or the newest log written in
    ``log_dir`` (eval_set can return none after an interrupt), has the status cancelled."""
    if any(log.status == "cancelled" for log in logs):
        return True
    written = sorted(log_dir.glob("*.eval"), key=lambda p: p.stat().st_mtime)
    return bool(written) and read_header(written[-1]).status == "cancelled"


def run_replay(task: Task, model: str, records: dict[str, str | None], recording: Path,
               log_dir: Path, model_roles: dict | None = None, *, fast: bool = True) -> bool:
    """Run ``task`` on ``replay/…`` outputs recorded elsewhere, replacing an earlier import.

    The recording is written first; the log directory is emptied so that a re-import is not
    mistaken by ``eval_set`` for finished work; and the replay model is not memoized, so a
    re-import in the same process reads the new recording. A replay that needs no model call
    (no LLM judge, no model roles) is scored without Inspect's eval loop and written as the
    same Inspect log (``offline_replay``); ``fast=False`` always runs ``eval_set``.
    """
    recording.parent.mkdir(parents=True, exist_ok=True)
    write_recording(recording, records)
    replace_logs(log_dir)
    replay = get_model(model, recording=str(recording), memoize=False)
    steps = offline_steps(task, replay) if fast and not model_roles else None
    if steps is None:
        return run_eval(task, log_dir, replay, None, None, local=False, model_roles=model_roles)
    log_dir.mkdir(parents=True, exist_ok=True)
    replay_offline(task, replay, steps, log_dir)
    return True


def run_audit(
    experiments: list[str],
    model: str,
    model_args: dict[str, Any],
    model_base_url: str | None,
    system_prompt: str,
    limit: int | None,
    stimuli: str | None,
    parser: str,
    transcripts: str,
    all_transcripts: bool,
    interval: int,
    judges: list[str],
    escalate: str | None,
    contextualize: str | None,
    max_connections: int | None,
    run_dir: Path,
    conversation: ConversationOptions | None = None,
) -> RunResult:
    """Run the chosen experiments into ``run_dir``; rerunning resumes what is missing."""
    preset = resolve_system_prompt(system_prompt)
    tasks = []
    if STIGMA in experiments:
        dataset = stigma_dataset(preset, stimuli)
        tasks.append((STIGMA, build_stigma_task(dataset, preset.label, parser)))
    if APPROPRIATENESS in experiments or CONVERSATION in experiments:
        validate_judges(judges, escalate)
    if APPROPRIATENESS in experiments:
        samples = appropriateness_samples(preset, load_transcripts(transcripts), interval,
                                          all_transcripts)
        tasks.append((APPROPRIATENESS, build_appropriateness_task(
            samples, preset.label, judges, contextualize, escalate=escalate)))
    if CONVERSATION in experiments:
        conversation = conversation or ConversationOptions()
        if conversation.client_model:
            validate_model(conversation.client_model)
        tasks.append((CONVERSATION, conversation.task(preset, judges, escalate)))
    resolved = validate_model(model, model_args, model_base_url)
    complete = True
    log_dirs = []
    for experiment, task in tasks:
        log_dir = log_dir_for(run_dir, experiment, model, preset.label)
        if experiment == CONVERSATION:  # one folder per schedule, client and persona set
            log_dir = log_dir / slug(conversation.label)
        log_dirs.append(log_dir)
        print(f"Running {experiment} on {model} (system prompt: {preset.label}) -> {log_dir}")
        complete &= run_eval(task, log_dir, resolved, limit, max_connections,
                             local=model.startswith("local/"))
    return RunResult(complete, log_dirs)
