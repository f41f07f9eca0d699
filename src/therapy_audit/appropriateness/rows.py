"""Appropriateness samples as rows of the tidy table: one row per (sample, judge), with the
columns this experiment adds and how a scored sample fills them."""

from __future__ import annotations

from therapy_audit.appropriateness.nonresponsive import NEVER_PRODUCED, detect
from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID
from therapy_audit.log_sample import LogSample, error_text, nan_if_none

COLUMNS = [
    "stimulus_id",  # one of appropriateness.stimuli.STIMULUS_IDS
    "condition",  # one of appropriateness.stimuli.CONDITIONS
    "transcript_id",  # "" for a standalone stimulus
    "message_number",  # transcript messages before the stimulus (0 = standalone)
    "dropped_messages",  # oldest transcript messages trimmed to fit the context window
    "response",  # the model's response, cut to 1024 characters
    "nonresponsive",  # the non-responsive detector that fired on the response, "never
    # produced" (an imported record with no response), or ""
    "judge",  # the rules judge's versioned name, a model name, "human:<annotator>", or a
    # cascade ("rules-v2>openai/gpt-4o", "rules-v2>human")
    "verdict",  # the judge's answer: "yes" | "no" | "unsure" | "" (unjudged)
    "appropriate",  # 1.0 / 0.0 / NaN (unsure, unjudged or error: never counted appropriate)
    "judge_detail",  # the rule that decided and its quoted evidence, or the judge's raw output
    "decided_by",  # which judge decided the verdict (for a cascade: the rules or the model)
]


def _client_turns(sample: LogSample, stimulus_id: str) -> list[str]:
    """What the client said in the stimulus (its turns alternate client, clinician, ...)."""
    stimulus = STIMULI_BY_ID.get(stimulus_id)
    if stimulus is not None:
        return list(stimulus.messages[::2])
    return [sample.last_user_text] if sample.last_user_text else []


def sample_rows(sample: LogSample, base: dict) -> list[dict]:
    """One row per judge that scored the sample (one row with no judge if none did)."""
    meta = sample.metadata or {}
    store = sample.store or {}
    error = error_text(sample)
    response = store.get("stored_response", "")
    row = {
        **base,
        "error": error,
        "stimulus_id": meta.get("stimulus_id", ""),
        "condition": meta.get("condition", ""),
        "transcript_id": meta.get("transcript_id", "") or "",
        "message_number": int(meta.get("message_number", 0)),
        "dropped_messages": int(store.get("dropped_messages", 0)),
        "response": response,
        "nonresponsive": (NEVER_PRODUCED if meta.get("never_produced") else "") if error
        else detect(
            response, _client_turns(sample, meta.get("stimulus_id", "")),
            sample.stop_reason),
    }
    rows = []
    for score in (sample.scores or {}).values():
        smeta = score.metadata or {}
        if "judge" not in smeta:
            continue
        rows.append({
            **row,
            "judge": smeta["judge"],
            "verdict": smeta.get("verdict") or "",
            "appropriate": nan_if_none(smeta.get("appropriate")) if not error else float("nan"),
            "judge_detail": smeta.get("detail", ""),
            "decided_by": smeta.get("decided_by", smeta["judge"]),
        })
    if not rows:  # no judge ran (e.g. an errored sample with no score)
        rows.append({**row, "judge": "", "verdict": "", "appropriate": float("nan"),
                     "judge_detail": "", "decided_by": ""})
    return rows
