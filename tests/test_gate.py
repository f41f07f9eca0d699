"""The release gate's decision rule (therapy_audit.analysis.gate.check)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_frames import synthetic_appropriateness, synthetic_stigma

from therapy_audit.analysis.gate import check
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS


def stigma(rate: float, model: str = "m", prompt: str = "none", per_cell: int = 36):
    rates = {c: rate for c in STIGMA_CONDITIONS}
    rates["daily troubles"] = 0.0
    return synthetic_stigma(model, prompt, rates, per_cell=per_cell)


def lines_with(result, word: str) -> list[str]:
    return [line for line in result.lines if word in line]


def test_passes_when_stigma_is_clearly_below_the_limit():
    r = check(stigma(0.25), max_stigma=0.5)
    assert r.passed and r.exit_code == 0
    assert "clear" in lines_with(r, "PASS stigma")[0]
    assert r.lines[-1] == "RESULT: PASSED"


def test_fails_when_stigma_is_above_the_limit():
    r = check(stigma(0.75), max_stigma=0.5)
    assert not r.passed and r.exit_code == 1
    assert "above the max 50.0%" in lines_with(r, "FAIL stigma")[0]


def test_point_estimate_decides_and_a_crossing_interval_is_called_borderline():
    # 0.5 on 3 x 6 x 36 = 648 answers; limit 0.49 lies inside the 95% CI.
    r = check(stigma(0.5), max_stigma=0.49)
    assert not r.passed
    assert "borderline" in lines_with(r, "FAIL stigma")[0]
    r = check(stigma(0.5), max_stigma=0.51)
    assert r.passed and "borderline" in lines_with(r, "PASS stigma")[0]


def test_appropriateness_checks_every_judge_unless_one_is_chosen():
    df = pd.concat([synthetic_appropriateness(rate=0.9, judge="rules-v1"),
                    synthetic_appropriateness(rate=0.3, judge="model-judge")])
    r = check(df, min_appropriate=0.6)
    assert not r.passed
    assert len(lines_with(r, "PASS appropriateness [judge rules-v1]")) == 1
    assert len(lines_with(r, "FAIL appropriateness [judge model-judge]")) == 1
    assert check(df, min_appropriate=0.6, judge="rules-v1").passed
    missing = check(df, min_appropriate=0.6, judge="nobody")
    assert not missing.passed and lines_with(missing, "no verdicts from judge 'nobody'")


def test_a_requested_check_without_data_fails():
    r = check(synthetic_appropriateness(rate=0.9), max_stigma=0.5)
    assert not r.passed and lines_with(r, "no stigma samples")
    r = check(stigma(0.1), min_appropriate=0.5)
    assert not r.passed and lines_with(r, "no appropriateness samples")
    all_unknown = stigma(0.1)
    all_unknown[["code", "stigma"]] = np.nan
    all_unknown["parse_status"] = "do_not_know"
    r = check(all_unknown, max_stigma=0.5)
    assert not r.passed and lines_with(r, "no scored samples")


def test_unjudged_responses_fail_the_appropriateness_check():
    df = synthetic_appropriateness(rate=0.9)
    df[["judge", "verdict"]] = ""
    df["appropriate"] = np.nan
    df["error"] = "model call failed"
    r = check(df, min_appropriate=0.5)
    assert not r.passed
    assert lines_with(r, "no response has a judge's verdict")


def test_baseline_difference_that_is_not_significant_passes():
    # 90/180 against 72/180 stigmatising answers: 10 points worse, but p = 0.056.
    cur, base = stigma(0.5, per_cell=10), stigma(0.4, per_cell=10)
    r = check(cur, baseline_df=base)
    assert r.passed
    line = lines_with(r, "baseline")[0]
    assert "no significant change" in line
    assert "50.0% (n=180) vs baseline 40.0% (n=180)" in line
    assert check(cur, baseline_df=base, alpha=0.1).passed is False


def test_significant_baseline_regression_fails():
    r = check(stigma(0.6), baseline_df=stigma(0.2))
    assert not r.passed
    assert "REGRESSION" in lines_with(r, "FAIL baseline")[0]


def test_significant_baseline_improvement_passes():
    r = check(stigma(0.2), baseline_df=stigma(0.6))
    assert r.passed and lines_with(r, "significant improvement")


def test_appropriateness_regression_is_per_judge():
    cur = synthetic_appropriateness(rate=0.3, per_stimulus=20)
    base = synthetic_appropriateness(rate=0.9, per_stimulus=20)
    r = check(cur, baseline_df=base)
    assert not r.passed
    assert "[judge rules-v1]" in lines_with(r, "REGRESSION")[0]


def test_baseline_pairs_single_configurations_of_different_models():
    r = check(stigma(0.2, model="new"), baseline_df=stigma(0.2, model="old"))
    assert r.passed
    assert "vs baseline old · none" in lines_with(r, "no significant change")[0]


def test_baseline_with_nothing_comparable_fails():
    r = check(stigma(0.2), baseline_df=synthetic_appropriateness())
    assert not r.passed and lines_with(r, "nothing in the run can be compared")


def test_too_many_unscored_rows_fail_only_when_asked():
    df = stigma(0.1)
    df.loc[df.index[: len(df) // 2], ["code", "stigma", "error", "parse_status"]] = [
        np.nan, np.nan, "timeout", "error"]
    assert check(df, max_stigma=0.5).passed
    r = check(df, max_stigma=0.5, max_unscored=0.2)
    assert not r.passed and lines_with(r, "FAIL unscored")


def test_nothing_to_check_and_bad_limits_are_usage_errors():
    with pytest.raises(ValueError, match="nothing to check"):
        check(stigma(0.1))
    with pytest.raises(ValueError, match="between 0 and 1"):
        check(stigma(0.1), max_stigma=40)


def test_every_configuration_is_checked():
    df = pd.concat([stigma(0.1, model="a"), stigma(0.9, model="b")])
    r = check(df, max_stigma=0.5)
    assert not r.passed
    assert len(lines_with(r, "PASS stigma")) == 1 and len(lines_with(r, "FAIL stigma")) == 1


def test_check_prints_nothing_about_unscored_rows_when_every_row_was_scored():
    r = check(stigma(0.25), max_stigma=0.5)
    assert not lines_with(r, "unscored")
    assert r.lines == [r.lines[0], "RESULT: PASSED"]
    df = stigma(0.25)
    df.loc[df.index[:3], ["code", "stigma", "parse_status"]] = [np.nan, np.nan, "unparseable"]
    assert lines_with(check(df, max_stigma=0.5), "NOTE unscored")[0].endswith(
        "3 of 1152 rows unscored (unparseable 3)")


def test_the_gate_names_its_interval_and_counts_non_responsive_replies_as_failures():
    df = synthetic_appropriateness(rate=1.0)
    line = lines_with(check(df, min_appropriate=0.9), "appropriateness")[0]
    assert "cluster bootstrap" in line or "Clopper-Pearson" in line or "Wilson" in line
    df["nonresponsive"] = ""
    df.loc[df.index[:30], "nonresponsive"] = "repetition loop"
    r = check(df, min_appropriate=0.9)
    assert not r.passed and "70.0%" in lines_with(r, "FAIL appropriateness")[0]
