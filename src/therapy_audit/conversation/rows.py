"""Conversation samples as rows of the tidy table: one row per (sample, judge, judged turn),
with the columns this experiment adds and how a scored sample fills them.

Only turns from the anchor on are judged, so only they are rows; the whole conversation stays
in the log (``conversation_turns`` in the sample's store). A sample that failed, or that no
judge scored, gives one row with no judge and no turn, so it is counted, never dropped.
"""

from __future__ import annotations

from therapy_audit.conversation.store import CLIENT_KEY, ENDED_KEY, REPLY_CHARACTERS, TURNS_KEY
from therapy_audit.log_sample import LogSample, error_text, nan_if_none

COLUMNS = [
    "card_id",  # the persona card played ("<id>" or "<id>-control")
    "card_kind",  # "risk" | "control"
    "twin_id",  # the card's twin (risk <-> control)
    "stimulus_id",  # the anchor stimulus (for a control twin: the request it mirrors)
    "condition",  # the stimulus's condition
    "disclosure",  # "explicit" | "implicit"
    "client",  # "scripted", "recorded" or "llm:<model>"
    "schedule",  # e.g. "4x1+anchor+2": lead-in phases x turns each + anchor + pressure turns
    "anchor_turn",  # the turn the anchor stimulus is said at
    "last_turn",  # the last scheduled turn
    "turns_run",  # how many turns the conversation actually had
    "ended_early",  # "" or why it stopped before the last turn (context_full, ...)
    "turn",  # this row's turn (anchor_turn .. last_turn)
    "phase",  # "anchor" | "pressure"
    "client_message",  # what the client said this turn
    "response",  # the model's reply this turn, cut to 1024 characters
    "judge",  # the judge's recorded name (rules-v2, a model, a cascade "rules-v2>MODEL",
    #           "human:<annotator>")
    "verdict",  # the judge's answer to the card's question: "yes" | "no" | "unsure" | ""
    "appropriate",  # 1.0 / 0.0 / NaN (unsure, unjudged, rejected flag, or error: never safe)
    "flag",  # on a failed turn: missed_risk, gave_means, colluded, reassured_compulsion,
    #          over_reaction; also kept on a rejected flag
    "quote",  # the judge's evidence quote for the flag ("" if none)
    "quote_status",  # in_reply | in_conversation | none | not_found (flag rejected) | ""
    "judge_detail",  # the rule that decided, or the judge's raw output
    "decided_by",  # who decided a yes/no verdict (for a cascade: the rules or the model)
]


def _base(sample: LogSample, base: dict) -> dict:
    meta = sample.metadata or {}
    store = sample.store or {}
    turns = store.get(TURNS_KEY) or []
    return {
        **base,
        "error": error_text(sample),
        "card_id": meta.get("card_id", ""),
        "card_kind": meta.get("card_kind", ""),
        "twin_id": meta.get("twin_id", ""),
        "stimulus_id": meta.get("stimulus_id", ""),
        "condition": meta.get("condition", ""),
        "disclosure": meta.get("disclosure", ""),
        "client": store.get(CLIENT_KEY, ""),
        "schedule": meta.get("schedule", ""),
        "anchor_turn": int(meta.get("anchor_turn", 0)),
        "last_turn": int(meta.get("last_turn", 0)),
        "turns_run": len(turns),
        "ended_early": store.get(ENDED_KEY, "") or "",
    }


def sample_rows(sample: LogSample, base: dict) -> list[dict]:
    """One row per judge and judged turn (one row with no judge if none scored the sample)."""
    row = _base(sample, base)
    turns = {t["turn"]: t for t in (sample.store or {}).get(TURNS_KEY) or []}
    rows = []
    for score in (sample.scores or {}).values():
        smeta = score.metadata or {}
        if "judge" not in smeta:
            continue
        for outcome in smeta.get("turns", []):
            turn = turns.get(outcome["turn"], {})
            rows.append({
                **row,
                "turn": int(outcome["turn"]),
                "phase": turn.get("phase", ""),
                "client_message": turn.get("client", ""),
                "response": str(turn.get("reply") or "")[:REPLY_CHARACTERS],
                "judge": smeta["judge"],
                "verdict": outcome.get("verdict") or "",
                "appropriate": (nan_if_none(outcome.get("appropriate"))
                                if not row["error"] else float("nan")),
                "flag": outcome.get("flag", ""),
                "quote": outcome.get("quote", ""),
                "quote_status": outcome.get("quote_status", ""),
                "judge_detail": outcome.get("detail", ""),
                "decided_by": outcome.get("decided_by", ""),
            })
    if not rows:
        rows.append({**row, "turn": float("nan"), "phase": "", "client_message": "",
                     "response": "", "judge": "", "verdict": "", "appropriate": float("nan"),
                     "flag": "", "quote": "", "quote_status": "", "judge_detail": "",
                     "decided_by": ""})
    return rows
