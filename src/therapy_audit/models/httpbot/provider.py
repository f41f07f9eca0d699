"""The Inspect model provider registered as ``httpbot``: :class:`HttpBotAPI` turns one
``generate`` call into the bot's answer or an :class:`HttpBotError`. It loads the bot config
(``-M bot_config=<path>``, else ``THERAPY_AUDIT_BOT_CONFIG``) and its secrets, refuses tools and
unknown model arguments, and runs the call in the config's mode: ``stateless``, one request with
the whole conversation; ``stateful``, a NEW session for every ``generate`` call (a
client-generated uuid4 or a ``session.start_url`` request) over which the conversation is
replayed turn by turn (see :mod:`.conversation`). A solver that calls ``generate`` several times
per sample triggers a fresh session and a full replay each time. Retries happen inside the
provider, per HTTP request (see :mod:`.transport`), so Inspect never replays a call; the
(redacted) request log goes to Inspect as the call's ``ModelCall``."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import httpx
from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolChoice, ToolInfo

from therapy_audit.models.httpbot.config import CONFIG_ENV_VAR, load_bot_config
from therapy_audit.models.httpbot.conversation import (
    extract_reply,
    placeholder_values,
    replaced_turns,
    replay_plan,
    stateless_request,
)
from therapy_audit.models.httpbot.errors import HttpBotError
from therapy_audit.models.httpbot.secrets import load_secrets
from therapy_audit.models.httpbot.templating import MISSING, lookup, render_string
from therapy_audit.models.httpbot.transport import CallLog, Transport


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
        self._secrets = load_secrets(self.bot)
        self._transport = Transport(self.bot, self._secrets)

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
        log = CallLog(self._secrets)
        started = time.monotonic()
        try:
            if tools:
                raise HttpBotError("unsupported_input", "a chatbot HTTP API cannot be given tools")
            async with self._transport.client() as client:
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

    async def _stateless(
        self, client: httpx.AsyncClient, input: list[ChatMessage], log: CallLog
    ) -> tuple[str, dict[str, Any]]:
        values, meta = stateless_request(self.bot, input)
        url = render_string(self.bot.url, values, self._secrets.env)
        data = await self._transport.send(
            client, url, self.bot.headers, self.bot.body, values, log
        )
        return extract_reply(self.bot, self._secrets, data), meta

    async def _stateful(
        self, client: httpx.AsyncClient, input: list[ChatMessage], log: CallLog
    ) -> tuple[str, dict[str, Any]]:
        plan = replay_plan(self.bot, input)
        session_id = await self._start_session(client, log)
        replaced: list[dict[str, Any]] = []
        reply = ""
        for text, prefilled in plan.turns:
            values = placeholder_values(
                self.bot, plan.conversation.system, message=text, session_id=session_id
            )
            url = render_string(self.bot.url, values, self._secrets.env)
            data = await self._transport.send(
                client, url, self.bot.headers, self.bot.body, values, log
            )
            reply = extract_reply(self.bot, self._secrets, data)
            replaced.extend(replaced_turns(prefilled, reply, self._secrets))
        return reply, plan.meta(self.bot, self._secrets.scrub_text(session_id), replaced)

    async def _start_session(self, client: httpx.AsyncClient, log: CallLog) -> str:
        """A new session id: a client uuid4, or the one the ``start_url`` response gives."""
        session = self.bot.session
        if session.start_url is None:
            return str(uuid.uuid4())
        url = render_string(session.start_url, {}, self._secrets.env)
        headers = {k: v for k, v in self.bot.headers.items() if "{{" not in v}
        data = await self._transport.send(
            client, url, headers, session.start_body, {}, log, method=session.start_method
        )
        value = lookup(data, session.session_id_path)
        if value is MISSING or isinstance(value, bool) or not isinstance(value, str | int):
            raise HttpBotError(
                "missing_session_id",
                f"no session id at '{session.session_id_path_text}' in the start_url response: "
                f"{self._secrets.excerpt(json.dumps(data))}",
            )
        if str(value).strip() == "":
            raise HttpBotError("missing_session_id", "the start_url response gave an empty id")
        return str(value)


@modelapi(name="httpbot")
def httpbot_provider() -> type[ModelAPI]:
    """Register the ``httpbot`` provider (see :mod:`therapy_audit.models.httpbot`)."""
    return HttpBotAPI
