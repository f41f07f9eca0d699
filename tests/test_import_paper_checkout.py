"""``import paper DIR`` on a small checkout in the paper's layout, written from the project's
own records (so it always runs): every results file imported as its own configuration, the
rest skipped with reasons, human labels kept as judge ``human:paper``, and the report's tables
equal to the paper's arithmetic on the raw files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.log import read_eval_log_samples
from paper_checkout import (
    GPT4O,
    LABEL,
    LLAMA2_7B,
    LLAMA2_70B,
    LLAMA8B,
    bot_dir,
    raw_appropriate,
    raw_stigma_not_control,
    responses_dir,
    stigma_dir,
    synthetic_checkout,
)

from therapy_audit.cli import main
from therapy_audit.sources.paper_rows import HUMAN_PAPER_JUDGE
from therapy_audit.stigma.questions import question_for_text
from therapy_audit.vocab import PAPER_JUDGE, RULES_JUDGE_NAME

STIGMA_FILES = {  # file under results/stigma -> (model, system prompt) in the tables
    f"{stigma_dir(GPT4O, True)}/2025-01-18.jsonl": (f"replay/{GPT4O}", "steel-man"),
    f"{stigma_dir(LLAMA8B, True)}/2025-01-18.jsonl": (f"replay/{LLAMA8B}", "steel-man"),
    f"{stigma_dir(LLAMA8B, False)}/2025-01-01.jsonl": (f"replay/{LLAMA8B} @2025-01-01", "none"),
    f"{stigma_dir(LLAMA8B, False)}/2025-01-02.jsonl": (f"replay/{LLAMA8B} @2025-01-02", "none"),
}
UNPARSEABLE = (f"replay/{LLAMA2_7B}", "steel-man")
RESPONSE_FILES = {  # file under results/interjections -> (model, prompt, judge, label column)
    f"{responses_dir(GPT4O, False, False)}/2025-01-19.jsonl": (
        f"replay/{GPT4O}", "none", PAPER_JUDGE, LABEL),
    f"{responses_dir(LLAMA2_70B, False, True)}/2025-01-20.jsonl": (
        f"replay/{LLAMA2_70B}+context", "none", PAPER_JUDGE, LABEL),
    f"{responses_dir(LLAMA8B, True, False)}/2025-01-19.jsonl": (
        f"replay/{LLAMA8B}", "steel-man", HUMAN_PAPER_JUDGE, "human_classification"),
    f"{bot_dir('Noni-7cups')}/2025-01-07.csv": (
        "replay/Noni-7cups", "none", HUMAN_PAPER_JUDGE, "human_classification"),
    f"{bot_dir('human_therapist', '2025-04-14')}/2025-04-15.csv": (
        "replay/human_therapist", "none", HUMAN_PAPER_JUDGE, "human_classification"),
}


def _cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The checkout imported once, exported, and reported with CSV tables."""
    base = tmp_path_factory.mktemp("paper")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("INSPECT_CACHE_DIR", "XDG_DATA_HOME"):
            mp.setenv(name, os.environ.get(name, str(base / "unused")))
        mp.setenv("INSPECT_DISPLAY", "none")
        repo = synthetic_checkout(base / "repo")
        run = base / "run"
        code, out, err = _cli("import", "paper", repo, "--run-dir", run)
        assert _cli("export", run, "-o", base / "export.csv")[0] == 0
        assert _cli("report", run, "-o", base / "r.html", "--csv", base / "tables")[0] == 0
        yield {"code": code, "out": out, "err": err, "repo": repo, "run": run, "base": base,
               "export": pd.read_csv(base / "export.csv", keep_default_na=False,
                                     na_values=[""])}


def _table(imported, name: str) -> pd.DataFrame:
    return pd.read_csv(imported["base"] / "tables" / f"{name}.csv", keep_default_na=False,
                       na_values=[""])


def test_every_results_file_is_imported_with_one_line_and_the_rest_listed_as_skipped(imported):
    assert imported["code"] == 0, imported["err"]
    out = imported["out"]
    lines = [line for line in out.splitlines() if line.startswith("  stigma ")
             or line.startswith("  responses ")]
    assert len(lines) == 10
    assert any(f"replay/{LLAMA8B} @2025-01-01 · none" in line and "28 rows" in line
               for line in lines)
    assert any(UNPARSEABLE[0] in line and "no parseable answers" in line for line in lines)
    assert any(f"replay/{LLAMA2_70B}+context · none" in line and "4 never produced" in line
               for line in lines)
    noni = next(line for line in lines if "replay/Noni-7cups" in line)
    assert "human:paper 8 labels, 1 empty (line 9), 1 unrecognised (line 11: 'maybe')" in noni
    skipped = out[out.index("Skipped 5 file(s):"):]
    for name in ("stigma/all_combined.csv", "interjections/all_combined.csv", "notes.txt",
                 "/2025-01-19.csv", "/classification_validation.csv"):
        assert name in skipped
    assert "would count every response twice" in skipped
    human = next(line for line in lines if "· steel-man" in line and "responses" in line)
    assert "human:paper 10 labels" in human and "paper:gpt-4o" not in human
    assert "Imported 10 of 10 recognised file(s)" in out


