"""Command line start-up, side by side with the bare interpreter, in one run.

Each figure is a fresh process, timed from just before it is spawned to its exit (the
TUI: to its first frame on a pseudo-terminal, see ``bench/tui_startup.py``). The rows
are measured in turn, round after round, so that a busy moment of the machine falls on
all of them alike:

- ``python -c pass``: the interpreter alone, the baseline of the ratios;
- ``treadctl --version`` and ``treadctl --help`` (goal: at most 3x the baseline);
- ``treadctl replay backward-endurance-60 --time-factor max``, process start included (goal:
  at least 5,000x real time, i.e. the 60 minutes in at most 0.72 s);
- the TUI's first frame: the start screen, and ``run first-steps --sim`` (goal: < 0.5 s).

Bytecode: an installed package has its ``.pyc`` files, so the bench compiles ``src``
first and runs the children without ``PYTHONDONTWRITEBYTECODE`` (said in the output when
the calling environment had it set). ``TREADCTL_CONFIG`` and ``TREADCTL_DATA_DIR`` point
into a temporary folder: no user setting is read, no user file is written.

    .venv/bin/python bench/startup.py [--rounds 7] [--json]

A benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _benchkit import REPO_ROOT, machine_info, machine_lines, table
from tui_startup import run_once as tui_first_frame

PROFILE_S = 3600.0  # backward-endurance-60, as planned (its timeline takes a little longer)
VERSION_HELP_GOAL_RATIO = 3.0
REPLAY_GOAL_X = 5000.0
TUI_GOAL_S = 0.5

#: The console script, as people run it.
TREADCTL = [str(Path(sys.executable).parent / "treadctl")]
ROWS: dict[str, list[str] | str] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "treadctl --version": [*TREADCTL, "--version"],
    "treadctl --help": [*TREADCTL, "--help"],
    "treadctl replay (60 min, --time-factor max)": [
        *TREADCTL,
        "replay",
        "backward-endurance-60",
        "--time-factor",
        "max",
    ],
    "TUI first frame: start screen": "start",
    "TUI first frame: run --sim": "workout",
}


def clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREADCTL_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["TREADCTL_CONFIG"] = str(tmp / "config.toml")
    env["TREADCTL_DATA_DIR"] = str(tmp / "data")
    return env


def time_process(argv: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    subprocess.run(argv, env=env, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def measure(rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {name: [] for name in ROWS}
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(Path(tmp))
        for _ in range(rounds + 1):  # the first round warms the caches and is dropped
            for name, what in ROWS.items():
                seconds = (
                    tui_first_frame(what, env) if isinstance(what, str) else time_process(what, env)
                )
                results[name].append(seconds)
    return {name: sorted(times[1:]) for name, times in results.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    compileall.compile_dir(REPO_ROOT / "src", quiet=1)
    no_bytecode_before = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    results = measure(args.rounds)
    median = {name: statistics.median(times) for name, times in results.items()}
    base_s = median["python -c pass"]
    replay_s = median["treadctl replay (60 min, --time-factor max)"]
    goals = {
        "--version <= 3x python": median["treadctl --version"] / base_s <= VERSION_HELP_GOAL_RATIO,
        "--help <= 3x python": median["treadctl --help"] / base_s <= VERSION_HELP_GOAL_RATIO,
        "replay >= 5000x real time": PROFILE_S / replay_s >= REPLAY_GOAL_X,
        "TUI start screen < 0.5 s": median["TUI first frame: start screen"] < TUI_GOAL_S,
        "TUI run --sim < 0.5 s": median["TUI first frame: run --sim"] < TUI_GOAL_S,
    }
    if args.json:
        print(json.dumps({"machine": machine_info(), "s": results, "goals": goals}, indent=2))
        return 0
    print("Start-up: fresh processes, side by side (median of", args.rounds, "rounds)")
    print()
    print("\n".join(machine_lines(machine_info())))
    if no_bytecode_before:
        print("(PYTHONDONTWRITEBYTECODE was set here; the children ran without it)")
    print()
    rows = []
    for name, times in results.items():
        extra = f"{median[name] / base_s:.1f}x python"
        if name.startswith("treadctl replay"):
            extra += f", {PROFILE_S / median[name]:,.0f}x real time"
        rows.append([name, f"{times[0] * 1000:.0f}", f"{median[name] * 1000:.0f}", extra])
    print(table(["process", "min ms", "median ms", "ratio"], rows))
    print()
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
