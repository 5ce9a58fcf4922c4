"""Export and history speed on a 60-minute session, against plain JSON reading.

A 60-minute built-in workout (``backward-endurance-60``) is run once on the simulator at
virtual speed; its log (about 4,000 lines) is then, in the same process:

- **baseline**: read and ``json.loads`` every line (what any reader of the log must do);
- read as a :class:`~treadctl.history.log.SessionLog` (typed samples, bouts, turns);
- built into an activity (3,600 one-second points, laps, the energy estimate);
- encoded as FIT (Garmin's SDK) and as TCX (ElementTree);
- and the history of 50 copies of it loaded and recommended on (what the TUI's start
  screen does, in a thread, for the coach's pick).

Each figure is the median of ``--runs`` runs with ``time.perf_counter``; the ratio to
the baseline is printed next to it. Goal: a FIT export of an hour well under a second,
and the coach's pick for 50 sessions under two seconds. This reports; it asserts nothing.

    .venv/bin/python bench/export_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _benchkit import machine_info, machine_lines, table
from treadctl.config import Settings
from treadctl.export.activity import build_activity
from treadctl.export.fit import encode_fit
from treadctl.export.tcx import encode_tcx
from treadctl.history.coach import recommend
from treadctl.history.log import load_session_log
from treadctl.history.store import load_history
from treadctl.runtime import WorkoutOptions, run_workout

PROFILE = "backward-endurance-60"
HISTORY_COPIES = 50


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("TREADCTL_")]:
        del os.environ[key]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["TREADCTL_DATA_DIR"] = str(folder / "data")
        os.environ["TREADCTL_CONFIG"] = str(folder / "config.toml")
        sessions = folder / "sessions"
        log_path = sessions / "20250303-180000-hour.jsonl"
        asyncio.run(
            run_workout(
                WorkoutOptions(
                    profile=PROFILE,
                    settings=Settings(),
                    speed="max",
                    risks_acknowledged=True,
                    auto_confirm_s=2.0,
                    log_path=log_path,
                )
            )
        )
        lines = log_path.read_text().splitlines()
        log = load_session_log(log_path)
        activity = build_activity(log)

        def baseline() -> None:
            for line in log_path.read_text().splitlines():
                json.loads(line)

        for n in range(1, HISTORY_COPIES):
            shutil.copy(
                log_path, sessions / f"20250{n // 28 + 4:1d}{n % 28 + 1:02d}-180000-h.jsonl"
            )

        def coach() -> None:
            recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)

        steps: list[tuple[str, Callable[[], object]]] = [
            ("baseline: json.loads every line", baseline),
            ("read as a SessionLog", lambda: load_session_log(log_path)),
            ("build the activity (points, laps, energy)", lambda: build_activity(log)),
            ("encode FIT (garmin-fit-sdk)", lambda: encode_fit(activity)),
            ("encode TCX (ElementTree)", lambda: encode_tcx(activity)),
            (
                "read + build + FIT: treadctl export --fit",
                lambda: encode_fit(build_activity(load_session_log(log_path))),
            ),
            (f"coach's pick over {HISTORY_COPIES} such sessions", coach),
        ]
        base = median_s(baseline, args.runs)
        rows = []
        for name, fn in steps:
            t = base if fn is baseline else median_s(fn, args.runs)
            rows.append([name, f"{t * 1000:.1f} ms", f"{t / base:.1f}x"])
        fit_size = len(encode_fit(activity))
        tcx_size = len(encode_tcx(activity))
    for line in machine_lines(machine_info()):
        print(line)
    print(
        f"session   {PROFILE}: {len(lines)} log lines, {log.duration_s / 60:.0f} minutes, "
        f"{len(activity.track)} points, {len(activity.laps)} laps"
    )
    print(f"files     FIT {fit_size / 1024:.0f} KiB, TCX {tcx_size / 1024:.0f} KiB")
    print(f"runs      median of {args.runs}\n")
    print(table(["step", "median", "vs baseline"], rows))


if __name__ == "__main__":
    main()
