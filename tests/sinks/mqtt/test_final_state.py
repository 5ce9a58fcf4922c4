"""The state a workout leaves retained, an empty ``cmd/stop``, and Ctrl-C in a class."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from tests.cli.helpers import no_traceback, treadctl
from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.helpers import mqtt_for, start_workout, subscribed, write_profile
from treadctl.sessions import read_session

ROOT = "treadctl/treadctl-sim"


def running_on_belt(states: list[dict[str, Any]]) -> bool:
    return any(s["workout_state"] == "running" and (s["speed_kmh"] or 0) > 1.0 for s in states)


async def retained_states(broker: Broker, count: int = 1) -> dict[str, dict[str, Any]]:
    """What a dashboard that starts now gets: the retained state of each treadmill."""
    async with subscribed(broker, "treadctl/+/state") as late:
        await late.wait_for(lambda: len(late.messages) >= count, "the retained states")
    return {m.topic: m.json() for m in late.messages}


async def test_the_last_state_after_a_stop_shows_the_belt_standing_still(
    broker: Broker, tmp_path: Path
) -> None:
    async with subscribed(broker, f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=10)
        await sub.wait_for(lambda: running_on_belt(sub.payloads(f"{ROOT}/state")), "running")
        await sub.publish(f"{ROOT}/cmd/stop", "PRESS")
        run = await workout.finish()
    assert run.result.summary.reason == "remote stop (MQTT)"
    final = (await retained_states(broker))[f"{ROOT}/state"]
    assert final["workout_state"] == "aborted"
    assert final["speed_kmh"] == 0.0


async def test_an_empty_message_on_cmd_stop_stops_the_workout(
    broker: Broker, tmp_path: Path
) -> None:
    # How a person clears a retained message (mosquitto_pub -r -n): the broker passes it
    # on as an ordinary, empty one. treadctl takes it as a stop: the fail-safe reading.
    async with subscribed(broker, f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=10)
        await sub.wait_for(lambda: running_on_belt(sub.payloads(f"{ROOT}/state")), "running")
        await sub.publish(f"{ROOT}/cmd/stop", "", retain=True)
        run = await workout.finish()
    summary = run.result.summary
    assert not summary.completed
    assert summary.reason == "remote stop (MQTT)"
    (logged,) = run.log_of("remote_command")
    assert (logged["name"], logged["accepted"], logged["retained"]) == ("stop", True, False)


async def test_ctrl_c_ends_a_class_replay_with_130_and_every_belt_stopped(
    broker: Broker, tmp_path: Path
) -> None:
    profile = write_profile(tmp_path)
    log = tmp_path / "class.jsonl"
    proc = treadctl(
        "replay", str(profile), "--time-factor", "2", "--count", "3",
        "--mqtt", broker.url, "--log", str(log),
    )  # fmt: skip
    topics = [f"treadctl/treadctl-sim-{i}/state" for i in (1, 2, 3)]
    async with subscribed(broker, "treadctl/+/state") as sub:
        # Every belt moving (the retained states of earlier tests are on other topics).
        await sub.wait_for(
            lambda: all(running_on_belt(sub.payloads(topic)) for topic in topics),
            "three belts running",
        )
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.to_thread(proc.communicate, None, 60)
    assert proc.returncode == 130
    no_traceback(err)
    assert out.count("workout ended: interrupted") == 3
    for i in (1, 2, 3):
        summary = read_session(tmp_path / f"class-{i}.jsonl").summary
        assert summary is not None
        assert summary["reason"] == "interrupted"
    states = await retained_states(broker, 3)
    assert sorted(states) == topics
    assert [s["workout_state"] for s in states.values()] == ["aborted"] * 3
    assert [s["speed_kmh"] for s in states.values()] == [0.0] * 3
