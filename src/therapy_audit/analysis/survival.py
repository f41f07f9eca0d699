"""Time to first failure in conversations: outcomes, Kaplan–Meier, hazards and log-rank tests.

Reads the conversation rows of the sample table (one row per judged turn; see
:mod:`therapy_audit.conversation.rows`) and turns each (configuration, judge, conversation) into
one outcome: the turn of its first failure (an event) or the last turn it is known to have
passed (right-censored). A conversation is censored at its last turn when it never failed; it
is censored earlier when a turn has no verdict (empty reply, unparseable or ``unsure``
verdict, a flag whose quote was not in the transcript) or the conversation ended early: an
unjudged turn is never counted as passed, and a failure after an unjudged turn cannot be
dated, so it counts in the any-failure rate but not as an event.

Intervals are valid at small n. A survival probability is an exact binomial proportion when
nobody was censored before that turn (the usual case: conversations are censored at the last
turn), and gets the exact Clopper–Pearson interval; otherwise Greenwood's variance on the
log(-log) scale. Rates use the project's percentile bootstrap (:func:`stats.rate_with_ci`)
when n >= 10 and 0 < k < n, and the exact interval otherwise, because the bootstrap interval
collapses to a point at 0/n and n/n. Log-rank p-values come from permuting configuration
labels within each persona card (every arrangement when there are at most 2000, else 2000
random ones, seed 0), so they are exact at any n; Holm's adjustment is applied across pairs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from therapy_audit.analysis import stats
from therapy_audit.conversation.cards import RISK
from therapy_audit.conversation.schedule import ANCHOR, PRESSURE
from therapy_audit.vocab import CONVERSATION

CONFIG = ["model", "system_prompt", "client", "schedule"]
GROUP = [*CONFIG, "judge"]
MIN_CONVERSATIONS = 5  # groups smaller than this are marked "few" wherever they are shown
BOOTSTRAP_MIN_N = 10
N_PERMUTATIONS = 2000
Z = float(sps.norm.ppf(0.975))

# Why a conversation's observation stops.
FAILED = "failed"
COMPLETED = "completed"  # every judged turn passed: censored at the last turn
UNJUDGED = "unjudged_turn"  # censored before a turn with no verdict
ENDED = "ended_early"  # censored: the conversation stopped before its last turn

_NUMERIC = ["turn", "anchor_turn", "last_turn", "appropriate"]


# --- intervals -----------------------------------------------------------------------------


def exact_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper–Pearson 95% interval of ``k / n`` (NaN when ``n == 0``)."""
    if n <= 0:
        return math.nan, math.nan
    low = 0.0 if k == 0 else float(sps.beta.ppf(0.025, k, n - k + 1))
    high = 1.0 if k == n else float(sps.beta.ppf(0.975, k + 1, n - k))
    return low, high


@dataclass(frozen=True)
class Rate:
    """``k / n`` with a 95% interval and the method that made it."""

    rate: float
    k: int
    n: int
    ci_low: float
    ci_high: float
    ci_method: str

    def as_dict(self, prefix: str = "") -> dict[str, object]:
        return {f"{prefix}{name}": getattr(self, name)
                for name in ("rate", "k", "n", "ci_low", "ci_high", "ci_method")}


def rate_interval(values: Sequence[float] | np.ndarray, seed: int = 0) -> Rate:
    """Share of 1s among the non-NaN 0/1 ``values`` (see the module docstring for the CI)."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    n, k = int(arr.size), int(arr.sum())
    if n == 0:
        return Rate(math.nan, 0, 0, math.nan, math.nan, "")
    if n >= BOOTSTRAP_MIN_N and 0 < k < n:
        r = stats.rate_with_ci(arr, seed=seed)
        return Rate(r.rate, k, n, r.ci_low, r.ci_high, "bootstrap")
    low, high = exact_interval(k, n)
    return Rate(k / n, k, n, low, high, "exact")


# --- per-conversation outcomes -------------------------------------------------------------


def conversation_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The judged conversation rows of the sample table, numeric columns as numbers."""
    d = frame[(frame["experiment"] == CONVERSATION) & (frame["judge"].fillna("") != "")].copy()
    for column in _NUMERIC:
        d[column] = pd.to_numeric(d[column], errors="coerce").astype(float)
    for column in GROUP:
        d[column] = d[column].fillna("").astype(str)
    return d


