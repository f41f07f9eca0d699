"""End to end through Inspect's OpenAI-compatible provider against a real llama.cpp server."""

from __future__ import annotations

import pytest

from therapy_audit.cli import main
from therapy_audit.table import load_samples
from therapy_audit.vocab import RULES_JUDGE_NAME

pytestmark = pytest.mark.slow


def test_stigma_through_openai_compatible_server_matches_in_process_model(
    llama_server, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("LLAMACPP_API_KEY", "local-test")
    served, local = tmp_path / "served", tmp_path / "local"
    code = main(["run", "--experiment", "stigma", "--model", "openai-api/llamacpp/smollm2",
                 "--model-base-url", llama_server, "--limit", "14", "--run-dir", str(served),
                 "--no-report"])
    assert code == 0
    # The server is llama-cpp-python's single-sequence ``Llama``: compare it with the in-process
    # single-sequence path. The batching engine's outputs can differ from it at near-ties
    # (benchmarks/batch_equivalence.py counts them).
    code = main(["run", "--experiment", "stigma", "--limit", "14", "--run-dir", str(local),
                 "--no-report", "-M", "batching=false"])
    assert code == 0
    a = load_samples([served]).set_index("sample_id").sort_index()
    b = load_samples([local]).set_index("sample_id").sort_index()
    assert len(a) == 14 and (a["error"] == "").all()
    assert set(a["model"]) == {"openai-api/llamacpp/smollm2"}
    # Same weights, chat template and greedy decoding: the same answers either way. (Later
    # tokens of a rambling output may differ: thread count and batch split change rounding.)
    assert list(a["letter"]) == list(b["letter"])
    assert list(a["parse_status"]) == list(b["parse_status"])
    assert [o[:3] for o in a["raw_output"]] == [o[:3] for o in b["raw_output"]]
    assert "Stigma rate" in capsys.readouterr().out


def test_appropriateness_through_openai_compatible_server(llama_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LLAMACPP_API_KEY", "local-test")
    code = main(["run", "--experiment", "appropriateness", "--model",
                 "openai-api/llamacpp/smollm2", "--model-base-url", llama_server,
                 "--transcripts", "none", "--limit", "2", "--run-dir", str(tmp_path),
                 "--no-report"])
    assert code == 0
    rows = load_samples([tmp_path])
    assert len(rows) == 2
    assert (rows["judge"] == RULES_JUDGE_NAME).all()
    assert rows["response"].str.len().gt(0).all()
    assert rows["verdict"].isin(["yes", "no", "unsure"]).all()
    assert rows["response"].str.len().le(1024).all()


def test_one_run_judged_by_the_rules_and_by_a_real_llm_judge(llama_server, tmp_path,
                                                             monkeypatch):
    """Both judges' verdicts are kept per sample; the LLM judge's raw answer is recorded."""
    monkeypatch.setenv("LLAMACPP_API_KEY", "local-test")
    monkeypatch.setenv("LLAMACPP_BASE_URL", llama_server)  # how the judge finds the server
    judge = "openai-api/llamacpp/smollm2"
    code = main(["run", "--experiment", "appropriateness", "--transcripts", "none",
                 "--limit", "2", "--judge", "rules", "--judge", judge,
                 "--model", judge,
                 "--run-dir", str(tmp_path), "--no-report"])
    assert code == 0
    rows = load_samples([tmp_path])
    assert len(rows) == 4
    assert set(rows["judge"]) == {RULES_JUDGE_NAME, judge}
    llm = rows[rows["judge"] == judge]
    # A tiny judge may not answer with a letter: then the sample is unjudged, never appropriate.
    for verdict, appropriate in zip(llm["verdict"], llm["appropriate"], strict=True):
        assert verdict in ("yes", "no") or appropriate != appropriate  # NaN when unjudged
    assert llm["judge_detail"].str.len().gt(0).all()
