"""The single-sequence path (``-M batching=false``): llama-cpp-python's ``Llama``, one prompt
at a time, reusing the evaluated prefix of the previous prompt.

It is the reference the batching engine is compared with (``benchmarks/batch_equivalence.py``).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from therapy_audit.models.local.chat import ChatTemplate
from therapy_audit.models.local.completion import Completion, GenerationParams
from therapy_audit.models.local.files import without_extra_buffers


class SequentialEngine:
    """One loaded ``llama_cpp.Llama``; every call runs on its one thread.

    llama.cpp's OpenMP thread team belongs to the calling thread, and idle teams of other
    threads would spin and steal the two cores, hence the single-thread executor.
    """

    def __init__(self, path: Path, n_ctx: int, n_threads: int, seed: int,
                 extra_buffers: bool, prefix_cache: bool = True) -> None:
        from llama_cpp import Llama

        guard = contextlib.nullcontext() if extra_buffers else without_extra_buffers()
        with guard:
            self.llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                               n_threads_batch=n_threads, seed=seed, verbose=False)
        vocab = self.llama._model  # noqa: SLF001 - llama-cpp-python exposes no public accessor
        bos = vocab.token_get_text(self.llama.token_bos()) if self.llama.token_bos() >= 0 else ""
        eos = vocab.token_get_text(self.llama.token_eos()) if self.llama.token_eos() >= 0 else ""
        self.template = ChatTemplate.from_text(
            self.llama.metadata.get("tokenizer.chat_template"), bos, eos, path.name)
        self.n_ctx = n_ctx
        self.prefix_cache = prefix_cache
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")

    def tokenize(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def submit(self, tokens: list[int], params: GenerationParams) -> Future[Completion]:
        return self._executor.submit(self._generate, tokens, params)

    def _generate(self, tokens: list[int], params: GenerationParams) -> Completion:
        llama = self.llama
        with self._lock:
            if not self.prefix_cache:
                llama.reset()
            # What llama.cpp will reuse: the evaluated tokens this prompt starts with.
            reused = _common_prefix(llama._input_ids[: llama.n_tokens], tokens[:-1])  # noqa: SLF001
            result: Any = llama.create_completion(
                prompt=tokens,
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                top_p=params.top_p,
                seed=params.seed,
                stop=params.stops,
            )
        choice = result["choices"][0]
        return Completion(
            text=choice["text"],
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            prompt_tokens=len(tokens),
            reused_tokens=reused,
            completion_tokens=int(result["usage"]["completion_tokens"]),
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.llama.close()


def _common_prefix(a: Any, b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
