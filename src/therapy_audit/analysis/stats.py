"""The statistics of therapy-audit: every interval, test, agreement coefficient and number format.

This module owns the numbers and nothing else: it knows no sample table, experiment or report.
It holds the one seeded percentile bootstrap (:func:`bootstrap`; rates use its closed-form
draw of the same distribution), rates with intervals (:func:`rate_with_ci`), the
two-proportion z-test, Holm's adjustment and the chi-square test of independence, agreement
between raters (raw agreement, confusion counts, Cohen's kappa, Fleiss' kappa, Krippendorff's
alpha, each in one vectorised form that the bootstrap reuses) and the formats in which rates,
intervals and p-values are printed (:func:`pct`, :func:`rate_ci`, :func:`pval`). Everything
else in :mod:`therapy_audit.analysis` imports them; nothing here imports the rest.

Undefined statistics are ``nan`` (e.g. kappa when both raters used one and the same category
for every item); callers must treat ``nan`` as "undefined", never as a pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

N_RESAMPLES = 2000
SEED = 0
ALPHA = 0.05
# Fewer clusters than this and a cluster bootstrap is not trusted (Clopper-Pearson instead).
MIN_CLUSTERS = 10
# Fewer samples than this (on either side) and no summary says anything about significance.
MIN_N_FOR_SIGNIFICANCE = 10
# Below this smallest expected cell count a comparison uses Fisher's exact test (Cochran).
MIN_EXPECTED_FOR_Z = 5

# Interval methods, as named in every table, caption and summary.
WILSON = "Wilson"
CLOPPER_PEARSON = "Clopper-Pearson"
CLUSTER_BOOTSTRAP = "cluster bootstrap"
PERCENTILE_BOOTSTRAP = "percentile bootstrap"
AT_BOUNDARY = f"{CLOPPER_PEARSON} (at 0% or 100%)"
NO_EXCESS_VARIANCE = f"{WILSON} (the cluster bootstrap was narrower)"
FEW_CLUSTERS = f"{CLOPPER_PEARSON} (fewer than {MIN_CLUSTERS} clusters)"
# Which interval a rate gets: "auto" (the default, see proportion_ci) or "paper" (the
# paper's percentile bootstrap of samples, for reproducing its figures).
INTERVALS = ("auto", "paper")

# --------------------------------------------------------------------------------------------
# The bootstrap
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapCI:
    """A statistic with its percentile bootstrap confidence interval."""

    estimate: float
    low: float
    high: float
    alpha: float
    n_resamples: int
    n_undefined: int  # resamples in which the statistic was undefined (skipped)
    seed: int


def _check_bootstrap_args(n_resamples: int, alpha: float) -> None:
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


def _percentile_interval(draws: np.ndarray, alpha: float) -> tuple[float, float, int]:
    """``(low, high, n_undefined)``: percentile bounds over the defined (non-NaN) draws."""
    defined = draws[~np.isnan(draws)]
    if defined.size == 0:
        return math.nan, math.nan, int(draws.size)
    return (float(np.quantile(defined, alpha / 2)), float(np.quantile(defined, 1 - alpha / 2)),
            int(draws.size - defined.size))


def bootstrap(
    data: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> BootstrapCI:
    """Percentile bootstrap of ``statistic`` over the rows (items) of ``data``.

    ``statistic`` is vectorised: it maps an array of shape ``(..., n, *item)`` to ``(...)``,
    NaN where undefined. Items are resampled with replacement (seeded, so deterministic);
    undefined resamples are skipped and counted. With no items everything is NaN.
    """
    _check_bootstrap_args(n_resamples, alpha)
    data = np.asarray(data)
    n = data.shape[0]
    if n == 0:
        return BootstrapCI(math.nan, math.nan, math.nan, alpha, n_resamples, 0, seed)
    estimate = float(statistic(data))
    rng = np.random.default_rng(seed)
    draws = np.empty(n_resamples, dtype=np.float64)
    chunk = max(1, min(n_resamples, 2_000_000 // max(data.size, 1)))
    for start in range(0, n_resamples, chunk):
        stop = min(n_resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        draws[start:stop] = statistic(data[idx])
    low, high, undefined = _percentile_interval(draws, alpha)
    return BootstrapCI(estimate, low, high, alpha, n_resamples, undefined, seed)


# --------------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateCI:
    """A proportion ``k / n`` with a 95% interval (NaN when ``n == 0``) and how it was made."""

    rate: float
    n: int
    k: int
    ci_low: float
    ci_high: float
    method: str = PERCENTILE_BOOTSTRAP
    clusters: int = 0  # clusters the samples came from (0: not clustered)


def binary_values(values: Iterable[float]) -> np.ndarray:
    """The non-NaN values as floats; raises ``ValueError`` unless every one is 0 or 1."""
    if not isinstance(values, np.ndarray | pd.Series):
        values = list(values)
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if not np.isin(arr, (0.0, 1.0)).all():
        bad = sorted(set(arr[~np.isin(arr, (0.0, 1.0))].tolist()))[:5]
        raise ValueError(f"rates need 0/1 values (NaN ignored); got {bad}")
    return arr


def rate_with_ci(values: Iterable[float], n_resamples: int = N_RESAMPLES, seed: int = SEED
                 ) -> RateCI:
    """Rate of 1s among the non-NaN 0/1 ``values`` with a percentile bootstrap 95% CI.

    This is :func:`bootstrap` of the mean, drawn in closed form: resampling ``n`` Bernoulli
    outcomes with replacement gives a mean distributed as ``Binomial(n, k/n) / n``, which is
    drawn directly. With ``k == 0`` or ``k == n`` the percentile interval collapses to the
    point estimate.
    """
    arr = binary_values(values)
    n = int(arr.size)
    if n == 0:
        return RateCI(math.nan, 0, 0, math.nan, math.nan)
    k = int(arr.sum())
    p = k / n
    rng = np.random.default_rng(seed)
    low, high, _ = _percentile_interval(rng.binomial(n, p, size=n_resamples) / n, ALPHA)
    return RateCI(p, n, k, low, high)


def wilson_interval(k: float, n: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Wilson score interval of ``k / n`` (NaN when ``n == 0``); never collapses at 0 or n."""
    if n <= 0:
        return math.nan, math.nan
    z = float(sps.norm.ppf(1 - alpha / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_interval(k: int, n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Clopper-Pearson (exact binomial) interval of ``k / n`` (NaN when ``n == 0``)."""
    if n <= 0:
        return math.nan, math.nan
    low = 0.0 if k == 0 else float(sps.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(sps.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def _ratio_of_sums(counts: np.ndarray) -> np.ndarray:
    """sum(k) / sum(n) of ``(..., clusters, 2)`` per-cluster (k, n) counts."""
    return counts[..., 0].sum(-1) / counts[..., 1].sum(-1)


def cluster_counts(values: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Per-cluster ``(k, n)`` of 0/1 ``values`` (clusters in order of first appearance)."""
    frame = pd.DataFrame({"v": values, "c": clusters})
    grouped = frame.groupby("c", sort=False)["v"]
    return np.column_stack([grouped.sum().to_numpy(float), grouped.size().to_numpy(float)])


def proportion_ci(
    values: Iterable[float],
    clusters: Iterable[Hashable] | None = None,
    interval: str = "auto",
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> RateCI:
    """Rate of 1s among the non-NaN 0/1 ``values`` with a 95% interval valid at any n.

    ``interval="auto"``: samples that share a cluster (a vignette, a transcript; ``clusters``
    gives each sample's) get a cluster bootstrap that resamples whole clusters, never
    narrower than the Wilson interval (clustering is not assumed to reduce uncertainty); at
    0% or 100% (which no bootstrap can leave) or with fewer than ``MIN_CLUSTERS`` clusters
    they get the Clopper-Pearson interval, which is conservative. Independent samples (no
    clusters, or one sample per cluster) get the Wilson interval. ``interval="paper"``: the paper's
    percentile bootstrap of samples (:func:`rate_with_ci`), which collapses at 0% and 100%.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
    raw = np.asarray(list(values) if not isinstance(values, np.ndarray | pd.Series)
                     else values, dtype=float)
    if interval == "paper":
        return rate_with_ci(raw, n_resamples, seed)
    keep = ~np.isnan(raw)
    arr = binary_values(raw)
    n, k = int(arr.size), int(arr.sum())
    if n == 0:
        return RateCI(math.nan, 0, 0, math.nan, math.nan, "", 0)
    counts = (cluster_counts(arr, np.asarray(list(clusters), dtype=object)[keep])
              if clusters is not None else np.ones((n, 2)))
    n_clusters = counts.shape[0]
    if n_clusters == n:  # independent samples
        low, high = wilson_interval(k, n)
        return RateCI(k / n, n, k, low, high, WILSON, 0)
    if k in (0, n) or n_clusters < MIN_CLUSTERS:
        low, high = clopper_pearson_interval(k, n)
        return RateCI(k / n, n, k, low, high, AT_BOUNDARY if k in (0, n) else FEW_CLUSTERS,
                      n_clusters)
    ci = bootstrap(counts, _ratio_of_sums, n_resamples, seed)
    low, high = wilson_interval(k, n)
    if ci.high - ci.low < high - low:
        return RateCI(k / n, n, k, low, high, NO_EXCESS_VARIANCE, n_clusters)
    return RateCI(k / n, n, k, ci.low, ci.high, CLUSTER_BOOTSTRAP, n_clusters)


def design_effect(values: Iterable[float], clusters: Iterable[Hashable] | None) -> float:
    """How much clustering inflates the variance of a rate (>= 1; 1 for independent samples).

    The cluster-robust (linearisation) variance of the ratio estimator over the simple
    binomial variance, floored at 1; used to shrink counts to effective counts (Rao-Scott)
    before a comparison.
    """
    if clusters is None:
        return 1.0
    raw = np.asarray(list(values) if not isinstance(values, np.ndarray | pd.Series)
                     else values, dtype=float)
    keep = ~np.isnan(raw)
    counts = cluster_counts(raw[keep], np.asarray(list(clusters), dtype=object)[keep])
    c, total = counts.shape[0], counts[:, 1].sum()
    if c < 2 or c == total:
        return 1.0
    p = counts[:, 0].sum() / total
    if p in (0.0, 1.0):
        return 1.0
    v_cluster = c / (c - 1) * float(((counts[:, 0] - p * counts[:, 1]) ** 2).sum()) / total**2
    return max(1.0, v_cluster / (p * (1 - p) / total))




# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Comparison:
    """A two-sided comparison of two proportions: which test, its statistic and p-value."""

    test: str
    z: float  # NaN for Fisher's exact test
    p_value: float


FISHER = "Fisher's exact test"
Z_TEST = "z-test"


def compare_proportions(k1: float, n1: float, k2: float, n2: float, deff1: float = 1.0,
                        deff2: float = 1.0) -> Comparison:
    """Two-sided test of ``k1/n1`` against ``k2/n2``, valid at any n.

    Clustered samples enter as effective counts (``k / deff``, ``n / deff``; Rao-Scott).
    When the smallest expected cell count is below ``MIN_EXPECTED_FOR_Z`` the test is
    Fisher's exact test (on counts rounded to whole samples), otherwise the pooled
    two-proportion z-test. NaN when a side is empty.
    """
    e1, e2 = n1 / deff1, n2 / deff2
    x1, x2 = k1 / deff1, k2 / deff2
    suffix = " (Rao-Scott)" if max(deff1, deff2) > 1.0 else ""
    if e1 <= 0 or e2 <= 0:
        return Comparison(Z_TEST + suffix, math.nan, math.nan)
    pooled = (x1 + x2) / (e1 + e2)
    expected = min(e1, e2) * min(pooled, 1 - pooled)
    if expected < MIN_EXPECTED_FOR_Z:
        a, b = round(x1), round(x2)
        m1, m2 = max(round(e1), a), max(round(e2), b)
        res = sps.fisher_exact([[a, m1 - a], [b, m2 - b]])
        return Comparison(FISHER + suffix, math.nan, float(res.pvalue))
    t = two_proportion_ztest(x1, e1, x2, e2)  # type: ignore[arg-type]
    return Comparison(Z_TEST + suffix, t.z, t.p_value)


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


@dataclass(frozen=True)
class ChiSquare:
    """A chi-square test of independence (Pearson, no continuity correction)."""

    chi2: float
    dof: int
    p_value: float
    min_expected: float


def chi_square_independence(table: np.ndarray, deff: float = 1.0) -> ChiSquare:
    """Chi-square test of independence of a levels x outcomes table of counts.

    Fewer than two levels: no test (NaN). An outcome column without counts (no variation)
    gives ``chi2 = 0, p = 1``: no evidence of dependence. For clustered samples, ``deff``
    (their design effect) divides the statistic (first-order Rao-Scott correction).
    """
    table = np.asarray(table)
    if table.shape[0] < 2:
        return ChiSquare(math.nan, 0, math.nan, math.nan)
    if (table.sum(axis=0) == 0).any():
        return ChiSquare(0.0, table.shape[0] - 1, 1.0, 0.0)
    res = sps.chi2_contingency(table, correction=False)
    if deff == 1.0:
        return ChiSquare(float(res.statistic), int(res.dof), float(res.pvalue),
                         float(np.min(res.expected_freq)))
    chi2 = float(res.statistic) / deff
    return ChiSquare(chi2, int(res.dof), float(sps.chi2.sf(chi2, res.dof)),
                     float(np.min(res.expected_freq)))


# --------------------------------------------------------------------------------------------
# Agreement between raters
# --------------------------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for ``None`` and float NaN (pandas' missing markers included)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _categories(values: Iterable[Hashable]) -> list[Hashable]:
    return sorted(set(values), key=lambda x: (str(type(x)), str(x)))


def _paired(a: Iterable[Hashable], b: Iterable[Hashable]) -> tuple[list[Hashable], list[Hashable]]:
    la, lb = list(a), list(b)
    if len(la) != len(lb):
        raise ValueError(f"raters label different numbers of items: {len(la)} vs {len(lb)}")
    if not la:
        raise ValueError("no items to compare")
    missing = sum(1 for x, y in zip(la, lb, strict=True) if is_missing(x) or is_missing(y))
    if missing:
        raise ValueError(
            f"{missing} item(s) have a missing label; drop and count them before computing "
            "agreement (agreement_table does this)"
        )
    return la, lb


def _codes(
    a: Iterable[Hashable], b: Iterable[Hashable], labels: Sequence[Hashable] | None
) -> tuple[np.ndarray, np.ndarray, list[Hashable]]:
    """Two raters' labels as integer codes over ``labels`` (or the observed labels)."""
    la, lb = _paired(a, b)
    if labels is None:
        cats = _categories(la + lb)
    else:
        cats = list(labels)
        if len(set(cats)) != len(cats):
            raise ValueError(f"duplicate labels in {cats!r}")
        unknown = (set(la) | set(lb)) - set(cats)
        if unknown:
            raise ValueError(f"labels {sorted(map(str, unknown))} are not in {cats!r}")
    index = {c: i for i, c in enumerate(cats)}
    return (
        np.fromiter((index[x] for x in la), dtype=np.int64, count=len(la)),
        np.fromiter((index[x] for x in lb), dtype=np.int64, count=len(lb)),
        cats,
    )


def raw_agreement(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Share of items on which the two raters give the same label."""
    la, lb = _paired(a, b)
    return sum(x == y for x, y in zip(la, lb, strict=True)) / len(la)


def confusion_matrix(
    a: Iterable[Hashable], b: Iterable[Hashable], labels: Sequence[Hashable]
) -> pd.DataFrame:
    """Counts of (a, b) label pairs: rows are rater ``a``'s labels, columns rater ``b``'s.

    A label outside ``labels`` raises ``ValueError`` rather than being dropped.
    """
    ca, cb, cats = _codes(a, b, labels)
    k = len(cats)
    counts = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k)
    return pd.DataFrame(counts, index=pd.Index(cats, name="a"), columns=pd.Index(cats, name="b"))


def _undefined_where(p_e: np.ndarray) -> np.ndarray:
    return np.isclose(p_e, 1.0, rtol=0.0, atol=1e-12)


def _kappa_of_pairs(k: int) -> Callable[[np.ndarray], np.ndarray]:
    """Cohen's kappa of ``(..., n)`` pair codes ``a * k + b`` (vectorised for the bootstrap)."""

    def kappa(pairs: np.ndarray) -> np.ndarray:
        ra, rb = pairs // k, pairs % k
        n = pairs.shape[-1]
        p_o = np.mean(ra == rb, axis=-1)
        cats = np.arange(k)
        pa = (ra[..., None] == cats).sum(axis=-2) / n
        pb = (rb[..., None] == cats).sum(axis=-2) / n
        p_e = np.einsum("...j,...j->...", pa, pb)
        undefined = _undefined_where(p_e)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(undefined, np.nan, (p_o - p_e) / np.where(undefined, 1.0, 1.0 - p_e))

    return kappa


def cohen_kappa(
    a: Iterable[Hashable], b: Iterable[Hashable], labels: Sequence[Hashable] | None = None
) -> float:
    """Cohen's kappa, ``(p_o - p_e) / (1 - p_e)``, for two raters' nominal labels.

    Returns ``nan`` when kappa is undefined (``p_e == 1``: both raters used a single, identical
    category for all items). Raises ``ValueError`` for unequal lengths, no items or missing
    labels.
    """
    ca, cb, cats = _codes(a, b, labels)
    return float(_kappa_of_pairs(len(cats))(ca * len(cats) + cb))


def bootstrap_kappa_ci(
    a: Iterable[Hashable],
    b: Iterable[Hashable],
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    alpha: float = ALPHA,
    labels: Sequence[Hashable] | None = None,
) -> BootstrapCI:
    """Cohen's kappa with its :func:`bootstrap` interval over paired items.

    Resamples in which kappa is undefined (one shared category only) are skipped and counted in
    ``n_undefined``; if every resample is undefined the bounds are ``nan``.
    """
    _check_bootstrap_args(n_resamples, alpha)
    ca, cb, cats = _codes(a, b, labels)
    k = len(cats)
    return bootstrap(ca * k + cb, _kappa_of_pairs(k), n_resamples, seed, alpha)


def rating_counts(ratings: Any) -> np.ndarray:
    """Items x categories counts of an items x raters table of labels (missing = None/NaN)."""
    values = _ratings_values(ratings)
    cats = _categories(v for v in values.ravel() if not is_missing(v))
    return np.stack([[sum(1 for v in row if not is_missing(v) and v == c) for c in cats]
                     for row in values]).astype(np.float64).reshape(len(values), len(cats))


def _ratings_values(ratings: Any) -> np.ndarray:
    frame = ratings.copy() if isinstance(ratings, pd.DataFrame) else pd.DataFrame(ratings)
    if frame.ndim != 2 or frame.shape[0] == 0 or frame.shape[1] < 2:
        raise ValueError("ratings must be an items x raters table with >= 1 item and >= 2 raters")
    return frame.to_numpy(dtype=object)


def fleiss_of_counts(counts: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of ``(..., items, categories)`` rating counts (same raters per item)."""
    m = counts.sum(-1)
    n_items = counts.shape[-2]
    p_i = ((counts * counts).sum(-1) - m) / (m * (m - 1))
    p_bar = p_i.mean(-1)
    p_j = counts.sum(-2) / m.sum(-1, keepdims=True)
    p_e = (p_j * p_j).sum(-1)
    undefined = _undefined_where(p_e) | (n_items == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(undefined, np.nan, (p_bar - p_e) / (1.0 - p_e))


def alpha_of_counts(counts: np.ndarray) -> np.ndarray:
    """Nominal Krippendorff's alpha of ``(..., units, categories)`` counts (>= 2 per unit)."""
    m_u = counts.sum(-1)
    n_c = counts.sum(-2)
    n = n_c.sum(-1)
    observed = ((m_u * m_u - (counts * counts).sum(-1)) / (m_u - 1)).sum(-1)
    expected = n * n - (n_c * n_c).sum(-1)
    undefined = np.isclose(expected, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(undefined, np.nan, 1.0 - (n - 1) * observed / expected)


def fleiss_kappa(ratings: Any) -> float:
    """Fleiss' kappa for an items x raters table of nominal labels (no missing ratings).

    Every item must be rated by every rater (use :func:`krippendorff_alpha` otherwise).
    Returns ``nan`` when undefined (all ratings in a single category).
    """
    values = _ratings_values(ratings)
    if any(is_missing(v) for v in values.ravel()):
        raise ValueError("fleiss_kappa needs complete ratings; use krippendorff_alpha for gaps")
    return float(fleiss_of_counts(rating_counts(values)))


def krippendorff_alpha(ratings: Any) -> float:
    """Krippendorff's alpha (nominal) for an items x raters table; missing ratings allowed.

    Missing ratings are ``None``/NaN; items rated by fewer than two raters are left out.
    Returns ``nan`` when alpha is undefined (fewer than two distinct labels, or no item rated
    by at least two raters).
    """
    counts = rating_counts(_ratings_values(ratings))
    pairable = counts[counts.sum(axis=1) >= 2]
    if pairable.shape[0] == 0:
        return math.nan
    return float(alpha_of_counts(pairable))


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


def isnan(x: object) -> bool:
    """True for ``None`` and float NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: object, digits: int = 1) -> str:
    """A rate as a percentage: ``0.1234`` -> ``"12.3%"``; NaN -> ``"n/a"``."""
    if isnan(x):
        return "n/a"
    return f"{float(x):.{digits}%}"  # type: ignore[arg-type]


def rate_ci(rate: object, low: object, high: object) -> str:
    """A rate with its interval: ``"63.3% (58.3–68.5)"``."""
    if isnan(rate):
        return "n/a"
    return f"{pct(rate)} ({float(low) * 100:.1f}–{float(high) * 100:.1f})"  # type: ignore[arg-type]


def pval(p: object) -> str:
    """A p-value for humans: ``"<0.001"``, ``"0.012"``, ``"n/a"``."""
    if isnan(p):
        return "n/a"
    p = float(p)  # type: ignore[arg-type]
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p: object) -> str:
    """``"p<0.001"`` or ``"p=0.012"``."""
    text = pval(p)
    return f"p{text}" if text.startswith("<") else f"p={text}"


def coef(x: object) -> str:
    """A coefficient (kappa, alpha) to two decimals; NaN -> ``"n/a"``."""
    return "n/a" if isnan(x) else f"{float(x):.2f}"  # type: ignore[arg-type]


def coef_ci(value: object, low: object, high: object) -> str:
    """A coefficient with its interval: ``"0.40 (0.21–0.58)"``; NaN -> ``"n/a"``."""
    return "n/a" if isnan(value) else f"{coef(value)} ({coef(low)}–{coef(high)})"
