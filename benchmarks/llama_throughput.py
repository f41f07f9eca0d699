"""Benchmark: raw single-sequence llama.cpp speed of the embedded model on this machine.

Prompt tokens per second (the ~60-token question of a stigma prompt evaluated after its cached
vignette prefix) and generated tokens per second (10-token answers), through the loader of the
single-sequence path. ``benchmarks/local_speed.py`` measures the same before and after its runs.

    PYTHONPATH=src .venv/bin/python benchmarks/llama_throughput.py [--threads N] [--rounds R]
"""

from __future__ import annotations

import argparse
import os

from local_speed import cpu_model, single_sequence_rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rates = single_sequence_rates(args.threads, args.rounds)
    print(f"{cpu_model()}, {args.threads} threads: prompt {rates['prompt_per_s']:.0f} tokens/s "
          f"({rates['suffix_tokens']}-token suffix after {rates['cached_prefix']} cached "
          f"tokens); generation {rates['generated_per_s']:.0f} tokens/s")


if __name__ == "__main__":
    main()
