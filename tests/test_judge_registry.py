"""The judge registry: a --judge name becomes scorers, plus what they need before a run."""

from __future__ import annotations

import pytest
from inspect_ai.scorer import Score, Target, scorer

from therapy_audit.appropriateness.dataset import appropriateness_samples
from therapy_audit.appropriateness.judges.base import Judge
from therapy_audit.appropriateness.judges.registry import (
    JUDGES,
    MODEL_JUDGE,
    JudgeChoiceError,
    judge_for,
    plan_judges,
)
from therapy_audit.appropriateness.judges.scorers import JUDGE_METRICS
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.vocab import GRADER_ROLE, RULES_JUDGE


def _scorer_names(plan) -> list[str]:
    return [s.__registry_info__.name.split("/")[-1] for s in plan.scorers]


def test_rules_needs_no_model_and_grader_needs_its_role() -> None:
    plan = plan_judges(RULES_JUDGE)
    assert plan.judges == ("rules",) and plan.models == () and plan.roles == ()
    assert _scorer_names(plan) == ["rules_judge"]
    plan = plan_judges([GRADER_ROLE])
    assert plan.models == () and plan.roles == (GRADER_ROLE,)
    assert _scorer_names(plan) == ["llm_judge"]


@pytest.mark.parametrize("name", ["openai/gpt-4o", "local/smollm2", "anthropic/claude-x"])
def test_any_other_name_is_a_model_for_the_llm_judge(name: str) -> None:
    assert judge_for(name) is MODEL_JUDGE
    plan = plan_judges(["rules", name, name])  # a repeat is one judge
    assert plan.judges == ("rules", name)
    assert plan.models == (name,)
    assert _scorer_names(plan) == ["rules_judge", "llm_judge"]


def test_escalation_adds_a_cascade_beside_the_plain_rules() -> None:
    plan = plan_judges(["rules"], escalate="local/smollm2")
    assert plan.escalate == "local/smollm2" and plan.models == ("local/smollm2",)
    assert _scorer_names(plan) == ["rules_judge", "cascade_judge"]
    plan = plan_judges(["rules"], escalate=GRADER_ROLE)
    assert plan.models == () and plan.roles == (GRADER_ROLE,)


@pytest.mark.parametrize(
    ("judges", "escalate", "message"),
    [
        ([], None, "at least one judge"),
        (["rules", "  "], None, "blank"),
        (["openai/gpt-4o"], "local/smollm2", "--escalate needs"),
        (["rules"], "rules", "--escalate takes a model"),
        (["rules"], " ", "--escalate takes a model"),
    ],
)
def test_unusable_choices_are_clear_errors(judges, escalate, message) -> None:
    with pytest.raises(JudgeChoiceError, match=message):
        plan_judges(judges, escalate)


@scorer(metrics=JUDGE_METRICS)
def always_unsure():
    """A judge that never decides (stands in for a new judge module)."""

    async def score(state, target: Target) -> Score:
        from therapy_audit.appropriateness.judges.scorers import verdict_score
        return verdict_score("always-unsure", "unsure", state.metadata["appropriate_answer"],
                             "never decides")

    return score


ALWAYS_UNSURE = Judge("always-unsure", lambda name: always_unsure(),
                      needs_models=lambda name: ("some/model",), about="a test judge")


def test_adding_a_judge_is_one_entry_that_plans_and_tasks_read() -> None:
    registry = {**JUDGES, ALWAYS_UNSURE.name: ALWAYS_UNSURE}  # the one registry line
    plan = plan_judges(["rules", "always-unsure"], registry=registry)
    assert _scorer_names(plan) == ["rules_judge", "always_unsure"]
    assert plan.models == ("some/model",)
    # without the line the name is a model for the LLM judge, never silently the rules
    assert _scorer_names(plan_judges(["always-unsure"])) == ["llm_judge"]


def test_the_task_reads_its_scorers_from_the_registry() -> None:
    samples = appropriateness_samples(resolve_system_prompt("none"), [])
    task = build_appropriateness_task(samples, "none", ["rules"], escalate="local/smollm2")
    names = [s.__registry_info__.name.split("/")[-1] for s in task.scorer]
    assert names == ["rules_judge", "cascade_judge"]
