"""The ``httpbot`` model provider: audit a deployed chatbot through its own HTTP API with
``--model httpbot/<name> -M bot_config=path/to/bot.toml`` (``.toml``, ``.yaml`` or ``.yml``; the
environment variable ``THERAPY_AUDIT_BOT_CONFIG`` is the fallback; ``<name>`` is a label used in
logs). The package exports what callers use and owns nothing itself: :mod:`.config` (the config
file: fields, defaults, validation), :mod:`.templating` (``${VAR}``/``{{placeholder}}`` templates
and response paths), :mod:`.secrets` (``${VAR}`` values and redaction), :mod:`.conversation`
(messages to bot turns, stateful replay, reading the reply), :mod:`.transport` (HTTP, retries,
rate limit), :mod:`.errors` (:class:`HttpBotError`) and :mod:`.provider` (the Inspect
``ModelAPI``, registered on import)."""

from therapy_audit.models.httpbot.config import (
    CONFIG_ENV_VAR,
    BotConfig,
    SessionConfig,
    load_bot_config,
)
from therapy_audit.models.httpbot.errors import HttpBotError
from therapy_audit.models.httpbot.provider import HttpBotAPI, httpbot_provider

__all__ = [
    "CONFIG_ENV_VAR",
    "BotConfig",
    "HttpBotAPI",
    "HttpBotError",
    "SessionConfig",
    "httpbot_provider",
    "load_bot_config",
]
