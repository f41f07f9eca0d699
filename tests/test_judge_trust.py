"""How far to trust each judge (issue 9): decided verdicts beside every rate, agreement with a
reference, and the gate's rule on undecided verdicts. Frames follow the judge contract:
verdict in {"yes", "no", "unsure", ""}, judges ``rules-v2``, cascades ``rules-v2>openai/gpt-4o``,
``human:<id>``, ``paper:gpt-4o-2024-08-06``, and ``decided_by``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from analysis_frames import synthetic_appropriateness

from therapy_audit.analysis import tables
from therapy_audit.analysis.agreement import judge_agreement
from therapy_audit.analysis.gate import check
from therapy_audit.analysis.report import write_report
from therapy_audit.analysis.summary import summarise

RULES = "rules-v2"
CASCADE = "rules-v2>openai/gpt-4o"
PAPER = "paper:gpt-4o-2024-08-06"


def judged(judge: str, unsure: int = 0, rate: float = 0.8) -> pd.DataFrame:
    """100 responses judged by ``judge``; the first ``unsure`` verdicts are "unsure"."""
    df = synthetic_appropriateness(rate=rate, judge=judge)
    df.loc[df.index[:unsure], ["verdict", "appropriate"]] = ["unsure", np.nan]
    return df


def test_every_appropriateness_rate_counts_the_decided_verdicts():
    df = judged(RULES, unsure=12)
    for by in [(), ("setting",), ("condition",), ("stimulus_id",), ("message_number",)]:
        t = tables.appropriateness_rates(df, by)
        assert t["responses"].sum() == 100 and t["decided"].sum() == 88, by
    overall = tables.appropriateness_rates(df).iloc[0]
    assert overall["n"] == 88  # undecided verdicts are not in the rate


def test_the_report_shows_decided_and_trust_beside_every_rate(tmp_path):
    df = pd.concat([judged(RULES, unsure=12), judged(PAPER)])
    page = write_report(df, tmp_path / "r.html").read_text()
    section = page.split('<section id="appropriateness">', 1)[1].split("</section>", 1)[0]
    for caption in ("Appropriate responses over all prompts", "By condition"):
        table = section.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
        assert "<th scope=\"col\">Decided</th>" in table
        if caption == "By condition":
            assert "20/20" in table  # a condition of the paper labels: all decided
        else:
            assert "88/100 (88%)" in table and "100/100 (100%)" in table
        assert re.search(r"κ \d\.\d\d \(\d\.\d\d–\d\.\d\d\) vs paper:gpt-4o-2024-08-06, "
                         r"n=88", table)
        assert "is a reference" in table
    assert "How far to trust each judge" in section


def test_a_judge_without_a_reference_says_so_where_its_rates_appear(tmp_path):
    page = write_report(judged(RULES), tmp_path / "r.html").read_text()
    section = page.split('<section id="appropriateness">', 1)[1].split("</section>", 1)[0]
    assert section.count("no reference in this run") >= 5  # every rate table
    assert "Judge rules-v2 has no validation in this run" in section


def test_the_paper_labels_and_annotators_are_the_reference_not_the_judge():
    df = pd.concat([judged(RULES), judged(PAPER), judged("human:ann1")])
    agreement = judge_agreement(df)
    pairs = set(zip(agreement["judge"], agreement["reference"], strict=True))
    assert (RULES, PAPER) in pairs and (RULES, "human:ann1") in pairs
    assert (PAPER, "human:ann1") in pairs
    trust = tables.judge_trust(df).set_index("judge")
    assert trust.loc[RULES, "reference"] == "human:ann1"  # a person before the paper
    assert trust.loc[PAPER, "reference"] == "human:ann1"
    assert trust.loc["human:ann1", "reference"] == tables.IS_REFERENCE


def test_a_cascade_shows_which_judge_decided():
    df = judged(CASCADE, unsure=5)
    df["decided_by"] = RULES
    df.loc[df.index[5:25], "decided_by"] = "openai/gpt-4o"
    row = tables.judge_trust(df).iloc[0]
    assert (row["responses"], row["decided"], row["undecided"]) == (100, 95, 5)
    assert row["decided_by"] == "openai/gpt-4o 20%, rules-v2 75%"
    # Without the column every verdict was decided by the judge itself.
    plain = tables.judge_trust(judged(RULES, unsure=5)).iloc[0]
    assert plain["decided_by"] == f"{RULES} 95%"


def test_the_summary_says_how_many_verdicts_were_decided():
    text = summarise(pd.concat([judged(RULES, unsure=12), judged(PAPER)]))
    assert f"judge {RULES} (decided 88 of 100 verdicts (88.0%); agreement with {PAPER}" in text


def test_the_gate_fails_when_too_many_verdicts_are_undecided():
    r = check(judged(RULES, unsure=11), min_appropriate=0.5)
    assert not r.passed
    (line,) = [x for x in r.lines if x.startswith("FAIL undecided")]
    assert "11 of 100 verdicts (11.0%) undecided" in line and "max 10.0%" in line
    assert "judge decided 89/100" in [x for x in r.lines if "PASS appropriateness" in x][0]
    assert check(judged(RULES, unsure=10), min_appropriate=0.5).passed
    assert check(judged(RULES, unsure=11), min_appropriate=0.5, max_undecided=0.2).passed
    assert check(judged(RULES, unsure=11), min_appropriate=0.5, max_undecided=None).passed


def test_verdicts_a_second_judge_decided_do_not_count_as_undecided():
    rules, second = judged(RULES, unsure=30), judged("openai/gpt-4o")
    r = check(pd.concat([rules, second]), min_appropriate=0.5, judge=RULES)
    assert r.passed, r.lines
    second.loc[second.index[:30], ["verdict", "appropriate"]] = ["unsure", np.nan]
    r = check(pd.concat([rules, second]), min_appropriate=0.5, judge=RULES)
    assert not r.passed and any(x.startswith("FAIL undecided [judge rules-v2]")
                                for x in r.lines)


def test_non_responsive_and_errored_rows_are_not_undecided():
    df = judged(RULES, unsure=20)
    df.loc[df.index[:10], "nonresponsive"] = "repetition loop"
    df.loc[df.index[10:15], "error"] = "timeout"
    # 5 undecided of 95 responses: within the limit.
    assert not [x for x in check(df, min_appropriate=0.3).lines if "undecided" in x]


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_max_undecided_must_be_a_share(value):
    with pytest.raises(ValueError, match="max_undecided"):
        check(judged(RULES), min_appropriate=0.5, max_undecided=value)
