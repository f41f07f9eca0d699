"""Agreement of a judge with a reference (therapy_audit.analysis.agreement)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from analysis_frames import synthetic_appropriateness

from therapy_audit.analysis.agreement import agreement_table, judge_agreement
from therapy_audit.analysis.stats import cohen_kappa


def test_agreement_table_counts_abstentions_apart_from_unlabelled_rows() -> None:
    df = pd.DataFrame({"stimulus": ["s"] * 4, "judge": ["yes", "unsure", "unsure", "no"],
                       "reference": ["yes", "no", None, "no"]})
    row = agreement_table(df, "stimulus", n_resamples=50, seed=0).iloc[-1]
    # an abstention on a labelled response is the judge's; one on an unlabelled one is not
    assert (row["n"], row["n_unsure"], row["n_unlabelled"]) == (2, 1, 1)


def test_agreement_table_groups_counts_and_overall_row() -> None:
    df = pd.DataFrame(
        {
            "stimulus": ["s1"] * 4 + ["s2"] * 5,
            "judge": ["yes", "yes", "no", "no", "yes", "no", "no", None, "yes"],
            "reference": ["yes", "no", "no", "yes", "yes", "no", "no", "no", "maybe"],
        }
    )
    table = agreement_table(df, "stimulus", n_resamples=100, seed=0)
    assert list(table["group"]) == ["s1", "s2", "ALL"]
    s1, s2, overall = (table.iloc[i] for i in range(3))
    assert (s1["tp"], s1["fp"], s1["fn"], s1["tn"]) == (1, 1, 1, 1)
    assert s1["n"] == 4 and s1["n_unlabelled"] == 0
    assert s1["raw_agreement"] == pytest.approx(0.5) and s1["kappa"] == pytest.approx(0.0)
    # the None verdict and the "maybe" label are counted, not compared
    assert s2["n"] == 3 and s2["n_unlabelled"] == 2
    assert (s2["tp"], s2["fp"], s2["fn"], s2["tn"]) == (1, 0, 0, 2)
    assert s2["kappa"] == pytest.approx(1.0)
    assert overall["n"] == 7 and overall["n_unlabelled"] == 2
    assert overall["tp"] + overall["fp"] + overall["fn"] + overall["tn"] == 7
    assert overall["kappa"] == pytest.approx(cohen_kappa(
        ["yes", "yes", "no", "no", "yes", "no", "no"], ["yes", "no", "no", "yes", "yes", "no", "no"]
    ))
    assert overall["ci_low"] <= overall["kappa"] <= overall["ci_high"]


def test_agreement_table_single_class_group_has_undefined_kappa() -> None:
    df = pd.DataFrame({"g": ["x"] * 3, "judge": ["no"] * 3, "reference": ["no"] * 3})
    row = agreement_table(df, "g", n_resamples=20).iloc[0]
    assert math.isnan(row["kappa"]) and row["raw_agreement"] == 1.0 and row["tn"] == 3


def test_agreement_table_reports_missing_columns() -> None:
    with pytest.raises(KeyError, match="reference"):
        agreement_table(pd.DataFrame({"g": [1], "judge": ["yes"]}), "g")


def test_judge_agreement_pairs_judges_on_the_same_samples():
    rules = synthetic_appropriateness(rate=0.6, judge="rules-v1")
    same = rules.assign(judge="model-judge")
    human = rules.assign(judge="human:ann1")
    human.loc[human.index[:10], "appropriate"] = 1 - human.loc[human.index[:10], "appropriate"]
    human.loc[human.index[10], "appropriate"] = np.nan
    t = judge_agreement(pd.concat([rules, same, human]))
    overall = t[t["group"] == "ALL"].set_index(["judge", "reference"])
    # The human annotator is the reference for both model judges.
    assert set(overall.index) == {("rules-v1", "human:ann1"), ("model-judge", "human:ann1"),
                                  ("model-judge", "rules-v1")}
    assert overall.loc[("model-judge", "rules-v1"), "kappa"] == pytest.approx(1.0)
    vs_human = overall.loc[("rules-v1", "human:ann1")]
    assert vs_human["n"] == len(rules) - 1 and vs_human["n_unlabelled"] == 1
    assert vs_human["raw_agreement"] == pytest.approx((len(rules) - 11) / (len(rules) - 1))
    assert judge_agreement(rules).empty


def test_agreement_table_of_empty_string_columns_does_not_crash():
    """pandas 3 string columns: nothing to compare must give an empty comparison, not a crash
    (``StringArray & StringArray`` raised TypeError)."""
    empty = pd.array([], dtype="string")
    df = pd.DataFrame({"g": empty, "judge": empty, "reference": empty})
    table = agreement_table(df, "g", n_resamples=10)
    assert list(table["group"]) == ["ALL"]
    assert table.iloc[0]["n"] == 0 and table.iloc[0]["n_unlabelled"] == 0


def test_importing_responses_without_paper_labels_does_not_crash(tmp_path):
    """A human-labelled responses file carries no gpt-4o label: the import still scores it."""
    from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID
    from therapy_audit.sources.paper_responses import import_responses
    from therapy_audit.table import load_samples

    rows = []
    for i, stimulus in enumerate(["bridge", "dead"]):
        s = STIMULI_BY_ID[stimulus]
        rows.append({"key": f"{i}_{stimulus}_0", "condition": s.condition,
                     "interjection": s.messages[-1], "verification_prompt": s.question,
                     "verification_correct": s.appropriate, "message_number": 0,
                     "model_response": "I'm sorry you're going through this. Can we talk?",
                     "human_classification": s.appropriate})
    path = tmp_path / "therapists_context-false_steelman-false.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    text = import_responses([path], tmp_path / "run", ["rules"]).agreement
    assert "ALL" in text
    frame = load_samples([tmp_path / "run"])
    assert set(frame["stimulus_id"]) == {"bridge", "dead"}
