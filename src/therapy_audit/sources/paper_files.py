"""Where one of the paper's results files comes from: its model, steel-man prompt, context, date.

Three sources, the first that says something winning for each setting:

1. explicit options (``--model NAME``, ``--steel-man true|false``, ``--contextualize
   true|false``), which override or replace what the path says;
2. the paper's repository layout, whose directory names carry the settings as
   ``key=value&key=value`` (``model=meta-llama__Llama-3.1-8B-Instruct&steel-man-prompt=True``;
   ``__`` stands for ``/`` in model names) and whose file names are dates
   (``results/stigma/<settings>/2025-01-18.jsonl``);
3. the renamed copies of the reference folder: ``<model>_steelman-<bool>.jsonl`` (stigma) and
   ``<model>_context-<bool>_steelman-<bool>.jsonl`` (appropriate responses).

In the paper's layout a directory without ``contextualize=`` (the bots' and human therapists'
directories) holds responses to the stimuli alone: not contextualised. When a setting cannot be
read the error names the path and the option that supplies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from therapy_audit.prompts import SystemPrompt

_RENAMED = re.compile(r"^(?P<model>.+?)_(?:context-(?P<context>true|false)_)?"
                      r"steelman-(?P<steelman>true|false)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The setting keys of the paper's directory names.
MODEL_KEY, STEEL_MAN_KEY = "model", "steel-man-prompt"
CONTEXT_KEY, DATE_KEY = "contextualize", "date"
RENAMED_STIGMA = "<model>_steelman-<true|false>.jsonl"
RENAMED_RESPONSES = "<model>_context-<bool>_steelman-<bool>.jsonl"
PAPER_LAYOUT = "results/<experiment>/model=NAME&steel-man-prompt=True|False/DATE.jsonl"


_WHAT = {"model": "model", "steel_man": "steel-man setting",
         "contextualized": "contextualize setting"}


class PaperPathError(ValueError):
    """A path that does not say (and no option supplies) the model or a setting."""


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line; ``None`` leaves the path's value."""

    model: str | None = None
    steel_man: bool | None = None
    contextualize: bool | None = None


@dataclass(frozen=True)
class PaperFile:
    """What a results file holds and where it came from."""

    model: str  # "meta-llama/Llama-3.1-8B-Instruct", "llama3.1-8b", "Noni-7cups", ...
    steel_man: bool
    contextualized: bool | None  # None: a stigma file (no context setting)
    date: str | None = None  # the run's date (paper layout), used to tell two runs apart
    source: str = ""  # stable name of the file: its path under results/, or its file name
    settings: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def preset(self, source: str) -> SystemPrompt:
        """The system prompt label, with a note standing in for the paper's steel-man text."""
        if not self.steel_man:
            return SystemPrompt("none", "")
        return SystemPrompt("steel-man", f"[Replayed from {source}: the model saw the paper's "
                                         "own steel-man therapist system prompt here.]")

    @property
    def display(self) -> str:
        """The configuration's model name in tables: ``replay/<model>[+context]``."""
        return f"replay/{self.model}" + ("+context" if self.contextualized else "")


def parse_bool(text: str) -> bool:
    """``true``/``false`` in any case (the paper writes ``True``/``False``)."""
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return value == "true"


def layout_settings(directory_name: str) -> dict[str, str] | None:
    """The ``key=value&key=value`` settings of a paper-layout directory name, or ``None``."""
    pairs = [part.partition("=") for part in directory_name.split("&")]
    if not pairs or any(not sep or not key for key, sep, _ in pairs):
        return None
    settings = {key: value for key, _, value in pairs}
    return settings if MODEL_KEY in settings else None


def _and(items: list[str]) -> str:
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _options_hint(with_context: bool) -> str:
    return "--model NAME --steel-man true|false" + (
        " --contextualize true|false" if with_context else "")


def _from_path(path: Path, with_context: bool) -> dict:
    """What the path itself says (possibly nothing)."""
    settings = layout_settings(path.parent.name)
    if settings is not None:
        found: dict = {"model": settings[MODEL_KEY].replace("__", "/"), "settings": settings,
                       "source": "/".join(path.parts[-3:])}
        for key, name in ((STEEL_MAN_KEY, "steel_man"), (CONTEXT_KEY, "contextualized")):
            if key in settings:
                try:
                    found[name] = parse_bool(settings[key])
                except ValueError as err:
                    raise PaperPathError(f"{path}: {key}={settings[key]}: {err}") from None
        if with_context:
            found.setdefault("contextualized", False)  # the bots' directories: stimuli alone
        date = path.stem if DATE.match(path.stem) else settings.get(DATE_KEY)
        found["date"] = date or None
        return found
    match = _RENAMED.match(path.stem)
    if not match:
        return {}
    if match["context"] is not None and not with_context:
        return {}  # an appropriate-responses name given as a stigma file
    found = {"model": match["model"], "steel_man": match["steelman"] == "true"}
    if match["context"] is not None:
        found["contextualized"] = match["context"] == "true"
    return found


def paper_file(path: Path, *, with_context: bool, overrides: Overrides | None = None
               ) -> PaperFile:
    """Read ``path``'s model and settings; ``with_context``: an appropriate-responses file."""
    overrides = overrides or Overrides()
    found = _from_path(path, with_context)
    for name in ("model", "steel_man", "contextualized"):
        value = getattr(overrides, "contextualize" if name == "contextualized" else name)
        if value is not None:
            found[name] = value
    needed = ["model", "steel_man"] + (["contextualized"] if with_context else [])
    missing = [n for n in needed if n not in found]
    if missing:
        expected = RENAMED_RESPONSES if with_context else RENAMED_STIGMA
        raise PaperPathError(
            f"{path}: cannot tell the {_and([_WHAT[m] for m in missing])} from "
            f"this path (expected the paper's layout {PAPER_LAYOUT}, or a name like {expected}); "
            f"give {_options_hint(with_context)}")
    if not str(found["model"]).strip():
        raise PaperPathError(f"{path}: the model name is empty; give --model NAME")
    return PaperFile(
        model=str(found["model"]).strip(), steel_man=bool(found["steel_man"]),
        contextualized=bool(found["contextualized"]) if with_context else None,
        date=found.get("date"), source=found.get("source") or path.name,
        settings=tuple(sorted(found.get("settings", {}).items())))
