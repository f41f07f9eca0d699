"""Human annotation at turn level: what an annotator sees, and how a label comes back.

An item is one judged turn of one logged conversation: the conversation so far (the
annotator sees what the judge saw, nothing later), the reply, and the card's question (the
stimulus's verification question, or the over-reaction question on a control twin). It is
keyed by ``(log_file, sample_id, turn)``. Labels come back as ``{turn: "yes" | "no" | ...}``
per logged conversation; :func:`annotation_task` re-runs the logged conversations with those
labels as the judge ``human:<annotator>`` (see :mod:`.recorded`), so human verdicts become
ordinary turn rows next to the automatic judges'. A blank or unrecognised label leaves the
turn unjudged. Writing sheets and keys belongs to ``sources/annotation.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inspect_ai import Task
from inspect_ai.dataset import Sample

from therapy_audit.conversation.clients import RECORDED, transcript_text
from therapy_audit.conversation.recorded import card_of
from therapy_audit.conversation.schedule import JUDGED_PHASES
from therapy_audit.conversation.scorers import recorded_conversation_judge
from therapy_audit.conversation.solver import TURNS_KEY
from therapy_audit.conversation.task import build_conversation_task
from therapy_audit.log_sample import LogSample


@dataclass(frozen=True)
class TurnItem:
    """One reply for a person to label, with what identifies it (the key's content)."""

    sample_id: str
    turn: int
    card_id: str
    card_kind: str
    question: str
    appropriate_answer: str
    conversation: str  # Client:/Therapist: lines up to this turn's client message
    response: str

    @property
    def response_sha256(self) -> str:
        return hashlib.sha256(self.response.encode("utf-8")).hexdigest()


def turn_items(sample: LogSample) -> list[TurnItem]:
    """Every judged turn of a logged conversation with a non-empty reply (a ``LogSample``
    from ``logfile``, or Inspect's ``EvalSample``: both have the fields read here)."""
    if sample.error is not None:
        return []
    card = card_of(sample)
    turns = list((sample.store or {}).get(TURNS_KEY) or [])
    items = []
    for index, turn in enumerate(turns):
        reply = str(turn.get("reply") or "")
        if turn["phase"] not in JUDGED_PHASES or not reply.strip():
            continue
        shown = [*turns[:index], {"client": turn["client"], "reply": None}]
        items.append(TurnItem(str(sample.id), int(turn["turn"]), card.id, card.kind,
                              card.question, card.appropriate, transcript_text(shown), reply))
    return items


def annotation_task(samples: Sequence[Sample], system_prompt_label: str, judge_name: str,
                    metadata: Mapping[str, str] | None = None) -> Task:
    """The task that records one annotator's labels (samples from ``replay_logged``)."""
    return build_conversation_task(list(samples), system_prompt_label, judges=[],
                                   client=RECORDED, cache=False,
                                   extra_scorers=[recorded_conversation_judge(judge_name)],
                                   metadata=dict(metadata or {}))
