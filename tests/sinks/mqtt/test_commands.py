"""H10 against a real broker: what remote commands may do to the simulated belt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.helpers import Subscriber, mqtt_for, run_with, start_workout, subscribed
from treadctl.sim.treadmill import BeltState

ROOT = "treadctl/treadctl-sim"
CMD = f"{ROOT}/cmd"


def answers(sub: Subscriber) -> list[dict[str, Any]]:
    return [e for e in sub.payloads(f"{ROOT}/event") if e["type"] == "remote_command"]


def running_on_belt(sub: Subscriber) -> bool:
    return any(
        s["workout_state"] == "running" and (s["speed_kmh"] or 0) > 1.0
        for s in sub.payloads(f"{ROOT}/state")
    )


async def test_a_retained_command_is_ignored_and_answered(broker: Broker, tmp_path: Path) -> None:
    async with subscribed(broker, f"{ROOT}/event") as sub:
        # Left on the broker before the workout: a stop button pressed long ago.
        await sub.publish(f"{CMD}/stop", "PRESS", retain=True)
        run = await run_with(tmp_path, mqtt_for(broker), speed=20)
        await sub.wait_for(lambda: bool(answers(sub)), "the answer")
    assert run.result.summary.completed
    (answer,) = answers(sub)
    assert answer["name"] == "stop"
    assert answer["accepted"] is False
    assert answer["retained"] is True
    assert "retained" in answer["reason"]
    (logged,) = run.log_of("remote_command")
    assert (logged["name"], logged["accepted"], logged["retained"]) == ("stop", False, True)


async def test_a_remote_stop_stops_the_simulated_belt(broker: Broker, tmp_path: Path) -> None:
    async with subscribed(broker, f"{ROOT}/event", f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=10)
        await sub.wait_for(lambda: running_on_belt(sub), "the belt running")
        await sub.publish(f"{CMD}/stop", "PRESS")
        run = await workout.finish()
        await sub.wait_for(lambda: bool(answers(sub)), "the answer")
    summary = run.result.summary
    assert not summary.completed
    assert summary.reason == "remote stop (MQTT)"
    assert summary.workout_s < run.result.timeline.total_s
    sim = run.treadmill.sim
    assert sim is not None
    assert sim.state is BeltState.STOPPED
    assert sim.belt.target_speed_kmh == 0.0
    (answer,) = answers(sub)
    assert (answer["name"], answer["accepted"], answer["retained"]) == ("stop", True, False)
    (logged,) = run.log_of("remote_command")
    assert logged["accepted"] is True
    assert any(c["name"] == "stop" and c["ok"] for c in run.log_of("command"))


async def test_remote_speed_up_and_start_are_refused_and_change_nothing(
    broker: Broker, tmp_path: Path
) -> None:
    refused = ("speed_up", "start", "speed", "incline", "confirm", "resume")
    async with subscribed(broker, f"{ROOT}/event", f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=20)
        await sub.wait_for(lambda: running_on_belt(sub), "the belt running")
        for name in refused:
            await sub.publish(f"{CMD}/{name}", "9.0")
        await sub.wait_for(lambda: len(answers(sub)) == len(refused), "the answers")
        run = await workout.finish()
    assert run.result.summary.completed
    assert {a["name"]: a["accepted"] for a in answers(sub)} == dict.fromkeys(refused, False)
    assert all(a["reason"] for a in answers(sub))
    assert len(run.log_of("remote_command")) == len(refused)
    # No speed above the profile's was ever sent; no user action came from MQTT.
    speeds = [c["value"] for c in run.log_of("command") if c["name"] == "speed"]
    assert max(speeds) <= 2.0
    assert run.log_of("user") == []


async def test_remote_pause_holds_the_workout_and_resume_is_refused_by_default(
    broker: Broker, tmp_path: Path
) -> None:
    async with subscribed(broker, f"{ROOT}/event", f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=20)
        await sub.wait_for(lambda: running_on_belt(sub), "the belt running")
        await sub.publish(f"{CMD}/pause", "PRESS")
        await sub.wait_for(
            lambda: any(e["type"] == "paused" for e in sub.payloads(f"{ROOT}/event")), "paused"
        )
        paused = [e for e in sub.payloads(f"{ROOT}/event") if e["type"] == "paused"]
        assert paused[0]["reason"] == "paused remotely (MQTT)"  # not "paused by you"
        await sub.publish(f"{CMD}/resume", "PRESS")
        await sub.wait_for(lambda: len(answers(sub)) == 2, "two answers")
        sim = workout.holder["treadmill"].sim
        assert workout.runner.state.value == "paused"
        # Nobody resumes: stop from the "console" so the test ends.
        await workout.runner.emergency_stop("test over")
        run = await workout.finish()
    pause, resume = answers(sub)
    assert (pause["name"], pause["accepted"]) == ("pause", True)
    assert (resume["name"], resume["accepted"]) == ("resume", False)
    assert "mqtt_remote_resume" in resume["reason"]
    assert not run.result.summary.completed
    assert sim.state is not BeltState.RUNNING


async def test_remote_resume_works_once_the_user_enables_it(broker: Broker, tmp_path: Path) -> None:
    mqtt = mqtt_for(broker, state_rate_hz=10, remote_resume=True)
    async with subscribed(broker, f"{ROOT}/event", f"{ROOT}/state", "homeassistant/#") as sub:
        workout = start_workout(tmp_path, mqtt, speed=20)
        await sub.wait_for(lambda: running_on_belt(sub), "the belt running")
        await sub.publish(f"{CMD}/pause", "PRESS")
        await sub.wait_for(
            lambda: any(e["type"] == "paused" for e in sub.payloads(f"{ROOT}/event")), "paused"
        )
        paused = [e for e in sub.payloads(f"{ROOT}/event") if e["type"] == "paused"]
        assert paused[0]["reason"] == "paused remotely (MQTT)"  # not "paused by you"
        await sub.publish(f"{CMD}/resume", "PRESS")
        run = await workout.finish()
        await sub.wait_for(lambda: len(answers(sub)) == 2, "two answers")
    assert run.result.summary.completed
    assert [(a["name"], a["accepted"]) for a in answers(sub)] == [
        ("pause", True),
        ("resume", True),
    ]
    kinds = [e["type"] for e in sub.payloads(f"{ROOT}/event")]
    assert kinds.index("paused") < kinds.index("resumed")
    # The resume button is offered only now.
    assert sub.on("homeassistant/button/treadctl_treadctl-sim/resume/config")
