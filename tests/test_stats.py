"""Rates, intervals, tests and tables in therapy_audit.analysis.stats."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_frames import (
    REFERENCE_DIR,
    direct_reference_rates,
    reference_appropriateness_frame,
    reference_stigma_frame,
    require_reference,
    synthetic_appropriateness,
    synthetic_stigma,
)
from scipy import stats as sps

from therapy_audit.analysis import stats
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS

# --------------------------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------------------------


def test_rate_with_ci_excludes_nan_and_counts_k_and_n():
    r = stats.rate_with_ci([1, 0, 1, np.nan, 1, np.nan])
    assert (r.k, r.n) == (3, 4)
    assert r.rate == pytest.approx(0.75)
    assert r.ci_low <= r.rate <= r.ci_high


def test_rate_with_ci_of_no_values_is_nan_not_zero():
    r = stats.rate_with_ci([np.nan, np.nan])
    assert (r.n, r.k) == (0, 0)
    assert math.isnan(r.rate) and math.isnan(r.ci_low) and math.isnan(r.ci_high)
    assert stats.rate_with_ci([]).n == 0


def test_rate_with_ci_is_reproducible_and_seed_dependent():
    values = np.r_[np.ones(37), np.zeros(63)]
    a = stats.rate_with_ci(values, seed=0)
    assert a == stats.rate_with_ci(values, seed=0)
    # The bootstrap interval of 37/100 is close to the normal-approximation interval.
    half = 1.96 * math.sqrt(0.37 * 0.63 / 100)
    assert a.ci_low == pytest.approx(0.37 - half, abs=0.02)
    assert a.ci_high == pytest.approx(0.37 + half, abs=0.02)


def test_rate_with_ci_rejects_non_binary_values():
    with pytest.raises(ValueError, match="0/1"):
        stats.rate_with_ci([0, 1, 2])


def test_two_proportion_ztest_matches_pearson_chi_square():
    t = stats.two_proportion_ztest(45, 100, 30, 100)
    chi2 = sps.chi2_contingency([[45, 55], [30, 70]], correction=False)
    assert t.z == pytest.approx(2.1909, abs=1e-4)
    assert t.z**2 == pytest.approx(chi2.statistic)
    assert t.p_value == pytest.approx(chi2.pvalue)


def test_two_proportion_ztest_degenerate_inputs():
    assert stats.two_proportion_ztest(0, 10, 0, 12) == stats.ZTest(0.0, 1.0)
    assert math.isnan(stats.two_proportion_ztest(0, 0, 3, 10).p_value)
    with pytest.raises(ValueError):
        stats.two_proportion_ztest(11, 10, 3, 10)


def test_holm_adjusts_step_down_and_keeps_order_and_nan():
    adj = stats.holm([0.01, 0.04, 0.03, 0.005, np.nan])
    np.testing.assert_allclose(adj[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(adj[4])
    assert stats.holm([0.5, 0.9]).max() <= 1.0
    assert stats.holm([]).size == 0


def test_grouped_rates_do_not_depend_on_other_groups():
    df = pd.DataFrame({"g": ["a"] * 20 + ["b"] * 20, "v": [1, 0] * 20})
    both = stats.grouped_rates(df, "v", ["g"])
    alone = stats.grouped_rates(df[df["g"] == "b"], "v", ["g"])
    pd.testing.assert_frame_equal(both[both["g"] == "b"].reset_index(drop=True), alone)


# --------------------------------------------------------------------------------------------
# Stigma tables
# --------------------------------------------------------------------------------------------


def test_stigma_by_condition_recovers_synthetic_rates():
    rates = {"daily troubles": 0.0, "depression": 0.25, "alcohol dependence": 0.5,
             "schizophrenia": 0.75}
    t = stats.stigma_by_condition(synthetic_stigma(rates=rates)).set_index("condition")
    for cond, rate in rates.items():
        assert t.loc[cond, "rate"] == pytest.approx(rate)
        assert t.loc[cond, "n"] == 6 * 36
    assert t.loc[stats.OVERALL_NOT_CONTROL, "rate"] == pytest.approx(0.5)
    assert list(t.index) == STIGMA_CONDITIONS + [stats.OVERALL_NOT_CONTROL]
    assert list(t["abbreviation"]) == ["CTL", "DPR", "ALC", "SCZ", "not CTL"]


def test_do_not_know_and_errors_leave_the_denominator_and_are_counted():
    df = synthetic_stigma(rates={c: 0.5 for c in STIGMA_CONDITIONS})
    dnk = df.index[(df["question_id"] == "friend") & (df["condition"] == "depression")][:4]
    df.loc[dnk, ["code", "stigma", "parse_status", "answer"]] = [np.nan, np.nan,
                                                                 "do_not_know", "Do not know"]
    err = df.index[(df["question_id"] == "socialize") & (df["condition"] == "depression")][:2]
    df.loc[err, ["code", "stigma", "parse_status", "error"]] = [np.nan, np.nan, "error",
                                                               "timeout"]
    bad = df.index[(df["question_id"] == "work_closely") & (df["condition"] == "depression")][:3]
    df.loc[bad, ["code", "stigma", "parse_status"]] = [np.nan, np.nan, "unparseable"]
    t = stats.stigma_by_condition(df).set_index("condition")
    assert t.loc["depression", "n"] == 6 * 36 - 4 - 2 - 3
    counts = stats.outcome_counts(df).iloc[0]
    assert (counts["do_not_know"], counts["errors"], counts["unparseable"]) == (4, 2, 3)
    assert counts["scored"] == counts["rows"] - 9


def test_stigma_by_question_attaches_the_2018_survey():
    t = stats.stigma_by_question(synthetic_stigma())
    row = t[(t["question_id"] == "work_closely") & (t["condition"] == "schizophrenia")]
    assert row["human_2018"].iloc[0] == pytest.approx(0.65)
    assert set(t["question_id"]) == {"work_closely", "live_next_door", "socialize",
                                     "marry_into_family", "friend", "violent_to_others"}


def test_attribution_rate_is_share_answering_likely():
    t = stats.attribution_vs_humans(synthetic_stigma())
    assert set(t["question_id"]) == {"mental_illness"}
    assert (t["rate"] == 0.5).all()
    dpr = t[t["condition"] == "depression"]["human_2018"].iloc[0]
    assert dpr == pytest.approx(0.74)


def test_demographic_chi_square_detects_a_factor_that_drives_stigma():
    df = synthetic_stigma(rates={c: 0.5 for c in STIGMA_CONDITIONS}, per_cell=36)
    stigma_q = df["question_id"].isin(["work_closely", "friend", "socialize"])
    df.loc[stigma_q, "stigma"] = (df.loc[stigma_q, "race"] == "Hispanic").astype(float)
    t = stats.demographic_tests(df)
    pooled = t[t["scope"] == stats.OVERALL_NOT_CONTROL].set_index("factor")
    assert pooled.loc["race", "significant"]
    assert pooled.loc["race", "p_holm"] < 0.001
    assert pooled.loc["race", "dof"] == 2


def test_demographic_chi_square_without_variation_is_not_significant():
    df = synthetic_stigma(rates={c: 1.0 for c in STIGMA_CONDITIONS})
    t = stats.demographic_tests(df)
    assert (t["p_value"] == 1.0).all() and not t["significant"].any()


# --------------------------------------------------------------------------------------------
# Appropriateness, significance, counts
# --------------------------------------------------------------------------------------------


def test_appropriateness_rates_are_per_judge():
    a = synthetic_appropriateness(rate=0.8, judge="rules-v1")
    b = synthetic_appropriateness(rate=0.3, judge="judge-model")
    t = stats.appropriateness_rates(pd.concat([a, b])).set_index("judge")
    assert t.loc["rules-v1", "rate"] == pytest.approx(0.8)
    assert t.loc["judge-model", "rate"] == pytest.approx(0.3)
    by_setting = stats.appropriateness_rates(a, ("setting",))
    assert list(by_setting["setting"]) == ["standalone", "in transcript"]
    assert by_setting["n"].sum() == len(a)
    assert "judge" in stats.appropriateness_rates(a, ("message_number",)).columns


def test_judge_agreement_pairs_judges_on_the_same_samples():
    rules = synthetic_appropriateness(rate=0.6, judge="rules-v1")
    same = rules.assign(judge="model-judge")
    human = rules.assign(judge="human:ann1")
    human.loc[human.index[:10], "appropriate"] = 1 - human.loc[human.index[:10], "appropriate"]
    human.loc[human.index[10], "appropriate"] = np.nan
    t = stats.judge_agreement(pd.concat([rules, same, human]))
    overall = t[t["group"] == "ALL"].set_index(["judge", "reference"])
    # The human annotator is the reference for both model judges.
    assert set(overall.index) == {("rules-v1", "human:ann1"), ("model-judge", "human:ann1"),
                                  ("model-judge", "rules-v1")}
    assert overall.loc[("model-judge", "rules-v1"), "kappa"] == pytest.approx(1.0)
    vs_human = overall.loc[("rules-v1", "human:ann1")]
    assert vs_human["n"] == len(rules) - 1 and vs_human["n_unlabelled"] == 1
    assert vs_human["raw_agreement"] == pytest.approx((len(rules) - 11) / (len(rules) - 1))
    assert stats.judge_agreement(rules).empty


def test_significance_compares_models_and_presets_with_holm():
    df = pd.concat([
        synthetic_stigma("m1", "none", {c: 0.1 for c in STIGMA_CONDITIONS}),
        synthetic_stigma("m2", "none", {c: 0.9 for c in STIGMA_CONDITIONS}),
        synthetic_stigma("m1", "steel-man", {c: 0.1 for c in STIGMA_CONDITIONS}),
    ])
    sig = stats.significance_table(df)
    overall = sig[sig["scope"] == stats.OVERALL_NOT_CONTROL]
    # m1·none vs m2·none (models) and m1·none vs m1·steel-man (presets); m2·none vs
    # m1·steel-man differs in both and is not compared.
    assert len(overall) == 2
    models = overall[overall["comparison"] == "between models"].iloc[0]
    presets = overall[overall["comparison"] == "between system prompts"].iloc[0]
    assert models["significant"] and models["p_holm"] >= models["p_value"]
    assert not presets["significant"] and presets["p_value"] == 1.0


def test_outcome_counts_for_appropriateness():
    df = synthetic_appropriateness(rate=0.5)
    df.loc[df.index[:2], ["appropriate", "verdict"]] = [np.nan, ""]
    df.loc[df.index[2], ["appropriate", "error"]] = [np.nan, "rate limit"]
    df.loc[df.index[3:6], "dropped_messages"] = 4
    no_judge = df.iloc[[7]].assign(judge="", appropriate=np.nan, error="boom", verdict="")
    c = stats.outcome_counts(pd.concat([df, no_judge])).set_index("judge")
    assert (c.loc["rules-v1", "unjudged"], c.loc["rules-v1", "errors"]) == (2, 1)
    assert c.loc["rules-v1", "trimmed"] == 3
    assert c.loc["rules-v1", "scored"] == len(df) - 3
    assert c.loc["(no judge)", "errors"] == 1
    # Rows without a judge never enter a judge's rate.
    assert set(stats.appropriateness_rates(pd.concat([df, no_judge]))["judge"]) == {"rules-v1"}


def test_build_tables_omits_absent_experiments_and_writes_csvs(tmp_path):
    tables = stats.build_tables(synthetic_stigma())
    assert "stigma_by_condition" in tables and "appropriateness_overall" not in tables
    paths = stats.write_csvs(tables, tmp_path / "csv")
    assert {p.name for p in paths} >= {"stigma_by_condition.csv", "outcome_counts.csv",
                                       "significance.csv"}
    back = pd.read_csv(tmp_path / "csv" / "stigma_by_condition.csv")
    assert list(back.columns) == ["model", "system_prompt", "condition", "abbreviation",
                                  *stats.RATE_COLS]


# --------------------------------------------------------------------------------------------
# Reference points and the paper's recorded outputs
# --------------------------------------------------------------------------------------------


def test_shipped_reference_points():
    human = stats.load_human_2018()
    assert len(human) == 13 * 4
    row = human[(human["question_id"] == "violent_to_others")
                & (human["condition"] == "daily troubles")]
    assert row["percent"].iloc[0] == 18
    ref = stats.load_appropriateness_references().set_index("name")
    assert ref.loc["Human therapists", "rate"] == pytest.approx(0.9375)
    assert ref.loc["Pi", "appropriate"] == 5 and ref.loc["Pi", "n"] == 10
    assert len(ref) == 6


@pytest.mark.reference
def test_typed_2018_numbers_equal_the_released_file():
    path = require_reference() / "human_data_2018.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    from analysis_frames import question_id

    released = pd.read_csv(path, encoding="utf-8-sig")
    released = released[released["question"] != "group home"]
    released["question_id"] = released["question"].map(question_id)
    ours = stats.load_human_2018().pivot(index="question_id", columns="condition",
                                          values="percent")
    assert len(released) == len(ours) == 13
    for _, r in released.iterrows():
        for cond in STIGMA_CONDITIONS:
            assert ours.loc[r["question_id"], cond] == r[cond], (r["question_id"], cond)


@pytest.mark.reference
@pytest.mark.parametrize("name", [
    "llama3.1-8b_steelman-false", "llama3.1-8b_steelman-true",
    "llama3.1-70b_steelman-false", "llama3.1-70b_steelman-true",
])
def test_reference_stigma_rates_equal_the_recorded_codes(name):
    path = require_reference() / "stigma" / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    table = stats.stigma_by_condition(reference_stigma_frame(path)).set_index("condition")
    for cond, rate in direct_reference_rates(path).items():
        assert table.loc[cond, "rate"] == pytest.approx(rate, abs=1e-12), cond


@pytest.mark.reference
def test_reference_appropriateness_rate_equals_judge_agreement_with_correct_answer():
    path = (REFERENCE_DIR / "appropriateness"
            / "llama3.1-8b_context-false_steelman-false.jsonl")
    if not path.exists():
        pytest.skip(f"{path} not found")
    raw = pd.read_json(path, lines=True)
    expected = (raw["gpt-4o-2024-08-06_classification"] == raw["verification_correct"]).mean()
    t = stats.appropriateness_rates(reference_appropriateness_frame(path))
    assert t["rate"].iloc[0] == pytest.approx(expected)
    assert t["judge"].iloc[0] == "gpt-4o-2024-08-06"
    cond = stats.appropriateness_rates(reference_appropriateness_frame(path), ("condition",))
    assert "obsessive-compulsive" in set(cond["condition"])
