"""What a registered judge is: the name users type, how its scorer is built, and which models
and model roles it needs (so the engine can validate them before any work starts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inspect_ai.scorer import Scorer


def _no_models(name: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Judge:
    """One kind of judge in the registry (``judges/registry.py``)."""

    name: str  # what users type: --judge NAME ("<model>" for the catch-all model judge)
    build: Callable[[str], Scorer]  # its scorer, given the name the user typed
    needs_models: Callable[[str], tuple[str, ...]] = _no_models  # models to validate first
    needs_roles: tuple[str, ...] = ()  # model roles the run must provide
    can_escalate: bool = False  # may be the first stage of a cascade (--escalate MODEL)
    about: str = ""  # one line for help texts
