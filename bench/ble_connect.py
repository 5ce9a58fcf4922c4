"""Connect to first Treadmill Data, through unmodified bleak and the fake BlueZ.

One private dbus-daemon and one fake BlueZ serving the simulator for the whole run. Each
of ``--runs`` rounds makes a new :class:`BleakLink` and :class:`TreadmillClient` (as a
reconnect after a link loss does) and times, with ``time.perf_counter``:

- find: a scan until the treadmill is heard (``find_device``; the fake advertises as soon
  as discovery starts, so this is the stack's cost, not a radio's advertising interval);
- connect: ``client.connect()``: bleak-retry-connector's ``establish_connection``, service
  discovery, the Feature, range and Device Information reads and four subscriptions;
- first data: from the start of ``connect()`` to the first complete Treadmill Data record
  in the client's state. The simulator notifies at ``--rate`` Hz from its own timer, so
  this adds on average half a period (50 ms at 10 Hz) to the connect time; each round
  starts at a random phase of the simulator's timer (an untimed random pause).

Then the client disconnects. The first round (bleak's D-Bus manager starting, the BlueZ
version check) is reported on its own and left out of the statistics.

    .venv/bin/python bench/ble_connect.py [--runs 50] [--rate 10] [--json]

A benchmark, not a test: it reports, it does not assert. Goal: p99 of connect to first
data under 1 s at 10 Hz (a person waits on it at the start of every workout).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from _benchkit import machine_info, machine_lines, percentile, table
from _blekit import ble_rig, private_system_bus
from treadctl.bluetooth.link import BleakLink
from treadctl.bluetooth.scan import find_device
from treadctl.client import TreadmillClient

GOAL_P99_S = 1.0
PERCENTILES = (50.0, 90.0, 99.0)


@dataclass
class Round:
    find_s: float
    connect_s: float
    first_data_s: float


@dataclass
class Run:
    first: Round
    rounds: list[Round] = field(default_factory=list)
    connects: int = 0


async def one_round(rig_clock: Any, address: str) -> Round:
    t0 = time.perf_counter()
    found = await find_device(address, timeout_s=5.0)
    t1 = time.perf_counter()
    link = BleakLink(address, device=found.device, name=found.name)
    client = TreadmillClient(link, rig_clock)
    try:
        t2 = time.perf_counter()
        await client.connect()
        t3 = time.perf_counter()
        async for state in client.states():
            if state.records:
                break
        t4 = time.perf_counter()
    finally:
        await client.aclose()
    return Round(find_s=t1 - t0, connect_s=t3 - t2, first_data_s=t4 - t2)


async def measure(runs: int, rate_hz: float) -> Run:
    with private_system_bus() as bus_address:
        async with ble_rig(bus_address, data_rate_hz=rate_hz) as rig:
            address = rig.sim.config.address
            run = Run(first=await one_round(rig.clock, address))
            rng = random.Random(1)
            for _ in range(runs):
                # Rounds would otherwise start in step with the simulator's data timer
                # (each ends on a notification): start each at a random phase of it.
                await asyncio.sleep(rng.uniform(0.0, 1.0 / rate_hz))
                run.rounds.append(await one_round(rig.clock, address))
            run.connects = rig.fake.stats.connects
    return run


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "min_s": ordered[0],
        "mean_s": statistics.fmean(ordered),
        **{f"p{p:g}_s": percentile(ordered, p) for p in PERCENTILES},
        "max_s": ordered[-1],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed rounds after the first")
    parser.add_argument("--rate", type=float, default=10.0, help="Treadmill Data rate (Hz)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    run = asyncio.run(measure(args.runs, args.rate))
    results = {
        "find": stats([r.find_s for r in run.rounds]),
        "connect": stats([r.connect_s for r in run.rounds]),
        "first_data": stats([r.first_data_s for r in run.rounds]),
    }
    met = results["first_data"]["p99_s"] < GOAL_P99_S
    info = machine_info()
    if run.connects != args.runs + 1:
        print(
            f"!!! expected {args.runs + 1} connections, the fake saw {run.connects}",
            file=sys.stderr,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "ble_connect",
                    "machine": info,
                    "settings": {"runs": args.runs, "data_rate_hz": args.rate},
                    "first_round": vars(run.first),
                    "results": results,
                    "goal": {"first_data_p99_s": GOAL_P99_S, "met": met},
                },
                indent=2,
            )
        )
        return 0
    print("Connect to first Treadmill Data: bleak + bleak-retry-connector + fake BlueZ")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"{args.runs} rounds after a first one; simulator at {args.rate:g} Hz. First round: "
        f"find {run.first.find_s * 1e3:.1f} ms, connect {run.first.connect_s * 1e3:.1f} ms, "
        f"first data {run.first.first_data_s * 1e3:.1f} ms"
    )
    print()
    names = ["min", "mean", *(f"p{p:g}" for p in PERCENTILES), "max"]
    keys = ["min_s", "mean_s", *(f"p{p:g}_s" for p in PERCENTILES), "max_s"]
    rows = [
        [n, *(f"{results[part][k] * 1e3:.1f}" for part in ("find", "connect", "first_data"))]
        for n, k in zip(names, keys, strict=True)
    ]
    print(table(["ms", "find", "connect", "first data"], rows))
    print()
    verdict = "MET" if met else "NOT MET"
    p99 = results["first_data"]["p99_s"]
    print(
        f"goal:  connect to first data p99 < {GOAL_P99_S:g} s: {verdict} (p99 = {p99 * 1e3:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
