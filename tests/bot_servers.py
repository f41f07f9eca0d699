"""Real local HTTP chatbot servers for testing the ``httpbot`` model provider.

One :class:`BotServer` (stdlib ``ThreadingHTTPServer`` on 127.0.0.1, port 0, in a thread) serves:

* ``POST /v1/chat/completions`` -- a stateless OpenAI-like bot. It replies deterministically with
  ``"You said: <last user message> (<n> messages)"`` so tests can see how much history it got.
* ``POST /sessions`` -> ``{"session_id": ...}`` and ``POST /sessions/<id>/messages`` with
  ``{"text": ...}`` -> ``{"reply": {"text": ..., "turn": k}}`` -- a stateful bot that keeps the
  history server-side (unknown session ids get a 404).
* ``POST /chat`` with ``{"session_id": ..., "message": ...}`` -- a stateful bot that accepts
  client-generated session ids (the session is created on first use).

Every request is recorded (method, path, headers, JSON body). When ``token`` is set, every route
requires ``Authorization: Bearer <token>`` or ``X-Api-Key: <token>`` (401 otherwise, the body never
echoes the header).

Fault injection for the chat routes (not ``/sessions``): the :class:`Faults` knobs on
``server.faults`` (delay, 429 with ``Retry-After`` for the first N calls, 500 for the first N
calls, a fixed error status, malformed JSON, missing reply field, empty reply), and the same
faults triggered per message by markers in the latest user text: ``#timeout``, ``#malformed``,
``#missing``, ``#empty``, ``#status400``, and ``#echo-auth`` / ``#echo-auth-error`` (the bot
puts the received credential into its reply / a 400 error body, to prove the provider scrubs
secrets).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SESSION_MESSAGES = re.compile(r"^/sessions/([^/]+)/messages$")


@dataclass
class Faults:
    """Fault-injection knobs; the counters decrease as calls consume them."""

    delay_seconds: float = 0.0
    fail_429: int = 0
    retry_after: str | None = "0"
    fail_500: int = 0
    status: int | None = None
    malformed_json: bool = False
    missing_field: bool = False
    empty_reply: bool = False


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: str


@dataclass
class _Reply:
    status: int
    payload: Any = None
    raw: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class BotServer:
    """A local chatbot server with stateless, stateful and fault-injection behaviour."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, list[dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._session_counter = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> BotServer:
        """Bind to 127.0.0.1 on a free port and serve in a daemon thread."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (stdlib naming)
                server._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake any delayed handlers and shut the server down."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- inspection helpers ----------------------------------------------------------------
    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        """Recorded requests whose path starts with ``path_prefix``."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    # -- request handling ------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode("utf-8") if length else ""
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        path = handler.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, path, headers, body, raw))
        reply = self._route(handler.command, path, headers, body)
        if reply is None:  # the client gave up during a delay or the server is stopping
            return
        data = (reply.raw if reply.raw is not None else json.dumps(reply.payload)).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _authorised(self, headers: dict[str, str]) -> bool:
        if self.token is None:
            return True
        return (
            headers.get("authorization") == f"Bearer {self.token}"
            or headers.get("x-api-key") == self.token
        )

    def _route(self, method: str, path: str, headers: dict[str, str], body: Any) -> _Reply | None:
        if method != "POST":
            return _Reply(405, {"error": "method not allowed"})
        if not self._authorised(headers):
            return _Reply(401, {"error": "unauthorized"})
        if path == "/sessions":
            with self._lock:
                self._session_counter += 1
                session_id = f"sess-{self._session_counter}"
                self.sessions[session_id] = []
            return _Reply(201, {"session_id": session_id})
        if not isinstance(body, dict):
            return _Reply(400, {"error": "expected a JSON object"})
        if path == "/v1/chat/completions":
            return self._stateless(headers, body)
        match = _SESSION_MESSAGES.match(path)
        if match:
            session_id = match.group(1)
            with self._lock:
                known = session_id in self.sessions
            if not known:
                return _Reply(404, {"error": "unknown session"})
            return self._stateful(session_id, body.get("text"), headers)
        if path == "/chat":
            session_id = body.get("session_id")
            if not isinstance(session_id, str) or not session_id:
                return _Reply(400, {"error": "session_id required"})
            with self._lock:
                self.sessions.setdefault(session_id, [])
            return self._stateful(session_id, body.get("message"), headers)
        return _Reply(404, {"error": "not found"})

    def _stateless(self, headers: dict[str, str], body: dict[str, Any]) -> _Reply | None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _Reply(400, {"error": "messages must be a non-empty list"})
        user_texts = [m.get("content", "") for m in messages if m.get("role") == "user"]
        last = user_texts[-1] if user_texts else ""
        fault = self._fault(last, headers)
        if fault is not None:
            return fault
        text = self._reply_text(last, f"You said: {last} ({len(messages)} messages)", headers)
        if self._consume_flag("missing_field", last, "#missing"):
            return _Reply(200, {"choices": [{"index": 0, "message": {"role": "assistant"}}]})
        return _Reply(
            200,
            {
                "id": "chatcmpl-local",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    def _stateful(self, session_id: str, text: Any, headers: dict[str, str]) -> _Reply | None:
        if not isinstance(text, str):
            return _Reply(400, {"error": "message text required"})
        fault = self._fault(text, headers)
        if fault is not None:
            return fault
        with self._lock:
            history = self.sessions[session_id]
            history.append({"role": "user", "content": text})
            turn = sum(1 for m in history if m["role"] == "user")
        reply = self._reply_text(text, f"[turn {turn}] You said: {text}", headers)
        with self._lock:
            history.append({"role": "assistant", "content": reply})
        if self._consume_flag("missing_field", text, "#missing"):
            return _Reply(200, {"reply": {"turn": turn}})
        return _Reply(200, {"reply": {"text": reply, "turn": turn}})

    def _reply_text(self, text: str, normal: str, headers: dict[str, str]) -> str:
        if self.faults.empty_reply or "#empty" in text:
            return "   "
        if "#echo-auth" in text:
            credential = headers.get("authorization") or headers.get("x-api-key") or ""
            return f"{normal} [credential seen: {credential}]"
        return normal

    def _consume_flag(self, knob: str, text: str, marker: str) -> bool:
        return bool(getattr(self.faults, knob)) or marker in text

    def _fault(self, text: str, headers: dict[str, str]) -> _Reply | None:
        """Apply the configured and message-triggered faults; ``_Reply`` means respond now."""
        delay = self.faults.delay_seconds or (5.0 if "#timeout" in text else 0.0)
        if delay and self._stopping.wait(delay):
            return None
        with self._lock:
            if self.faults.fail_429 > 0:
                self.faults.fail_429 -= 1
                extra = (
                    {}
                    if self.faults.retry_after is None
                    else {"Retry-After": self.faults.retry_after}
                )
                return _Reply(429, {"error": "rate limited"}, headers=extra)
            if self.faults.fail_500 > 0:
                self.faults.fail_500 -= 1
                return _Reply(500, {"error": "internal error"})
        if self.faults.status is not None:
            return _Reply(self.faults.status, {"error": f"status {self.faults.status}"})
        if "#status400" in text:
            return _Reply(400, {"error": "bad request"})
        if "#echo-auth-error" in text:
            credential = headers.get("authorization") or headers.get("x-api-key") or ""
            return _Reply(400, {"error": f"bad request from {credential}"})
        if self.faults.malformed_json or "#malformed" in text:
            return _Reply(200, raw='{"choices": [{"message": {"content": "unterminated')
        return None
