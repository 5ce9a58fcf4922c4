"""The link to the broker: its own task, a reconnect loop with backoff, a bounded outbox.

Nothing here is ever awaited by the workout. The sink hands over work with plain method
calls that return at once: :meth:`Publisher.put_event` appends to a bounded queue (when
it is full the oldest event goes, and is counted), :meth:`Publisher.state_changed` marks
the state as stale. The state is not queued at all: it is built from the runner and the
client when it goes out, so only the latest is ever sent.

State goes out as soon as something changes, at most ``state_rate_hz`` a second on
average (a token bucket with a little slack, so data at the same rate as the limit still
goes out on every tick despite jitter). A change that had to wait for the limit waits
half an interval longer for fresher data before it goes out as it is.

On every (re)connect: availability ``online`` (retained; the last will says
``offline``), the discovery configs (retained), the latest state (retained), and the
subscriptions to ``cmd/+`` and Home Assistant's status topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiomqtt

from treadctl.sinks.mqtt.settings import MqttSettings
from treadctl.sinks.mqtt.topics import OFFLINE, ONLINE, Topics
from treadctl.util.backoff import Backoff

log = logging.getLogger(__name__)

#: Events waiting for the broker, at most; beyond that the oldest are dropped (counted).
EVENT_QUEUE_MAX = 256
#: Reconnect backoff: the first retry after this, doubling up to BACKOFF_MAX_S.
BACKOFF_INITIAL_S = 1.0
BACKOFF_MAX_S = 30.0
#: A connect, publish or subscribe the broker has not answered in this long fails (and
#: the connection is made again): a stalled broker never holds anything up for longer.
OPERATION_TIMEOUT_S = 5.0
#: How long closing waits to send the last state, the queued events and ``offline``.
CLOSE_TIMEOUT_S = 3.0
#: Token bucket for the state: one token per interval, up to this many saved up.
STATE_BURST = 1.25
#: A state held back by the rate limit waits this share of an interval for fresher data.
STATE_GRACE = 0.5
#: CONNACK codes that mean the login was refused: MQTT 3.1.1 (4, 5) and 5.0 (134, 135).
AUTH_REFUSED_CODES = frozenset({4, 5, 134, 135})
#: SUBACK codes from this one up refuse the subscription.
SUBSCRIBE_REFUSED = 0x80

StatusKind = Literal["connected", "unreachable", "lost", "reconnected", "auth_refused"]
StatusCallback = Callable[[StatusKind, str], None]
MessageCallback = Callable[[str, bytes, bool], None]


class RateLimiter:
    """A token bucket: ``rate_hz`` tokens a second, at most ``burst`` saved up. Pure."""

    def __init__(self, rate_hz: float, burst: float = STATE_BURST) -> None:
        if rate_hz <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate_hz = rate_hz
        self.burst = burst
        self._tokens = burst
        self._at: float | None = None

    @property
    def interval_s(self) -> float:
        return 1.0 / self.rate_hz

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate_hz)
        self._at = now

    def ready(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= 1.0 - 1e-9

    def ready_at(self, now: float) -> float:
        """When the next token is there (``now`` if it is)."""
        self._refill(now)
        return now + max(0.0, 1.0 - self._tokens) / self.rate_hz

    def take(self, now: float) -> None:
        """Spend a token (a forced send with none left spends nothing it does not have)."""
        self._refill(now)
        self._tokens = max(0.0, self._tokens - 1.0)


@dataclass
class PublisherStats:
    connects: int = 0
    connect_failures: int = 0
    states_published: int = 0
    state_updates: int = 0
    states_replaced: int = 0
    """Updates that never went out because a newer one took their place (latest-only)."""
    events_published: int = 0
    events_dropped: int = 0
    """Events dropped because the queue was full (the broker was away or too slow)."""
    messages_received: int = 0


def _granted_code(granted: object) -> int:
    value = getattr(granted, "value", granted)
    return value if isinstance(value, int) else 0


def _reason_code(exc: aiomqtt.MqttCodeError) -> int | None:
    rc: Any = exc.rc
    value = getattr(rc, "value", rc)
    return value if isinstance(value, int) else None


class _ClosingSSLSocket(ssl.SSLSocket):
    """Closes itself when the TLS handshake fails (paho-mqtt leaves such a socket open)."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


