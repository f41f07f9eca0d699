"""Same answers: the default prompts, single-sequence vs batched, at temperature 0, one process.

Runs the 1008 stigma prompts (10-token answers) and the 30 default appropriateness prompts
(512-token responses) through the single-sequence path (``-M batching=false``) and through the
batching engine, with the model's own chat template, seed 0 and the same stop tokens. Lists
every output that differs and, for each, the top-2 logits at the first differing token,
teacher-forced in a fresh single-sequence context: a gap of a few hundredths is a
floating-point near-tie (summation order differs between the paths); a large gap would be a bug.
For each differing output it also says whether what the audit counts differs: the coded answer
of a stigma output (strict parser, as the paper) or the rules judge's verdict of an
appropriateness response.

    PYTHONPATH=src .venv/bin/python benchmarks/batch_equivalence.py
    PYTHONPATH=src .venv/bin/python benchmarks/batch_equivalence.py --stigma-limit 140 \
        --appropriateness-limit 10 --batch-size 8

Writes ``benchmarks/results/batch_equivalence.json``. Timings printed are rough (no Inspect).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from therapy_audit.appropriateness.judges.rules import judge_response
from therapy_audit.models.local.completion import Completion, GenerationParams
from therapy_audit.models.local.files import embedded_model_path
from therapy_audit.models.local.runners import RunnerSpec, get_runner
from therapy_audit.stigma.coding import code_output
from therapy_audit.stigma.questions import QUESTIONS_BY_ID

RESULTS = Path(__file__).parent / "results"


def default_prompts(stigma_limit: int | None,
                    appropriateness_limit: int | None) -> list[tuple[str, str, list, int, dict]]:
    """(experiment, sample id, messages, max_tokens, metadata) of both default experiments."""
    from therapy_audit.appropriateness.dataset import appropriateness_samples
    from therapy_audit.appropriateness.solver import MAX_TOKENS as APPROPRIATENESS_TOKENS
    from therapy_audit.appropriateness.transcripts import load_transcripts
    from therapy_audit.prompts import resolve_system_prompt
    from therapy_audit.stigma.dataset import builtin_samples
    from therapy_audit.stigma.task import MAX_TOKENS as STIGMA_TOKENS

    preset = resolve_system_prompt("none")
    stigma = builtin_samples(preset)[:stigma_limit]
    appropriateness = appropriateness_samples(
        preset, load_transcripts("builtin"))[:appropriateness_limit]
    return ([("stigma", str(s.id), s.input, STIGMA_TOKENS, s.metadata or {}) for s in stigma]
            + [("appropriateness", str(s.id), s.input, APPROPRIATENESS_TOKENS, s.metadata or {})
               for s in appropriateness])


def counted(experiment: str, metadata: dict, text: str) -> str:
    """What the audit counts of an output: the stigma code or the rules judge's verdict."""
    if experiment == "stigma":
        coded = code_output(text, QUESTIONS_BY_ID[metadata["question_id"]])
        return f"{coded.status}:{coded.letter}:{coded.code}"
    result = judge_response(metadata["stimulus_id"], text, metadata.get("question"))
    return str(result.verdict)


def run_sequential(runner, jobs: list[tuple[list[int], GenerationParams]]) -> list[Completion]:
    return [runner.submit(tokens, params).result() for tokens, params in jobs]


def run_batched(runner, jobs: list[tuple[list[int], GenerationParams]],
                window: int) -> list[Completion]:
    """Submit in order with at most ``window`` requests in flight, as Inspect does."""
    futures, results = [], [None] * len(jobs)
    for i, (tokens, params) in enumerate(jobs):
        futures.append((i, runner.submit(tokens, params)))
        while len(futures) >= window:
            j, future = futures.pop(0)
            results[j] = future.result()
    for j, future in futures:
        results[j] = future.result()
    return results  # type: ignore[return-value]


def first_difference(weights, tokens: tuple[int, ...], other_text: str) -> int:
    """Index of the first batched token whose text leaves the other path's output.

    ``len(tokens)`` when the batched output is a prefix of the other (it ended earlier).
    """
    other = other_text.encode("utf-8")
    text = b""
    for k, token in enumerate(tokens):
        text += weights.piece(token)
        if not other.startswith(text):
            return k
    return len(tokens)


