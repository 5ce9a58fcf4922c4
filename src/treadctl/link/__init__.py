"""The seam between the treadmill client and a GATT server.

:class:`GattLink` is all the client needs; :mod:`treadctl.sim.loopback` connects it to
the simulator in process, and a bleak implementation connects it to a real treadmill.
"""

from treadctl.link.base import (
    AttError,
    CharProperty,
    DisconnectCallback,
    GattLink,
    LinkError,
    LinkLost,
    NotifyCallback,
)

__all__ = [
    "AttError",
    "CharProperty",
    "DisconnectCallback",
    "GattLink",
    "LinkError",
    "LinkLost",
    "NotifyCallback",
]
