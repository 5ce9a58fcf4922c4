"""The fleet model fed by a real broker from real ``treadctl replay --count N --mqtt`` fleets."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.sinks.mqtt.brokers import Broker
from tests.sinks.mqtt.conftest import BrokerFactory
from tests.sinks.mqtt.helpers import subscribed
from tests.watch.helpers import (
    LONG_PROFILE,
    SignallingFleet,
    fleet_of,
    following,
    replays,
    start_replays,
)
from treadctl.sinks.mqtt.settings import parse_mqtt_url
from treadctl.watch.fleet import ALERT_RECENT_S
from treadctl.watch.follower import COMMAND_PAYLOAD, CommandError, MqttFollower
from treadctl.watch.status import ENDED_STATES


def all_in(fleet: SignallingFleet, ids: list[str], *states: str) -> bool:
    return all(
        (t := fleet.treadmills.get(i)) is not None
        and t.status is not None
        and t.status.workout_state in states
        for i in ids
    )


def all_ended_and_offline(fleet: SignallingFleet, ids: list[str]) -> bool:
    return all_in(fleet, ids, *ENDED_STATES) and all(
        fleet.treadmills[i].availability == "offline" for i in ids
    )


async def test_a_fleet_of_replays_is_followed_from_start_to_finish(
    broker: Broker, tmp_path: Path
) -> None:
    async with following(broker) as follower:
        fleet = fleet_of(follower)
        await fleet.wait_for(lambda: follower.state == "connected", "the connection")
        replay = start_replays(tmp_path, broker.url, count=4, speed=10)
        out = await replay.finished()
        await fleet.wait_for(
            lambda: all_ended_and_offline(fleet, replay.device_ids), "four finished"
        )

        # The finished events come before "offline" on the same connection.
        def every_event() -> bool:
            return all(
                len(fleet.treadmills[d].events) == len(replay.published(n))
                for n, d in enumerate(replay.device_ids, 1)
            )

        await fleet.wait_for(every_event, "every event")
    assert out.count("workout completed") == 4
    assert sorted(fleet.treadmills) == replay.device_ids
    assert fleet.stats.malformed == 0
    for i, device in enumerate(replay.device_ids, 1):
        treadmill = fleet.treadmills[device]
        assert treadmill.status is not None
        assert treadmill.status.workout_state == "finished"
        assert treadmill.status.name == device
        # QoS 1: every event treadctl published arrived, in order.
        types = [e.type for e in treadmill.events]
        assert types == [line["type"] for line in replay.published(i)]
        assert types[0] == "workout_started"
        assert types[-1] == "finished"
        # The chart has both ways of facing, from the states.
        assert {p.facing for p in treadmill.history} == {"forward", "backward"}
        assert max(p.speed_kmh or 0.0 for p in treadmill.history) >= 1.5  # 2.0 planned
        # Finished and offline: nothing needs a person once any alert is old news.
        later = time.time() + ALERT_RECENT_S
        assert not fleet.reasons(treadmill, now_s=time.monotonic(), wall_s=later)


async def test_a_late_start_sees_the_whole_class_at_once(broker: Broker, tmp_path: Path) -> None:
    with replays(tmp_path, broker.url, count=3, speed=1, profile=LONG_PROFILE) as replay:
        async with subscribed(broker, "treadctl/+/state") as sub:
            await sub.wait_for(
                lambda: (
                    {m.topic for m in sub.messages}
                    >= {f"treadctl/{d}/state" for d in replay.device_ids}
                ),
                "every treadmill's state",
            )
        # The watch starts now, with the class already running.
        async with following(broker) as follower:
            fleet = fleet_of(follower)
            await fleet.wait_for(
                lambda: (
                    all_in(fleet, replay.device_ids, "running", "turning")
                    and all(fleet.treadmills[d].availability for d in replay.device_ids)
                ),
                "three running",
            )
            retained = {topic for topic, was_retained in fleet.arrivals if was_retained}
        expected = {
            f"treadctl/{d}/{k}" for d in replay.device_ids for k in ("state", "availability")
        }
        assert expected <= retained
        # The first six messages were the retained ones: everyone at once, before news.
        assert {topic for topic, _ in fleet.arrivals[:6]} == expected
        assert all(fleet.treadmills[d].availability == "online" for d in replay.device_ids)


async def test_a_finished_class_is_still_there_for_a_late_start(
    broker: Broker, tmp_path: Path
) -> None:
    await start_replays(tmp_path, broker.url, count=2, speed=20).finished()
    async with following(broker) as follower:
        fleet = fleet_of(follower)
        await fleet.wait_for(
            lambda: all_ended_and_offline(fleet, ["treadctl-sim-1", "treadctl-sim-2"]), "two"
        )
    fleet.check(now_s=time.monotonic(), wall_s=time.time() + ALERT_RECENT_S)
    assert [t.device_id for t in fleet.ordered()] == ["treadctl-sim-1", "treadctl-sim-2"]
    # Finished and offline: nothing for the supervisor to do.
    assert not fleet.needing_attention()
    assert not any(t.active for t in fleet)


async def test_stop_from_the_watch_stops_that_treadmill_and_no_other(
    broker: Broker, tmp_path: Path
) -> None:
    with replays(tmp_path, broker.url, count=3, speed=2, profile=LONG_PROFILE) as replay:
        async with following(broker) as follower:
            fleet = fleet_of(follower)
            ids = replay.device_ids
            await fleet.wait_for(lambda: all_in(fleet, ids, "running"), "three running")
            note = await follower.send("treadctl-sim-2", "stop")
            await fleet.wait_for(lambda: note.accepted is not None, "the answer")
            await fleet.wait_for(lambda: all_in(fleet, ["treadctl-sim-2"], "aborted"), "aborted")
            assert note.accepted is True
            assert "stopping the belt" in note.reason
            assert all_in(fleet, ["treadctl-sim-1", "treadctl-sim-3"], "running")
        replay.interrupt()
        (answer,) = [line for line in replay.log(2) if line["type"] == "remote_command"]
        assert (answer["name"], answer["accepted"], answer["retained"]) == ("stop", True, False)
        finished = [line for line in replay.log(2) if line["type"] == "finished"]
        assert finished[0]["summary"]["reason"] == "remote stop (MQTT)"
        for other in (1, 3):
            assert not [line for line in replay.log(other) if line["type"] == "remote_command"]


async def test_pause_from_the_watch_pauses_that_treadmill(broker: Broker, tmp_path: Path) -> None:
    with replays(tmp_path, broker.url, count=2, speed=2, profile=LONG_PROFILE) as replay:
        async with following(broker) as follower:
            fleet = fleet_of(follower)
            await fleet.wait_for(lambda: all_in(fleet, replay.device_ids, "running"), "running")
            note = await follower.send("treadctl-sim-1", "pause")
            await fleet.wait_for(lambda: all_in(fleet, ["treadctl-sim-1"], "paused"), "paused")
            await fleet.wait_for(lambda: note.accepted is not None, "the answer")
            status = fleet.treadmills["treadctl-sim-1"].status
            assert status is not None
            assert status.paused_reason == "paused remotely (MQTT)"
            # A pause is not a hold: nobody on the belt has to confirm anything.
            assert not status.held
            assert note.accepted is True
            assert all_in(fleet, ["treadctl-sim-2"], "running")


async def test_the_watch_sends_only_stop_and_pause_never_retained(
    broker: Broker, tmp_path: Path
) -> None:
    with replays(tmp_path, broker.url, count=1, speed=2, profile=LONG_PROFILE):
        async with (
            subscribed(broker, "treadctl/+/cmd/+") as sub,
            following(broker) as follower,
        ):
            fleet = fleet_of(follower)
            await fleet.wait_for(lambda: all_in(fleet, ["treadctl-sim"], "running"), "running")
            for refused in ("resume", "speed", "start", "stop/../resume", "#"):
                with pytest.raises(CommandError, match="only stop and pause"):
                    await follower.send("treadctl-sim", refused)
            with pytest.raises(CommandError, match="no treadmill"):
                await follower.send("treadctl-sim-9", "stop")
            await follower.send("treadctl-sim", "pause")
            await sub.wait_for(lambda: bool(sub.messages), "the command")
        # Only the pause went out, not retained.
        (sent,) = sub.messages
        assert (sent.topic, sent.payload, sent.retain) == (
            "treadctl/treadctl-sim/cmd/pause",
            COMMAND_PAYLOAD,
            False,
        )
        # A subscriber that comes later finds no command waiting on the broker.
        async with subscribed(broker, "treadctl/+/cmd/+", "treadctl/+/state") as late:
            await late.wait_for(lambda: bool(late.on("treadctl/treadctl-sim/state")), "state")
        assert not late.matching("treadctl/treadctl-sim/cmd/")


async def test_no_command_is_queued_while_the_broker_is_away() -> None:
    fleet = SignallingFleet()
    fleet.handle("treadctl/lane-1/state", b'{"ts":1,"seq":1,"workout_state":"running"}', now_s=0)
    follower = MqttFollower(parse_mqtt_url("mqtt://127.0.0.1:1"), fleet)  # never connected
    with pytest.raises(CommandError, match="not connected"):
        await follower.send("lane-1", "stop")
    assert not fleet.treadmills["lane-1"].commands


async def test_the_watch_comes_back_after_the_broker_restarts(
    broker: Broker, tmp_path: Path
) -> None:
    with replays(tmp_path, broker.url, count=2, speed=2, profile=LONG_PROFILE) as replay:
        async with following(broker) as follower:
            fleet = fleet_of(follower)
            await fleet.wait_for(lambda: all_in(fleet, replay.device_ids, "running"), "running")
            broker.restart()
            await fleet.wait_for(lambda: follower.connects >= 2, "a second connection")
            # The broker lost its retained messages; the replays send their state again.
            before = {d: fleet.treadmills[d].states for d in replay.device_ids}
            await fleet.wait_for(
                lambda: all(fleet.treadmills[d].states > before[d] + 1 for d in replay.device_ids),
                "new states from both",
            )
        assert follower.state == "connected"


async def test_a_refused_login_is_not_retried(make_broker_for: BrokerFactory) -> None:
    secured = make_broker_for(users={"supervisor": "right"})
    secured.start()
    async with following(secured, username="supervisor", password="wrong") as follower:
        fleet = fleet_of(follower)
        await fleet.wait_for(lambda: follower.state == "refused", "the refusal")
    assert "refused the login for user 'supervisor'" in follower.problem
    assert follower.connects == 0


async def test_malformed_messages_are_counted_and_skipped(broker: Broker) -> None:
    async with subscribed(broker) as sub, following(broker) as follower:
        fleet = fleet_of(follower)
        await fleet.wait_for(lambda: follower.state == "connected", "the connection")
        await sub.publish("treadctl/lane-1/state", "not json")
        await sub.publish("treadctl/lane-1/state", '{"ts": 1, "speed_kmh": "fast"}')
        await sub.publish("treadctl/Lane 1!/state", '{"ts": 1}')
        await sub.publish("treadctl/lane-1/availability", "maybe")
        await sub.publish("treadctl/lane-1/event", "[1, 2]")
        await sub.publish("treadctl/lane-1/state", "{" + " " * 20000 + "}")
        await sub.publish(
            "treadctl/lane-1/state",
            '{"ts": 5, "seq": 1, "workout_state": "running", "speed_kmh": 2.5, '
            '"name": "Lane \\u001b[31m1"}',
        )
        await fleet.wait_for(lambda: fleet.stats.states == 1, "the good state")
    assert fleet.stats.malformed == 6
    assert "lane-1/state" in fleet.stats.last_problem or "lane-1" in fleet.stats.last_problem
    status = fleet.treadmills["lane-1"].status
    assert status is not None
    assert status.speed_kmh == 2.5
    assert status.name == "Lane  [31m1"  # the escape character is gone
    assert list(fleet.treadmills) == ["lane-1"]
