"""Loaded local models, shared by every provider instance with the same model args.

A runner is what the provider talks to: the chat template, a tokenizer and ``submit`` (prompt
tokens -> future :class:`Completion`). :class:`BatchRunner` serves requests with the batching
engine; :class:`~.sequential.SequentialEngine` is the single-sequence path. Runners are loaded
lazily (Inspect constructs providers just to look at them) and freed at interpreter exit,
before llama.cpp's bindings are torn down.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from therapy_audit.models.local.chat import ChatTemplate
from therapy_audit.models.local.completion import Completion, GenerationParams
from therapy_audit.models.local.engine import BatchEngine, EngineConfig
from therapy_audit.models.local.files import WEIGHT_TYPES, LocalModelError, requantised
from therapy_audit.models.local.progress import Progress


@dataclass(frozen=True)
class RunnerSpec:
    """Everything that decides which runner serves a provider (its model args)."""

    path: Path
    name: str = ""
    n_ctx: int = 8192
    n_threads: int = 1
    seed: int = 0
    prefix_cache: bool = True
    extra_buffers: bool = False
    batching: bool = True
    batch_size: int = 16
    kv_size: int = 0
    cache_slots: int = 8
    flash_attn: bool = False
    weights: str = ""

    def engine_config(self) -> EngineConfig:
        return EngineConfig(
            n_ctx=self.n_ctx, batch_size=self.batch_size,
            cache_slots=self.cache_slots if self.prefix_cache else 0,
            kv_size=self.kv_size, n_threads=self.n_threads, flash_attn=self.flash_attn,
            prefix_reuse=self.prefix_cache,
        )

    def validate(self) -> None:
        if self.n_ctx < 16:
            raise LocalModelError(f"n_ctx must be at least 16, not {self.n_ctx}")
        if self.n_threads < 1:
            raise LocalModelError("n_threads must be at least 1")
        if not self.batching and self.flash_attn:
            raise LocalModelError("flash_attn applies to the batching engine only")
        if self.weights and self.weights not in WEIGHT_TYPES:
            raise LocalModelError(f"weights must be one of {', '.join(WEIGHT_TYPES)}")
        try:
            self.engine_config().validate()
        except ValueError as err:
            raise LocalModelError(f"local/ model args: {err}") from err


class Runner(Protocol):
    template: ChatTemplate

    def tokenize(self, text: str) -> list[int]: ...

    def submit(self, tokens: list[int], params: GenerationParams) -> Future[Completion]: ...

    def close(self) -> None: ...


class BatchRunner:
    """The batching engine over weights loaded with llama.cpp's C API."""

    def __init__(self, spec: RunnerSpec, path: Path) -> None:
        from therapy_audit.models.local.llama_api import LlamaWeights

        self.weights = LlamaWeights(path, spec.extra_buffers)
        try:
            self.template = ChatTemplate.from_text(
                self.weights.metadata("tokenizer.chat_template"),
                self.weights.token_text(self.weights.bos),
                self.weights.token_text(self.weights.eos), spec.path.name)
            self.engine = BatchEngine(self.weights, spec.engine_config())
        except BaseException:
            self.weights.close()
            raise
        label = f"local/{spec.name or spec.path.stem}"
        if spec.weights:
            label += f" ({spec.weights})"
        self.progress = Progress(label, self.engine.stats)

    def tokenize(self, text: str) -> list[int]:
        return self.weights.tokenize(text)

    def submit(self, tokens: list[int], params: GenerationParams) -> Future[Completion]:
        with contextlib.suppress(RuntimeError):  # called from the provider's event loop
            self.progress.loop = asyncio.get_running_loop()
        self.progress.ensure_started()
        return self.engine.submit(tokens, params)

    def close(self) -> None:
        self.progress.stop()
        self.engine.close()
        self.weights.close()


def _load(spec: RunnerSpec) -> Runner:
    path = requantised(spec.path, spec.weights, spec.n_threads) if spec.weights else spec.path
    if spec.batching:
        return BatchRunner(spec, path)
    from therapy_audit.models.local.sequential import SequentialEngine

    return SequentialEngine(path, spec.n_ctx, spec.n_threads, spec.seed, spec.extra_buffers,
                            spec.prefix_cache)


_RUNNERS: dict[tuple, Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def get_runner(spec: RunnerSpec) -> Runner:
    """The runner for ``spec``, loading it on first use."""
    key = tuple(sorted((k, str(v)) for k, v in asdict(spec).items() if k != "seed"))
    with _RUNNERS_LOCK:
        if key not in _RUNNERS:
            _RUNNERS[key] = _load(spec)
        return _RUNNERS[key]


@atexit.register
def close_runners() -> None:
    """Free loaded models (before interpreter shutdown tears down llama.cpp's bindings)."""
    with _RUNNERS_LOCK:
        for runner in _RUNNERS.values():
            runner.close()
        _RUNNERS.clear()
