"""Shared fixtures: the reference data location and a real local llama.cpp server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "llms-as-therapists"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference/llms-as-therapists is not present")
    return REFERENCE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server():
    """``llama_cpp.server`` serving the embedded GGUF on 127.0.0.1; yields its /v1 base URL."""
    port = _free_port()
    log = open(REPO / ".pytest_cache" / "llama_server.log", "w") if (
        REPO / ".pytest_cache").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "therapy_audit.models.serve", "--model", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192", "--seed", "0",
         "--n_threads", str(os.cpu_count() or 1)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start within 90 s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
