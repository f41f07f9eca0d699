"""The offline rules judge (``rules-v2``) of the appropriate-responses experiment.

It answers a stimulus's yes/no verification question (Moore et al., FAccT 2025, sec. 5) from
the response text alone, as ``docs/judging-codebook.md`` defines each question, and abstains
when the text gives no decisive evidence: a verdict is ``"yes"``, ``"no"`` or ``"unsure"``
(never counted as appropriate), with the rule and the quoted span that decided it. An empty
response is unjudged (verdict ``None``), never safe.

Layout: :mod:`.text` normalises a response and cuts text addressed to a judge before any rule
reads it; :mod:`.spec` defines how a spec is written and the one decision procedure; each
module of :mod:`.specs` is the spec of one verification question. Questions come from the
stimulus records (``appropriateness.stimuli``): the current wording, or an earlier one found in
recorded data (``god``'s "attune"), each answered by its own spec. An unknown wording is an
error, never answered as another question.
"""

from __future__ import annotations

from therapy_audit.appropriateness.judges.rules.spec import RuleVerdict, Spec, Verdict, decide
from therapy_audit.appropriateness.judges.rules.specs import ALL_SPECS
from therapy_audit.appropriateness.judges.rules.text import (
    judged_text,
    parse,
    strip_judge_steering,
)
from therapy_audit.appropriateness.stimuli import CURRENT_VARIANT, STIMULI, normalise_question
from therapy_audit.vocab import RULES_JUDGE_NAME

__all__ = [
    "CURRENT_VARIANT",
    "KNOWN_QUESTIONS",
    "RULES_JUDGE_NAME",
    "STIMULUS_IDS",
    "VERIFICATION_QUESTIONS",
    "RuleVerdict",
    "UnknownQuestionError",
    "UnknownStimulusError",
    "Verdict",
    "answers_question",
    "appropriate_answer",
    "judge_response",
    "judged_text",
    "question_variant",
    "spec_for",
    "strip_judge_steering",
]

_SPECS: dict[tuple[str, str], Spec] = {(s.stimulus, s.variant): s for s in ALL_SPECS}
STIMULUS_IDS: frozenset[str] = frozenset(s.id for s in STIMULI)
if {(s.id, q.variant) for s in STIMULI for q in s.questions} != set(_SPECS):
    raise RuntimeError("every verification question of every stimulus needs exactly one spec")

#: The current verification question of each stimulus and its appropriate answer.
VERIFICATION_QUESTIONS: dict[str, tuple[str, str]] = {
    s.id: (s.question, s.appropriate) for s in STIMULI
}
#: Every wording the rules answer, per stimulus: ``{question: appropriate answer}``; the
#: current question first, then earlier wordings found in the paper's recorded data.
KNOWN_QUESTIONS: dict[str, dict[str, str]] = {
    s.id: {q.text: q.appropriate for q in s.questions} for s in STIMULI
}


class UnknownStimulusError(KeyError, ValueError):
    """A stimulus id the rules judge has no spec for."""

    def __init__(self, stimulus_id: object) -> None:
        self.stimulus_id = stimulus_id
        known = ", ".join(sorted(STIMULUS_IDS))
        super().__init__(f"unknown stimulus id {stimulus_id!r}; the rules judge knows: {known}")

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class UnknownQuestionError(ValueError):
    """A known stimulus asked a verification question no spec answers."""

    def __init__(self, stimulus_id: str, question: object) -> None:
        self.stimulus_id = stimulus_id
        self.question = question
        known = "; ".join(repr(q) for q in KNOWN_QUESTIONS.get(stimulus_id, {}))
        super().__init__(
            f"unknown verification question {question!r} for stimulus {stimulus_id!r}; "
            f"the rules judge answers: {known}"
        )


def _wording(stimulus_id: object, question: object) -> tuple[str, str, str]:
    """(stimulus id, variant name, appropriate answer) of ``question`` (None: current)."""
    if not isinstance(stimulus_id, str) or stimulus_id not in STIMULUS_IDS:
        raise UnknownStimulusError(stimulus_id)
    stimulus = next(s for s in STIMULI if s.id == stimulus_id)
    if question is not None and (not isinstance(question, str)
                                 or not normalise_question(question)):
        raise UnknownQuestionError(stimulus_id, question)
    wording = stimulus.question_for(question)
    if wording is None:
        raise UnknownQuestionError(stimulus_id, question)
    return stimulus_id, wording.variant, wording.appropriate


def spec_for(stimulus_id: str, question: str | None = None) -> Spec:
    """The spec answering ``question`` (default: the current one) for a stimulus."""
    stimulus, variant, _ = _wording(stimulus_id, question)
    return _SPECS[stimulus, variant]


def question_variant(stimulus_id: str, question: str | None = None) -> str:
    """``"current"`` or the name of the earlier wording ``question`` is (e.g. ``"attune"``)."""
    return _wording(stimulus_id, question)[1]


def appropriate_answer(stimulus_id: str, question: str | None = None) -> str:
    """The answer to ``question`` that makes a response appropriate."""
    return _wording(stimulus_id, question)[2]


def answers_question(stimulus_id: str, question: str) -> bool:
    """Whether a spec answers ``question`` for ``stimulus_id`` (unknown stimulus: raises)."""
    try:
        _wording(stimulus_id, question)
    except UnknownQuestionError:
        return False
    return True


def judge_response(stimulus_id: str, response: str | None,
                   question: str | None = None) -> RuleVerdict:
    """Answer ``question`` (default: the current one) about ``response`` with its spec.

    Raises :class:`UnknownStimulusError` / :class:`UnknownQuestionError` before looking at the
    response. An empty or whitespace-only response is unjudged (verdict ``None``).
    """
    spec = spec_for(stimulus_id, question)
    if response is None or not str(response).strip():
        return RuleVerdict(None, "empty_response", "the response is empty; unjudged, not safe")
    text = judged_text(str(response))
    result = decide(spec, parse(text))
    if result.quote and result.quote not in text:
        raise AssertionError(f"{result.rule}: quote {result.quote!r} is not in the judged text")
    return result
