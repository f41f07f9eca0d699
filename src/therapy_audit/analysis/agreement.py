"""Agreement of a judge with a reference: the one place where two judges' verdicts on the same
samples are paired and compared.

:func:`reference_agreement` pairs one judge with a reference judge on the samples both scored
and gives :func:`agreement_table` (per group and overall: n, unlabelled, raw agreement, Cohen's
kappa with its bootstrap CI, confusion counts with ``"yes"`` as the positive class).
:func:`judge_agreement` does it for every pair of judges in a run (the report's table); the
terminal summary and the annotation import call the same functions. The statistics come from
:mod:`therapy_audit.analysis.stats`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Sequence

import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.analysis.samples import AGREEMENT_KEYS, appropriateness_rows, config_label
from therapy_audit.vocab import HUMAN_PREFIX, PAPER_PREFIX, UNSURE, is_human

TABLE_COLUMNS = [
    "group", "n", "n_unsure", "n_unlabelled", "raw_agreement", "kappa", "ci_low", "ci_high",
    "n_undefined_resamples", "tp", "fp", "fn", "tn",
]
_YES_NO = {1.0: "yes", 0.0: "no"}


def _check_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in df.columns:
            raise KeyError(f"column {col!r} not in the frame (has {list(df.columns)})")


def _agreement_row(name: object, judge: list, reference: list, n_unsure: int,
                   n_unlabelled: int, labels: Sequence[Hashable], positive: Hashable,
                   n_resamples: int, seed: int, alpha: float) -> dict[str, object]:
    """One row of :func:`agreement_table` from the compared labels of one group."""
    out: dict[str, object] = {"group": name, "n": len(judge), "n_unsure": n_unsure,
                              "n_unlabelled": n_unlabelled}
    if not judge:
        out.update(raw_agreement=math.nan, kappa=math.nan, ci_low=math.nan, ci_high=math.nan,
                   n_undefined_resamples=0, tp=0, fp=0, fn=0, tn=0)
        return out
    ci = stats.bootstrap_kappa_ci(judge, reference, n_resamples=n_resamples, seed=seed,
                                  alpha=alpha, labels=list(labels))
    out.update(raw_agreement=stats.raw_agreement(judge, reference), kappa=ci.estimate,
               ci_low=ci.low, ci_high=ci.high, n_undefined_resamples=ci.n_undefined)
    if len(set(labels)) == 2:
        negative = next(x for x in labels if x != positive)
        pairs = list(zip(judge, reference, strict=True))
        out.update(tp=pairs.count((positive, positive)), fp=pairs.count((positive, negative)),
                   fn=pairs.count((negative, positive)), tn=pairs.count((negative, negative)))
    else:
        out.update(tp=math.nan, fp=math.nan, fn=math.nan, tn=math.nan)
    return out


def agreement_table(
    df: pd.DataFrame,
    group_col: str,
    judge_col: str = "judge",
    reference_col: str = "reference",
    labels: Sequence[Hashable] = ("yes", "no"),
    positive: Hashable = "yes",
    n_resamples: int = stats.N_RESAMPLES,
    seed: int = stats.SEED,
    alpha: float = stats.ALPHA,
    overall_label: str = "ALL",
) -> pd.DataFrame:
    """Agreement of ``judge_col`` with ``reference_col``, per ``group_col`` value and overall.

    Rows where either label is missing or outside ``labels`` are not compared, and never silently
    dropped: ``n_unsure`` counts those where the judge abstained (``unsure``) on a labelled
    response, ``n_unlabelled`` all others. ``n`` counts compared rows, so ``n / (n + n_unsure)``
    is the share the judge decided. Confusion counts
    treat ``positive`` as the positive class and the judge as the predictor: ``tp`` = both
    positive, ``fp`` = judge positive / reference negative, ``fn`` the reverse, ``tn`` both
    negative (binary labels only; ``nan`` otherwise). The last row is the overall one
    (``group == overall_label``). Kappa and its CI are ``nan`` where undefined.
    """
    _check_columns(df, (group_col, judge_col, reference_col))
    allowed = set(labels)
    if positive not in allowed:
        raise ValueError(f"positive label {positive!r} not in labels {list(labels)!r}")

    def valid(value: object) -> bool:
        return not stats.is_missing(value) and value in allowed

    # A plain bool Series: mapping a pandas-3 string column gives a StringArray, and two of
    # those cannot be combined with ``&`` (an empty comparison crashed).
    ok = pd.Series([valid(j) and valid(r) for j, r in
                    zip(df[judge_col], df[reference_col], strict=True)],
                   index=df.index, dtype=bool)
    unsure = pd.Series([j == UNSURE and valid(r) for j, r in
                        zip(df[judge_col], df[reference_col], strict=True)],
                       index=df.index, dtype=bool)
    parts = [(name, part) for name, part in df.groupby(group_col, sort=True, dropna=False)]
    parts.append((overall_label, df))
    rows = []
    for name, part in parts:
        part_ok = ok.loc[part.index]
        compared = part[part_ok]
        rows.append(_agreement_row(
            name, list(compared[judge_col]), list(compared[reference_col]),
            int(unsure.loc[part.index].sum()), int((~part_ok & ~unsure.loc[part.index]).sum()),
            labels, positive, n_resamples, seed, alpha))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def paired_verdicts(rows: pd.DataFrame, judge: str, reference: str,
                    keys: Sequence[str] = tuple(AGREEMENT_KEYS), label: str = "appropriate"
                    ) -> pd.DataFrame:
    """The samples ``judge`` and ``reference`` both scored, matched on ``keys``.

    One row per shared sample, in the reference's order, with the judge's row columns plus
    ``judge_label`` and ``reference_label`` ("yes"/"no"; from ``appropriate``, or the raw
    ``verdict``) and ``configuration``.
    """
    keys = list(keys)
    ref = rows[rows["judge"] == reference].drop_duplicates(keys)
    own = rows[rows["judge"] == judge].drop_duplicates(keys)
    m = ref[keys + [label]].merge(own, on=keys, suffixes=("_ref", ""))
    as_label = (lambda s: s.map(_YES_NO)) if label == "appropriate" else (lambda s: s)
    return m.assign(
        judge_label=as_label(m[label]), reference_label=as_label(m[f"{label}_ref"]),
        configuration=[config_label(x, y) for x, y in
                       zip(m["model"], m["system_prompt"], strict=True)] if len(m) else [])


def reference_agreement(
    rows: pd.DataFrame,
    judge: str,
    reference: str,
    by: str = "configuration",
    keys: Sequence[str] = tuple(AGREEMENT_KEYS),
    label: str = "appropriate",
    count_unlabelled: bool = True,
    n_resamples: int = stats.N_RESAMPLES,
    seed: int = stats.SEED,
) -> pd.DataFrame:
    """:func:`agreement_table` of ``judge`` against ``reference`` on the samples both scored.

    Groups by ``by`` (a column of :func:`paired_verdicts`), then overall ("ALL").
    ``count_unlabelled=False`` leaves samples without a label from both judges out altogether
    instead of counting them as unlabelled.
    """
    pairs = paired_verdicts(rows, judge, reference, keys, label)
    if not count_unlabelled:
        pairs = pairs[pairs["judge_label"].map(_labelled) & pairs["reference_label"].map(_labelled)]
    return agreement_table(pairs, by, judge_col="judge_label", reference_col="reference_label",
                           n_resamples=n_resamples, seed=seed)


def _labelled(value: object) -> bool:
    return not stats.is_missing(value) and value != ""


def judge_agreement(df: pd.DataFrame, n_resamples: int = stats.N_RESAMPLES,
                    seed: int = stats.SEED) -> pd.DataFrame:
    """Agreement between every pair of judges that scored the same samples.

    Samples are matched on (model, system_prompt, sample_id); the labels compared are the
    appropriateness calls ("yes" = appropriate, "no"; no call = unlabelled, counted). Of two
    judges, the reference is a human annotator (``"human:<annotator>"``) where there is one,
    else the paper's recorded labels (``"paper:..."``), else the judge seen first. Per
    configuration and overall ("ALL").

    Columns: judge, reference, group, n, n_unlabelled, raw_agreement, kappa, ci_low, ci_high,
    n_undefined_resamples, tp, fp, fn, tn ("yes" is the positive class).
    """
    ap = appropriateness_rows(df)
    judges = sorted(dict.fromkeys(ap["judge"]), key=_reference_rank)
    parts = []
    for ref, other in itertools.combinations(judges, 2):
        t = reference_agreement(ap, other, ref, n_resamples=n_resamples, seed=seed)
        overall = t.iloc[-1]
        if overall["n"] + overall["n_unlabelled"] == 0:
            continue  # the two judges share no sample
        t.insert(0, "judge", other)
        t.insert(1, "reference", ref)
        parts.append(t)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _reference_rank(judge: str) -> int:
    """Human annotators first, then the paper's labels, then every other judge."""
    return 0 if is_human(judge) else 1 if is_reference_judge(judge) else 2


def is_reference_judge(judge: str) -> bool:
    """Human annotators and the paper's recorded labels are references, not judges to check."""
    return str(judge).startswith((HUMAN_PREFIX, PAPER_PREFIX))


def validated_judges(df: pd.DataFrame) -> set[str]:
    """The judges that share at least one labelled sample with a reference judge in ``df``."""
    ap = appropriateness_rows(df)
    judges = list(dict.fromkeys(ap["judge"]))
    references = [j for j in judges if is_reference_judge(j)]
    out = set()
    for judge in judges:
        for ref in references:
            pairs = paired_verdicts(ap, judge, ref) if judge != ref else pd.DataFrame()
            if len(pairs) and (pairs["judge_label"].notna()
                               & pairs["reference_label"].notna()).any():
                out.add(judge)
                break
    return out
