"""The real TUI in a real process on a pseudo-terminal: signals stop the belt first (H5)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from treadctl.sessions import read_session

REPO = Path(__file__).resolve().parents[2]

CHILD = """\
import sys
from pathlib import Path
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions
from treadctl.tui import run_tui

settings = load_settings()
options = WorkoutOptions(
    profile="first-steps", settings=settings, speed=20.0, log_path=Path(sys.argv[1]),
    risks_acknowledged=True,
)
sys.exit(run_tui(settings, options=options))
"""


def drain(master: int, until: float, done: Callable[[], bool]) -> bytes:
    """Read the terminal (a TUI blocks if nobody does) until ``until`` or end of output."""
    out = b""
    while time.monotonic() < until:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if done():
            break
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_the_belt_then_the_tui_exits(tmp_path: Path, sig: signal.Signals) -> None:
    log = tmp_path / "tui.jsonl"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(log)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=REPO,
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(slave)
    try:

        def belt_moving() -> bool:
            return log.exists() and '"segment_started"' in log.read_text()

        screen = drain(master, time.monotonic() + 30, belt_moving)
        assert belt_moving(), screen.decode(errors="replace")[-2000:]
        proc.send_signal(sig)
        after = drain(master, time.monotonic() + 30, lambda: proc.poll() is not None)
        after += drain(master, time.monotonic() + 2, lambda: False)
        assert proc.wait(timeout=30) == 130
        if sig != signal.SIGHUP:  # the terminal is still there: the session is named on it
            said = after.decode(errors="replace").split("\x1b[?1049l")[-1]  # left full screen
            assert f"Session saved to {log}" in said
            assert f"play it back: {shlex.quote(sys.executable)} -m treadctl replay {log}" in said
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    session = read_session(log)
    names = [c[0] for c in session.commands()]
    assert names[-1] == "stop"
    summary = session.summary
    assert summary is not None
    assert summary["reason"] == "interrupted"
