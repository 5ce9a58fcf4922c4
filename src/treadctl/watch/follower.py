"""Following a broker: the fleet model fed from aiomqtt, and the two remote commands.

:class:`FleetLink` is what the dashboard needs from the broker side: the state of the
connection and :meth:`FleetLink.send`, which sends only the H10 commands (``stop``,
``pause``), never retained, and never queues one while the broker is away (a stop that
arrives minutes late would surprise the person on the belt as much as a retained one).
:class:`MqttFollower` is the real one: one aiomqtt connection with its own reconnect
loop, subscribed to every treadmill's state, availability and events.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from typing import Final, Literal

import aiomqtt

from treadctl.errors import TreadctlError
from treadctl.sinks.mqtt.commands import ALWAYS_ALLOWED
from treadctl.sinks.mqtt.publisher import (
    AUTH_REFUSED_CODES,
    BACKOFF_INITIAL_S,
    BACKOFF_MAX_S,
    OPERATION_TIMEOUT_S,
    SUBSCRIBE_REFUSED,
    tls_context,
)
from treadctl.sinks.mqtt.settings import MqttSettings
from treadctl.util.backoff import Backoff
from treadctl.watch.fleet import CommandNote, Fleet

log = logging.getLogger(__name__)

#: The only commands the watch sends: H10's, the ones that make a belt slower, never faster.
REMOTE_COMMANDS: Final = ALWAYS_ALLOWED
RemoteCommand = Literal["stop", "pause"]
#: Keep-alive to the broker: a dead connection is noticed within about 1.5x this.
WATCH_KEEPALIVE_S: Final = 10
#: What a command carries (treadctl reads only the topic; Home Assistant sends the same).
COMMAND_PAYLOAD: Final = b"PRESS"

LinkState = Literal["connecting", "connected", "lost", "refused"]


class CommandError(TreadctlError):
    """A command was not sent; the message says why."""


class FleetLink:
    """The broker as the dashboard sees it: how the link is, and the two commands.

    Subclasses implement :meth:`run` (follow the broker, feeding :attr:`fleet`) and
    :meth:`_publish`.
    """

    def __init__(
        self, fleet: Fleet, display_url: str, *, wall: Callable[[], float] = time.time
    ) -> None:
        self.fleet = fleet
        self.display_url = display_url
        self.state: LinkState = "connecting"
        self.problem = ""
        self._wall = wall

    async def run(self) -> None:
        """Follow the broker until cancelled (or until it refuses the login)."""
        raise NotImplementedError

    async def _publish(self, topic: str, payload: bytes) -> None:
        raise NotImplementedError

    async def send(self, device_id: str, command: str) -> CommandNote:
        """Send ``command`` (``stop`` or ``pause``) to one treadmill, not retained.

        The note it returns gets the treadmill's answer when it comes on the event topic.

        Raises:
            CommandError: not a command the watch sends, an unknown treadmill, or no
                broker right now (nothing is queued for later).
        """
        if command not in REMOTE_COMMANDS:
            raise CommandError(
                f"{command!r} is not sent from the watch: only {' and '.join(REMOTE_COMMANDS)}"
            )
        if device_id not in self.fleet.treadmills:
            raise CommandError(f"no treadmill {device_id!r} on this broker")
        if self.state != "connected":
            raise CommandError(f"not sent: not connected to the broker ({self.state})")
        note = self.fleet.note_command(device_id, command, self._wall())
        try:
            await self._publish(self.fleet.command_topic(device_id, command), COMMAND_PAYLOAD)
        except Exception as exc:
            note.accepted = False
            note.reason = f"not sent: {exc}"
            raise CommandError(f"not sent: {exc}") from exc
        return note


class MqttFollower(FleetLink):
    """Follows every treadmill under the fleet's base topic on one broker, with aiomqtt."""

    def __init__(
        self,
        settings: MqttSettings,
        fleet: Fleet,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        client_id: str | None = None,
    ) -> None:
        super().__init__(fleet, settings.display_url, wall=wall)
        self.settings = settings
        self.clock = clock
        # Never settings.client_id: on a computer that also runs a treadmill, that is the
        # treadmill's, and two clients with one id throw each other off the broker.
        self.client_id = client_id or f"treadctl-watch-{os.urandom(4).hex()}"
        self.connects = 0
        self._client: aiomqtt.Client | None = None

    def _make_client(self) -> aiomqtt.Client:
        s = self.settings
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username,
            password=s.password,
            identifier=self.client_id,
            tls_context=tls_context(s) if s.tls else None,
            keepalive=WATCH_KEEPALIVE_S,
            timeout=OPERATION_TIMEOUT_S,
            logger=logging.getLogger(f"{__name__}.client"),
        )

    async def run(self) -> None:
        backoff = Backoff(BACKOFF_INITIAL_S, BACKOFF_MAX_S)
        while True:
            established = False
            try:
                async with self._make_client() as client:
                    established = True
                    self._client = client
                    await self._follow(client)
            except aiomqtt.MqttCodeError as exc:
                rc = getattr(exc.rc, "value", exc.rc)
                if not established and rc in AUTH_REFUSED_CODES:
                    user = f" for user {self.settings.username!r}" if self.settings.username else ""
                    self.state = "refused"
                    self.problem = f"the broker refused the login{user}"
                    return
                self.problem = str(exc)
            except (aiomqtt.MqttError, OSError) as exc:
                self.problem = str(exc) or type(exc).__name__
            finally:
                self._client = None
                self.fleet.link_down()
            self.state = "lost" if established or self.connects else "connecting"
            if established:
                backoff.reset()
            delay_s = backoff.next_s()
            log.info("watch: %s: %s; retrying in %g s", self.display_url, self.problem, delay_s)
            await asyncio.sleep(delay_s)

    async def _follow(self, client: aiomqtt.Client) -> None:
        for topic in self.fleet.subscriptions:
            granted = await client.subscribe(topic, qos=1)
            if any(getattr(g, "value", g) >= SUBSCRIBE_REFUSED for g in granted):
                raise aiomqtt.MqttError(f"the broker refused the subscription to {topic}")
        self.connects += 1
        self.state = "connected"
        self.problem = ""
        self.fleet.link_up(self.clock())
        handle = self.fleet.handle
        clock = self.clock
        async for message in client.messages:
            payload = message.payload
            data = payload if isinstance(payload, bytes) else str(payload or "").encode()
            handle(message.topic.value, data, now_s=clock(), retained=bool(message.retain))

    async def _publish(self, topic: str, payload: bytes) -> None:
        client = self._client
        if client is None:
            raise CommandError("not connected to the broker")
        await client.publish(topic, payload, qos=1, retain=False, timeout=OPERATION_TIMEOUT_S)
