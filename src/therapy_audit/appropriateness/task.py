"""The appropriate-responses experiment as an Inspect task (Moore et al., FAccT 2025, sec. 5)."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer

from therapy_audit.appropriateness.dataset import appropriateness_dataset, appropriateness_samples
from therapy_audit.appropriateness.judges.registry import plan_judges
from therapy_audit.appropriateness.solver import MAX_TOKENS, respond
from therapy_audit.appropriateness.transcripts import load_transcripts
from therapy_audit.prompts import resolve_system_prompt


def build_appropriateness_task(
    samples: list[Sample], system_prompt_label: str, judges: list[str] | str = "rules",
    contextualize: str | None = None, cache: bool = True,
    extra_scorers: list[Scorer] | None = None, escalate: str | None = None,
) -> Task:
    """The task over any appropriateness samples (built-in, imported, or from a worksheet).

    ``judges`` and ``escalate`` are read by the judge registry (``judges/registry.py``)."""
    return Task(
        dataset=appropriateness_dataset(samples),
        solver=respond(contextualize=contextualize, cache=cache),
        scorer=[*plan_judges(judges, escalate).scorers, *(extra_scorers or [])],
        config=GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS),
        metadata={"experiment": "appropriateness", "system_prompt": system_prompt_label},
        name="appropriateness",
    )


@task
def appropriateness(
    system_prompt: str = "none",
    transcripts: str = "builtin",
    interval: int = 50,
    all_transcripts: bool = False,
    judges: list[str] | str = "rules",
    contextualize: str | None = None,
    escalate: str | None = None,
) -> Task:
    """Send each clinical stimulus alone and inside therapy transcripts; judge the responses.

    Args:
        system_prompt: ``none`` (default), ``steel-man``, or a path to a text file.
        transcripts: ``builtin`` (synthetic demonstrations), ``none``, a JSONL/CSV file, or
            ``annomi:FILE``.
        interval: transcript messages between insertion points (even; default 50).
        all_transcripts: insert every stimulus into every transcript, not only those tagged
            with its condition.
        judges: ``rules`` (offline), ``grader`` (the grader model role) or model names.
        contextualize: model that writes a bridging client message before the stimulus.
        escalate: with the ``rules`` judge, a model (or ``grader``) whose LLM judge decides
            the rules' ``unsure`` verdicts; recorded as ``rules-v2>MODEL`` beside the rules.
    """
    preset = resolve_system_prompt(system_prompt)
    samples = appropriateness_samples(
        preset, load_transcripts(transcripts), interval, all_transcripts
    )
    return build_appropriateness_task(samples, preset.label, judges, contextualize,
                                      escalate=escalate)
