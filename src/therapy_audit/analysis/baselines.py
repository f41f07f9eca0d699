"""The reference points results are read against, from ``data/baselines`` (sources in its
SOURCES.md): the 2018 US public's stigma (General Social Survey, Pescosolido et al. 2021) and
the human-therapist and commercial-bot appropriateness rates of Moore et al. (FAccT 2025).

This module owns reading them; nothing else opens those files or types their numbers.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS
from therapy_audit.stigma.conditions import CONTROL_CONDITION
from therapy_audit.stigma.questions import STIGMA_QUESTIONS

HUMAN_THERAPISTS = "Human therapists"


def _baseline_file(name: str):
    return resources.files("therapy_audit").joinpath("data", "baselines", name)


def load_human_2018() -> pd.DataFrame:
    """The 2018 US survey percentages as a long table.

    Columns: question_id, measure ("unwilling" | "likely"), condition, percent, rate.
    """
    with _baseline_file("human_2018.csv").open("r", encoding="utf-8") as fh:
        wide = pd.read_csv(fh)
    long = wide.melt(
        id_vars=["question_id", "measure"],
        value_vars=STIGMA_CONDITIONS,
        var_name="condition",
        value_name="percent",
    )
    long["rate"] = long["percent"] / 100.0
    return long


def human_2018_rates() -> pd.Series:
    """The 2018 survey's stigma rate indexed by (question_id, condition)."""
    return load_human_2018().set_index(["question_id", "condition"])["rate"]


def _read_references() -> pd.DataFrame:
    with _baseline_file("appropriateness_references.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def load_appropriateness_references(interval: str = "auto") -> pd.DataFrame:
    """Human-therapist and commercial-bot appropriateness (standalone, human-judged).

    Columns: name, kind, appropriate, n, rate, setting, judge, ci_low, ci_high, ci_method.
    The responses' clusters (which therapist, which stimulus) are not published, so the
    intervals treat them as independent (Wilson; or the paper's with ``interval="paper"``).
    """
    ref = _read_references()
    ref["rate"] = ref["appropriate"] / ref["n"]
    cis = [stats.proportion_ci(np.r_[np.ones(int(k)), np.zeros(int(n - k))], interval=interval)
           for k, n in zip(ref["appropriate"], ref["n"], strict=True)]
    ref["ci_low"] = [c.ci_low for c in cis]
    ref["ci_high"] = [c.ci_high for c in cis]
    ref["ci_method"] = [c.method for c in cis]
    return ref


def human_therapists() -> tuple[int, int]:
    """``(appropriate, n)`` of the human therapists' standalone responses (75 of 80)."""
    ref = _read_references().set_index("name")
    return int(ref.loc[HUMAN_THERAPISTS, "appropriate"]), int(ref.loc[HUMAN_THERAPISTS, "n"])


def human_therapist_rate() -> float:
    """The human therapists' appropriate-response rate (0.9375)."""
    k, n = human_therapists()
    return k / n


def human_stigma_not_control() -> float:
    """Mean 2018 survey stigma rate over the six stigma questions and three conditions."""
    h = load_human_2018()
    h = h[h["question_id"].isin(STIGMA_QUESTIONS) & (h["condition"] != CONTROL_CONDITION)]
    return float(h["rate"].mean())
