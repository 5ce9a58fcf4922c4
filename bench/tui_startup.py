"""TUI start-up: from process start to the first frame, in a real terminal (a pty).

Each run starts a fresh Python process (``python bench/tui_startup.py --child ...``)
on a pseudo-terminal of 80x24 and times, on the system-wide monotonic clock, from just
before the process is spawned to the moment the first screen has been composed and
written to the terminal: the child asks Textual for a callback after the screen's first
refresh (``call_after_refresh`` on the screen, from its ``on_mount``) and records the
time there. The interpreter's start, every import, building the app, reading the
profiles and drawing the first frame are inside the figure. Two screens are measured:

- ``start``: ``treadctl`` with no arguments, the start screen (loads and plans every
  built-in profile to show its times).
- ``workout``: ``treadctl run first-steps --sim``, the workout screen, before the
  simulator has connected (the first frame; the numbers fill in as data arrives).

    .venv/bin/python bench/tui_startup.py [--runs 10] [--json]

Goal: under 1 s. A benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _benchkit import REPO_ROOT, machine_info, machine_lines, percentile, table

GOAL_S = 1.0
SCREENS = ("start", "workout")
SIZE = (80, 24)
#: A run that has not drawn its first frame by then is reported as failed.
RUN_TIMEOUT_S = 30.0


def child(screen: str, out: Path) -> int:
    """Run the TUI on ``screen``; write the time of its first frame to ``out``; exit."""
    # Imports here, so that they count: this is what `treadctl` does at start-up.
    from textual.screen import Screen  # noqa: PLC0415

    from treadctl.config import load_settings  # noqa: PLC0415
    from treadctl.runtime import WorkoutOptions  # noqa: PLC0415
    from treadctl.tui import TreadctlApp  # noqa: PLC0415
    from treadctl.tui.screens import StartScreen, WorkoutScreen  # noqa: PLC0415

    target: type[Screen[Any]] = StartScreen if screen == "start" else WorkoutScreen
    settings = load_settings()
    workout = None
    if screen == "workout":
        workout = WorkoutOptions(profile="first-steps", settings=settings, risks_acknowledged=True)
    app = TreadctlApp(settings, workout=workout)
    original = target._on_mount

    def first_frame() -> None:
        out.write_text(json.dumps({"first_frame": time.monotonic()}))
        app.exit(0)

    def on_mount(self: Screen[Any], event: Any) -> None:
        original(self, event)
        self.call_after_refresh(first_frame)

    target._on_mount = on_mount  # type: ignore[method-assign]
    app.run()
    return 0


def run_once(screen: str, environ: dict[str, str] | None = None) -> float:
    """Seconds from spawning the child to its first frame on the pty (``environ``: the
    child's environment instead of this process's)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        env = {
            **(os.environ if environ is None else environ),
            "TERM": "xterm-256color",
            "TREADCTL_CONFIG": str(Path(tmp) / "config.toml"),
            "TREADCTL_DATA_DIR": str(Path(tmp) / "data"),
        }
        env.pop("TEXTUAL", None)
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", screen, "--out", str(out)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        os.close(slave)
        deadline = start + RUN_TIMEOUT_S
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        os.read(master, 65536)  # the terminal must be read, or it blocks
                    except OSError:
                        break
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            os.close(master)
        if not out.exists():
            raise RuntimeError(f"{screen}: no first frame within {RUN_TIMEOUT_S:g} s")
        first_frame: float = json.loads(out.read_text())["first_frame"]
    return first_frame - start


def context_once(code: str) -> float:
    """Seconds a fresh interpreter takes to run ``code`` (for the context rows)."""
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
    return time.monotonic() - start


CONTEXT = {
    "python -c pass (to exit)": "pass",
    "import treadctl.tui (to exit)": "import treadctl.tui",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per screen (default 10)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", choices=SCREENS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.out)

    info = machine_info()
    results: dict[str, list[float]] = {}
    run_once("start")  # warm the file system cache and the bytecode cache
    for screen in SCREENS:
        results[screen] = sorted(run_once(screen) for _ in range(args.runs))
    context = {
        name: statistics.median(context_once(code) for _ in range(args.runs))
        for name, code in CONTEXT.items()
    }
    summary = {
        screen: {
            "runs": len(times),
            "min_s": times[0],
            "median_s": statistics.median(times),
            "p90_s": percentile(times, 90),
            "max_s": times[-1],
            "goal_met": statistics.median(times) < GOAL_S,
        }
        for screen, times in results.items()
    }
    if args.json:
        print(
            json.dumps(
                {"machine": info, "goal_s": GOAL_S, "screens": summary, "context_s": context},
                indent=2,
            )
        )
        return 0
    print("TUI start-up: process start to first frame, 80x24 pseudo-terminal")
    print()
    print("\n".join(machine_lines(info)))
    print()
    rows = [
        [
            screen,
            str(s["runs"]),
            f"{s['min_s'] * 1000:.0f}",
            f"{s['median_s'] * 1000:.0f}",
            f"{s['p90_s'] * 1000:.0f}",
            f"{s['max_s'] * 1000:.0f}",
        ]
        for screen, s in summary.items()
    ]
    print(table(["screen", "runs", "min ms", "median ms", "p90 ms", "max ms"], rows))
    print()
    print("context (a process that only does this, median):")
    for name, seconds in context.items():
        print(f"  {name:<30} {seconds * 1000:6.0f} ms")
    print()
    for screen, s in summary.items():
        verdict = "met" if s["goal_met"] else "NOT met"
        print(f"goal:  {screen} median < {GOAL_S:g} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
