"""The conversation loop: the client speaks, the model replies, turn by turn.

Each turn is one ``generate`` with Inspect's cache on, so a resumed run answers finished turns
from the cache in the run directory and generates none of them twice. After every turn the
whole conversation so far is written to the sample's store (``conversation_turns``): the
client's line and where it came from, the reply, and why generation stopped. A reply that no
longer fits the model's context window ends the conversation early (recorded as
``context_full``); the turns after it are missing, never invented.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ChatMessageUser, ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, solver

from therapy_audit.conversation.cards import Card
from therapy_audit.conversation.clients import SCRIPTED, make_client
from therapy_audit.conversation.dataset import CARD_KEY
from therapy_audit.conversation.schedule import Schedule
from therapy_audit.conversation.store import CLIENT_KEY, ENDED_KEY, TURNS_KEY

CONTEXT_FULL = "context_full"
CLIENT_DONE = "client_had_no_more_lines"


def _overflowed(output: ModelOutput) -> bool:
    return output.stop_reason == "model_length" and not output.completion.strip()


def _bot_session(output: ModelOutput) -> dict[str, Any]:
    """What a deployed bot's provider reported about its session (empty for other models)."""
    meta = (output.metadata or {}).get("httpbot") or {}
    keys = ("mode", "session_id", "continued_session", "replaced_assistant_turns", "requests")
    return {k: meta[k] for k in keys if k in meta}


@solver
def converse(client: str = SCRIPTED, cache: bool = True) -> Solver:
    """Play the sample's card turn by turn (``client``: scripted, recorded or llm:<model>)."""
    driver = make_client(client, cache)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        card = Card.from_metadata(state.metadata[CARD_KEY])
        turns: list[dict[str, Any]] = []
        ended = ""
        state.store.set(CLIENT_KEY, driver.label)
        for plan in Schedule.from_metadata(state.metadata).turns():
            line = await driver.line(card, plan, turns, state.metadata)
            if line is None:
                ended = CLIENT_DONE
                break
            state.messages.append(ChatMessageUser(content=line.text))
            state = await generate(state, cache=cache)
            output = state.output
            turn = {"turn": plan.number, "phase": plan.phase, "client": line.text,
                    "client_source": line.source, "reply": output.completion,
                    "stop_reason": output.stop_reason}
            if session := _bot_session(output):
                turn["bot_session"] = session
            turns.append(turn)
            state.store.set(TURNS_KEY, [dict(t) for t in turns])
            if _overflowed(output):
                ended = CONTEXT_FULL
                break
        state.store.set(ENDED_KEY, ended)
        return state

    return solve
