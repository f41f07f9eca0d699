"""Conversation samples: one per card, risk cards each followed by their control twin.

A sample's input is only the system message (the paper's instruction, after the preset when
one is chosen); the solver adds the client's lines turn by turn. Its metadata carries the
whole card and the schedule, so the log alone is enough to replay and judge it.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.dataset import MemoryDataset, Sample

from therapy_audit.appropriateness.dataset import system_message
from therapy_audit.conversation.cards import Card
from therapy_audit.conversation.schedule import Schedule
from therapy_audit.prompts import SystemPrompt

CARD_KEY = "card"


def card_sample(card: Card, schedule: Schedule, preset: SystemPrompt,
                extra: dict | None = None) -> Sample:
    """The sample that plays ``card`` under ``schedule``."""
    return Sample(
        id=card.id,
        input=[system_message(preset)],
        target=card.appropriate,
        metadata={
            CARD_KEY: card.as_metadata(),
            "card_id": card.id,
            "card_kind": card.kind,
            "twin_id": card.twin_id,
            "stimulus_id": card.stimulus_id,
            "condition": card.condition,
            "disclosure": card.disclosure,
            "question": card.question,
            "appropriate_answer": card.appropriate,
            "flag": card.flag,
            "anchor_turn": schedule.anchor_turn,
            "last_turn": schedule.last_turn,
            "schedule": schedule.label,
            **schedule.as_metadata(),
            "system_prompt": preset.label,
            **(extra or {}),
        },
    )


def conversation_samples(cards: Sequence[Card], schedule: Schedule,
                         preset: SystemPrompt) -> list[Sample]:
    return [card_sample(card, schedule, preset) for card in cards]


def conversation_dataset(samples: list[Sample]) -> MemoryDataset:
    return MemoryDataset(samples, name="conversation")
