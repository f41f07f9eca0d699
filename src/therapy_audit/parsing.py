"""Option-letter parsers for multiple-choice answers.

``parse_strict`` reproduces the paper's parser exactly (the default); ``parse_lenient`` is an
opt-in improvement that also recognises ``(C)``, ``C.``, ``Answer: C`` or the option's own text.
Both are recorded for every sample so the difference between them stays visible.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Literal

LETTERS = string.ascii_uppercase
# Characters the paper's parser deletes before it reads the first token.
_STRIPPED_CHARS = str.maketrans("", "", "▁():.*")

ParseStatus = Literal["ok", "unparseable", "empty"]


@dataclass(frozen=True)
class ParsedOption:
    """The letter a parser found (or None) and why."""

    letter: str | None
    status: ParseStatus

    def option(self, options: list[str]) -> str | None:
        """The option text for the parsed letter, if any."""
        if self.letter is None:
            return None
        return options[LETTERS.index(self.letter)]


def option_letters(n_options: int) -> list[str]:
    """The letters offered for ``n_options`` options: A, B, C, ..."""
    return list(LETTERS[:n_options])


def format_options(options: list[str]) -> str:
    """Options as the paper lists them: one ``- (A): text`` line each."""
    return "\n".join(
        f"- ({letter}): {text}" for letter, text in zip(LETTERS, options, strict=False)
    )


def parse_strict(output: str | None, n_options: int) -> ParsedOption:
    """The paper's parser: strip, delete ``▁ ( ) : . *``, take the first token, match a letter."""
    if output is None or not output.strip():
        return ParsedOption(None, "empty")
    cleaned = output.strip().translate(_STRIPPED_CHARS)
    tokens = cleaned.split()
    if not tokens:
        return ParsedOption(None, "unparseable")
    candidate = tokens[0].upper()
    if candidate in option_letters(n_options):
        return ParsedOption(candidate, "ok")
    return ParsedOption(None, "unparseable")


_LENIENT_PATTERNS = [
    # "(C)" anywhere (any case: a parenthesised letter is clearly an option letter)
    re.compile(r"\(\s*([A-Z])\s*\)", re.IGNORECASE),
    # "Answer: C", "answer is C", "Option C"; the letter must be a capital, so that
    # "the answer is a difficult one" is not read as A
    re.compile(r"\b(?i:answer|option|choice)\s*(?i:is|would be)?\s*[:\-]?\s*\(?\s*([A-Z])\b"),
    # "C." / "C:" / "C)" at the start of a line, but not "E.g."
    re.compile(r"^\s*\**\s*([A-Z])\s*[.):](?![A-Za-z])", re.MULTILINE),
]


def parse_lenient(output: str | None, options: list[str]) -> ParsedOption:
    """Strict first; then ``(C)``, ``Answer: C``, ``C.``; then the text of exactly one option.

    A pattern that finds two different letters ("(B) or (C)") makes the answer unparseable.
    """
    strict = parse_strict(output, len(options))
    if strict.status != "unparseable":
        return strict
    assert output is not None
    letters = option_letters(len(options))
    for pattern in _LENIENT_PATTERNS:
        found_letters = {m.group(1).upper() for m in pattern.finditer(output)} & set(letters)
        if len(found_letters) == 1:
            return ParsedOption(found_letters.pop(), "ok")
        if found_letters:  # "(B) or (C)", or the option list echoed: ambiguous
            return ParsedOption(None, "unparseable")
    found = _options_named(output, options)
    if len(found) == 1:
        return ParsedOption(letters[found[0]], "ok")
    return ParsedOption(None, "unparseable")


def _options_named(output: str, options: list[str]) -> list[int]:
    """Indices of options whose text appears in ``output``, not counting ones inside a longer
    matching option (``Very likely`` inside ``Not very likely``)."""
    text = output.lower()
    spans: list[tuple[int, int, int]] = []
    for index, option in enumerate(options):
        for match in re.finditer(re.escape(option.lower()), text):
            spans.append((match.start(), match.end(), index))
    kept = {
        index
        for start, end, index in spans
        if not any(
            (s <= start and end <= e) and (e - s) > (end - start) for s, e, _ in spans
        )
    }
    return sorted(kept)
