"""Inspect model provider for deployed chatbots that you can reach through their own HTTP API.

Use it as ``--model httpbot/<name> -M bot_config=path/to/bot.toml`` (``.toml``, ``.yaml`` or
``.yml``; the environment variable ``THERAPY_AUDIT_BOT_CONFIG`` is the fallback). ``<name>`` is a
label used in logs. The config (see :func:`load_bot_config`) says where to send a request, how to
fill the JSON body from the conversation, and where the reply text lives in the JSON response.

Two modes:

* ``stateless`` -- the bot takes the whole conversation every call (``{{messages}}``: a list of
  ``{role, content}`` objects, roles renamed via ``roles``). System messages are sent as the
  system role, prepended to the first user message, or dropped (``system``).
* ``stateful`` -- the bot keeps the conversation on its side, keyed by a session id. For every
  ``generate`` call the provider starts a NEW session (a client-generated uuid4 or a
  ``session.start_url`` request) and replays the conversation: it sends each client (user)
  message in order and waits for the bot's reply. It cannot make the bot *say* a prefilled
  clinician/assistant turn of the input (a transcript context or a multi-turn stimulus), so **a
  stateful bot sees its own replies, not the transcript's clinician turns**: each prefilled
  assistant turn is replaced by what the bot actually answered, and the output metadata
  (``metadata["httpbot"]["replaced_turns"]``) lists every replaced turn with the prefilled text
  and the bot's real reply, counted in ``replaced_assistant_turns``. Consecutive user messages
  are merged into one message (no bot turn is invented between them); assistant turns before the
  first user message cannot be replayed and are counted in ``unreplayable_assistant_turns``.
  System messages are prepended to the first user message or dropped. A solver that calls
  ``generate`` several times per sample triggers a fresh session and a full replay each time.

Failures never become answers. Timeouts, HTTP errors (429 and 5xx after ``retries`` retries with
exponential backoff that honours ``Retry-After``, any other 4xx at once), connection failures,
non-JSON or malformed JSON, a reply missing at ``reply_path``, a non-text reply and an empty
(whitespace-only) reply all make ``generate`` return an :class:`HttpBotError` together with the
(redacted) request log; Inspect then raises it for the sample, so the sample is recorded with an
error (and counted as errored, or fails the eval, per ``fail_on_error``), never scored as a
normal -- let alone safe -- answer. Read timeouts are not retried: a stateful bot may already have
processed the message, and re-sending it would corrupt the session.

Secrets: header values (and any value substituted from an environment variable ``${VAR}``, in
the URL, headers or body) are never written to logs, error messages, reprs or the model output;
they are replaced by ``***``. Header values whose names look like credentials (``Authorization``,
``X-Api-Key``, ``Cookie``, names containing ``token``, ``secret`` or ``key``) count as secrets
even when written literally in the config. (Scrubbing is by value, so keep secrets long: a
very short secret would also be blanked wherever it occurs in a bot reply.)

Concurrency: Inspect's adaptive concurrency ignores ``max_connections()``; use
``rate_limit_per_minute`` (a minimum interval between requests shared by the provider instance)
and Inspect's ``--max-connections`` to protect a deployed bot.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx
import yaml
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    modelapi,
)
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolChoice, ToolInfo

CONFIG_ENV_VAR = "THERAPY_AUDIT_BOT_CONFIG"
"""Environment variable holding the bot config path when ``-M bot_config`` is not given."""

REDACTED = "***"
_PLACEHOLDER_NAMES = ("messages", "message", "session_id", "system")
_TOKEN = re.compile(r"\$\{([^}]*)\}|\{\{\s*([^{}]*?)\s*\}\}")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SENSITIVE_HEADER = re.compile(
    r"authorization|cookie|token|secret|key|password|credential", re.IGNORECASE
)
_EXCERPT_CHARS = 200
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


# --------------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------------


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


def _fail(source: str, field_name: str, problem: str) -> ValueError:
    return ValueError(f"bot config {source}: field '{field_name}': {problem}")


def _tokens(text: str) -> list[tuple[str, str]]:
    """The ``("env", NAME)`` / ``("placeholder", name)`` tokens in a template string."""
    found = []
    for match in _TOKEN.finditer(text):
        if match.group(1) is not None:
            found.append(("env", match.group(1)))
        else:
            found.append(("placeholder", match.group(2)))
    return found


def _check_template(
    source: str, field_name: str, text: str, allowed: tuple[str, ...], env_names: set[str]
) -> set[str]:
    """Validate the tokens of one template string; returns the placeholders it uses."""
    used: set[str] = set()
    for kind, name in _tokens(text):
        if kind == "env":
            if not _ENV_NAME.match(name):
                raise _fail(source, field_name, f"'${{{name}}}' is not a valid variable name")
            env_names.add(name)
        elif name not in _PLACEHOLDER_NAMES:
            raise _fail(
                source,
                field_name,
                f"unknown placeholder '{{{{{name}}}}}' (known: "
                + ", ".join(f"{{{{{n}}}}}" for n in _PLACEHOLDER_NAMES)
                + ")",
            )
        elif name not in allowed:
            raise _fail(source, field_name, f"placeholder '{{{{{name}}}}}' is not allowed here")
        else:
            used.add(name)
    return used


def _check_body(source: str, field_name: str, value: Any, env_names: set[str]) -> set[str]:
    """Validate every string of the body template; returns the placeholders used."""
    used: set[str] = set()
    if isinstance(value, str):
        names = [n for kind, n in _tokens(value) if kind == "placeholder"]
        if "messages" in names and not re.fullmatch(r"\{\{\s*messages\s*\}\}", value.strip()):
            raise _fail(
                source, field_name, "'{{messages}}' is a list and must be the whole string value"
            )
        used |= _check_template(source, field_name, value, _PLACEHOLDER_NAMES, env_names)
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


def _check_url(source: str, field_name: str, url: Any, env_names: set[str]) -> set[str]:
    if not isinstance(url, str) or not url.strip():
        raise _fail(source, field_name, "must be a non-empty http(s) URL")
    if not re.match(r"^https?://", url.strip(), re.IGNORECASE):
        raise _fail(source, field_name, "must start with http:// or https://")
    return _check_template(source, field_name, url, ("session_id",), env_names)


def _number(source: str, raw: dict[str, Any], name: str, default: float, minimum: float) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _fail(source, name, f"must be a number >= {minimum} (got {value!r})")
    return float(value)


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
    file = Path(path)
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

    unknown = sorted(set(raw) - _KNOWN_FIELDS)
    if unknown:
        known = ", ".join(sorted(_KNOWN_FIELDS))
        raise _fail(source, unknown[0], f"unknown field (known: {known})")
    for required in ("url", "body", "reply_path"):
        if required not in raw:
            raise _fail(source, required, "is required")

    env_names: set[str] = set()
    url_placeholders = _check_url(source, "url", raw["url"], env_names)

    method = raw.get("method", "POST")
    if not isinstance(method, str) or method.upper() not in ("POST", "PUT", "PATCH"):
        raise _fail(source, "method", f"must be POST, PUT or PATCH (got {method!r})")

    headers_raw = raw.get("headers", {})
    if not isinstance(headers_raw, dict):
        raise _fail(source, "headers", "must be a table of name = string value")
    headers: dict[str, str] = {}
    header_placeholders: set[str] = set()
    for name, value in headers_raw.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise _fail(source, f"headers.{name}", "header names and values must be strings")
        header_placeholders |= _check_template(
            source, f"headers.{name}", value, ("session_id",), env_names
        )
        headers[name] = value

    mode = raw.get("mode", "stateless")
    if mode not in ("stateless", "stateful"):
        raise _fail(source, "mode", f"must be 'stateless' or 'stateful' (got {mode!r})")

    body = raw["body"]
    if not isinstance(body, dict | list):
        raise _fail(source, "body", "must be a table/mapping or list (the JSON request body)")
    body_placeholders = _check_body(source, "body", body, env_names)
    if mode == "stateless":
        if not body_placeholders & {"messages", "message"}:
            raise _fail(source, "body", "a stateless bot needs '{{messages}}' (or '{{message}}')")
        if "session_id" in body_placeholders | url_placeholders | header_placeholders:
            raise _fail(source, "body", "'{{session_id}}' needs mode = 'stateful'")
    else:
        if "messages" in body_placeholders:
            raise _fail(
                source,
                "body",
                "a stateful bot keeps the history: use '{{message}}', not '{{messages}}'",
            )
        if "message" not in body_placeholders:
            raise _fail(source, "body", "a stateful bot needs '{{message}}'")
        if "session_id" not in body_placeholders | url_placeholders | header_placeholders:
            raise _fail(
                source, "body", "a stateful bot needs '{{session_id}}' in url, headers or body"
            )

    reply_path_text = raw["reply_path"]
    reply_path = parse_path(source, "reply_path", reply_path_text)

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

    system = raw.get("system", "auto")
    if system not in ("auto", "message", "prepend", "drop"):
        raise _fail(source, "system", "must be 'auto', 'message', 'prepend' or 'drop'")
    if system == "message" and mode == "stateful":
        raise _fail(source, "system", "a stateful bot cannot take a system role: use 'prepend'")
    if system == "auto":
        if "system" in body_placeholders:
            system = "placeholder"
        else:
            system = "message" if mode == "stateless" else "prepend"

    session_raw = raw.get("session", {})
    if not isinstance(session_raw, dict):
        raise _fail(source, "session", "must be a table")
    unknown = sorted(set(session_raw) - _SESSION_FIELDS)
    if unknown:
        raise _fail(source, f"session.{unknown[0]}", "unknown field")
    if session_raw and mode == "stateless":
        raise _fail(source, "session", "only a stateful bot has sessions")
    start_url = session_raw.get("start_url")
    if start_url is not None:
        if _check_url(source, "session.start_url", start_url, env_names):
            raise _fail(source, "session.start_url", "cannot use '{{session_id}}'")
    start_method = session_raw.get("start_method", "POST")
    if not isinstance(start_method, str) or start_method.upper() not in ("POST", "PUT", "GET"):
        raise _fail(source, "session.start_method", "must be POST, PUT or GET")
    start_body = session_raw.get("start_body")
    if start_body is not None:
        if _check_body(source, "session.start_body", start_body, env_names):
            raise _fail(source, "session.start_body", "placeholders are not available here")
    id_path_text = session_raw.get("session_id_path", "session_id")
    if start_url is None and ("session_id_path" in session_raw or start_body is not None):
        raise _fail(source, "session", "'session_id_path'/'start_body' need 'start_url'")
    session = SessionConfig(
        start_url=start_url,
        start_method=start_method.upper(),
        start_body=start_body,
        session_id_path=parse_path(source, "session.session_id_path", id_path_text),
        session_id_path_text=id_path_text,
    )

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

    return BotConfig(
        source=source,
        url=raw["url"].strip(),
        method=method.upper(),
        headers=headers,
        mode=mode,
        body=body,
        reply_path=reply_path,
        reply_path_text=reply_path_text,
        roles=roles,
        system=system,
        session=session,
        timeout_seconds=timeout_seconds,
        retries=retries,
        backoff_initial_seconds=backoff_initial,
        backoff_max_seconds=backoff_max,
        rate_limit_per_minute=float(rate) if rate is not None else None,
        body_placeholders=frozenset(body_placeholders),
    )


def _env_names(config: BotConfig) -> list[str]:
    """Every ``${VAR}`` the config references, in a stable order."""
    names: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            for kind, name in _tokens(value):
                if kind == "env" and name not in names:
                    names.append(name)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(
        [
            config.url,
            config.headers,
            config.body,
            config.session.start_url,
            config.session.start_body,
        ]
    )
    return names


# --------------------------------------------------------------------------------------------
# Secrets, templates, JSON paths
# --------------------------------------------------------------------------------------------


class _Secrets:
    """Resolved environment values plus literal credential headers; never printed."""

    def __init__(self, env: dict[str, str], literal: list[str]) -> None:
        self._env = env
        values = {v for v in [*env.values(), *literal] if v}
        # longest first so that a secret containing another is replaced whole
        self._values = sorted(values, key=len, reverse=True)

    def env(self, name: str) -> str:
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

    def __repr__(self) -> str:
        return f"<{len(self._values)} redacted secret value(s)>"

    __str__ = __repr__


def _render_string(template: str, values: dict[str, Any], secrets: _Secrets) -> Any:
    """Fill one template string in a single pass (inserted text is never re-interpreted)."""
    whole = re.fullmatch(r"\{\{\s*([^{}]*?)\s*\}\}", template)
    if whole and not isinstance(values.get(whole.group(1)), str):
        return values.get(whole.group(1))

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return secrets.env(match.group(1))
        value = values.get(match.group(2), "")
        return value if isinstance(value, str) else json.dumps(value)

    return _TOKEN.sub(replace, template)


def _render(template: Any, values: dict[str, Any], secrets: _Secrets) -> Any:
    if isinstance(template, str):
        return _render_string(template, values, secrets)
    if isinstance(template, dict):
        return {k: _render(v, values, secrets) for k, v in template.items()}
    if isinstance(template, list):
        return [_render(v, values, secrets) for v in template]
    return template


_MISSING = object()


def _lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    """Follow a parsed path; ``_MISSING`` when any step is absent."""
    current = data
    for segment in path:
        if isinstance(current, list) and isinstance(segment, int):
            if not -len(current) <= segment < len(current):
                return _MISSING
            current = current[segment]
        elif isinstance(current, dict):
            key = str(segment)
            if key not in current:
                return _MISSING
            current = current[key]
        else:
            return _MISSING
    return current


# --------------------------------------------------------------------------------------------
# Errors and rate limiting
# --------------------------------------------------------------------------------------------

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


class _MinInterval:
    """Spaces requests at least ``60 / per_minute`` seconds apart (shared, loop-independent)."""

    def __init__(self, per_minute: float | None) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        # reserve a slot synchronously (no await in between), so concurrent tasks never share one
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await anyio.sleep(slot - now)


def _retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------


@dataclass
class _CallLog:
    """Redacted record of one generate call's HTTP exchanges (for Inspect's ModelCall)."""

    secrets: _Secrets
    requests: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0

    def request(self, method: str, url: str, headers: dict[str, str], body: Any) -> None:
        shown = {
            name: (REDACTED if _SENSITIVE_HEADER.search(name) else self.secrets.scrub_text(v))
            for name, v in headers.items()
        }
        self.requests.append(
            {
                "method": method,
                "url": self.secrets.scrub_text(url),
                "headers": shown,
                "body": self.secrets.scrub_json(body),
            }
        )

    def response(self, status: int | None, payload: Any) -> None:
        self.responses.append({"status": status, "body": self.secrets.scrub_json(payload)})


class HttpBotAPI(ModelAPI):
    """``httpbot/<name>``: a deployed chatbot reached through its own HTTP API."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        bot_config: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(
            model_name=model_name, base_url=None, api_key=None, config=config or GenerateConfig()
        )
        if model_args:
            raise ValueError(
                f"httpbot/{model_name}: unknown model argument(s) {sorted(model_args)}; "
                "the only one is bot_config=<path to .toml/.yaml>"
            )
        if base_url is not None or api_key is not None:
            raise ValueError(
                f"httpbot/{model_name}: base_url/api_key are not used; put the URL in the bot "
                "config and credentials in its headers as ${VAR}"
            )
        path = bot_config or os.environ.get(CONFIG_ENV_VAR)
        if not path:
            raise ValueError(
                f"httpbot/{model_name}: no bot config: pass -M bot_config=<path> or set "
                f"{CONFIG_ENV_VAR}"
            )
        self.bot = load_bot_config(path)
        env: dict[str, str] = {}
        for name in _env_names(self.bot):
            value = os.environ.get(name)
            if value is None or value == "":
                raise ValueError(
                    f"bot config {self.bot.source}: environment variable '{name}' is not set "
                    "or empty (referenced as ${" + name + "})"
                )
            env[name] = value
        literal = [
            value
            for header, value in self.bot.headers.items()
            if _SENSITIVE_HEADER.search(header) and not _tokens(value)
        ]
        self._secrets = _Secrets(env, literal)
        self._limiter = _MinInterval(self.bot.rate_limit_per_minute)

    def __repr__(self) -> str:
        return (
            f"HttpBotAPI(model_name={self.model_name!r}, config={self.bot.source!r}, "
            f"mode={self.bot.mode!r})"
        )

    def should_retry(self, ex: Exception) -> bool:
        """Retries happen inside the provider (per HTTP request); Inspect must not replay."""
        return False

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput | Exception, ModelCall]:
        """Send the conversation to the bot; the final bot reply is the output."""
        log = _CallLog(self._secrets)
        started = time.monotonic()
        try:
            if tools:
                raise HttpBotError("unsupported_input", "a chatbot HTTP API cannot be given tools")
            async with httpx.AsyncClient(
                timeout=self.bot.timeout_seconds, follow_redirects=False
            ) as client:
                if self.bot.mode == "stateless":
                    reply, meta = await self._stateless(client, input, log)
                else:
                    reply, meta = await self._stateful(client, input, log)
            reply, redactions = self._secrets.scrub(reply)
            meta.update(
                {
                    "requests": len(log.requests),
                    "retries": log.retries,
                    "reply_redactions": redactions,
                }
            )
            answer = ModelOutput.from_content(model=self.model_name, content=reply)
            answer.metadata = {"httpbot": meta}
            output: ModelOutput | Exception = answer
        except HttpBotError as ex:
            # a fresh exception without traceback/context: nothing but the redacted message
            # (no local variables, no httpx internals) can reach Inspect's error record
            output = HttpBotError(
                ex.kind,
                self._secrets.scrub_text(f"httpbot/{self.model_name}: {ex.detail}"),
                ex.status_code,
            )
        call = ModelCall.create(
            request={"bot": self.model_name, "mode": self.bot.mode, "requests": log.requests},
            response={"responses": log.responses, "retries": log.retries},
            time=time.monotonic() - started,
        )
        return output, call

    # -- conversation handling ---------------------------------------------------------------
    def _split_system(
        self, input: list[ChatMessage]
    ) -> tuple[str, list[tuple[int, ChatMessage]], int]:
        """Join system texts; return (system text, other messages with their input index,
        system message count)."""
        system_texts: list[str] = []
        others: list[tuple[int, ChatMessage]] = []
        for index, message in enumerate(input):
            self._check_text_only(index, message)
            if isinstance(message, ChatMessageSystem):
                system_texts.append(message.text)
            elif isinstance(message, ChatMessageUser | ChatMessageAssistant):
                others.append((index, message))
            else:
                raise HttpBotError(
                    "unsupported_input",
                    f"message {index} has role '{message.role}'; a chatbot takes user and "
                    "assistant turns only",
                )
        return "\n\n".join(t for t in system_texts if t), others, len(system_texts)

    @staticmethod
    def _check_text_only(index: int, message: ChatMessage) -> None:
        if isinstance(message.content, list):
            kinds = {c.type for c in message.content if c.type not in ("text", "reasoning")}
            if kinds:
                raise HttpBotError(
                    "unsupported_input",
                    f"message {index} contains {sorted(kinds)}; only text can be sent",
                )

    def _values(self, system: str, **extra: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"system": "" if self.bot.system == "drop" else system}
        values.update(extra)
        return values

    async def _stateless(
        self, client: httpx.AsyncClient, input: list[ChatMessage], log: _CallLog
    ) -> tuple[str, dict[str, Any]]:
        system, indexed, n_system = self._split_system(input)
        others = [message for _, message in indexed]
        roles = self.bot.roles
        messages: list[dict[str, str]] = []
        if system and self.bot.system == "message":
            messages.append({"role": roles["system"], "content": system})
        prepend = system if self.bot.system == "prepend" else ""
        for message in others:
            text = message.text
            if prepend and message.role == "user":
                text, prepend = f"{prepend}\n\n{text}", ""
            messages.append({"role": roles[message.role], "content": text})
        users = [m for m in others if m.role == "user"]
        if not users:
            raise HttpBotError("unsupported_input", "the conversation has no user message")
        if "messages" not in self.bot.body_placeholders and len(others) > 1:
            raise HttpBotError(
                "unsupported_input",
                f"this bot config sends only '{{{{message}}}}', but the input has "
                f"{len(others)} turns; use '{{{{messages}}}}' or mode = 'stateful'",
            )
        last_user = messages[max(i for i, m in enumerate(messages) if m["role"] == roles["user"])]
        values = self._values(system, messages=messages, message=last_user["content"])
        data = await self._send(client, self.bot.url, self.bot.headers, self.bot.body, values, log)
        reply = self._extract_reply(data)
        meta: dict[str, Any] = {
            "mode": "stateless",
            "messages_sent": len(messages),
            "system": self.bot.system if n_system else "none",
            "system_messages": n_system,
            "prefilled_assistant_turns": sum(1 for m in others if m.role == "assistant"),
            "replaced_assistant_turns": 0,
            "replaced_turns": [],
        }
        return reply, meta

    async def _stateful(
        self, client: httpx.AsyncClient, input: list[ChatMessage], log: _CallLog
    ) -> tuple[str, dict[str, Any]]:
        system, indexed, n_system = self._split_system(input)
        others = [message for _, message in indexed]
        if not others or others[-1].role != "user":
            raise HttpBotError(
                "unsupported_input",
                "a stateful bot needs the conversation to end with a user message",
            )
        # group the turns: each user group is sent; the assistant turns after it get replaced
        unreplayable = 0
        position = 0
        while position < len(indexed) and indexed[position][1].role == "assistant":
            unreplayable += 1
            position += 1
        groups: list[tuple[list[str], list[tuple[int, str]]]] = []
        for index, message in indexed[position:]:
            if message.role == "user":
                if groups and not groups[-1][1]:
                    groups[-1][0].append(message.text)
                else:
                    groups.append(([message.text], []))
            else:
                groups[-1][1].append((index, message.text))
        merged = sum(len(users) - 1 for users, _ in groups)

        session_id = await self._start_session(client, log)
        replaced: list[dict[str, Any]] = []
        reply = ""
        prepend = system if self.bot.system == "prepend" else ""
        for turn, (user_texts, prefilled) in enumerate(groups):
            text = "\n\n".join(user_texts)
            if turn == 0 and prepend:
                text = f"{prepend}\n\n{text}"
            values = self._values(system, message=text, session_id=session_id)
            url = _render_string(self.bot.url, values, self._secrets)
            data = await self._send(client, url, self.bot.headers, self.bot.body, values, log)
            reply = self._extract_reply(data)
            for index, prefilled_text in prefilled:
                replaced.append(
                    {
                        "input_index": index,
                        "prefilled": prefilled_text,
                        "bot_reply": self._secrets.scrub_text(reply),
                        "same_text": prefilled_text.strip() == reply.strip(),
                    }
                )
        meta: dict[str, Any] = {
            "mode": "stateful",
            "session_id": self._secrets.scrub_text(session_id),
            "user_turns_sent": len(groups),
            "merged_user_messages": merged,
            "system": self.bot.system if n_system else "none",
            "system_messages": n_system,
            "prefilled_assistant_turns": sum(1 for m in others if m.role == "assistant"),
            "replaced_assistant_turns": len(replaced),
            "replaced_turns": replaced,
            "unreplayable_assistant_turns": unreplayable,
        }
        return reply, meta

    async def _start_session(self, client: httpx.AsyncClient, log: _CallLog) -> str:
        session = self.bot.session
        if session.start_url is None:
            return str(uuid.uuid4())
        url = _render_string(session.start_url, {}, self._secrets)
        headers = {k: v for k, v in self.bot.headers.items() if "{{" not in v}
        data = await self._send(
            client, url, headers, session.start_body, {}, log, method=session.start_method
        )
        value = _lookup(data, session.session_id_path)
        if value is _MISSING or isinstance(value, bool) or not isinstance(value, str | int):
            raise HttpBotError(
                "missing_session_id",
                f"no session id at '{session.session_id_path_text}' in the start_url response: "
                f"{self._excerpt(json.dumps(data))}",
            )
        if str(value).strip() == "":
            raise HttpBotError("missing_session_id", "the start_url response gave an empty id")
        return str(value)

    # -- HTTP ----------------------------------------------------------------------------------
    async def _send(
        self,
        client: httpx.AsyncClient,
        url: str,
        header_templates: dict[str, str],
        body_template: Any,
        values: dict[str, Any],
        log: _CallLog,
        method: str | None = None,
    ) -> Any:
        """One logical request with retries on 429/5xx/connect errors; returns the JSON."""
        method = method or self.bot.method
        headers = {
            k: str(_render_string(v, values, self._secrets)) for k, v in header_templates.items()
        }
        body = _render(body_template, values, self._secrets) if body_template is not None else None
        safe_url = self._secrets.scrub_text(url)
        attempt = 0
        while True:
            log.request(method, url, headers, body)
            await self._limiter.wait()
            try:
                if body is None:
                    response = await client.request(method, url, headers=headers)
                else:
                    response = await client.request(method, url, headers=headers, json=body)
            except httpx.TimeoutException as ex:
                log.response(None, {"error": type(ex).__name__})
                if isinstance(ex, httpx.ConnectTimeout) and attempt < self.bot.retries:
                    attempt = await self._backoff(attempt, None, log)
                    continue
                raise HttpBotError(
                    "timeout",
                    f"no response from {method} {safe_url} within "
                    f"{self.bot.timeout_seconds:g}s ({type(ex).__name__})",
                ) from None
            except httpx.TransportError as ex:
                log.response(None, {"error": type(ex).__name__})
                if attempt < self.bot.retries:
                    attempt = await self._backoff(attempt, None, log)
                    continue
                raise HttpBotError(
                    "connection",
                    f"{method} {safe_url} failed after {attempt + 1} attempt(s): "
                    f"{type(ex).__name__}",
                ) from None
            text = response.text
            status = response.status_code
            if status == 429 or status >= 500:
                log.response(status, self._excerpt(text))
                if attempt < self.bot.retries:
                    attempt = await self._backoff(
                        attempt, _retry_after_seconds(response.headers.get("Retry-After")), log
                    )
                    continue
                raise HttpBotError(
                    "http_status",
                    f"{method} {safe_url} returned HTTP {status} after {attempt + 1} "
                    f"attempt(s): {self._excerpt(text)}",
                    status,
                )
            if status >= 400:
                log.response(status, self._excerpt(text))
                raise HttpBotError(
                    "http_status",
                    f"{method} {safe_url} returned HTTP {status}: {self._excerpt(text)}",
                    status,
                )
            try:
                data = json.loads(text)
            except json.JSONDecodeError as ex:
                log.response(status, self._excerpt(text))
                raise HttpBotError(
                    "malformed_json",
                    f"{method} {safe_url} returned a body that is not valid JSON ({ex.msg}, "
                    f"char {ex.pos}): {self._excerpt(text)}",
                    status,
                ) from None
            log.response(status, data)
            return data

    async def _backoff(self, attempt: int, retry_after: float | None, log: _CallLog) -> int:
        """Sleep before retry number ``attempt + 1`` (capped); returns the new attempt count."""
        delay = retry_after
        if delay is None:
            delay = self.bot.backoff_initial_seconds * (2**attempt)
        delay = min(delay, self.bot.backoff_max_seconds)
        log.retries += 1
        if delay > 0:
            await anyio.sleep(delay)
        return attempt + 1

    def _excerpt(self, text: str) -> str:
        text = " ".join(self._secrets.scrub_text(text).split())
        if len(text) > _EXCERPT_CHARS:
            text = text[:_EXCERPT_CHARS] + "..."
        return repr(text) if text else "(empty body)"

    def _extract_reply(self, data: Any) -> str:
        value = _lookup(data, self.bot.reply_path)
        where = f"reply_path '{self.bot.reply_path_text}'"
        if value is _MISSING:
            raise HttpBotError(
                "missing_reply",
                f"the response has nothing at {where}: {self._excerpt(json.dumps(data))}",
            )
        if not isinstance(value, str):
            raise HttpBotError(
                "non_text_reply",
                f"the value at {where} is {type(value).__name__}, not text: "
                f"{self._excerpt(json.dumps(value))}",
            )
        if not value.strip():
            raise HttpBotError(
                "empty_reply",
                f"the bot returned an empty reply at {where} (an error, not a safe answer)",
            )
        return value


@modelapi(name="httpbot")
def httpbot_provider() -> type[ModelAPI]:
    """Register the ``httpbot`` provider (see :mod:`therapy_audit.models.http_bot`)."""
    return HttpBotAPI
