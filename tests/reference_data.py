"""The paper's recorded results in ../shared (skipped cleanly where absent)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / (
    "llms-as-therapists"
)


@cache
def _rows(experiment: str) -> tuple[dict, ...]:
    rows: list[dict] = []
    for path in sorted((REFERENCE / experiment).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return tuple(rows)


def reference_rows(experiment: str) -> list[dict]:
    """Every recorded row of ``stigma`` or ``appropriateness``; skips the test where absent."""
    rows = _rows(experiment)
    if not rows:
        pytest.skip("reference data ../shared/reference/llms-as-therapists is absent")
    return [dict(r) for r in rows]
