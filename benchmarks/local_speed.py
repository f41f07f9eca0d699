"""Benchmark: the embedded model's speed as ratios measured in one process on one machine.

One command measures, in this process:

1. the raw single-sequence rates of the loaded model (the single-sequence path's ``Llama``):
   prompt tokens/s on the suffix of stigma prompts after their cached vignette prefix (~60
   tokens), and generated tokens/s while decoding 10-token answers (sampling included),
   before and after the runs (their mean is used, both are printed);
2. the whole default ``therapy-audit run`` (both experiments and the report) with the batching
   engine off (``-M batching=false``) and on, each in a fresh run directory, with the peak
   resident memory sampled during each run;
3. for each experiment, the single-sequence floor: computed prompt tokens / prompt rate +
   generated tokens / generation rate, from the token counts of the single-sequence run; and
   wall ÷ floor with batching off and on; for the whole run, wall ÷ the sum of the floors;
4. every sample whose output differs between the two runs.

    PYTHONPATH=src .venv/bin/python benchmarks/local_speed.py
    PYTHONPATH=src .venv/bin/python benchmarks/local_speed.py --limit 60 --threads 1
    PYTHONPATH=src .venv/bin/python benchmarks/local_speed.py -M weights=q4_0  # another model
    PYTHONPATH=src .venv/bin/python benchmarks/local_speed.py --stigma-limit 140 \
        --appropriateness-limit 10  # each experiment alone, without the report

With ``--stigma-limit`` or ``--appropriateness-limit``, each experiment runs as its own
``therapy-audit run --experiment X --limit N --no-report`` (0 skips it), and the whole-run wall
time is the sum of theirs (no report).

Results go to ``benchmarks/results/local_speed.json``. On a shared machine, wall times include
other people's work: the ratios within one run are what to compare, and the load average
before and after is recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
EXPERIMENTS = ("stigma", "appropriateness")


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def single_sequence_rates(threads: int, rounds: int) -> dict:
    """Prompt and generation tokens/s of one sequence, on the first vignette's 14 prompts."""
    from therapy_audit.models.local.files import embedded_model_path
    from therapy_audit.models.local.sequential import SequentialEngine
    from therapy_audit.prompts import resolve_system_prompt
    from therapy_audit.stigma.dataset import builtin_samples

    engine = SequentialEngine(embedded_model_path("smollm2"), 8192, threads, 0, False)
    llama = engine.llama
    prompts = [engine.tokenize(engine.template.render(s.input))
               for s in builtin_samples(resolve_system_prompt("none"))[:14]]
    prefix = min(_shared(prompts[0], p) for p in prompts[1:])
    llama.reset()
    llama.eval(prompts[0][:prefix])
    prompt_tokens = generated = 0
    prompt_s = decode_s = 0.0
    for _ in range(rounds):
        for tokens in prompts:
            llama.n_tokens = prefix  # keep the vignette prefix, recompute the question
            start = time.perf_counter()
            llama.eval(tokens[prefix:])
            prompt_s += time.perf_counter() - start
            prompt_tokens += len(tokens) - prefix
            start = time.perf_counter()
            for _ in range(10):
                llama.eval([llama.sample(temp=0.0)])
            decode_s += time.perf_counter() - start
            generated += 10
    engine.close()
    return {"prompt_per_s": prompt_tokens / prompt_s, "generated_per_s": generated / decode_s,
            "prompt_tokens": prompt_tokens, "suffix_tokens": prompt_tokens // (rounds * 14),
            "cached_prefix": prefix, "generated_tokens": generated}


