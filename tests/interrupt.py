"""Starting a run that a test interrupts the way a person's terminal would."""

from __future__ import annotations

import signal
import subprocess


def start_interruptible(command: list[str]) -> subprocess.Popen:
    """Start ``command`` with SIGINT at its default: a shell's background jobs ignore SIGINT
    and a child inherits that, so without this a test's Ctrl-C would not reach the run."""
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
