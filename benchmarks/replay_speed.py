"""Benchmark: importing recorded outputs and reading the logs back, old path vs new path.

In one process, on the paper's reference files (../shared/reference/llms-as-therapists):

- ``import paper-stigma`` of one 1008-row stigma file, and ``import paper-responses`` of the
  six appropriateness files (2100 responses) with the rules judge, each through Inspect's
  ``eval_set`` (the old path: ``run_replay(fast=False)``) and through the fast path;
- ``load_samples`` of the imported run directories with Inspect's log reader (the old
  reader) and with the direct reader (``therapy_audit.logfile``);
- optionally (``--eval-set-options``) the stigma import through ``eval_set`` with the
  options that could make Inspect's eval loop cheaper, to show what each buys.

Prints wall and CPU seconds and milliseconds per sample, the CPU model and the load average
(other work on the shared cores inflates wall time: compare ratios within one run), and
saves everything as JSON in benchmarks/results/replay_speed.json.

    PYTHONPATH=src .venv/bin/python benchmarks/replay_speed.py
    PYTHONPATH=src .venv/bin/python benchmarks/replay_speed.py --skip-old   # minutes faster
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from inspect_ai.dataset import MemoryDataset

from therapy_audit import engine, logfile, table
from therapy_audit.models.replay import messages_key
from therapy_audit.prompts import SystemPrompt
from therapy_audit.rundir import use_run_dir
from therapy_audit.sources import paper_responses, paper_stigma
from therapy_audit.stigma.dataset import builtin_samples
from therapy_audit.stigma.task import build_stigma_task

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "llms-as-therapists"
STIGMA_FILE = REFERENCE / "stigma" / "llama3.1-8b_steelman-false.jsonl"
RESULTS = Path(__file__).resolve().parent / "results" / "replay_speed.json"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    return platform.processor() or platform.machine()


@contextmanager
def old_path(module) -> Iterator[None]:
    """Make ``module``'s importer replay through ``eval_set`` (as before the fast path)."""
    fast = module.run_replay
    module.run_replay = partial(engine.run_replay, fast=False)
    try:
        yield
    finally:
        module.run_replay = fast


@contextmanager
def old_reader() -> Iterator[None]:
    """Make ``load_samples`` read logs with Inspect's reader (as before the direct reader)."""
    direct = table.read_header, table.read_samples
    table.read_header, table.read_samples = logfile._inspect_header, logfile._inspect_samples
    try:
        yield
    finally:
        table.read_header, table.read_samples = direct


def timed(label: str, samples: int, work: Callable[[], object]) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    row = {"step": label, "samples": samples, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
           "wall_ms_per_sample": round(1000 * wall / samples, 2),
           "cpu_ms_per_sample": round(1000 * cpu / samples, 2)}
    print(f"{label:<58} {wall:8.2f} s wall {cpu:8.2f} s cpu "
          f"{row['wall_ms_per_sample']:8.2f} ms/sample", flush=True)
    return row


def import_stigma(run_dir: Path) -> None:
    paper_stigma.import_stigma_files([STIGMA_FILE], use_run_dir(run_dir))


def import_responses(run_dir: Path) -> None:
    files = sorted((REFERENCE / "appropriateness").glob("*.jsonl"))
    paper_responses.import_responses(files, use_run_dir(run_dir), ["rules"])


