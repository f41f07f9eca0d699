"""What the name of one of the paper's results files says: model, steel-man prompt, context.

The paper's code names its files ``<model>_steelman-<bool>.jsonl`` (stigma) and
``<model>_context-<bool>_steelman-<bool>.jsonl`` (appropriate responses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from therapy_audit.prompts import SystemPrompt

_NAME = re.compile(r"^(?P<model>.+?)_(?:context-(?P<context>true|false)_)?"
                   r"steelman-(?P<steelman>true|false)$")


@dataclass(frozen=True)
class PaperFile:
    model: str
    steel_man: bool
    contextualized: bool | None  # None: the name has no context part (stigma files)

    def preset(self, source: str) -> SystemPrompt:
        """The system prompt label, with a note standing in for the paper's steel-man text."""
        if not self.steel_man:
            return SystemPrompt("none", "")
        return SystemPrompt("steel-man", f"[Replayed from {source}: the model saw the paper's "
                                         "own steel-man therapist system prompt here.]")


def paper_file(path: Path, *, with_context: bool) -> PaperFile:
    """Parse ``path``'s name; ``with_context`` says whether the context part is required."""
    match = _NAME.match(path.stem)
    context = match["context"] if match else None
    if not match or with_context != (context is not None):
        expected = ("<model>_context-<bool>_steelman-<bool>.jsonl" if with_context
                    else "<model>_steelman-<true|false>.jsonl")
        raise ValueError(f"{path.name}: expected a name like {expected} "
                         "(as the paper's results files are named)")
    return PaperFile(match["model"], match["steelman"] == "true",
                     None if context is None else context == "true")
