"""The statistics in therapy_audit.analysis.stats: rates, intervals, tests, agreement
coefficients and formats."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from therapy_audit.analysis import stats
from therapy_audit.analysis.stats import (
    BootstrapCI,
    bootstrap_kappa_ci,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    krippendorff_alpha,
    raw_agreement,
)

# --------------------------------------------------------------------------------------------
# Rates and tests
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

# --------------------------------------------------------------------------------------------
# Agreement between raters
# --------------------------------------------------------------------------------------------


# Textbook 2x2 example (50 items): both yes 20, a-yes/b-no 5, a-no/b-yes 10, both no 15.
# p_o = 35/50 = 0.7; p_yes(a) = 0.5, p_yes(b) = 0.6; p_e = 0.5*0.6 + 0.5*0.4 = 0.5;
# kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
A = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15

def test_cohen_kappa_matches_hand_computation() -> None:
    assert cohen_kappa(A, B) == pytest.approx(0.4)
    assert raw_agreement(A, B) == pytest.approx(0.7)


def test_cohen_kappa_small_hand_example() -> None:
    # p_o = 8/10; each rater says yes 5 times -> p_e = 0.5; kappa = 0.3 / 0.5 = 0.6
    a = ["yes", "yes", "no", "no", "yes", "no", "yes", "yes", "no", "no"]
    b = ["yes", "no", "no", "no", "yes", "no", "yes", "yes", "yes", "no"]
    assert cohen_kappa(a, b) == pytest.approx(0.6)


def test_cohen_kappa_is_symmetric_and_perfect_and_chance_cases() -> None:
    assert cohen_kappa(B, A) == pytest.approx(cohen_kappa(A, B))
    assert cohen_kappa(A, A) == pytest.approx(1.0)
    # independent-looking raters: p_o == p_e -> 0
    assert cohen_kappa(["y", "y", "n", "n"], ["y", "n", "y", "n"]) == pytest.approx(0.0)


def test_cohen_kappa_reproduces_the_textbook_example() -> None:
    # Wikipedia's "Cohen's kappa" worked example: 50 proposals read by two readers, yes/yes 20,
    # A yes / B no 5, A no / B yes 10, no/no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_is_nan_when_undefined() -> None:
    assert math.isnan(cohen_kappa(["no"] * 5, ["no"] * 5))


def test_cohen_kappa_zero_when_one_rater_is_constant_and_the_other_is_not() -> None:
    assert cohen_kappa(["no"] * 4, ["no", "no", "no", "yes"]) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (["yes"], ["yes", "no"], "different numbers"),
        ([], [], "no items"),
        (["yes", None], ["yes", "no"], "missing label"),
        (["yes", float("nan")], ["yes", "no"], "missing label"),
    ],
)
def test_bad_input_raises_clear_errors(a: list, b: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cohen_kappa(a, b)
    with pytest.raises(ValueError, match=message):
        raw_agreement(a, b)


def test_confusion_matrix_counts_pairs_in_label_order() -> None:
    cm = confusion_matrix(A, B, labels=["yes", "no"])
    assert list(cm.index) == ["yes", "no"] and list(cm.columns) == ["yes", "no"]
    assert cm.loc["yes", "yes"] == 20 and cm.loc["yes", "no"] == 5
    assert cm.loc["no", "yes"] == 10 and cm.loc["no", "no"] == 15
    assert int(cm.to_numpy().sum()) == len(A)


def test_confusion_matrix_rejects_labels_outside_the_list() -> None:
    with pytest.raises(ValueError, match="not in"):
        confusion_matrix(["yes", "maybe"], ["yes", "no"], labels=["yes", "no"])


def test_cohen_kappa_with_explicit_labels_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="not in"):
        cohen_kappa(["yes", "maybe"], ["yes", "no"], labels=["yes", "no"])


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate() -> None:
    first = bootstrap_kappa_ci(A, B, n_resamples=500, seed=7)
    second = bootstrap_kappa_ci(A, B, n_resamples=500, seed=7)
    other = bootstrap_kappa_ci(A, B, n_resamples=500, seed=8)
    assert isinstance(first, BootstrapCI)
    assert first == second
    assert (first.low, first.high) != (other.low, other.high)
    assert first.estimate == pytest.approx(0.4)
    assert first.low < 0.4 < first.high
    assert -1.0 <= first.low and first.high <= 1.0
    assert first.n_undefined == 0 and first.n_resamples == 500


def test_bootstrap_ci_narrows_with_more_items() -> None:
    small = bootstrap_kappa_ci(A, B, n_resamples=400, seed=0)
    large = bootstrap_kappa_ci(A * 10, B * 10, n_resamples=400, seed=0)
    assert (large.high - large.low) < (small.high - small.low)


def test_bootstrap_ci_counts_degenerate_resamples_without_crashing() -> None:
    a = ["yes"] + ["no"] * 9
    ci = bootstrap_kappa_ci(a, list(a), n_resamples=300, seed=1)
    # about (9/10)^10 ~ 35% of resamples miss the single "yes": kappa undefined there
    assert 0 < ci.n_undefined < 300
    assert ci.low == pytest.approx(1.0) and ci.high == pytest.approx(1.0)


def test_bootstrap_ci_all_undefined_gives_nan_bounds() -> None:
    ci = bootstrap_kappa_ci(["no"] * 8, ["no"] * 8, n_resamples=50, seed=0)
    assert math.isnan(ci.estimate) and math.isnan(ci.low) and math.isnan(ci.high)
    assert ci.n_undefined == 50


@pytest.mark.parametrize(("kwargs", "message"), [({"n_resamples": 0}, "n_resamples"),
                                                 ({"alpha": 1.5}, "alpha")])
def test_bootstrap_ci_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bootstrap_kappa_ci(A, B, **kwargs)


def _fleiss_wikipedia_ratings() -> list[list[int]]:
    # Fleiss (1971)-style worked example: 10 items, 14 raters, 5 categories; kappa = 0.210
    counts = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    return [[cat for cat, k in enumerate(row) for _ in range(k)] for row in counts]


def test_fleiss_kappa_matches_worked_example() -> None:
    assert fleiss_kappa(_fleiss_wikipedia_ratings()) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_kappa_equals_one_for_unanimous_varied_items() -> None:
    ratings = pd.DataFrame({"r1": ["yes", "no", "yes"], "r2": ["yes", "no", "yes"],
                            "r3": ["yes", "no", "yes"]})
    assert fleiss_kappa(ratings) == pytest.approx(1.0)


def test_fleiss_kappa_needs_complete_ratings_and_is_nan_when_undefined() -> None:
    with pytest.raises(ValueError, match="complete"):
        fleiss_kappa([["yes", None], ["no", "no"]])
    assert math.isnan(fleiss_kappa([["no", "no"], ["no", "no"]]))
    with pytest.raises(ValueError, match="items x raters"):
        fleiss_kappa([["yes"], ["no"]])


def test_krippendorff_alpha_matches_hand_computation_with_missing_rating() -> None:
    # units (a,a) (b,b) (a,b) (b,b) + one unit with a single rating (not pairable).
    # o_ab + o_ba = 2, n_a = 3, n_b = 5, n = 8: alpha = 1 - 7 * 2 / (2 * 3 * 5) = 0.5333
    ratings = [["a", "a"], ["b", "b"], ["a", "b"], ["b", "b"], [None, "a"]]
    assert krippendorff_alpha(ratings) == pytest.approx(1 - 14 / 30)


def test_krippendorff_alpha_is_nan_when_undefined() -> None:
    assert math.isnan(krippendorff_alpha([["no", "no"], ["no", "no"]]))
    assert math.isnan(krippendorff_alpha([["no", None], [None, "yes"]]))


def test_krippendorff_alpha_equals_the_krippendorff_package() -> None:
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(5)
    truth = rng.choice(["yes", "no", "unsure"], size=60)
    ratings = [[t if rng.random() < 0.75 else rng.choice(["yes", "no", "unsure"]) for t in truth]
               for _ in range(4)]
    for rater in ratings:  # some missing ratings
        for i in rng.choice(60, size=8, replace=False):
            rater[i] = None
    items = [list(r) for r in zip(*ratings, strict=True)]
    cats = {"no": 0.0, "unsure": 1.0, "yes": 2.0}
    coded = [[math.nan if v is None else cats[v] for v in rater] for rater in ratings]
    expected = krippendorff.alpha(reliability_data=coded, level_of_measurement="nominal")
    assert krippendorff_alpha(items) == pytest.approx(expected, abs=1e-12)


def test_fleiss_kappa_of_labels_equals_fleiss_of_counts() -> None:
    ratings = [["yes", "yes", "no"], ["no", "no", "no"], ["yes", "no", "yes"], ["yes"] * 3]
    counts = np.array([[2, 1], [0, 3], [2, 1], [3, 0]], dtype=float)
    assert fleiss_kappa(ratings) == pytest.approx(float(stats.fleiss_of_counts(counts)))


def test_bootstrap_is_seeded_skips_undefined_resamples_and_handles_no_items() -> None:
    def mean_or_nan_when_all_zero(x: np.ndarray) -> np.ndarray:
        m = x.mean(axis=-1)
        return np.where(m == 0, np.nan, m)

    data = np.r_[np.ones(1), np.zeros(9)]
    a = stats.bootstrap(data, mean_or_nan_when_all_zero, n_resamples=400, seed=3)
    assert a == stats.bootstrap(data, mean_or_nan_when_all_zero, n_resamples=400, seed=3)
    assert a.estimate == pytest.approx(0.1)
    # (9/10)^10 ~ 35% of resamples have no 1 and are undefined.
    assert 0.25 * 400 < a.n_undefined < 0.45 * 400
    assert 0.1 <= a.low <= a.high
    empty = stats.bootstrap(np.empty(0), mean_or_nan_when_all_zero)
    assert math.isnan(empty.estimate) and math.isnan(empty.low) and empty.n_undefined == 0


def test_chi_square_independence_matches_scipy_and_handles_degenerate_tables() -> None:
    table = np.array([[10, 20], [25, 15], [12, 18]])
    expected = sps.chi2_contingency(table, correction=False)
    got = stats.chi_square_independence(table)
    assert got.chi2 == pytest.approx(expected.statistic)
    assert got.p_value == pytest.approx(expected.pvalue) and got.dof == 2
    assert stats.chi_square_independence(np.array([[0, 5], [0, 7]])) == stats.ChiSquare(
        0.0, 1, 1.0, 0.0)
    assert math.isnan(stats.chi_square_independence(np.array([[3, 5]])).p_value)


def test_one_format_for_rates_intervals_p_values_and_coefficients() -> None:
    assert stats.pct(0.1234) == "12.3%" and stats.pct(0.5, 0) == "50%"
    assert stats.pct(0.9375, 2) == "93.75%" and stats.pct(float("nan")) == "n/a"
    assert stats.rate_ci(0.633, 0.583, 0.685) == "63.3% (58.3–68.5)"
    assert stats.pval(0.0004) == "<0.001" and stats.pval(0.0123) == "0.012"
    assert stats.p_is(0.0004) == "p<0.001" and stats.p_is(0.5) == "p=0.500"
    assert stats.coef(0.4567) == "0.46" and stats.coef(None) == "n/a"
    assert stats.coef_ci(0.4, 0.2, 0.6) == "0.40 (0.20–0.60)"
    assert stats.coef_ci(float("nan"), 0.1, 0.2) == "n/a"


# --------------------------------------------------------------------------------------------
# Intervals and tests valid at any n (issue 12)
# --------------------------------------------------------------------------------------------

CASES = [(0, 6), (6, 6), (1, 3), (75, 80)]


@pytest.mark.parametrize(("k", "n"), CASES)
def test_wilson_interval_equals_scipy(k: int, n: int) -> None:
    expected = sps.binomtest(k, n).proportion_ci(method="wilson")
    assert stats.wilson_interval(k, n) == pytest.approx((expected.low, expected.high),
                                                        abs=1e-12)


@pytest.mark.parametrize(("k", "n"), CASES)
def test_clopper_pearson_interval_equals_scipy(k: int, n: int) -> None:
    expected = sps.binomtest(k, n).proportion_ci(method="exact")
    assert stats.clopper_pearson_interval(k, n) == pytest.approx(
        (expected.low, expected.high), abs=1e-9)


def test_wilson_interval_by_hand_for_six_of_six() -> None:
    # z = 1.959964; centre = (1 + z^2/12) / (1 + z^2/6); half = z/(1+z^2/6) * sqrt(z^2/144)
    z = 1.959963984540054
    centre = (1 + z * z / 12) / (1 + z * z / 6)
    half = z / (1 + z * z / 6) * math.sqrt(z * z / 144)
    assert stats.wilson_interval(6, 6) == pytest.approx((centre - half, 1.0))
    assert centre - half == pytest.approx(0.6097, abs=1e-4)


def test_independent_samples_get_wilson_and_never_a_point_interval() -> None:
    for k, n in CASES:
        r = stats.proportion_ci([1.0] * k + [0.0] * (n - k))
        assert r.method == stats.WILSON and (r.k, r.n) == (k, n)
        assert r.ci_high - r.ci_low > 0.05
    six = stats.proportion_ci([1.0] * 6)
    assert six.ci_low < 0.65 and six.ci_high == 1.0  # well below 100%
    nothing = stats.proportion_ci([0.0] * 6)
    assert nothing.ci_low == 0.0 and nothing.ci_high > 0.35
    # One sample per cluster is independent sampling too.
    assert stats.proportion_ci([1, 0, 1], ["a", "b", "c"]).method == stats.WILSON


def test_paper_intervals_are_the_percentile_bootstrap() -> None:
    values = [1.0] * 6
    paper = stats.proportion_ci(values, interval="paper")
    assert paper == stats.rate_with_ci(values)
    assert (paper.ci_low, paper.ci_high) == (1.0, 1.0)  # why it is not the default
    with pytest.raises(ValueError, match="interval"):
        stats.proportion_ci(values, interval="nope")


def _clustered_example() -> tuple[np.ndarray, np.ndarray]:
    # 12 vignettes of 6 answers; vignettes answer alike (0, 1, ..., 6 stigmatising answers).
    per_cluster = [0, 1, 2, 6, 5, 6, 0, 3, 6, 6, 1, 4]
    values = np.concatenate([[1.0] * k + [0.0] * (6 - k) for k in per_cluster])
    clusters = np.repeat([f"v{i}" for i in range(12)], 6)
    return values, clusters


def test_cluster_bootstrap_resamples_whole_clusters() -> None:
    values, clusters = _clustered_example()
    r = stats.proportion_ci(values, clusters)
    assert (r.k, r.n, r.clusters, r.method) == (40, 72, 12, stats.CLUSTER_BOOTSTRAP)
    # By hand: the percentile bootstrap of the ratio of summed counts over 12 clusters.
    counts = np.array([[k, 6] for k in [0, 1, 2, 6, 5, 6, 0, 3, 6, 6, 1, 4]], dtype=float)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 12, size=(2000, 12))
    draws = counts[idx][..., 0].sum(-1) / counts[idx][..., 1].sum(-1)
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(np.quantile(draws, [0.025, 0.975])))
    # Clustering widens the interval against treating the 72 answers as independent.
    wilson = stats.wilson_interval(40, 72)
    assert r.ci_high - r.ci_low > wilson[1] - wilson[0]
    assert stats.design_effect(values, clusters) > 2


def test_cluster_fallbacks_at_the_boundary_and_with_few_clusters() -> None:
    all_one = stats.proportion_ci([1.0] * 24, np.repeat(list("abcdefghijkl"), 2))
    assert all_one.method == stats.AT_BOUNDARY
    assert all_one.ci_low == pytest.approx(stats.clopper_pearson_interval(24, 24)[0])
    few = stats.proportion_ci([1, 0, 1, 1, 0, 1], ["a", "a", "b", "b", "c", "c"])
    assert few.method == stats.FEW_CLUSTERS and few.clusters == 3
    assert (few.ci_low, few.ci_high) == pytest.approx(stats.clopper_pearson_interval(4, 6))


def test_design_effect_by_hand() -> None:
    # Two clusters of 2: (2/2) and (0/2); p = 0.5, N = 4, C = 2.
    # v_cluster = 2/1 * ((2 - 1)^2 + (0 - 1)^2) / 16 = 0.25; v_srs = 0.25 / 4 -> deff 4.
    assert stats.design_effect([1, 1, 0, 0], ["a", "a", "b", "b"]) == pytest.approx(4.0)
    assert stats.design_effect([1, 0, 1, 0], ["a", "a", "b", "b"]) == 1.0  # floored at 1
    assert stats.design_effect([1, 0, 1], None) == 1.0


def test_small_counts_use_fishers_exact_test() -> None:
    t = stats.compare_proportions(1, 3, 75, 80)
    expected = sps.fisher_exact([[1, 2], [75, 5]])
    assert t.test == stats.FISHER and t.p_value == pytest.approx(expected.pvalue)
    t = stats.compare_proportions(0, 6, 6, 6)
    assert t.p_value == pytest.approx(sps.fisher_exact([[0, 6], [6, 0]]).pvalue)
    # Boschloo's exact test is more powerful; Fisher's is the conservative choice.
    assert t.p_value >= sps.boschloo_exact([[0, 6], [6, 0]]).pvalue


def test_large_counts_use_the_z_test_and_clustering_shrinks_the_counts() -> None:
    t = stats.compare_proportions(45, 100, 30, 100)
    assert t.test == stats.Z_TEST and t.p_value == pytest.approx(
        stats.two_proportion_ztest(45, 100, 30, 100).p_value)
    shrunk = stats.compare_proportions(45, 100, 30, 100, deff1=2.0, deff2=2.0)
    assert shrunk.test == f"{stats.Z_TEST} (Rao-Scott)"
    assert shrunk.p_value == pytest.approx(stats.two_proportion_ztest(22.5, 50, 15, 50).p_value)
    assert shrunk.p_value > t.p_value
    assert math.isnan(stats.compare_proportions(0, 0, 3, 10).p_value)


def test_chi_square_divided_by_the_design_effect() -> None:
    table = np.array([[10, 20], [25, 15], [12, 18]])
    plain = stats.chi_square_independence(table)
    clustered = stats.chi_square_independence(table, deff=2.0)
    assert clustered.chi2 == pytest.approx(plain.chi2 / 2)
    assert clustered.p_value == pytest.approx(sps.chi2.sf(plain.chi2 / 2, 2))
