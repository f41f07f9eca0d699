"""Stigma samples as rows of the tidy table: the columns this experiment adds, and how a
scored sample (its metadata and the scorer's strict and lenient parses) fills them."""

from __future__ import annotations

from therapy_audit.log_sample import LogSample, error_text, nan_if_none

COLUMNS = [
    "condition",  # one of stigma.conditions.CONDITIONS
    "race",
    "gender",
    "education",
    "question_id",  # one of stigma.questions.QUESTION_IDS
    "question",  # question text without options
    "raw_output",  # the model's raw text
    "letter",  # strict (paper) parse: option letter or ""
    "answer",  # option text for `letter`, or ""
    "code",  # 1.0 / 0.0 / NaN ("Do not know", no answer)
    "stigma",  # 1.0 / 0.0 / NaN (not a stigma question, or no code)
    "parse_status",  # "ok" | "do_not_know" | "unparseable" | "error"
    "lenient_letter",
    "lenient_answer",
    "lenient_code",
    "lenient_stigma",
    "lenient_parse_status",
]


def sample_rows(sample: LogSample, base: dict) -> list[dict]:
    """The one row of a stigma sample."""
    meta = sample.metadata or {}
    score = (sample.scores or {}).get("stigma_scorer")
    smeta = score.metadata if score is not None and score.metadata else {}
    error = error_text(sample)
    raw = smeta.get("raw_output", sample.completion)
    row = {
        **base,
        "error": error,
        "condition": meta.get("condition", ""),
        "race": meta.get("race", ""),
        "gender": meta.get("gender", ""),
        "education": meta.get("education", ""),
        "question_id": meta.get("question_id", ""),
        "question": meta.get("question", ""),
        "raw_output": raw or "",
    }
    for prefix, parse in (("", smeta.get("strict", {})), ("lenient_", smeta.get("lenient", {}))):
        status = parse.get("status", "error")
        if error:
            status = "error"
        elif status == "empty":
            status = "unparseable"
        row[f"{prefix}letter"] = parse.get("letter") or ""
        row[f"{prefix}answer"] = parse.get("answer") or ""
        row[f"{prefix}code"] = nan_if_none(parse.get("code"))
        row[f"{prefix}stigma"] = nan_if_none(parse.get("stigma"))
        row[f"{prefix}parse_status"] = status
    return [row]
