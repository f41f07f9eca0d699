"""Completing a judge's undecided verdicts with human labels.

``annotate export --only-unsure`` sends the items a judge left ``unsure`` to people; once their
labels are imported (``human:<annotator>`` judges in the tidy table), :func:`complete_with_humans`
adds the rows of a completed judge, ``<judge>>human``: the judge's own yes/no verdicts, and for
each ``unsure`` verdict the human label, with ``decided_by`` naming the annotator(s). Where
annotators disagree the majority label decides; a tie, or no label, leaves the item ``unsure``
(never counted as appropriate). Samples are matched on (model, system_prompt, sample_id).
"""

from __future__ import annotations

import pandas as pd

from therapy_audit.vocab import RULES_JUDGE_NAME, is_human

KEYS = ["model", "system_prompt", "sample_id"]
HUMAN_COMPLETION = "human"


def completed_judge_name(judge: str) -> str:
    """The recorded name of ``judge`` completed by people: ``rules-v2>human``."""
    return f"{judge}>{HUMAN_COMPLETION}"


def _human_calls(table: pd.DataFrame) -> dict[tuple, tuple[str, float, str]]:
    """Per sample key, the majority human label: (verdict, appropriate, annotators)."""
    humans = table[table["judge"].map(is_human) & table["verdict"].isin(["yes", "no"])]
    calls: dict[tuple, tuple[str, float, str]] = {}
    for key, group in humans.groupby(KEYS, sort=False):
        counts = group["verdict"].value_counts()
        if len(counts) > 1 and counts.iloc[0] == counts.iloc[1]:
            continue  # annotators split evenly: no decision
        verdict = str(counts.index[0])
        agreeing = group[group["verdict"] == verdict]
        who = "+".join(sorted(dict.fromkeys(agreeing["judge"].astype(str))))
        calls[key] = (verdict, float(agreeing["appropriate"].iloc[0]), who)
    return calls


def complete_with_humans(table: pd.DataFrame, judge: str = RULES_JUDGE_NAME) -> pd.DataFrame:
    """The rows of ``judge`` completed by human labels (a new frame; ``table`` is unchanged).

    ``table`` is the tidy table (columns ``model``, ``system_prompt``, ``sample_id``,
    ``judge``, ``verdict``, ``appropriate``, and optionally ``decided_by`` and
    ``judge_detail``). Returns one row per row of ``judge``, renamed
    :func:`completed_judge_name`; empty (same columns) when ``judge`` has no rows.
    """
    rows = table[table["judge"] == judge].copy()
    rows["judge"] = completed_judge_name(judge)
    if "decided_by" not in rows.columns:
        rows["decided_by"] = ""
    decided = rows["verdict"].isin(["yes", "no"])
    rows["decided_by"] = rows["decided_by"].where(decided, "").astype(object)
    rows.loc[decided & (rows["decided_by"] == ""), "decided_by"] = judge
    calls = _human_calls(table)
    for index in rows.index[rows["verdict"] == "unsure"]:
        call = calls.get(tuple(rows.loc[index, KEYS]))
        if call is None:
            continue
        verdict, appropriate, who = call
        rows.loc[index, ["verdict", "appropriate", "decided_by"]] = [verdict, appropriate, who]
        if "judge_detail" in rows.columns:
            rows.loc[index, "judge_detail"] = f"{rows.loc[index, 'judge_detail']} -> {who}"
    return rows.reset_index(drop=True)