def _observe(verdicts: dict[int, float], anchor: int, last: int) -> tuple[int, int, str]:
    """(time, event, reason) of one conversation from its verdict per turn."""
    time = anchor - 1
    for turn in range(anchor, last + 1):
        value = verdicts.get(turn, math.nan)
        if turn not in verdicts:
            return time, 0, ENDED
        if math.isnan(value):
            return time, 0, UNJUDGED
        if value == 0.0:
            return turn, 1, FAILED
        time = turn
    return time, 0, COMPLETED


def _later(verdicts: dict[int, float], after: int, last: int) -> list[float]:
    return [verdicts[t] for t in range(after + 1, last + 1)
            if t in verdicts and not math.isnan(verdicts[t])]


def _one_outcome(grp: pd.DataFrame) -> dict[str, object]:
    first = grp.iloc[0]
    anchor, last = int(first["anchor_turn"]), int(first["last_turn"])
    verdicts = {int(t): float(a) for t, a in zip(grp["turn"], grp["appropriate"], strict=True)
                if not math.isnan(t)}
    time, event, reason = _observe(verdicts, anchor, last)
    known = [v for v in verdicts.values() if not math.isnan(v)]
    failed_any = 1.0 if 0.0 in known else (0.0 if reason == COMPLETED else math.nan)
    anchor_value = verdicts.get(anchor, math.nan)
    pressure = [verdicts.get(t, math.nan) for t in range(anchor + 1, last + 1)]
    later = _later(verdicts, time, last) if event else []
    if anchor_value == 1.0 and pressure:
        persisted = 0.0 if 0.0 in pressure else (math.nan if any(map(math.isnan, pressure))
                                                 else 1.0)
    else:
        persisted = math.nan
    return {
        "time": time, "event": event, "reason": reason, "failed_any": failed_any,
        "anchor_failed": 1.0 - anchor_value, "first_failure": float(time) if event else math.nan,
        "recovered": (1.0 if 1.0 in later else 0.0) if later else math.nan,
        "persisted": persisted, "judged_turns": len(known), "anchor_turn": anchor,
        "last_turn": last,
    }


OUTCOME_KEYS = [*GROUP, "log_file", "sample_id", "card_id", "card_kind", "twin_id",
                "condition", "stimulus_id", "disclosure"]


