"""llama.cpp's C API (through llama-cpp-python's ctypes bindings), guarded for the engine.

This is the only module of the batching engine that calls llama.cpp. llama.cpp aborts the whole
process on some misuse (``seq_cp`` between KV streams, a sequence id out of range, a batch larger
than ``n_batch``); every wrapper here checks its preconditions in Python and raises
:class:`LlamaError` instead, so a user sees a Python error, not a dead process.

Objects: :class:`LlamaWeights` (weights and vocabulary, shareable and read-only),
:class:`LlamaContext` (one context with one *unified* KV cache, used by one thread),
:class:`TokenBatch` (a ``llama_batch``) and :class:`SamplerChain` (a seeded sampler).
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from therapy_audit.models.local.files import LocalModelError, model_params

_BACKEND_LOCK = threading.Lock()
_BACKEND_READY = False


class LlamaError(RuntimeError):
    """A llama.cpp call that failed or would have aborted the process."""


_LOGGER = logging.getLogger("llama-cpp-python")
_GGML_LOG_ERROR = 4  # ggml_log_level: NONE, DEBUG, INFO, WARN, ERROR, CONT
_log_callback: Any = None


def _install_log_callback(llama_cpp: Any) -> None:
    """Print llama.cpp's errors only (everything when the logger is at DEBUG level).

    llama-cpp-python 0.3.36 maps ggml's log levels with an older numbering, so its callback
    shows warnings as errors, such as the harmless "n_ctx_seq > n_ctx_train" of a unified KV
    cache larger than the training context (each sequence still stays within ``n_ctx``).
    """
    global _log_callback

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: Any) -> None:
        if level == _GGML_LOG_ERROR or _LOGGER.isEnabledFor(logging.DEBUG):
            sys.stderr.write(text.decode("utf-8", errors="replace"))

    _log_callback = callback  # keep a reference: llama.cpp holds only the pointer
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


def _llama() -> Any:
    global _BACKEND_READY
    import llama_cpp

    with _BACKEND_LOCK:
        if not _BACKEND_READY:
            _install_log_callback(llama_cpp)
            llama_cpp.llama_backend_init()
            _BACKEND_READY = True
    return llama_cpp


class LlamaWeights:
    """A GGUF model loaded with llama.cpp: its vocabulary, metadata and token pieces."""

    def __init__(self, path: Path, extra_buffers: bool = False) -> None:
        lib = _llama()
        self.path = path
        self.model = lib.llama_model_load_from_file(str(path).encode(), model_params(extra_buffers))
        if not self.model:
            raise LocalModelError(f"llama.cpp could not load {path}")
        self.vocab = lib.llama_model_get_vocab(self.model)
        self.n_vocab = int(lib.llama_vocab_n_tokens(self.vocab))
        self.n_ctx_train = int(lib.llama_model_n_ctx_train(self.model))
        self.bos = int(lib.llama_vocab_bos(self.vocab))
        self.eos = int(lib.llama_vocab_eos(self.vocab))
        self._pieces: dict[int, bytes] = {}
        self._eog: dict[int, bool] = {}

    def token_text(self, token: int) -> str:
        """The vocabulary text of ``token`` (e.g. ``<|im_end|>``); empty for no token."""
        if token < 0:
            return ""
        return _llama().llama_vocab_get_text(self.vocab, token).decode("utf-8", errors="replace")

    def metadata(self, key: str) -> str | None:
        lib = _llama()
        size = 1 << 16
        while True:
            buf = ctypes.create_string_buffer(size)
            n = lib.llama_model_meta_val_str(self.model, key.encode(), buf, size)
            if n < 0:
                return None
            if n < size:
                return buf.value.decode("utf-8")
            size = n + 1

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` without BOS, special tokens parsed (as the chat template needs)."""
        lib = _llama()
        data = text.encode("utf-8")
        capacity = len(data) + 16
        buf = (lib.llama_token * capacity)()
        n = lib.llama_tokenize(self.vocab, data, len(data), buf, capacity, False, True)
        if n < 0:
            raise LlamaError(f"tokenizing {len(data)} bytes failed ({n})")
        return list(buf[:n])

    def piece(self, token: int) -> bytes:
        """The bytes ``token`` stands for in generated text (control tokens give nothing)."""
        cached = self._pieces.get(token)
        if cached is None:
            buf = ctypes.create_string_buffer(64)
            n = _llama().llama_token_to_piece(self.vocab, token, buf, 64, 0, False)
            if n < 0:
                raise LlamaError(f"token {token} has a piece longer than 64 bytes")
            cached = self._pieces[token] = bytes(buf[:n])
        return cached

    def is_eog(self, token: int) -> bool:
        cached = self._eog.get(token)
        if cached is None:
            cached = self._eog[token] = bool(_llama().llama_vocab_is_eog(self.vocab, token))
        return cached

    def close(self) -> None:
        if self.model:
            _llama().llama_model_free(self.model)
            self.model = None


