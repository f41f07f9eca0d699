"""Benchmark: raw llama.cpp speed of the embedded model on this machine.

Prompt tokens per second (a 100-token suffix evaluated after a cached prefix, as in an audit)
and generated tokens per second, through the same loader the ``local/`` provider uses.

    .venv/bin/python benchmarks/llama_throughput.py [--extra-buffers]
"""

from __future__ import annotations

import argparse
import os
import time

from therapy_audit.models.local import _load_engine, embedded_model_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-buffers", action="store_true",
                        help="load with llama.cpp's extra CPU buffer types (AMX, repacking)")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    engine = _load_engine(embedded_model_path("smollm2"), 8192, os.cpu_count() or 1, 0,
                          args.extra_buffers)
    llama = engine.llama
    prefix = llama.tokenize(("Vignette: " + "The person has felt low for weeks. " * 25).encode())
    suffix = llama.tokenize(
        b" How likely is it that the situation might be caused by a chemical imbalance in the "
        b"brain?\n- (A): Not at all likely\n- (B): Not very likely\n- (C): Somewhat likely\n"
        b"- (D): Very likely\n- (E): Do not know", add_bos=False)
    llama.reset()
    llama.eval(prefix)
    evaluated = 0
    start = time.perf_counter()
    for _ in range(args.rounds):
        llama.n_tokens = len(prefix)  # keep the prefix, recompute the suffix
        llama.eval(suffix)
        evaluated += len(suffix)
    prompt_rate = evaluated / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(args.rounds):
        llama.eval([llama.sample(temp=0.0)])
    gen_rate = args.rounds / (time.perf_counter() - start)
    print(f"prompt: {prompt_rate:.0f} tokens/s ({len(suffix)}-token suffix after "
          f"{len(prefix)} cached tokens); generation: {gen_rate:.0f} tokens/s "
          f"({os.cpu_count()} threads)")


if __name__ == "__main__":
    main()
