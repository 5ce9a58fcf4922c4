"""A fake ``org.bluez`` that serves simulated treadmills and straps to unmodified bleak.

One adapter (``/org/bluez/hci0``) and any number of devices, each backed by a simulated
server (a treadmill, or a heart-rate strap) through its ``attach``, exactly as the
loopback link attaches. What bluetoothd does and bleak relies on is kept (see
``bluez-fake.md``):

- devices appear only through discovery (``InterfacesAdded``), and every advertising
  round while discovering sends an ``RSSI`` change, because bleak forgets devices when a
  scan starts;
- on connect, ``Connected`` goes true, the GATT objects are exported (so their
  ``InterfacesAdded`` go out) and only then ``ServicesResolved`` goes true; on a
  disconnect from either side, ``ServicesResolved`` goes false, then ``Connected``, then
  the GATT objects are removed;
- notifications and indications both arrive as ``PropertiesChanged`` of ``Value``;
- object paths end in four hex digits per level (bleak reads handles out of them);
- ATT errors come back as bluetoothd words them: ``NotPermitted`` with "Read not
  permitted" / "Write not permitted", ``NotSupported``, and otherwise ``Failed`` with
  "Operation failed with ATT error: 0xNN", which bleak turns back into the code.

ATT 0xFE (FTMS "procedure already in progress") is deliberately *not* mapped to
``org.bluez.Error.InProgress``: bluetoothd uses that for two D-Bus requests at once on one
characteristic, and bleak silently retries it every 10 ms, which would hide the
treadmill's refusal from the collector. Real bluetoothd reports 0xFE as ``Failed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dbus_fast import DBusError, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus

from treadctl.bluez_fake.bus import require_private
from treadctl.bluez_fake.objects import (
    Adapter1,
    Device1,
    GattCharacteristic1,
    GattDescriptor1,
    GattService1,
    NamedDevice1,
    bluez_error,
)
from treadctl.bluez_fake.services import (
    advertised_services,
    group_services,
)
from treadctl.ftms import uuids
from treadctl.ftms.advertisement import FtmsServiceData, MachineType, encode_service_data
from treadctl.link.base import AttError, CharProperty
from treadctl.sim.server import GattServer, ServerConnection

log = logging.getLogger(__name__)

BLUEZ_SERVICE = "org.bluez"
ADAPTER_PATH = "/org/bluez/hci0"
#: Time between advertising rounds while discovering.
ADVERTISING_INTERVAL_S = 0.1
#: The ATT MTU bluetoothd reports (the default, 23: 20-byte notifications).
DEFAULT_MTU = 23
#: What bluetoothd says when a connection attempt fails (ECONNABORTED).
CONNECT_FAILED_MESSAGE = "Software caused connection abort"

#: How a device advertises: FTMS service data and UUID (as the spec asks), the service
#: UUID alone, or nothing but its name (Toorx, Sole F65 and others).
Advertising = Literal["service-data", "uuid-only", "name-only"]
ADVERTISING_MODES: tuple[Advertising, ...] = ("service-data", "uuid-only", "name-only")

_FLAG_NAMES = (
    (CharProperty.READ, "read"),
    (CharProperty.WRITE_WITHOUT_RESPONSE, "write-without-response"),
    (CharProperty.WRITE, "write"),
    (CharProperty.NOTIFY, "notify"),
    (CharProperty.INDICATE, "indicate"),
)


def flags_of(props: CharProperty) -> list[str]:
    """bluetoothd's ``Flags`` for characteristic properties."""
    return [name for flag, name in _FLAG_NAMES if props & flag]


def att_error(exc: AttError) -> DBusError:
    """The D-Bus error bluetoothd sends for an ATT error (``create_gatt_dbus_error``)."""
    match exc.code:
        case 0x02:
            return bluez_error("NotPermitted", "Read not permitted")
        case 0x03:
            return bluez_error("NotPermitted", "Write not permitted")
        case 0x05 | 0x0C | 0x0F:
            return bluez_error("NotPermitted", "Not paired")
        case 0x06:
            return bluez_error("NotSupported", "Operation is not supported")
        case 0x07:
            return bluez_error("InvalidArguments", "Invalid offset")
        case 0x08:
            return bluez_error("NotAuthorized", "Operation Not Authorized")
        case 0x0D:
            return bluez_error("InvalidArguments", "Invalid Length")
        case code:
            return bluez_error("Failed", f"Operation failed with ATT error: 0x{code:02x}")


