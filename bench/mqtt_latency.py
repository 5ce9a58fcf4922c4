"""Treadmill notification to MQTT subscriber: how stale is the state a dashboard sees?

A Mosquitto broker is started on a free loopback port (amqtt where Mosquitto is not
installed). One simulated treadmill runs a workout in real time, Treadmill Data at
``--data-hz`` (2 Hz, as the simulator and most treadmills send it), through a loopback
link that notes the ``time.perf_counter()`` at which the simulator sends each record.
The MQTT sink publishes the state at ``--rate-hz`` (1 Hz, the default setting). A
subscriber in the same process takes each state message as it arrives and looks up,
by the state's ``data_seq`` (the number of the Treadmill Data record it reflects), when
that record left the simulator: the difference is the delay measured. It covers the
link delivery, decoding, the sink, the publisher task, JSON, the broker and the
subscriber's socket, all on one machine.

    .venv/bin/python bench/mqtt_latency.py [--seconds 120] [--rate-hz 1] [--json]

Goal: p99 under 10 ms at 1 Hz state. A benchmark, not a test: it reports, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiomqtt

from _benchkit import machine_info, machine_lines, percentile, table
from _mqttkit import StampingLink, loopback_broker, stamped_treadmill, steady_profile
from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sinks.mqtt.settings import parse_mqtt_url
from treadctl.sinks.mqtt.sink import MqttSink

GOAL_P99_S = 10e-3
PERCENTILES = (50.0, 90.0, 99.0)
NAME = "latency-sim"


async def measure(
    url: str, seconds: float, rate_hz: float, data_hz: float, folder: Path
) -> dict[str, Any]:
    links: list[StampingLink] = []
    mqtt = parse_mqtt_url(url, state_rate_hz=rate_hz)
    sink = MqttSink(mqtt)
    delays_s: list[float] = []
    unmatched = 0
    states = 0
    host, port = mqtt.host, mqtt.port
    async with aiomqtt.Client(host, port, identifier="bench-subscriber") as sub:
        await sub.subscribe(f"treadctl/{NAME}/state", qos=0)

        async def listen() -> None:
            nonlocal unmatched, states
            async for message in sub.messages:
                arrived = time.perf_counter()
                if message.retain:
                    continue
                payload = message.payload
                assert isinstance(payload, bytes)
                state = json.loads(payload)
                states += 1
                link = links[0] if links else None
                sent = None if link is None else link.sent_at.get(state["data_seq"])
                if sent is None or state["workout_state"] in ("idle", "finished"):
                    unmatched += 1
                    continue
                delays_s.append(arrived - sent)

        listener = asyncio.create_task(listen())
        options = WorkoutOptions(
            profile=steady_profile(folder, seconds, backward=False),
            settings=Settings(),
            speed=1.0,
            log_path=folder / "session.jsonl",
            risks_acknowledged=True,
            treadmill=stamped_treadmill(NAME, data_hz, links),
            sim_name=NAME,
            sinks=[sink],
        )
        started = time.perf_counter()
        result = await run_workout(options)
        wall_s = time.perf_counter() - started
        await asyncio.sleep(0.2)
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    stats = sink.stats
    assert stats is not None
    ordered = sorted(delays_s)
    return {
        "wall_s": wall_s,
        "workout_completed": result.summary.completed,
        "states_received": states,
        "states_published": stats.states_published,
        "state_updates": stats.state_updates,
        "states_replaced": stats.states_replaced,
        "records": max(links[0].sent_at) if links and links[0].sent_at else 0,
        "measured": len(ordered),
        "unmatched": unmatched,
        "min_s": ordered[0] if ordered else None,
        "mean_s": statistics.fmean(ordered) if ordered else None,
        **{f"p{p:g}_s": percentile(ordered, p) if ordered else None for p in PERCENTILES},
        "max_s": ordered[-1] if ordered else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the workout")
    parser.add_argument("--rate-hz", type=float, default=1.0, help="state rate (setting)")
    parser.add_argument("--data-hz", type=float, default=2.0, help="Treadmill Data rate")
    parser.add_argument("--broker", choices=("mosquitto", "amqtt"), help="default: mosquitto")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    info = machine_info()
    with loopback_broker(args.broker) as broker, tempfile.TemporaryDirectory() as folder:
        results = asyncio.run(
            measure(broker.url, args.seconds, args.rate_hz, args.data_hz, Path(folder))
        )
        kind = broker.kind
    p99 = results["p99_s"]
    met = p99 is not None and p99 < GOAL_P99_S
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "mqtt_latency",
                    "machine": info,
                    "settings": {
                        "broker": kind,
                        "seconds": args.seconds,
                        "state_rate_hz": args.rate_hz,
                        "data_rate_hz": args.data_hz,
                    },
                    "results": results,
                    "goal": {"p99_s": GOAL_P99_S, "met": met},
                },
                indent=2,
            )
        )
        return 0
    print("MQTT latency: Treadmill Data sent by the simulator -> state at a subscriber")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"broker {kind} on loopback; {args.seconds:g} s workout in real time; Treadmill "
        f"Data at {args.data_hz:g} Hz; state at most {args.rate_hz:g} Hz"
    )
    print(
        f"states received {results['states_received']} (published "
        f"{results['states_published']}; {results['state_updates']} updates, "
        f"{results['states_replaced']} replaced by newer ones); measured "
        f"{results['measured']}, not matched {results['unmatched']} (idle/finished)"
    )
    print()
    rows = []
    for name in ("min", "mean", *(f"p{p:g}" for p in PERCENTILES), "max"):
        value = results[f"{name}_s"]
        rows.append([name, "-" if value is None else f"{value * 1e3:.3f}"])
    print(table(["statistic", "ms"], rows))
    print()
    verdict = "met" if met else "NOT met"
    print(f"goal: p99 under {GOAL_P99_S * 1e3:g} ms: {verdict}")
    if not results["workout_completed"]:
        print("!!! the workout did not complete", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