def test_each_file_is_its_own_configuration_and_contextualised_runs_stay_apart(imported):
    frame = imported["export"]
    configs = set(frame[["model", "system_prompt", "experiment"]].itertuples(index=False,
                                                                               name=None))
    expected = {(m, p, "stigma") for m, p in [*STIGMA_FILES.values(), UNPARSEABLE]}
    expected |= {(m, p, "appropriateness") for m, p, _, _ in RESPONSE_FILES.values()}
    assert configs == expected
    stigma = frame[frame["experiment"] == "stigma"]
    assert stigma.groupby(["model", "system_prompt"]).size().eq(28).all()


def test_the_two_runs_of_one_configuration_keep_their_own_answers(imported):
    frame = imported["export"]
    for name, (model, prompt) in STIGMA_FILES.items():
        if "@" not in model:
            continue
        rows = _raw_rows(imported["repo"] / "results" / "stigma" / name)
        mine = frame[(frame["model"] == model) & (frame["system_prompt"] == prompt)]
        assert list(mine.sort_values("sample_id")["raw_output"]) == [
            r["output"] for r in sorted(rows, key=_sample_id)]


def _raw_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _sample_id(row: dict) -> str:
    parts = (row["condition"], row["race"], row["gender"], row["education"],
             question_for_text(row["question_only"]).id)
    return "-".join(str(p).lower().replace(" ", "_") for p in parts)


def test_human_labels_are_a_recorded_judge_beside_our_judges(imported):
    frame = imported["export"]
    noni = frame[frame["model"] == "replay/Noni-7cups"]
    human = noni[noni["judge"] == HUMAN_PAPER_JUDGE]
    assert len(human) == 10 and set(noni["judge"]) == {HUMAN_PAPER_JUDGE, RULES_JUDGE_NAME}
    assert sorted(human["verdict"].fillna("")) == [""] * 2 + ["no"] * 5 + ["yes"] * 3
    assert human["appropriate"].isna().sum() == 2  # the empty and the unrecognised label
    therapists = frame[frame["model"] == "replay/human_therapist"]
    assert (therapists["judge"] == HUMAN_PAPER_JUDGE).sum() == 10


def test_a_file_in_which_nothing_parses_is_counted_as_unparseable(imported):
    frame = imported["export"]
    rows = frame[frame["model"] == UNPARSEABLE[0]]
    assert len(rows) == 28 and set(rows["parse_status"]) == {"unparseable"}
    counts = _table(imported, "outcome_counts")
    row = counts[(counts["model"] == UNPARSEABLE[0]) & (counts["experiment"] == "stigma")]
    assert (row["unparseable"].item(), row["scored"].item()) == (28, 0)
    assert "No parseable answers" not in imported["out"]  # import paper prints lines only


def test_importing_the_unparseable_file_alone_says_so_in_its_summary(imported, tmp_path):
    path = (imported["repo"] / "results" / "stigma" / stigma_dir(LLAMA2_7B, True)
            / "2025-01-19.jsonl")
    code, out, err = _cli("import", "paper-stigma", path, "--run-dir", tmp_path / "run")
    assert code == 0, err
    assert "no parseable answers; coded 0, do not know 0, unparseable 28" in out
    assert "No parseable answers: none of the 28 outputs gives an option" in out


def test_responses_never_produced_are_errors_counted_in_the_outcomes(imported):
    frame = imported["export"]
    model = f"replay/{LLAMA2_70B}+context"
    errors = frame[(frame["model"] == model) & frame["error"].notna()]
    assert len(errors) == 4 and set(errors["judge"].fillna("")) == {""}
    assert errors["error"].str.contains("no output").all()
    # the mark the paper's convention (never produced = not appropriate) is computed from
    (log,) = (imported["run"] / "logs" / "appropriateness").glob("*Llama-2-70b*/none/*.eval")
    marks = {s.id: (s.metadata["never_produced"], s.error is not None)
             for s in read_eval_log_samples(str(log))}
    assert sorted(marks.values()) == [(False, False)] * 6 + [(True, True)] * 4


def test_a_file_with_no_recorded_labels_is_judged_by_our_judges_only(imported, tmp_path):
    rows = [json.loads(line) for line in (
        imported["repo"] / "results" / "interjections" / next(iter(RESPONSE_FILES))
    ).read_text().splitlines()]
    for row in rows:
        del row[LABEL]
    path = tmp_path / "unlabelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = _cli("import", "paper-responses", path, "--model", "bot", "--steel-man",
                          "false", "--contextualize", "false", "--run-dir", tmp_path / "run")
    assert code == 0, err
    assert "no recorded labels: judged by rules only" in out
    assert "No recorded labels to compare the judges with." in out
    assert _cli("export", tmp_path / "run", "-o", tmp_path / "e.csv")[0] == 0
    frame = pd.read_csv(tmp_path / "e.csv")
    assert set(frame["judge"]) == {RULES_JUDGE_NAME} and set(frame["model"]) == {"replay/bot"}


