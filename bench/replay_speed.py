"""Workout replay speed: a 60-minute built-in profile on the virtual clock (``--time-factor max``).

Two ways, both against the simulator over the loopback link, as ``treadctl replay`` runs:

(a) in-process: ``run_workout`` with ``speed="max"`` (a :class:`VirtualClock` driven as
fast as the work allows), timed with ``time.perf_counter`` around the whole call (profile
load, plan, connect, the workout, the session log). Reported: simulated duration
(``summary.duration_s``), wall time, ratio to real time, session log lines, and memory:
the tracemalloc peak of one extra (untimed) run, and the process's ``ru_maxrss``. Three
variants, interleaved: the options as given below on the loop the CLI uses
(:class:`~treadctl.clock.VirtualTimeLoop`, which moves virtual time from its idle turn);
the same on asyncio's default loop with the clock's driver task (the baseline, as tests
run it); and the options the CLI's ``replay`` builds (a stand-in person who checks every
0.5 s of workout time whether to confirm), on the CLI's loop.

(b) the real command line as a subprocess,
``python -m treadctl replay backward-endurance-60 --time-factor max --log TMP``: wall time
including interpreter start-up and imports, reported next to the start-up alone (a
process that imports what the replay imports, ``treadctl.commands.replay`` and
``treadctl.runtime.run``, and exits; ``--version`` no longer does, since each command loads
only its own modules), so the difference is the replay.

``TREADCTL_DATA_DIR`` and ``TREADCTL_CONFIG`` point into a temporary folder, for this
process and for the subprocesses, and other ``TREADCTL_*`` variables are removed, so no
user setting is read and no user file is written.

    .venv/bin/python bench/replay_speed.py [--runs 5] [--cli-runs 5] [--no-cli] [--json]

Goal: at least 5,000 times faster than real time (judged on the in-process median).
This is a benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _benchkit import machine_info, machine_lines, table
from treadctl.clock import run as run_on_virtual_time_loop
from treadctl.commands.replay import HOLD_LIMIT_S
from treadctl.config import CONFIG_ENV, ENV_PREFIX, load_settings
from treadctl.runtime import WorkoutOptions, run_workout

PROFILE = "backward-endurance-60"
GOAL_RATIO = 5000.0
#: What ``treadctl replay PROFILE`` gives its stand-in person (``--confirm-after``).
CLI_CONFIRM_AFTER_S = 3.0


@dataclass
class InProcessRun:
    wall_s: float
    duration_s: float
    workout_s: float
    planned_s: float
    log_lines: int
    completed: bool
    reason: str
    safety_events: int

    @property
    def ratio(self) -> float:
        return self.duration_s / self.wall_s


@dataclass
class Variant:
    name: str
    like_cli: bool = False
    default_loop: bool = False
    """asyncio's default loop and the clock's driver task (the baseline)."""
    runs: list[InProcessRun] = field(default_factory=list)

    def walls(self) -> list[float]:
        return sorted(r.wall_s for r in self.runs)


@dataclass
class CliRun:
    wall_s: float
    returncode: int
    log_lines: int
    stdout_tail: str


def isolate_environment(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Point treadctl at ``folder`` in this process; return the same for subprocesses."""
    removed = sorted(k for k in os.environ if k.startswith(ENV_PREFIX))
    for key in removed:
        del os.environ[key]
    os.environ["TREADCTL_DATA_DIR"] = str(folder / "data")
    os.environ[CONFIG_ENV] = str(folder / "config.toml")  # does not exist: all defaults
    return dict(os.environ), [k for k in removed if k not in ("TREADCTL_DATA_DIR", CONFIG_ENV)]


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def options(folder: Path, log_name: str, *, like_cli: bool) -> WorkoutOptions:
    settings = load_settings(folder / "config.toml")
    extra: dict[str, Any] = {}
    if like_cli:
        extra = {
            "auto_confirm_s": CLI_CONFIRM_AFTER_S,
            "hold_limit_s": HOLD_LIMIT_S,
            "extra_header": {"replay_of": PROFILE},
        }
    return WorkoutOptions(
        profile=PROFILE,
        settings=settings,
        speed="max",
        risks_acknowledged=True,
        log_path=folder / log_name,
        **extra,
    )


