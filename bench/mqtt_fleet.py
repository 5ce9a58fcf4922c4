"""A class of treadmills on one broker: CPU share and what arrives, N simulators at once.

One process runs ``--count`` (100) simulated treadmills in real time, each a workout of
its own (forward and backward bouts with turnarounds, ``--seconds`` long), Treadmill
Data at 2 Hz, each with its own MQTT sink publishing the state at 1 Hz to one Mosquitto
broker on loopback (amqtt where Mosquitto is missing). A subscriber in a separate
process counts every state and event per device.

CPU: ``time.process_time()`` over wall time in a steady window (after the connects,
before the ends), as a share of one core. A second pass runs the same treadmills without
MQTT (``--no-baseline`` skips it), so the MQTT part can be told from the simulators and
runners, which a real deployment would not have.

Nothing dropped: for each device the subscriber must receive every state and event the
publisher sent (states carry a ``seq``; a gap is a loss). What the latest-only policy
replaced (updates that never went out because a newer one came first) is counted apart.

    .venv/bin/python bench/mqtt_fleet.py [--count 100] [--seconds 45] [--json]

Goal: under 25 % of one core with N = 100. A benchmark, not a test: it never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt

from _benchkit import machine_info, machine_lines, table
from _mqttkit import broker_cpu_s, loopback_broker, planned_s, steady_profile
from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sinks.mqtt.settings import parse_mqtt_url
from treadctl.sinks.mqtt.sink import MqttSink

GOAL_CPU_SHARE = 0.25
#: The steady window starts this long after the workouts start (connects, first ramps).
WARMUP_S = 8.0
#: ... and ends this long before the workouts' planned end.
COOLDOWN_S = 4.0


# -- the subscriber (a separate process) ---------------------------------------------------


async def subscribe(url: str, count: int, limit_s: float) -> dict[str, Any]:
    mqtt = parse_mqtt_url(url)
    states: dict[str, list[int]] = defaultdict(list)
    events: dict[str, int] = defaultdict(int)
    offline: set[str] = set()
    async with aiomqtt.Client(mqtt.host, mqtt.port, identifier="fleet-subscriber") as client:
        await client.subscribe("treadctl/#", qos=1)
        print("ready", flush=True)
        deadline = time.monotonic() + limit_s

        async def collect() -> None:
            async for message in client.messages:
                if message.retain:
                    continue
                _, device, kind = message.topic.value.split("/", 2)
                payload = message.payload
                assert isinstance(payload, bytes)
                if kind == "state":
                    states[device].append(json.loads(payload)["seq"])
                elif kind == "event":
                    events[device] += 1
                elif kind == "availability" and payload == b"offline":
                    offline.add(device)
                    if len(offline) >= count:
                        return

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(collect(), max(1.0, deadline - time.monotonic()))
    return {
        "states": dict(states),
        "events": dict(events),
        "offline": sorted(offline),
    }


# -- the fleet -----------------------------------------------------------------------------


@dataclass
class Pass:
    mqtt: bool
    wall_s: float = 0.0
    window_s: float = 0.0
    cpu_s: float = 0.0
    broker_cpu_s: float | None = None
    completed: int = 0
    sinks: list[MqttSink] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.cpu_s / self.window_s if self.window_s else 0.0


async def run_fleet(
    count: int, seconds: float, url: str | None, folder: Path, broker_cpu: Any
) -> Pass:
    result = Pass(mqtt=url is not None)
    profile = steady_profile(folder, seconds)
    settings = Settings()
    options = []
    for i in range(1, count + 1):
        name = f"fleet-{i:03d}"
        sinks: list[MqttSink] = []
        if url is not None:
            sinks.append(MqttSink(parse_mqtt_url(url, state_rate_hz=1.0)))
        result.sinks += sinks
        options.append(
            WorkoutOptions(
                profile=profile,
                settings=settings,
                speed=1.0,
                log_path=folder / f"{name}-{'mqtt' if url else 'base'}.jsonl",
                risks_acknowledged=True,
                sim_name=name,
                sinks=sinks,
                auto_confirm_s=1.0,
            )
        )
    length_s = planned_s(profile, settings)

    async def window() -> None:
        await asyncio.sleep(WARMUP_S)
        cpu0, wall0, b0 = time.process_time(), time.perf_counter(), broker_cpu()
        await asyncio.sleep(max(1.0, length_s - WARMUP_S - COOLDOWN_S))
        result.cpu_s = time.process_time() - cpu0
        result.window_s = time.perf_counter() - wall0
        b1 = broker_cpu()
        if b0 is not None and b1 is not None:
            result.broker_cpu_s = b1 - b0

    started = time.perf_counter()
    sampler = asyncio.create_task(window())
    outcomes = await asyncio.gather(*(run_workout(o) for o in options))
    result.wall_s = time.perf_counter() - started
    if not sampler.done():
        sampler.cancel()
        print("!!! the workouts ended before the measuring window did", file=sys.stderr)
    await asyncio.gather(sampler, return_exceptions=True)
    result.completed = sum(1 for o in outcomes if o.summary.completed)
    return result


def compare(sinks: list[MqttSink], received: dict[str, Any]) -> dict[str, Any]:
    """Per device: published vs received states and events, gaps in the state seq."""
    lost_states = lost_events = gaps = 0
    published_states = published_events = replaced = dropped_events = 0
    devices = 0
    for sink in sinks:
        stats, topics = sink.stats, sink.topics
        if stats is None or topics is None:
            continue
        devices += 1
        device = topics.device_id
        seqs = received["states"].get(device, [])
        published_states += stats.states_published
        published_events += stats.events_published
        replaced += stats.states_replaced
        dropped_events += stats.events_dropped
        lost_states += max(0, stats.states_published - len(seqs))
        lost_events += max(0, stats.events_published - received["events"].get(device, 0))
        if seqs:
            gaps += (seqs[-1] - seqs[0] + 1) - len(set(seqs))
    return {
        "devices": devices,
        "devices_offline_at_end": len(received["offline"]),
        "states_published": published_states,
        "states_received": sum(len(v) for v in received["states"].values()),
        "states_lost": lost_states,
        "state_seq_gaps": gaps,
        "states_replaced_latest_only": replaced,
        "events_published": published_events,
        "events_received": sum(received["events"].values()),
        "events_lost": lost_events,
        "events_dropped_queue_full": dropped_events,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="simulated treadmills")
    parser.add_argument("--seconds", type=float, default=45.0, help="segment time per workout")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pass without MQTT")
    parser.add_argument("--broker", choices=("mosquitto", "amqtt"), help="default: mosquitto")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--subscriber", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--limit-s", type=float, default=600.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.subscriber:
        print(json.dumps(asyncio.run(subscribe(args.subscriber, args.count, args.limit_s))))
        return 0

    info = machine_info()
    baseline: Pass | None = None
    with loopback_broker(args.broker) as broker, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sub = subprocess.Popen(
            [sys.executable, __file__, "--subscriber", broker.url, "--count", str(args.count)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sub.stdout is not None
        if sub.stdout.readline().strip() != "ready":
            print("!!! the subscriber did not start", file=sys.stderr)
            return 1
        with_mqtt = asyncio.run(
            run_fleet(args.count, args.seconds, broker.url, folder, lambda: broker_cpu_s(broker))
        )
        out, _ = sub.communicate(timeout=60)
        received = json.loads(out)
        if not args.no_baseline:
            baseline = asyncio.run(run_fleet(args.count, args.seconds, None, folder, lambda: None))
        kind = broker.kind
    delivery = compare(with_mqtt.sinks, received)
    mqtt_share = with_mqtt.share - (baseline.share if baseline else 0.0)
    met_total = with_mqtt.share < GOAL_CPU_SHARE
    results: dict[str, Any] = {
        "cpu_share_with_mqtt": with_mqtt.share,
        "cpu_share_without_mqtt": baseline.share if baseline else None,
        "cpu_share_of_mqtt": mqtt_share if baseline else None,
        "broker_cpu_share": (with_mqtt.broker_cpu_s or 0.0) / with_mqtt.window_s
        if with_mqtt.window_s
        else None,
        "window_s": with_mqtt.window_s,
        "wall_s": with_mqtt.wall_s,
        "completed": with_mqtt.completed,
        "delivery": delivery,
    }
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "mqtt_fleet",
                    "machine": info,
                    "settings": {
                        "broker": kind,
                        "count": args.count,
                        "seconds": args.seconds,
                        "data_rate_hz": 2.0,
                        "state_rate_hz": 1.0,
                    },
                    "results": results,
                    "goal": {"cpu_share": GOAL_CPU_SHARE, "met": met_total},
                },
                indent=2,
            )
        )
        return 0
    print("MQTT fleet: N simulated treadmills in real time, one broker")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"{args.count} treadmills, Treadmill Data at 2 Hz, state at 1 Hz, broker {kind} on "
        f"loopback; workouts {with_mqtt.wall_s:.1f} s wall, CPU measured over "
        f"{with_mqtt.window_s:.1f} s; {with_mqtt.completed}/{args.count} completed"
    )
    print()
    rows = [["whole process, with MQTT", f"{with_mqtt.share * 100:.1f} %"]]
    if baseline is not None:
        rows.append(["whole process, without MQTT", f"{baseline.share * 100:.1f} %"])
        rows.append(["MQTT's part (difference)", f"{mqtt_share * 100:.1f} %"])
    if results["broker_cpu_share"] is not None:
        rows.append(["the broker (another process)", f"{results['broker_cpu_share'] * 100:.1f} %"])
    print(table(["CPU, share of one core", "value"], rows))
    print()
    print(table(["delivery", "count"], [[k, str(v)] for k, v in delivery.items()]))
    print()
    verdict = "met" if met_total else "NOT met"
    print(f"goal: under {GOAL_CPU_SHARE * 100:g} % of one core (whole process): {verdict}")
    lost = delivery["states_lost"] + delivery["events_lost"] + delivery["state_seq_gaps"]
    print(f"nothing dropped but what latest-only replaces: {'yes' if not lost else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
