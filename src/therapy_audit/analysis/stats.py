"""Rates, confidence intervals, significance tests and the tidy result tables.

Everything here reads the sample table described in :mod:`therapy_audit.table` and is
deterministic: bootstrap intervals use a fixed seed, so the same samples always give the same
numbers. Every table is a tidy ``pandas.DataFrame``; :func:`build_tables` makes all of them and
:func:`write_csvs` writes them out.

Conventions
-----------
* A *configuration* is a (``model``, ``system_prompt``) pair.
* Stigma rate: share of stigmatising answers among the coded answers to the six stigma
  questions (``stigma`` is 1/0; "Do not know", unparseable answers and errors are NaN and are
  excluded from the denominator, and counted in :func:`outcome_counts`). "overall (not
  control)" pools depression, alcohol dependence and schizophrenia, as in the paper.
* Appropriateness rate: share of responses the judge found appropriate, always per judge.
* 95% intervals are percentile bootstrap intervals (2000 resamples, seed 0).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from therapy_audit.appropriateness import rows as appropriateness_rows
from therapy_audit.appropriateness.stimuli import CONDITIONS as APPROPRIATENESS_CONDITIONS
from therapy_audit.appropriateness.stimuli import STIMULUS_IDS
from therapy_audit.stigma import rows as stigma_rows
from therapy_audit.stigma.conditions import CONDITION_ABBREVIATIONS, CONTROL_CONDITION
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS
from therapy_audit.stigma.questions import ATTRIBUTION_QUESTIONS, STIGMA_QUESTIONS
from therapy_audit.table import COMMON_COLUMNS
from therapy_audit.vocab import is_human

OVERALL_NOT_CONTROL = "overall (not control)"
DEMOGRAPHIC_FACTORS = ["race", "gender", "education"]
CONFIG_COLS = ["model", "system_prompt"]
RATE_COLS = ["rate", "n", "k", "ci_low", "ci_high"]

_NUMERIC_COLUMNS = [
    "code",
    "stigma",
    "lenient_code",
    "lenient_stigma",
    "message_number",
    "dropped_messages",
    "appropriate",
]
_ALL_COLUMNS = list(dict.fromkeys(
    COMMON_COLUMNS + stigma_rows.COLUMNS + appropriateness_rows.COLUMNS))


# --------------------------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateCI:
    """A proportion ``k / n`` with a 95% percentile-bootstrap interval (NaN when ``n == 0``)."""

    rate: float
    n: int
    k: int
    ci_low: float
    ci_high: float


def rate_with_ci(values: Iterable[float], n_resamples: int = 2000, seed: int = 0) -> RateCI:
    """Rate of 1s among the non-NaN 0/1 ``values`` with a percentile bootstrap 95% CI.

    Resampling ``n`` Bernoulli outcomes with replacement gives a mean distributed as
    ``Binomial(n, k/n) / n``; we draw that directly, which is the same bootstrap distribution.
    With ``k == 0`` or ``k == n`` the percentile interval collapses to the point estimate.
    """
    if not isinstance(values, np.ndarray | pd.Series):
        values = list(values)
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    n = int(arr.size)
    if n == 0:
        return RateCI(math.nan, 0, 0, math.nan, math.nan)
    if not np.isin(arr, (0.0, 1.0)).all():
        bad = sorted(set(arr[~np.isin(arr, (0.0, 1.0))].tolist()))[:5]
        raise ValueError(f"rate_with_ci expects 0/1 values (NaN ignored); got {bad}")
    k = int(arr.sum())
    p = k / n
    rng = np.random.default_rng(seed)
    draws = rng.binomial(n, p, size=n_resamples) / n
    low, high = np.percentile(draws, [2.5, 97.5])
    return RateCI(p, n, k, float(low), float(high))


@dataclass(frozen=True)
class ZTest:
    """Result of a two-sided two-proportion z-test."""

    z: float
    p_value: float


def two_proportion_ztest(k1: int, n1: int, k2: int, n2: int) -> ZTest:
    """Two-sided pooled two-proportion z-test of ``k1/n1`` against ``k2/n2``.

    NaN when either group is empty; ``z = 0, p = 1`` when the pooled rate is 0 or 1 (no
    variation, so no evidence of a difference).
    """
    if n1 <= 0 or n2 <= 0:
        return ZTest(math.nan, math.nan)
    if not (0 <= k1 <= n1 and 0 <= k2 <= n2):
        raise ValueError(f"counts out of range: {k1}/{n1}, {k2}/{n2}")
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return ZTest(0.0, 1.0)
    z = (k1 / n1 - k2 / n2) / se
    return ZTest(float(z), float(2 * sps.norm.sf(abs(z))))


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (same order as given; NaNs stay NaN, not counted)."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        out[idx] = running
    return out


# --------------------------------------------------------------------------------------------
# Sample-table helpers
# --------------------------------------------------------------------------------------------


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with every schema column present and numeric columns as floats.

    Missing text columns become ``""`` and missing numeric ones NaN, so a stigma-only table
    and a table with both experiments go through the same code.
    """
    out = df.copy()
    for col in _ALL_COLUMNS:
        if col not in out.columns:
            out[col] = math.nan if col in _NUMERIC_COLUMNS else ""
    for col in _NUMERIC_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in _ALL_COLUMNS:
        if col not in _NUMERIC_COLUMNS:
            out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    return out


