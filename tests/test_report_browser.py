"""The report in a real browser: hostile strings stay text, nothing runs, nothing loads.

Headless Chromium is driven over the Chrome DevTools Protocol on a pipe
(``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file descriptors 3 and
4), so no websocket library or driver is needed. Skipped where Chromium is not installed
(Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_report import IMG, SCRIPT, hostile_frame

from therapy_audit.analysis import report

pytestmark = pytest.mark.slow

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                               "google-chrome")) if p), None)


class CDPPipe:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, chromium: str, profile: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Move the child's ends to high descriptors first, so the dup2 to 3/4 cannot clobber.
        hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 20)
        hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 20)
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)

        def child_fds() -> None:
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=child_fds,
        )
        os.close(hi_r)
        os.close(hi_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the debugging pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        msg: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass


def load_in_chromium(page: Path) -> dict:
    """Load ``page`` and report what happened: globals, DOM facts, console, network."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="ta-cdp-") as profile:
        cdp = CDPPipe(CHROMIUM, profile)
        try:
            target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = cdp.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                cdp.call(f"{domain}.enable", session=session)
            cdp.call("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
            cdp.wait_for("Page.loadEventFired", session)
            probe = """JSON.stringify({
              pwned: typeof window.__pwned === 'undefined' ? null : window.__pwned,
              scripts: document.querySelectorAll('script').length,
              handlers: [...document.querySelectorAll('*')].filter(
                  e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))
              ).length,
              imgs: [...document.images].map(i => [i.src.slice(0, 22), i.naturalWidth]),
              text: document.body.textContent,
            })"""
            result = cdp.call("Runtime.evaluate", {"expression": probe, "returnByValue": True},
                              session=session)
            facts = json.loads(result["result"]["value"])
            # Let any late console messages arrive before looking at the events.
            cdp.call("Runtime.evaluate", {"expression": "1"}, session=session)
        finally:
            cdp.close()
    events = cdp.events
    facts["console"] = [e["params"] for e in events
                        if e.get("method") in ("Runtime.consoleAPICalled",
                                               "Runtime.exceptionThrown")]
    facts["log_errors"] = [e["params"]["entry"] for e in events
                           if e.get("method") == "Log.entryAdded"
                           and e["params"]["entry"].get("level") == "error"]
    facts["requests"] = [e["params"]["request"]["url"] for e in events
                         if e.get("method") == "Network.requestWillBeSent"]
    return facts


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "hostile.html"
    return report.write_report(hostile_frame(), out, title=f"Audit {SCRIPT}")


def _assert_inert(facts: dict, page: Path) -> None:
    assert facts["pwned"] is None, "an injected script or handler ran"
    assert facts["scripts"] == 0
    assert facts["handlers"] == 0
    assert facts["console"] == [], facts["console"]
    assert facts["log_errors"] == [], facts["log_errors"]
    # The payloads are on the page as visible text.
    assert SCRIPT in facts["text"] and IMG in facts["text"]
    # Only the page itself is fetched; figures are data URIs that decode to real images.
    assert [u for u in facts["requests"] if not u.startswith("data:")] == [page.as_uri()]
    assert facts["imgs"] and all(src == "data:image/png;base64," and width > 0
                                 for src, width in facts["imgs"])


def test_hostile_report_is_inert_in_chromium(hostile_report):
    page = hostile_report.resolve()
    _assert_inert(load_in_chromium(page), page)


def test_escaping_alone_keeps_the_page_inert(hostile_report, tmp_path):
    """Same page without its Content-Security-Policy: the escaping must hold by itself."""
    text = hostile_report.read_text(encoding="utf-8")
    stripped = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert stripped != text
    page = (tmp_path / "no-csp.html").resolve()
    page.write_text(stripped, encoding="utf-8")
    _assert_inert(load_in_chromium(page), page)


def test_the_probe_detects_a_live_payload(tmp_path):
    """Guard against a blind test: an unescaped payload without CSP is caught."""
    page = (tmp_path / "live.html").resolve()
    page.write_text(f"<!DOCTYPE html><html><body><p>x</p>{SCRIPT}{IMG}</body></html>",
                    encoding="utf-8")
    facts = load_in_chromium(page)
    assert facts["pwned"] == 1
    assert facts["scripts"] == 1 and facts["handlers"] == 1
    assert any(c.get("type") == "error" for c in facts["console"])


def test_screenshot_script_writes_a_png(hostile_report, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    script = Path(__file__).resolve().parents[1] / "scripts" / "screenshot_report.py"
    out = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, str(script), str(hostile_report), "-o", str(out), "--height", "1200"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
