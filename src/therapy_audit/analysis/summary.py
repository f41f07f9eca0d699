"""What the terminal prints after a run or an import: a short summary per configuration, and
a judge-versus-reference agreement table.

This module owns the wording and layout of that text. The rates and their intervals come from
:mod:`therapy_audit.analysis.tables`, the claims and caveats from
:mod:`therapy_audit.analysis.findings` (the same sentences as the report's summary), and the
agreement from :mod:`therapy_audit.analysis.agreement`.
"""

from __future__ import annotations

import pandas as pd

from therapy_audit.analysis import findings, tables
from therapy_audit.analysis.agreement import reference_agreement, validated_judges
from therapy_audit.analysis.samples import normalise, stigma_rows
from therapy_audit.analysis.stats import pct
from therapy_audit.stigma.conditions import CONDITION_ABBREVIATIONS
from therapy_audit.stigma.questions import ATTRIBUTION_QUESTIONS
from therapy_audit.vocab import APPROPRIATENESS, STIGMA, reference_judge


def _rate_lines(table: pd.DataFrame, col: str, labels: dict[str, str]) -> list[str]:
    """One indented line per ``col`` value in ``labels`` order: label, rate and interval."""
    rows = table.set_index(col)
    out = []
    for value, label in labels.items():
        text = findings.row_rate(rows.loc[value]) if value in rows.index else "n/a (n=0)"
        out.append(f"  {label:<24} {text}")
    return out


def _stigma_block(d: pd.DataFrame, t: dict[str, pd.DataFrame]) -> list[str]:
    labels = {c: f"{a} {c}" for c, a in CONDITION_ABBREVIATIONS.items()}
    lines = ["Stigma rate (stigmatising answers / coded stigma-question answers):"]
    lines += _rate_lines(t["stigma_by_condition"], "condition",
                         {**labels, tables.OVERALL_NOT_CONTROL: tables.OVERALL_NOT_CONTROL})
    lines += findings.stigma_findings(t)
    lines.append("Attribution beliefs (share answering likely), by condition:")
    attr = tables.grouped_rates(stigma_rows(d, ATTRIBUTION_QUESTIONS), "code", ["condition"])
    lines += _rate_lines(attr, "condition", labels)
    letters = t["answer_letters"].iloc[0]
    used = ", ".join(f"{c} {int(letters[c])}" for c in tables.LETTERS if letters[c])
    lines.append(f"Answer letters: {used or 'none'}; no letter {int(letters['no_letter'])}; "
                 f"position-bias index {letters['position_bias']:.2f} (0 = every position "
                 "equally often, 1 = always the same)")
    counts = d["parse_status"].value_counts()
    lines.append(
        f"Outcomes: {len(d)} samples; ok {counts.get('ok', 0)}, "
        f"do not know {counts.get('do_not_know', 0)}, "
        f"unparseable {counts.get('unparseable', 0)}, errors {counts.get('error', 0)}")
    return lines


def _appropriateness_block(d: pd.DataFrame, validated: set[str]) -> list[str]:
    overall = tables.with_trust(tables.with_paper_rates(d, ()), tables.judge_trust(d))
    setting = tables.appropriateness_rates(d, ("setting",))
    by_condition = tables.appropriateness_rates(d, ("condition",))
    lines = []
    for r in overall.itertuples(index=False):
        jrows = d[d["judge"] == r.judge]
        lines.append(f"Appropriate responses, judge {r.judge} ({findings.judge_text(r)}); "
                     "non-responsive replies count as not appropriate:")
        lines.append(f"  {'overall':<24} {findings.row_rate(r)}; judge's answers alone "
                     f"{pct(r.paper_rate)}")
        part = setting[setting["judge"] == r.judge]
        lines += _rate_lines(part, "setting",
                             {"standalone": "standalone", "in transcript": "in transcripts"})
        alone = part[part["setting"] == "standalone"]
        if len(alone):
            lines.append("  vs human therapists: " + findings.vs_therapists(
                int(alone["k"].iloc[0]), int(alone["n"].iloc[0])))
        part = by_condition[by_condition["judge"] == r.judge]
        lines += _rate_lines(part, "condition", {c: c for c in part["condition"]})
        unjudged = (jrows["appropriate"].isna() & (jrows["nonresponsive"] == "")
                    & (jrows["error"] == ""))
        lines.append(
            f"  unjudged {int(unjudged.sum())}, non-responsive {int(r.nonresponsive)}, errors "
            f"{int((jrows['error'] != '').sum())}, trimmed contexts "
            f"{int((jrows['dropped_messages'] > 0).sum())}")
        note = findings.unvalidated_note(r.judge, validated)
        lines += [f"  {note}"] if note else []
    unjudged = d[d["judge"] == ""]
    if len(unjudged):
        lines.append(f"Responses no judge scored (errored samples): {len(unjudged)}")
    return lines


def summarise(frame: pd.DataFrame) -> str:
    """A short plain-text summary of a run, per model and system prompt."""
    if frame.empty:
        return "No samples."
    d = normalise(frame)
    validated = validated_judges(d)
    lines = findings.caveats(list(dict.fromkeys(d["model"])))
    for (model, preset, experiment), rows in d.groupby(
        ["model", "system_prompt", "experiment"], sort=False
    ):
        lines.append(f"\n== {experiment}: {model} (system prompt: {preset}) ==")
        if experiment == STIGMA:
            t = {"stigma_by_condition": tables.stigma_by_condition(rows),
                 "stigma_vs_control": tables.stigma_vs_control(rows),
                 "answer_letters": tables.answer_letters(rows)}
            lines += _stigma_block(rows, t)
        else:
            lines += _appropriateness_block(rows, validated)
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
