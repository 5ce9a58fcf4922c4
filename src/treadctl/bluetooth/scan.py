"""What is in range: FTMS treadmills first, then heart-rate straps, from their advertisements.

A treadmill can show itself three ways (ftms.md, "How real machines deviate"): FTMS
service data with its machine type and an "available" flag, as the spec asks; only the
FTMS service UUID; or nothing but a name. The first two are listed by default, the
third with ``include_all`` (every named device, since nothing else tells them apart).
A heart-rate strap advertises the Heart Rate Service UUID (0x180D); straps are listed by
default too, after the treadmills. A machine that advertises both is a treadmill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from treadctl.bluetooth.errors import DeviceNotFound
from treadctl.bluetooth.timing import FIND_TIMEOUT_S
from treadctl.bluetooth.translate import translate
from treadctl.ftms import uuids
from treadctl.ftms.advertisement import decode_service_data
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.feature import flag_names
from treadctl.hrs.uuids import HEART_RATE_SERVICE

#: How long ``treadctl scan`` listens by default.
SCAN_TIMEOUT_S = 5.0
#: How long closing bleak's D-Bus connection may take.
RELEASE_TIMEOUT_S = 2.0

SeenAs = Literal["service-data", "service-uuid", "heart-rate", "name"]

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
_APPLE_ID = re.compile(r"^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$")


def looks_like_address(text: str) -> bool:
    """A Bluetooth address (or the UUID macOS uses in its place), not a name."""
    return bool(_ADDRESS.match(text) or _APPLE_ID.match(text))


def normalize_address(text: str) -> str:
    return text.upper().replace("-", ":") if _ADDRESS.match(text) else text.upper()


@dataclass(frozen=True)
class FoundDevice:
    """One device heard while scanning, and what its advertisement says about it."""

    address: str
    name: str | None
    rssi: int | None
    seen_as: SeenAs
    """How it was recognised: FTMS service data, the FTMS UUID alone, the Heart Rate
    Service UUID (a strap), or a name only."""
    machine_types: tuple[str, ...] = ()
    available: bool | None = None
    """From the FTMS service data: False while another app has a session with it."""
    service_uuids: tuple[str, ...] = ()
    device: BLEDevice | None = field(default=None, compare=False, repr=False)

    @property
    def is_ftms(self) -> bool:
        return self.seen_as in ("service-data", "service-uuid")

    @property
    def is_heart_rate(self) -> bool:
        """A heart-rate strap (or another sensor with the Heart Rate Service)."""
        return self.seen_as == "heart-rate"

    @property
    def is_treadmill(self) -> bool | None:
        """True/False from the service data; None when it does not say."""
        if self.seen_as != "service-data":
            return None
        return "treadmill" in self.machine_types

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "name": self.name,
            "rssi": self.rssi,
            "seen_as": self.seen_as,
            "ftms": self.is_ftms,
            "heart_rate": self.is_heart_rate,
            "machine_types": list(self.machine_types),
            "available": self.available,
            "service_uuids": list(self.service_uuids),
        }


def classify(device: BLEDevice, adv: AdvertisementData) -> FoundDevice:
    """What a device's advertisement says: FTMS by service data, by UUID, or neither."""
    name = adv.local_name or device.name
    service_uuids = tuple(u.lower() for u in adv.service_uuids)
    data = adv.service_data.get(uuids.FITNESS_MACHINE_SERVICE)
    common: dict[str, Any] = {
        "address": device.address,
        "name": name,
        "rssi": adv.rssi,
        "service_uuids": service_uuids,
        "device": device,
    }
    if data:
        try:
            decoded = decode_service_data(data)
        except FtmsDecodeError:
            pass
        else:
            types = tuple(n.replace("_", " ") for n in flag_names(decoded.machine_type))
            return FoundDevice(
                seen_as="service-data",
                machine_types=types,
                available=decoded.available,
                **common,
            )
    if uuids.FITNESS_MACHINE_SERVICE in service_uuids or data is not None:
        return FoundDevice(seen_as="service-uuid", **common)
    if HEART_RATE_SERVICE in service_uuids:
        return FoundDevice(seen_as="heart-rate", **common)
    return FoundDevice(seen_as="name", **common)


def _rank(found: FoundDevice) -> tuple[int, int, int]:
    kind = 0 if found.is_ftms else 1 if found.is_heart_rate else 2
    treadmill = {True: 0, None: 1, False: 2}[found.is_treadmill]
    return (kind, treadmill, -(found.rssi if found.rssi is not None else -127))


