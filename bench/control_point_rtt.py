"""Control point round trip: TreadmillClient.set_speed over the loopback link, real clock.

The simulator runs on :class:`MonotonicClock` with no added latency and answers the
control point at once (``cp_response_delay_s=0``), its notify loop running as it would
(``sim.running()``, Treadmill Data at 2 Hz). The client connects, requests control,
starts the belt, then calls ``set_speed`` ``--calls`` times, alternating between two
speeds; each call is timed with ``time.perf_counter_ns`` from the call to its return,
that is: snap to the grid, take the procedure gate, encode, write, the simulator decodes
and executes and answers, the answer is delivered, decoded and matched.

    .venv/bin/python bench/control_point_rtt.py [--calls 2000] [--json]

Goal: p99 under 1 ms. This is a benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _benchkit import fmt_us, machine_info, machine_lines, percentile, table
from treadctl.client import TreadmillClient
from treadctl.clock import MonotonicClock
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink

GOAL_P99_S = 1e-3
SPEEDS_KMH = (3.0, 3.5)
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
#: Upper edges of the histogram buckets, in seconds.
BUCKETS_S = (50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 5e-3)


@dataclass
class Run:
    samples_s: list[float]
    setup_s: float
    """Connect, request control and start (start waits for the belt to move)."""
    wall_s: float
    """Wall time of the measured calls, gaps between calls included."""
    notifications: int
    """Notifications the simulator sent during the measured calls, answers included."""
    cp_rejected_busy: int
    stale_responses: int
    final_target_kmh: float
    expected_target_kmh: float


async def measure(calls: int, warmup: int) -> Run:
    clock = MonotonicClock()
    sim = SimTreadmill(clock, SimConfig(cp_response_delay_s=0.0))
    link = LoopbackLink(sim, clock, latency_s=0.0)
    client = TreadmillClient(link, clock)
    perf_ns = time.perf_counter_ns
    samples_ns: list[int] = []
    async with sim.running():
        try:
            t0 = time.perf_counter()
            await client.connect()
            await client.request_control()
            if not await client.start():
                raise RuntimeError("the simulated belt did not start moving")
            setup_s = time.perf_counter() - t0
            for i in range(warmup):
                await client.set_speed(SPEEDS_KMH[i % 2])
            before = sim.stats.notifications
            wall0 = perf_ns()
            for i in range(calls):
                start = perf_ns()
                await client.set_speed(SPEEDS_KMH[i % 2])
                samples_ns.append(perf_ns() - start)
            wall_s = (perf_ns() - wall0) / 1e9
            notifications = sim.stats.notifications - before
        finally:
            await client.aclose()
    last = (warmup + calls - 1) % 2
    return Run(
        samples_s=[ns / 1e9 for ns in samples_ns],
        setup_s=setup_s,
        wall_s=wall_s,
        notifications=notifications,
        cp_rejected_busy=sim.stats.cp_rejected_busy,
        stale_responses=client.stats.stale_responses,
        final_target_kmh=sim.belt.target_speed_kmh,
        expected_target_kmh=SPEEDS_KMH[last],
    )


def summary(run: Run) -> dict[str, Any]:
    ordered = sorted(run.samples_s)
    out: dict[str, Any] = {
        "calls": len(ordered),
        "min_s": ordered[0],
        "mean_s": statistics.fmean(ordered),
        **{f"p{p:g}_s": percentile(ordered, p) for p in PERCENTILES},
        "max_s": ordered[-1],
        "calls_per_s": len(ordered) / run.wall_s,
    }
    buckets: list[dict[str, Any]] = []
    low = 0.0
    for edge in (*BUCKETS_S, math.inf):
        count = sum(1 for s in ordered if low <= s < edge)
        buckets.append({"from_s": low, "to_s": edge if edge != math.inf else None, "calls": count})
        low = edge
    out["histogram"] = buckets
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed set_speed calls")
    parser.add_argument("--warmup", type=int, default=200, help="untimed calls first")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    run = asyncio.run(measure(args.calls, args.warmup))
    stats = summary(run)
    p99 = stats["p99_s"]
    met = p99 < GOAL_P99_S
    ok_state = abs(run.final_target_kmh - run.expected_target_kmh) < 1e-9
    info = machine_info()
    checks = {
        "simulator_target_kmh": run.final_target_kmh,
        "expected_target_kmh": run.expected_target_kmh,
        "simulator_rejected_busy": run.cp_rejected_busy,
        "client_stale_responses": run.stale_responses,
        "notifications_during_calls": run.notifications,
    }
    if not ok_state or run.cp_rejected_busy or run.stale_responses:
        print(f"!!! something went wrong during the run: {checks}", file=sys.stderr)

    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "control_point_rtt",
                    "machine": info,
                    "settings": {
                        "calls": args.calls,
                        "warmup": args.warmup,
                        "speeds_kmh": SPEEDS_KMH,
                        "clock": "MonotonicClock",
                        "link_latency_s": 0.0,
                        "cp_response_delay_s": 0.0,
                    },
                    "setup_s": run.setup_s,
                    "wall_s": run.wall_s,
                    "results": stats,
                    "checks": checks,
                    "goal": {"p99_s": GOAL_P99_S, "met": met},
                },
                indent=2,
            )
        )
        return 0

    print("Control point round trip: set_speed over the loopback link, real clock")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"{args.calls} timed set_speed calls alternating {SPEEDS_KMH[0]:g}/{SPEEDS_KMH[1]:g} "
        f"km/h after {args.warmup} untimed; link latency 0, cp_response_delay_s 0, "
        "simulator notifying at 2 Hz"
    )
    print(
        f"setup (connect, request control, start until moving): {run.setup_s:.3f} s; "
        f"measured calls took {run.wall_s * 1e3:.1f} ms wall "
        f"({stats['calls_per_s']:,.0f} calls/s), "
        f"{run.notifications - args.calls} notifications besides the answers meanwhile"
    )
    print()
    names = ["min", "mean", *(f"p{p:g}" for p in PERCENTILES), "max"]
    keys = ["min_s", "mean_s", *(f"p{p:g}_s" for p in PERCENTILES), "max_s"]
    rows = [
        [n, fmt_us(stats[k]), f"{stats[k] * 1e3:.3f}"] for n, k in zip(names, keys, strict=True)
    ]
    print(table(["statistic", "µs", "ms"], rows))
    print()
    hist_rows = [
        [
            f"{b['from_s'] * 1e6:g}-{b['to_s'] * 1e6:g} µs"
            if b["to_s"] is not None
            else f">= {b['from_s'] * 1e6:g} µs",
            str(b["calls"]),
        ]
        for b in stats["histogram"]
    ]
    print(table(["round trip", "calls"], hist_rows))
    print()
    print(
        f"checks: simulator target {run.final_target_kmh:g} km/h "
        f"(expected {run.expected_target_kmh:g}), busy rejections {run.cp_rejected_busy}, "
        f"stale responses {run.stale_responses}"
    )
    verdict = "MET" if met else "NOT MET"
    print(f"goal:  p99 < {GOAL_P99_S * 1e3:g} ms: {verdict} (p99 = {p99 * 1e6:,.1f} µs)")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
