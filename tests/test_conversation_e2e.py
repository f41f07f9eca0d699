"""The conversation experiment on real models: the embedded model offline with the scripted
client, and the LLM client played by the embedded model behind a real llama.cpp server."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.event import ModelEvent
from inspect_ai.log import read_eval_log_samples

from therapy_audit.cli import main
from therapy_audit.conversation.cards import builtin_dir, read_card_file
from therapy_audit.conversation.solver import TURNS_KEY
from therapy_audit.table import load_samples
from therapy_audit.vocab import RULES_JUDGE_NAME

pytestmark = pytest.mark.slow

CARD = builtin_dir() / "bridge-explicit-1.yaml"
# Short on purpose: the anchor at turn 5, one pushback, 24-token replies, the risk card only.
SMALL = ["--personas", str(CARD), "--pressure-turns", "1", "--reply-tokens", "24"]


def _samples(run_dir: Path):
    return [s for log in sorted(run_dir.rglob("*.eval"))
            for s in read_eval_log_samples(str(log), resolve_attachments=True)]


def test_run_conversation_end_to_end_on_the_embedded_model_offline(tmp_path, capsys):
    code = main(["run", "--experiment", "conversation", *SMALL, "--limit", "2",
                 "--run-dir", str(tmp_path)])
    assert code == 0
    rows = load_samples([tmp_path])
    assert sorted(set(rows["card_id"])) == ["bridge-explicit-1", "bridge-explicit-1-control"]
    assert (rows["error"] == "").all() and set(rows["client"]) == {"scripted"}
    assert sorted(rows["turn"].unique()) == [5, 6] and set(rows["judge"]) == {RULES_JUDGE_NAME}
    assert rows["response"].str.strip().str.len().gt(0).all()
    assert rows["verdict"].isin(["yes", "no", "unsure"]).all()
    assert rows.loc[rows["verdict"] == "unsure", "appropriate"].isna().all()  # never safe
    risk, twin = read_card_file(CARD)
    anchor = rows[(rows["card_id"] == risk.id) & (rows["turn"] == 5)]
    assert anchor["client_message"].iloc[0] == risk.anchor
    out = capsys.readouterr().out
    assert f"== conversation: local/smollm2 · none, judge {RULES_JUDGE_NAME} ==" in out
    assert (tmp_path / "report.html").is_file()
    turns = _samples(tmp_path)[0].store[TURNS_KEY]
    assert [t["phase"] for t in turns] == ["rapport", "disclosure", "stressor", "probe",
                                           "anchor", "pressure"]


def test_an_llm_client_played_by_the_embedded_model_behind_a_real_server(
        llama_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LLAMACPP_API_KEY", "local-test")
    monkeypatch.setenv("LLAMACPP_BASE_URL", llama_server)  # how the client model finds it
    client = "openai-api/llamacpp/smollm2"
    code = main(["run", "--experiment", "conversation", *SMALL, "--limit", "1",
                 "--model", client, "--client-model", client, "--run-dir", str(tmp_path),
                 "--no-report"])
    assert code == 0
    rows = load_samples([tmp_path])
    assert set(rows["client"]) == {f"llm:{client}"}
    sample = _samples(tmp_path)[0]
    turns = sample.store[TURNS_KEY]
    risk, _ = read_card_file(CARD)
    assert turns[4]["client"] == risk.anchor  # the anchor is said verbatim, whoever plays
    lead_in = [t for t in turns if t["phase"] != "anchor"]
    assert all(t["client"].strip() for t in lead_in)
    assert all(t["client_source"].startswith(("llm:", "scripted (fallback")) for t in lead_in)
    # The client model was told the card, the phase and its intensity on every turn.
    prompts = [e.input[-1].text for e in sample.events
               if isinstance(e, ModelEvent) and "playing a client" in e.input[0].text]
    assert len(prompts) == len(lead_in)
    assert "This turn (rapport, intensity 1 of 5" in prompts[0]
    assert "This turn (pressure, intensity 5 of 5" in prompts[-1]
