"""A heart-rate strap beside the treadmill: its own link, its own reconnects, never a crash.

:class:`HeartRateStrap` keeps one strap connected for as long as it runs: it connects,
reads where the sensor sits, subscribes to Heart Rate Measurement, and turns every
notification into a :class:`~treadctl.hrs.HeartRateReading` (the rules for "unknown"
are in :mod:`treadctl.hrs.reading`). When the strap drops, or cannot be reached, it
tries again on its own with a growing pause. Nothing it meets is raised to the caller:
failures become events, and the treadmill's link is never touched.

Listeners get every reading and these events, each once when it happens:
:class:`StrapConnected`, :class:`StrapConnectFailed`, :class:`StrapLost`,
:class:`StrapSilent` (connected, but no measurement for a while), :class:`ContactLost`
(the rate turned unknown), :class:`ContactRestored` and :class:`MalformedHeartRate`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from treadctl.client.heart_rate_events import (
    ContactLost,
    ContactRestored,
    MalformedHeartRate,
    StrapConnected,
    StrapConnectFailed,
    StrapEvent,
    StrapListener,
    StrapLost,
    StrapSilent,
)
from treadctl.clock import Clock, wait_for
from treadctl.hrs import uuids
from treadctl.hrs.errors import HeartRateDecodeError
from treadctl.hrs.location import decode_body_sensor_location
from treadctl.hrs.measurement import decode_heart_rate_measurement
from treadctl.hrs.reading import HeartRateReading, strap_reading, unknown_reason
from treadctl.link.base import CharProperty, GattLink, LinkError
from treadctl.util.backoff import Backoff
from treadctl.util.listeners import Listeners

log = logging.getLogger(__name__)

#: One connection attempt (find, connect, discover, subscribe) may take this long.
CONNECT_TIMEOUT_S = 30.0
#: The pause after a failed attempt: the first, how it grows, and its ceiling.
RETRY_INITIAL_S = 1.0
RETRY_MAX_S = 30.0
#: Connected but no measurement for this long: the reading is dropped as stale.
SILENCE_S = 5.0


class NotAHeartRateSensor(LinkError):
    """The device has no Heart Rate Measurement characteristic."""


@dataclass
class StrapStats:
    readings: int = 0
    unknown: int = 0
    malformed: int = 0
    deviations: Counter[str] = field(default_factory=Counter)
    connects: int = 0
    connect_failures: int = 0
    losses: int = 0


class HeartRateStrap:
    """One heart-rate strap over a :class:`~treadctl.link.GattLink`, kept connected.

    ``async with HeartRateStrap(link, clock):`` starts it and closes it; so do
    :meth:`start` and :meth:`aclose`. Neither raises, and nothing it does later does.
    """

    def __init__(
        self,
        link: GattLink,
        clock: Clock,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        retry_initial_s: float = RETRY_INITIAL_S,
        retry_max_s: float = RETRY_MAX_S,
        silence_s: float = SILENCE_S,
    ) -> None:
        self.link = link
        self.clock = clock
        self.connect_timeout_s = connect_timeout_s
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.silence_s = silence_s
        self.stats = StrapStats()
        self.location: str | None = None
        self._reading: HeartRateReading | None = None
        self._listeners: Listeners[HeartRateReading | StrapEvent] = Listeners("heart-rate listener")
        self._connected = False
        self._known: bool | None = None
        self._silent = False
        self._last_seen_s = 0.0
        self._lost = asyncio.Event()
        self._up = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None
        self._unhook: Callable[[], None] | None = None
        self._closing = False

    # -- what the workout reads ----------------------------------------------------------

    @property
    def name(self) -> str:
        return self.link.name

    @property
    def reading(self) -> HeartRateReading | None:
        """The latest reading; None before the first, after a loss and while silent."""
        return self._reading

    @property
    def connected(self) -> bool:
        return self._connected

    def add_listener(self, callback: StrapListener) -> Callable[[], None]:
        """Call ``callback`` with every reading and event; returns a function that removes it."""
        return self._listeners.add(callback)

    def _emit(self, item: HeartRateReading | StrapEvent) -> None:
        self._listeners.emit(item)  # one listener's bug never costs the others a reading

    # -- running -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background (at once; returns without waiting)."""
        if self._keeper is not None or self._closing:
            return
        self._unhook = self.link.on_disconnect(self._on_link_down)
        self._keeper = asyncio.create_task(self._keep(), name=f"strap-{self.name}")

    async def wait_connected(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` on the clock for a connection; True if there is one."""
        if not self._connected:
            with contextlib.suppress(TimeoutError):
                await wait_for(self.clock, self._up.wait(), timeout_s)
        return self._connected

    async def aclose(self) -> None:
        self._closing = True
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        self._connected = False
        self._up.clear()
        self._reading = None
        with contextlib.suppress(Exception):
            await self.link.disconnect()

    async def __aenter__(self) -> HeartRateStrap:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _keep(self) -> None:
        backoff = Backoff(self.retry_initial_s, self.retry_max_s)
        failures = 0
        while not self._closing:
            try:
                await wait_for(self.clock, self._connect_once(), self.connect_timeout_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever it is, the workout goes on without the strap
                failures += 1
                self.stats.connect_failures += 1
                with contextlib.suppress(Exception):
                    await self.link.disconnect()
                message = str(exc) or type(exc).__name__
                delay_s = backoff.next_s()
                log.info("heart-rate strap %s: attempt %d failed: %s", self.name, failures, message)
                self._emit(StrapConnectFailed(failures, message, delay_s))
                await self.clock.sleep(delay_s)
                continue
            failures = 0
            backoff.reset()
            self._emit(StrapConnected(self.name, self.location, self.stats.connects > 1))
            await self._watch()

    async def _connect_once(self) -> None:
        self._lost.clear()
        await self.link.connect()
        chars = self.link.characteristics()
        if uuids.HEART_RATE_MEASUREMENT not in chars:
            raise NotAHeartRateSensor(
                f"{self.name} has no Heart Rate Service: is it a heart-rate strap?"
            )
        self.location = None
        if chars.get(uuids.BODY_SENSOR_LOCATION, CharProperty(0)) & CharProperty.READ:
            with contextlib.suppress(LinkError, HeartRateDecodeError):
                raw = await self.link.read(uuids.BODY_SENSOR_LOCATION)
                self.location = decode_body_sensor_location(raw).name
        await self.link.subscribe(uuids.HEART_RATE_MEASUREMENT, self._on_measurement)
        if self._lost.is_set():
            raise LinkError(f"{self.name} dropped the connection while it was being set up")
        self._connected = True
        self._up.set()
        self._silent = False
        self._last_seen_s = self.clock.now()
        self.stats.connects += 1

    async def _watch(self) -> None:
        """Until the link drops: drop the reading when the strap falls silent."""
        while self._connected and not self._closing:
            quiet_s = self.clock.now() - self._last_seen_s
            if quiet_s >= self.silence_s and not self._silent:
                self._silent = True
                self._reading = None
                self._emit(StrapSilent(quiet_s))
            wait_s = self.silence_s if self._silent else self.silence_s - quiet_s
            with contextlib.suppress(TimeoutError):
                await wait_for(self.clock, self._lost.wait(), max(wait_s, 0.001))

    def _on_link_down(self) -> None:
        self._lost.set()
        if not self._connected or self._closing:
            return
        self._connected = False
        self._up.clear()
        self._reading = None
        self.stats.losses += 1
        self._emit(StrapLost(self.name))

    # -- notifications -------------------------------------------------------------------

    def _on_measurement(self, data: bytes) -> None:
        now_s = self.clock.now()
        self._last_seen_s = now_s
        self._silent = False
        try:
            m = decode_heart_rate_measurement(data)
        except HeartRateDecodeError as exc:
            self.stats.malformed += 1
            self._emit(MalformedHeartRate(data.hex(), str(exc)))
            return
        for deviation in m.deviations:
            self.stats.deviations[str(deviation)] += 1
        reading = strap_reading(m, now_s)
        self.stats.readings += 1
        self._reading = reading
        reason = unknown_reason(m.heart_rate_bpm, m.contact)
        if reason is not None:
            self.stats.unknown += 1
            if self._known is not False:
                self._emit(ContactLost(reason))
            self._known = False
        else:
            if self._known is False and reading.bpm is not None:
                self._emit(ContactRestored(reading.bpm))
            self._known = True
        self._emit(reading)


__all__ = [
    "ContactLost",
    "ContactRestored",
    "HeartRateStrap",
    "MalformedHeartRate",
    "NotAHeartRateSensor",
    "StrapConnectFailed",
    "StrapConnected",
    "StrapEvent",
    "StrapListener",
    "StrapLost",
    "StrapSilent",
    "StrapStats",
]