def cli_seconds(*args: str) -> float:
    """Wall time of one ``therapy-audit`` command in a new interpreter."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "therapy_audit.cli", *args], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": path})
    return round(time.perf_counter() - start, 2)


# eval_set options that could make Inspect's eval loop cheaper for a replay (design (a)).
EVAL_SET_OPTIONS = {
    "log_realtime=False": {"log_realtime": False},
    "log_realtime=False, log_buffer=1008, score_display=False":
        {"log_realtime": False, "log_buffer": 1008, "score_display": False},
}


def eval_set_options(root: Path) -> list[dict]:
    """The stigma import through eval_set with each set of ``EVAL_SET_OPTIONS``."""
    rows, run_eval = [], engine.run_eval
    for name, options in EVAL_SET_OPTIONS.items():
        def tuned(task, log_dir, model, *args, options=options, **kwargs) -> bool:
            log_dir.mkdir(parents=True, exist_ok=True)
            ok, _ = engine.eval_set([task], log_dir=str(log_dir), model=model,
                                    fail_on_error=False, log_level="warning", **options)
            return bool(ok)

        engine.run_eval = tuned  # what run_replay(fast=False) calls
        try:
            with old_path(paper_stigma):
                rows.append(timed(f"import paper-stigma, eval_set {name}", 1008,
                                  partial(import_stigma, root / name.replace(" ", ""))))
        finally:
            engine.run_eval = run_eval
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-old", action="store_true", help="measure the new path only")
    parser.add_argument("--eval-set-options", action="store_true",
                        help="also measure eval_set with trimmed options (old path)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ["INSPECT_DISPLAY"] = "none"  # the old path's progress display is not measured
    if not STIGMA_FILE.is_file():
        sys.exit(f"reference data not found at {REFERENCE}")
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()}")
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ta-replay-bench-") as tmp:
        root = Path(tmp)
        rows += measure_imports(root, args.skip_old)
        rows += measure_reading(root, args.skip_old)
        if args.eval_set_options and not args.skip_old:
            rows += eval_set_options(root / "options")
    result = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "cpu": cpu_model(),
              "load_average_at_end": os.getloadavg(), "results": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average {os.getloadavg()}; saved {args.output}")


def warm_up(run_dir: Path) -> None:
    """Pay first-use costs (lazy imports, registries) of both paths outside the timings."""
    samples = builtin_samples(SystemPrompt("none", ""))[:3]
    records = {messages_key(s.input): "A" for s in samples}
    for fast in (False, True):
        task = build_stigma_task(MemoryDataset(samples), "none", cache=False)
        engine.run_replay(task, "replay/warm-up", records, run_dir / "rec.jsonl",
                          use_run_dir(run_dir) / str(fast), fast=fast)


def measure_imports(root: Path, skip_old: bool) -> list[dict]:
    warm_up(root / "warm-up")
    rows = []
    if not skip_old:
        with old_path(paper_stigma):
            rows.append(timed("import paper-stigma, 1 file, eval_set (old)", 1008,
                              lambda: import_stigma(root / "stigma-old")))
        with old_path(paper_responses):
            rows.append(timed("import paper-responses, 6 files, rules, eval_set (old)", 2100,
                              lambda: import_responses(root / "responses-old")))
    rows.append(timed("import paper-stigma, 1 file, fast path (new)", 1008,
                      lambda: import_stigma(root / "stigma-new")))
    rows.append(timed("import paper-responses, 6 files, rules, fast path (new)", 2100,
                      lambda: import_responses(root / "responses-new")))
    return rows


def measure_reading(root: Path, skip_old: bool) -> list[dict]:
    rows = []
    for name, samples in (("stigma", 1008), ("responses", 2100)):
        def load(kind: str, name: str = name) -> None:
            table.load_samples([root / f"{name}-{kind}"])

        if not skip_old:
            with old_reader():
                rows.append(timed(f"load_samples {name}: eval_set logs, Inspect reader (old)",
                                  samples, partial(load, "old")))
            rows.append(timed(f"load_samples {name}: eval_set logs, direct reader", samples,
                              partial(load, "old")))
        rows.append(timed(f"load_samples {name}: fast-path logs, direct reader (new)", samples,
                          partial(load, "new")))
    both = root / "both-new"  # one stigma log and six appropriateness logs
    for name in ("stigma", "responses"):
        shutil.copytree(root / f"{name}-new" / "logs", both / "logs", dirs_exist_ok=True)
    seconds = cli_seconds("export", str(both), "-o", str(root / "export.csv"))
    label = "therapy-audit export: 7 fast-path logs (new interpreter)"
    print(f"{label:<58} {seconds:8.2f} s wall", flush=True)
    rows.append({"step": label, "samples": 3108, "wall_s": seconds})
    return rows


if __name__ == "__main__":
    main()
