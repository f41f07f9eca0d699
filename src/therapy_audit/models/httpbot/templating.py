"""The template language of a bot config and the paths into a bot's JSON response: the tokens
``${VAR}`` (an environment variable) and ``{{placeholder}}`` (one of ``{{messages}}``, the
conversation as a list of ``{role, content}`` objects; ``{{message}}``, the latest client
message; ``{{session_id}}``; ``{{system}}``, the system prompt), filling the URL, header and body
templates in a single pass (text inserted from the conversation or the environment is never
re-interpreted as a token; a string that is exactly one placeholder takes the value itself, so
``"{{messages}}"`` becomes a JSON list), and following a parsed path such as
``choices.0.message.content`` into the response."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

PLACEHOLDER_NAMES = ("messages", "message", "session_id", "system")
TOKEN = re.compile(r"\$\{([^}]*)\}|\{\{\s*([^{}]*?)\s*\}\}")
"""One token: group 1 is a ``${VAR}`` name, group 2 a ``{{placeholder}}`` name."""
_WHOLE_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

MISSING = object()
"""What :func:`lookup` returns when the path leads nowhere."""


def tokens(text: str) -> list[tuple[str, str]]:
    """The ``("env", NAME)`` / ``("placeholder", name)`` tokens in a template string."""
    found = []
    for match in TOKEN.finditer(text):
        if match.group(1) is not None:
            found.append(("env", match.group(1)))
        else:
            found.append(("placeholder", match.group(2)))
    return found


def render_string(template: str, values: dict[str, Any], env: Callable[[str], str]) -> Any:
    """Fill one template string in a single pass (inserted text is never re-interpreted)."""
    whole = _WHOLE_PLACEHOLDER.fullmatch(template)
    if whole and not isinstance(values.get(whole.group(1)), str):
        return values.get(whole.group(1))

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return env(match.group(1))
        value = values.get(match.group(2), "")
        return value if isinstance(value, str) else json.dumps(value)

    return TOKEN.sub(replace, template)


def render(template: Any, values: dict[str, Any], env: Callable[[str], str]) -> Any:
    """Fill every string of a JSON template (see :func:`render_string`)."""
    if isinstance(template, str):
        return render_string(template, values, env)
    if isinstance(template, dict):
        return {k: render(v, values, env) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, values, env) for v in template]
    return template


def lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    """Follow a parsed path; :data:`MISSING` when any step is absent."""
    current = data
    for segment in path:
        if isinstance(current, list) and isinstance(segment, int):
            if not -len(current) <= segment < len(current):
                return MISSING
            current = current[segment]
        elif isinstance(current, dict):
            key = str(segment)
            if key not in current:
                return MISSING
            current = current[key]
        else:
            return MISSING
    return current
