"""What every experiment reads the same way from a scored sample of an Inspect log.

A log's sample reaches an experiment's ``rows.py`` as a :class:`LogSample`: the few fields
the tidy table is made of (metadata, store, scores, the model's completion, the error), read
either directly from the log's JSON (``logfile``) or from Inspect's own ``EvalSample``; both
give the same record. The error line and the mapping of missing numbers to NaN are shared
here so that every experiment reports them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LogScore:
    """One scorer's score of a sample."""

    value: Any
    answer: str | None
    explanation: str | None
    metadata: dict[str, Any] | None


@dataclass(frozen=True)
class LogSample:
    """What the table reads of one logged sample."""

    id: int | str
    epoch: int
    metadata: dict[str, Any]
    store: dict[str, Any]
    scores: dict[str, LogScore]  # by scorer name, in the order the log lists them
    completion: str  # the model's output text; "" when it gave none
    error: str | None  # the recorded error message; None when the sample completed
    stop_reason: str = ""  # why generation stopped ("stop", "max_tokens", ...); "" if unknown
    last_user_text: str = ""  # the text of the input's last user message

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogSample:
        """From a ``samples/<id>_epoch_<n>.json`` member of an ``.eval`` log."""
        error = data.get("error")
        return cls(
            id=data["id"],
            epoch=int(data["epoch"]),
            metadata=data.get("metadata") or {},
            store=data.get("store") or {},
            scores={name: LogScore(s.get("value"), s.get("answer"), s.get("explanation"),
                                   s.get("metadata"))
                    for name, s in (data.get("scores") or {}).items()},
            completion=_completion(data.get("output") or {}),
            error=None if error is None else str(error["message"]),
            stop_reason=_stop_reason((data.get("output") or {}).get("choices") or []),
            last_user_text=_last_user_text(data.get("input")),
        )

    @classmethod
    def from_eval_sample(cls, sample: Any) -> LogSample:
        """From Inspect's ``EvalSample`` (logs read by Inspect's reader)."""
        return cls(
            id=sample.id,
            epoch=sample.epoch,
            metadata=sample.metadata or {},
            store=sample.store or {},
            scores={name: LogScore(s.value, s.answer, s.explanation, s.metadata)
                    for name, s in (sample.scores or {}).items()},
            completion=sample.output.completion if sample.output else "",
            error=None if sample.error is None else str(sample.error.message),
            stop_reason=(str(sample.output.choices[0].stop_reason or "")
                         if sample.output and sample.output.choices else ""),
            last_user_text=(sample.input if isinstance(sample.input, str) else
                            next((m.text for m in reversed(sample.input)
                                  if m.role == "user"), "")),
        )


def _completion(output: dict[str, Any]) -> str:
    """``ModelOutput.completion``: the stored text, else the first choice's text parts."""
    if output.get("completion"):
        return str(output["completion"])
    choices = output.get("choices") or []
    if not choices:
        return ""
    return _text(choices[0]["message"]["content"])


def _text(content: Any) -> str:
    """A message's text: the string, or its text parts joined by newlines."""
    if isinstance(content, str):
        return content
    return "\n".join(part["text"] for part in content or [] if part.get("type") == "text")


def _stop_reason(choices: list[dict[str, Any]]) -> str:
    """``ModelOutput.stop_reason``: the first choice's; ``""`` when there is no choice."""
    return str(choices[0].get("stop_reason") or "") if choices else ""


def _last_user_text(sample_input: Any) -> str:
    """The last user message of a logged input (a string input is one user message)."""
    if isinstance(sample_input, str):
        return sample_input
    users = [m for m in sample_input or [] if m.get("role") == "user"]
    return _text(users[-1].get("content")) if users else ""


def nan_if_none(value: object) -> float:
    """``None`` -> NaN; any number -> float."""
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def error_text(sample: LogSample) -> str:
    """One line saying why a sample failed: the innermost error, not a request dump."""
    if sample.error is None:
        return ""
    text = sample.error.replace("\\n", "\n").replace("\\'", "'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"(Error|Exception)\b", line)]
    line = (errors[-1] if errors else lines[0]) if lines else "error"
    line = line.removesuffix("')").removesuffix("\")")  # the wrapper's repr around it
    return line.strip()[:500] or "error"
