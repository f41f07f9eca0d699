"""The continuous-batching engine behind ``local/``: many requests, one llama.cpp context.

Requests (prompt token ids and :class:`GenerationParams`) arrive from any thread and get a
``concurrent.futures.Future``. One engine thread owns the llama.cpp context (llama.cpp's OpenMP
thread team belongs to the calling thread) and loops:

1. **Admit** pending requests while a sequence slot and KV room are free. Each starts from the
   longest prefix of its prompt already in the KV cache (shared with ``seq_cp``, nothing
   recomputed). A request whose prefix another admitted request is still computing waits a step,
   so that prefix is computed once.
2. **Batch** one token of every generating sequence, then the prompt chunks of admitted ones,
   up to ``n_batch`` tokens, and run ``llama_decode`` once.
3. **Sample** each sequence's next token (greedy at temperature 0, its own seeded chain
   otherwise) and feed its :class:`CompletionText` (stop sequences, token limit).
4. **Retire** finished sequences: the result is set, and their tokens stay cached for later
   prompts that share them, until the room is needed (least recently used first).

An exception in the loop fails every request in flight (nothing hangs) and the engine starts
afresh with an empty KV cache.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field

import numpy as np

from therapy_audit.models.local.completion import Completion, CompletionText, GenerationParams
from therapy_audit.models.local.kv import KvLedger, common_prefix
from therapy_audit.models.local.llama_api import (
    ContextConfig,
    LlamaContext,
    LlamaError,
    LlamaWeights,
    SamplerChain,
    TokenBatch,
)

# A request waits for an admitted one to compute a shared prefix this much longer than the
# longest one already cached (below that, computing it twice is cheaper than waiting a step).
SHARE_MIN_TOKENS = 32


class EngineClosed(RuntimeError):
    """The engine was closed before the request finished."""


@dataclass(frozen=True)
class EngineConfig:
    """How big the engine is.

    ``n_ctx`` is each request's window (prompt + ``max_tokens``), as on the single-sequence
    path. ``batch_size`` sequences are decoded together; ``cache_slots`` finished sequences are
    kept for prefix reuse (``prefix_reuse=False`` computes every prompt in full). ``kv_size``
    cells are shared by all of them (0: ``2 * n_ctx``, so one full-window request always fits
    beside others); a request is admitted only when its worst case (uncached prompt +
    ``max_tokens``) fits beside the worst case of those running.
    """

    n_ctx: int = 8192
    batch_size: int = 16
    cache_slots: int = 8
    kv_size: int = 0
    n_batch: int = 2048
    n_ubatch: int = 512
    n_threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    flash_attn: bool = False
    prefix_reuse: bool = True

    @property
    def kv_cells(self) -> int:
        return self.kv_size or 2 * self.n_ctx

    def validate(self) -> None:
        if self.batch_size < 1 or self.cache_slots < 0:
            raise ValueError("batch_size must be at least 1 and cache_slots at least 0")
        if self.kv_cells < self.n_ctx:
            raise ValueError(f"kv_size ({self.kv_cells}) must be at least n_ctx ({self.n_ctx})")
        if self.n_batch < self.batch_size:
            raise ValueError("n_batch must be at least batch_size")

    def context(self) -> ContextConfig:
        return ContextConfig(kv_size=self.kv_cells, n_seq_max=self.batch_size + self.cache_slots,
                             n_batch=self.n_batch, n_ubatch=min(self.n_ubatch, self.n_batch),
                             n_threads=self.n_threads, flash_attn=self.flash_attn)


@dataclass(eq=False)
class Request:
    tokens: np.ndarray
    params: GenerationParams
    future: Future[Completion] = field(default_factory=Future)


@dataclass(eq=False)
class Sequence:
    """A request being served under one sequence id."""

    seq_id: int
    request: Request
    text: CompletionText
    sampler: SamplerChain | None
    reused: int
    fed: int
    next_token: int | None = None
    in_batch: list[int] = field(default_factory=list)

    @property
    def prompt(self) -> np.ndarray:
        return self.request.tokens

    @property
    def prefilling(self) -> bool:
        return self.fed < len(self.request.tokens)

    def reserve(self) -> int:
        """Cells this sequence may still add: the rest of its prompt and of its token limit."""
        rest = self.request.params.max_tokens - len(self.text.tokens)
        return len(self.prompt) - self.fed + max(rest, 1)


@dataclass
class EngineStats:
    """Counters the progress display reads (written by the engine thread only)."""

    started: float = field(default_factory=time.monotonic)
    requests_done: int = 0
    prompt_computed: int = 0
    prompt_reused: int = 0
    generated: int = 0
    busy_seconds: float = 0.0
    live: int = 0
    peak_live: int = 0
    pending: int = 0


class BatchEngine:
    """Serves generation requests for one model with continuous batching (see module doc)."""

    def __init__(self, weights: LlamaWeights, config: EngineConfig) -> None:
        config.validate()
        self.weights = weights
        self.config = config
        self.ctx = LlamaContext(weights, config.context())
        self.batch = TokenBatch(config.n_batch)
        self.kv = KvLedger()
        self.stats = EngineStats()
        self._pending: deque[Request] = deque()
        self._live: dict[int, Sequence] = {}
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="llama-batch", daemon=True)
        self._thread.start()

    # --- any thread ---------------------------------------------------------------------

    def submit(self, tokens: list[int], params: GenerationParams) -> Future[Completion]:
        """Queue a request; its future gets the :class:`Completion` (or the engine's error)."""
        if not tokens:
            raise ValueError("an empty prompt")
        if params.max_tokens < 1 or len(tokens) + params.max_tokens > self.config.n_ctx:
            raise ValueError(f"prompt ({len(tokens)}) + max_tokens ({params.max_tokens}) "
                             f"must fit n_ctx ({self.config.n_ctx})")
        request = Request(np.asarray(tokens, dtype=np.int32), params)
        with self._cond:
            if self._closing:
                raise EngineClosed("the local model engine is closed")
            self._pending.append(request)
            self.stats.pending = len(self._pending)
            self._cond.notify()
        return request.future

    def close(self) -> None:
        """Stop the engine thread (requests in flight fail) and free the context."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()
        self.batch.close()
        self.ctx.close()

    # --- the engine thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not (self._closing or self._pending or self._live):
                    self._cond.wait()
                if self._closing:
                    break
            start = time.monotonic()
            try:
                self._step()
            except Exception as err:  # noqa: BLE001 - every failure goes to the requests
                self._fail_all(err)
            self.stats.busy_seconds += time.monotonic() - start
        self._fail_all(EngineClosed("the local model engine was closed"))

    def _step(self) -> None:
        self._drop_cancelled()
        self._admit()
        if not self._live:
            return
        outputs = self._fill_batch()
        if self.ctx.decode(self.batch) == 1:
            self._make_room_after_full_cache()
            return
        self._commit()
        self._sample(outputs)

    # --- admission ----------------------------------------------------------------------

    def _admit(self) -> None:
        with self._cond:
            queue = list(self._pending)
        for request in queue:
            if len(self._live) >= self.config.batch_size:
                break
            if request.future.cancelled():
                self._unqueue(request)
                continue
            source, shared = (self.kv.longest_prefix(request.tokens[:-1])
                              if self.config.prefix_reuse else (None, 0))
            if self.config.prefix_reuse and self._sharing_soon(request, shared):
                continue
            need = len(request.tokens) - shared + request.params.max_tokens
            if not self._room_for(need, keep=source):
                if self._live:
                    break
                self._evict_all_cached()
                source, shared = None, 0
            self._unqueue(request)
            self._start(request, source, shared)

    def _sharing_soon(self, request: Request, shared: int) -> bool:
        """Whether an admitted request is still computing a longer prefix of this prompt."""
        for seq in self._live.values():
            if seq.prefilling:
                ahead = common_prefix(seq.prompt, request.tokens[:-1])
                if ahead >= shared + SHARE_MIN_TOKENS:
                    return True
        return False

    def _free_cells(self) -> int:
        reserved = sum(seq.reserve() for seq in self._live.values())
        return self.config.kv_cells - self.kv.used_cells() - reserved

    def _room_for(self, need: int, keep: int | None) -> bool:
        for victim in self.kv.cached_lru():
            if self._free_cells() >= need:
                break
            if victim != keep:
                self._evict(victim)
        return self._free_cells() >= need

    def _start(self, request: Request, source: int | None, shared: int) -> None:
        seq_id = self._free_seq_id(source)
        if seq_id == source:  # take over a finished sequence: keep its prefix, drop the rest
            self.ctx.seq_rm(seq_id, shared)
            self.kv.truncate(seq_id, shared)
            self.kv.set_live(seq_id, True)
        else:
            if shared:
                self.ctx.seq_cp(source, seq_id, shared)  # type: ignore[arg-type]
            self.kv.start(seq_id, source, shared)
        params = request.params
        sampler = (SamplerChain(params.temperature, params.top_p, params.seed)
                   if params.temperature != 0 else None)
        text = CompletionText(params, self.weights.piece, self.weights.is_eog, self.weights.bos)
        self._live[seq_id] = Sequence(seq_id, request, text, sampler, reused=shared, fed=shared)
        self.stats.prompt_reused += shared
        self.stats.live = len(self._live)
        self.stats.peak_live = max(self.stats.peak_live, self.stats.live)

    def _free_seq_id(self, source: int | None) -> int:
        for seq_id in range(self.config.batch_size + self.config.cache_slots):
            if seq_id not in self.kv:
                return seq_id
        cached = self.kv.cached_lru()
        if source is not None and source in cached:
            return source
        self._evict(cached[0])
        return cached[0]

    # --- one decode step ----------------------------------------------------------------

    def _fill_batch(self) -> list[tuple[Sequence, int]]:
        """Put one token of each generating sequence, then prompt chunks, in the batch."""
        self.batch.clear()
        outputs: list[tuple[Sequence, int]] = []
        for seq in self._live.values():
            seq.in_batch = []
            if seq.next_token is not None:
                seq.in_batch = [seq.next_token]
                index = self.batch.add(seq.in_batch, self.kv.length(seq.seq_id), seq.seq_id,
                                       True)
                outputs.append((seq, index))
        for seq in self._live.values():
            room = self.batch.capacity - self.batch.n_tokens
            if seq.prefilling and room > 0:
                seq.in_batch = seq.prompt[seq.fed:seq.fed + room].tolist()
                last = seq.fed + len(seq.in_batch) == len(seq.prompt)
                index = self.batch.add(seq.in_batch, self.kv.length(seq.seq_id), seq.seq_id,
                                       last)
                if last:
                    outputs.append((seq, index))
        return outputs

    def _commit(self) -> None:
        """Record what the successful decode put in the KV cache."""
        for seq in self._live.values():
            if not seq.in_batch:
                continue
            self.kv.extend(seq.seq_id, seq.in_batch)
            if seq.next_token is None:
                seq.fed += len(seq.in_batch)
                self.stats.prompt_computed += len(seq.in_batch)
            else:
                seq.next_token = None
            seq.in_batch = []

    def _sample(self, outputs: list[tuple[Sequence, int]]) -> None:
        for seq, index in outputs:
            if seq.sampler is not None:
                token = seq.sampler.sample(self.ctx, index)
            else:
                token = int(np.argmax(self.ctx.logits(index)))
            self.stats.generated += 1
            done = seq.text.add(token)
            if not done and self.kv.length(seq.seq_id) + 1 >= self.config.n_ctx:
                seq.text.force_length()
                done = True
            if done:
                self._retire(seq)
            else:
                seq.next_token = token

    # --- retiring, evicting, failing ----------------------------------------------------

    def _retire(self, seq: Sequence) -> None:
        del self._live[seq.seq_id]
        self.kv.set_live(seq.seq_id, False)
        if seq.sampler is not None:
            seq.sampler.close()
        _resolve(seq.request.future, Completion(
            text=seq.text.decoded(),
            finish_reason=seq.text.finish_reason or "stop",
            prompt_tokens=len(seq.prompt),
            reused_tokens=seq.reused,
            completion_tokens=len(seq.text.tokens),
            tokens=tuple(seq.text.tokens),
        ))
        self.stats.requests_done += 1
        self.stats.live = len(self._live)
        cached = self.kv.cached_lru()
        for victim in cached[: max(len(cached) - self.config.cache_slots, 0)]:
            self._evict(victim)

    def _drop_cancelled(self) -> None:
        for seq in [s for s in self._live.values() if s.request.future.cancelled()]:
            self._retire(seq)

    def _evict(self, seq_id: int) -> None:
        self.ctx.seq_rm(seq_id, 0)
        self.kv.remove(seq_id)

    def _evict_all_cached(self) -> None:
        for seq_id in self.kv.cached_lru():
            self._evict(seq_id)

    def _make_room_after_full_cache(self) -> None:
        """llama.cpp found no KV slot: drop a cached sequence, else restart the newest."""
        cached = self.kv.cached_lru()
        if cached:
            self._evict(cached[0])
            return
        if len(self._live) < 2:
            raise LlamaError("the KV cache cannot hold one request: raise kv_size")
        newest = list(self._live.values())[-1]
        del self._live[newest.seq_id]
        self._evict(newest.seq_id)
        if newest.sampler is not None:
            newest.sampler.close()
        with self._cond:
            self._pending.appendleft(newest.request)

    def _unqueue(self, request: Request) -> None:
        with self._cond:
            self._pending.remove(request)
            self.stats.pending = len(self._pending)

    def _fail_all(self, err: BaseException) -> None:
        """Fail every request in flight and start again from an empty KV cache."""
        with self._cond:
            waiting = list(self._pending)
            self._pending.clear()
        for seq in self._live.values():
            if seq.sampler is not None:
                seq.sampler.close()
            _fail(seq.request.future, err)
        for request in waiting:
            _fail(request.future, err)
        self._live.clear()
        self.kv = KvLedger()
        self.stats.live = self.stats.pending = 0
        if self.ctx.ctx:
            self.ctx.clear()


def _resolve(future: Future[Completion], completion: Completion) -> None:
    try:
        future.set_result(completion)
    except InvalidStateError:  # cancelled by the caller meanwhile
        pass


def _fail(future: Future[Completion], err: BaseException) -> None:
    try:
        future.set_exception(err)
    except InvalidStateError:
        pass
