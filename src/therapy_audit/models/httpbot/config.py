"""The bot config file (``.toml``, ``.yaml`` or ``.yml``): its fields, their defaults and their
validation. :func:`load_bot_config` reads a file into a :class:`BotConfig` or raises a
``ValueError`` that names the file and the field; it checks every ``${VAR}`` name and
``{{placeholder}}`` of the URL, header and body templates (which placeholders are allowed where,
and which each mode needs), parses ``reply_path`` and ``session.session_id_path`` into path
segments, resolves ``system = "auto"``, and records the environment variables the config
reads. The config is only validated here, never filled in (:mod:`.templating`) or resolved
(:mod:`.secrets`)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from therapy_audit.models.httpbot.templating import PLACEHOLDER_NAMES, tokens

CONFIG_ENV_VAR = "THERAPY_AUDIT_BOT_CONFIG"
"""Environment variable holding the bot config path when ``-M bot_config`` is not given."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KNOWN_FIELDS = {
    "url",
    "method",
    "headers",
    "mode",
    "body",
    "reply_path",
    "roles",
    "system",
    "session",
    "timeout_seconds",
    "retries",
    "backoff_initial_seconds",
    "backoff_max_seconds",
    "rate_limit_per_minute",
}
_SESSION_FIELDS = {"start_url", "start_method", "start_body", "session_id_path"}


@dataclass(frozen=True)
class SessionConfig:
    """How a stateful bot gets a new session: a client uuid4, or a ``start_url`` request."""

    start_url: str | None = None
    start_method: str = "POST"
    start_body: Any = None
    session_id_path: tuple[str | int, ...] = ("session_id",)
    session_id_path_text: str = "session_id"


@dataclass(frozen=True)
class BotConfig:
    """A validated bot config. Templates still hold ``${VAR}`` and ``{{placeholder}}`` tokens."""

    source: str
    url: str
    method: str
    headers: dict[str, str]
    mode: Literal["stateless", "stateful"]
    body: Any
    reply_path: tuple[str | int, ...]
    reply_path_text: str
    roles: dict[str, str]
    system: Literal["message", "prepend", "drop", "placeholder"]
    session: SessionConfig
    timeout_seconds: float
    retries: int
    backoff_initial_seconds: float
    backoff_max_seconds: float
    rate_limit_per_minute: float | None
    body_placeholders: frozenset[str] = field(default_factory=frozenset)
    env_names: tuple[str, ...] = ()
    """Every ``${VAR}`` the templates reference, in order of first use (url, headers, body,
    session.start_url, session.start_body)."""


def load_bot_config(path: str | os.PathLike[str]) -> BotConfig:
    """Read and validate a bot config (TOML or YAML); raise ``ValueError`` naming file and field.

    Fields: ``url`` (required; may contain ``{{session_id}}``), ``method`` (POST, PUT or PATCH;
    default POST), ``headers`` (string values; ``${VAR}`` reads the environment), ``mode``
    (``stateless`` default, or ``stateful``), ``body`` (required JSON template; string values may
    contain ``{{messages}}``, ``{{message}}``, ``{{session_id}}``, ``{{system}}``, ``${VAR}``),
    ``reply_path`` (required), ``roles`` (``user``/``assistant``/``system`` -> names the bot
    expects), ``system`` (``auto``, ``message``, ``prepend``, ``drop``), ``session``
    (``start_url``, ``start_method``, ``start_body``, ``session_id_path``), ``timeout_seconds``
    (60), ``retries`` (3), ``backoff_initial_seconds`` (1), ``backoff_max_seconds`` (30, also caps
    ``Retry-After``), ``rate_limit_per_minute`` (unlimited).
    """
    source, raw = _read(Path(path))
    _check_fields(source, raw)
    env_names: list[str] = []
    url_placeholders = _check_url(source, "url", raw["url"], env_names)
    method = _method(source, raw)
    headers, header_placeholders = _headers(source, raw, env_names)
    mode = _mode(source, raw)
    body_placeholders = _body(source, raw, mode, url_placeholders | header_placeholders, env_names)
    reply_path_text = raw["reply_path"]
    reply_path = parse_path(source, "reply_path", reply_path_text)
    roles = _roles(source, raw)
    system = _system(source, raw, mode, body_placeholders)
    session = _session(source, raw, mode, env_names)
    return BotConfig(
        source=source,
        url=raw["url"].strip(),
        method=method,
        headers=headers,
        mode=mode,
        body=raw["body"],
        reply_path=reply_path,
        reply_path_text=reply_path_text,
        roles=roles,
        system=system,
        session=session,
        **_limits(source, raw),
        body_placeholders=frozenset(body_placeholders),
        env_names=tuple(env_names),
    )


