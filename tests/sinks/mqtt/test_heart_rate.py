"""The heart rate on a real broker: the strap's, with its source beside it."""

from __future__ import annotations

from pathlib import Path

from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.helpers import mqtt_for, run_with, subscribed
from tests.straps import SimStrap
from treadctl.sim import Quirk

ROOT = "treadctl/treadctl-sim"


async def test_state_carries_the_strap_rate_and_its_source(broker: Broker, tmp_path: Path) -> None:
    strap = SimStrap(lambda _t: 131.0)
    async with subscribed(broker, f"{ROOT}/state", f"{ROOT}/event") as sub:
        mqtt = mqtt_for(broker, state_rate_hz=10)
        await run_with(tmp_path, mqtt, speed=20, strap=strap.factory())
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    states = sub.payloads(f"{ROOT}/state")
    assert len(states) > 10
    assert all("heart_rate_source" in s for s in states)
    from_strap = [s for s in states if s["heart_rate_source"] == "strap"]
    assert len(from_strap) > len(states) // 2
    assert {s["heart_rate_bpm"] for s in from_strap} == {131}
    # Before the strap's first reading nothing reports one (the simulator has no grips).
    assert {s["heart_rate_source"] for s in states} <= {"strap", None}
    assert all(s["heart_rate_bpm"] is None for s in states if s["heart_rate_source"] is None)


async def test_state_says_when_treadctl_only_advises(broker: Broker, tmp_path: Path) -> None:
    """A treadmill without a control point: the supervisor sees advisory mode."""
    async with subscribed(broker, f"{ROOT}/state", f"{ROOT}/event") as sub:
        mqtt = mqtt_for(broker, state_rate_hz=10)
        await run_with(tmp_path, mqtt, speed="max", quirks=frozenset({Quirk.NO_CONTROL_POINT}))
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    states = sub.payloads(f"{ROOT}/state")
    running = [s for s in states if s["workout_state"] != "idle"]
    assert running
    assert all(s["advisory"] is True for s in running)
