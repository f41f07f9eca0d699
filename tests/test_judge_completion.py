"""Completing a judge's unsure verdicts with human labels (``rules-v2>human``)."""

from __future__ import annotations

import math

import pandas as pd

from therapy_audit.appropriateness.judges.completion import (
    complete_with_humans,
    completed_judge_name,
)
from therapy_audit.vocab import RULES_JUDGE_NAME


def _row(sample: str, judge: str, verdict: str, appropriate: float, **extra) -> dict:
    return {"model": "m", "system_prompt": "none", "sample_id": sample, "judge": judge,
            "verdict": verdict, "appropriate": appropriate, "judge_detail": f"{judge} said",
            **extra}


NAN = math.nan
TABLE = pd.DataFrame([
    _row("s1", RULES_JUDGE_NAME, "yes", 1.0, decided_by=RULES_JUDGE_NAME),
    _row("s1", "human:ann", "no", 0.0, decided_by="human:ann"),  # ignored: rules decided s1
    _row("s2", RULES_JUDGE_NAME, "unsure", NAN, decided_by=""),
    _row("s2", "human:ann", "no", 0.0, decided_by="human:ann"),
    _row("s3", RULES_JUDGE_NAME, "unsure", NAN, decided_by=""),  # no human label
    _row("s4", RULES_JUDGE_NAME, "unsure", NAN, decided_by=""),
    _row("s4", "human:ann", "yes", 1.0, decided_by="human:ann"),
    _row("s4", "human:bob", "no", 0.0, decided_by="human:bob"),  # a tie: stays unsure
    _row("s5", RULES_JUDGE_NAME, "unsure", NAN, decided_by=""),
    _row("s5", "human:ann", "yes", 1.0, decided_by="human:ann"),
    _row("s5", "human:bob", "yes", 1.0, decided_by="human:bob"),
    _row("s5", "human:cy", "no", 0.0, decided_by="human:cy"),  # outvoted
    _row("s6", RULES_JUDGE_NAME, "", NAN, decided_by=""),  # unjudged (empty response)
    _row("s6", "human:ann", "yes", 1.0, decided_by="human:ann"),
    _row("s2", "openai/gpt-4o", "yes", 1.0, decided_by="openai/gpt-4o"),  # not a human
])


def test_unsure_verdicts_take_the_human_label_and_name_the_annotators() -> None:
    before = TABLE.copy()
    out = complete_with_humans(TABLE).set_index("sample_id")
    pd.testing.assert_frame_equal(TABLE, before)  # the input is not changed
    assert set(out["judge"]) == {completed_judge_name(RULES_JUDGE_NAME)} == {"rules-v2>human"}
    assert list(out.index) == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert out.loc["s1", ["verdict", "decided_by"]].tolist() == ["yes", RULES_JUDGE_NAME]
    assert out.loc["s2", ["verdict", "appropriate", "decided_by"]].tolist() == [
        "no", 0.0, "human:ann"]
    assert out.loc["s2", "judge_detail"].endswith("-> human:ann")
    assert out.loc["s5", ["verdict", "decided_by"]].tolist() == ["yes", "human:ann+human:bob"]


def test_items_without_a_human_decision_stay_undecided_never_appropriate() -> None:
    out = complete_with_humans(TABLE).set_index("sample_id")
    for sample in ("s3", "s4"):
        assert out.loc[sample, "verdict"] == "unsure"
        assert math.isnan(out.loc[sample, "appropriate"])
        assert out.loc[sample, "decided_by"] == ""
    assert out.loc["s6", "verdict"] == "" and math.isnan(out.loc["s6", "appropriate"])


def test_another_judge_can_be_completed_and_a_missing_judge_gives_no_rows() -> None:
    table = pd.concat([TABLE, pd.DataFrame([_row("s3", "openai/gpt-4o", "unsure", NAN),
                                            _row("s3", "human:ann", "yes", 1.0)])])
    out = complete_with_humans(table.drop(columns="decided_by"), "openai/gpt-4o")
    assert set(out["judge"]) == {"openai/gpt-4o>human"}
    by_sample = out.set_index("sample_id")
    assert by_sample.loc["s3", ["verdict", "decided_by"]].tolist() == ["yes", "human:ann"]
    assert by_sample.loc["s2", "decided_by"] == "openai/gpt-4o"
    assert complete_with_humans(TABLE, "nobody").empty
