"""Persona cards: the simulated clients of the conversation experiment, read from YAML.

One file holds a risk persona and its control twin. The risk card names one of the paper's
ten stimuli by id; the stimulus text, its condition, verification question and appropriate
answer are read from :mod:`therapy_audit.appropriateness.stimuli` (one home for each fact),
so a card holds only its own words: a short background, how the client reacts to pushback or
referral, and the client's lines for each phase of the schedule. The control twin makes the
same surface request with no risk (its own ``anchor`` line) and is judged for over-reaction.

Every problem with a file is reported in one line naming the file and the field
(:class:`PersonaError`). The built-in cards are synthetic, written for this project, CC0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID, STIMULUS_IDS, Stimulus
from therapy_audit.conversation.defaults import ALL_BUILTIN, BUILTIN, DEFAULT_PERSONAS
from therapy_audit.conversation.evidence import FAILURE_FLAG, OVER_REACTION
from therapy_audit.conversation.overreaction import (
    OVER_REACTION_APPROPRIATE,
    OVER_REACTION_QUESTION,
)

RISK = "risk"
CONTROL = "control"
DISCLOSURES = ("explicit", "implicit")
LINE_KEYS = ("rapport", "disclosure", "stressor", "probe", "pushback")
LICENCE = "CC0-1.0"
MAX_LINE = 600
_TOP_FIELDS = {"id", "synthetic", "licence", "stimulus", "disclosure", "background",
               "pushback_style", "lines", "control"}
_CONTROL_FIELDS = {"background", "pushback_style", "anchor", "lines"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PersonaError(ValueError):
    """A persona file that cannot be used: ``<file>: <field>: <problem>``."""

    def __init__(self, source: str, field_name: str, problem: str) -> None:
        super().__init__(f"persona file {source}: field {field_name}: {problem}")


@dataclass(frozen=True)
class Card:
    """One simulated client: a risk persona or its control twin."""

    id: str
    kind: str  # RISK or CONTROL
    twin_id: str
    stimulus_id: str
    disclosure: str  # explicit | implicit (a control twin keeps its risk card's style)
    background: str
    pushback_style: str
    lines: Mapping[str, tuple[str, ...]]
    control_anchor: str = ""  # a control twin's own request; empty for a risk card
    source: str = field(default="", compare=False)

    @property
    def stimulus(self) -> Stimulus:
        return STIMULI_BY_ID[self.stimulus_id]

    @property
    def condition(self) -> str:
        return self.stimulus.condition

    @property
    def anchor(self) -> str:
        """What the client says at the anchor turn: the paper's stimulus, verbatim, or the
        control twin's request."""
        return self.stimulus.query if self.kind == RISK else self.control_anchor

    @property
    def question(self) -> str:
        return self.stimulus.question if self.kind == RISK else OVER_REACTION_QUESTION

    @property
    def appropriate(self) -> str:
        return self.stimulus.appropriate if self.kind == RISK else OVER_REACTION_APPROPRIATE

    @property
    def flag(self) -> str:
        """What a failed turn of this card is flagged as."""
        return FAILURE_FLAG[self.stimulus_id] if self.kind == RISK else OVER_REACTION

    def as_metadata(self) -> dict[str, Any]:
        """Everything needed to play and judge the card, for a sample's metadata."""
        return {"id": self.id, "kind": self.kind, "twin_id": self.twin_id,
                "stimulus_id": self.stimulus_id, "disclosure": self.disclosure,
                "background": self.background, "pushback_style": self.pushback_style,
                "lines": {k: list(v) for k, v in self.lines.items()},
                "control_anchor": self.control_anchor, "source": self.source}

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any]) -> Card:
        return cls(meta["id"], meta["kind"], meta["twin_id"], meta["stimulus_id"],
                   meta["disclosure"], meta["background"], meta["pushback_style"],
                   {k: tuple(v) for k, v in meta["lines"].items()},
                   meta.get("control_anchor", ""), meta.get("source", ""))


# --- reading one file ----------------------------------------------------------------------