@dataclass(frozen=True)
class ContextConfig:
    """The shape of one llama.cpp context for the engine (see ``engine.EngineConfig``)."""

    kv_size: int
    n_seq_max: int
    n_batch: int
    n_ubatch: int
    n_threads: int
    flash_attn: bool = False


class LlamaContext:
    """A llama.cpp context with one unified KV cache shared by ``n_seq_max`` sequences.

    ``kv_unified`` is required: without it ``llama_memory_seq_cp`` copies between per-sequence
    streams, which llama.cpp only supports for whole buffers (it aborts otherwise).
    """

    def __init__(self, weights: LlamaWeights, config: ContextConfig) -> None:
        lib = _llama()
        if not 1 <= config.n_seq_max <= int(lib.llama_max_parallel_sequences()):
            raise LlamaError(f"n_seq_max must be 1..{lib.llama_max_parallel_sequences()}")
        if not 1 <= config.n_ubatch <= config.n_batch:
            raise LlamaError("n_ubatch must be between 1 and n_batch")
        params = lib.llama_context_default_params()
        params.n_ctx = config.kv_size
        params.n_batch = config.n_batch
        params.n_ubatch = config.n_ubatch
        params.n_seq_max = config.n_seq_max
        params.n_threads = params.n_threads_batch = config.n_threads
        params.kv_unified = True
        params.no_perf = True
        params.flash_attn_type = (lib.LLAMA_FLASH_ATTN_TYPE_ENABLED if config.flash_attn
                                  else lib.LLAMA_FLASH_ATTN_TYPE_DISABLED)
        self.ctx = lib.llama_init_from_model(weights.model, params)
        if not self.ctx:
            raise LlamaError("llama.cpp could not create a context (out of memory?)")
        self.weights = weights
        self.config = config
        self.kv_size = int(lib.llama_n_ctx(self.ctx))
        self.n_batch = int(lib.llama_n_batch(self.ctx))
        self.mem = lib.llama_get_memory(self.ctx)

    def _check_seq(self, *seq_ids: int) -> None:
        for seq_id in seq_ids:
            if not 0 <= seq_id < self.config.n_seq_max:
                raise LlamaError(f"sequence id {seq_id} outside 0..{self.config.n_seq_max - 1}")

    def seq_cp(self, src: int, dst: int, n_tokens: int) -> None:
        """Let ``dst`` share ``src``'s cells for positions ``0..n_tokens-1`` (no data copied)."""
        self._check_seq(src, dst)
        if src == dst or n_tokens <= 0:
            raise LlamaError(f"bad prefix copy {src} -> {dst} of {n_tokens} tokens")
        _llama().llama_memory_seq_cp(self.mem, src, dst, 0, n_tokens)

    def seq_rm(self, seq_id: int, start: int = 0) -> None:
        """Drop ``seq_id``'s cells from position ``start`` on (all of them for 0)."""
        self._check_seq(seq_id)
        if not _llama().llama_memory_seq_rm(self.mem, seq_id, max(start, 0), -1):
            raise LlamaError(f"llama.cpp could not truncate sequence {seq_id} at {start}")

    def clear(self) -> None:
        _llama().llama_memory_clear(self.mem, False)

    def decode(self, batch: TokenBatch) -> int:
        """Run the model on ``batch``; 0 on success, 1 when the KV cache has no room."""
        if not 0 < batch.n_tokens <= self.n_batch:
            raise LlamaError(f"a batch of {batch.n_tokens} tokens (n_batch {self.n_batch})")
        if batch.max_seq_id() >= self.config.n_seq_max:
            raise LlamaError("a batch token names a sequence id out of range")
        rc = int(_llama().llama_decode(self.ctx, batch.batch))
        if rc not in (0, 1):
            raise LlamaError(f"llama_decode failed with code {rc}")
        return rc

    def logits(self, index: int) -> np.ndarray:
        """The logits row of batch token ``index`` (a view, valid until the next decode)."""
        ptr = _llama().llama_get_logits_ith(self.ctx, index)
        if not ptr:
            raise LlamaError(f"no logits for batch token {index}")
        return np.ctypeslib.as_array(ptr, shape=(self.weights.n_vocab,))

    def close(self) -> None:
        if self.ctx:
            _llama().llama_free(self.ctx)
            self.ctx = None