def device_path(address: str) -> str:
    return f"{ADAPTER_PATH}/dev_{address.upper().replace(':', '_')}"


@dataclass
class FakeStats:
    """What the fake saw, for tests and benchmarks."""

    connects: int = 0
    refused: int = 0
    disconnects_by_client: int = 0
    disconnects_by_device: int = 0
    discoveries: int = 0
    ignored_command_errors: int = 0
    notifications: int = 0


class FakeCharacteristic:
    """One characteristic of a connected device, and its CCCD."""

    def __init__(
        self, device: FakeDevice, uuid: str, props: CharProperty, service_path: str, handle: int
    ) -> None:
        self.device = device
        self.uuid = uuid
        self.props = props
        self.flags = flags_of(props)
        self.service_path = service_path
        self.path = f"{service_path}/char{handle:04x}"
        self.value = b""
        self.notifying = False
        self.mtu = DEFAULT_MTU
        self.interface = GattCharacteristic1(self)
        self.descriptor: GattDescriptor1 | None = None
        self.descriptor_path: str | None = None
        if props & (CharProperty.NOTIFY | CharProperty.INDICATE):
            self.descriptor = GattDescriptor1(uuids.CCCD, self)
            self.descriptor_path = f"{self.path}/desc{handle + 1:04x}"

    def cccd_value(self) -> bytes:
        if not self.notifying:
            return b"\x00\x00"
        return b"\x01\x00" if self.props & CharProperty.NOTIFY else b"\x02\x00"

    def _changed(self, **values: Any) -> None:
        self.interface.emit_properties_changed(values)

    def read(self, options: Mapping[str, Any]) -> bytes:
        conn = self.device.require_connection()
        try:
            data = conn.read(self.uuid)
        except AttError as exc:
            raise att_error(exc) from None
        data = data[int(options.get("offset", 0)) :]
        if data != self.value:
            self.value = data
            if self.notifying:
                # bluetoothd stores a read in Value, and a client with notifications on
                # sees it as one more notification (bleak documents this duplicate).
                self._changed(Value=data)
        return data

    def write(self, data: bytes, options: Mapping[str, Any]) -> None:
        conn = self.device.require_connection()
        kind = options.get("type") or ("request" if "write" in self.flags else "command")
        if kind == "request" and "write" not in self.flags:
            raise bluez_error("NotSupported", "Operation is not supported")
        if kind == "command" and "write-without-response" not in self.flags:
            raise bluez_error("NotSupported", "Operation is not supported")
        try:
            conn.write(self.uuid, data, response=kind == "request")
        except AttError as exc:
            if kind == "request":
                raise att_error(exc) from None
            # A write without response has no answer to carry an error back.
            self.device.bluez.stats.ignored_command_errors += 1
            log.debug("write command to %s refused: %s", self.uuid, exc)

    def start_notify(self) -> None:
        conn = self.device.require_connection()
        if not self.props & (CharProperty.NOTIFY | CharProperty.INDICATE):
            raise bluez_error("NotSupported", "Operation is not supported")
        if self.notifying:
            return
        try:
            conn.set_subscribed(self.uuid, True)
        except AttError as exc:
            raise att_error(exc) from None
        self.notifying = True
        self._changed(Notifying=True)

    def stop_notify(self) -> None:
        conn = self.device.require_connection()
        if not self.notifying:
            raise bluez_error("Failed", "No notify session started")
        with contextlib.suppress(AttError):
            conn.set_subscribed(self.uuid, False)
        self.notifying = False
        self._changed(Notifying=False)

    def deliver(self, data: bytes) -> None:
        """A notification or indication from the server."""
        if not self.notifying:
            return
        self.value = data
        self.device.bluez.stats.notifications += 1
        self._changed(Value=data)


