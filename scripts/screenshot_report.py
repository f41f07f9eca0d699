#!/usr/bin/env python3
"""Full-page screenshot of an HTML report with headless Chromium.

Usage: ``python scripts/screenshot_report.py REPORT.html -o shot.png [--width 1280]
[--height 4000]``. Needs the ``chromium`` binary (Debian package ``chromium``). Networking is
switched off as far as Chromium allows; the report itself loads nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(report: Path, out: Path, width: int = 1280, height: int = 4000,
               timeout: float = 120.0) -> Path:
    """Write a ``width`` x ``height`` PNG screenshot of ``report`` to ``out``."""
    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium not found (install the Debian package 'chromium')")
    report = report.resolve()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ta-shot-") as profile:
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            f"--window-size={width},{height}", f"--screenshot={out}", report.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the HTML report")
    parser.add_argument("-o", "--output", type=Path, default=Path("report.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=4000)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error(f"no such file: {args.report}")
    try:
        path = screenshot(args.report, args.output, args.width, args.height)
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"screenshot failed: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
