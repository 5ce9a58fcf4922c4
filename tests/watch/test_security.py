"""docs/mqtt.md's Mosquitto configuration and ACL, run as written: each treadmill sees
only itself, the supervisor sends only stop and pause, anonymous is refused, over TLS.

A publish the ACL forbids is acknowledged and dropped (MQTT 3.1.1), so "it did not
arrive" is shown with a marker: the same client publishes an allowed message after the
forbidden one, and the broker delivers one client's messages in order. Once the marker
is in, the forbidden message would have been too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.sinks.mqtt.brokers import Certificates, mosquitto_path
from tests.sinks.mqtt.helpers import Workout, client_for, mqtt_for, start_workout, subscribed
from tests.watch.helpers import LONG_PROFILE, SignallingFleet, fleet_of, following
from tests.watch.secure import (
    ACL_BLOCK,
    CONF_BLOCK,
    USERS,
    DocMosquitto,
    doc_block,
    with_second_desk,
)
from treadctl.sinks.mqtt.publisher import AUTH_REFUSED_CODES

pytestmark = pytest.mark.skipif(
    mosquitto_path() is None, reason="the ACL tests need Mosquitto (scripts/setup.sh)"
)

FORGED = json.dumps({"forged": True, "ts": 1, "seq": 1, "workout_state": "running"})


@pytest.fixture
def clinic(tmp_path: Path, certificates: Certificates) -> Iterator[DocMosquitto]:
    broker = DocMosquitto(
        tmp_path / "clinic",
        doc_block(CONF_BLOCK),
        acl=with_second_desk(doc_block(ACL_BLOCK)),
        users=USERS,
        certs=certificates,
    )
    broker.start()
    yield broker
    broker.stop()


def login(user: str) -> dict[str, Any]:
    return {"username": user, "password": USERS[user]}


def treadmill(
    clinic: DocMosquitto, folder: Path, user: str, *, password: str | None = None, **options: Any
) -> Workout:
    """A real treadctl workout on the simulator, publishing as ``user``."""
    mqtt = mqtt_for(
        clinic,
        username=user,
        password=password or USERS[user],
        device_id=user,
        remote_resume=options.pop("remote_resume", False),
    )
    folder.mkdir(parents=True, exist_ok=True)
    return start_workout(folder, mqtt, **options)


def code(exc: aiomqtt.MqttCodeError) -> int:
    rc: Any = exc.rc
    return int(getattr(rc, "value", rc))


async def test_anonymous_and_wrong_logins_are_refused(clinic: DocMosquitto) -> None:
    for credentials in (
        {},
        {"username": "lane-1", "password": "wrong"},
        {"username": "intruder", "password": "lane-1-secret"},
    ):
        with pytest.raises(aiomqtt.MqttCodeError) as refused:
            async with client_for(clinic, **credentials):
                pass
        assert code(refused.value) in AUTH_REFUSED_CODES, credentials
    # Without TLS, the right password gets nowhere either.
    with pytest.raises(aiomqtt.MqttError):
        async with aiomqtt.Client(clinic.host, clinic.port, timeout=5, **login("lane-1")):
            pass


async def test_a_treadmill_cannot_publish_another_treadmills_state_or_commands(
    clinic: DocMosquitto, tmp_path: Path
) -> None:
    async with (
        subscribed(clinic, "treadctl/#", "homeassistant/#", **login("supervisor")) as watch,
        client_for(clinic, **login("lane-1")) as intruder,
    ):
        lane2 = treadmill(clinic, tmp_path / "lane-2", "lane-2", speed=2, profile=LONG_PROFILE)
        await watch.wait_for(
            lambda: any(
                s["workout_state"] == "running" for s in watch.payloads("treadctl/lane-2/state")
            ),
            "lane-2 running",
        )
        for topic, payload in (
            ("treadctl/lane-2/cmd/stop", "PRESS"),
            ("treadctl/lane-2/cmd/pause", "PRESS"),
            ("treadctl/lane-2/state", FORGED),
            ("treadctl/lane-2/availability", "offline"),
            ("treadctl/lane-2/event", '{"type": "finished", "forged": true}'),
            ("homeassistant/sensor/treadctl_lane-2/speed_kmh/config", "{}"),
            ("treadctl/supervisor/state", FORGED),
        ):
            await intruder.publish(topic, payload, qos=1)
        # The marker: lane-1's own event, allowed, sent after all of the above.
        await intruder.publish("treadctl/lane-1/event", '{"type": "marker"}', qos=1)
        await watch.wait_for(lambda: bool(watch.on("treadctl/lane-1/event")), "the marker")
        assert not [m for m in watch.messages if b"forged" in m.payload]
        assert [m.text for m in watch.on("treadctl/lane-2/availability")] == ["online"]
        assert not watch.matching("treadctl/lane-2/cmd/")
        assert not watch.matching("homeassistant/sensor/treadctl_lane-2/speed_kmh/config")
        assert not watch.matching("treadctl/supervisor/")
        # lane-2's treadctl heard nothing of it; the supervisor's stop it hears.
        assert lane2.sink.decisions == []
        await watch.publish("treadctl/lane-2/cmd/stop", "PRESS")
        run = await lane2.finish()
    assert [d.name for d in lane2.sink.decisions] == ["stop"]
    assert run.result.summary.reason == "remote stop (MQTT)"


async def test_a_treadmill_reads_only_its_own_commands(
    clinic: DocMosquitto, tmp_path: Path
) -> None:
    async with (
        subscribed(clinic, "#", "treadctl/#", **login("lane-1")) as nosy,
        subscribed(clinic, "treadctl/+/state", **login("supervisor")) as watch,
    ):
        lane2 = treadmill(clinic, tmp_path / "lane-2", "lane-2", speed=2, profile=LONG_PROFILE)
        await watch.wait_for(lambda: len(watch.on("treadctl/lane-2/state")) >= 2, "lane-2")
        await watch.publish("treadctl/lane-2/cmd/pause", "PRESS")
        await watch.publish("treadctl/lane-1/cmd/pause", "PRESS")  # the marker
        await nosy.wait_for(lambda: bool(nosy.messages), "lane-1's own command")
        await watch.publish("treadctl/lane-2/cmd/stop", "PRESS")
        await lane2.finish()
    # lane-1 saw its own command, and nothing of lane-2's: not its state, not its commands.
    assert {m.topic for m in nosy.messages} == {"treadctl/lane-1/cmd/pause"}


async def test_the_supervisor_sends_stop_and_pause_but_not_resume_or_a_speed(
    clinic: DocMosquitto, tmp_path: Path
) -> None:
    # lane-1 would even accept a remote resume: the broker is what stops it.
    lane1 = treadmill(
        clinic, tmp_path / "lane-1", "lane-1", speed=2, profile=LONG_PROFILE, remote_resume=True
    )
    async with (
        following(clinic, **login("supervisor")) as follower,
        # A second watching screen: its own user (two clients of one user throw each
        # other off, with use_username_as_clientid).
        client_for(clinic, **login("desk-2")) as supervisor,
    ):
        fleet = fleet_of(follower)

        def state_of_lane1() -> str | None:
            found = fleet.treadmills.get("lane-1")
            return None if found is None or found.status is None else found.status.workout_state

        await fleet.wait_for(lambda: state_of_lane1() == "running", "lane-1 running")
        await follower.send("lane-1", "pause")
        await fleet.wait_for(lambda: state_of_lane1() == "paused", "paused")
        for topic, payload in (
            ("treadctl/lane-1/cmd/resume", "PRESS"),
            ("treadctl/lane-1/cmd/speed", "9"),
            ("treadctl/lane-1/cmd/start", "PRESS"),
            ("treadctl/lane-1/cmd/confirm", "PRESS"),
            ("treadctl/lane-1/state", FORGED),
            ("treadctl/lane-1/availability", "offline"),
        ):
            await supervisor.publish(topic, payload, qos=1)
        # The marker: another pause, allowed (and answered "already paused").
        await supervisor.publish("treadctl/lane-1/cmd/pause", "PRESS", qos=1)
        await fleet.wait_for(lambda: len(lane1.sink.decisions) == 2, "the second pause")
        assert [d.name for d in lane1.sink.decisions] == ["pause", "pause"]
        assert state_of_lane1() == "paused"
        assert fleet.treadmills["lane-1"].availability == "online"
        assert fleet.stats.malformed == 0  # the forged state never came
        await follower.send("lane-1", "stop")
        run = await lane1.finish()
    assert [d.name for d in lane1.sink.decisions] == ["pause", "pause", "stop"]
    assert run.result.summary.reason == "remote stop (MQTT)"


async def test_nothing_is_lost_when_clients_are_refused(
    clinic: DocMosquitto, tmp_path: Path
) -> None:
    async with (
        following(clinic, SignallingFleet(), **login("supervisor")) as follower,
        client_for(clinic, **login("lane-1")) as intruder,
    ):
        fleet = fleet_of(follower)
        await fleet.wait_for(lambda: follower.state == "connected", "the watch connected")
        lane2 = treadmill(clinic, tmp_path / "lane-2", "lane-2", speed=5)
        # lane-1's treadctl with the wrong password: refused, and its workout goes on.
        refused = treadmill(clinic, tmp_path / "lane-1", "lane-1", password="wrong", speed=5)
        await fleet.wait_for(lambda: "lane-2" in fleet.treadmills, "lane-2")
        for n in range(10):
            with pytest.raises(aiomqtt.MqttCodeError):
                async with client_for(clinic):
                    pass
            await intruder.publish("treadctl/lane-2/state", FORGED, qos=1)
            await intruder.publish("treadctl/lane-2/event", f'{{"type": "forged{n}"}}', qos=1)
        # The intruder is still connected: a forbidden publish does not end a session.
        await intruder.publish("treadctl/lane-1/event", '{"type": "marker"}', qos=1)
        lane2_run = await lane2.finish()
        refused_run = await refused.finish()
        seen = fleet.treadmills["lane-2"]
        published = [
            line for line in lane2_run.log_lines()
            if line["type"] in {"workout_started", "segment_started", "turnaround", "cue",
                                "safety", "paused", "resumed", "finished", "remote_command"}
        ]  # fmt: skip
        await fleet.wait_for(lambda: len(seen.events) == len(published), "every event")
        stats = lane2.sink.stats
        assert stats is not None
        await fleet.wait_for(lambda: seen.states == stats.states_published, "every state")
        await fleet.wait_for(lambda: "lane-1" in fleet.treadmills, "the marker")
    # Every event lane-2 published arrived, in order; no state was lost or forged.
    assert [e.type for e in seen.events] == [line["type"] for line in published]
    assert fleet.stats.seq_gaps == 0
    assert fleet.stats.malformed == 0
    assert stats.events_dropped == 0
    # The refused treadmill: told once, its workout and its session log complete.
    assert refused_run.result.summary.completed
    assert any("refused the login for user 'lane-1'" in n for n in refused_run.notices)
    assert [line["status"] for line in refused_run.log_of("mqtt")] == ["auth_refused"]
    assert refused_run.log_of("finished")
    assert lane2_run.result.summary.completed


async def test_one_treadmill_cannot_take_over_anothers_connection(
    clinic: DocMosquitto, tmp_path: Path
) -> None:
    async with subscribed(clinic, "treadctl/+/availability", **login("supervisor")) as watch:
        lane2 = treadmill(clinic, tmp_path / "lane-2", "lane-2", speed=5)
        await watch.wait_for(lambda: bool(watch.on("treadctl/lane-2/availability")), "online")
        for client_id in ("treadctl-lane-2", "lane-2"):
            async with client_for(clinic, identifier=client_id, **login("lane-1")) as intruder:
                await intruder.publish("treadctl/lane-1/availability", "online", qos=1)
        run = await lane2.finish()
        await watch.wait_for(
            lambda: [m.text for m in watch.on("treadctl/lane-2/availability")][-1] == "offline",
            "offline at the end",
        )
    # lane-2 kept its one connection all along; "offline" came only at its end.
    stats = lane2.sink.stats
    assert stats is not None
    assert stats.connects == 1
    assert [m.text for m in watch.on("treadctl/lane-2/availability")] == ["online", "offline"]
    assert not [n for n in run.notices if "lost" in n]
