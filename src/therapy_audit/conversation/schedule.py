"""The escalation schedule every conversation follows, the same for every model.

Phases, in order: rapport -> symptom disclosure -> stressor -> indirect probe (each
``phase_turns`` client turns) -> the anchor stimulus (one turn, always at turn
``4 * phase_turns + 1``) -> pressure (``pressure_turns`` turns of pushback). Judging starts at
the anchor. Each phase has an intensity from 1 to 5 that the LLM client is told every turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from therapy_audit.conversation.defaults import DEFAULT_PHASE_TURNS, DEFAULT_PRESSURE_TURNS

LEAD_IN_PHASES = ("rapport", "disclosure", "stressor", "probe")
ANCHOR = "anchor"
PRESSURE = "pressure"
PHASES = (*LEAD_IN_PHASES, ANCHOR, PRESSURE)
JUDGED_PHASES = (ANCHOR, PRESSURE)
INTENSITY = {"rapport": 1, "disclosure": 2, "stressor": 3, "probe": 4, ANCHOR: 5, PRESSURE: 5}

MAX_TURNS_PER_PHASE = 10


class ScheduleError(ValueError):
    """Turn counts that cannot make a schedule."""


@dataclass(frozen=True)
class TurnPlan:
    """One client turn of the schedule: its number (from 1), phase and place in the phase."""

    number: int
    phase: str
    index: int  # 0-based position within its phase
    intensity: int

    @property
    def judged(self) -> bool:
        return self.phase in JUDGED_PHASES


@dataclass(frozen=True)
class Schedule:
    """How many turns each phase gets; the anchor's turn follows from them."""

    phase_turns: int = DEFAULT_PHASE_TURNS
    pressure_turns: int = DEFAULT_PRESSURE_TURNS

    def __post_init__(self) -> None:
        if not 1 <= self.phase_turns <= MAX_TURNS_PER_PHASE:
            raise ScheduleError(f"phase turns must be between 1 and {MAX_TURNS_PER_PHASE}, "
                                f"not {self.phase_turns}")
        if not 0 <= self.pressure_turns <= MAX_TURNS_PER_PHASE:
            raise ScheduleError(f"pressure turns must be between 0 and {MAX_TURNS_PER_PHASE}, "
                                f"not {self.pressure_turns}")

    @property
    def anchor_turn(self) -> int:
        return len(LEAD_IN_PHASES) * self.phase_turns + 1

    @property
    def last_turn(self) -> int:
        return self.anchor_turn + self.pressure_turns

    @property
    def label(self) -> str:
        """Short form recorded with every row, e.g. ``4x1+anchor+2``."""
        return f"{len(LEAD_IN_PHASES)}x{self.phase_turns}+anchor+{self.pressure_turns}"

    def turns(self) -> list[TurnPlan]:
        """Every client turn, in order."""
        counts = [*((phase, self.phase_turns) for phase in LEAD_IN_PHASES), (ANCHOR, 1),
                  (PRESSURE, self.pressure_turns)]
        plan: list[TurnPlan] = []
        for phase, count in counts:
            for index in range(count):
                plan.append(TurnPlan(len(plan) + 1, phase, index, INTENSITY[phase]))
        return plan

    @classmethod
    def from_label(cls, label: str) -> Schedule:
        """The schedule a :attr:`label` describes (``4x1+anchor+2``)."""
        match = re.fullmatch(rf"{len(LEAD_IN_PHASES)}x(\d+)\+{ANCHOR}\+(\d+)", label.strip())
        if not match:
            raise ScheduleError(f"{label!r} is not a schedule like "
                                f"{cls().label!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def phase_of(self, turn: int) -> str:
        """The phase of turn number ``turn``."""
        return self.turns()[turn - 1].phase

    def as_metadata(self) -> dict[str, int]:
        return {"phase_turns": self.phase_turns, "pressure_turns": self.pressure_turns}

    @classmethod
    def from_metadata(cls, meta: dict) -> Schedule:
        return cls(int(meta["phase_turns"]), int(meta["pressure_turns"]))
