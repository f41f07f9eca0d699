"""Progress of long local runs: samples done / total, tokens per second and an ETA.

Inspect's plain display prints a status line only when a sample finishes (at most every 5 s),
so an appropriateness run on the embedded model, whose samples take a minute each, is silent
for long stretches. While the engine has work, :class:`Progress` therefore prints a line every
few seconds to stderr in the plain and log displays, and keeps a footer counter up to date in
the rich display (through the event loop the provider runs on). Sample counts come from an
Inspect hook (:class:`SampleProgressHooks`); token rates from the engine's counters.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, TextIO

from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, TaskStart, hooks

DEFAULT_INTERVAL = 5.0


@dataclass
class _TaskCount:
    total: int
    done: int = 0


class SampleCounter:
    """Samples finished / expected over the tasks now running (fed by the hook below)."""

    def __init__(self) -> None:
        self._tasks: dict[str, _TaskCount] = {}
        self._lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    def task_started(self, eval_id: str, total: int) -> None:
        with self._lock:
            self._tasks[eval_id] = _TaskCount(total)

    def sample_done(self, eval_id: str) -> None:
        with self._lock:
            if eval_id in self._tasks:
                self._tasks[eval_id].done += 1

    def task_ended(self, eval_id: str) -> None:
        with self._lock:
            self._tasks.pop(eval_id, None)

    def counts(self) -> tuple[int, int] | None:
        """(done, total) over running tasks, or None when no task is known."""
        with self._lock:
            if not self._tasks:
                return None
            return (sum(t.done for t in self._tasks.values()),
                    sum(t.total for t in self._tasks.values()))


SAMPLES = SampleCounter()


def expected_samples(spec: Any) -> int:
    """How many samples an eval runs: the dataset, cut by ``--limit``, times the epochs."""
    total = int(getattr(spec.dataset, "samples", 0) or 0)
    limit = spec.config.limit
    if isinstance(limit, int):
        total = min(total, limit)
    elif isinstance(limit, (tuple, list)) and len(limit) == 2:
        total = min(total, int(limit[1]) - int(limit[0]))
    epochs = spec.config.epochs or 1
    return total * int(epochs)


@hooks(name="therapy_audit_sample_progress",
       description="Counts finished samples for the local model's progress line.")
class SampleProgressHooks(Hooks):
    async def on_task_start(self, data: TaskStart) -> None:
        SAMPLES.task_started(data.eval_id, expected_samples(data.spec))

    async def on_sample_end(self, data: SampleEnd) -> None:
        SAMPLES.sample_done(data.eval_id)

    async def on_task_end(self, data: TaskEnd) -> None:
        SAMPLES.task_ended(data.eval_id)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Reports one local model's engine (``stats``: an ``EngineStats``) every few seconds."""

    def __init__(self, name: str, stats: Any, interval: float = DEFAULT_INTERVAL,
                 stream: TextIO | None = None, samples: SampleCounter = SAMPLES) -> None:
        self.name = name
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self.samples = samples
        self._last = (time.monotonic(), 0, 0)
        self._first_done: tuple[float, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        with self._lock:
            if self._thread is None and self.interval > 0:
                self._thread = threading.Thread(target=self._loop, name="local-progress",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def line(self, compact: bool = False) -> str:
        """``local/x | samples 340/1008 | 14 generating, 18 queued | 172 tok/s ... | ETA 3m``.

        ``compact`` (for a footer beside Inspect's own sample count): no name, no samples.
        """
        now = time.monotonic()
        s = self.stats
        then, prompt0, gen0 = self._last
        elapsed = max(now - then, 1e-6)
        prompt_rate = (s.prompt_computed - prompt0) / elapsed
        gen_rate = (s.generated - gen0) / elapsed
        self._last = (now, s.prompt_computed, s.generated)
        counts = self.samples.counts()
        eta = self._eta(now, counts)
        if compact:
            text = f"{s.live} generating, {prompt_rate + gen_rate:.0f} tok/s"
            return text + (f", ETA {_duration(eta)}" if eta is not None else "")
        parts = [self.name]
        if counts is not None:
            parts.append(f"samples {counts[0]}/{counts[1]}")
        else:
            parts.append(f"requests done {s.requests_done}")
        parts.append(f"{s.live} generating, {s.pending} queued")
        parts.append(f"{prompt_rate + gen_rate:.0f} tok/s ({prompt_rate:.0f} prompt + "
                     f"{gen_rate:.0f} generated)")
        if eta is not None:
            parts.append(f"ETA {_duration(eta)}")
        return " | ".join(parts)

    def _eta(self, now: float, counts: tuple[int, int] | None) -> float | None:
        if counts is None:
            return None
        done, total = counts
        if self._first_done is None or done < self._first_done[1]:
            self._first_done = (now, done)
            return None
        start, done0 = self._first_done
        if done <= done0 or now <= start:
            return None
        rate = (done - done0) / (now - start)
        return max(total - done, 0) / rate

    def busy(self) -> bool:
        return bool(self.stats.live or self.stats.pending)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if self.busy():
                self.report()

    def report(self) -> None:
        """One progress line (plain and log displays), or the rich display's footer counter."""
        from inspect_ai.util import display_type

        kind = display_type()
        if kind in ("plain", "log") or self.stream is not None:
            print(self.line(), file=self.stream or sys.stderr, flush=True)
        elif kind == "rich" and self.loop is not None and not self.loop.is_closed():
            # Inspect's display wants its updates from the event loop, not from this thread.
            asyncio.run_coroutine_threadsafe(_set_counter(self.name, self.line(compact=True)),
                                             self.loop)


async def _set_counter(caption: str, value: str) -> None:
    from inspect_ai.util import display_counter

    display_counter(caption, value)