def test_report_tables_equal_the_papers_arithmetic_on_the_raw_files(imported):
    stigma = _table(imported, "stigma_by_condition")
    overall = stigma[stigma["condition"] == "overall (not control)"]
    for name, (model, prompt) in STIGMA_FILES.items():
        got = overall[(overall["model"] == model) & (overall["system_prompt"] == prompt)]
        raw = raw_stigma_not_control(imported["repo"] / "results" / "stigma" / name)
        assert round(got["rate"].item(), 3) == round(raw, 3), name
    rates = _table(imported, "appropriateness_overall")
    counts = _table(imported, "outcome_counts")
    for name, (model, prompt, judge, column) in RESPONSE_FILES.items():
        paper_rate, judged_rate = raw_appropriate(
            imported["repo"] / "results" / "interjections" / name, column)
        config = (rates["model"] == model) & (rates["system_prompt"] == prompt)
        row = rates[config & (rates["judge"] == judge)]
        # the headline counts a response never produced as not appropriate, as the paper's
        # figures do; the rate over the responses the judge judged stands beside it
        # (a response whose label is blank stays unjudged: left out of both, and counted)
        assert round(row["paper_rate"].item(), 3) == round(judged_rate, 3), name
        mine = counts[(counts["model"] == model) & (counts["system_prompt"] == prompt)
                      & (counts["experiment"] == "appropriateness")]
        samples = mine.loc[mine["judge"].isin([judge, "(no judge)"]), "rows"].sum()
        unjudged = mine.loc[mine["judge"] == judge, "unjudged"].sum()
        assert samples == 10 and row["n"].item() == samples - unjudged, name
        assert round(row["k"].item() / samples, 3) == round(paper_rate, 3), name
        if not unjudged:  # every prompt labelled or never produced: the paper's own figure
            assert round(row["rate"].item(), 3) == round(paper_rate, 3), name


def test_reimporting_one_file_of_the_pair_replaces_it_under_its_dated_name(imported, tmp_path):
    path = (imported["repo"] / "results" / "stigma" / stigma_dir(LLAMA8B, False)
            / "2025-01-02.jsonl")
    code, out, err = _cli("import", "paper-stigma", path, "--run-dir", imported["run"])
    assert code == 0, err
    assert f"replay/{LLAMA8B} @2025-01-02 · none" in out
    exported = tmp_path / "again.csv"
    assert _cli("export", imported["run"], "-o", exported)[0] == 0
    frame = pd.read_csv(exported, keep_default_na=False)
    assert len(frame[frame["experiment"] == "stigma"]) == 5 * 28  # nothing added, nothing lost


def test_a_second_file_of_one_configuration_is_never_merged_into_an_earlier_import(
        imported, tmp_path):
    folder = imported["repo"] / "results" / "stigma" / stigma_dir(LLAMA8B, False)
    run = tmp_path / "run"
    assert _cli("import", "paper-stigma", folder / "2025-01-01.jsonl", "--run-dir", run)[0] == 0
    code, out, err = _cli("import", "paper-stigma", folder / "2025-01-02.jsonl",
                          "--run-dir", run)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "already holds stigma/" in err and "import both files in one command" in err
    assert _cli("import", "paper-stigma", folder / "2025-01-01.jsonl",
                folder / "2025-01-02.jsonl", "--run-dir", run)[0] == 0
    assert _cli("export", run, "-o", tmp_path / "e.csv")[0] == 0
    models = pd.read_csv(tmp_path / "e.csv").groupby("model").size().to_dict()
    assert models == {f"replay/{LLAMA8B} @2025-01-01": 28, f"replay/{LLAMA8B} @2025-01-02": 28}


def test_a_recognised_file_that_fails_is_reported_and_the_others_still_import(
        imported, tmp_path):
    repo = tmp_path / "repo"
    name = f"{stigma_dir(GPT4O, True)}/2025-01-18.jsonl"
    good = repo / "results" / "stigma" / name
    good.parent.mkdir(parents=True)
    shutil.copy(imported["repo"] / "results" / "stigma" / name, good)
    broken = repo / "results" / "stigma" / stigma_dir(GPT4O, False) / "2025-01-18.jsonl"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"output": "A", "question_only": "?"}\n')
    code, out, err = _cli("import", "paper", repo, "--run-dir", tmp_path / "run")
    assert code == 1
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "2025-01-18.jsonl" in failed[0] and "missing field" in failed[0]
    assert f"replay/{GPT4O} · steel-man" in out and "Imported 1 of 2" in out
    assert "1 file(s) failed to import" in err
