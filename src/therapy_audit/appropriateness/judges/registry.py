"""The judge registry: the one place a ``--judge`` name becomes scorers.

``rules`` is the offline rules judge; ``grader`` the paper's LLM judge on Inspect's grader
model role; any other name is a model for the paper's LLM judge. ``escalate=MODEL`` adds a
cascade next to the plain rules verdicts: the rules decide what they can and the LLM judge on
MODEL (a model name or ``grader``) decides their ``unsure`` verdicts.

:func:`plan_judges` turns the user's choice into a :class:`JudgePlan`: the scorers, and the
models and model roles they need, which the engine (a layer above, never imported here)
validates before any work starts. Adding a judge is one module that defines its scorer and a
:class:`~therapy_audit.appropriateness.judges.base.Judge`, plus one line in :data:`JUDGES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inspect_ai.scorer import Scorer

from therapy_audit.appropriateness.judges.base import Judge
from therapy_audit.appropriateness.judges.scorers import GRADER, MODEL, RULES, cascade_judge
from therapy_audit.vocab import GRADER_ROLE

JUDGES: dict[str, Judge] = {judge.name: judge for judge in (
    RULES,
    GRADER,
)}
#: The judge any unregistered name means: the paper's LLM judge on that model.
MODEL_JUDGE = MODEL


class JudgeChoiceError(ValueError):
    """An unusable choice of judges (empty, blank, or an escalation without the rules)."""


def judge_for(name: str, registry: Mapping[str, Judge] = JUDGES) -> Judge:
    """The registered judge ``name`` means; any other name is a model for the LLM judge."""
    return registry.get(name, MODEL_JUDGE)


@dataclass(frozen=True)
class JudgePlan:
    """The scorers for a choice of judges, and what they need before the run starts."""

    judges: tuple[str, ...]  # the names as typed, in order, without repeats
    escalate: str | None  # the model the rules' unsure verdicts go to, if any
    scorers: tuple[Scorer, ...]
    models: tuple[str, ...]  # models to validate (LLM judges, the escalation model)
    roles: tuple[str, ...]  # model roles the run must provide (e.g. "grader")


def _names(judges: Sequence[str] | str) -> tuple[str, ...]:
    names = [judges] if isinstance(judges, str) else list(judges)
    if not names:
        raise JudgeChoiceError("at least one judge is needed")
    if any(not isinstance(n, str) or not n.strip() for n in names):
        raise JudgeChoiceError(f"a judge name is blank in {names!r}")
    return tuple(dict.fromkeys(n.strip() for n in names))


def plan_judges(judges: Sequence[str] | str, escalate: str | None = None,
                registry: Mapping[str, Judge] = JUDGES) -> JudgePlan:
    """The plan for ``--judge`` names (and ``--escalate MODEL``); raises JudgeChoiceError."""
    names = _names(judges)
    entries = [judge_for(n, registry) for n in names]
    scorers = [entry.build(n) for n, entry in zip(names, entries, strict=True)]
    models = [m for n, entry in zip(names, entries, strict=True) for m in entry.needs_models(n)]
    roles = [r for entry in entries for r in entry.needs_roles]
    if escalate is not None:
        escalate = escalate.strip()
        if not any(entry.can_escalate for entry in entries):
            can = ", ".join(j.name for j in registry.values() if j.can_escalate)
            raise JudgeChoiceError(f"--escalate needs a judge that can escalate (--judge {can})")
        if escalate in registry and escalate != GRADER_ROLE or not escalate:
            raise JudgeChoiceError(f"--escalate takes a model (or {GRADER_ROLE!r}), not "
                                   f"{escalate!r}")
        scorers.append(cascade_judge(escalate))
        if escalate == GRADER_ROLE:
            roles.append(GRADER_ROLE)
        else:
            models.append(escalate)
    return JudgePlan(names, escalate, tuple(scorers), tuple(dict.fromkeys(models)),
                     tuple(dict.fromkeys(roles)))