def conversation_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (configuration, judge, conversation): its observation and derived flags.

    ``failed_any`` is 1 when some turn failed, 0 when every turn was judged and passed, NaN
    otherwise; ``recovered`` (a later judged turn passed after the first failure) and
    ``persisted`` (passed the anchor and every pressure turn) are NaN where they do not apply.
    """
    rows = conversation_rows(frame)
    records = []
    for key, grp in rows.groupby(OUTCOME_KEYS, sort=False, dropna=False):
        records.append({**dict(zip(OUTCOME_KEYS, key, strict=True)),
                        **_one_outcome(grp.sort_values("turn"))})
    columns = [*OUTCOME_KEYS, "time", "event", "reason", "failed_any", "anchor_failed",
               "first_failure", "recovered", "persisted", "judged_turns", "anchor_turn",
               "last_turn"]
    out = pd.DataFrame(records, columns=columns)
    out.insert(0, "config", config_labels(out))
    return out


def config_labels(outcomes: pd.DataFrame) -> pd.Series:
    """``model · system prompt``, plus the client and schedule when they vary in the table."""
    varying = [c for c in ("client", "schedule") if outcomes[c].nunique() > 1]
    labels = [stats.config_label(m, p) for m, p in zip(outcomes["model"],
                                                       outcomes["system_prompt"], strict=True)]
    for column in varying:
        labels = [f"{label} · {value}" for label, value in zip(labels, outcomes[column],
                                                                strict=True)]
    return pd.Series(labels, index=outcomes.index, dtype=object)


# --- Kaplan–Meier --------------------------------------------------------------------------


def _km_interval(s: float, var_sum: float, censored_before: bool, survivors: int,
                 at_risk_start: int, at_risk_now: int) -> tuple[float, float, str]:
    if not censored_before:
        low, high = exact_interval(survivors, at_risk_start)
        return low, high, "exact"
    if 0.0 < s < 1.0:
        se = math.sqrt(var_sum) / abs(math.log(s))
        return s ** math.exp(Z * se), s ** math.exp(-Z * se), "greenwood-loglog"
    low, high = exact_interval(at_risk_now if s == 1.0 else 0, at_risk_now)
    return low, high, "exact-at-risk"


def kaplan_meier(time: Sequence[int], event: Sequence[int], start: int,
                 end: int) -> pd.DataFrame:
    """Survival to the end of each turn ``start``..``end``: at risk, events, censored,
    survival and its 95% interval (see the module docstring for the method)."""
    t = np.asarray(time, dtype=int)
    e = np.asarray(event, dtype=int)
    at_start = int((t >= start).sum())
    s, var_sum, records = 1.0, 0.0, []
    for turn in range(start, end + 1):
        n = int((t >= turn).sum())
        d = int(((t == turn) & (e == 1)).sum())
        c = int(((t == turn) & (e == 0)).sum())
        if n:
            s *= 1 - d / n
            var_sum += d / (n * (n - d)) if n > d else 0.0
        censored_before = bool(((t >= start) & (t < turn) & (e == 0)).any())
        survivors = at_start - int(((t >= start) & (t <= turn) & (e == 1)).sum())
        low, high, method = (_km_interval(s, var_sum, censored_before, survivors, at_start, n)
                             if at_start else (math.nan, math.nan, ""))
        records.append({"turn": turn, "at_risk": n, "events": d, "censored": c,
                        "survival": s if at_start else math.nan, "ci_low": low,
                        "ci_high": high, "ci_method": method})
    return pd.DataFrame(records)


# --- log-rank ------------------------------------------------------------------------------


def logrank_statistic(time: np.ndarray, event: np.ndarray, in_a: np.ndarray) -> float:
    """The log-rank chi-square statistic of group A against the rest (NaN: no events)."""
    observed = expected = variance = 0.0
    for turn in np.unique(time[event == 1]):
        at_risk = time >= turn
        n, n_a = int(at_risk.sum()), int((at_risk & in_a).sum())
        d = int(((time == turn) & (event == 1)).sum())
        d_a = int(((time == turn) & (event == 1) & in_a).sum())
        observed += d_a
        expected += d * n_a / n
        if n > 1:
            variance += d * (n_a / n) * (1 - n_a / n) * (n - d) / (n - 1)
    return (observed - expected) ** 2 / variance if variance > 0 else math.nan


def _arrangements(strata: np.ndarray, in_a: np.ndarray) -> int:
    count = 1
    for stratum in np.unique(strata):
        members = strata == stratum
        count *= math.comb(int(members.sum()), int((members & in_a).sum()))
    return count


def _all_labels(strata: np.ndarray, in_a: np.ndarray):
    """Every labelling with the same number of A's in each stratum."""
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    choices = [itertools.combinations(g, int(in_a[g].sum())) for g in groups]
    for combo in itertools.product(*choices):
        labels = np.zeros_like(in_a)
        for chosen in combo:
            labels[list(chosen)] = True
        yield labels


def _random_labels(strata: np.ndarray, in_a: np.ndarray, n: int, seed: int):
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    for _ in range(n):
        labels = in_a.copy()
        for g in groups:
            labels[g] = rng.permutation(in_a[g])
        yield labels


@dataclass(frozen=True)
class LogRank:
    statistic: float
    p_value: float
    method: str  # "exact permutation" | "monte carlo permutation" | ""
    arrangements: int
    min_p: float  # the smallest p-value this design could give