def _text(source: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PersonaError(source, name, "must be non-empty text")
    text = " ".join(value.split())
    if len(text) > MAX_LINE:
        raise PersonaError(source, name, f"is {len(text)} characters long; at most {MAX_LINE}")
    return text


def _fields(source: str, prefix: str, raw: Any, allowed: set[str]) -> dict[str, Any]:
    where = prefix.rstrip(".") or "(top level)"
    if not isinstance(raw, dict):
        raise PersonaError(source, where, "must be a mapping of field: value")
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise PersonaError(source, f"{prefix}{unknown[0]}", "unknown field")
    missing = sorted(allowed - set(raw))
    if missing:
        raise PersonaError(source, f"{prefix}{missing[0]}", "missing")
    return raw


def _lines(source: str, prefix: str, raw: Any) -> dict[str, tuple[str, ...]]:
    lines = _fields(source, prefix, raw, set(LINE_KEYS))
    out = {}
    for key in LINE_KEYS:
        value = lines[key]
        if not isinstance(value, list) or not value:
            raise PersonaError(source, f"{prefix}{key}", "must be a list of one or more lines")
        out[key] = tuple(_text(source, f"{prefix}{key}[{i}]", v) for i, v in enumerate(value))
    return out


def _header(source: str, raw: dict[str, Any]) -> tuple[str, str, str]:
    card_id = raw["id"]
    if not isinstance(card_id, str) or not _ID.match(card_id):
        raise PersonaError(source, "id", "must be lower-case letters, digits and hyphens")
    if raw["synthetic"] is not True:
        raise PersonaError(source, "synthetic", "must be true: cards describe no real person")
    if raw["licence"] != LICENCE:
        raise PersonaError(source, "licence", f"must be {LICENCE}")
    if raw["stimulus"] not in STIMULUS_IDS:
        raise PersonaError(source, "stimulus",
                           f"{raw['stimulus']!r} is not one of {', '.join(STIMULUS_IDS)}")
    if raw["disclosure"] not in DISCLOSURES:
        raise PersonaError(source, "disclosure",
                           f"{raw['disclosure']!r} is not one of {', '.join(DISCLOSURES)}")
    return card_id, raw["stimulus"], raw["disclosure"]


def parse_card_file(source: str, data: Any) -> tuple[Card, Card]:
    """The risk card and its control twin described by one file's parsed YAML."""
    raw = _fields(source, "", data, _TOP_FIELDS)
    card_id, stimulus_id, disclosure = _header(source, raw)
    control = _fields(source, "control.", raw["control"], _CONTROL_FIELDS)
    control_id = f"{card_id}-control"
    risk = Card(card_id, RISK, control_id, stimulus_id, disclosure,
                _text(source, "background", raw["background"]),
                _text(source, "pushback_style", raw["pushback_style"]),
                _lines(source, "lines.", raw["lines"]), source=source)
    twin = Card(control_id, CONTROL, card_id, stimulus_id, disclosure,
                _text(source, "control.background", control["background"]),
                _text(source, "control.pushback_style", control["pushback_style"]),
                _lines(source, "control.lines.", control["lines"]),
                _text(source, "control.anchor", control["anchor"]), source=source)
    if " ".join(twin.anchor.split()).lower() == " ".join(risk.anchor.split()).lower():
        raise PersonaError(source, "control.anchor",
                           "is the risk stimulus itself; a control twin's request has no risk")
    return risk, twin


def read_card_file(path: Path) -> tuple[Card, Card]:
    """Read and check one persona file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PersonaError(source, "(file)", f"is not UTF-8 text (byte {err.start})") from err
    except OSError as err:
        raise PersonaError(source, "(file)", f"cannot be read: {err.strerror}") from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        problem = " ".join(str(getattr(err, "problem", None) or err).split())
        raise PersonaError(source, where, f"is not valid YAML: {problem}") from err
    return parse_card_file(source, data)


# --- choosing cards ------------------------------------------------------------------------


def builtin_dir() -> Path:
    return Path(str(resources.files("therapy_audit") / "data" / "personas"))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise PersonaError(str(path), "(directory)", "holds no .yaml persona files")
        return files
    if path.is_file():
        return [path]
    raise PersonaError(str(path), "(path)", "is neither 'default', 'all', a file nor a folder")


def read_cards(paths: Iterable[Path]) -> list[Card]:
    """Risk cards and their twins from ``paths``, each risk card followed by its twin."""
    cards: list[Card] = []
    seen: dict[str, str] = {}
    for path in paths:
        for card in read_card_file(path):
            if card.id in seen:
                raise PersonaError(path.name, "id",
                                   f"{card.id!r} is also the id of a card in {seen[card.id]}")
            seen[card.id] = path.name
            cards.append(card)
    return cards


def load_cards(spec: str = BUILTIN) -> list[Card]:
    """``default`` (the default subset), ``all`` (every built-in card), or a file or folder."""
    if spec in (BUILTIN, ALL_BUILTIN):
        cards = read_cards(_files(builtin_dir()))
        if spec == BUILTIN:
            wanted = set(DEFAULT_PERSONAS)
            cards = [c for c in cards if (c.id if c.kind == RISK else c.twin_id) in wanted]
        return cards
    return read_cards(_files(Path(spec)))
