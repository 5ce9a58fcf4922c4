"""treadctl as a process: the console script, as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The console script next to this Python (``.venv/bin/treadctl``), as a relative path.
SCRIPT = os.path.relpath(Path(sys.executable).parent / "treadctl", REPO)

#: Forward, a short backward bout, forward: about 50 s of workout.
SHORT_PROFILE = """\
title = "Short"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "20s"

[[segments]]
label = "Backward"
direction = "backward"
speed_kmh = 1.0
duration = "10s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.0
duration = "10s"
"""


def write_profile(folder: Path) -> Path:
    path = folder / "short.toml"
    path.write_text(SHORT_PROFILE)
    return path


def treadctl(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """``.venv/bin/treadctl ARGS`` from the repository, output in pipes, unbuffered."""
    return subprocess.Popen(
        [SCRIPT, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def no_traceback(stderr: str) -> None:
    for sign in ("Traceback", "Exception ignored", "BrokenPipeError", "KeyboardInterrupt"):
        assert sign not in stderr, stderr
