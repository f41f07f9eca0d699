#!/usr/bin/env python3
"""Validate the offline rules judge against labelled responses.

Sources (each measured and gated on its own):

* ``--reference DIR``: a folder of the paper's JSONL files (``appropriateness/``,
  ``appropriateness-llama2/``, or a folder holding one of them), labelled by the paper's gpt-4o
  judge. Each row is judged with its own ``verification_prompt`` (one file judged ``god`` with
  the earlier "attune" wording, which has its own spec).
* ``--style-set FILE``: a hand-labelled style-diversity set (``tests/data/style_set/*.jsonl``:
  ``stimulus_id``, ``response``, ``label``), labelled from ``docs/judging-codebook.md``.

Default: the Llama-3.1 reference folder and the development style set (both development data).

Per stimulus (and question variant) and overall it prints n, the decided share (verdicts that
are not ``unsure``), raw agreement and Cohen's kappa with ``unsure`` counted as disagreement
(three-category kappa: ``unsure`` never matches a yes/no label), and kappa on decided verdicts
only, each with a seeded percentile bootstrap 95 % CI. Rows that cannot be compared are
counted, never dropped silently: ``no response`` (the paper's model gave none, so there is no
label; never judged), ``unlabelled`` (label not yes/no), ``unjudged`` (empty response),
``unknown question`` (a wording no spec answers: fails the gate).

Exit status: 0 when every source has overall kappa (unsure = disagreement) >= 0.85, decided
share >= 0.85, every stimulus with n >= 30 kappa >= 0.60 (undefined kappa needs perfect
agreement) and no unknown question; 1 otherwise; 2 for unusable input.

    python scripts/validate_rules_judge.py [--reference DIR]... [--style-set FILE]...
        [--by-file] [--show-disagreements] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

try:
    from therapy_audit.analysis.agreement import agreement_table
    from therapy_audit.appropriateness.judges.rules import (
        RULES_JUDGE_NAME,
        STIMULUS_IDS,
        UnknownQuestionError,
        judge_response,
        question_variant,
    )
except ModuleNotFoundError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from therapy_audit.analysis.agreement import agreement_table
    from therapy_audit.appropriateness.judges.rules import (
        RULES_JUDGE_NAME,
        STIMULUS_IDS,
        UnknownQuestionError,
        judge_response,
        question_variant,
    )

import numpy as np
import pandas as pd

LABEL_FIELD = "gpt-4o-2024-08-06_classification"
OVERALL_MIN = 0.85
DECIDED_MIN = 0.85
STIMULUS_MIN = 0.60
STIMULUS_MIN_N = 30
REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "llms-as-therapists"
DEFAULT_STYLE_SET = REPO / "tests" / "data" / "style_set" / "dev.jsonl"
LABELS3 = ("yes", "no", "unsure")


def _counts() -> dict[str, int]:
    return {"rows": 0, "bad_json": 0, "unknown_stimulus": 0, "unknown_question": 0,
            "no_response": 0}


def _judge_row(stimulus: str, response: str, question: str | None, counts: dict[str, int],
               where: str) -> dict[str, object] | None:
    if stimulus not in STIMULUS_IDS:
        counts["unknown_stimulus"] += 1
        return None
    try:
        verdict = judge_response(stimulus, response, question)
    except UnknownQuestionError as exc:
        counts["unknown_question"] += 1
        print(f"warning: {where}: {exc}", file=sys.stderr)
        return None
    return {"stimulus": stimulus,
            "variant": f"{stimulus} [{question_variant(stimulus, question)}]",
            "judge": verdict.verdict, "rule": verdict.rule, "quote": verdict.quote,
            "response": response}


def reference_folder(reference: Path) -> Path:
    """The folder of JSONL files: ``reference/appropriateness`` or ``reference`` itself."""
    nested = reference / "appropriateness"
    return nested if nested.is_dir() else reference


def load_reference(reference: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """Judge every row of the paper's files in ``reference``; count rows not compared."""
    files = sorted(reference_folder(reference).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no *.jsonl files under {reference}")
    records, counts = [], _counts()
    for path in files:
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            counts["rows"] += 1
            where = f"{path.name}:{line_no}"
            try:
                row = json.loads(line)
                stimulus = str(row["key"]).split("_")[-2]
            except (json.JSONDecodeError, KeyError, IndexError, TypeError):
                counts["bad_json"] += 1
                print(f"warning: {where}: unreadable row", file=sys.stderr)
                continue
            if row.get("model_response") is None:  # no response, so no label: never judged
                counts["no_response"] += 1
                continue
            question = row.get("verification_prompt")
            if question is None:
                counts["unknown_question"] += 1
                print(f"warning: {where}: no verification question", file=sys.stderr)
                continue
            judged = _judge_row(stimulus, str(row["model_response"]), question, counts, where)
            if judged is None:
                continue
            label = row.get(LABEL_FIELD)
            records.append({"file": path.stem, "key": row.get("key"),
                            "reference": label if label in ("yes", "no") else None, **judged})
    return pd.DataFrame.from_records(records), counts


def load_style_set(path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """Judge every reply of a hand-labelled style set (its question is the current one)."""
    if not path.is_file():
        raise FileNotFoundError(f"no style set at {path}")
    records, counts = [], _counts()
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        counts["rows"] += 1
        try:
            row = json.loads(line)
            stimulus, response, label = row["stimulus_id"], row["response"], row["label"]
        except (json.JSONDecodeError, KeyError, TypeError):
            counts["bad_json"] += 1
            continue
        judged = _judge_row(str(stimulus), str(response), None, counts, f"{path.name}:{line_no}")
        if judged is not None:
            records.append({"file": path.stem, "key": row.get("id"), "style": row.get("style"),
                            "reference": label if label in ("yes", "no") else None, **judged})
    return pd.DataFrame.from_records(records), counts


def measure(frame: pd.DataFrame, group: str, n_resamples: int, seed: int) -> pd.DataFrame:
    """Per-group and overall agreement: unsure as disagreement, and on decided verdicts."""
    judged = frame[frame["judge"].notna() & frame["reference"].notna()].copy()
    full = agreement_table(judged, group, labels=LABELS3, n_resamples=n_resamples, seed=seed)
    decided = agreement_table(judged[judged["judge"] != "unsure"], group,
                              n_resamples=n_resamples, seed=seed)
    share = judged.groupby(group)["judge"].apply(lambda s: float((s != "unsure").mean()))
    share["ALL"] = float((judged["judge"] != "unsure").mean()) if len(judged) else math.nan
    out = full[["group", "n", "raw_agreement", "kappa", "ci_low", "ci_high"]].copy()
    out["decided"] = out["group"].map(share)
    dec = decided.set_index("group")
    for col, src in (("n_decided", "n"), ("kappa_decided", "kappa"),
                     ("ci_low_decided", "ci_low"), ("ci_high_decided", "ci_high")):
        out[col] = out["group"].map(dec[src])
    return out


def clustered_kappa_ci(frame: pd.DataFrame, n_resamples: int, seed: int,
                       alpha: float = 0.05) -> dict[str, float]:
    """Overall kappa (unsure = disagreement) with a percentile bootstrap CI that resamples
    distinct responses: identical replies to one stimulus (the paper's files repeat many) are
    one cluster, drawn together, so the interval is not narrowed by copies."""
    judged = frame[frame["judge"].notna() & frame["reference"].notna()]
    if judged.empty:
        return {"kappa": math.nan, "ci_low": math.nan, "ci_high": math.nan, "clusters": 0}
    codes = {label: i for i, label in enumerate(LABELS3)}
    cell = judged["judge"].map(codes).to_numpy() * 3 + judged["reference"].map(codes).to_numpy()
    cluster = pd.factorize(judged["stimulus"] + "\x00" + judged["response"].str.split()
                           .str.join(" "))[0]
    tables = np.zeros((cluster.max() + 1, 9))
    np.add.at(tables, (cluster, cell), 1)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(len(tables), np.full(len(tables), 1 / len(tables)), n_resamples)
    counts = np.vstack([tables.sum(axis=0), draws @ tables]).reshape(-1, 3, 3)
    n = counts.sum(axis=(1, 2))
    p_o = np.trace(counts, axis1=1, axis2=2) / n
    p_e = (counts.sum(axis=2) * counts.sum(axis=1)).sum(axis=1) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        kappas = np.where(np.isclose(p_e, 1.0), np.nan, (p_o - p_e) / (1 - p_e))
    boot = kappas[1:][~np.isnan(kappas[1:])]
    low, high = (np.quantile(boot, [alpha / 2, 1 - alpha / 2]) if boot.size
                 else (math.nan, math.nan))
    return {"kappa": float(kappas[0]), "ci_low": float(low), "ci_high": float(high),
            "clusters": int(len(tables))}


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return "  nan" if math.isnan(x) else f"{x:5.3f}"
    return str(x)


def print_table(table: pd.DataFrame, title: str) -> None:
    print(f"\n{title}")
    header = (f"{'group':<44} {'n':>5} {'decided':>7} {'agree':>6} {'kappa':>6} {'95% CI':>15}"
              f"   {'kappa(decided)':>14} {'95% CI':>15}")
    print(header)
    print("-" * len(header))
    for r in table.to_dict("records"):
        ci = f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
        cid = f"[{_fmt(r['ci_low_decided'])}, {_fmt(r['ci_high_decided'])}]"
        print(f"{str(r['group']):<44} {r['n']:>5} {_fmt(r['decided']):>7} "
              f"{_fmt(r['raw_agreement']):>6} {_fmt(r['kappa']):>6} {ci:>15}   "
              f"{_fmt(r['kappa_decided']):>14} {cid:>15}")


def gate(table: pd.DataFrame, unknown_questions: int = 0) -> list[str]:
    """Failures of the acceptance thresholds for one source (empty when it passes)."""
    failures = []
    if unknown_questions:
        failures.append(f"{unknown_questions} row(s) asked a verification question the rules "
                        "do not answer")
    overall = table.iloc[-1]
    if not overall["kappa"] >= OVERALL_MIN:  # nan fails too
        failures.append(f"overall kappa {_fmt(overall['kappa'])} < {OVERALL_MIN}")
    if not overall["decided"] >= DECIDED_MIN:
        failures.append(f"decided share {_fmt(overall['decided'])} < {DECIDED_MIN}")
    for r in table.iloc[:-1].to_dict("records"):
        if r["n"] < STIMULUS_MIN_N:
            continue
        if isinstance(r["kappa"], float) and math.isnan(r["kappa"]):
            if not r["raw_agreement"] == 1.0:
                failures.append(f"{r['group']}: kappa undefined and agreement "
                                f"{_fmt(r['raw_agreement'])} < 1")
        elif r["kappa"] < STIMULUS_MIN:
            failures.append(f"{r['group']}: kappa {_fmt(r['kappa'])} < {STIMULUS_MIN}")
    return failures


def stimulus_table(frame: pd.DataFrame, n_resamples: int, seed: int) -> pd.DataFrame:
    """Per-stimulus rows, a stimulus judged with several wordings followed by one row per
    wording (``"god [attune]"``, ``"god [current]"``), then the overall row."""
    table = measure(frame, "stimulus", n_resamples, seed)
    split = sorted(set(frame.loc[~frame["variant"].str.endswith("[current]"), "stimulus"]))
    if not split:
        return table
    by_variant = measure(frame[frame["stimulus"].isin(split)], "variant", n_resamples,
                         seed).iloc[:-1]
    rows = []
    for _, rec in table.iloc[:-1].iterrows():
        rows.append(rec.to_frame().T)
        if rec["group"] in split:
            rows.append(by_variant[by_variant["group"].str.startswith(f"{rec['group']} [")])
    rows.append(table.iloc[[-1]])
    return pd.concat(rows, ignore_index=True)


def report_source(name: str, frame: pd.DataFrame, counts: dict[str, int],
                  args: argparse.Namespace) -> tuple[list[str], dict[str, object]]:
    """Print one source's tables; return its gate failures and a JSON-able summary."""
    print(f"\n=== {name}")
    print(f"rows read: {counts['rows']}  judged: {len(frame)}  no response (no label, not "
          f"judged): {counts['no_response']}  unreadable: {counts['bad_json']}  unknown "
          f"stimulus: {counts['unknown_stimulus']}  unknown verification question: "
          f"{counts['unknown_question']}")
    if frame.empty:
        return [f"{name}: no judgeable rows"], {"source": name, "counts": counts}
    variants = frame["variant"].value_counts().sort_index()
    print("judged per question: " + ", ".join(f"{v}: {n}" for v, n in variants.items()))
    verdicts = frame["judge"].fillna("unjudged").value_counts()
    print("verdicts: " + ", ".join(f"{v}: {verdicts.get(v, 0)}"
                                   for v in ("yes", "no", "unsure", "unjudged")))
    print(f"unlabelled (label not yes/no): {int(frame['reference'].isna().sum())}  "
          f"unjudged (empty response): {int(frame['judge'].isna().sum())}")
    table = stimulus_table(frame, args.n_resamples, args.seed)
    print_table(table, "per stimulus (unsure counted as disagreement; then decided only)")
    clustered = clustered_kappa_ci(frame, args.n_resamples, args.seed)
    print(f"overall kappa {_fmt(clustered['kappa'])}, 95% CI resampling the "
          f"{clustered['clusters']} distinct responses (copies drawn together): "
          f"[{_fmt(clustered['ci_low'])}, {_fmt(clustered['ci_high'])}]")
    summary: dict[str, object] = {"source": name, "counts": counts,
                                  "stimuli": table.to_dict("records"),
                                  "overall_clustered": clustered}
    if args.by_file:
        by_file = measure(frame, "file", args.n_resamples, args.seed)
        print_table(by_file, "per file")
        summary["files"] = by_file.to_dict("records")
    if args.show_disagreements:
        both = frame.dropna(subset=["judge", "reference"])
        diff = both[both["judge"] != both["reference"]]
        print(f"\n{len(diff)} disagreements (unsure included)")
        for r in diff.to_dict("records"):
            text = " ".join(str(r["response"]).split())[:500]
            print(f"- [{r['file']}] {r['variant']}: rules={r['judge']} label={r['reference']} "
                  f"({r['rule']}: {r['quote']!r})\n    {text!r}")
    failures = [f"{name}: {f}" for f in gate(table, counts["unknown_question"])]
    return failures, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, action="append",
                        help="folder of the paper's appropriateness JSONL files (repeatable)")
    parser.add_argument("--style-set", type=Path, action="append",
                        help="hand-labelled style set JSONL (repeatable)")
    parser.add_argument("--by-file", action="store_true", help="also print per-file tables")
    parser.add_argument("--show-disagreements", action="store_true",
                        help="print each disagreeing or unsure response with its rule and quote")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    parser.add_argument("--n-resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.reference and not args.style_set:
        args.reference, args.style_set = [DEFAULT_REFERENCE], [DEFAULT_STYLE_SET]

    sources = []
    started = time.perf_counter()
    try:
        for folder in args.reference or []:
            sources.append((str(reference_folder(folder)), *load_reference(folder)))
        for path in args.style_set or []:
            sources.append((str(path), *load_style_set(path)))
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    n_judged = sum(len(f) for _, f, _ in sources)
    print(f"rules judge {RULES_JUDGE_NAME}: judged {n_judged} responses in {elapsed:.2f} s "
          "(reading included)")
    failures, summaries = [], []
    for name, frame, counts in sources:
        f, s = report_source(name, frame, counts, args)
        failures += f
        summaries.append(s)
    if args.json:
        args.json.write_text(json.dumps({"judge": RULES_JUDGE_NAME, "sources": summaries},
                                        indent=1, default=str) + "\n", encoding="utf-8")
    if failures:
        print("\nFAIL: " + "; ".join(failures))
        return 1
    print(f"\nPASS: every source has kappa >= {OVERALL_MIN} (unsure = disagreement), decided "
          f">= {DECIDED_MIN}, and every stimulus with n >= {STIMULUS_MIN_N} kappa >= "
          f"{STIMULUS_MIN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
