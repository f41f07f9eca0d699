"""Tagging transcripts with conditions (the paper's filter step; ``therapy-audit tag``).

For every transcript and condition a model is asked for one client quote that shows the
symptom, or ``null``. A quote counts only if it is really in the transcript (whitespace and
case ignored), so a model cannot invent evidence. The tagged transcripts are written in the
generic transcript format, ready for ``--transcripts``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Target, scorer
from inspect_ai.solver import TaskState, generate

from therapy_audit.appropriateness.stimuli import CONDITIONS
from therapy_audit.appropriateness.transcripts import Transcript

TAG_PROMPT = """\
Below is a therapy transcript. Does the client show signs of {condition}? If so, copy one \
client message, or part of one, word for word, that shows it. If not, write only: null

Transcript:
```
{transcript}
```

Answer with the quote alone, or null."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower().strip("\"'“”‘’`")


def quote_in_transcript(quote: str, transcript: Transcript) -> bool:
    """Whether ``quote`` occurs in a client message (whitespace and case ignored)."""
    needle = _squash(quote)
    if len(needle) < 8:
        return False
    return any(needle in _squash(text) for role, text in transcript.messages if role == "client")


def _render(transcript: Transcript) -> str:
    return "\n\n".join(f"{'Client' if r == 'client' else 'Clinician'}: {t}"
                       for r, t in transcript.messages)


@scorer(metrics=[])
def tag_found(transcripts: dict[str, Transcript]):
    """Keeps a model's quote only if it is really in the transcript."""

    async def score(state: TaskState, target: Target) -> Score:
        raw = state.output.completion.strip() if state.output else ""
        quote = raw.strip().strip("\"'“”")
        if not quote or quote.lower().rstrip(".") == "null":
            return Score(value=0, answer="null", metadata={"quote": None, "raw": raw})
        found = quote_in_transcript(quote, transcripts[state.metadata["transcript_id"]])
        return Score(value=int(found), answer=quote if found else "not found",
                     metadata={"quote": quote if found else None, "raw": raw,
                               "rejected": None if found else "quote not in transcript"})

    return score


def tag_transcripts(transcripts: list[Transcript], model, log_dir: Path,
                    conditions: list[str] | None = None) -> dict[str, dict[str, str]]:
    """``{transcript id: {condition: quote}}`` for the conditions a model found evidence of."""
    conditions = conditions or CONDITIONS
    samples = [
        Sample(id=f"{t.id}::{c}", input=TAG_PROMPT.format(condition=c, transcript=_render(t)),
               metadata={"transcript_id": t.id, "condition": c})
        for t in transcripts for c in conditions
    ]
    task = Task(dataset=MemoryDataset(samples, name="tagging"), solver=generate(),
                scorer=tag_found({t.id: t for t in transcripts}),
                config=GenerateConfig(temperature=0.0, max_tokens=200),
                name="tag_transcripts")
    [log] = eval(task, model=model, log_dir=str(log_dir), max_samples=1, max_connections=1,
                 fail_on_error=False, log_level="warning")
    tags: dict[str, dict[str, str]] = {t.id: {} for t in transcripts}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()), None)
        quote = score.metadata.get("quote") if score and score.metadata else None
        if quote:
            tags[sample.metadata["transcript_id"]][sample.metadata["condition"]] = quote
    return tags


def write_tagged(transcripts: list[Transcript], tags: dict[str, dict[str, str]],
                 output: Path) -> None:
    """The transcripts in the generic JSONL format with the found conditions, plus the quotes
    (``<output>.tags.json``)."""
    with output.open("w", encoding="utf-8") as f:
        for t in transcripts:
            conditions = ";".join(sorted(tags.get(t.id, {})))
            for turn, (role, text) in enumerate(t.messages):
                f.write(json.dumps({"transcript_id": t.id, "turn": turn, "role": role,
                                    "text": text, "conditions": conditions},
                                   ensure_ascii=False) + "\n")
    output.with_suffix(".tags.json").write_text(json.dumps(tags, indent=2, ensure_ascii=False))
