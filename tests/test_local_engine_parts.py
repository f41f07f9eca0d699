"""The batching engine's pure-Python parts: KV bookkeeping, completion text, progress lines."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from therapy_audit.models.local.completion import CompletionText, GenerationParams
from therapy_audit.models.local.engine import EngineConfig, EngineStats
from therapy_audit.models.local.kv import KvLedger, common_prefix
from therapy_audit.models.local.progress import Progress, SampleCounter, expected_samples

# --- KV ledger --------------------------------------------------------------------------


def test_common_prefix_of_token_arrays() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.int32)
    assert common_prefix(a, np.array([1, 2, 9], dtype=np.int32)) == 2
    assert common_prefix(a, a[:3]) == 3
    assert common_prefix(a, np.array([], dtype=np.int32)) == 0


def test_copied_prefixes_are_counted_once_and_freed_with_their_last_sequence() -> None:
    kv = KvLedger()
    kv.start(0)
    kv.extend(0, list(range(100)))
    kv.start(1, source=0, n_tokens=80)  # shares 80 cells of sequence 0
    kv.extend(1, [7] * 30)
    assert kv.used_cells() == 130
    kv.remove(0)  # the 80 shared cells stay with sequence 1; 20 cells are freed
    assert kv.used_cells() == 110
    kv.truncate(1, 50)
    assert kv.used_cells() == 50
    kv.extend(1, [5] * 10)  # new cells after a truncation are a new computation
    assert kv.used_cells() == 60
    assert kv.length(1) == 60


def test_used_cells_without_a_sequence_is_what_evicting_it_would_leave() -> None:
    kv = KvLedger()
    kv.start(0)
    kv.extend(0, list(range(10)))
    kv.start(1, source=0, n_tokens=10)
    kv.extend(1, [1, 2])
    assert kv.used_cells(without=0) == 12
    assert kv.used_cells(without=1) == 10


def test_longest_prefix_prefers_the_longest_then_a_finished_sequence() -> None:
    kv = KvLedger()
    kv.start(0)
    kv.extend(0, [1, 2, 3, 4])
    kv.start(1)
    kv.extend(1, [1, 2, 3, 9])
    prompt = np.array([1, 2, 3, 4, 5], dtype=np.int32)
    assert kv.longest_prefix(prompt) == (0, 4)
    kv.start(2)
    kv.extend(2, [1, 2, 3, 4])
    kv.set_live(2, False)
    assert kv.longest_prefix(prompt) == (2, 4)
    assert kv.longest_prefix(np.array([8], dtype=np.int32)) == (None, 0)
    assert kv.cached_lru() == [2]


def test_a_prefix_longer_than_the_source_is_refused() -> None:
    kv = KvLedger()
    kv.start(0)
    kv.extend(0, [1, 2])
    with pytest.raises(ValueError):
        kv.start(1, source=0, n_tokens=3)
    with pytest.raises(ValueError):
        kv.start(0)


# --- completion text (llama-cpp-python's create_completion rules) ------------------------

PIECES = {1: b"Hel", 2: b"lo", 3: b" world", 4: b"\xe2\x82", 5: b"\xac", 9: b""}


def _text(max_tokens: int = 10, stops: list[str] | None = None) -> CompletionText:
    return CompletionText(GenerationParams(max_tokens=max_tokens, stops=stops or []),
                          PIECES.__getitem__, lambda t: t == 9)


def test_end_of_generation_ends_without_counting_the_token() -> None:
    text = _text()
    assert not text.add(1) and not text.add(2)
    assert text.add(9)
    assert (text.decoded(), text.finish_reason, len(text.tokens)) == ("Hello", "stop", 2)


def test_the_first_listed_stop_sequence_found_cuts_the_text() -> None:
    text = _text(stops=["wor", "lo"])
    for token in (1, 2):
        assert not text.add(token) or token == 2
    assert text.done and text.decoded() == "Hel" and text.finish_reason == "stop"
    text = _text(stops=["world", "l"])
    assert text.add(1)
    assert text.decoded() == "He"


def test_the_token_limit_ends_with_length() -> None:
    text = _text(max_tokens=2)
    assert not text.add(1)
    assert text.add(3)
    assert (text.decoded(), text.finish_reason) == ("Hel world", "length")


def test_an_incomplete_utf8_character_postpones_the_checks() -> None:
    text = _text(max_tokens=2)
    assert not text.add(1)
    assert not text.add(4)  # two bytes of a euro sign: the limit waits for the character
    assert text.add(5)
    assert (text.decoded(), text.finish_reason, len(text.tokens)) == ("Hel€", "length", 3)
    with pytest.raises(RuntimeError):
        text.add(1)


# --- engine configuration ---------------------------------------------------------------


def test_engine_config_defaults_and_limits() -> None:
    config = EngineConfig(n_ctx=8192, batch_size=16, cache_slots=8)
    assert config.kv_cells == 16384
    assert config.context().n_seq_max == 24
    with pytest.raises(ValueError, match="kv_size"):
        EngineConfig(n_ctx=8192, kv_size=4096).validate()
    with pytest.raises(ValueError):
        EngineConfig(batch_size=0).validate()


# --- progress -----------------------------------------------------------------------------


def test_progress_line_has_samples_rates_and_eta() -> None:
    stats, samples = EngineStats(), SampleCounter()
    samples.task_started("e1", 10)
    progress = Progress("local/x", stats, interval=0, samples=samples)
    progress.line()
    for _ in range(3):
        samples.sample_done("e1")
    stats.prompt_computed, stats.generated, stats.live, stats.pending = 500, 100, 4, 2
    time.sleep(0.05)
    line = progress.line()
    assert line.startswith("local/x | samples 3/10 | 4 generating, 2 queued | ")
    assert "tok/s" in line and "ETA" in line
    samples.task_ended("e1")
    assert "requests done 0" in progress.line()


def test_progress_prints_every_interval_while_the_engine_is_busy() -> None:
    stats, out = EngineStats(), io.StringIO()
    progress = Progress("local/x", stats, interval=0.05, stream=out, samples=SampleCounter())
    progress.ensure_started()
    time.sleep(0.2)
    assert out.getvalue() == ""  # idle: nothing to report
    stats.live = 3
    time.sleep(0.3)
    progress.stop()
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and all("3 generating" in line for line in lines)


def test_expected_samples_follow_limit_and_epochs() -> None:
    class Spec:
        class dataset:
            samples = 1008

        class config:
            limit = 140
            epochs = 2

    assert expected_samples(Spec) == 280
    Spec.config.limit = (10, 20)
    assert expected_samples(Spec) == 20
    Spec.config.limit, Spec.config.epochs = None, None
    assert expected_samples(Spec) == 1008


def test_unknown_model_args_and_weight_types_are_refused() -> None:
    from therapy_audit.models.local import LocalModelAPI, LocalModelError

    with pytest.raises(LocalModelError, match="weights"):
        LocalModelAPI("smollm2", weights="q2_k")
    with pytest.raises(LocalModelError, match="unknown model args"):
        LocalModelAPI("smollm2", batchsize=4)
    with pytest.raises(LocalModelError, match="kv_size"):
        LocalModelAPI("smollm2", n_ctx=4096, kv_size=1024)


# --- the engine layer's concurrency for local models -----------------------------------


@pytest.mark.parametrize(("batching", "expected"), [(True, 32), (False, 1)])
def test_run_eval_gives_a_local_model_the_concurrency_its_provider_serves(
        monkeypatch, tmp_path, batching: bool, expected: int) -> None:
    """Batching engine: twice the batch in flight; single-sequence path: one at a time."""
    from therapy_audit import engine
    from therapy_audit.models.local import LocalModelAPI

    class Model:
        api = LocalModelAPI("smollm2", batching=batching, batch_size=16)

    seen = {}

    def fake_eval_set(tasks, **kwargs):
        seen.update(kwargs)
        return True, []

    monkeypatch.setattr(engine, "eval_set", fake_eval_set)
    assert engine.run_eval(object(), tmp_path, Model(), None, 4, local=True)
    assert (seen["max_connections"], seen["max_samples"]) == (expected, expected)
    engine.run_eval(object(), tmp_path, Model(), None, 4, local=False)
    assert (seen["max_connections"], seen["max_samples"]) == (4, None)
