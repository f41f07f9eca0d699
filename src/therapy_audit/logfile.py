"""Reading Inspect ``.eval`` logs directly: the header and the samples the table is made of.

An ``.eval`` log is a zip archive of JSON members: ``header.json`` (or, while a run is
unfinished, ``_journal/start.json``) and ``samples/<id>_epoch_<n>.json``, compressed with
zstd (or deflate). Reading those members with ``zipfile``, ``zstandard`` and ``json`` gives
the same header fields and :class:`~therapy_audit.log_sample.LogSample` records as Inspect's
reader, many times faster (Inspect validates every sample with pydantic and re-reads the
zip directory for each sample) and without importing Inspect. A log this reader does not
understand (another log-format version, an unknown compression, members laid out another
way) is read by Inspect's own reader instead: format drift costs speed, never rows.
``tests/test_logfile.py`` compares both readers on real logs.
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import zstandard

from therapy_audit.log_sample import LogSample

FORMAT_VERSION = 2  # the log format this reader knows (Inspect 0.3.285 writes it)
HEADER = "header.json"
JOURNAL_START = "_journal/start.json"  # the header of a run that has not finished
SUMMARIES = "summaries.json"
REDUCTIONS = "reductions.json"
_STORED, _DEFLATED, _ZSTD = 0, 8, 93
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra length
_ZSTD_DECOMPRESSOR = zstandard.ZstdDecompressor()


class LogReadError(Exception):
    """A log that neither this reader nor Inspect's can read."""


class _Unsupported(Exception):
    """A log this reader does not understand (Inspect's reader is tried instead)."""


@dataclass(frozen=True)
class LogHeader:
    """What the table needs of a log's header."""

    task: str
    model: str
    task_args: dict[str, Any]
    created: str  # ISO time, UTC
    metadata: dict[str, Any]
    status: str  # "success", "error", "cancelled", "started" (unfinished)
    completed_samples: int
    sample_ids: list[int | str] | None  # the dataset's sample ids, in order
    epochs: int


def read_header(path: Path) -> LogHeader:
    """The header of the log at ``path``; :class:`LogReadError` if it cannot be read."""
    try:
        with _Archive(path) as archive:
            return _header(archive)
    except _Unsupported:
        return _inspect_header(path)


def read_samples(path: Path) -> list[LogSample]:
    """The logged samples at ``path`` in Inspect's order (dataset order, then epoch).

    Samples not (yet) in the log are left out, as ``read_eval_log_samples`` does with
    ``all_samples_required=False``.
    """
    try:
        with _Archive(path) as archive:
            header = _header(archive)
            if header.sample_ids is None:
                raise _Unsupported("no sample ids in the header")
            samples = []
            for sample_id in header.sample_ids:
                for epoch in range(1, header.epochs + 1):
                    data = archive.json(f"samples/{sample_id}_epoch_{epoch}.json")
                    if data is not None:
                        samples.append(_sample(data))
            return samples
    except _Unsupported:
        return _inspect_samples(path)


class _Archive:
    """An ``.eval`` zip opened once: its members by name (the last of a repeated name)."""

    def __init__(self, path: Path) -> None:
        try:
            self._file = path.open("rb")
        except OSError as err:
            raise LogReadError(f"cannot read log {path}: {err.strerror}") from err
        try:
            infos = zipfile.ZipFile(self._file).infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            self._file.close()
            raise _Unsupported(str(err)) from err
        self._members = {info.filename: info for info in infos}

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def json(self, name: str) -> Any:
        """The parsed JSON member ``name``; ``None`` when there is no such member."""
        info = self._members.get(name)
        if info is None:
            return None
        try:
            return json.loads(self._read(info))
        except (ValueError, zlib.error, zstandard.ZstdError) as err:
            raise _Unsupported(f"{name}: {err}") from err

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        self._file.seek(info.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(
            self._file.read(_LOCAL_HEADER.size))
        if signature != b"PK\x03\x04":
            raise _Unsupported(f"{info.filename}: no local file header")
        self._file.seek(name_length + extra_length, 1)
        data = self._file.read(info.compress_size)
        if info.compress_type == _ZSTD:
            return _unzstd(data)
        if info.compress_type == _DEFLATED:
            return zlib.decompress(data, -15)
        if info.compress_type == _STORED:
            return data
        raise _Unsupported(f"{info.filename}: compression method {info.compress_type}")


def _unzstd(data: bytes) -> bytes:
    """Decompress every zstd frame of ``data`` (Inspect splits very large members)."""
    parts = []
    while data:
        frame = _ZSTD_DECOMPRESSOR.decompressobj()
        parts.append(frame.decompress(data))
        if not frame.eof:
            raise _Unsupported("truncated zstd data")
        data = frame.unused_data
    return b"".join(parts)


def _header(archive: _Archive) -> LogHeader:
    data = archive.json(HEADER)
    if data is None:
        data = archive.json(JOURNAL_START)
        if data is None:
            raise _Unsupported("no header.json and no journal")
        data = {"version": data.get("version"), "eval": data.get("eval"), "status": "started"}
    if data.get("version") != FORMAT_VERSION:
        raise _Unsupported(f"log format version {data.get('version')}")
    try:
        spec = data["eval"]
        results = data.get("results") or {}
        return LogHeader(
            task=str(spec["task"]),
            model=str(spec["model"]),
            task_args=spec.get("task_args") or {},
            created=_utc(spec["created"]),
            metadata=spec.get("metadata") or {},
            status=str(data.get("status", "started")),
            completed_samples=int(results.get("completed_samples") or 0),
            sample_ids=spec["dataset"].get("sample_ids"),
            epochs=int(spec["config"].get("epochs") or 1),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise _Unsupported(f"header: {err!r}") from err


def _sample(data: Any) -> LogSample:
    try:
        return LogSample.from_json(data)
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise _Unsupported(f"sample: {err!r}") from err


def _utc(text: str) -> str:
    """An ISO time normalised to UTC, as Inspect's ``UtcDatetimeStr`` does."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


# Inspect's reader, for logs the direct reader does not understand. Imported only then:
# importing Inspect costs seconds that reading a run directory otherwise does not need.
def _inspect_header(path: Path) -> LogHeader:
    from inspect_ai.log import read_eval_log  # see the comment above

    try:
        log = read_eval_log(str(path), header_only=True)
    except Exception as err:  # a truncated or foreign file
        raise LogReadError(f"cannot read log {path}: {err}") from err
    spec = log.eval
    return LogHeader(
        task=spec.task, model=spec.model, task_args=dict(spec.task_args or {}),
        created=spec.created, metadata=dict(spec.metadata or {}), status=log.status,
        completed_samples=log.results.completed_samples if log.results else 0,
        sample_ids=spec.dataset.sample_ids, epochs=spec.config.epochs or 1,
    )


def _inspect_samples(path: Path) -> list[LogSample]:
    from inspect_ai.log import read_eval_log_samples  # see the comment above _inspect_header

    return [LogSample.from_eval_sample(sample)
            for sample in read_eval_log_samples(str(path), all_samples_required=False)]
