"""Fitting a long transcript into a small context window: drop the oldest message pairs.

The fast tests drive the ``respond`` solver with a stand-in ``generate``; the slow one runs the
embedded model with a 1024-token window on one transcript sample at position 100.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    ModelOutput,
)
from inspect_ai.solver import TaskState

from therapy_audit.appropriateness.dataset import (
    CHARACTER_LIMIT,
    RESPONSE_INSTRUCTION,
    appropriateness_samples,
)
from therapy_audit.appropriateness.solver import MAX_TOKENS, _messages_to_drop, respond
from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.appropriateness.transcripts import builtin_transcripts
from therapy_audit.prompts import SystemPrompt

NONE = SystemPrompt("none", "")


def _overflow(prompt_tokens: int | None = None, context_window: int | None = None,
              max_tokens: int = MAX_TOKENS) -> ModelOutput:
    output = ModelOutput.from_content("fake", "", stop_reason="model_length")
    if prompt_tokens is not None:
        output.metadata = {"prompt_tokens": prompt_tokens, "context_window": context_window,
                           "max_tokens": max_tokens}
    return output


# --- _messages_to_drop --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt_tokens", "window", "context", "total", "context_chars"),
    [
        (3000, 1024, 100, 12000, 11000),
        (530, 1024, 100, 12000, 11000),  # barely over: still at least one pair
        (100000, 8192, 600, 400000, 399000),
        (2000, 1024, 7, 8000, 7000),  # an odd context never loses its last message
        (900, 1024, 2, 4000, 3000),
    ],
)
def test_drops_an_even_number_of_messages_within_the_context(
    prompt_tokens: int, window: int, context: int, total: int, context_chars: int
) -> None:
    drop = _messages_to_drop(_overflow(prompt_tokens, window), context, total, context_chars)
    assert drop >= 2
    assert drop % 2 == 0
    assert drop <= context - context % 2


def test_drops_roughly_the_share_of_the_context_that_overflows() -> None:
    # 3000 prompt tokens, room for 512: about 83% of the prompt must go, almost all context.
    drop = _messages_to_drop(_overflow(3000, 1024), 100, 12000, 11000)
    assert 85 <= drop <= 100
    small = _messages_to_drop(_overflow(600, 1024), 100, 12000, 11000)
    assert 2 <= small < drop


def test_without_token_counts_drops_a_tenth_of_the_context() -> None:
    assert _messages_to_drop(_overflow(), 100, 10000, 9000) == 10
    assert _messages_to_drop(_overflow(), 10, 1000, 900) == 2
    assert _messages_to_drop(_overflow(), 110, 1000, 900) == 12  # 11 rounded up to even


def test_with_no_context_left_drops_nothing() -> None:
    assert _messages_to_drop(_overflow(3000, 1024), 0, 1000, 0) == 0


# --- the respond solver with a stand-in model ---------------------------------------------------


def _state(context_pairs: int, stimulus: str = "bridge") -> TaskState:
    messages = [ChatMessageSystem(content=RESPONSE_INSTRUCTION)]
    for i in range(context_pairs):
        messages.append(ChatMessageUser(content=f"client message {i} " + "x" * 80))
        messages.append(ChatMessageAssistant(content=f"clinician message {i} " + "y" * 80))
    for i, text in enumerate(STIMULI_BY_ID[stimulus].messages):
        messages.append(ChatMessageUser(content=text) if i % 2 == 0
                        else ChatMessageAssistant(content=text))
    return TaskState(model="fake/model", sample_id="s", epoch=1, input=list(messages),
                     messages=messages, metadata={"context_messages": 2 * context_pairs})


def _generate_with_window(char_window: int, with_counts: bool = True):
    """A generate() that overflows while the prompt has more than ``char_window`` characters."""
    prompts: list[int] = []

    async def generate(state: TaskState, **kwargs) -> TaskState:
        chars = sum(len(m.text) for m in state.messages)
        prompts.append(chars)
        if chars > char_window:
            output = _overflow(chars // 4, char_window // 4 + MAX_TOKENS) if with_counts \
                else _overflow()
        else:
            output = ModelOutput.from_content("fake", "R" * 3000)  # longer than the cut
        state.output = output
        state.messages.append(output.message)
        return state

    return generate, prompts


@pytest.mark.parametrize("with_counts", [True, False])
@pytest.mark.parametrize("stimulus", ["bridge", "pesticides"])
def test_respond_drops_oldest_pairs_until_the_prompt_fits(with_counts: bool,
                                                          stimulus: str) -> None:
    state = _state(50, stimulus)
    stimulus_texts = list(STIMULI_BY_ID[stimulus].messages)
    generate, prompts = _generate_with_window(3000, with_counts)
    state = asyncio.run(respond(cache=False)(state, generate))
    dropped = state.store.get("dropped_messages")
    assert dropped > 0 and dropped % 2 == 0
    assert prompts[-1] <= 3000 < prompts[0]
    assert state.messages[0].text == RESPONSE_INSTRUCTION  # the system message stays
    kept = state.messages[1:-1]  # without the final response
    assert [m.text for m in kept[-len(stimulus_texts):]] == stimulus_texts  # the stimulus stays
    assert kept[0].text.startswith(f"client message {dropped // 2} ")  # the oldest went first
    assert [m.role for m in kept] == ["user", "assistant"] * (len(kept) // 2) + ["user"]
    assert all(m.text.strip() for m in state.messages[1:])  # no empty overflow replies left
    assert state.store.get("stored_response") == "R" * CHARACTER_LIMIT


def test_respond_keeps_a_context_that_fits() -> None:
    state = _state(5)
    generate, prompts = _generate_with_window(100000)
    state = asyncio.run(respond(cache=False)(state, generate))
    assert state.store.get("dropped_messages") == 0
    assert len(prompts) == 1


def test_a_stimulus_that_alone_overflows_is_an_error() -> None:
    generate, _ = _generate_with_window(10)
    with pytest.raises(RuntimeError, match="stimulus alone does not fit"):
        asyncio.run(respond(cache=False)(_state(3), generate))


# --- the embedded model with a 1024-token window ------------------------------------------------


@pytest.mark.slow
def test_embedded_model_answers_position_100_in_a_1024_token_window(tmp_path: Path) -> None:
    from inspect_ai import eval as inspect_eval

    transcript = builtin_transcripts()[0]
    sample = next(s for s in appropriateness_samples(NONE, [transcript])
                  if s.metadata["message_number"] == 100)
    stimulus = STIMULI_BY_ID[sample.metadata["stimulus_id"]]
    task = build_appropriateness_task([sample], "none", cache=False)
    (log,) = inspect_eval(
        task, model="local/smollm2", model_args={"n_ctx": 1024}, log_dir=str(tmp_path),
        max_samples=1, max_connections=1, display="none", fail_on_error=False,
    )
    assert log.status == "success", log.error
    (result,) = log.samples
    assert result.error is None
    dropped = result.store["dropped_messages"]
    assert dropped > 0 and dropped % 2 == 0
    assert result.messages[0].role == "system"
    assert result.messages[0].text == RESPONSE_INSTRUCTION
    prompt = result.messages[1:-1]
    assert prompt[-len(stimulus.messages):][-1].text == stimulus.query
    assert [m.text for m in prompt[-len(stimulus.messages):]] == list(stimulus.messages)
    assert len(prompt) == 100 - dropped + len(stimulus.messages)
    assert prompt[0].text == transcript.messages[dropped][1]
    assert len(result.store["stored_response"]) <= CHARACTER_LIMIT
    assert result.store["stored_response"] == result.output.completion[:CHARACTER_LIMIT]
