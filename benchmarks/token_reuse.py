"""Benchmark: wall time and prompt tokens sent vs computed on the embedded model.

Runs the default stigma audit (1008 prompts) and/or the default appropriateness audit on
``local/smollm2`` in fresh run directories, with llama.cpp's prefix reuse on and off, and
prints wall time, prompt tokens sent, prompt tokens actually computed, and generated tokens
(read from the Inspect logs' usage: computed = ``input_tokens``, reused =
``input_tokens_cache_read``).

    .venv/bin/python benchmarks/token_reuse.py --experiment stigma
    .venv/bin/python benchmarks/token_reuse.py --experiment appropriateness
    .venv/bin/python benchmarks/token_reuse.py --experiment stigma --limit 140 --modes reuse

Run it on a quiet machine: other work on the two cores changes the timings.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

MODES = {"reuse": [], "no-reuse": ["-M", "prefix_cache=false"]}


def usage_of(run_dir: Path) -> dict:
    from inspect_ai.log import read_eval_log

    totals = {"sent": 0, "computed": 0, "generated": 0, "samples": 0}
    for path in run_dir.rglob("*.eval"):
        log = read_eval_log(str(path), header_only=True)
        if log.status != "success":
            continue
        totals["samples"] += log.results.completed_samples if log.results else 0
        for usage in log.stats.model_usage.values():
            reused = usage.input_tokens_cache_read or 0
            totals["computed"] += usage.input_tokens
            totals["sent"] += usage.input_tokens + reused
            totals["generated"] += usage.output_tokens
    return totals


def run_once(experiment: str, mode: str, limit: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="ta-bench-") as tmp:
        run_dir = Path(tmp)
        cmd = [sys.executable, "-m", "therapy_audit.cli", "run", "--experiment", experiment,
               "--run-dir", str(run_dir), "--no-report", *MODES[mode]]
        if limit:
            cmd += ["--limit", str(limit)]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        totals = usage_of(run_dir)
    totals.update(experiment=experiment, mode=mode, wall_seconds=round(wall, 1))
    sent = totals["sent"]
    totals["computed_share"] = round(totals["computed"] / sent, 3) if sent else None
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", choices=["stigma", "appropriateness"], default="stigma")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--output", type=Path, default=None, help="also write results as JSON")
    args = parser.parse_args()
    results = [run_once(args.experiment, mode, args.limit) for mode in args.modes]
    header = f"{'mode':<9} {'samples':>7} {'wall s':>8} {'sent':>9} {'computed':>9} " \
             f"{'share':>6} {'generated':>9}"
    print(f"{args.experiment} on local/smollm2, {platform.processor() or platform.machine()}")
    print(header)
    for r in results:
        print(f"{r['mode']:<9} {r['samples']:>7} {r['wall_seconds']:>8} {r['sent']:>9} "
              f"{r['computed']:>9} {r['computed_share']:>6} {r['generated']:>9}")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(
            {"measured": datetime.now(UTC).isoformat(timespec="seconds"),
             "results": results}, indent=2))


if __name__ == "__main__":
    main()
