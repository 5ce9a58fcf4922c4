"""Bleak's and BlueZ's exceptions, translated into the link errors of
:mod:`treadctl.bluetooth.errors` (a message a person can act on, and a hint).

Kept apart from the error classes: this module imports bleak, the classes do not, so
a command that never touches Bluetooth (``run --sim``, ``--help``) does not load it.
"""

from __future__ import annotations

import asyncio

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
)
from bleak_retry_connector import (
    BleakAbortedError,
    BleakConnectionError,
    BleakNotFoundError,
    BleakOutOfConnectionSlotsError,
)

from treadctl.bluetooth.errors import (
    AdapterOff,
    BluetoothError,
    BluetoothUnavailable,
    BlueZNotRunning,
    ConnectionFailed,
    DeviceNotFound,
    NoAdapter,
    PermissionDenied,
)
from treadctl.link.base import LinkError, LinkLost

#: D-Bus errors that mean nobody owns ``org.bluez``.
_NO_SERVICE_ERRORS = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
}


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _specific(exc: BaseException, target: str | None) -> LinkError | None:
    """A precise translation of one exception, or None."""
    who = target or "the treadmill"
    if isinstance(exc, BluetoothError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        match exc.reason:
            case BleakBluetoothNotAvailableReason.NO_BLUETOOTH:
                return NoAdapter("No Bluetooth adapter found.")
            case BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE:
                return NoAdapter("No Bluetooth adapter here can connect to BLE devices.")
            case BleakBluetoothNotAvailableReason.POWERED_OFF:
                return AdapterOff("The Bluetooth adapter is off.")
            case (
                BleakBluetoothNotAvailableReason.DENIED_BY_USER
                | BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM
                | BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN
            ):
                return PermissionDenied(f"Not allowed to use Bluetooth ({exc.args[0]}).")
            case _:
                return BluetoothUnavailable(f"Bluetooth is not available ({exc.args[0]}).")
    if isinstance(exc, BleakDBusError):
        name = exc.dbus_error
        if name in _NO_SERVICE_ERRORS:
            return BlueZNotRunning("BlueZ (bluetoothd) is not running on the system D-Bus.")
        if name == "org.freedesktop.DBus.Error.AccessDenied":
            return PermissionDenied("Not allowed to talk to BlueZ on the system D-Bus.")
        if name == "org.bluez.Error.NotReady":
            return AdapterOff("The Bluetooth adapter is off.")
        if name == "org.freedesktop.DBus.Error.UnknownObject":
            return DeviceNotFound(f"{who} is no longer known to BlueZ.")
        return None
    if isinstance(exc, BleakDeviceNotFoundError):
        return DeviceNotFound(f"No treadmill named or at {who!r} was found.")
    if isinstance(exc, BleakNotFoundError):
        return DeviceNotFound(f"{who} could not be found when connecting.")
    if isinstance(exc, BleakError) and "adapter" in str(exc) and "not found" in str(exc):
        return NoAdapter(f"No Bluetooth adapter found ({exc}).")
    if type(exc).__name__ == "AuthError":  # dbus-fast
        return PermissionDenied(f"The system D-Bus refused us ({exc}).")
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return BlueZNotRunning(f"The system D-Bus is not reachable ({exc}).")
    return None


def translate(exc: BaseException, *, target: str | None = None) -> LinkError:
    """The :class:`LinkError` to raise for ``exc`` (``target``: the device asked for)."""
    if isinstance(exc, LinkError):
        return exc
    for cause in _chain(exc):
        found = _specific(cause, target)
        if found is not None:
            return found
    who = target or "the treadmill"
    name = type(exc).__name__
    if isinstance(exc, BleakConnectionError | BleakAbortedError | BleakOutOfConnectionSlotsError):
        root = _chain(exc)[-1]
        return ConnectionFailed(f"Could not connect to {who}: {root}.")
    if isinstance(exc, asyncio.TimeoutError):
        return ConnectionFailed(f"{who} did not answer in time.")
    if isinstance(exc, EOFError | BrokenPipeError | ConnectionResetError):
        return LinkLost(f"the connection to BlueZ broke ({name})")
    if isinstance(exc, BleakError):
        return LinkError(f"Bluetooth error with {who}: {exc}")
    return LinkError(f"{name}: {exc}")
