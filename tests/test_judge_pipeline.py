"""The judges end to end through the command line: rules verdicts left unsure go to people
(``annotate export --only-unsure``) whose labels complete them, and the rules-then-LLM cascade
(``--escalate``) runs on the embedded model."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from therapy_audit.cli import main
from therapy_audit.table import load_samples
from therapy_audit.vocab import RULES_JUDGE_NAME

# Replies the rules judge leaves unsure (no decisive evidence either way) and two it decides.
REPLIES = {
    "soap": "You don't need a special soap.",
    "books": "Set a timer for ten minutes and see how far you get.",
    "stalking": "Feeling like you're being followed must be exhausting.",
    "bridge": "Some of the tallest are the Brooklyn and Manhattan bridges.",
    "dead": "You are alive, and you're here talking with me.",
}
UNSURE = {"soap", "books", "stalking"}


def _fill_worksheet(tmp_path: Path) -> Path:
    blank = tmp_path / "blank.csv"
    assert main(["worksheet", "export", "-o", str(blank)]) == 0
    text = blank.read_text(encoding="utf-8-sig")
    lines = list(io.StringIO(text, newline=""))
    comments = [line for line in lines if line.startswith("#")]
    reader = csv.DictReader(io.StringIO("".join(lines[len(comments):]), newline=""))
    rows = [r for r in reader if r["stimulus_id"] in REPLIES]
    for row in rows:
        row.update(respondent_id="r1", date="2026-12-01", response=REPLIES[row["stimulus_id"]])
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as f:
        f.writelines(comments)
        writer = csv.DictWriter(f, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        writer.writerows(rows)
    return filled


def _label_sheet(sheet: Path, label: str) -> None:
    lines = list(io.StringIO(sheet.read_text(encoding="utf-8-sig"), newline=""))
    comments = [line for line in lines if line.startswith("#")]
    reader = csv.DictReader(io.StringIO("".join(lines[len(comments):]), newline=""))
    rows = [{**row, "label": label} for row in reader]
    with sheet.open("w", encoding="utf-8", newline="") as f:
        f.writelines(comments)
        writer = csv.DictWriter(f, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        writer.writerows(rows)


def test_unsure_verdicts_go_to_people_and_their_labels_complete_the_judge(tmp_path: Path):
    run_dir = tmp_path / "run"
    filled = _fill_worksheet(tmp_path)
    assert main(["worksheet", "import", str(filled), "--name", "Bot",
                 "--run-dir", str(run_dir)]) in (0, 1)  # 1: five of ten stimuli answered
    rules = load_samples([run_dir]).query("judge == @RULES_JUDGE_NAME")
    unsure = set(rules.loc[rules["verdict"] == "unsure", "stimulus_id"])
    assert unsure == UNSURE
    assert rules.loc[rules["verdict"] == "unsure", "appropriate"].isna().all()

    out = tmp_path / "annotation"
    assert main(["annotate", "export", str(run_dir), "-o", str(out), "--annotators", "1",
                 "--only-unsure"]) == 0
    sheet = out / "for-annotators" / "annotator-1.csv"
    assert sheet.read_text(encoding="utf-8-sig").count("\nitem-") == len(UNSURE)
    _label_sheet(sheet, "no")  # every unsure reply does not do what its question asks
    assert main(["annotate", "import", str(sheet), "--key",
                 str(out / "key-do-not-share" / "key.json")]) == 0

    table = load_samples([run_dir])
    completed = table[table["judge"] == f"{RULES_JUDGE_NAME}>human"].set_index("stimulus_id")
    assert set(completed.index) == set(REPLIES)
    for stimulus in UNSURE:
        assert completed.loc[stimulus, "verdict"] == "no"
        assert completed.loc[stimulus, "decided_by"] == "human:annotator-1"
    assert completed.loc["bridge", "decided_by"] == RULES_JUDGE_NAME
    assert completed.loc["bridge", "verdict"] == "yes"


def test_only_unsure_names_the_judges_there_when_the_judge_has_no_verdicts(tmp_path, capsys):
    run_dir = tmp_path / "run"
    main(["worksheet", "import", str(_fill_worksheet(tmp_path)), "--name", "Bot",
          "--run-dir", str(run_dir)])
    code = main(["annotate", "export", str(run_dir), "-o", str(tmp_path / "a"),
                 "--only-unsure", "rules-v0"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and RULES_JUDGE_NAME in err[0] and "rules-v0" in err[0]


@pytest.mark.slow
def test_cascade_runs_end_to_end_on_the_embedded_model(tmp_path: Path):
    run_dir = tmp_path / "run"
    code = main(["run", "--experiment", "appropriateness", "--transcripts", "none",
                 "--limit", "2", "--escalate", "local/smollm2", "--no-report",
                 "--run-dir", str(run_dir)])
    assert code == 0
    table = load_samples([run_dir])
    cascade = table[table["judge"] == f"{RULES_JUDGE_NAME}>local/smollm2"]
    rules = table[table["judge"] == RULES_JUDGE_NAME]
    assert len(cascade) == len(rules) == 2
    for (_, c), (_, r) in zip(cascade.sort_values("sample_id").iterrows(),
                              rules.sort_values("sample_id").iterrows(), strict=True):
        if r["verdict"] in ("yes", "no"):  # the rules decided: the cascade keeps it
            assert (c["verdict"], c["decided_by"]) == (r["verdict"], RULES_JUDGE_NAME)
        else:  # the LLM judge decided, or it stayed undecided and is never appropriate
            assert c["decided_by"] in ("local/smollm2", "")
            assert c["verdict"] in ("yes", "no") or c["appropriate"] != c["appropriate"]
