"""Two Mosquittos bridged as docs/mqtt.md says: a class on the site broker, the watch on
the central one (secured as documented), and the watch's stop reaching the treadmill.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sinks.mqtt.brokers import Certificates, mosquitto_path
from tests.sinks.mqtt.helpers import Subscriber, subscribed
from tests.watch.helpers import LONG_PROFILE, fleet_of, following, replays
from tests.watch.secure import (
    ACL_BLOCK,
    BRIDGE_ACL_BLOCK,
    BRIDGE_BLOCK,
    BRIDGE_USER,
    CONF_BLOCK,
    USERS,
    DocMosquitto,
    doc_block,
)
from treadctl.watch.status import ENDED_STATES

pytestmark = pytest.mark.skipif(
    mosquitto_path() is None, reason="the bridge tests need Mosquitto (scripts/setup.sh)"
)

#: The site broker's own listener: loopback, anonymous (its security is the single
#: broker's, tested in test_security.py; here it is the bridge that is under test).
SITE_LISTENER = "listener 1883\nallow_anonymous true\n"


@pytest.fixture
def central(tmp_path: Path, certificates: Certificates) -> Iterator[DocMosquitto]:
    user, password = BRIDGE_USER
    broker = DocMosquitto(
        tmp_path / "central",
        doc_block(CONF_BLOCK),
        acl=f"{doc_block(ACL_BLOCK)}\n{doc_block(BRIDGE_ACL_BLOCK)}",
        users={**USERS, user: password},
        certs=certificates,
    )
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def site(tmp_path: Path, central: DocMosquitto) -> Iterator[DocMosquitto]:
    broker = DocMosquitto(
        tmp_path / "site",
        SITE_LISTENER + doc_block(BRIDGE_BLOCK),
        bridge_to=central,
        bridge_password=BRIDGE_USER[1],
    )
    broker.start()
    yield broker
    broker.stop()


async def pause_until_bridged(watch: Subscriber, treadmills: Subscriber) -> None:
    """Send ``pause`` to lane-1 on the central broker until it arrives on the site broker.

    The bridge says it is up a moment before its subscriptions on the central broker
    are in place: the first pause may find no one to take it down.
    """
    for _ in range(20):
        await watch.publish("treadctl/lane-1/cmd/pause", "PRESS")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                treadmills.wait_for(lambda: bool(treadmills.matching("treadctl/")), "a pause"),
                0.5,
            )
            return
    raise AssertionError("no pause crossed the bridge")


def supervisor() -> dict[str, Any]:
    return {"username": "supervisor", "password": USERS["supervisor"]}


async def test_the_central_watch_follows_a_class_on_the_site_broker_and_stops_one(
    site: DocMosquitto, central: DocMosquitto, tmp_path: Path
) -> None:
    with replays(tmp_path / "class", site.url, count=3, speed=2, profile=LONG_PROFILE) as replay:
        # Started late on purpose: the retained states must have crossed the bridge.
        async with subscribed(site, "treadctl/+/state") as local:
            await local.wait_for(lambda: len({m.topic for m in local.messages}) == 3, "3 states")
        async with following(central, **supervisor()) as follower:
            fleet = fleet_of(follower)

            def running(*ids: str) -> bool:
                return all(
                    (t := fleet.treadmills.get(i)) is not None
                    and t.status is not None
                    and t.status.workout_state == "running"
                    for i in ids
                )

            await fleet.wait_for(lambda: running(*replay.device_ids), "three running, bridged")
            first = [topic for topic, retained in fleet.arrivals if retained]
            assert {f"treadctl/{d}/state" for d in replay.device_ids} <= set(first)
            note = await follower.send("treadctl-sim-3", "stop")
            stopped = fleet.treadmills["treadctl-sim-3"]
            await fleet.wait_for(
                lambda: stopped.status is not None and stopped.status.workout_state in ENDED_STATES,
                "the stop to come back as an ended workout",
            )
            await fleet.wait_for(lambda: note.accepted is not None, "the answer")
            assert note.accepted is True
            assert running("treadctl-sim-1", "treadctl-sim-2")
            assert fleet.stats.malformed == 0
        replay.interrupt()
    (answer,) = [line for line in replay.log(3) if line["type"] == "remote_command"]
    assert (answer["name"], answer["accepted"], answer["retained"]) == ("stop", True, False)


async def test_only_stop_and_pause_cross_the_bridge_down(
    site: DocMosquitto, central: DocMosquitto, tmp_path: Path
) -> None:
    async with subscribed(site, "treadctl/+/cmd/+", "$SYS/broker/connection/+/state") as treadmills:
        await treadmills.wait_for(
            lambda: any(m.text == "1" for m in treadmills.matching("$SYS/")), "the bridge up"
        )
        async with subscribed(central, **supervisor()) as watch:
            assert watch.client is not None
            # The supervisor may not write these on the central broker, and the bridge
            # would not carry them anyway.
            for name in ("resume", "speed", "start"):
                await watch.publish(f"treadctl/lane-1/cmd/{name}", "PRESS")
            await pause_until_bridged(watch, treadmills)  # the marker
    commands = {m.topic for m in treadmills.matching("treadctl/")}
    assert commands == {"treadctl/lane-1/cmd/pause"}


async def test_a_command_sent_while_the_bridge_is_down_never_arrives_later(
    site: DocMosquitto, central: DocMosquitto
) -> None:
    def bridge_up(sub: Subscriber) -> bool:
        states = [m.text for m in sub.matching("$SYS/broker/connection/")]
        return bool(states) and states[-1] == "1"

    async with subscribed(site, "$SYS/broker/connection/+/state") as sub:
        await sub.wait_for(lambda: bridge_up(sub), "the bridge up")
    site.stop()  # the site (and its bridge) goes away
    async with subscribed(central, **supervisor()) as watch:
        await watch.publish("treadctl/lane-1/cmd/stop", "PRESS")
        site.start()
        async with subscribed(site, "treadctl/+/cmd/+", "$SYS/broker/connection/+/state") as sub:
            await sub.wait_for(lambda: bridge_up(sub), "the bridge back")
            await pause_until_bridged(watch, sub)  # the marker
    # The stop from when the site was away did not come back to surprise anyone.
    assert {m.topic for m in sub.matching("treadctl/")} == {"treadctl/lane-1/cmd/pause"}
