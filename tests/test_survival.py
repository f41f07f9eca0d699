"""Time to first failure: outcomes, Kaplan–Meier, intervals, log-rank, hazards — by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats as sps

from therapy_audit.analysis import stats
from therapy_audit.analysis import survival as sv

NAN = float("nan")


def rows(conversations: dict[str, list[float | None]], model: str = "m", kind: str = "risk",
         anchor: int = 5, last: int = 7, judge: str = "rules-v2") -> pd.DataFrame:
    """Judged-turn rows: each conversation's verdicts from the anchor on (None: turn not run,
    NaN: unjudged, 1 pass, 0 fail)."""
    records = []
    for card, verdicts in conversations.items():
        for offset, value in enumerate(verdicts):
            if value is None:
                continue
            records.append({
                "experiment": "conversation", "judge": judge, "model": model,
                "system_prompt": "none", "client": "scripted", "schedule": "4x1+anchor+2",
                "log_file": f"{model}.eval", "sample_id": card, "card_id": card,
                "card_kind": kind, "twin_id": "", "condition": "mania", "stimulus_id": "jump",
                "disclosure": "explicit", "turn": anchor + offset, "anchor_turn": anchor,
                "last_turn": last, "appropriate": value, "flag": "", "quote_status": "",
                "error": ""})
    return pd.DataFrame(records)


def test_outcomes_date_the_first_failure_and_censor_at_the_last_known_pass():
    out = sv.conversation_outcomes(rows({
        "fails-at-anchor": [0, 1, 1],
        "fails-under-pressure": [1, 0, 1],
        "passes": [1, 1, 1],
        "unjudged-then-fails": [1, NAN, 0],
        "unjudged-anchor": [NAN, 1, 1],
        "ended-early": [1, None, None],
    })).set_index("card_id")
    assert out.loc["fails-at-anchor", ["time", "event", "reason"]].tolist() == [5, 1, "failed"]
    assert out.loc["fails-under-pressure", ["time", "event"]].tolist() == [6, 1]
    assert out.loc["passes", ["time", "event", "reason"]].tolist() == [7, 0, "completed"]
    # A failure after an unjudged turn cannot be dated: censored at the last known pass, but it
    # still counts as a conversation that failed somewhere.
    assert out.loc["unjudged-then-fails", ["time", "event", "reason"]].tolist() == \
        [5, 0, "unjudged_turn"]
    assert out.loc["unjudged-then-fails", "failed_any"] == 1.0
    # No verdict at the anchor: never at risk, outcome unknown (not a pass).
    assert out.loc["unjudged-anchor", ["time", "event"]].tolist() == [4, 0]
    assert math.isnan(out.loc["unjudged-anchor", "failed_any"])
    assert out.loc["ended-early", ["time", "event", "reason"]].tolist() == [5, 0, "ended_early"]
    assert math.isnan(out.loc["ended-early", "failed_any"])
    # Recovery: failed, then a later judged turn passed. Persistence: passed the anchor and
    # every pressure turn.
    assert out.loc["fails-at-anchor", "recovered"] == 1.0
    assert out.loc["fails-under-pressure", "recovered"] == 1.0
    assert math.isnan(out.loc["passes", "recovered"])
    assert out.loc["passes", "persisted"] == 1.0
    assert out.loc["fails-under-pressure", "persisted"] == 0.0
    assert math.isnan(out.loc["fails-at-anchor", "persisted"])


def test_kaplan_meier_matches_a_hand_computation_with_censoring():
    # A fails at 5, B at 6, C censored at 5, D completes (7), E fails at 7, F never at risk (4).
    km = stats.kaplan_meier([5, 6, 5, 7, 7, 4], [1, 1, 0, 0, 1, 0], start=5, end=7)
    km = km.set_index("time")
    assert km["at_risk"].tolist() == [5, 3, 2]
    assert km["events"].tolist() == [1, 1, 1]
    assert km["censored"].tolist() == [1, 0, 1]
    # S(5) = 4/5; S(6) = 4/5 * 2/3; S(7) = S(6) * 1/2.
    assert km.loc[5, "survival"] == pytest.approx(0.8)
    assert km.loc[6, "survival"] == pytest.approx(0.8 * 2 / 3)
    assert km.loc[7, "survival"] == pytest.approx(0.8 * 2 / 3 * 0.5)
    # Nobody censored before turn 5: S(5) is 4 of 5, with the exact Clopper–Pearson interval.
    assert km.loc[5, "ci_method"] == stats.EXACT_SURVIVAL
    assert km.loc[5, "ci_low"] == pytest.approx(sps.beta.ppf(0.025, 4, 2))
    assert km.loc[5, "ci_high"] == pytest.approx(sps.beta.ppf(0.975, 5, 1))
    # After C's censoring: Greenwood on the log(-log) scale, by hand.
    s6 = 0.8 * 2 / 3
    se = math.sqrt(1 / (5 * 4) + 1 / (3 * 2)) / abs(math.log(s6))
    z = sps.norm.ppf(0.975)
    assert km.loc[6, "ci_method"] == stats.GREENWOOD
    assert km.loc[6, "ci_low"] == pytest.approx(s6 ** math.exp(z * se))
    assert km.loc[6, "ci_high"] == pytest.approx(s6 ** math.exp(-z * se))


def test_no_failures_censored_at_the_last_turn_give_survival_one_with_an_exact_interval():
    km = stats.kaplan_meier([7, 7, 7], [0, 0, 0], start=5, end=7).set_index("time")
    assert km["survival"].tolist() == [1.0, 1.0, 1.0]
    assert km["censored"].tolist() == [0, 0, 3]  # right-censored at the last turn
    # 3 of 3 survived: the exact lower bound is 0.025 ** (1/3), not a collapsed [1, 1].
    assert km.loc[7, "ci_low"] == pytest.approx(0.025 ** (1 / 3))
    assert km.loc[7, "ci_high"] == 1.0


def test_conversation_rates_are_the_shared_wilson_intervals_of_independent_conversations():
    small = sv.rate([1, 0, 0, 0, NAN])  # NaN: outcome unknown, left out (never a pass)
    assert (small.k, small.n, small.method) == (1, 4, stats.WILSON)
    assert (small.ci_low, small.ci_high) == pytest.approx(stats.wilson_interval(1, 4))
    none_failed = sv.rate([0] * 20)
    assert none_failed.ci_high > 0.1  # not collapsed to [0, 0]
    assert sv.rate([NAN, NAN]).n == 0


def test_logrank_statistic_matches_a_hand_computation():
    time = [5, 6, 7, 7, 7, 7]
    event = [1, 1, 0, 0, 0, 0]
    in_a = [True, True, True, False, False, False]
    # Turn 5: 6 at risk, 3 in A, 1 event in A: E = 1/2, V = 1/4.
    # Turn 6: 5 at risk, 2 in A, 1 event in A: E = 2/5, V = (2/5)(3/5) = 6/25.
    expected = (2 - 0.9) ** 2 / (0.25 + 0.24)
    statistic = stats.logrank_statistic(pd.Series(time).to_numpy(), pd.Series(event).to_numpy(),
                                     pd.Series(in_a).to_numpy())
    assert statistic == pytest.approx(expected)


def test_logrank_permutation_p_is_exact_and_honest_about_small_n():
    # Three cards, each played by A and B. A fails on cards 1 and 2; B never fails.
    result = stats.logrank_test(time=[5, 6, 7, 7, 7, 7], event=[1, 1, 0, 0, 0, 0],
                             in_a=[True, True, True, False, False, False],
                             strata=["c1", "c2", "c3", "c1", "c2", "c3"])
    assert result.method == stats.EXACT_PERMUTATION
    assert result.arrangements == 8  # 2 ** 3 ways to assign A within the three cards
    # The statistic is as large as it can be whenever both failures fall in one group: 4 of
    # the 8 arrangements, so p = 0.5, and no outcome of this design could give less.
    assert result.p_value == pytest.approx(0.5)
    assert result.min_p == pytest.approx(0.5)


def test_logrank_pairs_holm_adjust_and_no_failures_means_no_test():
    frame = pd.concat([
        rows({f"c{i}": [0, 1, 1] for i in range(6)}, model="a"),
        rows({f"c{i}": [1, 1, 1] for i in range(6)}, model="b"),
        rows({f"c{i}": [1, 1, 1] for i in range(6)}, model="c"),
    ])
    table = sv.logrank_pairs(sv.conversation_outcomes(frame)).set_index(["config_a", "config_b"])
    ab = table.loc[("a · none", "b · none")]
    assert ab["method"] == stats.EXACT_PERMUTATION and ab["arrangements"] == 64
    # All six failures in one group is the most extreme of 2**6 arrangements (and its mirror).
    assert ab["p_value"] == pytest.approx(2 / 64)
    assert ab["p_holm"] == pytest.approx(min(1.0, 2 * 2 / 64))  # Holm over two valid tests
    bc = table.loc[("b · none", "c · none")]
    assert math.isnan(bc["p_value"]) and bc["method"] == ""
    assert not bc["significant"]


def test_hazard_by_phase_counts_conversation_turns_at_risk():
    out = sv.conversation_outcomes(rows({"a": [0, 1, 1], "b": [1, 0, 1], "c": [1, 1, 1],
                                         "d": [1, 1, 1]}))
    hazard = sv.hazard_by_phase(out, ["config"]).set_index("phase")
    assert hazard.loc["anchor", ["events", "at_risk"]].tolist() == [1, 4]
    # Pressure turns 6 and 7: three at risk at 6 (b fails), two at 7.
    assert hazard.loc["pressure", ["events", "at_risk"]].tolist() == [1, 5]
    assert hazard.loc["pressure", "hazard"] == pytest.approx(0.2)
    # The pooled pressure turns come from the same conversations: clustered, and with fewer
    # than ten conversations the shared rule gives the exact interval.
    assert hazard.loc["pressure", "ci_method"] == stats.FEW_CLUSTERS
    assert (hazard.loc["pressure", "ci_low"], hazard.loc["pressure", "ci_high"]) == \
        pytest.approx(stats.clopper_pearson_interval(1, 5))
    assert hazard.loc["anchor", "ci_method"] == stats.WILSON  # one turn per conversation
