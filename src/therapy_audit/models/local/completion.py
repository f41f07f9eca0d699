"""One request's generation parameters and result, and the text it has produced so far.

:class:`CompletionText` follows llama-cpp-python's ``Llama.create_completion`` (0.3.36) token by
token, so the batching engine ends a completion exactly where the single-sequence path does: an
end-of-generation token ends it without being counted; otherwise the token's bytes are appended,
a trailing incomplete UTF-8 character postpones every check, the first listed stop sequence
found in the text cuts it there, and the token limit ends it with ``length``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class GenerationParams:
    """What a request asks for: token limit, sampling and stop sequences (EOS text first)."""

    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    stops: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Completion:
    """A finished request: its text, why it ended, and its token counts."""

    text: str
    finish_reason: FinishReason
    prompt_tokens: int
    reused_tokens: int
    completion_tokens: int
    tokens: tuple[int, ...] = ()  # the generated token ids, where the path records them

    @property
    def computed_tokens(self) -> int:
        return self.prompt_tokens - self.reused_tokens


class CompletionText:
    """The completion of one request, fed one sampled token at a time."""

    def __init__(self, params: GenerationParams, piece: Callable[[int], bytes],
                 is_eog: Callable[[int], bool], bos: int = -1) -> None:
        self.max_tokens = params.max_tokens
        self.stops = [s.encode("utf-8") for s in params.stops]
        self._piece = piece
        self._is_eog = is_eog
        self._bos = bos
        self.tokens: list[int] = []
        self._raw = b""
        self._multibyte_fix = 0
        self.finish_reason: FinishReason | None = None
        self.text = b""

    @property
    def done(self) -> bool:
        return self.finish_reason is not None

    def add(self, token: int) -> bool:
        """Take the next sampled token; True when the completion has ended."""
        if self.done:
            raise RuntimeError("the completion has already ended")
        if self._is_eog(token):
            return self._finish("stop", self._visible())
        self.tokens.append(token)
        self._raw += self._piece(token)
        text = self._visible()
        for k, char in enumerate(text[-3:]):
            k = 3 - k
            for num, pattern in ((2, 192), (3, 224), (4, 240)):
                if num > k and pattern & char == pattern:
                    self._multibyte_fix = num - k
        if self._multibyte_fix > 0:
            self._multibyte_fix -= 1
            return False
        found = [s for s in self.stops if s in text]
        if found:
            return self._finish("stop", text[: text.index(found[0])])
        if len(self.tokens) >= self.max_tokens:
            return self._finish("length", text)
        return False

    def force_length(self) -> None:
        """End the completion at the context limit (``length``), as the window is full."""
        if not self.done:
            self._finish("length", self._visible())

    def _visible(self) -> bytes:
        # llama-cpp-python's detokenizer drops the space a leading BOS piece would bring.
        if self.tokens and self.tokens[0] == self._bos and self._raw[:1] == b" ":
            return self._raw[1:]
        return self._raw

    def _finish(self, reason: FinishReason, text: bytes) -> bool:
        self.finish_reason = reason
        self.text = text
        return True

    def decoded(self) -> str:
        return self.text.decode("utf-8", errors="ignore")
