"""What the ``inspect_ai`` entry point loads: the package's tasks and model providers."""

# ruff: noqa: F401
from therapy_audit.appropriateness.task import appropriateness
from therapy_audit.models.httpbot import httpbot_provider
from therapy_audit.models.local import local_provider
from therapy_audit.models.replay import replay_provider
from therapy_audit.stigma.task import stigma
