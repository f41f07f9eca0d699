"""The result tables: the tidy frames behind the report, the gate and the CSV files.

Every table reads the sample table (see :mod:`therapy_audit.analysis.samples`) and is
deterministic: intervals come from :mod:`therapy_audit.analysis.stats` with a fixed seed, so
the same samples always give the same numbers. :func:`build_tables` makes all of them and
:func:`write_csvs` writes them out. Figures and the report read these tables; nothing here
draws or formats.

Conventions
-----------
* Stigma rate: share of stigmatising answers among the coded answers to the six stigma
  questions (``stigma`` is 1/0; "Do not know", unparseable answers and errors are NaN and are
  excluded from the denominator, and counted in :func:`outcome_counts`). "overall (not
  control)" pools depression, alcohol dependence and schizophrenia, as in the paper.
* Appropriateness rate: share of responses the judge found appropriate, always per judge.
* Appropriateness headline rate: a non-responsive reply counts as not appropriate; the
  paper-faithful rate, where the judge's answer alone decides, stands beside it (``paper_*``).
* 95% intervals (``ci_method`` names each one): Wilson for independent samples; a cluster
  bootstrap over vignettes (stigma) or transcripts (appropriateness; a standalone stimulus is
  its own cluster) where samples share one, Clopper-Pearson at 0% or 100% and with fewer than
  10 clusters (see :func:`therapy_audit.analysis.stats.proportion_ci`). ``interval="paper"``
  gives the paper's percentile bootstrap of samples instead. Comparisons are pooled z-tests, or
  Fisher's exact test for small counts, on counts shrunk by the design effect of clustering.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.analysis.agreement import is_reference_judge, judge_agreement
from therapy_audit.analysis.annotators import annotator_agreement
from therapy_audit.analysis.baselines import human_2018_rates, load_appropriateness_references
from therapy_audit.analysis.samples import (
    CONFIG_COLS,
    HEADLINE,
    appropriateness_rows,
    config_label,
    configurations,
    decided,
    normalise,
    responses,
    setting,
    stigma_rows,
)
from therapy_audit.appropriateness.stimuli import CONDITIONS as APPROPRIATENESS_CONDITIONS
from therapy_audit.appropriateness.stimuli import STIMULUS_IDS
from therapy_audit.stigma.conditions import CONDITION_ABBREVIATIONS, CONTROL_CONDITION
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS
from therapy_audit.stigma.questions import ATTRIBUTION_QUESTIONS, QUESTIONS, STIGMA_QUESTIONS
from therapy_audit.vocab import is_human

OVERALL_NOT_CONTROL = "overall (not control)"
DEMOGRAPHIC_FACTORS = ["race", "gender", "education"]
RATE_COLS = ["rate", "n", "k", "ci_low", "ci_high", "ci_method", "clusters"]
DECIDED_COLS = ["responses", "decided"]
N_RESAMPLES, SEED = stats.N_RESAMPLES, stats.SEED

# --------------------------------------------------------------------------------------------
# Grouping and order
# --------------------------------------------------------------------------------------------


def grouped_rates(
    df: pd.DataFrame,
    value_col: str,
    by: Sequence[str],
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    interval: str = "auto",
) -> pd.DataFrame:
    """Rate of ``value_col`` with a 95% CI for every group of ``by`` (groups in order seen).

    A ``cluster`` column, when ``df`` has one, says which samples share a cluster (see
    :func:`therapy_audit.analysis.stats.proportion_ci`). Every group uses the same seed, so a
    group's numbers do not depend on which other groups are in the table.
    """
    by = list(by)
    rows: list[dict[str, object]] = []
    if not df.empty:
        for key, grp in df.groupby(by, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            r = stats.proportion_ci(grp[value_col].to_numpy(dtype=float),
                                    grp["cluster"] if "cluster" in grp.columns else None,
                                    interval, n_resamples, seed)
            rows.append({**dict(zip(by, key, strict=True)), **_rate_dict(r)})
    return pd.DataFrame(rows, columns=by + RATE_COLS)


def _rate_dict(r: stats.RateCI) -> dict[str, object]:
    return {"rate": r.rate, "n": r.n, "k": r.k, "ci_low": r.ci_low, "ci_high": r.ci_high,
            "ci_method": r.method, "clusters": r.clusters}


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
# Stigma tables
# --------------------------------------------------------------------------------------------


def stigma_by_condition(
    df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED, value_col: str = "stigma",
    interval: str = "auto",
) -> pd.DataFrame:
    """Stigma rate per configuration and condition, plus "overall (not control)".

    Columns: model, system_prompt, condition, abbreviation, rate, n, k, ci_low, ci_high,
    ci_method, clusters (vignettes). ``value_col="lenient_stigma"`` gives the same table
    under the lenient parse.
    """
    rows = stigma_rows(df)
    cols = CONFIG_COLS + ["condition", "abbreviation"] + RATE_COLS
    if rows.empty:
        return pd.DataFrame(columns=cols)
    per = grouped_rates(rows, value_col, CONFIG_COLS + ["condition"], n_resamples, seed,
                        interval)
    overall = grouped_rates(rows[rows["condition"] != CONTROL_CONDITION], value_col,
                            CONFIG_COLS, n_resamples, seed, interval)
    overall.insert(2, "condition", OVERALL_NOT_CONTROL)
    out = pd.concat([per, overall], ignore_index=True)
    out = _order(out, "condition", STIGMA_CONDITIONS + [OVERALL_NOT_CONTROL])
    out = _config_order(out, rows)
    out.insert(3, "abbreviation", out["condition"].map(
        lambda c: CONDITION_ABBREVIATIONS.get(c, "not CTL")))
    return out.reset_index(drop=True)[cols]


def _by_question(rows: pd.DataFrame, value_col: str, questions: Sequence[str],
                 n_resamples: int, seed: int, interval: str) -> pd.DataFrame:
    """Rate per configuration, question and condition, with the 2018 survey's rate."""
    cols = CONFIG_COLS + ["question_id", "condition"] + RATE_COLS + ["human_2018"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = grouped_rates(rows, value_col, CONFIG_COLS + ["question_id", "condition"],
                        n_resamples, seed, interval)
    out = _order(out, "condition", STIGMA_CONDITIONS)
    out = _order(out, "question_id", questions)
    out = _config_order(out, rows)
    human = human_2018_rates()
    out["human_2018"] = [human.get((q, c), math.nan)
                         for q, c in zip(out["question_id"], out["condition"], strict=True)]
    return out.reset_index(drop=True)[cols]


def stigma_by_question(df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED,
                       interval: str = "auto") -> pd.DataFrame:
    """Stigma rate per configuration, stigma question and condition, with the 2018 survey rate.

    Columns: model, system_prompt, question_id, condition, rate, n, k, ci_low, ci_high,
    ci_method, clusters, human_2018.
    """
    return _by_question(stigma_rows(df), "stigma", STIGMA_QUESTIONS, n_resamples, seed,
                        interval)


def attribution_vs_humans(
    df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED, interval: str = "auto"
) -> pd.DataFrame:
    """Share answering "likely" to each attribution question, next to the 2018 survey.

    Columns: model, system_prompt, question_id, condition, rate, n, k, ci_low, ci_high,
    ci_method, clusters, human_2018 (NaN where the survey has no figure).
    """
    rows = stigma_rows(df, ATTRIBUTION_QUESTIONS)
    return _by_question(rows, "code", ATTRIBUTION_QUESTIONS, n_resamples, seed, interval)


def stigma_by_demographic(
    df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED, interval: str = "auto"
) -> pd.DataFrame:
    """Stigma rate (not control) per configuration and level of race, gender and education.

    Columns: model, system_prompt, factor, level, rate, n, k, ci_low, ci_high, ci_method,
    clusters.
    """
    rows = stigma_rows(df)
    rows = rows[rows["condition"] != CONTROL_CONDITION]
    cols = CONFIG_COLS + ["factor", "level"] + RATE_COLS
    parts = []
    for factor in DEMOGRAPHIC_FACTORS:
        if rows.empty:
            break
        g = grouped_rates(rows, "stigma", CONFIG_COLS + [factor], n_resamples, seed, interval)
        g = g.rename(columns={factor: "level"})
        g.insert(2, "factor", factor)
        parts.append(g)
    if not parts:
        return pd.DataFrame(columns=cols)
    out = _config_order(pd.concat(parts, ignore_index=True), rows)
    return out.reset_index(drop=True)[cols]


LETTERS = "ABCDEFGHIJ"[:max(len(q.options) for q in QUESTIONS)]
ANSWER_LETTER_COLUMNS = CONFIG_COLS + ["answers", *LETTERS, "no_letter", "position_bias"]


def position_bias(counts: Sequence[float]) -> float:
    """How far answers pile onto some option positions: 0 = every position equally often,
    1 = always the same position (total variation distance from uniform, rescaled)."""
    total = float(sum(counts))
    if total == 0:
        return math.nan
    k = len(counts)
    # 0.5 * sum |c/total - 1/k| / (1 - 1/k), in whole numbers so that 0 and 1 are exact.
    return sum(abs(k * c - total) for c in counts) / (2 * total * (k - 1))


def answer_letters(df: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: how often each option letter was answered (strict parse, all 14
    questions), answers without a letter, and the position-bias index of the letters.

    Every question lists its options in the same order, so a model that answers by position
    rather than by content shows a lopsided letter distribution whatever the vignette.
    """
    rows = stigma_rows(df, [q.id for q in QUESTIONS])
    out = []
    for (model, prompt), grp in rows.groupby(CONFIG_COLS, sort=False):
        counts = [int((grp["letter"] == letter).sum()) for letter in LETTERS]
        out.append({"model": model, "system_prompt": prompt, "answers": sum(counts),
                    **dict(zip(LETTERS, counts, strict=True)),
                    "no_letter": int((grp["letter"] == "").sum()),
                    "position_bias": position_bias(counts)})
    return pd.DataFrame(out, columns=ANSWER_LETTER_COLUMNS)


CONTROL_COLUMNS = CONFIG_COLS + [
    "control_rate", "control_n", "control_ci_low", "control_ci_high", "control_ci_method",
    "conditions_rate", "conditions_n", "conditions_ci_low", "conditions_ci_high",
    "conditions_ci_method", "difference", "test", "p_value", "enough_data", "above_control"]


def _control_row(model: str, prompt: str, rows: pd.DataFrame, interval: str,
                 n_resamples: int, seed: int) -> dict[str, object]:
    is_control = rows["condition"] == CONTROL_CONDITION
    ctl, cond = rows[is_control], rows[~is_control]
    rc, rn = (stats.proportion_ci(part["stigma"].to_numpy(dtype=float), part["cluster"],
                                  interval, n_resamples, seed) for part in (ctl, cond))
    kc, nc, dc = counts_with_deff(ctl, "stigma")
    kn, nn, dn = counts_with_deff(cond, "stigma")
    test = stats.compare_proportions(kn, nn, kc, nc, dn, dc)
    enough = min(nc, nn) >= stats.MIN_N_FOR_SIGNIFICANCE
    return {"model": model, "system_prompt": prompt, "control_rate": rc.rate,
            "control_n": rc.n, "control_ci_low": rc.ci_low, "control_ci_high": rc.ci_high,
            "control_ci_method": rc.method, "conditions_rate": rn.rate, "conditions_n": rn.n,
            "conditions_ci_low": rn.ci_low, "conditions_ci_high": rn.ci_high,
            "conditions_ci_method": rn.method, "difference": rn.rate - rc.rate,
            "test": test.test, "p_value": test.p_value, "enough_data": enough,
            "above_control": bool(enough and test.p_value < stats.ALPHA and rn.rate > rc.rate)}


def stigma_vs_control(df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED,
                      interval: str = "auto") -> pd.DataFrame:
    """Per configuration: is the stigma rate of the three conditions above the control's?

    The control vignette ("daily troubles") describes no mental illness; a model that answers
    its questions as "stigmatising" as the conditions' is answering by position or habit, and
    its stigma rate cannot be told apart from that answer bias. ``above_control`` is true only
    with at least ``MIN_N_FOR_SIGNIFICANCE`` answers on each side and a significant (two-sided
    test, p < 0.05, clustered by vignette) excess over the control.
    """
    rows = stigma_rows(df)
    out = [_control_row(m, s, grp, interval, n_resamples, seed)
           for (m, s), grp in rows.groupby(CONFIG_COLS, sort=False)]
    return pd.DataFrame(out, columns=CONTROL_COLUMNS)


_DEMOGRAPHIC_TEST_COLUMNS = CONFIG_COLS + [
    "scope", "factor", "n", "levels", "design_effect", "chi2", "dof", "p_value",
    "min_expected", "p_holm", "significant"]


def _factor_test(model: str, prompt: str, scope: str, factor: str, sub: pd.DataFrame
                 ) -> dict[str, object]:
    table = pd.crosstab(sub[factor], sub["stigma"]).reindex(columns=[0.0, 1.0], fill_value=0)
    table = table[table.sum(axis=1) > 0]
    deff = stats.design_effect(sub["stigma"].to_numpy(dtype=float), sub["cluster"])
    test = stats.chi_square_independence(table.to_numpy(), deff)
    return {"model": model, "system_prompt": prompt, "scope": scope, "factor": factor,
            "n": int(table.to_numpy().sum()), "levels": int(table.shape[0]),
            "design_effect": deff, "chi2": test.chi2, "dof": test.dof, "p_value": test.p_value,
            "min_expected": test.min_expected}


def demographic_tests(df: pd.DataFrame) -> pd.DataFrame:
    """Chi-square tests of independence: does race, gender or education change stigma?

    For each configuration and scope ("overall (not control)" and each non-control
    condition), a levels x {no stigma, stigma} contingency table of the coded stigma answers
    is tested (Pearson, no continuity correction). The factors vary between vignettes and
    each vignette gives six answers, so chi2 is divided by the design effect of that
    clustering (first-order Rao-Scott). Holm adjustment is across all tests of a
    configuration. A table without variation (all answers the same) gives chi2 = 0, p = 1.

    Columns: model, system_prompt, scope, factor, n, levels, design_effect, chi2, dof,
    p_value, min_expected, p_holm, significant.
    """
    rows = stigma_rows(df)
    rows = rows[(rows["condition"] != CONTROL_CONDITION) & rows["stigma"].notna()]
    records: list[dict[str, object]] = []
    for (model, prompt), cfg in rows.groupby(CONFIG_COLS, sort=False):
        scopes = [(OVERALL_NOT_CONTROL, cfg)] + [
            (c, cfg[cfg["condition"] == c]) for c in STIGMA_CONDITIONS
            if c != CONTROL_CONDITION and (cfg["condition"] == c).any()
        ]
        records += [_factor_test(model, prompt, scope, factor, sub)
                    for scope, sub in scopes for factor in DEMOGRAPHIC_FACTORS]
    out = pd.DataFrame(records, columns=_DEMOGRAPHIC_TEST_COLUMNS[:-2])
    if out.empty:
        return pd.DataFrame(columns=_DEMOGRAPHIC_TEST_COLUMNS)
    out["p_holm"] = math.nan
    for _, idx in out.groupby(CONFIG_COLS, sort=False).groups.items():
        out.loc[idx, "p_holm"] = stats.holm(out.loc[idx, "p_value"].to_numpy())
    out["significant"] = out["p_holm"] < 0.05
    return out[_DEMOGRAPHIC_TEST_COLUMNS]


# --------------------------------------------------------------------------------------------
# Appropriateness tables
# --------------------------------------------------------------------------------------------


def appropriateness_rates(
    df: pd.DataFrame, by: Sequence[str] = (), n_resamples: int = N_RESAMPLES, seed: int = SEED,
    interval: str = "auto", value_col: str = HEADLINE,
) -> pd.DataFrame:
    """Appropriate-response rate per configuration and judge (and ``by`` columns).

    ``value_col``: the headline value (a non-responsive reply is not appropriate) or
    ``"appropriate"``, the paper-faithful value (the judge's answer alone decides).

    Columns: model, system_prompt, judge, *by, rate, n, k, ci_low, ci_high, ci_method,
    clusters (transcripts; a standalone stimulus is its own), responses (rows with a response
    to judge), decided (of those, rows with a yes/no verdict of the judge).
    """
    rows = appropriateness_rows(df)
    keys = CONFIG_COLS + ["judge"] + list(by)
    if rows.empty:
        return pd.DataFrame(columns=keys + RATE_COLS + DECIDED_COLS)
    if "setting" in by:
        rows = rows.assign(setting=setting(rows))
    out = grouped_rates(rows, value_col, keys, n_resamples, seed, interval)
    counts = (rows.assign(responses=responses(rows), decided=responses(rows) & decided(rows))
              .groupby(keys, sort=False, dropna=False)[DECIDED_COLS].sum().reset_index())
    out = out.merge(counts, on=keys, how="left")
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


# --------------------------------------------------------------------------------------------
# How far to trust each judge
# --------------------------------------------------------------------------------------------

TRUST_COLS = ["reference", "kappa", "kappa_ci_low", "kappa_ci_high", "kappa_n"]
IS_REFERENCE = "(is a reference)"
JUDGE_COLUMNS = CONFIG_COLS + ["judge", "responses", "decided", "undecided", "decided_by",
                               *TRUST_COLS]


def _best_reference(agreement: pd.DataFrame, judge: str, group: str) -> dict[str, object]:
    """The judge's agreement with a reference in ``group`` (a human first, then the paper).

    The paper's labels are checked against human annotators where the run has them, and are
    themselves the reference otherwise; annotators are always the reference.
    """
    none = {"reference": "", "kappa": math.nan, "kappa_ci_low": math.nan,
            "kappa_ci_high": math.nan, "kappa_n": 0}
    rows = agreement[(agreement["judge"] == judge) & (agreement["group"] == group)
                     & agreement["reference"].map(is_reference_judge).astype(bool)
                     & (agreement["n"] > 0)] if not agreement.empty else agreement
    if is_human(judge) or (rows.empty and is_reference_judge(judge)):
        return {**none, "reference": IS_REFERENCE}
    if rows.empty:
        return none
    r = rows.iloc[0]
    return {"reference": r["reference"], "kappa": r["kappa"], "kappa_ci_low": r["ci_low"],
            "kappa_ci_high": r["ci_high"], "kappa_n": int(r["n"])}


def _decided_by(rows: pd.DataFrame) -> str:
    """``"rules-v2 80%, openai/gpt-4o 15%"``: who decided the verdicts (cascades)."""
    total = len(rows)
    shares = rows.loc[decided(rows), "decided_by"].value_counts(sort=False)
    return ", ".join(f"{who} {stats.pct(count / total, 0)}"
                     for who, count in shares.items()) or "nobody"


def judge_trust(df: pd.DataFrame, agreement: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per configuration and judge: how many verdicts it decided and how well it agrees with a
    reference (human annotators, else the paper's labels) on the samples both scored.

    ``agreement`` is :func:`therapy_audit.analysis.agreement.judge_agreement` (computed when
    not given). A reference judge gets ``reference == "(is a reference)"``; a judge with no
    reference in the run an empty ``reference`` and NaN kappa. ``decided_by`` breaks the
    decided verdicts down by the judge that decided them (a cascade's stages); ``undecided``
    counts responses with neither verdict (``"unsure"`` or none).
    """
    rows = appropriateness_rows(df)
    agreement = judge_agreement(df) if agreement is None else agreement
    out = []
    for (model, prompt, judge), grp in rows.groupby(CONFIG_COLS + ["judge"], sort=False):
        answered = grp[responses(grp)]
        n_decided = int(decided(answered).sum())
        out.append({"model": model, "system_prompt": prompt, "judge": judge,
                    "responses": len(answered), "decided": n_decided,
                    "undecided": len(answered) - n_decided,
                    "decided_by": _decided_by(answered) if len(answered) else "",
                    **_best_reference(agreement, judge, config_label(model, prompt))})
    return pd.DataFrame(out, columns=JUDGE_COLUMNS)


def with_trust(table: pd.DataFrame, trust: pd.DataFrame) -> pd.DataFrame:
    """``table`` (rates with model, system_prompt, judge) with its judges' TRUST_COLS."""
    if table.empty:
        return table.assign(**{c: pd.Series(dtype=object) for c in TRUST_COLS})
    return table.merge(trust[CONFIG_COLS + ["judge", *TRUST_COLS]],
                       on=CONFIG_COLS + ["judge"], how="left")


# --------------------------------------------------------------------------------------------
# Significance
# --------------------------------------------------------------------------------------------

SIGNIFICANCE_COLUMNS = [
    "experiment", "judge", "scope", "comparison", "model_a", "system_prompt_a", "model_b",
    "system_prompt_b", "rate_a", "n_a", "rate_b", "n_b", "difference", "design_effect_a",
    "design_effect_b", "test", "z", "p_value", "p_holm", "significant",
]


def counts_with_deff(rows: pd.DataFrame, value_col: str) -> tuple[int, int, float]:
    """``(k, n, design effect)`` of the 0/1 ``value_col`` of ``rows`` (clusters: ``cluster``)."""
    keep = rows[value_col].notna()
    values = rows.loc[keep, value_col].to_numpy(dtype=float)
    deff = stats.design_effect(values, rows.loc[keep, "cluster"]) if len(values) else 1.0
    return int(values.sum()), int(values.size), deff


def _comparison(a: tuple[str, str], b: tuple[str, str]) -> str | None:
    """How two configurations differ: in the model or in the system prompt (else None)."""
    if a[0] != b[0] and a[1] == b[1]:
        return "between models"
    if a[0] == b[0] and a[1] != b[1]:
        return "between system prompts"
    return None


def _pairwise(
    rows: pd.DataFrame, value_col: str, experiment: str, judge: str, scope: str
) -> list[dict[str, object]]:
    """Tests between configurations that differ in exactly one of model / system prompt."""
    counts = {(str(m), str(s)): counts_with_deff(grp, value_col)
              for (m, s), grp in rows.groupby(CONFIG_COLS, sort=False)}
    out = []
    for a, b in itertools.combinations(counts, 2):
        comparison = _comparison(a, b)
        if comparison is None:
            continue
        (ka, na, da), (kb, nb, db) = counts[a], counts[b]
        t = stats.compare_proportions(ka, na, kb, nb, da, db)
        ra = ka / na if na else math.nan
        rb = kb / nb if nb else math.nan
        out.append({
            "experiment": experiment, "judge": judge, "scope": scope,
            "comparison": comparison, "model_a": a[0], "system_prompt_a": a[1],
            "model_b": b[0], "system_prompt_b": b[1], "rate_a": ra, "n_a": na, "rate_b": rb,
            "n_b": nb, "difference": ra - rb, "design_effect_a": da, "design_effect_b": db,
            "test": t.test, "z": t.z, "p_value": t.p_value,
        })
    return out


def significance_table(df: pd.DataFrame, alpha: float = stats.ALPHA) -> pd.DataFrame:
    """Pairwise comparisons of configurations with Holm adjustment.

    Each comparison is :func:`therapy_audit.analysis.stats.compare_proportions`: a pooled
    z-test, or Fisher's exact test for small counts, on counts shrunk by each side's design
    effect (samples sharing a vignette or transcript). Appropriateness uses the headline
    value. Compared: models that share a system prompt ("between models") and system
    prompts within a model ("between system prompts"). Stigma scopes: each condition and
    "overall (not control)". Appropriateness scopes (per judge): "overall", "standalone" and
    each condition. The Holm family is one experiment (and, for appropriateness, one judge).
    """
    records: list[dict[str, object]] = []
    st = stigma_rows(df)
    if not st.empty:
        fam: list[dict[str, object]] = []
        for cond in STIGMA_CONDITIONS:
            fam += _pairwise(st[st["condition"] == cond], "stigma", "stigma", "", cond)
        fam += _pairwise(st[st["condition"] != CONTROL_CONDITION], "stigma", "stigma", "",
                         OVERALL_NOT_CONTROL)
        records += _holm_into(fam)
    ap = appropriateness_rows(df)
    for judge in dict.fromkeys(ap["judge"]):
        rows = ap[ap["judge"] == judge]
        fam = _pairwise(rows, HEADLINE, "appropriateness", judge, "overall")
        fam += _pairwise(rows[rows["message_number"].fillna(0) == 0], HEADLINE,
                         "appropriateness", judge, "standalone")
        for cond in APPROPRIATENESS_CONDITIONS:
            fam += _pairwise(rows[rows["condition"] == cond], HEADLINE, "appropriateness",
                             judge, cond)
        records += _holm_into(fam)
    out = pd.DataFrame(records, columns=SIGNIFICANCE_COLUMNS)
    out["significant"] = (out["p_holm"] < alpha).astype(bool)
    return out


def _holm_into(records: list[dict[str, object]]) -> list[dict[str, object]]:
    adj = stats.holm([float(r["p_value"]) for r in records])  # type: ignore[arg-type]
    for r, p in zip(records, adj, strict=True):
        r["p_holm"] = float(p)
    return records


# --------------------------------------------------------------------------------------------
# Outcome counts
# --------------------------------------------------------------------------------------------

OUTCOME_COLUMNS = [
    "model", "system_prompt", "experiment", "judge", "rows", "scored", "errors",
    "do_not_know", "unparseable", "lenient_unparseable", "unjudged", "nonresponsive",
    "trimmed",
]


def outcome_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Per configuration, experiment and judge: how many rows were scored and why not.

    ``scored`` rows enter the rates; the rest are ``errors`` (the model call failed),
    ``do_not_know`` and ``unparseable`` stigma answers (strict parse; ``lenient_unparseable``
    for the lenient parse), and ``unjudged`` appropriateness rows (the model answered but the
    judge gave no verdict). ``nonresponsive`` counts replies a non-responsive detector flagged:
    they are scored, as not appropriate, in the headline rate, whatever the judge said.
    ``trimmed`` counts appropriateness rows whose transcript was cut
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
            flagged = grp["nonresponsive"] != ""
            scored = int((grp["appropriate"].notna() | flagged).sum())
            unjudged = int((~is_error & ~flagged & grp["appropriate"].isna()).sum())
        records.append({
            "model": model, "system_prompt": prompt, "experiment": experiment, "judge": judge,
            "rows": len(grp), "scored": scored, "errors": int(is_error.sum()),
            "do_not_know": int((grp["parse_status"] == "do_not_know").sum()),
            "unparseable": int((grp["parse_status"] == "unparseable").sum()),
            "lenient_unparseable": int((grp["lenient_parse_status"] == "unparseable").sum()),
            "unjudged": unjudged,
            "nonresponsive": int((grp["nonresponsive"] != "").sum()),
            "trimmed": int((grp["dropped_messages"].fillna(0) > 0).sum()),
        })
    return pd.DataFrame(records, columns=OUTCOME_COLUMNS)


# --------------------------------------------------------------------------------------------
# All tables
# --------------------------------------------------------------------------------------------


def _stigma_tables(d: pd.DataFrame, n_resamples: int, seed: int, interval: str
                   ) -> dict[str, pd.DataFrame]:
    tables = {"stigma_by_condition": stigma_by_condition(d, n_resamples, seed,
                                                         interval=interval)}
    if d["lenient_stigma"].notna().any():
        tables["stigma_by_condition_lenient"] = stigma_by_condition(
            d, n_resamples, seed, value_col="lenient_stigma", interval=interval)
    tables["stigma_vs_control"] = stigma_vs_control(d, n_resamples, seed, interval)
    tables["answer_letters"] = answer_letters(d)
    tables["stigma_by_question"] = stigma_by_question(d, n_resamples, seed, interval)
    tables["stigma_by_demographic"] = stigma_by_demographic(d, n_resamples, seed, interval)
    tables["demographic_tests"] = demographic_tests(d)
    tables["attribution_vs_humans"] = attribution_vs_humans(d, n_resamples, seed, interval)
    return tables


_APPROPRIATENESS_BY = {
    "appropriateness_overall": (),
    "appropriateness_standalone_vs_transcript": ("setting",),
    "appropriateness_by_condition": ("condition",),
    "appropriateness_by_stimulus": ("stimulus_id",),
    "appropriateness_by_message_number": ("message_number",),
}


# The headline tables, which show the paper-faithful rate beside the headline rate.
_WITH_PAPER_RATES = {"appropriateness_overall", "appropriateness_standalone_vs_transcript"}
PAPER_COLS = ["paper_rate", "paper_k", "paper_n", "paper_ci_low", "paper_ci_high",
              "nonresponsive"]


def with_paper_rates(d: pd.DataFrame, by: Sequence[str], n_resamples: int = N_RESAMPLES,
                     seed: int = SEED, interval: str = "auto") -> pd.DataFrame:
    """:func:`appropriateness_rates` (headline) with the paper-faithful rate beside it.

    Added columns: paper_rate, paper_k, paper_n, paper_ci_low, paper_ci_high (the judge's
    answer alone decides) and nonresponsive (replies flagged non-responsive in the group).
    """
    head = appropriateness_rates(d, by, n_resamples, seed, interval)
    paper = appropriateness_rates(d, by, n_resamples, seed, interval, value_col="appropriate")
    keys = CONFIG_COLS + ["judge"] + list(by)
    paper = paper.rename(columns={c: f"paper_{c}" for c in ("rate", "k", "n", "ci_low",
                                                             "ci_high")})
    rows = appropriateness_rows(d)
    if "setting" in by:
        rows = rows.assign(setting=setting(rows))
    flagged = (rows.assign(nonresponsive=rows["nonresponsive"] != "")
               .groupby(keys, sort=False)["nonresponsive"].sum().reset_index())
    out = head.merge(paper[keys + PAPER_COLS[:-1]], on=keys, how="left")
    out = out.merge(flagged, on=keys, how="left")
    return out[head.columns.tolist() + PAPER_COLS]


def _appropriateness_tables(d: pd.DataFrame, n_resamples: int, seed: int, interval: str
                            ) -> dict[str, pd.DataFrame]:
    agreement = judge_agreement(d, n_resamples, seed)
    trust = judge_trust(d, agreement)
    tables = {name: with_trust((with_paper_rates if name in _WITH_PAPER_RATES
                                else appropriateness_rates)(d, by, n_resamples, seed, interval),
                               trust)
              for name, by in _APPROPRIATENESS_BY.items()}
    tables["judges"] = trust
    tables["appropriateness_references"] = load_appropriateness_references(interval)
    if not agreement.empty:
        tables["judge_agreement"] = agreement
    among = annotator_agreement(d, n_resamples, seed)
    if not among.empty:
        tables["annotator_agreement"] = among
    return tables


def build_tables(df: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED,
                 interval: str = "auto") -> dict[str, pd.DataFrame]:
    """Every result table, keyed by its CSV name; tables of absent experiments are left out.

    ``interval``: "auto" (the default intervals) or "paper" (the paper's percentile bootstrap
    of samples, for reproducing its figures); see ``stats.proportion_ci``.
    """
    d = normalise(df)
    tables: dict[str, pd.DataFrame] = {}
    if (d["experiment"] == "stigma").any():
        tables.update(_stigma_tables(d, n_resamples, seed, interval))
    if (d["experiment"] == "appropriateness").any():
        tables.update(_appropriateness_tables(d, n_resamples, seed, interval))
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
