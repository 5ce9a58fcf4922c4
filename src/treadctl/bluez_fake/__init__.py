"""A fake BlueZ (``org.bluez`` on a private D-Bus) serving the simulated treadmill and strap.

It lets the real, unmodified bleak code, and any other FTMS app that talks to BlueZ,
scan for, connect to and control the simulator: tests use it, and so can people who
want to rehearse an app without a treadmill (``treadctl sim --bluez``). It refuses to
run anywhere but on a private bus started by :class:`PrivateBus`.
"""

from treadctl.bluez_fake.bus import PrivateBus, PrivateBusError, is_private_address
from treadctl.bluez_fake.fake import ADVERTISING_MODES, Advertising, FakeBlueZ, FakeDevice
from treadctl.bluez_fake.services import (
    DIS_CHARACTERISTICS,
    FTMS_CHARACTERISTICS,
    HRS_CHARACTERISTICS,
)

__all__ = [
    "ADVERTISING_MODES",
    "DIS_CHARACTERISTICS",
    "FTMS_CHARACTERISTICS",
    "HRS_CHARACTERISTICS",
    "Advertising",
    "FakeBlueZ",
    "FakeDevice",
    "PrivateBus",
    "PrivateBusError",
    "is_private_address",
]
