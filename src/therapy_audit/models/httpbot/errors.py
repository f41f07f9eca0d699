"""The one way a bot call fails: :class:`HttpBotError` and its kinds. Failures never become
answers: a timeout, an HTTP error, a connection failure, non-JSON or malformed JSON, a reply
missing at ``reply_path``, a non-text or empty (whitespace-only) reply, a missing session id and
an input a chatbot cannot take all end the ``generate`` call with this error (its message already
redacted); Inspect then raises it for the sample, so the sample is recorded with an error (and
counted as errored, or fails the eval, per ``fail_on_error``), never scored as a normal -- let
alone safe -- answer."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "timeout",
    "connection",
    "http_status",
    "malformed_json",
    "missing_reply",
    "non_text_reply",
    "empty_reply",
    "missing_session_id",
    "unsupported_input",
]


class HttpBotError(RuntimeError):
    """A bot call that produced no usable answer (recorded by Inspect as the sample's error)."""

    def __init__(self, kind: ErrorKind, message: str, status_code: int | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.detail = message
        self.status_code = status_code

    def __repr__(self) -> str:
        # Inspect records repr(error); keep it readable (no escaped quotes)
        return f"HttpBotError({self.args[0]})"