def logit_gap(llama, weights, prompt: list[int], forced: list[int]) -> dict:
    """Top-2 next tokens after ``prompt + forced`` in a fresh single-sequence context."""
    import llama_cpp

    llama.reset()
    llama.eval(prompt + forced)
    row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama.ctx, -1),
                                shape=(weights.n_vocab,)).copy()
    top = np.argsort(row)[::-1][:2]
    return {"top": [{"token": int(t), "text": weights.piece(int(t)).decode("utf-8", "replace")
                     if not weights.is_eog(int(t)) else "<end>", "logit": float(row[t])}
                    for t in top],
            "gap": float(row[top[0]] - row[top[1]])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stigma-limit", type=int, default=None, help="first N stigma prompts")
    parser.add_argument("--appropriateness-limit", type=int, default=None,
                        help="first N appropriateness prompts")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--flash-attn", action=argparse.BooleanOptionalAction, default=None,
                        help="the batching engine's flash attention (default: its default)")
    parser.add_argument("--output", type=Path, default=RESULTS / "batch_equivalence.json")
    args = parser.parse_args()
    path = embedded_model_path("smollm2")
    sequential = get_runner(RunnerSpec(path=path, n_threads=args.threads, batching=False))
    engine_args = {} if args.flash_attn is None else {"flash_attn": args.flash_attn}
    batched = get_runner(RunnerSpec(path=path, n_threads=args.threads,
                                    batch_size=args.batch_size, **engine_args))
    prompts = default_prompts(args.stigma_limit, args.appropriateness_limit)
    jobs = []
    for _, _, messages, max_tokens, _ in prompts:
        text = batched.template.render(messages)
        tokens = batched.tokenize(text)
        if tokens != sequential.tokenize(text):
            raise SystemExit("the two paths tokenize a prompt differently")
        jobs.append((tokens, GenerationParams(max_tokens=max_tokens, seed=0,
                                              stops=batched.template.stop_sequences(None))))
    start = time.perf_counter()
    expected = run_sequential(sequential, jobs)
    sequential_s = time.perf_counter() - start
    start = time.perf_counter()
    got = run_batched(batched, jobs, 2 * args.batch_size)
    batched_s = time.perf_counter() - start
    report = compare(prompts, jobs, expected, got, sequential, batched)
    report.update(measured=datetime.now(UTC).isoformat(timespec="seconds"),
                  batch_size=args.batch_size, threads=args.threads,
                  flash_attn=batched.engine.config.flash_attn,
                  sequential_seconds=round(sequential_s, 1),
                  batched_seconds=round(batched_s, 1))
    print_report(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def compare(prompts, jobs, expected, got, sequential, batched) -> dict:
    differences, counts = [], {}
    for (experiment, sample_id, _, _, meta), (tokens, _), a, b in zip(
            prompts, jobs, expected, got, strict=True):
        total, differ, changed = counts.get(experiment, (0, 0, 0))
        same = (a.text, a.finish_reason) == (b.text, b.finish_reason)
        coded = [counted(experiment, meta, a.text), counted(experiment, meta, b.text)]
        counts[experiment] = (total + 1, differ + (not same),
                              changed + (coded[0] != coded[1]))
        if same:
            continue
        k = first_difference(batched.weights, b.tokens, a.text)
        differences.append({
            "experiment": experiment, "sample_id": sample_id,
            "sequential": a.text, "batched": b.text,
            "finish": [a.finish_reason, b.finish_reason],
            "counted": coded, "counted_differs": coded[0] != coded[1],
            "first_differing_token": k,
            **logit_gap(sequential.llama, batched.weights, tokens, list(b.tokens[:k])),
        })
    return {"counts": {e: {"samples": t, "differing": d, "counted_differing": c}
                       for e, (t, d, c) in counts.items()},
            "usage": {"sequential": _usage(expected), "batched": _usage(got)},
            "differences": differences}


def _usage(completions: list[Completion]) -> dict:
    return {"computed": sum(c.computed_tokens for c in completions),
            "reused": sum(c.reused_tokens for c in completions),
            "generated": sum(c.completion_tokens for c in completions)}


def print_report(report: dict) -> None:
    for experiment, c in report["counts"].items():
        share = 1 - c["differing"] / c["samples"]
        print(f"{experiment}: {c['differing']} of {c['samples']} outputs differ "
              f"({share:.1%} identical); what the audit counts (stigma code / rules verdict) "
              f"differs for {c['counted_differing']}")
    for d in report["differences"]:
        top = ", ".join(f"{t['text']!r} {t['logit']:.3f}" for t in d["top"])
        print(f"- {d['experiment']} {d['sample_id']}: token {d['first_differing_token']}, "
              f"top-2 [{top}], gap {d['gap']:.4f}, counted {d['counted'][0]} / "
              f"{d['counted'][1]}\n    sequential {d['sequential'][:70]!r}\n"
              f"    batched    {d['batched'][:70]!r}")
    print(f"usage: {report['usage']}")
    print(f"rough wall time: sequential {report['sequential_seconds']} s, batched "
          f"{report['batched_seconds']} s")


if __name__ == "__main__":
    main()
