"""What a running workout puts on a real broker: discovery, state, events."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.helpers import mqtt_for, run_with, start_workout, subscribed, write_profile
from treadctl.cli import main
from treadctl.sinks.mqtt.publisher import STATE_BURST
from treadctl.sinks.mqtt.state import WORKOUT_STATES

STATE_KEYS = {
    "ts",
    "seq",
    "workout_state",
    "profile",
    "segment",
    "facing",
    "speed_kmh",
    "incline_pct",
    "distance_m",
    "elapsed_s",
    "segment_left_s",
    "energy_kcal",
    "heart_rate_bpm",
    "heart_rate_source",
    "backward_s",
    "backward_distance_m",
    "link_connected",
    "paused_reason",
    "safety_alerts",
    "data_seq",
    # Added for treadctl watch (docs/watch.md).
    "name",
    "awaiting_confirm",
    "last_alert",
    # Advisory mode (the person sets the console; treadctl cannot stop the belt).
    "advisory",
}
ROOT = "treadctl/treadctl-sim"


async def test_discovery_is_retained_with_classes_units_and_unique_ids(
    broker: Broker, tmp_path: Path
) -> None:
    run = await run_with(tmp_path, mqtt_for(broker), speed="max")
    assert run.result.summary.completed
    # A subscriber that comes later (Home Assistant starting up) gets it all, retained.
    async with subscribed(broker, "homeassistant/#", f"{ROOT}/state") as late:
        await late.wait_for(lambda: len(late.matching("homeassistant/")) >= 16, "discovery")
        await late.wait_for(lambda: bool(late.on(f"{ROOT}/state")), "the retained state")
    configs = {m.topic: m.json() for m in late.matching("homeassistant/")}
    assert all(m.retain for m in late.messages)
    assert len(configs) == 16
    keys = {topic.split("/")[3]: config for topic, config in configs.items()}
    assert set(keys) == {
        "speed_kmh",
        "incline_pct",
        "distance_m",
        "elapsed_s",
        "segment_left_s",
        "energy_kcal",
        "heart_rate_bpm",
        "heart_rate_source",
        "facing",
        "segment",
        "workout_state",
        "backward_s",
        "backward_distance_m",
        "link_connected",
        "stop",
        "pause",
    }
    state = late.on(f"{ROOT}/state")[-1].json()
    for key, config in keys.items():
        assert config["unique_id"] == f"treadctl_treadctl-sim_{key}"
        assert config["device"]["identifiers"] == ["treadctl_treadctl-sim"]
        assert config["availability_topic"] == f"{ROOT}/availability"
        if "state_topic" in config:
            assert config["state_topic"] == f"{ROOT}/state"
            # Every template reads a key the state really has.
            (read,) = re.findall(r"value_json\.(\w+)", config["value_template"])
            assert read in state
        else:
            assert config["command_topic"] == f"{ROOT}/cmd/{key}"
    assert (keys["speed_kmh"]["device_class"], keys["speed_kmh"]["unit_of_measurement"]) == (
        "speed",
        "km/h",
    )
    assert keys["speed_kmh"]["state_class"] == "measurement"
    assert keys["distance_m"]["state_class"] == "total_increasing"
    assert keys["energy_kcal"]["unit_of_measurement"] == "kcal"
    assert keys["energy_kcal"]["state_class"] == "total_increasing"
    assert keys["elapsed_s"]["device_class"] == "duration"
    assert keys["elapsed_s"]["unit_of_measurement"] == "s"
    assert keys["workout_state"]["options"] == list(WORKOUT_STATES)
    assert keys["link_connected"]["device_class"] == "connectivity"


async def test_state_has_every_key_follows_the_workout_and_keeps_to_the_rate(
    broker: Broker, tmp_path: Path
) -> None:
    rate_hz = 8.0
    async with subscribed(broker, f"{ROOT}/state", f"{ROOT}/availability") as sub:
        run = await run_with(tmp_path, mqtt_for(broker, state_rate_hz=rate_hz), speed=20)
        await sub.wait_for(lambda: sub.on(f"{ROOT}/availability")[-1:] != [], "availability")
        await sub.wait_for(
            lambda: any(s["workout_state"] == "finished" for s in sub.payloads(f"{ROOT}/state")),
            "the final state",
        )
    states = sub.payloads(f"{ROOT}/state")
    assert len(states) >= 5
    for state in states:
        assert set(state) == STATE_KEYS
        assert state["workout_state"] in WORKOUT_STATES
        assert state["facing"] in ("forward", "backward")
        assert state["link_connected"] is True
    # Nothing lost on the way: the sequence numbers have no gaps.
    seqs = [s["seq"] for s in states]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    # Followed the workout: backward while the backward bout ran, turning in between.
    assert any(s["facing"] == "backward" and s["segment"] == "Backward bout" for s in states)
    assert {s["workout_state"] for s in states} >= {"running", "finished"}
    assert max(s["speed_kmh"] or 0 for s in states) <= 2.0 + 0.05
    # Home Assistant's total_increasing sensors never see a total go down.
    for key in ("distance_m", "elapsed_s", "backward_s", "backward_distance_m"):
        values = [s[key] for s in states]
        assert values == sorted(values), key
    # The last state carries the summary's figures (or what was already shown, if that
    # was a tenth higher: totals never go back).
    summary = run.result.summary
    final = states[-1]
    assert final["workout_state"] == "finished"
    for key, value in (
        ("distance_m", summary.distance_m),
        ("backward_s", summary.backward_s),
        ("backward_distance_m", summary.backward_distance_m),
        ("elapsed_s", round(summary.workout_s, 1)),
    ):
        assert value <= final[key] <= value + 1.0, key
    # Rate: never more than the token bucket allows (one extra for the final state).
    stamps = [s["ts"] for s in states]
    span_s = stamps[-1] - stamps[0]
    assert len(states) <= STATE_BURST + rate_hz * span_s + 2
    assert sub.on(f"{ROOT}/availability")[-1].text == "offline"


async def test_events_tell_the_workout_as_it_happens(broker: Broker, tmp_path: Path) -> None:
    async with subscribed(broker, f"{ROOT}/event") as sub:
        run = await run_with(
            tmp_path,
            mqtt_for(broker),
            speed=20,
            # Faster than the backward ceiling, during the backward bout: a safety alert.
            actions=[(20.0 + 0.5 * i, "adjust_speed", 5.0) for i in range(40)],
        )
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    events = sub.payloads(f"{ROOT}/event")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "workout_started"
    assert kinds[-1] == "finished"
    assert [e["label"] for e in events if e["type"] == "segment_started"] == [
        "Warm-up",
        "Backward bout",
        "Cool-down",
    ]
    phases = [e["phase"] for e in events if e["type"] == "turnaround"]
    assert phases.count("turn_now") == 2
    assert "warning" in phases
    assert "cue" in kinds
    assert any(e["type"] == "safety" and e["hazard"] == "H2" for e in events)
    assert not {"sample", "command", "countdown", "user"} & set(kinds)
    assert events[-1]["summary"] == dataclasses.asdict(run.result.summary)


async def test_pause_and_resume_are_events_and_paused_is_a_state(
    broker: Broker, tmp_path: Path
) -> None:
    async with subscribed(broker, f"{ROOT}/event", f"{ROOT}/state") as sub:
        await run_with(
            tmp_path,
            mqtt_for(broker, state_rate_hz=10),
            speed=20,
            actions=[(4.0, "pause", None), (9.0, "resume", None)],
        )
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    kinds = [e["type"] for e in sub.payloads(f"{ROOT}/event")]
    assert kinds.index("paused") < kinds.index("resumed")
    paused = [s for s in sub.payloads(f"{ROOT}/state") if s["workout_state"] == "paused"]
    assert paused
    assert paused[0]["paused_reason"] == "paused by you"


@pytest.mark.usefixtures("config_path")
def test_replay_drives_several_treadmills_each_with_its_own_device(
    broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = write_profile(tmp_path)
    code = main(
        [
            "replay",
            str(profile),
            "--time-factor",
            "max",
            "--count",
            "3",
            "--mqtt",
            broker.url,
            "--log",
            str(tmp_path / "class.jsonl"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        "== treadctl-sim-1",
        "== treadctl-sim-2",
        "== treadctl-sim-3",
    ]
    assert out.count("workout completed") == 3
    for i in (1, 2, 3):
        assert (tmp_path / f"class-{i}.jsonl").exists()
    # Retained on the broker: one device each, no shared ids, each one finished.
    retained = asyncio.run(_retained(broker))
    states = {t: v for t, v in retained.items() if t.endswith("/state")}
    assert set(states) == {f"treadctl/treadctl-sim-{i}/state" for i in (1, 2, 3)}
    assert all(s["workout_state"] == "finished" for s in states.values())
    ids = [c["unique_id"] for t, c in retained.items() if t.startswith("homeassistant/")]
    assert len(ids) == len(set(ids)) == 45


async def _retained(broker: Broker) -> dict[str, Any]:
    async with subscribed(broker, "treadctl/+/state", "homeassistant/#") as sub:
        await sub.wait_for(
            lambda: (
                len([m for m in sub.messages if m.topic.endswith("/state")]) >= 3
                and len(sub.matching("homeassistant/")) >= 45
            ),
            "three states and their discovery",
        )
    return {m.topic: m.json() for m in sub.messages if m.payload}


async def test_ha_status_online_brings_the_discovery_again(broker: Broker, tmp_path: Path) -> None:
    speed_topic = "homeassistant/sensor/treadctl_treadctl-sim/speed_kmh/config"
    async with subscribed(broker, "homeassistant/+/+/+/config", f"{ROOT}/state") as sub:
        workout = start_workout(tmp_path, mqtt_for(broker), speed=20)
        await sub.wait_for(lambda: len(sub.on(speed_topic)) == 1, "the first discovery")
        await sub.wait_for(lambda: bool(sub.on(f"{ROOT}/state")), "a state")
        await sub.publish("homeassistant/status", "online")
        await sub.wait_for(lambda: len(sub.on(speed_topic)) == 2, "discovery again")
        await sub.publish("homeassistant/status", "offline")
        run = await workout.finish()
    assert run.result.summary.completed
    assert len(sub.on(speed_topic)) == 2
