"""Importing the paper's recorded results reproduces its coding and its judge's labels."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from paper_checkout import (
    HUMAN_JSONL,
    LABEL,
    LLAMA2_7B,
    OVERFLOW,
    REFERENCE_RESPONSES,
    REFERENCE_STIGMA,
    raw_appropriate,
    raw_stigma_not_control,
    recorded_stigma,
    reference_checkout,
)

from therapy_audit.cli import main
from therapy_audit.sources.paper_files import paper_file
from therapy_audit.sources.paper_rows import HUMAN_PAPER_JUDGE
from therapy_audit.stigma.questions import question_for_text
from therapy_audit.vocab import PAPER_JUDGE

pytestmark = [pytest.mark.slow, pytest.mark.reference]


def _sample_id(row: dict) -> str:
    question = question_for_text(row["question_only"])
    parts = (row["condition"], row["race"], row["gender"], row["education"], question.id)
    return "-".join(str(p).lower().replace(" ", "_") for p in parts)


def test_import_paper_stigma_then_export_reproduces_every_recorded_code(
    reference_dir, tmp_path
):
    files = sorted((reference_dir / "stigma").glob("*.jsonl"))
    assert len(files) == 4
    run_dir = tmp_path / "run"
    assert main(["import", "paper-stigma", *map(str, files), "--run-dir", str(run_dir)]) == 0
    out = tmp_path / "export.csv"
    assert main(["export", str(run_dir), "-o", str(out)]) == 0
    frame = pd.read_csv(out, keep_default_na=False, na_values=[""])
    for path in files:
        model, steel = path.stem.split("_steelman-")
        preset = "steel-man" if steel == "true" else "none"
        mine = frame[(frame["model"] == f"replay/{model}") & (frame["system_prompt"] == preset)]
        mine = mine.set_index("sample_id")
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(mine) == len(rows) == 1008
        same = 0
        for row in rows:
            ours = mine.loc[_sample_id(row), "code"]
            theirs = row["code"]
            same += (theirs is None and math.isnan(ours)) or (theirs is not None
                                                              and ours == float(theirs))
        assert same == 1008, f"{path.name}: {same} of 1008 codes reproduced"

    # The report's per-condition stigma rates equal those of the recorded codes.
    tables = tmp_path / "tables"
    assert main(["report", str(run_dir), "-o", str(tmp_path / "r.html"), "--csv",
                 str(tables)]) == 0
    reported = pd.read_csv(tables / "stigma_by_condition.csv")
    assert not pd.read_csv(tables / "significance.csv").empty
    for path in files:
        model, steel = path.stem.split("_steelman-")
        preset = "steel-man" if steel == "true" else "none"
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        for condition in ("daily troubles", "depression", "alcohol dependence", "schizophrenia"):
            stigma = [recorded_stigma(r) for r in rows if r["condition"] == condition]
            stigma = [v for v in stigma if v is not None]
            got = reported[(reported["model"] == f"replay/{model}")
                           & (reported["system_prompt"] == preset)
                           & (reported["condition"] == condition)]["rate"].item()
            assert round(got, 3) == round(sum(stigma) / len(stigma), 3)


def test_import_paper_responses_rejudges_and_reports_agreement(reference_dir, tmp_path, capsys):
    files = sorted((reference_dir / "appropriateness").glob("*.jsonl"))
    assert main(["import", "paper-responses", *map(str, files),
                 "--run-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    overall = [line for line in out.splitlines() if line.strip().startswith("ALL")]
    assert overall, out[-2000:]
    header = next(line.split() for line in out.splitlines() if line.split()[:2] == ["group", "n"])
    row = dict(zip(header, overall[-1].split(), strict=True))
    # every labelled response is either compared or counted as the judge's abstention
    assert int(row["n"]) + int(row["n_unsure"]) == 2100 and int(row["n_unlabelled"]) == 0
    assert int(row["n_unsure"]) <= 0.02 * 2100  # the rules decide nearly all of them
    kappa = float(row["kappa"])
    assert kappa >= 0.90


def test_reimporting_a_changed_results_file_replaces_the_earlier_import(reference_dir,
                                                                        tmp_path):
    source = reference_dir / "stigma" / "llama3.1-8b_steelman-false.jsonl"
    rows = [json.loads(line) for line in source.read_text().splitlines()[:14]]
    path = tmp_path / "tiny_steelman-false.jsonl"
    run_dir = tmp_path / "run"

    def import_and_read(outputs: list[str]) -> pd.Series:
        for row, output in zip(rows, outputs, strict=True):
            row["output"] = output
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        assert main(["import", "paper-stigma", str(path), "--run-dir", str(run_dir)]) == 0
        out = tmp_path / "export.csv"
        assert main(["export", str(run_dir), "-o", str(out)]) == 0
        return pd.read_csv(out, keep_default_na=False)["raw_output"]

    assert set(import_and_read(["A"] * 14)) == {"A"}
    again = import_and_read(["D"] * 14)
    assert len(again) == 14 and set(again) == {"D"}


def test_import_paper_on_the_repository_layout_reproduces_the_recorded_figures(
        reference_dir, tmp_path, capsys):
    """Slices of the reference files, placed as in the paper's repository, with a
    human-labelled JSON Lines file, a bot's and the therapists' CSV files."""
    repo = reference_checkout(reference_dir, tmp_path / "repo")
    run, tables = tmp_path / "run", tmp_path / "tables"
    assert main(["import", "paper", str(repo), "--run-dir", str(run)]) == 0
    out = capsys.readouterr().out
    assert "Imported 11 of 11 recognised file(s)" in out
    assert "10 never produced; paper:gpt-4o-2024-08-06 20 labels" in out
    assert "Skipped 3 file(s):" in out and "stray.md" in out
    line = next(line for line in out.splitlines() if f"replay/{LLAMA2_7B}" in line)
    assert "no parseable answers" in line
    human = next(line for line in out.splitlines() if "· steel-man" in line
                 and line.lstrip().startswith("responses"))
    assert "human:paper 30 labels" in human and "paper:gpt-4o" not in human
    assert main(["report", str(run), "-o", str(tmp_path / "r.html"), "--csv", str(tables)]) == 0

    stigma = pd.read_csv(tables / "stigma_by_condition.csv")
    overall = stigma[stigma["condition"] == "overall (not control)"]
    for folder, name in REFERENCE_STIGMA.values():
        path = repo / "results" / "stigma" / folder / name
        source = paper_file(path, with_context=False)
        model = source.display + (f" @{source.date}" if "steel-man-prompt=False" in folder
                                  else "")
        got = overall[(overall["model"] == model)
                      & (overall["system_prompt"] == source.preset("").label)]
        assert round(got["rate"].item(), 3) == round(raw_stigma_not_control(path), 3), path

    rates = pd.read_csv(tables / "appropriateness_overall.csv")
    counts = pd.read_csv(tables / "outcome_counts.csv", keep_default_na=False)
    inter = repo / "results" / "interjections"
    checks = [(inter / folder / "2025-01-20.jsonl", PAPER_JUDGE, LABEL)
              for folder in [*REFERENCE_RESPONSES.values(), OVERFLOW[1]]]
    checks.append((inter / HUMAN_JSONL[1] / "2025-01-19.jsonl", HUMAN_PAPER_JUDGE,
                   "human_classification"))
    checks += [(p, HUMAN_PAPER_JUDGE, "human_classification") for p in inter.rglob("*.csv")
               if p.name != "all_combined.csv"]
    for path, judge, column in checks:
        source = paper_file(path, with_context=True)
        config = (rates["model"] == source.display) & (rates["system_prompt"]
                                                       == source.preset("").label)
        row = rates[config & (rates["judge"] == judge)]
        paper_rate, judged_rate = raw_appropriate(path, column)
        # the rate over judged responses; the headline counts a response never produced as
        # not appropriate, as the paper's figures do (a blank label stays unjudged)
        assert round(row["paper_rate"].item(), 3) == round(judged_rate, 3), path
        mine = counts[(counts["model"] == source.display) & (counts["experiment"]
                                                             == "appropriateness")]
        samples = mine.loc[mine["judge"].isin([judge, "(no judge)"]), "rows"].sum()
        assert samples == 30 or path.suffix == ".csv"
        assert round(row["k"].item() / samples, 3) == round(paper_rate, 3), path
        if not mine.loc[mine["judge"] == judge, "unjudged"].sum():
            assert round(row["rate"].item(), 3) == round(paper_rate, 3), path
