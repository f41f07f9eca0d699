"""Benchmark: the default conversation run on the embedded model, wall time and tokens.

Runs ``therapy-audit run --experiment conversation`` (default personas, schedule and reply
tokens unless given) on ``local/smollm2`` in a fresh run directory and prints the wall time,
the number of conversations and turns, and the tokens read from the Inspect logs' usage:
prompt tokens sent, prompt tokens computed (the rest reused from llama.cpp's prefix cache),
and tokens generated. The load average before and after is printed too: other work on the
machine's cores slows llama.cpp badly, so a run under load is not a speed measurement.

    .venv/bin/python benchmarks/conversation_default.py
    .venv/bin/python benchmarks/conversation_default.py --output results/conversation.json
    .venv/bin/python benchmarks/conversation_default.py -- --personas all --reply-tokens 128
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usage_of(run_dir: Path) -> dict:
    from inspect_ai.log import read_eval_log, read_eval_log_samples

    totals = {"sent": 0, "computed": 0, "generated": 0, "conversations": 0, "turns": 0}
    for path in run_dir.rglob("*.eval"):
        log = read_eval_log(str(path), header_only=True)
        for usage in log.stats.model_usage.values():
            reused = usage.input_tokens_cache_read or 0
            totals["computed"] += usage.input_tokens
            totals["sent"] += usage.input_tokens + reused
            totals["generated"] += usage.output_tokens
        for sample in read_eval_log_samples(str(path), all_samples_required=False):
            totals["conversations"] += 1
            totals["turns"] += len((sample.store or {}).get("conversation_turns") or [])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=None, help="also write results as JSON")
    parser.add_argument("run_args", nargs="*", help="extra `therapy-audit run` options")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ta-bench-") as tmp:
        run_dir = Path(tmp)
        cmd = [sys.executable, "-m", "therapy_audit.cli", "run", "--experiment",
               "conversation", "--run-dir", str(run_dir), "--no-report", *args.run_args]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        load_after = os.getloadavg()[0]
        result = usage_of(run_dir)
    result.update(wall_seconds=round(wall, 1), load_before=round(load_before, 2),
                  load_after=round(load_after, 2), run_args=args.run_args, cpu=cpu_name(),
                  cores=os.cpu_count())
    print(json.dumps(result, indent=2))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(
            {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "result": result},
            indent=2))


if __name__ == "__main__":
    main()
