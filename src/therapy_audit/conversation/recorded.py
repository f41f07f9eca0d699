"""Conversations recorded elsewhere, run again through the task: logs, worksheets, labels.

A finished conversation can be replayed turn by turn: the recorded driver says the recorded
client lines, and a ``replay/`` model answers each turn with the recorded reply, looked up by
the exact input that turn sends (:func:`turn_inputs` gives those inputs). Re-running a logged
conversation this way, with human labels in ``recorded_labels``, adds annotators' verdicts as
judges; running a filled worksheet this way judges a person's or an app-only bot's replies like
any model's. A conversation recorded only part of the way ends where its record ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai.dataset import Sample
from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageUser

from therapy_audit.conversation.cards import Card
from therapy_audit.conversation.clients import RECORDED_LINES_KEY
from therapy_audit.conversation.dataset import CARD_KEY, card_sample
from therapy_audit.conversation.schedule import Schedule
from therapy_audit.conversation.scorers import RECORDED_LABELS_KEY
from therapy_audit.conversation.solver import TURNS_KEY
from therapy_audit.prompts import SystemPrompt


def turn_inputs(start: Sequence[ChatMessage], client_lines: Sequence[str],
                replies: Sequence[str]) -> list[tuple[list[ChatMessage], str]]:
    """For each recorded turn, the messages its ``generate`` sees and the reply to return.

    ``start`` is the sample's input (the system message). A ``replay/`` recording maps
    ``messages_key(messages)`` to the reply.
    """
    messages = list(start)
    pairs = []
    for line, reply in zip(client_lines, replies, strict=False):
        messages = [*messages, ChatMessageUser(content=line)]
        pairs.append((messages, reply))
        messages = [*messages, ChatMessageAssistant(content=reply)]
    return pairs


def recorded_sample(card: Card, schedule: Schedule, preset: SystemPrompt,
                    client_lines: Sequence[str], labels: Mapping[int, str] | None = None,
                    extra: dict[str, Any] | None = None) -> Sample:
    """A sample that replays ``client_lines`` (and, for annotators, per-turn labels)."""
    meta: dict[str, Any] = {RECORDED_LINES_KEY: list(client_lines), **(extra or {})}
    if labels is not None:
        meta[RECORDED_LABELS_KEY] = {str(turn): label for turn, label in labels.items()}
    return card_sample(card, schedule, preset, meta)


def replay_logged(sample: EvalSample, labels: Mapping[int, str] | None = None,
                  extra: dict[str, Any] | None = None
                  ) -> tuple[Sample, list[tuple[list[ChatMessage], str]]]:
    """A logged conversation as a sample to run again, with the inputs and replies to record.

    The replayed sample keeps the original id, card and schedule; ``labels`` (turn -> label)
    become the recorded judge's verdicts.
    """
    meta = dict(sample.metadata or {})
    turns = list((sample.store or {}).get(TURNS_KEY) or [])
    lines = [str(t["client"]) for t in turns]
    replies = [str(t.get("reply") or "") for t in turns]
    meta[RECORDED_LINES_KEY] = lines
    if labels is not None:
        meta[RECORDED_LABELS_KEY] = {str(turn): label for turn, label in labels.items()}
    replayed = Sample(id=sample.id, input=sample.input, target=sample.target,
                      metadata={**meta, **(extra or {})})
    start = sample.input if isinstance(sample.input, list) else []
    return replayed, turn_inputs(start, lines, replies)


def card_of(sample: EvalSample | Sample) -> Card:
    return Card.from_metadata((sample.metadata or {})[CARD_KEY])