def tls_context(settings: MqttSettings) -> ssl.SSLContext:
    """Verifies the broker against ``ca_file`` (or the system's CAs); optional client cert.

    Raises:
        OSError, ssl.SSLError: a file is missing or not a certificate or key.
    """
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=str(settings.ca_file) if settings.ca_file else None
    )
    if settings.cert_file is not None:
        context.load_cert_chain(
            str(settings.cert_file), str(settings.key_file) if settings.key_file else None
        )
    context.sslsocket_class = _ClosingSSLSocket
    return context


class Publisher:
    """Keeps one treadmill's topics up to date on one broker, whatever the broker does."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        *,
        build_state: Callable[[], dict[str, Any]],
        discovery: Callable[[], list[tuple[str, bytes]]],
        on_message: MessageCallback,
        on_status: StatusCallback,
        client_id: str,
    ) -> None:
        self.settings = settings
        self.topics = topics
        self.client_id = client_id
        self.stats = PublisherStats()
        self._build_state = build_state
        self._discovery = discovery
        self._on_message = on_message
        self._on_status = on_status
        self._events: deque[bytes] = deque()
        self._state_dirty = False
        self._rediscover = False
        self._limiter = RateLimiter(settings.state_rate_hz)
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._tls_context: ssl.SSLContext | None = None
        self._connected = False
        self._ever_connected = False
        self._failing = False
        self.auth_refused = False

    # -- what the sink calls (never blocks) ---------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def pending_events(self) -> list[dict[str, Any]]:
        """The events waiting for the broker, oldest first."""
        return [json.loads(item) for item in self._events]

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"mqtt-{self.topics.device_id}")

    def state_changed(self) -> None:
        """Something in the state changed: publish the latest as the rate allows."""
        self.stats.state_updates += 1
        if self._state_dirty:
            self.stats.states_replaced += 1
        self._state_dirty = True
        self._wake.set()

    def put_event(self, payload: dict[str, Any]) -> None:
        """Queue an event for the event topic; a full queue drops its oldest event."""
        if self.auth_refused:
            return
        if len(self._events) >= EVENT_QUEUE_MAX:
            self._events.popleft()
            self.stats.events_dropped += 1
        self._events.append(json.dumps(payload, separators=(",", ":")).encode())
        self._wake.set()

    async def close(self, timeout_s: float | None = None) -> None:
        """Send the last state, the queued events and ``offline``, then disconnect.

        Gives up after ``timeout_s`` (default :data:`CLOSE_TIMEOUT_S`): a broker that is
        away or stalled gets the last will instead.
        """
        task = self._task
        if task is None:
            return
        if timeout_s is None:
            timeout_s = CLOSE_TIMEOUT_S
        self._closing = True
        self._wake.set()
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout_s)
        except TimeoutError:
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    # -- the connection loop -------------------------------------------------------------

    def _status(self, kind: StatusKind, message: str) -> None:
        try:
            self._on_status(kind, message)
        except Exception:  # a front end's bug must not stop publishing
            log.exception("MQTT status callback failed")

    def _client(self) -> aiomqtt.Client:
        s = self.settings
        if s.tls and self._tls_context is None:
            self._tls_context = tls_context(s)
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username,
            password=s.password,
            identifier=self.client_id,
            will=aiomqtt.Will(self.topics.availability, OFFLINE, qos=1, retain=True),
            tls_context=self._tls_context,
            keepalive=s.keepalive_s,
            timeout=OPERATION_TIMEOUT_S,
            logger=logging.getLogger(f"{__name__}.client"),
        )

    async def _run(self) -> None:
        backoff = Backoff(BACKOFF_INITIAL_S, BACKOFF_MAX_S)
        while True:
            # Closing while away from the broker: one more try at once, to send the final
            # state and the events that waited (close() bounds how long it may take).
            last_try = self._closing
            established = False
            try:
                async with self._client() as client:
                    established = True
                    await self._session(client)
                return  # a session only ends without an error when closing
            except aiomqtt.MqttCodeError as exc:
                if not established and _reason_code(exc) in AUTH_REFUSED_CODES:
                    self._refused()
                    return
                problem = str(exc)
            except (aiomqtt.MqttError, OSError) as exc:
                problem = str(exc)
            except Exception as exc:  # never let MQTT take the workout down
                log.exception("MQTT publisher failed; reconnecting")
                problem = f"internal error: {exc!r}"
            finally:
                self._connected = False
            self._failed(problem, lost=established)
            if last_try:
                return
            if established:
                backoff.reset()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), backoff.next_s())

    def _refused(self) -> None:
        self.auth_refused = True
        self.stats.connect_failures += 1
        self._events.clear()
        user = f" for user {self.settings.username!r}" if self.settings.username else ""
        self._status(
            "auth_refused",
            f"MQTT: the broker at {self.settings.display_url} refused the login{user}: check "
            "the user and password (mqtt_username, TREADCTL_MQTT_PASSWORD). The workout goes "
            "on without MQTT.",
        )

    def _failed(self, problem: str, *, lost: bool) -> None:
        self.stats.connect_failures += 0 if lost else 1
        if self._failing:
            log.debug("MQTT: still no broker at %s: %s", self.settings.display_url, problem)
            return
        self._failing = True
        if lost:
            self._status(
                "lost",
                f"MQTT: lost the broker at {self.settings.display_url} ({problem}); the "
                "workout goes on, reconnecting in the background.",
            )
        else:
            self._status(
                "unreachable",
                f"MQTT: cannot reach the broker at {self.settings.display_url} ({problem}); "
                "the workout goes on, retrying in the background.",
            )

    async def _session(self, client: aiomqtt.Client) -> None:
        self._connected = True
        self.stats.connects += 1
        if not self._ever_connected:
            self._status(
                "connected",
                f"MQTT: publishing to {self.settings.display_url} under {self.topics.root}/",
            )
        elif self._failing:
            self._status("reconnected", f"MQTT: connected to {self.settings.display_url} again.")
        self._ever_connected = True
        self._failing = False
        await client.publish(self.topics.availability, ONLINE, qos=1, retain=True)
        for topic in (self.topics.command_filter, self.topics.ha_status):
            granted = await client.subscribe(topic, qos=1)
            if any(_granted_code(g) >= SUBSCRIBE_REFUSED for g in granted):
                log.warning("MQTT: the broker refused the subscription to %s", topic)
        await self._publish_discovery(client)
        await self._publish_state(client)
        reader = asyncio.create_task(self._read(client))
        try:
            await self._serve(client, reader)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _serve(self, client: aiomqtt.Client, reader: asyncio.Task[None]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            if self._rediscover:
                self._rediscover = False
                await client.publish(self.topics.availability, ONLINE, qos=1, retain=True)
                await self._publish_discovery(client)
                await self._publish_state(client)
            await self._flush_events(client)
            wait_s: float | None = None
            if self._state_dirty:
                now = loop.time()
                if self._limiter.ready(now):
                    await self._publish_state(client)
                else:
                    ready_s = self._limiter.ready_at(now)
                    wait_s = ready_s + STATE_GRACE * self._limiter.interval_s - now
            if self._closing:
                await self._publish_state(client)
                await client.publish(self.topics.availability, OFFLINE, qos=1, retain=True)
                return
            if self._wake.is_set():
                continue
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait(
                    {waiter, reader}, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                waiter.cancel()
            if reader.done():
                reader.result()  # the reason the connection ended
                raise aiomqtt.MqttError("the broker closed the message stream")
            if wait_s is not None and not self._wake.is_set():
                # The grace period passed with no fresher data: send what there is.
                await self._publish_state(client)

    async def _publish_state(self, client: aiomqtt.Client) -> None:
        payload = json.dumps(self._build_state(), separators=(",", ":")).encode()
        self._state_dirty = False
        self._limiter.take(asyncio.get_running_loop().time())
        await client.publish(self.topics.state, payload, qos=0, retain=True)
        self.stats.states_published += 1

    async def _publish_discovery(self, client: aiomqtt.Client) -> None:
        for topic, payload in self._discovery():
            await client.publish(topic, payload, qos=1, retain=True)

    async def _flush_events(self, client: aiomqtt.Client) -> None:
        while self._events:
            payload = self._events.popleft()
            try:
                await client.publish(self.topics.event, payload, qos=1)
            except BaseException:
                # Keep it for the next connection, unless the queue filled up meanwhile
                # (then it is the oldest, and the one to drop).
                if len(self._events) < EVENT_QUEUE_MAX:
                    self._events.appendleft(payload)
                else:
                    self.stats.events_dropped += 1
                raise
            self.stats.events_published += 1

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            self.stats.messages_received += 1
            topic = message.topic.value
            payload = message.payload
            data = payload if isinstance(payload, bytes) else str(payload or "").encode()
            if topic == self.topics.ha_status:
                if data.strip().lower() == ONLINE.encode():
                    self._rediscover = True
                    self._wake.set()
                continue
            try:
                self._on_message(topic, data, bool(message.retain))
            except Exception:
                log.exception("MQTT message handler failed on %s", topic)
