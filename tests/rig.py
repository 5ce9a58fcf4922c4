"""A treadmill rig for tests: simulator, loopback link and client on a virtual clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from treadctl.client import TreadmillClient
from treadctl.client.events import ClientEvent
from treadctl.clock import VirtualClock
from treadctl.sim import Quirk, SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink


@dataclass
class Rig:
    clock: VirtualClock
    sim: SimTreadmill
    link: LoopbackLink
    client: TreadmillClient
    events: list[ClientEvent] = field(default_factory=list)

    def events_of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def ready(self, speed_kmh: float | None = None) -> None:
        """Connected, in control, belt started (and at ``speed_kmh`` if given)."""
        await self.client.connect()
        await self.client.request_control()
        await self.client.start()
        if speed_kmh is not None:
            await self.client.set_speed(speed_kmh)
            await self.clock.sleep(20)


@contextlib.asynccontextmanager
async def rig(
    *quirks: Quirk,
    latency_s: float = 0.0,
    drop_rate: float = 0.0,
    client_options: dict[str, Any] | None = None,
    **config: Any,
) -> AsyncIterator[Rig]:
    clock = VirtualClock()
    sim = SimTreadmill(clock, SimConfig(quirks=frozenset(quirks), **config))
    link = LoopbackLink(sim, clock, latency_s=latency_s, drop_rate=drop_rate)
    client = TreadmillClient(link, clock, **(client_options or {}))
    r = Rig(clock, sim, link, client)
    client.add_listener(r.events.append)
    async with sim.running(), clock.running():
        try:
            yield r
        finally:
            await client.aclose()
