"""What the state gained for the watch: the treadmill's name, holds, and the last alert."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.helpers import mqtt_for, quick_settings, run_with, subscribed, write_profile
from tests.watch.helpers import fleet_of, following
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sim.loopback import LoopbackLink
from treadctl.sinks.mqtt.sink import MqttSink
from treadctl.watch.status import TreadmillStatus, parse_state
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner

ROOT = "treadctl/treadctl-sim"
MQTT_DOC = Path(__file__).resolve().parents[2] / "docs" / "mqtt.md"


async def test_the_state_names_the_treadmill_and_carries_the_last_alert_and_holds(
    broker: Broker, tmp_path: Path
) -> None:
    async with subscribed(broker, f"{ROOT}/state", f"{ROOT}/event") as sub:
        run = await run_with(
            tmp_path,
            mqtt_for(broker, state_rate_hz=10),
            speed=20,
            # Faster than the backward ceiling in the backward bout: an H2 alert (a few
            # tries, so that one lands in the bout whatever the ramps and turns take).
            actions=[(16.0 + 0.5 * i, "adjust_speed", 5.0) for i in range(50)],
        )
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    states = sub.payloads(f"{ROOT}/state")
    assert {s["name"] for s in states} == {"treadctl-sim"}
    # docs/mqtt.md's state table names every key.
    doc = MQTT_DOC.read_text()
    table = doc[doc.index("### State") : doc.index("### Events")]
    for key in states[0]:
        assert f"`{key}`" in table, f"{key} is not in docs/mqtt.md's state table"
    # Every state has the new keys, and the watch reads every one of them.
    assert all({"name", "awaiting_confirm", "last_alert"} <= set(s) for s in states)
    for message in sub.on(f"{ROOT}/state"):
        parse_state(message.payload)
    # Before the alert there is none; after it, every state carries it.
    alert_events = [e for e in sub.payloads(f"{ROOT}/event") if e["type"] == "safety"]
    assert alert_events
    with_alert = [s for s in states if s["last_alert"] is not None]
    assert with_alert
    assert states[0]["last_alert"] is None
    first = states.index(with_alert[0])
    assert all(s["last_alert"] is not None for s in states[first:])
    alert = with_alert[-1]["last_alert"]
    assert (alert["hazard"], alert["kind"]) == (
        alert_events[-1]["hazard"],
        alert_events[-1]["kind"],
    )
    assert abs(alert["ts"] - alert_events[-1]["ts"]) < 1.0
    assert not any(s["awaiting_confirm"] for s in states)
    assert run.result.summary.completed


async def test_a_lost_link_shows_then_a_hold_until_the_person_confirms(
    broker: Broker, tmp_path: Path
) -> None:
    found: dict[str, object] = {}

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        found["runner"], found["treadmill"] = runner, treadmill

    options = WorkoutOptions(
        profile=write_profile(tmp_path),
        settings=quick_settings(),
        speed=5.0,
        log_path=tmp_path / "session.jsonl",
        risks_acknowledged=True,
        sinks=[MqttSink(mqtt_for(broker, state_rate_hz=10))],
        hold_limit_s=120.0,  # nobody confirms on their own: the test is the person
    )
    async with following(broker) as follower:
        fleet = fleet_of(follower)
        task = asyncio.create_task(run_workout(options, on_runner=on_runner))

        def status() -> TreadmillStatus | None:
            treadmill = fleet.treadmills.get("treadctl-sim")
            return None if treadmill is None else treadmill.status

        def reasons() -> tuple[str, ...]:
            fleet.check(now_s=0.0, wall_s=0.0)
            return fleet.treadmills["treadctl-sim"].reasons

        await fleet.wait_for(
            lambda: (s := status()) is not None and s.workout_state == "running", "running"
        )
        runner, treadmill = found["runner"], found["treadmill"]
        assert isinstance(runner, Runner)
        assert isinstance(treadmill, Treadmill)
        link = treadmill.client.link
        assert isinstance(link, LoopbackLink)
        link.reachable = False
        link.break_link()
        await fleet.wait_for(lambda: "no_link" in reasons(), "no link")
        assert "hold" in reasons()
        link.reachable = True
        await fleet.wait_for(lambda: reasons() == ("hold",), "linked again, still held")
        held = status()
        assert held is not None
        assert held.awaiting_confirm
        assert held.link_connected
        runner.confirm()
        await fleet.wait_for(lambda: reasons() == (), "resumed")
        result = await asyncio.wait_for(task, 60)
    assert result.summary.completed
