"""CPU the TUI uses while a workout runs, Treadmill Data at 2 Hz, real time.

Three runs of the same workout (``first-steps`` on the simulator, real-time clock, the
simulator notifying Treadmill Data at 2 Hz), each in a fresh process; each waits
``--warmup`` seconds, then takes the process's CPU time (user + system, all threads,
``getrusage``) over ``--seconds`` of wall time:

- ``baseline``: the workout with no front end at all (simulator, client, runner and
  session log: what any front end costs on top of).
- ``tui-headless``: the TUI, Textual's headless driver (everything but terminal output).
- ``tui-pty``: the TUI drawing to an 80x24 pseudo-terminal, as a person would run it
  (the parent reads the terminal and throws the output away).

The TUI's own share is ``tui-pty`` minus ``baseline``, as a percentage of one core.

    .venv/bin/python bench/tui_cpu.py [--seconds 30] [--warmup 5] [--json]

Goal: the TUI's share under 5 % of one core. A benchmark: it reports, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import resource
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _benchkit import REPO_ROOT, machine_info, machine_lines, table
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.tui import TreadctlApp

GOAL_PCT = 5.0
MODES = ("baseline", "tui-headless", "tui-pty")
SIZE = (80, 24)
PROFILE = "first-steps"


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def window(warmup_s: float, seconds: float) -> dict[str, float]:
    """CPU and wall time over ``seconds``, after ``warmup_s``."""
    await asyncio.sleep(warmup_s)
    cpu0, wall0 = cpu_s(), time.monotonic()
    await asyncio.sleep(seconds)
    return {"cpu_s": cpu_s() - cpu0, "wall_s": time.monotonic() - wall0}


def child(mode: str, warmup_s: float, seconds: float, out: Path) -> int:
    settings = load_settings()
    options = WorkoutOptions(profile=PROFILE, settings=settings, risks_acknowledged=True)
    if mode == "baseline":

        async def baseline() -> dict[str, float]:
            task = asyncio.ensure_future(run_workout(options, on_event=lambda _e: None))
            try:
                return await window(warmup_s, seconds)
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        result = asyncio.run(baseline())
        out.write_text(json.dumps(result))
        return 0

    app = TreadctlApp(settings, workout=options)
    measured: dict[str, float] = {}

    async def measure(pilot: Any) -> None:
        measured.update(await window(warmup_s, seconds))
        await app.stop_and_exit("benchmark over")

    app.run(headless=mode == "tui-headless", auto_pilot=measure, size=SIZE)
    out.write_text(json.dumps(measured))
    return 0


def run_mode(mode: str, warmup_s: float, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "TREADCTL_CONFIG": str(Path(tmp) / "config.toml"),
            "TREADCTL_DATA_DIR": str(Path(tmp) / "data"),
        }
        command = [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--warmup",
            str(warmup_s),
            "--seconds",
            str(seconds),
            "--out",
            str(out),
        ]
        timeout_s = warmup_s + seconds + 60
        if mode != "tui-pty":
            subprocess.run(
                command,
                env=env,
                cwd=REPO_ROOT,
                check=True,
                timeout=timeout_s,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        else:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
            proc = subprocess.Popen(
                command,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                cwd=REPO_ROOT,
                start_new_session=True,
            )
            os.close(slave)
            deadline = time.monotonic() + timeout_s
            try:
                while proc.poll() is None and time.monotonic() < deadline:
                    ready, _, _ = select.select([master], [], [], 0.1)
                    if ready:
                        try:
                            os.read(master, 65536)
                        except OSError:
                            break
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                os.close(master)
        result: dict[str, float] = json.loads(out.read_text())
    result["pct_of_core"] = 100.0 * result["cpu_s"] / result["wall_s"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured wall time")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.warmup, args.seconds, args.out)

    info = machine_info()
    results = {mode: run_mode(mode, args.warmup, args.seconds) for mode in MODES}
    tui_pct = results["tui-pty"]["pct_of_core"] - results["baseline"]["pct_of_core"]
    headless_pct = results["tui-headless"]["pct_of_core"] - results["baseline"]["pct_of_core"]
    if args.json:
        print(
            json.dumps(
                {
                    "machine": info,
                    "goal_pct": GOAL_PCT,
                    "modes": results,
                    "tui_share_pct": tui_pct,
                    "tui_headless_share_pct": headless_pct,
                },
                indent=2,
            )
        )
        return 0
    print(f"TUI CPU: {PROFILE} on the simulator, real time, Treadmill Data at 2 Hz")
    print()
    print("\n".join(machine_lines(info)))
    print()
    rows = [
        [
            mode,
            f"{r['wall_s']:.1f}",
            f"{r['cpu_s'] * 1000:.0f}",
            f"{r['pct_of_core']:.2f}",
        ]
        for mode, r in results.items()
    ]
    print(table(["process", "wall s", "CPU ms", "% of one core"], rows))
    print()
    print(f"TUI share, pty:      {tui_pct:.2f} % of one core")
    print(f"TUI share, headless: {headless_pct:.2f} % of one core")
    verdict = "met" if tui_pct < GOAL_PCT else "NOT met"
    print(f"goal:  TUI share < {GOAL_PCT:g} % of one core: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
