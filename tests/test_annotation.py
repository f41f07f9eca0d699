"""Human validation of judges: blinded sheets out, labels back in as ``human:<id>`` judges."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from therapy_audit.analysis.agreement import judge_agreement
from therapy_audit.analysis.report import write_report
from therapy_audit.appropriateness.stimuli import STIMULI
from therapy_audit.cli import collect
from therapy_audit.rundir import use_run_dir
from therapy_audit.sources.annotation import (
    SHEET_COLUMNS,
    annotator_agreement,
    import_annotations,
)
from therapy_audit.sources.worksheet import WORKSHEET_COLUMNS, import_worksheet, worksheet_rows
from therapy_audit.table import load_samples
from therapy_audit.vocab import RULES_JUDGE_NAME

BOT = "Zephyrbot"
# Two respondents' replies to the ten stimuli; two start like spreadsheet formulas.
REPLIES = {
    "r1": {s.id: f"I hear you. Tell me more about what is going on ({s.id} reply one)."
           for s in STIMULI},
    "r2": {s.id: f"Thank you for telling me. How long has this been happening? ({s.id} two)"
           for s in STIMULI},
}
REPLIES["r2"]["bridge"] = "- Brooklyn Bridge\n- Manhattan Bridge"
REPLIES["r1"]["soap"] = "=HYPERLINK(\"http://example.invalid\") any soap works"

# Appropriateness calls (1 appropriate, 0 not) of three annotators on the 20 items, in item-id
# order. None = no usable label: annotator-2 leaves item 5 blank and writes "Maybe" on item 9;
# annotator-3's sheet lacks item 12.
A1 = [1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1]
A2 = [1, 1, 0, 1, 1, None, 1, 0, 1, None, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0]
A3 = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, None, 1, 1, 1, 0, 1, 0, 1]
CALLS = {"annotator-1": A1, "annotator-2": A2, "annotator-3": A3}


def cli(*argv: object) -> int:
    parser = argparse.ArgumentParser(prog="therapy-audit")
    collect.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(a) for a in argv])
    return args.handler(args)


def read_sheet(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = list(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("".join(lines[len(comments):]), newline="")))
    return comments, rows


def write_sheet(path: Path, comments: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.writelines(comments)
        writer = csv.DictWriter(f, fieldnames=SHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def row_start(path: Path, prefix: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[:text.index("\n" + prefix)].count("\n") + 2


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A rules-judged run of two respondents' worksheets (20 responses)."""
    base = tmp_path_factory.mktemp("annotation")
    rows = []
    for respondent, replies in REPLIES.items():
        for row in worksheet_rows("none"):
            rows.append({**row, "respondent_id": respondent,
                         "response": replies[row["stimulus_id"]]})
    sheet = base / "worksheet.csv"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=WORKSHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    run = use_run_dir(base / "run")
    assert import_worksheet(sheet, BOT, run).complete
    return run


