"""A heart-rate strap for a workout, as the runtime sees it, and the simulated one.

:data:`StrapFactory` is to the strap what :data:`~treadctl.runtime.TreadmillFactory` is
to the treadmill: given a clock, an async context manager that yields a :class:`Strap`
whose :class:`~treadctl.client.heart_rate.HeartRateStrap` is already started (it keeps
itself connected; nothing is raised if it cannot). :func:`simulated_strap` is one, over
the loopback link; :func:`treadctl.bluetooth.heart_rate.bluetooth_strap` is the other.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

from treadctl.client.heart_rate import HeartRateStrap
from treadctl.clock import Clock
from treadctl.sim.heart_rate_strap import (
    HeartRateCurve,
    SimHeartRateStrap,
    StrapConfig,
    curve_through,
)
from treadctl.sim.loopback import LoopbackLink


@dataclass
class Strap:
    """A heart-rate strap in use: the client, what it is, and the simulator if it is one."""

    client: HeartRateStrap
    kind: Literal["simulator", "bluetooth"]
    name: str
    address: str
    sim: SimHeartRateStrap | None = None
    """The simulated strap, when it is one (tests and rehearsals set its curve)."""


#: Opens a strap on a clock; it is started and keeps itself connected until closed.
StrapFactory = Callable[[Clock], contextlib.AbstractAsyncContextManager[Strap]]


@contextlib.asynccontextmanager
async def simulated_strap(
    clock: Clock,
    *,
    config: StrapConfig | None = None,
    curve: HeartRateCurve | None = None,
) -> AsyncIterator[Strap]:
    """A running simulated strap and its client over the loopback link, started."""
    sim = SimHeartRateStrap(clock, config, curve=curve)
    link = LoopbackLink(sim, clock)
    async with sim.running(), HeartRateStrap(link, clock) as client:
        yield Strap(client, "simulator", sim.config.name, sim.config.address, sim)


#: ``--hr sim``: the simulated strap, for rehearsals on the simulated treadmill.
SIM_STRAP = "sim"
#: The rehearsal strap's heart: warming up over two minutes, then climbing slowly.
REHEARSAL_CURVE: HeartRateCurve = curve_through([(0, 78), (120, 108), (900, 132)])


def rehearsal_strap(clock: Clock) -> contextlib.AbstractAsyncContextManager[Strap]:
    """``--hr sim``: the simulated strap with a heart that warms up as a workout goes."""
    return simulated_strap(clock, curve=REHEARSAL_CURVE)
