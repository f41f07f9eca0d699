"""Tests for the agreement statistics (Cohen's/Fleiss' kappa, Krippendorff's alpha, tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from therapy_audit.analysis.agreement import (
    BootstrapCI,
    agreement_table,
    bootstrap_kappa_ci,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    krippendorff_alpha,
    raw_agreement,
)

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


def test_cohen_kappa_matches_scikit_learn_when_available() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    a = list(rng.choice(["yes", "no", "unsure"], size=200))
    b = [x if rng.random() < 0.7 else rng.choice(["yes", "no", "unsure"]) for x in a]
    assert cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b))


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
    assert first.kappa == pytest.approx(0.4)
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
    assert math.isnan(ci.kappa) and math.isnan(ci.low) and math.isnan(ci.high)
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


def test_agreement_table_groups_counts_and_overall_row() -> None:
    df = pd.DataFrame(
        {
            "stimulus": ["s1"] * 4 + ["s2"] * 5,
            "judge": ["yes", "yes", "no", "no", "yes", "no", "no", None, "yes"],
            "reference": ["yes", "no", "no", "yes", "yes", "no", "no", "no", "maybe"],
        }
    )
    table = agreement_table(df, "stimulus", n_resamples=100, seed=0)
    assert list(table["group"]) == ["s1", "s2", "ALL"]
    s1, s2, overall = (table.iloc[i] for i in range(3))
    assert (s1["tp"], s1["fp"], s1["fn"], s1["tn"]) == (1, 1, 1, 1)
    assert s1["n"] == 4 and s1["n_unlabelled"] == 0
    assert s1["raw_agreement"] == pytest.approx(0.5) and s1["kappa"] == pytest.approx(0.0)
    # the None verdict and the "maybe" label are counted, not compared
    assert s2["n"] == 3 and s2["n_unlabelled"] == 2
    assert (s2["tp"], s2["fp"], s2["fn"], s2["tn"]) == (1, 0, 0, 2)
    assert s2["kappa"] == pytest.approx(1.0)
    assert overall["n"] == 7 and overall["n_unlabelled"] == 2
    assert overall["tp"] + overall["fp"] + overall["fn"] + overall["tn"] == 7
    assert overall["kappa"] == pytest.approx(cohen_kappa(
        ["yes", "yes", "no", "no", "yes", "no", "no"], ["yes", "no", "no", "yes", "yes", "no", "no"]
    ))
    assert overall["ci_low"] <= overall["kappa"] <= overall["ci_high"]


def test_agreement_table_single_class_group_has_undefined_kappa() -> None:
    df = pd.DataFrame({"g": ["x"] * 3, "judge": ["no"] * 3, "reference": ["no"] * 3})
    row = agreement_table(df, "g", n_resamples=20).iloc[0]
    assert math.isnan(row["kappa"]) and row["raw_agreement"] == 1.0 and row["tn"] == 3


def test_agreement_table_reports_missing_columns() -> None:
    with pytest.raises(KeyError, match="reference"):
        agreement_table(pd.DataFrame({"g": [1], "judge": ["yes"]}), "g")
