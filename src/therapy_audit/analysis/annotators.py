"""Agreement among human annotators: Fleiss' kappa and Krippendorff's alpha with bootstrap CIs.

Annotators are the ``human:<id>`` judges of the tidy table (``therapy-audit annotate import``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from therapy_audit.vocab import is_human

ANNOTATOR_AGREEMENT_COLUMNS = [
    "statistic", "annotators", "group", "n_items", "n_excluded", "value", "ci_low", "ci_high",
    "n_undefined_resamples",
]


def _fleiss_counts(counts: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of (..., items, categories) rating counts (same raters per item)."""
    m = counts.sum(-1)
    n_items = counts.shape[-2]
    p_i = ((counts * counts).sum(-1) - m) / (m * (m - 1))
    p_bar = p_i.mean(-1)
    p_j = counts.sum(-2) / m.sum(-1, keepdims=True)
    p_e = (p_j * p_j).sum(-1)
    undefined = np.isclose(p_e, 1.0, rtol=0.0, atol=1e-12) | (n_items == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(undefined, np.nan, (p_bar - p_e) / (1.0 - p_e))


def _alpha_counts(counts: np.ndarray) -> np.ndarray:
    """Nominal Krippendorff's alpha of (..., units, categories) counts (>= 2 per unit)."""
    m_u = counts.sum(-1)
    n_c = counts.sum(-2)
    n = n_c.sum(-1)
    observed = ((m_u * m_u - (counts * counts).sum(-1)) / (m_u - 1)).sum(-1)
    expected = n * n - (n_c * n_c).sum(-1)
    undefined = np.isclose(expected, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(undefined, np.nan, 1.0 - (n - 1) * observed / expected)


def _bootstrap(counts: np.ndarray, stat, n_resamples: int, seed: int,
               alpha: float = 0.05) -> tuple[float, float, int]:
    """Percentile CI of ``stat`` over items resampled with replacement; undefined skipped."""
    if counts.shape[0] == 0:
        return math.nan, math.nan, 0
    rng = np.random.default_rng(seed)
    values = []
    chunk = max(1, 2_000_000 // max(counts.size, 1))
    for start in range(0, n_resamples, chunk):
        rows = min(chunk, n_resamples - start)
        idx = rng.integers(0, counts.shape[0], size=(rows, counts.shape[0]))
        values.append(stat(counts[idx].astype(np.float64)))
    all_values = np.concatenate(values)
    defined = all_values[~np.isnan(all_values)]
    if defined.size == 0:
        return math.nan, math.nan, n_resamples
    return (float(np.quantile(defined, alpha / 2)), float(np.quantile(defined, 1 - alpha / 2)),
            int(n_resamples - defined.size))


def annotator_agreement(df: pd.DataFrame, n_resamples: int = 2000, seed: int = 0
                        ) -> pd.DataFrame:
    """Fleiss' kappa and Krippendorff's alpha among the human annotators (``human:*`` judges).

    Labels are the appropriateness calls (appropriate or not), as in the judge agreement
    table; items are samples matched on (model, system prompt, sample id). Fleiss' kappa uses
    the items every annotator labelled; Krippendorff's alpha every item labelled by at least
    two (``n_excluded`` counts the items left out). Per configuration and overall ("ALL"),
    each with a 95% percentile bootstrap interval over items (seeded). Empty when there are
    fewer than two annotators.
    """
    from therapy_audit.analysis.agreement import fleiss_kappa, krippendorff_alpha
    from therapy_audit.analysis.stats import AGREEMENT_KEYS, appropriateness_rows, config_label

    rows = appropriateness_rows(df)
    rows = rows[rows["judge"].map(is_human).astype(bool)]
    annotators = sorted(rows["judge"].unique())
    if len(annotators) < 2:
        return pd.DataFrame(columns=ANNOTATOR_AGREEMENT_COLUMNS)
    rows = rows.drop_duplicates(AGREEMENT_KEYS + ["judge"])
    wide = rows.pivot(index=AGREEMENT_KEYS, columns="judge", values="appropriate")
    wide = wide.reindex(columns=annotators)
    names = ", ".join(annotators)
    groups = [(config_label(m, s), part) for (m, s), part in
              wide.groupby(level=["model", "system_prompt"], sort=False)]
    groups.append(("ALL", wide))
    out = []
    for group, part in groups:
        values = part.to_numpy(dtype=np.float64)
        rated = (~np.isnan(values)).sum(axis=1)
        counts = np.stack([(values == 1.0).sum(axis=1), (values == 0.0).sum(axis=1)], axis=1)
        complete = rated == len(annotators)
        pairable = rated >= 2
        for statistic, keep, point, stat in (
            ("Fleiss' kappa", complete,
             lambda v: fleiss_kappa(pd.DataFrame(v)), _fleiss_counts),
            ("Krippendorff's alpha", pairable,
             lambda v: krippendorff_alpha(pd.DataFrame(v)), _alpha_counts),
        ):
            selected = values[keep]
            value = math.nan
            if selected.shape[0]:
                labelled = pd.DataFrame(selected).map(
                    lambda x: None if math.isnan(x) else ("yes" if x == 1.0 else "no"))
                value = point(labelled)
            low, high, undefined = _bootstrap(counts[keep], stat, n_resamples, seed)
            out.append({
                "statistic": statistic, "annotators": names, "group": group,
                "n_items": int(keep.sum()), "n_excluded": int((~keep).sum()),
                "value": value, "ci_low": low, "ci_high": high,
                "n_undefined_resamples": undefined,
            })
    return pd.DataFrame(out, columns=ANNOTATOR_AGREEMENT_COLUMNS)