def run_in_process(
    folder: Path, name: str, *, like_cli: bool, default_loop: bool = False
) -> InProcessRun:
    log_path = folder / f"{name}.jsonl"
    opts = options(folder, log_path.name, like_cli=like_cli)
    run = asyncio.run if default_loop else run_on_virtual_time_loop
    t0 = time.perf_counter()
    result = run(run_workout(opts))
    wall_s = time.perf_counter() - t0
    lines = count_lines(log_path)
    log_path.unlink()
    s = result.summary
    return InProcessRun(
        wall_s,
        s.duration_s,
        s.workout_s,
        result.timeline.total_s,
        lines,
        s.completed,
        s.reason,
        s.safety_events,
    )


def peak_traced_bytes(folder: Path) -> tuple[int, float]:
    """tracemalloc's peak over one run (allocations made by the run only), and its wall."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        t0 = time.perf_counter()
        run_in_process(folder, "traced", like_cli=False)
        wall_s = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, wall_s


def maxrss_bytes(who: int) -> int:
    """Peak resident set size: KiB on Linux, bytes on macOS."""
    value = resource.getrusage(who).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def run_cli(folder: Path, env: dict[str, str], i: int) -> CliRun:
    log_path = folder / f"cli-{i}.jsonl"
    cmd = [sys.executable, "-m", "treadctl", "replay", PROFILE, "--time-factor", "max"]
    cmd += ["--log", str(log_path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall_s = time.perf_counter() - t0
    lines = count_lines(log_path) if log_path.exists() else 0
    if proc.returncode != 0:
        print(f"!!! {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}", file=sys.stderr)
    with contextlib.suppress(FileNotFoundError):
        log_path.unlink()
    tail = " | ".join(proc.stdout.strip().splitlines()[:3])
    return CliRun(wall_s, proc.returncode, lines, tail)


def run_startup(env: dict[str, str]) -> float:
    cmd = [sys.executable, "-c", "import treadctl.commands.replay, treadctl.runtime.run"]
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t0


def stats(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"best": ordered[0], "median": statistics.median(ordered), "worst": ordered[-1]}


def mib(n: int) -> str:
    return f"{n / 2**20:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="in-process runs per variant")
    parser.add_argument("--cli-runs", type=int, default=5, help="command line runs")
    parser.add_argument("--no-cli", action="store_true", help="skip the subprocess runs")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="treadctl-bench-replay-") as tmp:
        folder = Path(tmp)
        env, removed = isolate_environment(folder)
        if removed:
            print(f"removed from the environment for the run: {removed}", file=sys.stderr)
        rss_before = maxrss_bytes(resource.RUSAGE_SELF)
        variants = [
            Variant("as given"),
            Variant("baseline: default loop, driver task", default_loop=True),
            Variant("as the CLI builds it", like_cli=True),
        ]
        # Interleaved, so drift in the machine's load touches every variant alike.
        for i in range(args.runs):
            for variant in variants:
                variant.runs.append(
                    run_in_process(
                        folder,
                        f"run-{i}",
                        like_cli=variant.like_cli,
                        default_loop=variant.default_loop,
                    )
                )
        rss_after = maxrss_bytes(resource.RUSAGE_SELF)
        traced_peak, traced_wall = peak_traced_bytes(folder)

        cli_runs: list[CliRun] = []
        startups: list[float] = []
        if not args.no_cli:
            for i in range(args.cli_runs):
                cli_runs.append(run_cli(folder, env, i))
                startups.append(run_startup(env))
        child_rss = maxrss_bytes(resource.RUSAGE_CHILDREN) if cli_runs else 0

    main_variant = variants[0]
    first = main_variant.runs[0]
    median_wall = statistics.median(main_variant.walls())
    median_ratio = first.duration_s / median_wall
    met = median_ratio >= GOAL_RATIO
    problems = [
        f"{v.name} run {i + 1}: {r.reason}, {r.safety_events} safety events"
        for v in variants
        for i, r in enumerate(v.runs)
        if not r.completed
    ]
    problems += [
        f"CLI run {i + 1} exited {c.returncode}" for i, c in enumerate(cli_runs) if c.returncode
    ]
    for line in problems:
        print(f"!!! {line}", file=sys.stderr)
    info = machine_info()

    results: dict[str, Any] = {
        "in_process": {
            v.name: {
                "runs": [
                    {
                        "wall_s": r.wall_s,
                        "duration_s": r.duration_s,
                        "workout_s": r.workout_s,
                        "planned_s": r.planned_s,
                        "ratio": r.ratio,
                        "log_lines": r.log_lines,
                        "completed": r.completed,
                        "safety_events": r.safety_events,
                    }
                    for r in v.runs
                ],
                "wall_s": stats(v.walls()),
                "ratio_at_median_wall": v.runs[0].duration_s / statistics.median(v.walls()),
            }
            for v in variants
        },
        "memory": {
            "ru_maxrss_after_imports_bytes": rss_before,
            "ru_maxrss_after_runs_bytes": rss_after,
            "tracemalloc_peak_one_run_bytes": traced_peak,
            "tracemalloc_run_wall_s": traced_wall,
        },
    }
    if cli_runs:
        cli_walls = [c.wall_s for c in cli_runs]
        replay_only = [c - s for c, s in zip(cli_walls, startups, strict=True)]
        results["cli"] = {
            "command": f"python -m treadctl replay {PROFILE} --time-factor max --log TMP",
            "wall_s": stats(cli_walls),
            "startup_s": stats(startups),
            "wall_minus_startup_s": stats(replay_only),
            "log_lines": [c.log_lines for c in cli_runs],
            "children_ru_maxrss_bytes": child_rss,
            "stdout": cli_runs[0].stdout_tail,
        }

    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "replay_speed",
                    "machine": info,
                    "settings": {
                        "profile": PROFILE,
                        "runs": args.runs,
                        "cli_runs": 0 if args.no_cli else args.cli_runs,
                        "clock": "VirtualClock (speed max) on VirtualTimeLoop",
                        "baseline": "the default loop with the clock's driver task",
                    },
                    "results": results,
                    "problems": problems,
                    "goal": {"ratio": GOAL_RATIO, "median_ratio": median_ratio, "met": met},
                },
                indent=2,
            )
        )
        return 0

    print(f"Workout replay: {PROFILE} on the virtual clock (--time-factor max)")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"simulated duration {first.duration_s:,.1f} s ({first.duration_s / 60:.1f} min: "
        f"60 min of segments plus ramps and turnarounds; the timeline plans "
        f"{first.planned_s:,.1f} s), {first.log_lines:,} session log lines, "
        f"{'completed' if first.completed else first.reason}"
    )
    print()
    rows: list[list[str]] = []
    for v in variants:
        for i, r in enumerate(v.runs):
            rows.append(
                [
                    f"{v.name}, run {i + 1}",
                    f"{r.wall_s * 1e3:.1f}",
                    f"{r.ratio:,.0f}",
                    str(r.log_lines),
                ]
            )
        st = stats(v.walls())
        for key in ("best", "median"):
            ratio = v.runs[0].duration_s / st[key]
            rows.append([f"{v.name}, {key}", f"{st[key] * 1e3:.1f}", f"{ratio:,.0f}", ""])
    print("(a) in-process run_workout, perf_counter around the call")
    print(table(["run", "wall ms", "x real time", "log lines"], rows))
    print()
    print(
        f"memory: ru_maxrss {mib(rss_before)} MiB after imports, {mib(rss_after)} MiB after "
        f"{len(variants) * args.runs} runs; tracemalloc peak of one run {mib(traced_peak)} MiB "
        f"(that run took {traced_wall * 1e3:.0f} ms under tracemalloc)"
    )
    if cli_runs:
        cli = results["cli"]
        print()
        print(f"(b) command line, subprocess: {cli['command']}")
        cli_rows = [
            [label, *(f"{cli[key][s] * 1e3:.0f}" for s in ("best", "median", "worst"))]
            for label, key in (
                ("replay (start-up included)", "wall_s"),
                ("start-up only (the replay's imports)", "startup_s"),
                ("difference", "wall_minus_startup_s"),
            )
        ]
        print(table(["", "best ms", "median ms", "worst ms"], cli_rows))
        ratio = first.duration_s / cli["wall_s"]["median"]
        print(
            f"median x real time with start-up: {ratio:,.0f}; session log lines "
            f"{sorted(set(cli['log_lines']))}; peak RSS of a replay process "
            f"{mib(child_rss)} MiB"
        )
        print(f"stdout: {cli['stdout']}")
    print()
    verdict = "MET" if met else "NOT MET"
    print(
        f"goal:  >= {GOAL_RATIO:,.0f}x real time (in-process median): {verdict} "
        f"({median_ratio:,.0f}x)"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
