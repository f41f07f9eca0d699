"""The secrets of a bot config and their redaction. :func:`load_secrets` resolves every
``${VAR}`` the config references from the environment (one that is not set or empty is an error
naming the file and the variable) and also counts as secret the header values whose names look
like credentials (``Authorization``, ``X-Api-Key``, ``Cookie``, names containing ``token``,
``secret`` or ``key``) even when written literally in the config. :class:`Secrets` replaces every
secret value by ``***`` wherever text leaves the provider: the request log, error messages and
their excerpts of response bodies, reprs and the model output. Scrubbing is by value, so keep
secrets long: a very short secret would also be blanked wherever it occurs in a bot reply."""

from __future__ import annotations

import os
import re
from typing import Any

from therapy_audit.models.httpbot.config import BotConfig
from therapy_audit.models.httpbot.templating import tokens

REDACTED = "***"
_SENSITIVE_HEADER = re.compile(
    r"authorization|cookie|token|secret|key|password|credential", re.IGNORECASE
)
_EXCERPT_CHARS = 200


class Secrets:
    """Resolved environment values plus literal credential headers; never printed."""

    def __init__(self, env: dict[str, str], literal: list[str]) -> None:
        self._env = env
        values = {v for v in [*env.values(), *literal] if v}
        # longest first so that a secret containing another is replaced whole
        self._values = sorted(values, key=len, reverse=True)

    def env(self, name: str) -> str:
        """The value of ``${name}`` (for filling templates)."""
        return self._env[name]

    def scrub(self, text: str) -> tuple[str, int]:
        """Replace every secret occurrence with ``***``; returns the text and the count."""
        count = 0
        for value in self._values:
            if value in text:
                count += text.count(value)
                text = text.replace(value, REDACTED)
        return text, count

    def scrub_text(self, text: str) -> str:
        return self.scrub(text)[0]

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, dict):
            return {self.scrub_text(str(k)): self.scrub_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        return value

    def scrub_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """Headers as a log may show them: credential-like names blanked, values scrubbed."""
        return {
            name: (REDACTED if _SENSITIVE_HEADER.search(name) else self.scrub_text(value))
            for name, value in headers.items()
        }

    def excerpt(self, text: str) -> str:
        """A response body as an error message may quote it: scrubbed, one line, truncated."""
        text = " ".join(self.scrub_text(text).split())
        if len(text) > _EXCERPT_CHARS:
            text = text[:_EXCERPT_CHARS] + "..."
        return repr(text) if text else "(empty body)"

    def __repr__(self) -> str:
        return f"<{len(self._values)} redacted secret value(s)>"

    __str__ = __repr__


def load_secrets(bot: BotConfig) -> Secrets:
    """Resolve the config's ``${VAR}`` values; raise ``ValueError`` naming a missing one."""
    env: dict[str, str] = {}
    for name in bot.env_names:
        value = os.environ.get(name)
        if value is None or value == "":
            raise ValueError(
                f"bot config {bot.source}: environment variable '{name}' is not set "
                "or empty (referenced as ${" + name + "})"
            )
        env[name] = value
    literal = [
        value
        for header, value in bot.headers.items()
        if _SENSITIVE_HEADER.search(header) and not tokens(value)
    ]
    return Secrets(env, literal)