class TokenBatch:
    """A ``llama_batch`` of up to ``capacity`` tokens, each in one sequence."""

    def __init__(self, capacity: int) -> None:
        lib = _llama()
        self.capacity = capacity
        self.batch = lib.llama_batch_init(capacity, 0, 1)
        self._token = np.ctypeslib.as_array(self.batch.token, shape=(capacity,))
        self._pos = np.ctypeslib.as_array(self.batch.pos, shape=(capacity,))
        self._logits = np.ctypeslib.as_array(self.batch.logits, shape=(capacity,))
        self._n_seq = np.ctypeslib.as_array(self.batch.n_seq_id, shape=(capacity,))
        self._seq = [self.batch.seq_id[i] for i in range(capacity)]
        self._seq_ids: list[int] = []
        self.n_tokens = 0

    def clear(self) -> None:
        self.n_tokens = 0
        self._seq_ids.clear()

    def add(self, tokens: list[int], start_pos: int, seq_id: int, logits_last: bool) -> int:
        """Append ``tokens`` at positions ``start_pos...``; return the last token's index."""
        n, i = len(tokens), self.n_tokens
        if n == 0 or i + n > self.capacity:
            raise LlamaError(f"cannot add {n} tokens to a batch holding {i}/{self.capacity}")
        self._token[i:i + n] = tokens
        self._pos[i:i + n] = np.arange(start_pos, start_pos + n)
        self._logits[i:i + n] = 0
        self._logits[i + n - 1] = 1 if logits_last else 0
        self._n_seq[i:i + n] = 1
        for j in range(i, i + n):
            self._seq[j][0] = seq_id
        self._seq_ids.append(seq_id)
        self.n_tokens = self.batch.n_tokens = i + n
        return i + n - 1

    def max_seq_id(self) -> int:
        return max(self._seq_ids, default=-1)

    def close(self) -> None:
        if self.capacity:
            _llama().llama_batch_free(self.batch)
            self.capacity = 0


class SamplerChain:
    """llama-cpp-python's default sampling chain at ``temperature > 0``, with its own seed.

    Top-k 40, typical 1.0, top-p, min-p 0.05, temperature, then a seeded draw: the chain
    ``Llama.create_completion`` builds, so a seed gives the same tokens on both paths.
    """

    def __init__(self, temperature: float, top_p: float, seed: int) -> None:
        lib = _llama()
        self.chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        for sampler in (lib.llama_sampler_init_top_k(40),
                        lib.llama_sampler_init_typical(1.0, 1),
                        lib.llama_sampler_init_top_p(top_p, 1),
                        lib.llama_sampler_init_min_p(0.05, 1),
                        lib.llama_sampler_init_temp(temperature),
                        lib.llama_sampler_init_dist(seed & 0xFFFFFFFF)):
            lib.llama_sampler_chain_add(self.chain, sampler)

    def sample(self, context: LlamaContext, index: int) -> int:
        return int(_llama().llama_sampler_sample(self.chain, context.ctx, index))

    def close(self) -> None:
        if self.chain:
            _llama().llama_sampler_free(self.chain)
            self.chain = None
