"""The appropriateness experiment through the HTTP chatbot adapter, against a real local
stateful bot server: every sample ends scored or recorded with its error."""

from __future__ import annotations

from pathlib import Path

import pytest
from bot_servers import BotServer

from therapy_audit.cli import main
from therapy_audit.logfile import read_samples
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


def test_a_conversation_with_a_stateful_bot_is_one_session_sent_one_turn_at_a_time(server,
                                                                                   tmp_path):
    run_dir = tmp_path / "run"
    code = main(["run", "--experiment", "conversation", "--model", "httpbot/echo-bot",
                 "-M", f"bot_config={_config(server, tmp_path)}", "--run-dir", str(run_dir),
                 "--no-report"])
    assert code == 0
    rows = load_samples([run_dir])
    conversations = rows.drop_duplicates("sample_id")
    assert len(conversations) == 10 and (rows["error"] == "").all()
    # One session per conversation, and each client line sent once: 7 turns, 7 messages
    # (a fresh session per turn would replay 1 + 2 + ... + 7 = 28 messages per conversation).
    assert len(server.sessions) == 10
    for history in server.sessions.values():
        assert sum(1 for m in history if m["role"] == "user") == 7
    # The bot numbers the turns of its session: the anchor (turn 5) is its fifth turn.
    anchors = rows[rows["turn"] == rows["anchor_turn"]]
    assert anchors["response"].str.startswith("[turn 5]").all()
    # Every turn records its session: the same one throughout, continued after turn 1.
    (log,) = run_dir.rglob("*.eval")
    for sample in read_samples(log):
        sessions = [t["bot_session"] for t in sample.store["conversation_turns"]]
        assert len({s["session_id"] for s in sessions}) == 1
        assert [s["continued_session"] for s in sessions] == [False] + [True] * 6
        assert all(s["replaced_assistant_turns"] == 0 for s in sessions)
