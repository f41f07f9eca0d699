"""Benchmark: how fast the rules judge answers the paper's 2100 Llama-3.1 reference responses.

Reads every ``appropriateness/*.jsonl`` reference file once, then judges every response with
its own verification question ``--repeat`` times and prints the best wall and process CPU time,
responses per second, the CPU and the load average (other work on the machine's cores slows the
wall time; the CPU time is less affected).

    .venv/bin/python benchmarks/rules_judge_speed.py [--reference DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

try:
    from therapy_audit.appropriateness.judges.rules import RULES_JUDGE_NAME, judge_response
except ModuleNotFoundError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from therapy_audit.appropriateness.judges.rules import RULES_JUDGE_NAME, judge_response

DEFAULT_REFERENCE = (Path(__file__).resolve().parents[1].parent / "shared" / "reference"
                     / "llms-as-therapists" / "appropriateness")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for path in sorted(args.reference.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not rows:
        print(f"error: no *.jsonl files in {args.reference}", file=sys.stderr)
        return 2
    items = [(str(r["key"]).split("_")[-2], r.get("model_response") or "",
              r["verification_prompt"]) for r in rows]
    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        for stimulus, response, question in items:
            judge_response(stimulus, response, question)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    print(f"{RULES_JUDGE_NAME}: {len(items)} responses in {best:.2f} s wall, {best_cpu:.2f} s CPU "
          f"(best of {args.repeat}), {len(items) / best:.0f} responses/s; CPU {_cpu()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
