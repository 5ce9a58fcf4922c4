"""An in-process link to the simulated treadmill, with injectable faults.

``latency_s`` delays every exchange in each direction on the link's clock; ``drop_rate``
loses that share of notifications and indications (seeded, so a test is repeatable);
:meth:`LoopbackLink.break_link` drops the connection as if the treadmill went out of
range. Deliveries keep their order, as they do over a real ATT bearer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping

from treadctl.clock import Clock
from treadctl.link.base import (
    CharProperty,
    DisconnectCallback,
    LinkLost,
    NotifyCallback,
)
from treadctl.sim.server import GattServer, ServerConnection
from treadctl.util.listeners import Callbacks


class LoopbackLink:
    """A :class:`~treadctl.link.GattLink` to a simulated server (treadmill or strap)."""

    def __init__(
        self,
        sim: GattServer,
        clock: Clock,
        *,
        latency_s: float = 0.0,
        drop_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.sim = sim
        self.clock = clock
        self.latency_s = latency_s
        self.drop_rate = drop_rate
        self.reachable = True
        """Set False to make connects fail, as with a treadmill out of range."""
        self.dropped = 0
        self.drop_filter: Callable[[str, bytes], bool] | None = None
        """Drops the notifications it returns True for, e.g. one control point answer."""
        self._rng = random.Random(seed)
        self._conn: ServerConnection | None = None
        self._callbacks: dict[str, NotifyCallback] = {}
        self._disconnect_callbacks = Callbacks("disconnect callback")
        self._deliveries: asyncio.Queue[tuple[float, Callable[[], None]]] | None = None
        self._courier: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.sim.config.name

    @property
    def address(self) -> str:
        return self.sim.config.address

    @property
    def is_connected(self) -> bool:
        return self._conn is not None

    @property
    def connection(self) -> ServerConnection | None:
        """The server side of this link (its control permission), while connected."""
        return self._conn

    def characteristics(self) -> Mapping[str, CharProperty]:
        return self.sim.characteristics if self._conn is not None else {}

    async def _hop(self) -> None:
        if self.latency_s > 0:
            await self.clock.sleep(self.latency_s)

    def _require(self) -> ServerConnection:
        if self._conn is None:
            raise LinkLost(f"not connected to {self.name}")
        return self._conn

    async def connect(self) -> None:
        await self._hop()
        if not self.reachable:
            raise LinkLost(f"{self.name} did not answer")
        if self._conn is not None:
            return
        self._callbacks = {}
        self._deliveries = asyncio.Queue()
        self._courier = asyncio.create_task(self._deliver(self._deliveries), name="loopback")
        self._conn = self.sim.attach(self)

    async def disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._lost()

    def break_link(self) -> None:
        """Lose the link now, as the treadmill going out of range would."""
        if self._conn is not None:
            self._conn.close()
            self._lost()

    def _lost(self) -> None:
        self._conn = None
        if self._courier is not None:
            self._courier.cancel()
            self._courier = None
        self._deliveries = None
        self._disconnect_callbacks.emit()

    async def read(self, uuid: str) -> bytes:
        conn = self._require()
        await self._hop()
        data = conn.read(uuid)
        await self._hop()
        return data

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        conn = self._require()
        await self._hop()
        if self._conn is not conn:
            raise LinkLost("link lost during write")
        conn.write(uuid, bytes(data), response=response)
        if response:
            await self._hop()

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        conn = self._require()
        await self._hop()
        conn.set_subscribed(uuid, True)
        self._callbacks[uuid] = callback

    def on_disconnect(self, callback: DisconnectCallback) -> Callable[[], None]:
        return self._disconnect_callbacks.add(callback)

    # -- the server side (ServerSink) -------------------------------------------------

    def notify(self, uuid: str, data: bytes) -> None:
        if (self.drop_rate and self._rng.random() < self.drop_rate) or (
            self.drop_filter is not None and self.drop_filter(uuid, data)
        ):
            self.dropped += 1
            return
        callback = self._callbacks.get(uuid)
        queue = self._deliveries
        if callback is None or queue is None:
            return
        if self.latency_s == 0 and queue.empty():
            # Nothing in flight: deliver on the loop's next turn, as the courier would,
            # without a round through the queue (a fast replay sends thousands).
            asyncio.get_running_loop().call_soon(self._deliver_now, queue, callback, data)
            return
        queue.put_nowait((self.clock.now() + self.latency_s, lambda: callback(data)))

    def _deliver_now(
        self,
        queue: asyncio.Queue[tuple[float, Callable[[], None]]],
        callback: NotifyCallback,
        data: bytes,
    ) -> None:
        if self._deliveries is queue:  # not if the link went down meanwhile
            callback(data)

    def server_disconnected(self) -> None:
        self._lost()

    async def _deliver(self, queue: asyncio.Queue[tuple[float, Callable[[], None]]]) -> None:
        while True:
            due_s, deliver = await queue.get()
            wait_s = due_s - self.clock.now()
            if wait_s > 0:
                await self.clock.sleep(wait_s)
            deliver()
