"""The replay provider: recorded outputs returned by message key, and never a silent blank."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser, get_model

from therapy_audit.models.replay import (
    MissingRecordingError,
    messages_key,
    read_recording,
    write_recording,
)
from therapy_audit.prompts import SystemPrompt
from therapy_audit.stigma.dataset import builtin_samples
from therapy_audit.stigma.task import build_stigma_task

CONVERSATION = [
    ChatMessageSystem(content="Respond naturally."),
    ChatMessageUser(content="I just lost my job."),
]


def test_message_key_depends_on_roles_and_texts_only() -> None:
    as_dicts = [{"role": "system", "content": "Respond naturally."},
                {"role": "user", "content": "I just lost my job."}]
    assert messages_key(CONVERSATION) == messages_key(as_dicts)
    assert messages_key(CONVERSATION) == messages_key(list(CONVERSATION))
    changed_text = [CONVERSATION[0], ChatMessageUser(content="I just lost my job!")]
    changed_role = [CONVERSATION[0], ChatMessageAssistant(content="I just lost my job.")]
    keys = {messages_key(CONVERSATION), messages_key(changed_text), messages_key(changed_role),
            messages_key(CONVERSATION[1:])}
    assert len(keys) == 4


def test_recordings_round_trip_including_a_missing_output(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    records = {"k1": "B", "k2": None, "k3": "Ünïcode “quotes”\nand lines"}
    write_recording(path, records)
    assert read_recording(path) == records


def test_a_malformed_recording_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text('{"key": "k1", "output": "A"}\n{"key": "k2"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{path}:2: not a recording line"):
        read_recording(path)


def _generate(path: Path, messages: list) -> str:
    model = get_model("replay/recorded", recording=str(path))
    return asyncio.run(model.generate(messages)).completion


def test_replay_returns_the_recorded_output_for_the_conversation(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    write_recording(path, {messages_key(CONVERSATION): "I'm sorry to hear that."})
    assert _generate(path, CONVERSATION) == "I'm sorry to hear that."


def test_an_input_without_a_recording_is_an_error_not_an_empty_answer(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    write_recording(path, {messages_key(CONVERSATION): "Recorded."})
    with pytest.raises(MissingRecordingError, match="no recorded output"):
        _generate(path, [ChatMessageUser(content="Something else")])


def test_a_null_recorded_output_is_an_error_not_an_empty_answer(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    write_recording(path, {messages_key(CONVERSATION): None})
    with pytest.raises(MissingRecordingError, match="recorded no output"):
        _generate(path, CONVERSATION)


def test_replay_needs_a_recording_file() -> None:
    with pytest.raises(ValueError, match="recording"):
        asyncio.run(get_model("replay/unrecorded").generate(CONVERSATION))


def test_in_an_eval_a_missing_or_null_recording_is_an_errored_sample(tmp_path: Path) -> None:
    samples = builtin_samples(SystemPrompt("none", ""))[:3]
    path = tmp_path / "rec.jsonl"
    write_recording(path, {messages_key(samples[0].input): "(D)",
                           messages_key(samples[1].input): None})
    task = build_stigma_task(MemoryDataset(samples), "none", cache=False)
    (log,) = inspect_eval(
        task, model=get_model("replay/recorded", recording=str(path)), log_dir=str(tmp_path),
        fail_on_error=False, retry_on_error=0, display="none",
    )
    by_id = {s.id: s for s in log.samples}
    answered, null, missing = (by_id[s.id] for s in samples)
    assert answered.error is None
    assert answered.scores["stigma_scorer"].answer == "D"
    assert null.error is not None and "recorded no output" in null.error.message
    assert missing.error is not None and "no recorded output" in missing.error.message
    assert not null.scores and not missing.scores  # never scored as an (empty) answer
