"""How Inspect's chat messages become what a bot is sent, and how its reply is read back. Only
text user and assistant turns can be sent (system messages aside). A ``stateless`` bot takes the
whole conversation every call as ``{{messages}}`` (roles renamed via ``roles``; system messages
sent as the system role, prepended to the first user message, dropped, or given as
``{{system}}``). A ``stateful`` bot keeps the conversation on its side, so it is replayed: each
client (user) message is sent in order and the bot's reply awaited. It cannot be made to *say* a
prefilled clinician/assistant turn of the input (a transcript context or a multi-turn stimulus),
so **a stateful bot sees its own replies, not the transcript's clinician turns**: each prefilled
assistant turn is replaced by what the bot actually answered, and the output metadata
(``metadata["httpbot"]["replaced_turns"]``) lists every replaced turn with the prefilled text and
the bot's real reply, counted in ``replaced_assistant_turns``. Consecutive user messages are
merged into one message (no bot turn is invented between them); assistant turns before the first
user message cannot be replayed and are counted in ``unreplayable_assistant_turns``; system
messages are prepended to the first user message or dropped. The reply is the text at
``reply_path``; a missing, non-text or empty reply is an :class:`HttpBotError`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser

from therapy_audit.models.httpbot.config import BotConfig
from therapy_audit.models.httpbot.errors import HttpBotError
from therapy_audit.models.httpbot.secrets import Secrets
from therapy_audit.models.httpbot.templating import MISSING, lookup


@dataclass(frozen=True)
class Conversation:
    """An input split for a chatbot: the joined system text and the user/assistant turns."""

    system: str
    turns: list[tuple[int, ChatMessage]]
    """(index in the input, message) of every user and assistant message, in order."""
    system_messages: int

    @property
    def messages(self) -> list[ChatMessage]:
        return [message for _, message in self.turns]

    def meta(self, bot: BotConfig) -> dict[str, Any]:
        """The output metadata about system messages and prefilled turns."""
        return {
            "system": bot.system if self.system_messages else "none",
            "system_messages": self.system_messages,
            "prefilled_assistant_turns": sum(1 for m in self.messages if m.role == "assistant"),
        }


@dataclass(frozen=True)
class ReplayPlan:
    """What a stateful bot is sent: a text per turn, and the prefilled turns its reply replaces."""

    conversation: Conversation
    turns: list[tuple[str, list[tuple[int, str]]]]
    """(text to send, [(input index, prefilled assistant text), ...]) per turn."""
    merged_user_messages: int
    unreplayable_assistant_turns: int

    def meta(self, bot: BotConfig, session_id: str, replaced: list[dict[str, Any]]) -> dict:
        """The output metadata of the replay (``session_id`` already scrubbed)."""
        return {
            "mode": "stateful",
            "session_id": session_id,
            "user_turns_sent": len(self.turns),
            "merged_user_messages": self.merged_user_messages,
            **self.conversation.meta(bot),
            "replaced_assistant_turns": len(replaced),
            "replaced_turns": replaced,
            "unreplayable_assistant_turns": self.unreplayable_assistant_turns,
        }


def split_system(input: list[ChatMessage]) -> Conversation:
    """Join the system texts and keep the user/assistant turns; refuse anything else."""
    system_texts: list[str] = []
    turns: list[tuple[int, ChatMessage]] = []
    for index, message in enumerate(input):
        _check_text_only(index, message)
        if isinstance(message, ChatMessageSystem):
            system_texts.append(message.text)
        elif isinstance(message, ChatMessageUser | ChatMessageAssistant):
            turns.append((index, message))
        else:
            raise HttpBotError(
                "unsupported_input",
                f"message {index} has role '{message.role}'; a chatbot takes user and "
                "assistant turns only",
            )
    return Conversation("\n\n".join(t for t in system_texts if t), turns, len(system_texts))


def placeholder_values(bot: BotConfig, system: str, **extra: Any) -> dict[str, Any]:
    """The ``{{placeholder}}`` values of one request (``{{system}}`` empty when dropped)."""
    values: dict[str, Any] = {"system": "" if bot.system == "drop" else system}
    values.update(extra)
    return values


def stateless_request(bot: BotConfig, input: list[ChatMessage]) -> tuple[dict, dict[str, Any]]:
    """The placeholder values of the one request to a stateless bot, and its output metadata."""
    conversation = split_system(input)
    others = conversation.messages
    messages = _with_roles(bot, conversation.system, others)
    if not any(m.role == "user" for m in others):
        raise HttpBotError("unsupported_input", "the conversation has no user message")
    if "messages" not in bot.body_placeholders and len(others) > 1:
        raise HttpBotError(
            "unsupported_input",
            f"this bot config sends only '{{{{message}}}}', but the input has "
            f"{len(others)} turns; use '{{{{messages}}}}' or mode = 'stateful'",
        )
    last_user = messages[max(i for i, m in enumerate(messages) if m["role"] == bot.roles["user"])]
    values = placeholder_values(
        bot, conversation.system, messages=messages, message=last_user["content"]
    )
    meta = {
        "mode": "stateless",
        "messages_sent": len(messages),
        **conversation.meta(bot),
        "replaced_assistant_turns": 0,
        "replaced_turns": [],
    }
    return values, meta


def replay_plan(bot: BotConfig, input: list[ChatMessage]) -> ReplayPlan:
    """Group the input into the turns a stateful bot is sent (see the module docstring)."""
    conversation = split_system(input)
    others = conversation.messages
    if not others or others[-1].role != "user":
        raise HttpBotError(
            "unsupported_input",
            "a stateful bot needs the conversation to end with a user message",
        )
    # each user group is sent; the assistant turns after it get replaced
    unreplayable = 0
    while (
        unreplayable < len(conversation.turns)
        and conversation.turns[unreplayable][1].role == "assistant"
    ):
        unreplayable += 1
    groups: list[tuple[list[str], list[tuple[int, str]]]] = []
    for index, message in conversation.turns[unreplayable:]:
        if message.role == "user":
            if groups and not groups[-1][1]:
                groups[-1][0].append(message.text)
            else:
                groups.append(([message.text], []))
        else:
            groups[-1][1].append((index, message.text))
    prepend = conversation.system if bot.system == "prepend" else ""
    turns = []
    for number, (user_texts, prefilled) in enumerate(groups):
        text = "\n\n".join(user_texts)
        if number == 0 and prepend:
            text = f"{prepend}\n\n{text}"
        turns.append((text, prefilled))
    merged = sum(len(users) - 1 for users, _ in groups)
    return ReplayPlan(conversation, turns, merged, unreplayable)


def replaced_turns(
    prefilled: list[tuple[int, str]], reply: str, secrets: Secrets
) -> list[dict[str, Any]]:
    """The metadata records of the prefilled assistant turns that ``reply`` replaced."""
    return [
        {
            "input_index": index,
            "prefilled": prefilled_text,
            "bot_reply": secrets.scrub_text(reply),
            "same_text": prefilled_text.strip() == reply.strip(),
        }
        for index, prefilled_text in prefilled
    ]


def extract_reply(bot: BotConfig, secrets: Secrets, data: Any) -> str:
    """The reply text at ``reply_path``; an error when it is missing, not text or empty."""
    value = lookup(data, bot.reply_path)
    where = f"reply_path '{bot.reply_path_text}'"
    if value is MISSING:
        raise HttpBotError(
            "missing_reply",
            f"the response has nothing at {where}: {secrets.excerpt(json.dumps(data))}",
        )
    if not isinstance(value, str):
        raise HttpBotError(
            "non_text_reply",
            f"the value at {where} is {type(value).__name__}, not text: "
            f"{secrets.excerpt(json.dumps(value))}",
        )
    if not value.strip():
        raise HttpBotError(
            "empty_reply",
            f"the bot returned an empty reply at {where} (an error, not a safe answer)",
        )
    return value


def _check_text_only(index: int, message: ChatMessage) -> None:
    if isinstance(message.content, list):
        kinds = {c.type for c in message.content if c.type not in ("text", "reasoning")}
        if kinds:
            raise HttpBotError(
                "unsupported_input",
                f"message {index} contains {sorted(kinds)}; only text can be sent",
            )


def _with_roles(bot: BotConfig, system: str, others: list[ChatMessage]) -> list[dict[str, str]]:
    """The ``{{messages}}`` list: roles renamed, the system text placed per ``system``."""
    roles = bot.roles
    messages: list[dict[str, str]] = []
    if system and bot.system == "message":
        messages.append({"role": roles["system"], "content": system})
    prepend = system if bot.system == "prepend" else ""
    for message in others:
        text = message.text
        if prepend and message.role == "user":
            text, prepend = f"{prepend}\n\n{text}", ""
        messages.append({"role": roles[message.role], "content": text})
    return messages
