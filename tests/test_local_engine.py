"""The batching engine on the embedded model, for real (no fakes of llama.cpp)."""

from __future__ import annotations

import asyncio
import time

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig

from therapy_audit.models.local import LocalModelAPI
from therapy_audit.models.local.completion import GenerationParams
from therapy_audit.models.local.files import embedded_model_path
from therapy_audit.models.local.llama_api import LlamaError
from therapy_audit.models.local.runners import RunnerSpec, get_runner
from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.stigma.dataset import builtin_samples

pytestmark = pytest.mark.slow

SPEC = dict(n_ctx=2048, n_threads=2, kv_size=4096, batch_size=4, cache_slots=2)


@pytest.fixture(scope="module")
def batched():
    return get_runner(RunnerSpec(path=embedded_model_path("smollm2"), **SPEC))


@pytest.fixture(scope="module")
def sequential():
    return get_runner(RunnerSpec(path=embedded_model_path("smollm2"), n_ctx=2048, n_threads=2,
                                 batching=False))


@pytest.fixture(scope="module")
def stigma_prompts(batched):
    samples = builtin_samples(resolve_system_prompt("none"))
    chosen = samples[:3] + samples[14:16]  # two vignettes: shared and unshared prefixes
    return [batched.tokenize(batched.template.render(s.input)) for s in chosen]


def _params(runner, max_tokens: int = 10, **kwargs) -> GenerationParams:
    stops = runner.template.stop_sequences(kwargs.pop("stops", None))
    return GenerationParams(max_tokens=max_tokens, stops=stops, **kwargs)


def test_batched_answers_equal_sequential_ones_at_temperature_0(batched, sequential,
                                                                stigma_prompts):
    params = _params(batched)
    expected = [sequential.submit(t, params).result() for t in stigma_prompts]
    futures = [batched.submit(t, params) for t in stigma_prompts]
    got = [f.result(timeout=300) for f in futures]
    assert [c.text for c in got] == [c.text for c in expected]
    assert [c.finish_reason for c in got] == [c.finish_reason for c in expected]
    assert [c.completion_tokens for c in got] == [c.completion_tokens for c in expected]


def test_usage_counts_reused_and_computed_prompt_tokens(batched, stigma_prompts):
    first, second = stigma_prompts[0], stigma_prompts[1]
    shared = next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
    a = batched.submit(first, _params(batched)).result(timeout=300)
    b = batched.submit(second, _params(batched)).result(timeout=300)
    assert a.prompt_tokens == len(first) and a.reused_tokens <= len(first) - 1
    assert b.reused_tokens == shared  # the vignette prefix, copied from the first request
    assert b.computed_tokens == len(second) - shared


def test_stop_sequences_and_token_limits(batched, sequential, stigma_prompts):
    prompt = stigma_prompts[0]
    limited = batched.submit(prompt, _params(batched, max_tokens=2)).result(timeout=300)
    assert (limited.completion_tokens, limited.finish_reason) == (2, "length")
    full = batched.submit(prompt, _params(batched)).result(timeout=300)
    word = full.text.split()[1]  # a word the answer contains
    stopped = batched.submit(prompt, _params(batched, stops=[word])).result(timeout=300)
    assert stopped.finish_reason == "stop"
    assert stopped.text == full.text[: full.text.index(word)]
    reference = sequential.submit(prompt, _params(sequential, stops=[word])).result()
    assert stopped.text == reference.text


def test_seeded_sampling_is_reproducible_in_any_batch(batched, stigma_prompts):
    prompt = stigma_prompts[2]
    params = _params(batched, max_tokens=8, temperature=1.5, seed=7)
    alone = batched.submit(prompt, params).result(timeout=300)
    crowd = [batched.submit(p, _params(batched, max_tokens=8, temperature=1.5, seed=i))
             for i, p in enumerate(stigma_prompts)]
    again = batched.submit(prompt, params)
    assert again.result(timeout=300).text == alone.text
    others = {f.result(timeout=300).text for f in crowd}
    assert len(others) > 1  # the seeds really sample


