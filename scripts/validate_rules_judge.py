#!/usr/bin/env python3
"""Validate the offline rules judge against the paper's recorded gpt-4o labels.

Reads every ``appropriateness/*.jsonl`` reference file (Moore et al., FAccT 2025), runs
:func:`therapy_audit.appropriateness.judges.rules.judge_response` on each ``model_response``
and prints Cohen's kappa (with a percentile bootstrap CI), raw agreement, n and confusion
counts ("yes" positive, rules judge as predictor) per stimulus, per file and overall.

Rows that cannot be compared are counted, never silently dropped:

* ``unlabelled``: the gpt-4o label is missing or not yes/no;
* ``unjudged``: the response is empty, so the rules judge gives no verdict;
* ``other_question``: the row was judged with a different verification question than the one
  the rules answer (one reference file judged the "god" stimulus with an earlier question).

Exit status: 0 when overall kappa >= 0.90 and every stimulus kappa >= 0.60; 1 otherwise. A
stimulus whose kappa is undefined (all labels in one class on both sides, e.g. "escape") passes
only with perfect raw agreement; otherwise it fails. 2 for unusable input.

    python scripts/validate_rules_judge.py [--reference DIR] [--by-file] [--show-disagreements]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

try:
    from therapy_audit.analysis.agreement import agreement_table
    from therapy_audit.appropriateness.judges.rules import (
        RULES_JUDGE_NAME,
        STIMULUS_IDS,
        answers_question,
        judge_response,
    )
except ModuleNotFoundError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from therapy_audit.analysis.agreement import agreement_table
    from therapy_audit.appropriateness.judges.rules import (
        RULES_JUDGE_NAME,
        STIMULUS_IDS,
        answers_question,
        judge_response,
    )

import pandas as pd

LABEL_FIELD = "gpt-4o-2024-08-06_classification"
OVERALL_MIN = 0.90
STIMULUS_MIN = 0.60
DEFAULT_REFERENCE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "llms-as-therapists"
)


def load_rows(reference: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """Judge every reference row; return one record per row plus counts of skipped rows."""
    nested = reference / "appropriateness"
    folder = nested if nested.is_dir() else reference
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no appropriateness/*.jsonl files under {reference}")
    records: list[dict[str, object]] = []
    counts = {"rows": 0, "bad_json": 0, "unknown_stimulus": 0}
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                counts["rows"] += 1
                try:
                    row = json.loads(line)
                    stimulus = str(row["key"]).split("_")[-2]
                except (json.JSONDecodeError, KeyError, IndexError, TypeError):
                    counts["bad_json"] += 1
                    print(f"warning: {path.name}:{line_no}: unreadable row", file=sys.stderr)
                    continue
                if stimulus not in STIMULUS_IDS:
                    counts["unknown_stimulus"] += 1
                    continue
                reference_label = row.get(LABEL_FIELD)
                verdict = judge_response(stimulus, row.get("model_response") or "")
                question_ok = answers_question(stimulus, str(row.get("verification_prompt", "")))
                records.append(
                    {
                        "file": path.stem,
                        "stimulus": stimulus,
                        "key": row.get("key"),
                        "question_ok": question_ok,
                        "reference": reference_label if reference_label in ("yes", "no")
                        else None,
                        "judge": verdict.verdict,
                        "rule": verdict.rule,
                        "response": row.get("model_response") or "",
                    }
                )
    return pd.DataFrame.from_records(records), counts


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return "  nan" if math.isnan(x) else f"{x:5.3f}"
    return str(x)


def print_table(table: pd.DataFrame, title: str) -> None:
    print(f"\n{title}")
    header = (f"{'group':<44} {'n':>5} {'unlab':>5} {'agree':>6} {'kappa':>6} "
              f"{'95% CI':>15} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>5}")
    print(header)
    print("-" * len(header))
    for rec in table.to_dict("records"):
        ci = f"[{_fmt(rec['ci_low'])}, {_fmt(rec['ci_high'])}]"
        print(f"{str(rec['group']):<44} {rec['n']:>5} {rec['n_unlabelled']:>5} "
              f"{_fmt(rec['raw_agreement']):>6} {_fmt(rec['kappa']):>6} {ci:>15} "
              f"{rec['tp']:>4} {rec['fp']:>4} {rec['fn']:>4} {rec['tn']:>5}")


def gate(table: pd.DataFrame) -> list[str]:
    """Failures of the acceptance thresholds (empty when the judge passes)."""
    failures: list[str] = []
    overall = table.iloc[-1]
    if not overall["kappa"] >= OVERALL_MIN:  # nan fails too
        failures.append(f"overall kappa {_fmt(overall['kappa'])} < {OVERALL_MIN}")
    for rec in table.iloc[:-1].to_dict("records"):
        kappa = rec["kappa"]
        if isinstance(kappa, float) and math.isnan(kappa):
            if not (rec["n"] > 0 and rec["raw_agreement"] == 1.0):
                failures.append(f"{rec['group']}: kappa undefined and agreement "
                                f"{_fmt(rec['raw_agreement'])} < 1")
        elif kappa < STIMULUS_MIN:
            failures.append(f"{rec['group']}: kappa {_fmt(kappa)} < {STIMULUS_MIN}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help="reference folder (containing appropriateness/) or the folder of "
                             "*.jsonl files (default: ../shared/reference/llms-as-therapists)")
    parser.add_argument("--by-file", action="store_true", help="also print per-file tables")
    parser.add_argument("--show-disagreements", action="store_true",
                        help="print each disagreeing response with the deciding rule")
    parser.add_argument("--n-resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        frame, counts = load_rows(args.reference)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if frame.empty:
        print("error: no judgeable rows", file=sys.stderr)
        return 2

    other_q = frame[~frame["question_ok"]]
    usable = frame[frame["question_ok"]]
    print(f"rules judge {RULES_JUDGE_NAME} vs {LABEL_FIELD} on {args.reference}")
    print(f"rows read: {counts['rows']}  unreadable: {counts['bad_json']}  "
          f"unknown stimulus: {counts['unknown_stimulus']}  "
          f"judged with another verification question (excluded): {len(other_q)}"
          + (f" [{', '.join(sorted(set(other_q['file'] + ':' + other_q['stimulus'])))}]"
             if len(other_q) else ""))
    print(f"unlabelled (gpt-4o label not yes/no): {int(usable['reference'].isna().sum())}  "
          f"unjudged (empty response): {int(usable['judge'].isna().sum())}")

    table = agreement_table(usable, "stimulus", n_resamples=args.n_resamples, seed=args.seed)
    print_table(table, "per stimulus (rules judge = predictor, gpt-4o = reference)")
    if args.by_file:
        print_table(agreement_table(usable, "file", n_resamples=args.n_resamples,
                                    seed=args.seed), "per reference file")
    if args.show_disagreements:
        both = usable.dropna(subset=["judge", "reference"])
        diff = both[both["judge"] != both["reference"]]
        print(f"\n{len(diff)} disagreements")
        for rec in diff.to_dict("records"):
            text = " ".join(str(rec["response"]).split())[:400]
            print(f"- [{rec['file']}] {rec['stimulus']}: rules={rec['judge']} "
                  f"gpt-4o={rec['reference']} ({rec['rule']})\n    {text!r}")

    failures = gate(table)
    if failures:
        print("\nFAIL: " + "; ".join(failures))
        return 1
    print(f"\nPASS: overall kappa >= {OVERALL_MIN} and every stimulus kappa >= {STIMULUS_MIN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
