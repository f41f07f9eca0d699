"""What the unified KV cache holds: the token ids of every sequence id, and the cells they use.

llama.cpp's unified KV cache stores each evaluated token once, in a cell tagged with the
sequences that share it: ``seq_cp`` adds a sequence to the cells of another's prefix (no data is
copied), ``seq_rm`` removes it, and a cell is free when no sequence is left. :class:`KvLedger`
mirrors that bookkeeping in Python so the engine can find the longest cached prefix of a new
prompt and count the cells in use without asking llama.cpp. Pure Python: no llama.cpp calls.

A sequence's positions are a list of :class:`Segment` runs, each naming the *owner*, the
computation that evaluated those cells. A copied prefix refers to its source's owners, so the
cells in use are, per owner, the positions from its start to the furthest end any sequence
still refers to.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


def common_prefix(a: np.ndarray, b: np.ndarray) -> int:
    """Length of the longest common prefix of two token arrays."""
    n = min(len(a), len(b))
    differ = np.flatnonzero(a[:n] != b[:n])
    return int(differ[0]) if differ.size else n


class TokenRow:
    """A growable int32 array of token ids."""

    def __init__(self, tokens: list[int] | np.ndarray = ()) -> None:
        self._data = np.array(tokens, dtype=np.int32)
        self._n = len(self._data)

    def __len__(self) -> int:
        return self._n

    @property
    def view(self) -> np.ndarray:
        return self._data[: self._n]

    def extend(self, tokens: list[int]) -> None:
        need = self._n + len(tokens)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data), 64), dtype=np.int32)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n:need] = tokens
        self._n = need

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(n, 0))


@dataclass
class Segment:
    owner: int
    start: int
    end: int


@dataclass
class Entry:
    """One sequence id's contents: its token ids and which computation made each cell."""

    tokens: TokenRow
    segments: list[Segment]
    owner: int
    live: bool = True
    last_used: int = 0


class KvLedger:
    """Token ids per sequence id of one unified KV cache, and the number of cells in use."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self._owners = itertools.count(1)
        self._clock = itertools.count(1)

    def __contains__(self, seq_id: int) -> bool:
        return seq_id in self.entries

    def length(self, seq_id: int) -> int:
        return len(self.entries[seq_id].tokens)

    def start(self, seq_id: int, source: int | None = None, n_tokens: int = 0) -> None:
        """A new sequence, holding the first ``n_tokens`` of ``source`` (or nothing)."""
        if seq_id in self.entries:
            raise ValueError(f"sequence {seq_id} is in use")
        tokens, segments = TokenRow(), []
        if source is not None and n_tokens > 0:
            src = self.entries[source]
            if n_tokens > len(src.tokens):
                raise ValueError(f"sequence {source} holds fewer than {n_tokens} tokens")
            tokens = TokenRow(src.tokens.view[:n_tokens])
            segments = _clip(src.segments, n_tokens)
            src.last_used = next(self._clock)
        self.entries[seq_id] = Entry(tokens, segments, next(self._owners),
                                     last_used=next(self._clock))

    def extend(self, seq_id: int, tokens: list[int]) -> None:
        """Tokens just evaluated at the end of ``seq_id`` (cells of its own)."""
        entry = self.entries[seq_id]
        n = len(entry.tokens)
        last = entry.segments[-1] if entry.segments else None
        if last is not None and last.owner == entry.owner and last.end == n:
            last.end += len(tokens)
        else:
            entry.segments.append(Segment(entry.owner, n, n + len(tokens)))
        entry.tokens.extend(tokens)
        entry.last_used = next(self._clock)

    def truncate(self, seq_id: int, n_tokens: int) -> None:
        """Keep only the first ``n_tokens`` of ``seq_id``; later cells are new computations."""
        entry = self.entries[seq_id]
        entry.tokens.truncate(n_tokens)
        entry.segments = _clip(entry.segments, n_tokens)
        entry.owner = next(self._owners)
        entry.last_used = next(self._clock)

    def remove(self, seq_id: int) -> None:
        del self.entries[seq_id]

    def set_live(self, seq_id: int, live: bool) -> None:
        self.entries[seq_id].live = live
        self.entries[seq_id].last_used = next(self._clock)

    def used_cells(self, without: int | None = None) -> int:
        """Cells in use (if ``without`` were removed, when given)."""
        spans: dict[int, tuple[int, int]] = {}
        for seq_id, entry in self.entries.items():
            if seq_id == without:
                continue
            for seg in entry.segments:
                start, end = spans.get(seg.owner, (seg.start, seg.end))
                spans[seg.owner] = (min(start, seg.start), max(end, seg.end))
        return sum(end - start for start, end in spans.values())

    def longest_prefix(self, tokens: np.ndarray) -> tuple[int | None, int]:
        """The sequence id holding the longest prefix of ``tokens``, and its length.

        Ties go to a finished (cached) sequence, then to the most recently used one.
        """
        best: tuple[int, bool, int] = (0, False, 0)
        best_id: int | None = None
        for seq_id, entry in self.entries.items():
            n = common_prefix(entry.tokens.view, tokens)
            key = (n, not entry.live, entry.last_used)
            if n > 0 and key > best:
                best, best_id = key, seq_id
        return best_id, best[0]

    def cached_lru(self) -> list[int]:
        """Finished sequences, least recently used first (what to evict first)."""
        cached = [(e.last_used, s) for s, e in self.entries.items() if not e.live]
        return [s for _, s in sorted(cached)]


def _clip(segments: list[Segment], n: int) -> list[Segment]:
    out = []
    for seg in segments:
        if seg.start >= n:
            break
        out.append(Segment(seg.owner, seg.start, min(seg.end, n)))
    return out
