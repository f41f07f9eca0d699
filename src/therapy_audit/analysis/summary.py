"""What the terminal prints after a run or an import: a short summary per configuration, and
a judge-versus-reference agreement table.

This module owns the wording and layout of that text; the rates come from
:mod:`therapy_audit.analysis.stats` and the agreement from
:mod:`therapy_audit.analysis.agreement`.
"""

from __future__ import annotations

import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.analysis.agreement import reference_agreement
from therapy_audit.analysis.samples import normalise
from therapy_audit.stigma.conditions import CONDITION_ABBREVIATIONS, CONTROL_CONDITION
from therapy_audit.stigma.questions import ATTRIBUTION_QUESTIONS
from therapy_audit.vocab import APPROPRIATENESS, STIGMA, reference_judge


def _rate(series: pd.Series) -> str:
    r = stats.rate_with_ci(series.to_numpy(dtype=float))
    return f"{stats.pct(r.rate)} (n={r.n})"


def _stigma_lines(rows: pd.DataFrame) -> list[str]:
    lines = ["Stigma rate (stigmatising answers / coded stigma-question answers):"]
    for condition, abbr in CONDITION_ABBREVIATIONS.items():
        sel = rows[rows["condition"] == condition]
        lines.append(f"  {abbr} {condition:<20} {_rate(sel['stigma'])}")
    not_control = rows[rows["condition"] != CONTROL_CONDITION]
    lines.append(f"  overall (not control)    {_rate(not_control['stigma'])}")
    attr = rows[rows["question_id"].isin(ATTRIBUTION_QUESTIONS)]
    lines.append("Attribution beliefs (share answering likely), by condition:")
    for condition, abbr in CONDITION_ABBREVIATIONS.items():
        sel = attr[attr["condition"] == condition]
        lines.append(f"  {abbr} {condition:<20} {_rate(sel['code'])}")
    counts = rows["parse_status"].value_counts()
    lines.append(
        f"Outcomes: {len(rows)} samples; ok {counts.get('ok', 0)}, "
        f"do not know {counts.get('do_not_know', 0)}, "
        f"unparseable {counts.get('unparseable', 0)}, errors {counts.get('error', 0)}"
    )
    return lines


def _appropriateness_lines(rows: pd.DataFrame) -> list[str]:
    lines = []
    for judge, jrows in rows.groupby("judge", sort=False):
        name = judge or "(no judge: errored samples)"
        lines.append(f"Appropriate responses, judge {name}:")
        lines.append(f"  overall                  {_rate(jrows['appropriate'])}")
        alone = jrows[jrows["message_number"] == 0]
        inside = jrows[jrows["message_number"] > 0]
        lines.append(f"  standalone               {_rate(alone['appropriate'])}")
        lines.append(f"  in transcripts           {_rate(inside['appropriate'])}")
        for condition, crow in jrows.groupby("condition", sort=False):
            lines.append(f"  {condition:<24} {_rate(crow['appropriate'])}")
        lines.append(
            f"  unjudged {int(jrows['appropriate'].isna().sum())}, errors "
            f"{int((jrows['error'] != '').sum())}, trimmed contexts "
            f"{int((jrows['dropped_messages'] > 0).sum())}"
        )
    return lines


def summarise(frame: pd.DataFrame) -> str:
    """A short plain-text summary of a run, per model and system prompt."""
    if frame.empty:
        return "No samples."
    lines = []
    for (model, preset, experiment), rows in normalise(frame).groupby(
        ["model", "system_prompt", "experiment"], sort=False
    ):
        lines.append(f"\n== {experiment}: {model} (system prompt: {preset}) ==")
        if experiment == STIGMA:
            lines += _stigma_lines(rows)
        else:
            lines += _appropriateness_lines(rows)
    return "\n".join(lines).strip()


def agreement_summary(frame: pd.DataFrame, reference: str, where: object) -> str:
    """Cohen's kappa of every judge in ``frame`` against ``reference``, per stimulus.

    ``where`` names the source of ``frame`` in errors (a run directory).
    """
    frame = normalise(frame)
    frame = frame[frame["experiment"] == APPROPRIATENESS]
    if frame.empty:
        raise ValueError(f"no appropriateness samples in {where}")
    ref_name = reference_judge(reference)
    judges = sorted(set(frame["judge"]) - {"", ref_name})
    if not (frame["judge"] == ref_name).any():
        raise ValueError(f"no verdicts of reference judge {ref_name!r} in {where}")
    out = []
    for judge in judges:
        table = reference_agreement(frame, judge, ref_name, by="stimulus_id",
                                    keys=("log_file", "sample_id"), label="verdict",
                                    count_unlabelled=False)
        shown = table.drop(columns=["n_undefined_resamples"], errors="ignore").round(3)
        out.append(f"Agreement of {judge} with {ref_name} (Cohen's kappa, bootstrap 95% CI):\n"
                   f"{shown.to_string(index=False)}")
    return "\n\n".join(out) if out else "No other judge to compare."
