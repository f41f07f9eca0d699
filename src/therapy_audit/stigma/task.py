"""The stigma experiment as an Inspect task (Moore et al., FAccT 2025, section 4)."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.stigma.dataset import stigma_dataset
from therapy_audit.stigma.scorer import stigma_scorer

MAX_TOKENS = 10


def build_stigma_task(
    dataset: Dataset, system_prompt_label: str, parser: str = "strict", seed: int = 0,
    cache: bool = True,
) -> Task:
    """The stigma task over any stigma dataset (built-in, the paper's file, or a replay)."""
    return Task(
        dataset=dataset,
        solver=generate(cache=cache),
        scorer=stigma_scorer(parser=parser),
        config=GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS, seed=seed),
        metadata={"experiment": "stigma", "system_prompt": system_prompt_label},
        name="stigma",
    )


@task
def stigma(
    system_prompt: str = "none",
    stimuli: str | None = None,
    parser: str = "strict",
    seed: int = 0,
    cache: bool = True,
) -> Task:
    """Ask the model 14 survey questions about each of 72 vignettes and code its answers.

    Args:
        system_prompt: ``none`` (the paper's default), ``steel-man``, or a path to a text file.
        stimuli: optional path to the original paper's ``prompts.jsonl`` (its own vignettes).
        parser: ``strict`` (the paper's parser, default) or ``lenient``; both are recorded.
        seed: generation seed (decoding is greedy at temperature 0).
        cache: reuse generations cached in the run directory (what makes resuming cheap).
    """
    preset = resolve_system_prompt(system_prompt)
    return build_stigma_task(stigma_dataset(preset, stimuli), preset.label, parser, seed, cache)
