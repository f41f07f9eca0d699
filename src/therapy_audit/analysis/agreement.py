"""Inter-rater agreement statistics for nominal (e.g. yes/no) labels.

Used to compare a judge (the offline rules judge, an LLM judge, a human annotator) with a
reference rater, and to report how well several raters agree:

* :func:`raw_agreement`, :func:`cohen_kappa`, :func:`confusion_matrix` for two raters;
* :func:`bootstrap_kappa_ci`: a seeded percentile bootstrap over paired items;
* :func:`fleiss_kappa` (complete items x raters tables) and :func:`krippendorff_alpha`
  (nominal level, missing ratings allowed; computed with the ``krippendorff`` package);
* :func:`agreement_table`: per-group and overall rows (n, agreement, kappa with CI,
  confusion counts with ``"yes"`` as the positive class).

Kappa is undefined (``nan``) when the expected agreement is 1, i.e. both raters used one and
the same category for every item; callers must treat ``nan`` as "undefined", never as a pass.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BootstrapCI",
    "agreement_table",
    "bootstrap_kappa_ci",
    "cohen_kappa",
    "confusion_matrix",
    "fleiss_kappa",
    "is_missing",
    "krippendorff_alpha",
    "raw_agreement",
]


def is_missing(value: object) -> bool:
    """True for ``None`` and float NaN (pandas' missing markers included)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


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
    la: Sequence[Hashable], lb: Sequence[Hashable], labels: Sequence[Hashable] | None
) -> tuple[np.ndarray, np.ndarray, list[Hashable]]:
    """Encode two label sequences as integer codes over ``labels`` (or the observed labels)."""
    if labels is None:
        cats = sorted(set(la) | set(lb), key=lambda x: (str(type(x)), str(x)))
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
    la, lb = _paired(a, b)
    ca, cb, cats = _codes(la, lb, labels)
    k = len(cats)
    counts = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k)
    return pd.DataFrame(
        counts,
        index=pd.Index(cats, name="a"),
        columns=pd.Index(cats, name="b"),
    )


