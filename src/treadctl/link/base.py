"""The link protocol: read, write, subscribe, and hear about disconnects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Flag, auto
from typing import Protocol, runtime_checkable

from treadctl.errors import TreadctlError

#: ATT error codes the FTMS collector has to recognise (Core Spec Supplement Part B §1.2).
ATT_PROCEDURE_ALREADY_IN_PROGRESS = 0xFE
ATT_CCCD_IMPROPERLY_CONFIGURED = 0xFD
ATT_WRITE_NOT_PERMITTED = 0x03
ATT_READ_NOT_PERMITTED = 0x02
ATT_ATTRIBUTE_NOT_FOUND = 0x0A


class CharProperty(Flag):
    READ = auto()
    WRITE = auto()
    WRITE_WITHOUT_RESPONSE = auto()
    NOTIFY = auto()
    INDICATE = auto()


class LinkError(TreadctlError):
    """Base of link errors."""


class LinkLost(LinkError):
    """The link went down (or was never up) while an operation needed it."""


class AttError(LinkError):
    """The server refused an ATT operation with an error code."""

    def __init__(self, code: int, message: str = "") -> None:
        self.code = code
        super().__init__(message or f"ATT error 0x{code:02X}")


NotifyCallback = Callable[[bytes], None]
DisconnectCallback = Callable[[], None]


@runtime_checkable
class GattLink(Protocol):
    """A connection to one GATT server, addressed by characteristic UUID.

    Notifications and indications both arrive through the subscribe callback: the
    client does not need to know which one a server chose (some walking pads answer the
    control point by notification). Disconnect callbacks run once per link loss,
    whichever side ended it; ``disconnect()`` started by us runs them too.
    """

    @property
    def name(self) -> str:
        """A name for messages and device ids (the device name or address)."""
        ...

    @property
    def is_connected(self) -> bool: ...

    async def connect(self) -> None:
        """Connect and discover services. Raises LinkError on failure."""
        ...

    async def disconnect(self) -> None: ...

    def characteristics(self) -> Mapping[str, CharProperty]:
        """UUID to properties of every characteristic found (empty before connecting)."""
        ...

    async def read(self, uuid: str) -> bytes: ...

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """Write with response (waits for the ATT answer) or without."""
        ...

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        """Enable notifications or indications, whichever the characteristic has."""
        ...

    def on_disconnect(self, callback: DisconnectCallback) -> Callable[[], None]:
        """Call ``callback`` when the link drops; returns a function that unregisters it."""
        ...
