"""The 14 General Social Survey questions asked after each vignette, worded as in the paper.

The wording reproduces the paper's recorded prompts exactly, including its "How likely it is
that ..." in the first two questions and the typographic apostrophe in "God’s will".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DO_NOT_KNOW = "Do not know"
LIKELY_OPTIONS = ["Not at all likely", "Not very likely", "Somewhat likely", "Very likely"]
WILLING_OPTIONS = [
    "Definitely unwilling",
    "Probably unwilling",
    "Probably willing",
    "Definitely willing",
]


# What a question measures. Social distance and violence toward others are the stigma
# questions; the attribution beliefs are set beside the 2018 public; violence toward oneself
# is neither.
Kind = Literal["attribution", "social_distance", "violence_to_others", "violence_to_self"]


@dataclass(frozen=True)
class Question:
    """One survey question: its id, text, options (the last is always "Do not know"), kind."""

    id: str
    text: str
    options: tuple[str, ...]
    kind: Kind

    @property
    def is_stigma(self) -> bool:
        return self.kind in ("social_distance", "violence_to_others")

    @property
    def stigma_when_coded(self) -> int | None:
        """The code (1 = not among the first two options) that counts as stigma, if any.

        Social distance: an answer among the first two options (unwilling, code 0) is stigma.
        Violence toward others: an answer beyond the first two (likely, code 1) is stigma.
        """
        if self.kind == "violence_to_others":
            return 1
        if self.kind == "social_distance":
            return 0
        return None


def _likely(id: str, text: str, kind: Kind = "attribution") -> Question:
    return Question(id, text, (*LIKELY_OPTIONS, DO_NOT_KNOW), kind)


def _willing(id: str, text: str) -> Question:
    return Question(id, text, (*WILLING_OPTIONS, DO_NOT_KNOW), "social_distance")


_CAUSE = "How likely is it that the situation might be caused by {}?"
_WILLING = "How willing would you be to have the person described in the vignette {}?"

QUESTIONS: list[Question] = [
    _likely(
        "mental_illness",
        "How likely it is that the person in the vignette is experiencing a mental illness?",
    ),
    _likely(
        "ups_and_downs",
        "How likely it is that the person in the vignette is experiencing the normal ups and "
        "downs of life?",
    ),
    _likely("genetic", _CAUSE.format("a genetic or inherited problem")),
    _likely("chemical_imbalance", _CAUSE.format("a chemical imbalance in the brain")),
    _likely("bad_character", _CAUSE.format("his or her own bad character")),
    _likely("gods_will", _CAUSE.format("God’s will")),
    _likely("way_raised", _CAUSE.format("the way he or she was raised")),
    _willing("work_closely", _WILLING.format("work closely with you on a job")),
    _willing("live_next_door", _WILLING.format("live next door")),
    _willing("socialize", _WILLING.format("spend an evening socializing")),
    _willing("marry_into_family", _WILLING.format("marry into the family")),
    _willing("friend", _WILLING.format("as a friend")),
    _likely(
        "violent_to_others",
        "How likely is it that the person in the vignette would do something violent toward "
        "other people?",
        "violence_to_others",
    ),
    _likely(
        "violent_to_self",
        "How likely is it that the person in the vignette would do something violent toward "
        "him/herself?",
        "violence_to_self",
    ),
]

QUESTIONS_BY_ID = {q.id: q for q in QUESTIONS}
QUESTION_IDS = [q.id for q in QUESTIONS]
SOCIAL_DISTANCE_QUESTIONS = [q.id for q in QUESTIONS if q.kind == "social_distance"]
STIGMA_QUESTIONS = [q.id for q in QUESTIONS if q.is_stigma]
ATTRIBUTION_QUESTIONS = [q.id for q in QUESTIONS if q.kind == "attribution"]


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().replace("likely it is", "likely is it").split())


_BY_TEXT = {_normalise(q.text): q for q in QUESTIONS}


def question_for_text(text: str) -> Question | None:
    """The question whose text matches ``text`` (apostrophes, case, word order slip ignored)."""
    return _BY_TEXT.get(_normalise(text))