class FakeDevice:
    """A remote device: what it advertises, and a simulated server to connect to.

    Args:
        sim: the GATT server behind it (a treadmill or a strap); None for a device with
            nothing to connect to
            (a neighbour that only shows up in scans).
        advertising: see :data:`Advertising`.
        hide: characteristic UUIDs not to expose (e.g. the control point, for a
            read-only machine, or all of FTMS for a device without the service).
        refuse_connections: every Connect fails, as with a treadmill already in use.
        in_range: False hides it from scans and makes connects fail.
    """

    def __init__(
        self,
        bluez: FakeBlueZ,
        sim: GattServer | None,
        *,
        address: str,
        name: str | None,
        advertising: Advertising = "service-data",
        service_uuids: Iterable[str] | None = None,
        manufacturer_data: Mapping[int, bytes] | None = None,
        rssi: int = -60,
        hide: Iterable[str] = (),
        refuse_connections: bool = False,
        in_range: bool = True,
        connect_delay_s: float = 0.0,
    ) -> None:
        self.bluez = bluez
        self.sim = sim
        self.address = address.upper()
        self.name = name
        self.path = device_path(self.address)
        self.adapter_path = ADAPTER_PATH
        self.advertising = advertising
        self.extra_uuids = list(service_uuids or [])
        self.manufacturer_data = dict(manufacturer_data or {})
        self.rssi = rssi
        self.current_rssi = rssi
        self.hide = frozenset(hide)
        self.refuse_connections = refuse_connections
        self.in_range = in_range
        self.connect_delay_s = connect_delay_s
        self.paired = False
        self.trusted = False
        self.connected = False
        self.services_resolved = False
        self.connection: ServerConnection | None = None
        self.interface: Device1 = NamedDevice1(self) if name else Device1(self)
        self.exported = False
        """On the bus now (bluetoothd knows it)."""
        self.known = False
        """Known before any scan, as a paired device is."""
        self.characteristics: dict[str, FakeCharacteristic] = {}
        self._gatt_paths: list[str] = []
        self._sent_service_data: dict[str, bytes] | None = None

    # -- advertising -------------------------------------------------------------------

    def advertised_uuids(self) -> list[str]:
        base: list[str] = []
        if self.advertising != "name-only" and self.sim is not None:
            base = advertised_services(self.sim.characteristics)
        return base + [u for u in self.extra_uuids if u not in base]

    def advertised_service_data(self) -> dict[str, bytes]:
        if self.advertising != "service-data" or self.sim is None:
            return {}
        if uuids.FITNESS_MACHINE_SERVICE not in advertised_services(self.sim.characteristics):
            return {}  # FTMS service data is a fitness machine's; a strap has none
        # A machine in a session with another collector says it is not available.
        value = FtmsServiceData(available=not self.connected, machine_type=MachineType.TREADMILL)
        return {uuids.FITNESS_MACHINE_SERVICE: encode_service_data(value)}

    def advertise(self) -> None:
        """One advertising packet heard by a discovering adapter."""
        if not self.exported:
            self.bluez.export_device(self)
            self._sent_service_data = self.advertised_service_data()
            return
        # The RSSI of every advertisement differs a little: bleak needs a change to see
        # a device again in a new scan.
        self.current_rssi = self.rssi if self.current_rssi != self.rssi else self.rssi - 1
        changed: dict[str, Any] = {"RSSI": self.current_rssi}
        service_data = self.advertised_service_data()
        if service_data != self._sent_service_data:
            self._sent_service_data = service_data
            changed["ServiceData"] = {k: Variant("ay", v) for k, v in service_data.items()}
        self.interface.emit_properties_changed(changed)

    # -- connection (Device1 methods) --------------------------------------------------

    def require_connection(self) -> ServerConnection:
        if self.connection is None or not self.connected:
            raise bluez_error("Failed", "Not connected")
        return self.connection

    async def connect(self) -> None:
        adapter = self.bluez.adapter
        if adapter is None or not adapter.powered:
            raise bluez_error("NotReady", "Resource Not Ready")
        if self.connected:
            raise bluez_error("AlreadyConnected", "Already Connected")
        if self.connect_delay_s > 0:
            await asyncio.sleep(self.connect_delay_s)
        if self.refuse_connections or not self.in_range:
            self.bluez.stats.refused += 1
            raise bluez_error("Failed", CONNECT_FAILED_MESSAGE)
        if self.sim is not None:
            self.connection = self.sim.attach(self)
        else:
            self.connection = None
        self.connected = True
        self.bluez.stats.connects += 1
        self.interface.emit_properties_changed({"Connected": True})
        self._export_gatt()
        self.services_resolved = True
        self.interface.emit_properties_changed({"ServicesResolved": True})

    async def disconnect(self) -> None:
        if self.connected:
            self.bluez.stats.disconnects_by_client += 1
        self.link_down()

    async def pair(self) -> None:
        if not self.connected:
            await self.connect()
        if not self.paired:
            self.paired = True
            self.interface.emit_properties_changed({"Paired": True, "Bonded": True})

    def link_down(self) -> None:
        """The connection ends, whichever side ended it."""
        if not self.connected:
            return
        if self.services_resolved:
            self.services_resolved = False
            self.interface.emit_properties_changed({"ServicesResolved": False})
        self.connected = False
        self.interface.emit_properties_changed({"Connected": False})
        self._unexport_gatt()
        conn, self.connection = self.connection, None
        if conn is not None and conn.open:
            conn.close()

    def drop(self) -> None:
        """Lose the link from the device's side (out of range, radio reset)."""
        if self.connected:
            self.bluez.stats.disconnects_by_device += 1
        self.link_down()

    # -- the simulator's side (ServerSink) ---------------------------------------------

    def notify(self, uuid: str, data: bytes) -> None:
        char = self.characteristics.get(uuid)
        if char is not None:
            char.deliver(data)

    def server_disconnected(self) -> None:
        self.connection = None
        self.drop()

    # -- GATT objects ------------------------------------------------------------------

    def _services(self) -> list[tuple[str, list[tuple[str, CharProperty]]]]:
        if self.sim is None:
            return []
        chars = {u: p for u, p in self.sim.characteristics.items() if u not in self.hide}
        return group_services(chars)

    def _export_gatt(self) -> None:
        bus = self.bluez.require_bus()
        handle = 0x000A
        self.characteristics = {}
        self._gatt_paths = []
        for service_uuid, chars in self._services():
            service_path = f"{self.path}/service{handle:04x}"
            bus.export(service_path, GattService1(service_uuid, self.path))
            self._gatt_paths.append(service_path)
            handle += 1
            for uuid, props in chars:
                char = FakeCharacteristic(self, uuid, props, service_path, handle)
                bus.export(char.path, char.interface)
                self._gatt_paths.append(char.path)
                if char.descriptor is not None and char.descriptor_path is not None:
                    bus.export(char.descriptor_path, char.descriptor)
                    self._gatt_paths.append(char.descriptor_path)
                self.characteristics[uuid] = char
                handle += 3
            handle = (handle + 0x0F) & ~0x0F

    def _unexport_gatt(self) -> None:
        bus = self.bluez.bus
        for path in reversed(self._gatt_paths):
            if bus is not None and bus.connected:
                bus.unexport(path)
        self._gatt_paths = []
        self.characteristics = {}