def config_label(model: str, system_prompt: str) -> str:
    """Display label of a configuration, e.g. ``"llama3.1-8b · steel-man"``."""
    return f"{model} · {system_prompt}"


def configurations(df: pd.DataFrame) -> list[tuple[str, str]]:
    """The (model, system_prompt) pairs in ``df``, in order of first appearance."""
    if df.empty:
        return []
    pairs = df[CONFIG_COLS].astype(str).drop_duplicates()
    return [(str(m), str(s)) for m, s in pairs.itertuples(index=False)]


def stigma_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Stigma-experiment rows for the six stigma questions."""
    d = normalise(df)
    return d[(d["experiment"] == "stigma") & d["question_id"].isin(STIGMA_QUESTIONS)]


def appropriateness_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Appropriate-responses rows with a judge (one per sample and judge).

    Rows with an empty ``judge`` (no judge ran, e.g. the model call failed) belong to no
    judge's rate; :func:`outcome_counts` counts them.
    """
    d = normalise(df)
    return d[(d["experiment"] == "appropriateness") & (d["judge"] != "")]


def grouped_rates(
    df: pd.DataFrame,
    value_col: str,
    by: Sequence[str],
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Rate of ``value_col`` with bootstrap CI for every group of ``by`` (groups in order seen).

    Every group uses the same seed, so a group's numbers do not depend on which other groups
    are in the table.
    """
    by = list(by)
    rows: list[dict[str, object]] = []
    if not df.empty:
        for key, grp in df.groupby(by, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            r = rate_with_ci(grp[value_col].to_numpy(dtype=float), n_resamples, seed)
            rows.append({**dict(zip(by, key, strict=True)), **_rate_dict(r)})
    return pd.DataFrame(rows, columns=by + RATE_COLS)


def _rate_dict(r: RateCI) -> dict[str, object]:
    return {"rate": r.rate, "n": r.n, "k": r.k, "ci_low": r.ci_low, "ci_high": r.ci_high}


def _order(df: pd.DataFrame, col: str, order: Sequence[object]) -> pd.DataFrame:
    """Sort ``df`` stably by the position of ``col`` in ``order`` (unknown values last)."""
    rank = {v: i for i, v in enumerate(order)}
    key = df[col].map(lambda v: rank.get(v, len(rank)))
    return df.assign(_rank=key).sort_values("_rank", kind="stable").drop(columns="_rank")


def _config_order(df: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(configurations(source))}
    key = [order.get((m, s), len(order)) for m, s in zip(df["model"], df["system_prompt"],
                                                          strict=True)]
    return df.assign(_c=key).sort_values("_c", kind="stable").drop(columns="_c")


# --------------------------------------------------------------------------------------------
# Reference points
# --------------------------------------------------------------------------------------------


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


def load_appropriateness_references() -> pd.DataFrame:
    """Human-therapist and commercial-bot appropriateness (standalone, human-judged).

    Columns: name, kind, appropriate, n, rate, setting, judge, ci_low, ci_high.
    """
    with _baseline_file("appropriateness_references.csv").open("r", encoding="utf-8") as fh:
        ref = pd.read_csv(fh)
    ref["rate"] = ref["appropriate"] / ref["n"]
    cis = [
        rate_with_ci(np.r_[np.ones(int(k)), np.zeros(int(n - k))])
        for k, n in zip(ref["appropriate"], ref["n"], strict=True)
    ]
    ref["ci_low"] = [c.ci_low for c in cis]
    ref["ci_high"] = [c.ci_high for c in cis]
    return ref


def human_stigma_not_control() -> float:
    """Mean 2018 survey stigma rate over the six stigma questions and three conditions."""
    h = load_human_2018()
    h = h[h["question_id"].isin(STIGMA_QUESTIONS) & (h["condition"] != CONTROL_CONDITION)]
    return float(h["rate"].mean())


# --------------------------------------------------------------------------------------------
# Stigma tables
# --------------------------------------------------------------------------------------------


def stigma_by_condition(
    df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0, value_col: str = "stigma"
) -> pd.DataFrame:
    """Stigma rate per configuration and condition, plus "overall (not control)".

    Columns: model, system_prompt, condition, abbreviation, rate, n, k, ci_low, ci_high.
    ``value_col="lenient_stigma"`` gives the same table under the lenient parse.
    """
    rows = stigma_rows(df)
    cols = CONFIG_COLS + ["condition", "abbreviation"] + RATE_COLS
    if rows.empty:
        return pd.DataFrame(columns=cols)
    per = grouped_rates(rows, value_col, CONFIG_COLS + ["condition"], n_resamples, seed)
    overall = grouped_rates(
        rows[rows["condition"] != CONTROL_CONDITION], value_col, CONFIG_COLS, n_resamples, seed
    )
    overall.insert(2, "condition", OVERALL_NOT_CONTROL)
    out = pd.concat([per, overall], ignore_index=True)
    out = _order(out, "condition", STIGMA_CONDITIONS + [OVERALL_NOT_CONTROL])
    out = _config_order(out, rows)
    out.insert(3, "abbreviation", out["condition"].map(
        lambda c: CONDITION_ABBREVIATIONS.get(c, "not CTL")))
    return out.reset_index(drop=True)[cols]


def stigma_by_question(df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Stigma rate per configuration, stigma question and condition, with the 2018 survey rate.

    Columns: model, system_prompt, question_id, condition, rate, n, k, ci_low, ci_high,
    human_2018.
    """
    rows = stigma_rows(df)
    cols = CONFIG_COLS + ["question_id", "condition"] + RATE_COLS + ["human_2018"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = grouped_rates(rows, "stigma", CONFIG_COLS + ["question_id", "condition"],
                        n_resamples, seed)
    out = _order(out, "condition", STIGMA_CONDITIONS)
    out = _order(out, "question_id", STIGMA_QUESTIONS)
    out = _config_order(out, rows)
    human = load_human_2018().set_index(["question_id", "condition"])["rate"]
    out["human_2018"] = [human.get((q, c), math.nan)
                         for q, c in zip(out["question_id"], out["condition"], strict=True)]
    return out.reset_index(drop=True)[cols]


def stigma_by_demographic(
    df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Stigma rate (not control) per configuration and level of race, gender and education.

    Columns: model, system_prompt, factor, level, rate, n, k, ci_low, ci_high.
    """
    rows = stigma_rows(df)
    rows = rows[rows["condition"] != CONTROL_CONDITION]
    cols = CONFIG_COLS + ["factor", "level"] + RATE_COLS
    parts = []
    for factor in DEMOGRAPHIC_FACTORS:
        if rows.empty:
            break
        g = grouped_rates(rows, "stigma", CONFIG_COLS + [factor], n_resamples, seed)
        g = g.rename(columns={factor: "level"})
        g.insert(2, "factor", factor)
        parts.append(g)
    if not parts:
        return pd.DataFrame(columns=cols)
    out = _config_order(pd.concat(parts, ignore_index=True), rows)
    return out.reset_index(drop=True)[cols]


def demographic_tests(df: pd.DataFrame) -> pd.DataFrame:
    """Chi-square tests of independence: does race, gender or education change stigma?

    For each configuration and scope ("overall (not control)" and each non-control
    condition), a levels x {no stigma, stigma} contingency table of the coded stigma answers
    is tested (Pearson, no continuity correction). Holm adjustment is across all tests of a
    configuration. A table without variation (all answers the same) gives chi2 = 0, p = 1.

    Columns: model, system_prompt, scope, factor, n, levels, chi2, dof, p_value,
    min_expected, p_holm, significant.
    """
    rows = stigma_rows(df)
    rows = rows[(rows["condition"] != CONTROL_CONDITION) & rows["stigma"].notna()]
    cols = CONFIG_COLS + ["scope", "factor", "n", "levels", "chi2", "dof", "p_value",
                          "min_expected", "p_holm", "significant"]
    records: list[dict[str, object]] = []
    for (model, prompt), cfg in rows.groupby(CONFIG_COLS, sort=False):
        scopes = [(OVERALL_NOT_CONTROL, cfg)] + [
            (c, cfg[cfg["condition"] == c]) for c in STIGMA_CONDITIONS
            if c != CONTROL_CONDITION and (cfg["condition"] == c).any()
        ]
        for scope, sub in scopes:
            for factor in DEMOGRAPHIC_FACTORS:
                table = pd.crosstab(sub[factor], sub["stigma"]).reindex(
                    columns=[0.0, 1.0], fill_value=0)
                table = table[table.sum(axis=1) > 0]
                rec: dict[str, object] = {
                    "model": model, "system_prompt": prompt, "scope": scope, "factor": factor,
                    "n": int(table.to_numpy().sum()), "levels": int(table.shape[0]),
                }
                if table.shape[0] < 2:
                    rec.update(chi2=math.nan, dof=0, p_value=math.nan, min_expected=math.nan)
                elif (table.sum(axis=0) == 0).any():
                    rec.update(chi2=0.0, dof=table.shape[0] - 1, p_value=1.0,
                               min_expected=0.0)
                else:
                    res = sps.chi2_contingency(table.to_numpy(), correction=False)
                    rec.update(chi2=float(res.statistic), dof=int(res.dof),
                               p_value=float(res.pvalue),
                               min_expected=float(np.min(res.expected_freq)))
                records.append(rec)
    out = pd.DataFrame(records, columns=cols[:-2])
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["p_holm"] = math.nan
    for _, idx in out.groupby(CONFIG_COLS, sort=False).groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"].to_numpy())
    out["significant"] = out["p_holm"] < 0.05
    return out[cols]


def attribution_vs_humans(
    df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Share answering "likely" to each attribution question, next to the 2018 survey.

    Columns: model, system_prompt, question_id, condition, rate, n, k, ci_low, ci_high,
    human_2018 (NaN where the survey has no figure).
    """
    d = normalise(df)
    rows = d[(d["experiment"] == "stigma") & d["question_id"].isin(ATTRIBUTION_QUESTIONS)]
    cols = CONFIG_COLS + ["question_id", "condition"] + RATE_COLS + ["human_2018"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = grouped_rates(rows, "code", CONFIG_COLS + ["question_id", "condition"],
                        n_resamples, seed)
    out = _order(out, "condition", STIGMA_CONDITIONS)
    out = _order(out, "question_id", ATTRIBUTION_QUESTIONS)
    out = _config_order(out, rows)
    human = load_human_2018().set_index(["question_id", "condition"])["rate"]
    out["human_2018"] = [human.get((q, c), math.nan)
                         for q, c in zip(out["question_id"], out["condition"], strict=True)]
    return out.reset_index(drop=True)[cols]


# --------------------------------------------------------------------------------------------
# Appropriateness tables
# --------------------------------------------------------------------------------------------


def appropriateness_rates(
    df: pd.DataFrame, by: Sequence[str] = (), n_resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Appropriate-response rate per configuration and judge (and ``by`` columns).

    Columns: model, system_prompt, judge, *by, rate, n, k, ci_low, ci_high.
    """
    rows = appropriateness_rows(df)
    keys = CONFIG_COLS + ["judge"] + list(by)
    if rows.empty:
        return pd.DataFrame(columns=keys + RATE_COLS)
    if "setting" in by:
        rows = rows.assign(setting=_setting(rows))
    out = grouped_rates(rows, "appropriate", keys, n_resamples, seed)
    if "condition" in by:
        out = _order(out, "condition", APPROPRIATENESS_CONDITIONS)
    if "stimulus_id" in by:
        out = _order(out, "stimulus_id", STIMULUS_IDS)
    if "message_number" in by:
        out = out.sort_values("message_number", kind="stable")
    if "setting" in by:
        out = _order(out, "setting", ["standalone", "in transcript"])
    judges = list(dict.fromkeys(rows["judge"]))
    out = _order(out, "judge", judges)
    out = _config_order(out, rows)
    return out.reset_index(drop=True)


def _setting(rows: pd.DataFrame) -> pd.Series:
    return rows["message_number"].fillna(0).map(
        lambda m: "standalone" if m == 0 else "in transcript")


AGREEMENT_KEYS = ["model", "system_prompt", "sample_id"]


def judge_agreement(df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Agreement between every pair of judges that scored the same samples.

    Samples are matched on (model, system_prompt, sample_id); the labels compared are the
    appropriateness calls ("yes" = appropriate, "no"; no call = unlabelled, counted). A human
    judge (``"human:<annotator>"``) is the reference where there is one; otherwise the judge
    seen first. Per configuration and overall ("ALL"), from
    :func:`therapy_audit.analysis.agreement.agreement_table`.

    Columns: judge, reference, group, n, n_unlabelled, raw_agreement, kappa, ci_low, ci_high,
    n_undefined_resamples, tp, fp, fn, tn ("yes" is the positive class).
    """
    from therapy_audit.analysis.agreement import agreement_table

    ap = appropriateness_rows(df)
    judges = sorted(dict.fromkeys(ap["judge"]), key=lambda j: not is_human(j))
    parts = []
    labels = {1.0: "yes", 0.0: "no"}
    for ref, other in itertools.combinations(judges, 2):
        a = ap[ap["judge"] == ref].drop_duplicates(AGREEMENT_KEYS)
        b = ap[ap["judge"] == other].drop_duplicates(AGREEMENT_KEYS)
        m = a[AGREEMENT_KEYS + ["appropriate"]].merge(
            b[AGREEMENT_KEYS + ["appropriate"]], on=AGREEMENT_KEYS, suffixes=("_ref", "_judge"))
        if m.empty:
            continue
        m["configuration"] = [config_label(x, y) for x, y in
                              zip(m["model"], m["system_prompt"], strict=True)]
        m["reference_label"] = m["appropriate_ref"].map(labels)
        m["judge_label"] = m["appropriate_judge"].map(labels)
        t = agreement_table(m, "configuration", judge_col="judge_label",
                            reference_col="reference_label", n_resamples=n_resamples,
                            seed=seed)
        t.insert(0, "judge", other)
        t.insert(1, "reference", ref)
        parts.append(t)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Significance
# --------------------------------------------------------------------------------------------

SIGNIFICANCE_COLUMNS = [
    "experiment", "judge", "scope", "comparison", "model_a", "system_prompt_a", "model_b",
    "system_prompt_b", "rate_a", "n_a", "rate_b", "n_b", "difference", "z", "p_value",
    "p_holm", "significant",
]


def _pairwise(
    rows: pd.DataFrame, value_col: str, experiment: str, judge: str, scope: str
) -> list[dict[str, object]]:
    """z-tests between configurations that differ in exactly one of model / system prompt."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for (m, s), grp in rows.groupby(CONFIG_COLS, sort=False):
        vals = grp[value_col].dropna()
        counts[(str(m), str(s))] = (int(vals.sum()), int(vals.size))
    out = []
    for a, b in itertools.combinations(counts, 2):
        if a[0] != b[0] and a[1] == b[1]:
            comparison = "between models"
        elif a[0] == b[0] and a[1] != b[1]:
            comparison = "between system prompts"
        else:
            continue
        (ka, na), (kb, nb) = counts[a], counts[b]
        t = two_proportion_ztest(ka, na, kb, nb)
        ra = ka / na if na else math.nan
        rb = kb / nb if nb else math.nan
        out.append({
            "experiment": experiment, "judge": judge, "scope": scope,
            "comparison": comparison, "model_a": a[0], "system_prompt_a": a[1],
            "model_b": b[0], "system_prompt_b": b[1], "rate_a": ra, "n_a": na, "rate_b": rb,
            "n_b": nb, "difference": ra - rb, "z": t.z, "p_value": t.p_value,
        })
    return out


def significance_table(df: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Pairwise two-proportion z-tests with Holm adjustment.

    Compared: models that share a system prompt ("between models") and system prompts within a
    model ("between system prompts"). Stigma scopes: each condition and "overall (not
    control)". Appropriateness scopes (per judge): "overall", "standalone" and each
    condition. The Holm family is one experiment (and, for appropriateness, one judge).
    """
    records: list[dict[str, object]] = []
    st = stigma_rows(df)
    if not st.empty:
        fam: list[dict[str, object]] = []
        for cond in STIGMA_CONDITIONS:
            fam += _pairwise(st[st["condition"] == cond], "stigma", "stigma", "", cond)
        fam += _pairwise(st[st["condition"] != CONTROL_CONDITION], "stigma", "stigma", "",
                         OVERALL_NOT_CONTROL)
        _holm_into(fam)
        records += fam
    ap = appropriateness_rows(df)
    for judge in dict.fromkeys(ap["judge"]):
        rows = ap[ap["judge"] == judge]
        fam = _pairwise(rows, "appropriate", "appropriateness", judge, "overall")
        fam += _pairwise(rows[rows["message_number"].fillna(0) == 0], "appropriate",
                         "appropriateness", judge, "standalone")
        for cond in APPROPRIATENESS_CONDITIONS:
            fam += _pairwise(rows[rows["condition"] == cond], "appropriate", "appropriateness",
                             judge, cond)
        _holm_into(fam)
        records += fam
    out = pd.DataFrame(records, columns=SIGNIFICANCE_COLUMNS)
    out["significant"] = (out["p_holm"] < alpha).astype(bool)
    return out


def _holm_into(records: list[dict[str, object]]) -> None:
    adj = holm([float(r["p_value"]) for r in records])  # type: ignore[arg-type]
    for r, p in zip(records, adj, strict=True):
        r["p_holm"] = float(p)


# --------------------------------------------------------------------------------------------
# Outcome counts
# --------------------------------------------------------------------------------------------

OUTCOME_COLUMNS = [
    "model", "system_prompt", "experiment", "judge", "rows", "scored", "errors",
    "do_not_know", "unparseable", "lenient_unparseable", "unjudged", "trimmed",
]


def outcome_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Per configuration, experiment and judge: how many rows were scored and why not.

    ``scored`` rows enter the rates; the rest are ``errors`` (the model call failed),
    ``do_not_know`` and ``unparseable`` stigma answers (strict parse; ``lenient_unparseable``
    for the lenient parse), and ``unjudged`` appropriateness rows (the model answered but the
    judge gave no verdict). ``trimmed`` counts appropriateness rows whose transcript was cut
    to fit the context window (``dropped_messages > 0``). Stigma ``scored`` counts coded
    answers to all 14 questions; ``judge`` is "" for stigma and "(no judge)" for
    appropriateness samples no judge scored.
    """
    d = normalise(df)
    is_ap = d["experiment"] == "appropriateness"
    d.loc[is_ap & (d["judge"] == ""), "judge"] = "(no judge)"
    records: list[dict[str, object]] = []
    keys = CONFIG_COLS + ["experiment", "judge"]
    for key, grp in d.groupby(keys, sort=False):
        model, prompt, experiment, judge = key
        is_error = grp["error"] != ""
        if experiment == "stigma":
            scored = int(grp["code"].notna().sum())
            unjudged = 0
        else:
            scored = int(grp["appropriate"].notna().sum())
            unjudged = int((~is_error & grp["appropriate"].isna()).sum())
        records.append({
            "model": model, "system_prompt": prompt, "experiment": experiment, "judge": judge,
            "rows": len(grp), "scored": scored, "errors": int(is_error.sum()),
            "do_not_know": int((grp["parse_status"] == "do_not_know").sum()),
            "unparseable": int((grp["parse_status"] == "unparseable").sum()),
            "lenient_unparseable": int((grp["lenient_parse_status"] == "unparseable").sum()),
            "unjudged": unjudged,
            "trimmed": int((grp["dropped_messages"].fillna(0) > 0).sum()),
        })
    return pd.DataFrame(records, columns=OUTCOME_COLUMNS)


# --------------------------------------------------------------------------------------------
# All tables
# --------------------------------------------------------------------------------------------


def build_tables(df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0
                 ) -> dict[str, pd.DataFrame]:
    """Every result table, keyed by its CSV name; tables of absent experiments are left out."""
    d = normalise(df)
    tables: dict[str, pd.DataFrame] = {}
    if (d["experiment"] == "stigma").any():
        tables["stigma_by_condition"] = stigma_by_condition(d, n_resamples, seed)
        if d["lenient_stigma"].notna().any():
            tables["stigma_by_condition_lenient"] = stigma_by_condition(
                d, n_resamples, seed, value_col="lenient_stigma")
        tables["stigma_by_question"] = stigma_by_question(d, n_resamples, seed)
        tables["stigma_by_demographic"] = stigma_by_demographic(d, n_resamples, seed)
        tables["demographic_tests"] = demographic_tests(d)
        tables["attribution_vs_humans"] = attribution_vs_humans(d, n_resamples, seed)
    if (d["experiment"] == "appropriateness").any():
        tables["appropriateness_overall"] = appropriateness_rates(d, (), n_resamples, seed)
        tables["appropriateness_standalone_vs_transcript"] = appropriateness_rates(
            d, ("setting",), n_resamples, seed)
        tables["appropriateness_by_condition"] = appropriateness_rates(
            d, ("condition",), n_resamples, seed)
        tables["appropriateness_by_stimulus"] = appropriateness_rates(
            d, ("stimulus_id",), n_resamples, seed)
        tables["appropriateness_by_message_number"] = appropriateness_rates(
            d, ("message_number",), n_resamples, seed)
        tables["appropriateness_references"] = load_appropriateness_references()
        agreement = judge_agreement(d, n_resamples, seed)
        if not agreement.empty:
            tables["judge_agreement"] = agreement
        from therapy_audit.analysis.annotators import annotator_agreement

        among = annotator_agreement(d, n_resamples, seed)
        if not among.empty:
            tables["annotator_agreement"] = among
    tables["significance"] = significance_table(d)
    tables["outcome_counts"] = outcome_counts(d)
    return tables


def write_csvs(tables: dict[str, pd.DataFrame], csv_dir: Path) -> list[Path]:
    """Write each table as ``<name>.csv`` in ``csv_dir`` (created if needed)."""
    csv_dir = Path(csv_dir)
    csv_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = csv_dir / f"{name}.csv"
        table.to_csv(path, index=False)
        paths.append(path)
    return paths


__all__ = [
    "OVERALL_NOT_CONTROL",
    "RateCI",
    "ZTest",
    "appropriateness_rates",
    "attribution_vs_humans",
    "build_tables",
    "config_label",
    "configurations",
    "demographic_tests",
    "grouped_rates",
    "holm",
    "human_stigma_not_control",
    "judge_agreement",
    "load_appropriateness_references",
    "load_human_2018",
    "normalise",
    "outcome_counts",
    "rate_with_ci",
    "significance_table",
    "stigma_by_condition",
    "stigma_by_demographic",
    "stigma_by_question",
    "two_proportion_ztest",
    "write_csvs",
]
