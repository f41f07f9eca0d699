"""The conversation experiment as an Inspect task: ``therapy_audit/conversation``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer

from therapy_audit.conversation.cards import ALL_BUILTIN, BUILTIN, load_cards
from therapy_audit.conversation.clients import LLM_PREFIX, SCRIPTED, check_scripted_lines
from therapy_audit.conversation.dataset import conversation_dataset, conversation_samples
from therapy_audit.conversation.defaults import (
    DEFAULT_PHASE_TURNS,
    DEFAULT_PRESSURE_TURNS,
    DEFAULT_REPLY_TOKENS,
)
from therapy_audit.conversation.judging import check_judges
from therapy_audit.conversation.schedule import Schedule
from therapy_audit.conversation.scorers import conversation_judge
from therapy_audit.conversation.solver import converse
from therapy_audit.prompts import SystemPrompt, resolve_system_prompt
from therapy_audit.vocab import CONVERSATION, RULES_JUDGE


def client_spec(client_model: str | None) -> str:
    """The solver's client argument: ``scripted`` or ``llm:<model>``."""
    return f"{LLM_PREFIX}{client_model}" if client_model else SCRIPTED


@dataclass(frozen=True)
class ConversationOptions:
    """What ``run --experiment conversation`` can choose besides model, prompt and judges."""

    personas: str = BUILTIN
    client_model: str | None = None
    phase_turns: int = DEFAULT_PHASE_TURNS
    pressure_turns: int = DEFAULT_PRESSURE_TURNS
    reply_tokens: int = DEFAULT_REPLY_TOKENS

    @property
    def schedule(self) -> Schedule:
        return Schedule(self.phase_turns, self.pressure_turns)

    @property
    def label(self) -> str:
        """Names these choices (the engine keeps each choice's logs in its own folder); a
        persona file or folder by its name and a short hash of its full path."""
        personas = self.personas
        if personas not in (BUILTIN, ALL_BUILTIN):
            path = Path(personas).resolve()
            personas = f"{path.name}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
        return (f"{personas}-{self.schedule.label}-{client_spec(self.client_model)}-"
                f"{self.reply_tokens}t")

    def task(self, preset: SystemPrompt, judges: list[str] | str = RULES_JUDGE,
             escalate: str | None = None) -> Task:
        """The task these options describe; bad persona files fail here, before any run."""
        schedule = self.schedule
        cards = load_cards(self.personas)
        if not self.client_model:
            check_scripted_lines(cards, schedule)
        samples = conversation_samples(cards, schedule, preset)
        return build_conversation_task(samples, preset.label, judges,
                                       client_spec(self.client_model), self.reply_tokens,
                                       escalate=escalate)


def build_conversation_task(
    samples: list[Sample], system_prompt_label: str, judges: list[str] | str = RULES_JUDGE,
    client: str = SCRIPTED, reply_tokens: int = DEFAULT_REPLY_TOKENS, cache: bool = True,
    extra_scorers: list[Scorer] | None = None, metadata: dict | None = None,
    escalate: str | None = None,
) -> Task:
    """The task over any conversation samples (built-in cards, worksheets, replays).

    ``judges`` are ``--judge`` names read by the judge registry; ``escalate`` adds the
    rules-then-LLM cascade next to the plain rules judge, as in the appropriateness task.
    """
    names = [judges] if isinstance(judges, str) else list(judges)
    if not names and not extra_scorers:
        raise ValueError("at least one judge is needed")
    names = list(check_judges(names, escalate)) if names else []
    cascade = [conversation_judge(RULES_JUDGE, escalate)] if escalate else []
    if reply_tokens < 1:
        raise ValueError(f"reply tokens must be at least 1, not {reply_tokens}")
    return Task(
        dataset=conversation_dataset(samples),
        solver=converse(client=client, cache=cache),
        scorer=[*(conversation_judge(name) for name in names), *cascade,
                *(extra_scorers or [])],
        config=GenerateConfig(temperature=0.0, max_tokens=reply_tokens),
        metadata={"experiment": CONVERSATION, "system_prompt": system_prompt_label,
                  "client": client, **(metadata or {})},
        name=CONVERSATION,
    )


@task
def conversation(
    system_prompt: str = "none",
    personas: str = BUILTIN,
    client_model: str | None = None,
    phase_turns: int = DEFAULT_PHASE_TURNS,
    pressure_turns: int = DEFAULT_PRESSURE_TURNS,
    reply_tokens: int = DEFAULT_REPLY_TOKENS,
    judges: list[str] | str = RULES_JUDGE,
    escalate: str | None = None,
) -> Task:
    """Simulated clients escalate towards one of the paper's stimuli; every turn from it on is
    judged.

    Args:
        system_prompt: ``none`` (default), ``steel-man``, or a path to a text file.
        personas: ``default`` (one risk card and its control twin per condition), ``all``,
            or a YAML file or folder of persona cards.
        client_model: a model that plays the client (default: the cards' scripted lines).
        phase_turns: client turns in each of rapport, disclosure, stressor and probe (1).
        pressure_turns: turns of pushback after the anchor (2).
        reply_tokens: the model's token limit per reply (256).
        judges: ``rules`` (offline), ``grader`` (the grader model role) or model names.
        escalate: with ``rules``, a model (or ``grader``) that decides the rules' ``unsure``.
    """
    options = ConversationOptions(personas, client_model, phase_turns, pressure_turns,
                                  reply_tokens)
    return options.task(resolve_system_prompt(system_prompt), judges, escalate)
