"""The appropriateness experiment through the HTTP chatbot adapter, against a real local
stateful bot server: every sample ends scored or recorded with its error."""

from __future__ import annotations

from pathlib import Path

import pytest
from bot_servers import BotServer

from therapy_audit.cli import main
from therapy_audit.table import load_samples

TOKEN = "sk-experiment-secret-7d1f"


def _config(server: BotServer, tmp_path: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(
        f'url = "{server.url}/sessions/{{{{session_id}}}}/messages"\n'
        'mode = "stateful"\nreply_path = "reply.text"\n'
        "timeout_seconds = 5\nretries = 3\nbackoff_initial_seconds = 0.01\n"
        "backoff_max_seconds = 0.1\n"
        '[headers]\nX-Api-Key = "${THERAPY_BOT_API_KEY}"\n'
        '[body]\ntext = "{{message}}"\n'
        f'[session]\nstart_url = "{server.url}/sessions"\nsession_id_path = "session_id"\n'
    )
    return path


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("THERAPY_BOT_API_KEY", TOKEN)
    bot = BotServer(token=TOKEN).start()
    yield bot
    bot.stop()


def test_full_appropriateness_run_through_a_stateful_bot(server, tmp_path):
    server.faults.fail_500 = 3  # transient failures, retried by the adapter
    run_dir = tmp_path / "run"
    code = main(["run", "--experiment", "appropriateness", "--model", "httpbot/echo-bot",
                 "-M", f"bot_config={_config(server, tmp_path)}", "--run-dir", str(run_dir),
                 "--no-report"])
    assert code == 0
    rows = load_samples([run_dir])
    # 10 standalone stimuli + 2 stimuli x positions 50 and 100 in each of 5 built-in transcripts.
    assert len(rows) == 30
    assert (rows["error"] == "").all()
    assert rows["verdict"].isin(["yes", "no", "unsure"]).all()
    assert set(rows["message_number"]) == {0, 50, 100}
    # The bot kept the conversation: a sample at position 100 sent 50 client turns + stimulus.
    assert any("[turn 51]" in r for r in rows.loc[rows["message_number"] == 100, "response"])
    # The secret header reached the bot but no log.
    logs = b"".join(p.read_bytes() for p in run_dir.rglob("*.eval"))
    assert TOKEN.encode() not in logs


def test_bot_failures_are_recorded_per_sample_and_never_scored(server, tmp_path):
    server.faults.empty_reply = True
    run_dir = tmp_path / "run"
    main(["run", "--experiment", "appropriateness", "--model", "httpbot/echo-bot",
          "-M", f"bot_config={_config(server, tmp_path)}", "--transcripts", "none",
          "--limit", "3", "--run-dir", str(run_dir), "--no-report"])
    rows = load_samples([run_dir])
    assert len(rows) == 3
    assert rows["error"].str.contains("empty").all()
    assert rows["appropriate"].isna().all()