def _kappa_from_codes(ca: np.ndarray, cb: np.ndarray, k: int) -> float:
    n = ca.size
    p_o = float(np.mean(ca == cb))
    pa = np.bincount(ca, minlength=k) / n
    pb = np.bincount(cb, minlength=k) / n
    p_e = float(np.dot(pa, pb))
    if math.isclose(p_e, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


def cohen_kappa(
    a: Iterable[Hashable], b: Iterable[Hashable], labels: Sequence[Hashable] | None = None
) -> float:
    """Cohen's kappa, ``(p_o - p_e) / (1 - p_e)``, for two raters' nominal labels.

    Returns ``nan`` when kappa is undefined (``p_e == 1``: both raters used a single, identical
    category for all items). Raises ``ValueError`` for unequal lengths, no items or missing
    labels.
    """
    la, lb = _paired(a, b)
    ca, cb, cats = _codes(la, lb, labels)
    return _kappa_from_codes(ca, cb, len(cats))


@dataclass(frozen=True)
class BootstrapCI:
    """A percentile bootstrap confidence interval for Cohen's kappa."""

    kappa: float
    low: float
    high: float
    alpha: float
    n_resamples: int
    n_undefined: int  # resamples in which kappa was undefined (skipped)
    seed: int


def bootstrap_kappa_ci(
    a: Iterable[Hashable],
    b: Iterable[Hashable],
    n_resamples: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    labels: Sequence[Hashable] | None = None,
) -> BootstrapCI:
    """Percentile bootstrap CI for Cohen's kappa, resampling paired items with replacement.

    Resamples in which kappa is undefined (one shared category only) are skipped and counted in
    ``n_undefined``; if every resample is undefined the bounds are ``nan``. Deterministic for a
    given ``seed``.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    la, lb = _paired(a, b)
    ca, cb, cats = _codes(la, lb, labels)
    k, n = len(cats), ca.size
    point = _kappa_from_codes(ca, cb, k)
    rng = np.random.default_rng(seed)
    kappas = np.empty(n_resamples, dtype=np.float64)
    chunk = max(1, min(n_resamples, 2_000_000 // max(n, 1)))
    for start in range(0, n_resamples, chunk):
        stop = min(n_resamples, start + chunk)
        rows = stop - start
        idx = rng.integers(0, n, size=(rows, n))
        ra, rb = ca[idx], cb[idx]
        p_o = np.mean(ra == rb, axis=1)
        offsets = (np.arange(rows) * k)[:, None]
        pa = np.bincount((ra + offsets).ravel(), minlength=rows * k).reshape(rows, k) / n
        pb = np.bincount((rb + offsets).ravel(), minlength=rows * k).reshape(rows, k) / n
        p_e = np.einsum("ij,ij->i", pa, pb)
        undefined = np.isclose(p_e, 1.0, rtol=0.0, atol=1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            kap = np.where(undefined, np.nan, (p_o - p_e) / np.where(undefined, 1.0, 1.0 - p_e))
        kappas[start:stop] = kap
    defined = kappas[~np.isnan(kappas)]
    n_undefined = int(n_resamples - defined.size)
    if defined.size == 0:
        low = high = math.nan
    else:
        low = float(np.quantile(defined, alpha / 2))
        high = float(np.quantile(defined, 1 - alpha / 2))
    return BootstrapCI(point, low, high, alpha, n_resamples, n_undefined, seed)


def _ratings_frame(ratings: Any) -> pd.DataFrame:
    frame = ratings.copy() if isinstance(ratings, pd.DataFrame) else pd.DataFrame(ratings)
    if frame.ndim != 2 or frame.shape[0] == 0 or frame.shape[1] < 2:
        raise ValueError("ratings must be an items x raters table with >= 1 item and >= 2 raters")
    return frame


def fleiss_kappa(ratings: Any) -> float:
    """Fleiss' kappa for an items x raters table of nominal labels (no missing ratings).

    Every item must be rated by every rater (use :func:`krippendorff_alpha` otherwise).
    Returns ``nan`` when undefined (all ratings in a single category).
    """
    frame = _ratings_frame(ratings)
    values = frame.to_numpy(dtype=object)
    if any(is_missing(v) for v in values.ravel()):
        raise ValueError("fleiss_kappa needs complete ratings; use krippendorff_alpha for gaps")
    n_items, m = values.shape
    cats = sorted({v for v in values.ravel()}, key=lambda x: (str(type(x)), str(x)))
    index = {c: i for i, c in enumerate(cats)}
    codes = np.vectorize(index.__getitem__, otypes=[np.int64])(values)
    counts = np.stack([(codes == j).sum(axis=1) for j in range(len(cats))], axis=1)
    p_i = (np.sum(counts * counts, axis=1) - m) / (m * (m - 1))
    p_bar = float(np.mean(p_i))
    p_j = counts.sum(axis=0) / (n_items * m)
    p_e = float(np.sum(p_j * p_j))
    if math.isclose(p_e, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return math.nan
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(ratings: Any) -> float:
    """Krippendorff's alpha (nominal) for an items x raters table; missing ratings allowed.

    Missing ratings are ``None``/NaN. Returns ``nan`` when alpha is undefined (fewer than two
    distinct labels, or no item rated by at least two raters).
    """
    import krippendorff  # declared dependency; imported lazily to keep import time low

    frame = _ratings_frame(ratings)
    values = frame.to_numpy(dtype=object)
    present = [v for v in values.ravel() if not is_missing(v)]
    cats = sorted(set(present), key=lambda x: (str(type(x)), str(x)))
    index = {c: float(i) for i, c in enumerate(cats)}
    coded = np.array(
        [[math.nan if is_missing(v) else index[v] for v in row] for row in values],
        dtype=np.float64,
    )
    pairable = np.sum(~np.isnan(coded), axis=1) >= 2
    if len(cats) < 2 or not pairable.any():
        return math.nan
    pairable_values = coded[pairable]
    if np.unique(pairable_values[~np.isnan(pairable_values)]).size < 2:
        return math.nan
    return float(
        krippendorff.alpha(
            reliability_data=coded.T,  # raters x units
            value_domain=list(index.values()),
            level_of_measurement="nominal",
        )
    )


_TABLE_COLUMNS = [
    "group", "n", "n_unlabelled", "raw_agreement", "kappa", "ci_low", "ci_high",
    "n_undefined_resamples", "tp", "fp", "fn", "tn",
]


def agreement_table(
    df: pd.DataFrame,
    group_col: str,
    judge_col: str = "judge",
    reference_col: str = "reference",
    labels: Sequence[Hashable] = ("yes", "no"),
    positive: Hashable = "yes",
    n_resamples: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    overall_label: str = "ALL",
) -> pd.DataFrame:
    """Agreement of ``judge_col`` with ``reference_col``, per ``group_col`` value and overall.

    Rows where either label is missing or outside ``labels`` are not compared; they are counted
    in ``n_unlabelled`` (never silently dropped). ``n`` counts compared rows. Confusion counts
    treat ``positive`` as the positive class and the judge as the predictor: ``tp`` = both
    positive, ``fp`` = judge positive / reference negative, ``fn`` the reverse, ``tn`` both
    negative (binary labels only; ``nan`` otherwise). The last row is the overall one
    (``group == overall_label``). Kappa and its CI are ``nan`` where undefined.
    """
    for col in (group_col, judge_col, reference_col):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not in the frame (has {list(df.columns)})")
    allowed = set(labels)
    if positive not in allowed:
        raise ValueError(f"positive label {positive!r} not in labels {list(labels)!r}")

    def valid(value: object) -> bool:
        return not is_missing(value) and value in allowed

    ok = df[judge_col].map(valid) & df[reference_col].map(valid)
    binary = len(allowed) == 2
    negative = next((x for x in labels if x != positive), None) if binary else None

    def row(name: object, part: pd.DataFrame, part_ok: pd.Series) -> dict[str, object]:
        compared = part[part_ok]
        out: dict[str, object] = {
            "group": name, "n": int(len(compared)), "n_unlabelled": int((~part_ok).sum()),
        }
        if compared.empty:
            out.update(raw_agreement=math.nan, kappa=math.nan, ci_low=math.nan,
                       ci_high=math.nan, n_undefined_resamples=0)
            out.update(tp=0, fp=0, fn=0, tn=0)
            return out
        j, r = list(compared[judge_col]), list(compared[reference_col])
        ci = bootstrap_kappa_ci(j, r, n_resamples=n_resamples, seed=seed, alpha=alpha,
                                labels=list(labels))
        out.update(
            raw_agreement=raw_agreement(j, r), kappa=ci.kappa, ci_low=ci.low, ci_high=ci.high,
            n_undefined_resamples=ci.n_undefined,
        )
        if binary:
            pairs = list(zip(j, r, strict=True))
            out.update(
                tp=pairs.count((positive, positive)), fp=pairs.count((positive, negative)),
                fn=pairs.count((negative, positive)), tn=pairs.count((negative, negative)),
            )
        else:
            out.update(tp=math.nan, fp=math.nan, fn=math.nan, tn=math.nan)
        return out

    rows = [
        row(name, part, ok.loc[part.index])
        for name, part in df.groupby(group_col, sort=True, dropna=False)
    ]
    rows.append(row(overall_label, df, ok))
    return pd.DataFrame(rows, columns=_TABLE_COLUMNS)