class FakeAdapter:
    """``hci0``: power and discovery."""

    def __init__(self, bluez: FakeBlueZ, *, address: str, powered: bool) -> None:
        self.bluez = bluez
        self.address = address
        self.path = ADAPTER_PATH
        self.powered = powered
        self.discovery_sessions = 0
        self.filter_uuids: frozenset[str] = frozenset()
        self.interface = Adapter1(self)
        self._advertiser: asyncio.Task[None] | None = None

    @property
    def discovering(self) -> bool:
        return self.discovery_sessions > 0

    def set_powered(self, on: bool) -> None:
        if on == self.powered:
            return
        self.powered = on
        if not on:
            self._end_discovery()
            for device in self.bluez.devices.values():
                device.drop()
        self.interface.emit_properties_changed({"Powered": on})

    def set_discovery_filter(self, properties: Mapping[str, Variant]) -> None:
        uuid_filter = properties.get("UUIDs")
        values = uuid_filter.value if isinstance(uuid_filter, Variant) else []
        self.filter_uuids = frozenset(str(u).lower() for u in values)

    def start_discovery(self) -> None:
        if not self.powered:
            raise bluez_error("NotReady", "Resource Not Ready")
        self.discovery_sessions += 1
        self.bluez.stats.discoveries += 1
        if self.discovery_sessions == 1:
            self.interface.emit_properties_changed({"Discovering": True})
            self._advertiser = asyncio.ensure_future(self._advertise_loop())

    def stop_discovery(self) -> None:
        if self.discovery_sessions == 0:
            raise bluez_error("Failed", "No discovery started")
        self.discovery_sessions -= 1
        if self.discovery_sessions == 0:
            self._end_discovery()

    def _end_discovery(self) -> None:
        was = self.discovery_sessions > 0 or self._advertiser is not None
        self.discovery_sessions = 0
        self.filter_uuids = frozenset()
        if self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None
        if was:
            self.interface.emit_properties_changed({"Discovering": False})

    def advertising_round(self) -> None:
        for device in list(self.bluez.devices.values()):
            if not device.in_range:
                continue
            if self.filter_uuids and not (
                self.filter_uuids & {u.lower() for u in device.advertised_uuids()}
            ):
                continue
            device.advertise()

    async def _advertise_loop(self) -> None:
        # The first round goes out right after the StartDiscovery reply.
        await asyncio.sleep(0)
        while True:
            self.advertising_round()
            await asyncio.sleep(self.bluez.advertising_interval_s)

    async def remove_device(self, path: str) -> None:
        device = next((d for d in self.bluez.devices.values() if d.path == path), None)
        if device is None or not device.exported:
            raise bluez_error("DoesNotExist", "Does Not Exist")
        device.link_down()
        self.bluez.unexport_device(device)

    def close(self) -> None:
        if self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None


