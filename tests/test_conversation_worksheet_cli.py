"""``worksheet export|import --experiment conversation``: a person plays the scripted client with
an app-only bot, pasting each reply; the filled sheet is judged turn by turn like a model's run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conversation_fixtures import BRIDGES, FRIENDLY, SAFE

from therapy_audit.cli import main
from therapy_audit.table import load_samples

REPLIES = {"bridge-explicit-1": [SAFE] * 5 + [BRIDGES],  # stopped after turn 6
           "bridge-explicit-1-control": [FRIENDLY] * 7}


def _fill(sheet: Path, filled: Path, respondent: str = "r1") -> None:
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    header = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader([line for line in lines if not line.startswith("#")]))
    for row in rows:
        replies = REPLIES.get(row["card_id"], [])
        turn = int(row["turn"])
        row.update(respondent_id=respondent, date="2026-01-01",
                   response=replies[turn - 1] if turn <= len(replies) else "")
    with filled.open("w", encoding="utf-8", newline="") as f:
        f.write("\n".join(header) + "\n")
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_conversation_worksheet_round_trip_is_judged_turn_by_turn(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    assert main(["worksheet", "export", "--experiment", "conversation", "-o", str(sheet)]) == 0
    rows = list(csv.DictReader(line for line in sheet.read_text(encoding="utf-8-sig")
                               .splitlines() if not line.startswith("#")))
    assert len(rows) == 10 * 7  # the default personas, 7 turns each
    assert [r["turn"] for r in rows[:7]] == [str(t) for t in range(1, 8)]
    filled = tmp_path / "filled.csv"
    _fill(sheet, filled)
    run_dir = tmp_path / "run"
    code = main(["worksheet", "import", "--experiment", "conversation", str(filled),
                 "--name", "App bot", "--run-dir", str(run_dir)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Imported 2 conversation(s)" in out and "App bot [r1]" in out
    frame = load_samples([run_dir]).set_index(["card_id", "turn"])
    assert set(frame["model"]) == {"App bot [r1]"}
    assert frame.loc[("bridge-explicit-1", 5), "appropriate"] == 1.0
    assert frame.loc[("bridge-explicit-1", 6), "appropriate"] == 0.0  # named bridges
    assert ("bridge-explicit-1", 7) not in frame.index  # not filled: not judged
    assert frame.loc[("bridge-explicit-1-control", 7), "appropriate"] == 1.0


def test_a_conversation_worksheet_with_no_reply_or_as_xlsx_is_a_one_line_error(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    assert main(["worksheet", "export", "--experiment", "conversation", "-o", str(sheet)]) == 0
    code = main(["worksheet", "import", "--experiment", "conversation", str(sheet), "--name",
                 "x", "--run-dir", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "no conversation has a reply" in err and "\n" not in err
    assert main(["worksheet", "export", "--experiment", "conversation", "--xlsx",
                 str(tmp_path / "s.xlsx")]) == 2
    with pytest.raises(SystemExit):
        main(["worksheet", "export", "--experiment", "conversation", "-o", str(sheet),
              "--phase-turns", "0"])


def _label(sheet: Path, labels: dict[str, str]) -> None:
    """Fill a sheet's label column: the first label whose text is in the response, else ''."""
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    header = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader([line for line in lines if not line.startswith("#")]))
    for row in rows:
        row["label"] = next((v for k, v in labels.items() if k in row["response"]), "")
    with sheet.open("w", encoding="utf-8", newline="") as f:
        f.write("\n".join(header) + "\n")
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_annotate_exports_judged_turns_blinded_and_imports_them_as_a_human_judge(tmp_path,
                                                                                 capsys):
    sheet = tmp_path / "sheet.csv"
    main(["worksheet", "export", "--experiment", "conversation", "-o", str(sheet)])
    filled = tmp_path / "filled.csv"
    _fill(sheet, filled)
    run_dir = tmp_path / "run"
    main(["worksheet", "import", "--experiment", "conversation", str(filled), "--name", "Bot",
          "--run-dir", str(run_dir)])
    out = tmp_path / "ann"
    assert main(["annotate", "export", str(run_dir), "--experiment", "conversation", "-o",
                 str(out), "--annotators", "1"]) == 0
    ann = out / "for-annotators" / "annotator-1.csv"
    text = ann.read_text(encoding="utf-8-sig")
    items = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    # Judged turns with a reply: bridge 5 and 6 (7 not filled), the control twin 5, 6 and 7.
    assert len(items) == 5
    assert "Bot" not in text and "rules-v2" not in text  # blinded: no model, no verdict
    # Each item shows the conversation up to the turn's client message, not the reply.
    bridge6 = next(i for i in items if i["response"] == BRIDGES)
    assert bridge6["stimulus"].rstrip().startswith("Client:")
    assert BRIDGES not in bridge6["stimulus"]
    _label(ann, {BRIDGES: "yes", SAFE: "no"})  # the control twin's turns are left blank
    capsys.readouterr()
    assert main(["annotate", "import", str(ann), "--key",
                 str(out / "key-do-not-share" / "key.json"), "--annotator", "ann1"]) == 0
    frame = load_samples([run_dir])
    human = frame[frame["judge"] == "human:ann1"].set_index(["card_id", "turn"])
    assert human.loc[("bridge-explicit-1", 5), "appropriate"] == 1.0
    assert human.loc[("bridge-explicit-1", 6), "appropriate"] == 0.0
    assert human.loc[("bridge-explicit-1-control", 5), "verdict"] == ""  # blank: unjudged
    assert set(human["model"]) == {"Bot [r1]"}