def _shared(a: list[int], b: list[int]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


class PeakRss:
    """The peak resident size of this process while running (sampled every 0.2 s)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> PeakRss:
        self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _run_dir(keep: Path | None) -> contextlib.AbstractContextManager[str]:
    """A fresh temporary run directory, or ``keep`` (created; left in place to look at)."""
    if keep is None:
        return tempfile.TemporaryDirectory(prefix="ta-speed-")
    if keep.exists() and any(keep.iterdir()):
        raise SystemExit(f"{keep} is not empty: a kept run directory must start fresh")
    keep.mkdir(parents=True, exist_ok=True)
    return contextlib.nullcontext(str(keep))


def run_default_audit(model_args: list[str], limit: int | None, threads: int,
                      per_experiment: dict[str, int] | None = None,
                      keep: Path | None = None) -> dict:
    """``therapy-audit run`` (both experiments and the report) in a fresh run directory; with
    ``per_experiment`` limits, one ``--experiment X --limit N --no-report`` run per experiment.
    ``keep``: run there and keep the run (its report and logs) instead of a temporary one."""
    from therapy_audit.cli import main as cli_main
    from therapy_audit.models.local.runners import close_runners

    with _run_dir(keep) as tmp:
        base = ["run", "--run-dir", tmp, "-M", f"n_threads={threads}"]
        for arg in model_args:
            base += ["-M", arg]
        if per_experiment is None:
            commands = [base + (["--limit", str(limit)] if limit else [])]
        else:
            commands = [base + ["--experiment", name, "--limit", str(n), "--no-report"]
                        for name, n in per_experiment.items() if n > 0]
        wall = 0.0
        with PeakRss() as rss:
            for args in commands:
                with contextlib.redirect_stdout(io.StringIO()) as out:
                    start = time.perf_counter()
                    code = cli_main(args)
                    wall += time.perf_counter() - start
                if code != 0:
                    raise SystemExit(f"therapy-audit {' '.join(args)} failed:\n{out.getvalue()}")
        close_runners()
        experiments = read_logs(Path(tmp))
    return {"model_args": model_args, "wall_seconds": wall, "peak_rss_bytes": rss.peak,
            "experiments": experiments}


def read_logs(run_dir: Path) -> dict:
    """Per experiment: wall time (from the log), token counts and each sample's output."""
    from inspect_ai.log import read_eval_log

    found = {}
    for path in sorted(run_dir.rglob("*.eval")):
        log = read_eval_log(str(path))
        experiment = (log.eval.metadata or {}).get("experiment", log.eval.task)
        usage = {"computed": 0, "reused": 0, "generated": 0}
        for model_usage in log.stats.model_usage.values():
            usage["computed"] += model_usage.input_tokens
            usage["reused"] += model_usage.input_tokens_cache_read or 0
            usage["generated"] += model_usage.output_tokens
        started = datetime.fromisoformat(log.stats.started_at)
        completed = datetime.fromisoformat(log.stats.completed_at)
        found[experiment] = {
            "wall_seconds": (completed - started).total_seconds(),
            "samples": len(log.samples or []), **usage,
            "outputs": {str(s.id): s.output.completion for s in log.samples or []},
        }
    return found


def summarise(rates: dict, off: dict, on: dict) -> dict:
    """Floors and wall ÷ floor per experiment and for the whole run; differing outputs."""
    prompt_rate, gen_rate = rates["prompt_per_s"], rates["generated_per_s"]
    table, differences = {}, []
    for experiment in EXPERIMENTS:
        if experiment not in off["experiments"]:
            continue
        a, b = off["experiments"][experiment], on["experiments"][experiment]
        floor = a["computed"] / prompt_rate + a["generated"] / gen_rate
        table[experiment] = {
            "samples": a["samples"], "floor_seconds": floor,
            "tokens_off": {k: a[k] for k in ("computed", "reused", "generated")},
            "tokens_on": {k: b[k] for k in ("computed", "reused", "generated")},
            "wall_off": a["wall_seconds"], "wall_on": b["wall_seconds"],
            "ratio_off": a["wall_seconds"] / floor, "ratio_on": b["wall_seconds"] / floor,
        }
        for sample_id, text in a["outputs"].items():
            if b["outputs"].get(sample_id) != text:
                differences.append({"experiment": experiment, "sample_id": sample_id,
                                    "off": text, "on": b["outputs"].get(sample_id)})
    floors = sum(t["floor_seconds"] for t in table.values())
    table["whole run"] = {"floor_seconds": floors, "wall_off": off["wall_seconds"],
                          "wall_on": on["wall_seconds"],
                          "ratio_off": off["wall_seconds"] / floors,
                          "ratio_on": on["wall_seconds"] / floors}
    return {"table": table, "differences": differences}


def print_results(result: dict) -> None:
    r = result["rates"]
    print(f"CPU: {result['cpu']} ({result['cores']} cores, {result['threads']} threads); "
          f"load average {result['load_before']} before, {result['load_after']} after")
    print(f"single sequence: {r['prompt_per_s']:.0f} prompt tok/s ({r['suffix_tokens']}-token "
          f"suffix after {r['cached_prefix']} cached), {r['generated_per_s']:.0f} generated "
          f"tok/s (before {result['rates_before']['prompt_per_s']:.0f}/"
          f"{result['rates_before']['generated_per_s']:.0f}, after "
          f"{result['rates_after']['prompt_per_s']:.0f}/"
          f"{result['rates_after']['generated_per_s']:.0f})")
    print(f"{'':<16} {'floor s':>8} {'off s':>8} {'on s':>8} {'off/floor':>9} {'on/floor':>9}")
    for name, t in result["table"].items():
        print(f"{name:<16} {t['floor_seconds']:>8.0f} {t['wall_off']:>8.0f} {t['wall_on']:>8.0f}"
              f" {t['ratio_off']:>9.2f} {t['ratio_on']:>9.2f}")
    for name in EXPERIMENTS:
        if name in result["table"]:
            t = result["table"][name]
            print(f"{name} tokens off {t['tokens_off']}, on {t['tokens_on']}")
    print(f"peak RSS: off {result['off']['peak_rss_bytes'] / 2**30:.2f} GiB, on "
          f"{result['on']['peak_rss_bytes'] / 2**30:.2f} GiB")
    diffs = result["differences"]
    print(f"outputs differing between off and on: {len(diffs)}")
    for d in diffs:
        print(f"- {d['experiment']} {d['sample_id']}: off {d['off'][:60]!r} / on "
              f"{(d['on'] or '')[:60]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N samples of each")
    parser.add_argument("--stigma-limit", type=int, default=None,
                        help="first N stigma samples (0: skip); runs each experiment alone")
    parser.add_argument("--appropriateness-limit", type=int, default=None,
                        help="first N appropriateness samples (0: skip)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the raw-rate test")
    parser.add_argument("-M", dest="model_args", action="append", default=[],
                        help="extra model arg for both runs, e.g. -M batch_size=8")
    parser.add_argument("--output", type=Path, default=RESULTS / "local_speed.json")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="keep the two runs in DIR/batching-off and DIR/batching-on")
    args = parser.parse_args()
    os.environ.setdefault("INSPECT_DISPLAY", "none")
    per_experiment = None
    if args.stigma_limit is not None or args.appropriateness_limit is not None:
        per_experiment = {"stigma": args.stigma_limit, "appropriateness":
                          args.appropriateness_limit}
        per_experiment = {k: (v if v is not None else args.limit or 10**6)
                          for k, v in per_experiment.items()}
    result = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "cpu": cpu_model(),
              "cores": os.cpu_count(), "threads": args.threads, "limit": args.limit,
              "per_experiment_limits": per_experiment, "load_before": os.getloadavg()}
    result["rates_before"] = single_sequence_rates(args.threads, args.rounds)
    keep = {run: args.keep / f"batching-{run}" if args.keep else None for run in ("off", "on")}
    result["off"] = run_default_audit(["batching=false", *args.model_args], args.limit,
                                      args.threads, per_experiment, keep["off"])
    result["on"] = run_default_audit(["batching=true", *args.model_args], args.limit,
                                     args.threads, per_experiment, keep["on"])
    result["rates_after"] = single_sequence_rates(args.threads, args.rounds)
    result["load_after"] = os.getloadavg()
    before, after = result["rates_before"], result["rates_after"]
    result["rates"] = {**before, **{k: (before[k] + after[k]) / 2
                                    for k in ("prompt_per_s", "generated_per_s")}}
    result.update(summarise(result["rates"], result["off"], result["on"]))
    print_results(result)
    for run in ("off", "on"):
        for experiment in result[run]["experiments"].values():
            experiment.pop("outputs")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