def logrank_test(time: Sequence[int], event: Sequence[int], in_a: Sequence[bool],
                 strata: Sequence[object], n_permutations: int = N_PERMUTATIONS,
                 seed: int = 0) -> LogRank:
    """Log-rank test of A against B with a permutation p-value within strata."""
    t, e = np.asarray(time, dtype=int), np.asarray(event, dtype=int)
    a, s = np.asarray(in_a, dtype=bool), np.asarray(strata, dtype=object)
    observed = logrank_statistic(t, e, a)
    count = _arrangements(s, a)
    if math.isnan(observed):
        return LogRank(math.nan, math.nan, "", count, math.nan)
    exact = count <= n_permutations
    labels = _all_labels(s, a) if exact else _random_labels(s, a, n_permutations, seed)
    values = np.array([logrank_statistic(t, e, lab) for lab in labels])
    values = np.nan_to_num(values, nan=0.0)
    extreme = int((values >= observed - 1e-9).sum())
    if exact:
        smallest = int((values >= values.max() - 1e-9).sum()) / count
        return LogRank(observed, extreme / count, "exact permutation", count, smallest)
    return LogRank(observed, (extreme + 1) / (n_permutations + 1), "monte carlo permutation",
                   count, 1 / (n_permutations + 1))


def _pair_record(out: pd.DataFrame, judge: str, a: str, b: str) -> dict[str, object]:
    pair = out[out["config"].isin([a, b])]
    result = logrank_test(pair["time"], pair["event"], pair["config"] == a, pair["card_id"])
    return {"judge": judge, "config_a": a, "config_b": b,
            "n_a": int((pair["config"] == a).sum()), "n_b": int((pair["config"] == b).sum()),
            "events_a": int(pair.loc[pair["config"] == a, "event"].sum()),
            "events_b": int(pair.loc[pair["config"] == b, "event"].sum()),
            "chi2": result.statistic, "p_value": result.p_value, "method": result.method,
            "arrangements": result.arrangements, "min_possible_p": result.min_p}


LOGRANK_COLUMNS = ["judge", "config_a", "config_b", "n_a", "n_b", "events_a", "events_b",
                   "chi2", "p_value", "p_holm", "significant", "method", "arrangements",
                   "min_possible_p"]


def logrank_pairs(outcomes: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every pair of configurations under each judge, risk cards only, Holm-adjusted."""
    risk = outcomes[outcomes["card_kind"] == RISK]
    records = []
    for judge, out in risk.groupby("judge", sort=False):
        configs = list(dict.fromkeys(out["config"]))
        records += [_pair_record(out, str(judge), a, b)
                    for a, b in itertools.combinations(configs, 2)]
    table = pd.DataFrame(records, columns=[c for c in LOGRANK_COLUMNS
                                           if c not in ("p_holm", "significant")])
    table["p_holm"] = stats.holm(table["p_value"].to_numpy(dtype=float)) if len(table) else []
    table["significant"] = table["p_holm"] < alpha
    return table[LOGRANK_COLUMNS]


# --- hazards -------------------------------------------------------------------------------


def hazard_by_phase(outcomes: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per group and phase: first failures among conversation-turns at risk (exact CI).

    The anchor's hazard is the share failing at the anchor among those judged there; the
    pressure hazard pools every pressure turn (a conversation is at risk at a turn when it
    passed every turn before it).
    """
    records = []
    for key, grp in outcomes.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        anchor, last = int(grp["anchor_turn"].min()), int(grp["last_turn"].max())
        phases = {ANCHOR: range(anchor, anchor + 1), PRESSURE: range(anchor + 1, last + 1)}
        for phase, turns in phases.items():
            at_risk = sum(int((grp["time"] >= t).sum()) for t in turns)
            events = sum(int(((grp["time"] == t) & (grp["event"] == 1)).sum()) for t in turns)
            low, high = exact_interval(events, at_risk)
            records.append({**dict(zip(by, key, strict=True)), "phase": phase,
                            "turns": len(turns), "at_risk": at_risk, "events": events,
                            "hazard": events / at_risk if at_risk else math.nan,
                            "ci_low": low, "ci_high": high})
    return pd.DataFrame(records, columns=[*by, "phase", "turns", "at_risk", "events", "hazard",
                                          "ci_low", "ci_high"])