@pytest.fixture(scope="module")
def exported(run_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sheets")
    assert cli("annotate", "export", run_dir, "-o", out, "--annotators", 3, "--seed", 7) == 0
    return out


def label_for(call: int | None, answer: str, style: int) -> str:
    """The yes/no label that makes a response (in)appropriate, in varied case and spacing."""
    if call is None:
        return ""
    label = answer if call == 1 else ("no" if answer == "yes" else "yes")
    return [label, f" {label.upper()} ", label.capitalize()][style % 3]


# --- hand computations (independent of therapy_audit.analysis) --------------------------------


def hand_cohen(a: list[int], b: list[int]) -> float:
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    p_e = pa * pb + (1 - pa) * (1 - pb)
    return (p_o - p_e) / (1 - p_e)


def hand_fleiss(items: list[list[int]]) -> float:
    n, m = len(items), len(items[0])
    p_items = []
    yes_total = 0
    for ratings in items:
        yes = sum(ratings)
        no = m - yes
        yes_total += yes
        p_items.append((yes * yes + no * no - m) / (m * (m - 1)))
    p_bar = sum(p_items) / n
    p_yes = yes_total / (n * m)
    p_e = p_yes ** 2 + (1 - p_yes) ** 2
    return (p_bar - p_e) / (1 - p_e)


def hand_alpha(items: list[list[int]]) -> float:
    """Nominal Krippendorff's alpha from the coincidence matrix (units with >= 2 ratings)."""
    o = [[0.0, 0.0], [0.0, 0.0]]
    for ratings in items:
        if len(ratings) < 2:
            continue
        for i, ci in enumerate(ratings):
            for j, cj in enumerate(ratings):
                if i != j:
                    o[ci][cj] += 1 / (len(ratings) - 1)
    n0, n1 = sum(o[0]), sum(o[1])
    n = n0 + n1
    return 1 - (n - 1) * (o[0][1] + o[1][0]) / (2 * n0 * n1)


# --- tests -----------------------------------------------------------------------------------


def test_sheets_are_blinded_shuffled_and_the_key_is_separate(run_dir, exported):
    sheets = sorted((exported / "for-annotators").glob("*.csv"))
    assert [p.name for p in sheets] == ["annotator-1.csv", "annotator-2.csv", "annotator-3.csv"]
    orders = []
    for path in sheets:
        comments, rows = read_sheet(path)
        assert comments and list(rows[0]) == SHEET_COLUMNS
        assert len(rows) == 20 and all(r["label"] == "" for r in rows)
        text = path.read_text(encoding="utf-8-sig")
        for secret in (BOT, "replay", "rules", ".eval", "logs", "standalone", "worksheet",
                       str(run_dir)):
            assert secret not in text, secret
        orders.append([r["item_id"] for r in rows])
        by_text = {r["response"]: r for r in rows}
        assert "'- Brooklyn Bridge\n- Manhattan Bridge" in by_text  # not read as a formula
        assert any(t.startswith("'=HYPERLINK") for t in by_text)
        pesticides = next(r for r in rows if "pesticides" in r["response"])
        assert pesticides["stimulus"].startswith("Client: I want to hurt myself")
        assert pesticides["verification_question"].startswith("Does the response give examples")
    assert all(set(o) == set(orders[0]) for o in orders)
    assert len({tuple(o) for o in orders}) == 3  # same items, different orders
    key = json.loads((exported / "key-do-not-share" / "key.json").read_text())
    assert set(key["items"]) == set(orders[0])
    models = {e["model"] for e in key["items"].values()}
    assert models == {f"{BOT} [r1]", f"{BOT} [r2]"}
    assert all(e["log_file"].endswith(".eval") for e in key["items"].values())
    with pytest.raises(ValueError, match="already exist"):
        cli("annotate", "export", run_dir, "-o", exported)


def _fill_sheets(exported: Path, key: dict, order: list[str], tmp_path: Path) -> list[Path]:
    """Fill every annotator's sheet with CALLS; annotator-2 blanks one label and writes
    "Maybe" on another; annotator-3 drops one item and adds an unknown one."""
    filled = []
    for name, calls in CALLS.items():
        comments, rows = read_sheet(exported / "for-annotators" / f"{name}.csv")
        for n, row in enumerate(rows):
            i = order.index(row["item_id"])
            row["label"] = label_for(calls[i], key["items"][row["item_id"]]
                                     ["appropriate_answer"], n)
        if name == "annotator-2":
            rows[[r["item_id"] for r in rows].index(order[9])]["label"] = "Maybe"
        if name == "annotator-3":
            rows = [r for r in rows if r["item_id"] != order[12]]
            rows.append({**rows[0], "item_id": "item-9999", "label": "yes"})
        path = tmp_path / f"{name}.csv"
        write_sheet(path, comments, rows)
        filled.append(path)
    return filled


def _assert_pairwise_agreement(frame: pd.DataFrame) -> None:
    """Cohen's kappa of every annotator pair equals a hand computation, with its CI around it."""
    pairs = judge_agreement(frame)
    overall = pairs[pairs["group"] == "ALL"]
    for (na, a), (nb, b) in combinations(CALLS.items(), 2):
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        pair = {f"human:{na}", f"human:{nb}"}
        row = overall[[{j, r} == pair for j, r in zip(overall["judge"], overall["reference"],
                                                      strict=True)]]
        assert len(row) == 1
        assert row["n"].iloc[0] == len(both)
        assert row["n_unlabelled"].iloc[0] == 20 - len(both)
        assert row["kappa"].iloc[0] == pytest.approx(hand_cohen([x for x, _ in both],
                                                                [y for _, y in both]))
        assert row["ci_low"].iloc[0] <= row["kappa"].iloc[0] <= row["ci_high"].iloc[0]
    rules_vs_human = overall[(overall["judge"] == RULES_JUDGE_NAME)]
    assert set(rules_vs_human["reference"]) == {f"human:{n}" for n in CALLS}


def _assert_among_annotators(frame: pd.DataFrame) -> None:
    """Fleiss' kappa and Krippendorff's alpha equal hand computations, CIs around them."""
    among = annotator_agreement(frame).set_index(["statistic", "group"])
    per_item = [[c[i] for c in CALLS.values()] for i in range(20)]
    complete = [r for r in per_item if None not in r]
    rated = [[x for x in r if x is not None] for r in per_item]
    fleiss = among.loc[("Fleiss' kappa", "ALL")]
    assert fleiss["n_items"] == len(complete) == 17
    assert fleiss["value"] == pytest.approx(hand_fleiss(complete))
    alpha = among.loc[("Krippendorff's alpha", "ALL")]
    assert alpha["n_items"] == 20
    assert alpha["value"] == pytest.approx(hand_alpha(rated))
    for stat in (fleiss, alpha):
        assert stat["ci_low"] <= stat["value"] <= stat["ci_high"]


def test_labels_round_trip_into_agreement_statistics(run_dir, exported, tmp_path):
    key_path = exported / "key-do-not-share" / "key.json"
    key = json.loads(key_path.read_text())
    order = sorted(key["items"])
    filled = _fill_sheets(exported, key, order, tmp_path)

    result = import_annotations(filled, key_path)
    text = result.text()
    blank_line = row_start(filled[1], order[5] + ",")
    maybe_line = row_start(filled[1], order[9] + ",")
    assert f"unlabelled {order[5]}: annotator-2.csv line {blank_line}: blank label" in text
    assert f"unlabelled {order[9]}: annotator-2.csv line {maybe_line}: label 'Maybe'" in text
    assert f"unlabelled {order[12]}: missing from the sheet" in text
    unknown_line = row_start(filled[2], "item-9999,")
    assert f"rejected annotator-3.csv line {unknown_line}: item_id 'item-9999'" in text
    assert [len(s.labels) for s in result.sheets] == [20, 18, 19]

    frame = load_samples([run_dir])
    ap = frame[frame["experiment"] == "appropriateness"]
    assert sorted(ap["judge"].unique()) == ["human:annotator-1", "human:annotator-2",
                                            "human:annotator-3", RULES_JUDGE_NAME]
    assert ap.groupby("judge").size().to_dict() == {
        "human:annotator-1": 20, "human:annotator-2": 20, "human:annotator-3": 20,
        RULES_JUDGE_NAME: 20}
    # each human row is the call constructed for that item, unlabelled ones unjudged
    item_of = {(e["model"], e["sample_id"]): order.index(i) for i, e in key["items"].items()}
    for name, calls in CALLS.items():
        rows = ap[ap["judge"] == f"human:{name}"]
        for r in rows.itertuples():
            call = calls[item_of[(r.model, r.sample_id)]]
            if call is None:
                assert r.verdict == "" and r.appropriate != r.appropriate  # NaN
            else:
                assert r.appropriate == call

    _assert_pairwise_agreement(frame)
    _assert_among_annotators(frame)
    assert "Fleiss' kappa" in text and "Krippendorff's alpha" in text

    page = write_report(frame, tmp_path / "report.html").read_text()
    assert "human:annotator-1" in page and "Agreement between judges" in page


def test_reimporting_an_annotator_replaces_their_labels(run_dir, exported, tmp_path):
    key_path = exported / "key-do-not-share" / "key.json"
    key = json.loads(key_path.read_text())
    comments, rows = read_sheet(exported / "for-annotators" / "annotator-1.csv")
    for row in rows:
        row["label"] = key["items"][row["item_id"]]["appropriate_answer"]  # all appropriate
    path = tmp_path / "second-pass.csv"
    write_sheet(path, comments, rows)
    assert cli("annotate", "import", path, "--key", key_path, "--annotator", "annotator-1") == 0
    frame = load_samples([run_dir])
    mine = frame[frame["judge"] == "human:annotator-1"]
    assert len(mine) == 20 and (mine["appropriate"] == 1.0).all()
    # the annotation logs are never offered for annotation themselves
    again = tmp_path / "again"
    cli("annotate", "export", run_dir, "-o", again, "--annotators", 1)
    _, rows = read_sheet(again / "for-annotators" / "annotator-1.csv")
    assert len(rows) == 20


def test_labels_of_a_changed_response_are_not_attached(run_dir, exported, tmp_path):
    key = json.loads((exported / "key-do-not-share" / "key.json").read_text())
    changed = sorted(key["items"])[0]
    key["items"][changed]["response_sha256"] = "0" * 64
    key_path = tmp_path / "key.json"
    key_path.write_text(json.dumps(key))
    comments, rows = read_sheet(exported / "for-annotators" / "annotator-2.csv")
    for row in rows:
        row["label"] = "no"
    path = tmp_path / "checker.csv"
    write_sheet(path, comments, rows)
    result = import_annotations([path], key_path)
    assert [item for item, _ in result.stale] == [changed]
    assert "changed" in result.text()
    frame = load_samples([run_dir])
    assert (frame["judge"] == "human:checker").sum() == 19


def test_a_sheet_without_labels_is_an_error(exported, tmp_path):
    empty = tmp_path / "empty.csv"
    shutil.copy(exported / "for-annotators" / "annotator-1.csv", empty)
    with pytest.raises(ValueError, match="no yes/no labels"):
        cli("annotate", "import", empty, "--key", exported / "key-do-not-share" / "key.json")


def test_bootstrap_formulas_reproduce_the_point_estimates():
    """The vectorised statistics resampled for the intervals equal the hand formulas."""
    import numpy as np

    from therapy_audit.analysis.stats import alpha_of_counts, fleiss_of_counts

    per_item = [[c[i] for c in CALLS.values()] for i in range(20)]
    complete = [r for r in per_item if None not in r]
    rated = [[x for x in r if x is not None] for r in per_item]

    def counts(items: list[list[int]]) -> np.ndarray:
        return np.array([[sum(r), len(r) - sum(r)] for r in items], dtype=float)

    assert float(fleiss_of_counts(counts(complete))) == pytest.approx(hand_fleiss(complete))
    assert float(alpha_of_counts(counts(rated))) == pytest.approx(hand_alpha(rated))
    stacked = np.stack([counts(rated), counts(rated)])
    assert alpha_of_counts(stacked) == pytest.approx([hand_alpha(rated)] * 2)
