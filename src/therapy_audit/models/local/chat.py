"""The model's own chat template: messages -> prompt text, as both inference paths send it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_ai.model import ChatMessage

from therapy_audit.models.local.files import LocalModelError


@dataclass(frozen=True)
class ChatTemplate:
    """A GGUF file's ``tokenizer.chat_template`` with its BOS and EOS token texts."""

    template: Any
    bos: str
    eos: str

    @classmethod
    def from_text(cls, text: str | None, bos: str, eos: str, name: str) -> ChatTemplate:
        if not text:
            raise LocalModelError(f"{name} has no chat template in its metadata")
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        return cls(env.from_string(text), bos, eos)

    def render(self, messages: list[ChatMessage]) -> str:
        """The prompt text for ``messages``, ending with the assistant's generation prompt."""
        return self.template.render(
            messages=[{"role": m.role, "content": m.text} for m in messages],
            add_generation_prompt=True,
            bos_token=self.bos,
            eos_token=self.eos,
        )

    def stop_sequences(self, extra: list[str] | None) -> list[str]:
        """The EOS text then the request's own stop sequences (the order the checks use)."""
        return [s for s in [self.eos, *(extra or [])] if s]