async def scan(
    timeout_s: float = SCAN_TIMEOUT_S, *, include_all: bool = False
) -> list[FoundDevice]:
    """Listen for ``timeout_s`` and return FTMS devices and heart-rate straps (and, with
    ``include_all``, every other named device), best first: FTMS devices that say they
    are treadmills, then FTMS devices that do not say, then other machines, then
    straps, then the rest, each by signal strength.

    Raises:
        BluetoothError: no adapter, adapter off, BlueZ not running, no permission.
    """
    seen: dict[str, FoundDevice] = {}

    def detected(device: BLEDevice, adv: AdvertisementData) -> None:
        seen[device.address] = classify(device, adv)

    try:
        async with BleakScanner(detection_callback=detected):
            await asyncio.sleep(timeout_s)
    except Exception as exc:
        raise translate(exc) from exc
    found = [f for f in seen.values() if f.is_ftms or f.is_heart_rate or (include_all and f.name)]
    return sorted(found, key=_rank)


def matcher(target: str) -> Callable[[FoundDevice], bool]:
    """Does a device answer to ``target``: its address, or its name (any case)?"""
    if looks_like_address(target):
        wanted = normalize_address(target)
        return lambda f: normalize_address(f.address) == wanted
    name = target.casefold()
    return lambda f: f.name is not None and f.name.casefold() == name


async def find_device(
    target: str, *, timeout_s: float = FIND_TIMEOUT_S, what: str = "treadmill"
) -> FoundDevice:
    """The device with address or name ``target``; returns as soon as it is heard.

    ``what`` names the kind of device in the error ("treadmill", "heart-rate strap").

    Raises:
        DeviceNotFound: not heard within ``timeout_s``, with a hint to scan.
        BluetoothError: Bluetooth itself is not usable.
    """
    matches = matcher(target)
    loop = asyncio.get_running_loop()
    result: asyncio.Future[FoundDevice] = loop.create_future()

    def detected(device: BLEDevice, adv: AdvertisementData) -> None:
        found = classify(device, adv)
        if not result.done() and matches(found):
            result.set_result(found)

    try:
        async with BleakScanner(detection_callback=detected):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(result), timeout_s)
    except Exception as exc:
        raise translate(exc, target=target) from exc
    if not result.done():
        result.cancel()
        raise DeviceNotFound(f"No {what} named or at {target!r} was found in {timeout_s:g} s.")
    return result.result()


_HOLDERS: dict[asyncio.AbstractEventLoop, int] = {}


def hold_bluez() -> None:
    """Say that a device (a treadmill, a strap) uses bleak's shared BlueZ connection.

    The two share one connection per event loop: whichever closes first must not cut
    the other off. Each :func:`hold_bluez` is paired with one :func:`let_go_of_bluez`.
    """
    loop = asyncio.get_running_loop()
    _HOLDERS[loop] = _HOLDERS.get(loop, 0) + 1


async def let_go_of_bluez() -> None:
    """The device is done; the last one to let go releases the connection."""
    loop = asyncio.get_running_loop()
    left = _HOLDERS.pop(loop, 1) - 1
    if left > 0:
        _HOLDERS[loop] = left
    else:
        await release_bluez_connection()


async def release_bluez_connection() -> None:
    """Close bleak's shared D-Bus connection for this event loop, if it made one.

    bleak keeps one connection to BlueZ per event loop and never closes it; a program
    (or test) that is done with Bluetooth closes it here so nothing is left open.
    """
    if not sys.platform.startswith("linux"):
        return
    from bleak.backends.bluezdbus import manager as bluez_manager  # noqa: PLC0415 (Linux only)

    loop = asyncio.get_running_loop()
    instance = bluez_manager._global_instances.pop(loop, None)
    bus = getattr(instance, "_bus", None)
    if instance is None or bus is None:
        return
    # bleak's watcher task notices the closed bus and logs "connection to BlueZ was
    # lost": true, but not news here, so its logger is quiet while we wait for it.
    watcher: asyncio.Task[None] | None = getattr(instance, "_bus_watcher_task", None)
    manager_log = logging.getLogger(bluez_manager.__name__)
    was_disabled = manager_log.disabled
    manager_log.disabled = True
    try:
        bus.disconnect()
        waiter = (
            watcher if watcher is not None else asyncio.ensure_future(bus.wait_for_disconnect())
        )
        await asyncio.wait({waiter}, timeout=RELEASE_TIMEOUT_S)
        if waiter.done() and not waiter.cancelled():
            waiter.exception()  # retrieved: a dead bus is what we wanted
    finally:
        manager_log.disabled = was_disabled
