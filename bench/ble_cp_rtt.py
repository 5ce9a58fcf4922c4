"""Control point write to response, through unmodified bleak and the fake BlueZ.

The same measurement as ``control_point_rtt.py`` (the loopback link), over the real
Bluetooth code path instead: ``TreadmillClient.set_speed`` alternating 3.0 and 3.5 km/h,
each call timed with ``time.perf_counter_ns`` from the call to its return. One call is:
snap to the grid, take the procedure gate, encode, bleak's ``WriteValue`` through the
dbus-daemon to the fake BlueZ, the simulator decodes, executes and answers at once
(``cp_response_delay_s=0``), the answer comes back as a ``PropertiesChanged`` signal
through the daemon, bleak hands it to the client, which decodes and matches it.

A second series times the link alone: ``BleakLink.write`` with response, until the 0x80
answer arrives at the subscribe callback (no client code).

Treadmill Data runs at 2 Hz meanwhile, as in the loopback benchmark.

    .venv/bin/python bench/ble_cp_rtt.py [--calls 1000] [--warmup 100] [--json]

A benchmark, not a test: it reports, it does not assert. Goal: p99 under 10 ms (a real
radio adds 7.5-50 ms of connection interval on top; the stack should not add more).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _benchkit import fmt_us, machine_info, machine_lines, percentile, table
from _blekit import ble_rig, private_system_bus
from treadctl.bluetooth.link import BleakLink
from treadctl.client import TreadmillClient
from treadctl.ftms import uuids
from treadctl.ftms.control_point import SetTargetSpeed, encode_request

GOAL_P99_S = 10e-3
SPEEDS_KMH = (3.0, 3.5)
PERCENTILES = (50.0, 90.0, 99.0, 99.9)


@dataclass
class Run:
    client_s: list[float]
    link_s: list[float]
    final_target_kmh: float
    expected_target_kmh: float
    rejected_busy: int
    stale: int


async def measure(calls: int, warmup: int) -> Run:
    perf_ns = time.perf_counter_ns
    with private_system_bus() as bus_address:
        async with ble_rig(bus_address, data_rate_hz=2.0) as rig:
            link = BleakLink(rig.sim.config.address)
            client = TreadmillClient(link, rig.clock)
            client_ns: list[int] = []
            link_ns: list[int] = []
            try:
                await client.connect()
                await client.request_control()
                await client.start()
                for i in range(warmup):
                    await client.set_speed(SPEEDS_KMH[i % 2])
                for i in range(calls):
                    start = perf_ns()
                    await client.set_speed(SPEEDS_KMH[i % 2])
                    client_ns.append(perf_ns() - start)
                stale = client.stats.stale_responses
            finally:
                await client.aclose()

            # The link alone: its own connection, its own subscriber.
            raw = BleakLink(rig.sim.config.address)
            answered = asyncio.Event()
            await raw.connect()
            try:
                await raw.subscribe(uuids.CONTROL_POINT, lambda _data: answered.set())
                await raw.write(uuids.CONTROL_POINT, b"\x00", response=True)
                await answered.wait()
                frames = [
                    encode_request(SetTargetSpeed(speed_kmh=SPEEDS_KMH[i % 2])) for i in range(2)
                ]
                for i in range(warmup + calls):
                    answered.clear()
                    start = perf_ns()
                    await raw.write(uuids.CONTROL_POINT, frames[i % 2], response=True)
                    await answered.wait()
                    if i >= warmup:
                        link_ns.append(perf_ns() - start)
            finally:
                await raw.disconnect()
            last = (warmup + calls - 1) % 2
            return Run(
                client_s=[ns / 1e9 for ns in client_ns],
                link_s=[ns / 1e9 for ns in link_ns],
                final_target_kmh=rig.sim.belt.target_speed_kmh,
                expected_target_kmh=SPEEDS_KMH[last],
                rejected_busy=rig.sim.stats.cp_rejected_busy,
                stale=stale,
            )


def stats(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {
        "calls": len(ordered),
        "min_s": ordered[0],
        "mean_s": statistics.fmean(ordered),
        **{f"p{p:g}_s": percentile(ordered, p) for p in PERCENTILES},
        "max_s": ordered[-1],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="timed calls per series")
    parser.add_argument("--warmup", type=int, default=100, help="untimed calls first")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    run = asyncio.run(measure(args.calls, args.warmup))
    results = {"set_speed": stats(run.client_s), "link_write_to_answer": stats(run.link_s)}
    p99 = results["set_speed"]["p99_s"]
    met = p99 < GOAL_P99_S
    checks = {
        "simulator_target_kmh": run.final_target_kmh,
        "expected_target_kmh": run.expected_target_kmh,
        "simulator_rejected_busy": run.rejected_busy,
        "client_stale_responses": run.stale,
    }
    if run.rejected_busy or run.stale or abs(run.final_target_kmh - run.expected_target_kmh) > 1e-9:
        print(f"!!! something went wrong during the run: {checks}", file=sys.stderr)
    info = machine_info()
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "ble_cp_rtt",
                    "machine": info,
                    "settings": {"calls": args.calls, "warmup": args.warmup},
                    "results": results,
                    "checks": checks,
                    "goal": {"p99_s": GOAL_P99_S, "met": met},
                },
                indent=2,
            )
        )
        return 0
    print("Control point write to response: bleak + fake BlueZ over a private dbus-daemon")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(f"{args.calls} timed calls per series after {args.warmup} untimed; answers at once")
    print()
    names = ["min", "mean", *(f"p{p:g}" for p in PERCENTILES), "max"]
    keys = ["min_s", "mean_s", *(f"p{p:g}_s" for p in PERCENTILES), "max_s"]
    rows = [
        [n, fmt_us(results["set_speed"][k]), fmt_us(results["link_write_to_answer"][k])]
        for n, k in zip(names, keys, strict=True)
    ]
    print(table(["µs", "client.set_speed", "link write to answer"], rows))
    print()
    print(
        f"checks: simulator target {run.final_target_kmh:g} km/h (expected "
        f"{run.expected_target_kmh:g}), busy rejections {run.rejected_busy}, stale answers "
        f"{run.stale}"
    )
    verdict = "MET" if met else "NOT MET"
    print(f"goal:  set_speed p99 < {GOAL_P99_S * 1e3:g} ms: {verdict} (p99 = {p99 * 1e3:.2f} ms)")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
