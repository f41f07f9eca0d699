"""``replay/<name>``: answers recorded elsewhere, returned as the model's output.

Used to score results written by the original paper's code, filled worksheets from chatbots
without an API, and human respondents. The recording is a JSON Lines file (model arg
``recording``) of ``{"key": ..., "output": ...}``; the key is :func:`messages_key` of the
input messages the importer built for that sample. An input with no recording is an error,
never an empty (and so seemingly safe) answer.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo


class MissingRecordingError(RuntimeError):
    """The replayed model has no recorded output for an input."""


def messages_key(messages: list[ChatMessage] | list[dict]) -> str:
    """A stable key for a conversation: sha256 of its roles and texts."""
    pairs = []
    for m in messages:
        if isinstance(m, dict):
            pairs.append([m["role"], m["content"]])
        else:
            pairs.append([m.role, m.text])
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()


def write_recording(path: Path, records: dict[str, str | None]) -> None:
    """Write ``{key: output}`` as a recording file (``None`` = the source had no output)."""
    with path.open("w", encoding="utf-8") as f:
        for key, output in records.items():
            f.write(json.dumps({"key": key, "output": output}, ensure_ascii=False) + "\n")


def read_recording(path: Path) -> dict[str, str | None]:
    records: dict[str, str | None] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                row = json.loads(line)
                records[row["key"]] = row["output"]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: not a recording line ({err})") from err
    return records


class ReplayModelAPI(ModelAPI):
    """Returns the recorded output for each input (see the module docstring)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        recording: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        self.recording_path = Path(recording) if recording else None
        self._records: dict[str, str | None] | None = None

    def _lookup(self) -> dict[str, str | None]:
        if self._records is None:
            if self.recording_path is None:
                raise ValueError("replay models need -M recording=<file>")
            self._records = read_recording(self.recording_path)
        return self._records

    def max_connections(self) -> int:
        return 32

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        records = self._lookup()
        key = messages_key(input)
        if key not in records:
            raise MissingRecordingError(f"no recorded output for this input (key {key[:12]})")
        output = records[key]
        if output is None:
            raise MissingRecordingError("the source recorded no output for this input")
        result = ModelOutput.from_content(self.model_name, content=output)
        result.usage = ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0)
        return result


@modelapi(name="replay")
def replay_provider() -> type[ModelAPI]:
    return ReplayModelAPI