class FakeBlueZ:
    """The fake ``org.bluez`` service. ``async with fake.serving(address):`` runs it.

    Args:
        adapter: False for a machine without a Bluetooth adapter.
        powered: the adapter's power at start.
    """

    def __init__(
        self,
        *,
        adapter: bool = True,
        powered: bool = True,
        adapter_address: str = "00:1A:7D:DA:71:13",
        advertising_interval_s: float = ADVERTISING_INTERVAL_S,
    ) -> None:
        self.bus: MessageBus | None = None
        self.address: str | None = None
        self.adapter = (
            FakeAdapter(self, address=adapter_address, powered=powered) if adapter else None
        )
        self.advertising_interval_s = advertising_interval_s
        self.devices: dict[str, FakeDevice] = {}
        self.stats = FakeStats()

    def require_bus(self) -> MessageBus:
        if self.bus is None:
            raise RuntimeError("the fake BlueZ is not serving")
        return self.bus

    async def start(self, address: str | None = None) -> None:
        """Own ``org.bluez`` on the private bus at ``address`` (default: the environment's)."""
        self.address = require_private(address or os.environ.get("DBUS_SYSTEM_BUS_ADDRESS"))
        bus = await MessageBus(bus_address=self.address).connect()
        reply = await bus.request_name(BLUEZ_SERVICE, NameFlag.DO_NOT_QUEUE)
        if reply is not RequestNameReply.PRIMARY_OWNER:
            bus.disconnect()
            raise RuntimeError(f"{BLUEZ_SERVICE} is already served on this bus")
        self.bus = bus
        if self.adapter is not None:
            bus.export(self.adapter.path, self.adapter.interface)
        for device in self.devices.values():
            if device.known:
                self.export_device(device)

    async def stop(self) -> None:
        if self.adapter is not None:
            self.adapter.close()
        for device in self.devices.values():
            device.link_down()
            device.exported = False
        bus, self.bus = self.bus, None
        if bus is not None:
            bus.disconnect()
            waiter = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
            await asyncio.wait({waiter}, timeout=2.0)
            if waiter.done() and not waiter.cancelled():
                waiter.exception()

    @contextlib.asynccontextmanager
    async def serving(self, address: str | None = None) -> AsyncIterator[FakeBlueZ]:
        await self.start(address)
        try:
            yield self
        finally:
            await self.stop()

    # -- devices -----------------------------------------------------------------------

    def add_device(
        self,
        sim: GattServer | None,
        *,
        address: str | None = None,
        name: str | None = None,
        known: bool = False,
        **options: Any,
    ) -> FakeDevice:
        """A device in range; ``known``: bluetoothd already has it (paired earlier).

        ``sim`` is a simulated treadmill or strap (or None: a device that only shows up
        in scans). Address and name default to the simulator's.
        """
        if address is None:
            if sim is None:
                raise ValueError("a device without a simulator needs an address")
            address = sim.config.address
        if name is None and sim is not None:
            name = sim.config.name
        device = FakeDevice(self, sim, address=address, name=name, **options)
        if device.address in self.devices:
            raise ValueError(f"a device with address {device.address} exists already")
        self.devices[device.address] = device
        device.known = known
        if known and self.bus is not None:
            self.export_device(device)
        return device

    def device(self, address: str) -> FakeDevice:
        return self.devices[address.upper()]

    def export_device(self, device: FakeDevice) -> None:
        if not device.exported:
            self.require_bus().export(device.path, device.interface)
            device.exported = True

    def unexport_device(self, device: FakeDevice) -> None:
        if device.exported and self.bus is not None and self.bus.connected:
            self.bus.unexport(device.path)
        device.exported = False

    def set_powered(self, on: bool) -> None:
        if self.adapter is None:
            raise RuntimeError("this fake has no adapter")
        self.adapter.set_powered(on)
