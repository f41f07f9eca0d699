"""Agreement among human annotators: Fleiss' kappa and Krippendorff's alpha with bootstrap CIs.

Annotators are the ``human:<id>`` judges of the sample table (``therapy-audit annotate
import``). This module owns which items enter each statistic; the statistics and the
bootstrap are :mod:`therapy_audit.analysis.stats`'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.analysis.samples import AGREEMENT_KEYS, appropriateness_rows, config_label
from therapy_audit.vocab import is_human

ANNOTATOR_AGREEMENT_COLUMNS = [
    "statistic", "annotators", "group", "n_items", "n_excluded", "value", "ci_low", "ci_high",
    "n_undefined_resamples",
]


def _group_rows(group: str, names: str, values: np.ndarray, n_annotators: int,
                n_resamples: int, seed: int) -> list[dict[str, object]]:
    """Fleiss' kappa and Krippendorff's alpha of one group's items x annotators 1/0/NaN calls."""
    rated = (~np.isnan(values)).sum(axis=1)
    counts = np.stack([(values == 1.0).sum(axis=1), (values == 0.0).sum(axis=1)],
                      axis=1).astype(np.float64)
    out = []
    for statistic, keep, of_counts in (
        ("Fleiss' kappa", rated == n_annotators, stats.fleiss_of_counts),
        ("Krippendorff's alpha", rated >= 2, stats.alpha_of_counts),
    ):
        ci = stats.bootstrap(counts[keep], of_counts, n_resamples, seed)
        out.append({
            "statistic": statistic, "annotators": names, "group": group,
            "n_items": int(keep.sum()), "n_excluded": int((~keep).sum()),
            "value": ci.estimate, "ci_low": ci.low, "ci_high": ci.high,
            "n_undefined_resamples": ci.n_undefined,
        })
    return out


def annotator_agreement(df: pd.DataFrame, n_resamples: int = stats.N_RESAMPLES,
                        seed: int = stats.SEED) -> pd.DataFrame:
    """Fleiss' kappa and Krippendorff's alpha among the human annotators (``human:*`` judges).

    Labels are the appropriateness calls (appropriate or not), as in the judge agreement
    table; items are samples matched on (model, system prompt, sample id). Fleiss' kappa uses
    the items every annotator labelled; Krippendorff's alpha every item labelled by at least
    two (``n_excluded`` counts the items left out). Per configuration and overall ("ALL"),
    each with a 95% percentile bootstrap interval over items (seeded). Empty when there are
    fewer than two annotators.
    """
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
        out += _group_rows(group, names, part.to_numpy(dtype=np.float64), len(annotators),
                           n_resamples, seed)
    return pd.DataFrame(out, columns=ANNOTATOR_AGREEMENT_COLUMNS)
