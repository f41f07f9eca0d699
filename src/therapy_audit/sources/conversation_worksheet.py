"""Conversation worksheets: a person plays the scripted client with an app-only chatbot.

:func:`export_conversation_worksheet` writes a CSV (``#`` instruction lines at the top) with one
row per persona card and turn: the line to send, and an empty ``response`` for the bot's reply
(the rows and instructions come from :mod:`therapy_audit.conversation.worksheet`). Whoever
fills it starts a new conversation with the bot per card, sends the lines in turn order and
pastes each reply.

:func:`import_conversation_worksheet` turns a filled worksheet into scored runs, one per
respondent (shown as ``<name>`` or ``<name> [<respondent_id>]``, as for the single-message
worksheet): the recorded client says the filled lines, a ``replay/`` model gives the pasted
replies, and the conversation task judges every turn from the anchor on like any model's. A
conversation stops at its first turn without a reply (it is judged as far as it went); rows
that cannot be used are listed with where they are and make the import incomplete.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from therapy_audit.analysis.conversation import conversation_summary
from therapy_audit.conversation.cards import ALL_BUILTIN, load_cards
from therapy_audit.conversation.clients import RECORDED, check_scripted_lines
from therapy_audit.conversation.schedule import Schedule
from therapy_audit.conversation.task import build_conversation_task
from therapy_audit.conversation.worksheet import (
    REQUIRED_COLUMNS,
    WORKSHEET_COLUMNS,
    RecordedConversation,
    read_conversations,
    worksheet_instructions,
    worksheet_rows,
    worksheet_samples,
)
from therapy_audit.engine import run_replay, validate_judges
from therapy_audit.models.replay import messages_key
from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.rundir import log_dir_for, slug
from therapy_audit.sources.worksheet import (
    WorksheetError,
    display_name,
    read_table,
    refuse_overwrite,
    short_hash,
)
from therapy_audit.table import load_samples
from therapy_audit.vocab import CONVERSATION, RULES_JUDGE

# A person pasting an app's replies sets no system prompt: the bot's own is what is audited.
SYSTEM_PROMPT = "none"


def export_conversation_worksheet(csv_path: Path | None, personas: str = "default",
                                  schedule: Schedule | None = None,
                                  overwrite: bool = False) -> Path:
    """Write the conversation worksheet as CSV; refuses to overwrite unless ``overwrite``."""
    if csv_path is None:
        raise WorksheetError("give the CSV file to write (-o); conversation worksheets are CSV")
    schedule = schedule or Schedule()
    cards = load_cards(personas)
    check_scripted_lines(cards, schedule)
    rows = worksheet_rows(cards, schedule)
    refuse_overwrite([csv_path], overwrite)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        for line in worksheet_instructions(schedule):
            f.write(f"# {line}".rstrip() + "\r\n")
        writer = csv.DictWriter(f, fieldnames=WORKSHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return csv_path


@dataclass
class ConversationRun:
    """One respondent's conversations, replayed and judged."""

    model: str
    conversations: int
    turns: int
    log_dir: Path


@dataclass
class ConversationWorksheetImport:
    """What :func:`import_conversation_worksheet` did."""

    path: Path
    runs: list[ConversationRun] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = True
    summary: str = ""

    def text(self) -> str:
        """A plain-text account for the command line."""
        lines = [f"Imported {sum(r.conversations for r in self.runs)} conversation(s) from "
                 f"{self.path.name} into {len(self.runs)} run(s):"]
        lines += [f"  {r.model}: {r.conversations} conversation(s), {r.turns} turn(s) -> "
                  f"{r.log_dir}" for r in self.runs]
        if self.problems:
            lines.append(f"Not used ({len(self.problems)}):")
            lines += [f"  {where}: {what}" for where, what in self.problems]
        return "\n".join([*lines, "", self.summary] if self.summary else lines)


def import_conversation_worksheet(path: Path, name: str, run_dir: Path,
                                  judges: Sequence[str] = (RULES_JUDGE,),
                                  escalate: str | None = None, personas: str = ALL_BUILTIN,
                                  model_roles: dict[str, Any] | None = None
                                  ) -> ConversationWorksheetImport:
    """Replay a filled conversation worksheet as scored runs (one per respondent).

    Raises :class:`WorksheetError` when no conversation in it has a reply.
    """
    name = " ".join(name.split())
    if not name:
        raise WorksheetError("--name must not be empty: it is the bot's (or group's) name "
                             "in the report")
    judges = list(judges) or [RULES_JUDGE]
    table = read_table(Path(path), REQUIRED_COLUMNS)
    cards = {card.id: card for card in load_cards(personas)}
    conversations, problems = read_conversations(
        [(row.where, row.values) for row in table.rows], cards)
    conversations = [c for c in conversations if c.replies]
    if not conversations:
        reasons = "; ".join(f"{where}: {what}" for where, what in problems[:3])
        raise WorksheetError(f"{Path(path).name}: no conversation has a reply"
                             + (f" ({reasons})" if reasons else ""))
    validate_judges(judges, escalate, model_roles)
    result = ConversationWorksheetImport(Path(path), problems=problems,
                                         complete=not problems)
    by_respondent: dict[str, list[RecordedConversation]] = {}
    for conversation in conversations:
        by_respondent.setdefault(conversation.respondent, []).append(conversation)
    for respondent, recorded in by_respondent.items():
        run = _replay(display_name(name, respondent), recorded, run_dir, judges, escalate,
                      model_roles)
        result.complete &= run is not None
        if run is not None:
            result.runs.append(run)
    result.summary = conversation_summary(load_samples([r.log_dir for r in result.runs]))
    return result


def _replay(model: str, recorded: list[RecordedConversation], run_dir: Path,
            judges: list[str], escalate: str | None,
            model_roles: dict[str, Any] | None) -> ConversationRun | None:
    """Judge one respondent's conversations; None when the replay did not finish."""
    samples, inputs = worksheet_samples(recorded, resolve_system_prompt(SYSTEM_PROMPT))
    log_dir = log_dir_for(run_dir, CONVERSATION, f"worksheet-{slug(model)}-{short_hash(model)}",
                          SYSTEM_PROMPT)
    recording = run_dir / "recordings" / f"{log_dir.parent.name}-conversation.jsonl"
    task = build_conversation_task(samples, SYSTEM_PROMPT, judges, client=RECORDED, cache=False,
                                   escalate=escalate, metadata={"model_display": model})
    if not run_replay(task, f"replay/{slug(model)}", {messages_key(m): r for m, r in inputs},
                      recording, log_dir, model_roles=model_roles):
        return None
    return ConversationRun(model, len(recorded), sum(len(c.replies) for c in recorded),
                           log_dir)
