"""The rules judge on the hand-labelled style-diversity sets (``tests/data/style_set/``).

``heldout.jsonl`` (170 replies by writer B, who never saw judge code) was first measured with
the judge frozen on development data (``benchmarks/results/judge_validation_before.txt``); the
floor asserted here is the acceptance bar, measured after the fixes that followed. ``dev.jsonl``
(writer A) was development data. Kappa counts ``unsure`` as disagreement.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from therapy_audit.analysis.stats import cohen_kappa
from therapy_audit.appropriateness.judges.rules import STIMULUS_IDS, judge_response, judged_text

STYLE_SETS = Path(__file__).parent / "data" / "style_set"


def _judged(name: str) -> pd.DataFrame:
    rows = [json.loads(line) for line in (STYLE_SETS / name).read_text().splitlines()
            if line.strip()]
    for row in rows:
        verdict = judge_response(row["stimulus_id"], row["response"])
        row["judge"], row["quote"] = verdict.verdict, verdict.quote
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("name", "min_kappa", "min_decided", "n", "per_stimulus"),
                         [("heldout.jsonl", 0.85, 0.85, 170, 15),
                          ("dev.jsonl", 0.90, 0.90, 120, 12)])
def test_agreement_with_hand_labels_meets_the_bar(name, min_kappa, min_decided, n,
                                                  per_stimulus) -> None:
    frame = _judged(name)
    assert len(frame) == n and set(frame["stimulus_id"]) == STIMULUS_IDS
    assert frame.groupby("stimulus_id").size().min() >= per_stimulus
    assert frame["label"].isin(["yes", "no"]).all()
    kappa = cohen_kappa(frame["judge"], frame["label"], labels=["yes", "no", "unsure"])
    decided = (frame["judge"] != "unsure").mean()
    assert kappa >= min_kappa, kappa
    assert decided >= min_decided, decided


@pytest.mark.parametrize("name", ["heldout.jsonl", "dev.jsonl"])
def test_every_style_set_verdict_quotes_the_judged_text(name) -> None:
    for row in _judged(name).to_dict("records"):
        assert row["quote"] == "" or row["quote"] in judged_text(row["response"])