def parse_path(source: str, field_name: str, path: Any) -> tuple[str | int, ...]:
    """Parse ``choices.0.message.content`` or ``$.choices[0].message.content`` into segments."""
    if not isinstance(path, str) or not path.strip():
        raise _fail(source, field_name, "must be a non-empty string such as 'reply.text'")
    text = path.strip()
    if text == "$":
        return ()
    if text.startswith("$."):
        text = text[2:]
    elif text.startswith("$["):
        text = text[1:]
    text = re.sub(r"\[(\d+)\]", r".\1", text).lstrip(".")
    segments: list[str | int] = []
    for part in text.split("."):
        if not part:
            raise _fail(source, field_name, f"empty segment in path '{path}'")
        if "[" in part or "]" in part:
            raise _fail(source, field_name, f"unsupported segment '{part}' in path '{path}'")
        segments.append(int(part) if part.isdigit() else part)
    return tuple(segments)


# -- the file and its top level ----------------------------------------------------------------


def _fail(source: str, field_name: str, problem: str) -> ValueError:
    return ValueError(f"bot config {source}: field '{field_name}': {problem}")


def _read(file: Path) -> tuple[str, dict[str, Any]]:
    """The file's name (as errors show it) and its top-level mapping."""
    source = str(file)
    if not file.is_file():
        raise ValueError(f"bot config {source}: file not found")
    suffix = file.suffix.lower()
    try:
        text = file.read_text(encoding="utf-8")
        if suffix == ".toml":
            raw: Any = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            raw = yaml.safe_load(text)
        else:
            raise ValueError(
                f"bot config {source}: unsupported extension '{suffix}' (use .toml, .yaml, .yml)"
            )
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as ex:
        raise ValueError(f"bot config {source}: cannot parse: {ex}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"bot config {source}: the top level must be a table/mapping")
    return source, raw


def _check_fields(source: str, raw: dict[str, Any]) -> None:
    unknown = sorted(set(raw) - _KNOWN_FIELDS)
    if unknown:
        known = ", ".join(sorted(_KNOWN_FIELDS))
        raise _fail(source, unknown[0], f"unknown field (known: {known})")
    for required in ("url", "body", "reply_path"):
        if required not in raw:
            raise _fail(source, required, "is required")


# -- templates -----------------------------------------------------------------------------------


def _check_template(
    source: str, field_name: str, text: str, allowed: tuple[str, ...], env_names: list[str]
) -> set[str]:
    """Validate the tokens of one template string; returns the placeholders it uses."""
    used: set[str] = set()
    for kind, name in tokens(text):
        if kind == "env":
            if not _ENV_NAME.match(name):
                raise _fail(source, field_name, f"'${{{name}}}' is not a valid variable name")
            if name not in env_names:
                env_names.append(name)
        elif name not in PLACEHOLDER_NAMES:
            raise _fail(
                source,
                field_name,
                f"unknown placeholder '{{{{{name}}}}}' (known: "
                + ", ".join(f"{{{{{n}}}}}" for n in PLACEHOLDER_NAMES)
                + ")",
            )
        elif name not in allowed:
            raise _fail(source, field_name, f"placeholder '{{{{{name}}}}}' is not allowed here")
        else:
            used.add(name)
    return used


def _check_body(source: str, field_name: str, value: Any, env_names: list[str]) -> set[str]:
    """Validate every string of the body template; returns the placeholders used."""
    used: set[str] = set()
    if isinstance(value, str):
        names = [n for kind, n in tokens(value) if kind == "placeholder"]
        if "messages" in names and not re.fullmatch(r"\{\{\s*messages\s*\}\}", value.strip()):
            raise _fail(
                source, field_name, "'{{messages}}' is a list and must be the whole string value"
            )
        used |= _check_template(source, field_name, value, PLACEHOLDER_NAMES, env_names)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(source, field_name, f"key {key!r} is not a string")
            used |= _check_body(source, f"{field_name}.{key}", item, env_names)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            used |= _check_body(source, f"{field_name}[{index}]", item, env_names)
    elif value is not None and not isinstance(value, bool | int | float):
        raise _fail(source, field_name, f"unsupported value type {type(value).__name__}")
    return used


def _check_url(source: str, field_name: str, url: Any, env_names: list[str]) -> set[str]:
    if not isinstance(url, str) or not url.strip():
        raise _fail(source, field_name, "must be a non-empty http(s) URL")
    if not re.match(r"^https?://", url.strip(), re.IGNORECASE):
        raise _fail(source, field_name, "must start with http:// or https://")
    return _check_template(source, field_name, url, ("session_id",), env_names)


# -- the fields ----------------------------------------------------------------------------------


def _method(source: str, raw: dict[str, Any]) -> str:
    method = raw.get("method", "POST")
    if not isinstance(method, str) or method.upper() not in ("POST", "PUT", "PATCH"):
        raise _fail(source, "method", f"must be POST, PUT or PATCH (got {method!r})")
    return method.upper()


def _headers(
    source: str, raw: dict[str, Any], env_names: list[str]
) -> tuple[dict[str, str], set[str]]:
    """The header templates and the placeholders they use."""
    headers_raw = raw.get("headers", {})
    if not isinstance(headers_raw, dict):
        raise _fail(source, "headers", "must be a table of name = string value")
    headers: dict[str, str] = {}
    placeholders: set[str] = set()
    for name, value in headers_raw.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise _fail(source, f"headers.{name}", "header names and values must be strings")
        placeholders |= _check_template(
            source, f"headers.{name}", value, ("session_id",), env_names
        )
        headers[name] = value
    return headers, placeholders


def _mode(source: str, raw: dict[str, Any]) -> Literal["stateless", "stateful"]:
    mode = raw.get("mode", "stateless")
    if mode not in ("stateless", "stateful"):
        raise _fail(source, "mode", f"must be 'stateless' or 'stateful' (got {mode!r})")
    return mode


def _body(
    source: str, raw: dict[str, Any], mode: str, elsewhere: set[str], env_names: list[str]
) -> set[str]:
    """Validate the body template for the mode; ``elsewhere``: placeholders of url and headers."""
    body = raw["body"]
    if not isinstance(body, dict | list):
        raise _fail(source, "body", "must be a table/mapping or list (the JSON request body)")
    used = _check_body(source, "body", body, env_names)
    if mode == "stateless":
        if not used & {"messages", "message"}:
            raise _fail(source, "body", "a stateless bot needs '{{messages}}' (or '{{message}}')")
        if "session_id" in used | elsewhere:
            raise _fail(source, "body", "'{{session_id}}' needs mode = 'stateful'")
    else:
        if "messages" in used:
            raise _fail(
                source,
                "body",
                "a stateful bot keeps the history: use '{{message}}', not '{{messages}}'",
            )
        if "message" not in used:
            raise _fail(source, "body", "a stateful bot needs '{{message}}'")
        if "session_id" not in used | elsewhere:
            raise _fail(
                source, "body", "a stateful bot needs '{{session_id}}' in url, headers or body"
            )
    return used


def _roles(source: str, raw: dict[str, Any]) -> dict[str, str]:
    roles_raw = raw.get("roles", {})
    if not isinstance(roles_raw, dict):
        raise _fail(source, "roles", "must be a table such as {assistant = 'bot'}")
    roles = {"user": "user", "assistant": "assistant", "system": "system"}
    for role, name in roles_raw.items():
        if role not in roles:
            raise _fail(source, f"roles.{role}", "only user, assistant and system can be renamed")
        if not isinstance(name, str) or not name:
            raise _fail(source, f"roles.{role}", "must be a non-empty string")
        roles[role] = name
    return roles


def _system(
    source: str, raw: dict[str, Any], mode: str, body_placeholders: set[str]
) -> Literal["message", "prepend", "drop", "placeholder"]:
    """How system messages are sent; ``auto`` resolved for the mode and the body template."""
    system = raw.get("system", "auto")
    if system not in ("auto", "message", "prepend", "drop"):
        raise _fail(source, "system", "must be 'auto', 'message', 'prepend' or 'drop'")
    if system == "message" and mode == "stateful":
        raise _fail(source, "system", "a stateful bot cannot take a system role: use 'prepend'")
    if system == "auto":
        if "system" in body_placeholders:
            return "placeholder"
        return "message" if mode == "stateless" else "prepend"
    return system


def _session(source: str, raw: dict[str, Any], mode: str, env_names: list[str]) -> SessionConfig:
    session_raw = raw.get("session", {})
    if not isinstance(session_raw, dict):
        raise _fail(source, "session", "must be a table")
    unknown = sorted(set(session_raw) - _SESSION_FIELDS)
    if unknown:
        raise _fail(source, f"session.{unknown[0]}", "unknown field")
    if session_raw and mode == "stateless":
        raise _fail(source, "session", "only a stateful bot has sessions")
    start_url = session_raw.get("start_url")
    if start_url is not None and _check_url(source, "session.start_url", start_url, env_names):
        raise _fail(source, "session.start_url", "cannot use '{{session_id}}'")
    start_method = session_raw.get("start_method", "POST")
    if not isinstance(start_method, str) or start_method.upper() not in ("POST", "PUT", "GET"):
        raise _fail(source, "session.start_method", "must be POST, PUT or GET")
    start_body = session_raw.get("start_body")
    if start_body is not None and _check_body(source, "session.start_body", start_body, env_names):
        raise _fail(source, "session.start_body", "placeholders are not available here")
    id_path_text = session_raw.get("session_id_path", "session_id")
    if start_url is None and ("session_id_path" in session_raw or start_body is not None):
        raise _fail(source, "session", "'session_id_path'/'start_body' need 'start_url'")
    return SessionConfig(
        start_url=start_url,
        start_method=start_method.upper(),
        start_body=start_body,
        session_id_path=parse_path(source, "session.session_id_path", id_path_text),
        session_id_path_text=id_path_text,
    )


def _limits(source: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Timeout, retry, backoff and rate-limit fields, as :class:`BotConfig` keyword arguments."""
    retries = raw.get("retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 20:
        raise _fail(source, "retries", f"must be an integer from 0 to 20 (got {retries!r})")
    timeout_seconds = _number(source, raw, "timeout_seconds", 60.0, 0.001)
    backoff_initial = _number(source, raw, "backoff_initial_seconds", 1.0, 0.0)
    backoff_max = _number(source, raw, "backoff_max_seconds", 30.0, 0.0)
    rate = raw.get("rate_limit_per_minute")
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0
    ):
        raise _fail(source, "rate_limit_per_minute", f"must be a positive number (got {rate!r})")
    return {
        "timeout_seconds": timeout_seconds,
        "retries": retries,
        "backoff_initial_seconds": backoff_initial,
        "backoff_max_seconds": backoff_max,
        "rate_limit_per_minute": float(rate) if rate is not None else None,
    }


def _number(source: str, raw: dict[str, Any], name: str, default: float, minimum: float) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _fail(source, name, f"must be a number >= {minimum} (got {value!r})")
    return float(value)