def test_requests_arriving_while_others_decode_are_admitted(batched, stigma_prompts):
    from therapy_audit.appropriateness.dataset import appropriateness_samples

    engine = batched.engine
    chat = appropriateness_samples(resolve_system_prompt("none"), [])[0].input
    long = batched.submit(batched.tokenize(batched.template.render(chat)),
                          _params(batched, max_tokens=60))
    deadline = time.monotonic() + 120
    while engine.stats.live == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.stats.peak_live = 1
    generated = engine.stats.generated
    while engine.stats.generated < generated + 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not long.done()
    short = batched.submit(stigma_prompts[1], _params(batched, max_tokens=2))
    assert short.result(timeout=300).completion_tokens == 2
    assert engine.stats.peak_live >= 2  # admitted while the long request was decoding
    assert long.result(timeout=300).completion_tokens > 2


def test_an_engine_failure_fails_the_requests_and_the_engine_recovers(batched,
                                                                      stigma_prompts):
    engine = batched.engine
    original = engine.ctx.decode

    def broken(batch):
        engine.ctx.decode = original
        raise RuntimeError("simulated llama.cpp failure")

    engine.ctx.decode = broken
    futures = [batched.submit(p, _params(batched)) for p in stigma_prompts[:3]]
    for future in futures:
        with pytest.raises(RuntimeError, match="simulated"):
            future.result(timeout=300)
    assert batched.submit(stigma_prompts[0], _params(batched)).result(timeout=300).text


def test_misuse_raises_python_errors_instead_of_aborting(batched):
    ctx = batched.engine.ctx
    with pytest.raises(LlamaError):
        ctx.seq_cp(0, 99, 5)
    with pytest.raises(LlamaError):
        ctx.seq_rm(-1)
    batch = batched.engine.batch
    with pytest.raises(LlamaError):
        batch.add([1] * (batch.capacity + 1), 0, 0, True)
    with pytest.raises(ValueError):
        batched.submit([1] * 2000, _params(batched, max_tokens=100))


def test_a_context_overflow_returns_the_model_length_output():
    api = LocalModelAPI("smollm2", batching=True, n_ctx=64, kv_size=256, batch_size=2,
                         cache_slots=0)
    output = asyncio.run(api.generate([ChatMessageUser(content="hello " * 80)], [], "auto",
                                      GenerateConfig(max_tokens=16)))
    assert output.stop_reason == "model_length" and output.completion == ""
    assert output.metadata["context_window"] == 64
    assert output.metadata["max_tokens"] == 16
    assert output.metadata["prompt_tokens"] > 48


def test_provider_reports_usage_and_max_connections():
    api = LocalModelAPI("smollm2", batching=True, n_ctx=1024, kv_size=2048, batch_size=3,
                         cache_slots=1)
    assert api.max_connections() == 6
    assert LocalModelAPI("smollm2", batching=False).max_connections() == 1
    output = asyncio.run(api.generate([ChatMessageUser(content="Say hi.")], [], "auto",
                                      GenerateConfig(max_tokens=5, temperature=0.0)))
    usage = output.usage
    assert usage.input_tokens + (usage.input_tokens_cache_read or 0) > 0
    assert 0 < usage.output_tokens <= 5


def test_a_requantised_copy_is_made_once_and_served(tmp_path, monkeypatch):
    from therapy_audit.models.local.files import requantised

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path))
    source = embedded_model_path("smollm2")
    copy = requantised(source, "q4_0", 2)
    assert copy.parent == tmp_path / "weights" and copy.stat().st_size > 0
    made = copy.stat().st_mtime_ns
    assert requantised(source, "q4_0", 2).stat().st_mtime_ns == made
    api = LocalModelAPI("smollm2", batching=True, weights="q4_0", n_ctx=512, kv_size=1024,
                        batch_size=2, cache_slots=0)
    output = asyncio.run(api.generate([ChatMessageUser(content="Say hi.")], [], "auto",
                                      GenerateConfig(max_tokens=3)))
    assert output.usage.output_tokens > 0
