"""The HTTP exchanges with a bot: one logical request (templates filled, ``httpx`` call, JSON
parsed) with retries, the rate limit, timeouts, and the redacted log of every attempt. 429 and
5xx responses and connection failures (including connect timeouts) are retried up to
``retries`` times with exponential backoff (``backoff_initial_seconds`` doubled per retry) that
honours ``Retry-After`` (seconds or an HTTP date), capped by ``backoff_max_seconds``; any other
4xx fails at once. Read timeouts are not retried: a stateful bot may already have processed the
message, and re-sending it would corrupt the session. Inspect's adaptive concurrency ignores
``max_connections()``, so ``rate_limit_per_minute`` (a minimum interval between requests, shared
by the provider instance) and Inspect's ``--max-connections`` protect a deployed bot."""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from therapy_audit.models.httpbot.config import BotConfig
from therapy_audit.models.httpbot.errors import HttpBotError
from therapy_audit.models.httpbot.secrets import Secrets
from therapy_audit.models.httpbot.templating import render, render_string


@dataclass
class CallLog:
    """Redacted record of one generate call's HTTP exchanges (for Inspect's ModelCall)."""

    secrets: Secrets
    requests: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0

    def request(self, method: str, url: str, headers: dict[str, str], body: Any) -> None:
        self.requests.append(
            {
                "method": method,
                "url": self.secrets.scrub_text(url),
                "headers": self.secrets.scrub_headers(headers),
                "body": self.secrets.scrub_json(body),
            }
        )

    def response(self, status: int | None, payload: Any) -> None:
        self.responses.append({"status": status, "body": self.secrets.scrub_json(payload)})


class MinInterval:
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


def retry_after_seconds(value: str | None) -> float | None:
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


@dataclass(frozen=True)
class _Request:
    """One filled-in request; ``safe_url`` is the URL as error messages show it."""

    method: str
    url: str
    safe_url: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class _Retry:
    """An attempt that should be retried, after ``Retry-After`` seconds when the bot said so."""

    retry_after: float | None


class Transport:
    """Sends a bot config's requests, with its retries, backoff, timeout and rate limit."""

    def __init__(self, bot: BotConfig, secrets: Secrets) -> None:
        self.bot = bot
        self.secrets = secrets
        self.limiter = MinInterval(bot.rate_limit_per_minute)

    def client(self) -> httpx.AsyncClient:
        """The HTTP client of one generate call (the config's timeout; redirects not followed)."""
        return httpx.AsyncClient(timeout=self.bot.timeout_seconds, follow_redirects=False)

    async def send(
        self,
        client: httpx.AsyncClient,
        url: str,
        header_templates: dict[str, str],
        body_template: Any,
        values: dict[str, Any],
        log: CallLog,
        method: str | None = None,
    ) -> Any:
        """One logical request with retries on 429/5xx/connect errors; returns the JSON."""
        env = self.secrets.env
        request = _Request(
            method=method or self.bot.method,
            url=url,
            safe_url=self.secrets.scrub_text(url),
            headers={k: str(render_string(v, values, env)) for k, v in header_templates.items()},
            body=render(body_template, values, env) if body_template is not None else None,
        )
        attempt = 0
        while True:
            log.request(request.method, request.url, request.headers, request.body)
            await self.limiter.wait()
            outcome = await self._attempt(client, request, attempt, log)
            if not isinstance(outcome, _Retry):
                return outcome
            attempt = await self._backoff(attempt, outcome.retry_after, log)

    async def _attempt(
        self, client: httpx.AsyncClient, request: _Request, attempt: int, log: CallLog
    ) -> Any:
        """Make the call once: the JSON, a :class:`_Retry`, or an :class:`HttpBotError`."""
        method, safe_url = request.method, request.safe_url
        try:
            if request.body is None:
                response = await client.request(method, request.url, headers=request.headers)
            else:
                response = await client.request(
                    method, request.url, headers=request.headers, json=request.body
                )
        except httpx.TimeoutException as ex:
            log.response(None, {"error": type(ex).__name__})
            if isinstance(ex, httpx.ConnectTimeout) and attempt < self.bot.retries:
                return _Retry(None)
            raise HttpBotError(
                "timeout",
                f"no response from {method} {safe_url} within "
                f"{self.bot.timeout_seconds:g}s ({type(ex).__name__})",
            ) from None
        except httpx.TransportError as ex:
            log.response(None, {"error": type(ex).__name__})
            if attempt < self.bot.retries:
                return _Retry(None)
            raise HttpBotError(
                "connection",
                f"{method} {safe_url} failed after {attempt + 1} attempt(s): {type(ex).__name__}",
            ) from None
        return self._read(response, request, attempt, log)

    def _read(self, response: httpx.Response, request: _Request, attempt: int, log: CallLog) -> Any:
        """The response's JSON, a :class:`_Retry` (429/5xx), or an :class:`HttpBotError`."""
        where = f"{request.method} {request.safe_url}"
        text = response.text
        status = response.status_code
        if status == 429 or status >= 500:
            log.response(status, self.secrets.excerpt(text))
            if attempt < self.bot.retries:
                return _Retry(retry_after_seconds(response.headers.get("Retry-After")))
            raise HttpBotError(
                "http_status",
                f"{where} returned HTTP {status} after {attempt + 1} "
                f"attempt(s): {self.secrets.excerpt(text)}",
                status,
            )
        if status >= 400:
            log.response(status, self.secrets.excerpt(text))
            raise HttpBotError(
                "http_status",
                f"{where} returned HTTP {status}: {self.secrets.excerpt(text)}",
                status,
            )
        try:
            data = json.loads(text)
        except json.JSONDecodeError as ex:
            log.response(status, self.secrets.excerpt(text))
            raise HttpBotError(
                "malformed_json",
                f"{where} returned a body that is not valid JSON ({ex.msg}, "
                f"char {ex.pos}): {self.secrets.excerpt(text)}",
                status,
            ) from None
        log.response(status, data)
        return data

    async def _backoff(self, attempt: int, retry_after: float | None, log: CallLog) -> int:
        """Sleep before retry number ``attempt + 1`` (capped); returns the new attempt count."""
        delay = retry_after
        if delay is None:
            delay = self.bot.backoff_initial_seconds * (2**attempt)
        delay = min(delay, self.bot.backoff_max_seconds)
        log.retries += 1
        if delay > 0:
            await anyio.sleep(delay)
        return attempt + 1
