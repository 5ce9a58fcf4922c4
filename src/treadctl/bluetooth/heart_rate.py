"""A Bluetooth heart-rate strap for a workout: ``--hr NAME|ADDRESS``, ``hr_device``.

:func:`bluetooth_strap` is a :data:`~treadctl.strap.StrapFactory`. It does not look for
the strap up front: the strap's client finds it, connects (bleak-retry-connector, as for
the treadmill), and keeps trying with a growing pause while it is away, on a second
bleak connection of its own. So a strap that is off, out of range or flat never stops a
workout from starting, and losing it never touches the treadmill.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from treadctl.bluetooth.timing import CONNECT_ATTEMPTS, FIND_TIMEOUT_S
from treadctl.client.heart_rate import HeartRateStrap
from treadctl.clock import Clock
from treadctl.config import Settings

if TYPE_CHECKING:
    from treadctl.strap import Strap, StrapFactory

STRAP_KIND = "heart-rate strap"


def add_hr_arguments(parser: argparse.ArgumentParser) -> None:
    """``--hr NAME|ADDRESS``: the heart-rate strap to read (default: ``hr_device``)."""
    group = parser.add_argument_group("heart-rate strap")
    group.add_argument(
        "--hr",
        metavar="NAME|ADDRESS",
        help="a Bluetooth heart-rate strap to read the heart rate from: its address or "
        "advertised name (`treadctl scan` lists straps); default: `hr_device` in the config "
        "file (not used by --sim rehearsals). Its rate (beats per minute) is preferred "
        "over the treadmill's; if the strap is lost the workout goes on and treadctl "
        "reconnects to it on its own. With --sim, `--hr sim` reads a simulated strap",
    )


@contextlib.asynccontextmanager
async def bluetooth_strap(
    clock: Clock,
    *,
    target: str,
    find_timeout_s: float = FIND_TIMEOUT_S,
    connect_attempts: int = CONNECT_ATTEMPTS,
    client_options: Mapping[str, Any] | None = None,
) -> AsyncIterator[Strap]:
    """A heart-rate strap over Bluetooth, started (connecting in the background).

    ``client_options`` go to :class:`HeartRateStrap` (its retry pauses and timeouts).
    """
    # bleak only now, when a real strap is used (as for the treadmill in device.py)
    from treadctl.bluetooth.link import BleakLink  # noqa: PLC0415
    from treadctl.bluetooth.scan import hold_bluez, let_go_of_bluez  # noqa: PLC0415
    from treadctl.strap import Strap  # noqa: PLC0415 (wiring sits above this layer)

    link = BleakLink(
        target,
        find_timeout_s=find_timeout_s,
        connect_attempts=connect_attempts,
        required_services=(),  # the client checks for the Heart Rate Service itself
        device_kind=STRAP_KIND,
    )
    hold_bluez()  # shared with the treadmill's connection
    try:
        async with HeartRateStrap(link, clock, **dict(client_options or {})) as client:
            yield Strap(client, "bluetooth", target, target)
    finally:
        with contextlib.suppress(Exception):
            await link.disconnect()  # also releases what a lost connection held
        await let_go_of_bluez()


def strap_factory_from_args(args: argparse.Namespace, settings: Settings) -> StrapFactory | None:
    """A factory for the strap ``--hr`` (or ``hr_device`` in the config file) names.

    None when neither says which: the workout then uses the treadmill's heart rate, if it
    reports one.
    """
    target = getattr(args, "hr", None) or settings.hr_device
    if not target:
        return None
    return functools.partial(
        bluetooth_strap,
        target=target,
        find_timeout_s=getattr(args, "find_timeout", FIND_TIMEOUT_S),
    )
