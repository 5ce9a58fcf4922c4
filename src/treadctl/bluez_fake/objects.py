"""The ``org.bluez`` D-Bus interfaces of the fake, as dbus-fast ``ServiceInterface`` classes.

They hold no logic of their own: each forwards to its model in :mod:`treadctl.bluez_fake.fake`
(plain methods, since a ``@dbus_method`` that calls another one loses its return value)
and reports property changes with ``PropertiesChanged``, as bluetoothd does.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from
the annotations, and a postponed ``-> None`` would reach it as the string "None".
"""

from typing import TYPE_CHECKING, Annotated, Any

from dbus_fast import DBusError, PropertyAccess, Variant
from dbus_fast.annotations import (
    DBusBool,
    DBusBytes,
    DBusDict,
    DBusInt16,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt16,
)
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

if TYPE_CHECKING:
    from treadctl.bluez_fake.fake import FakeAdapter, FakeCharacteristic, FakeDevice

ADAPTER_INTERFACE = "org.bluez.Adapter1"
DEVICE_INTERFACE = "org.bluez.Device1"
GATT_SERVICE_INTERFACE = "org.bluez.GattService1"
GATT_CHARACTERISTIC_INTERFACE = "org.bluez.GattCharacteristic1"
GATT_DESCRIPTOR_INTERFACE = "org.bluez.GattDescriptor1"

DBusStrList = Annotated[list[str], DBusSignature("as")]
DBusManufacturerData = Annotated[dict[int, Variant], DBusSignature("a{qv}")]

RO = PropertyAccess.READ


def bluez_error(name: str, message: str) -> DBusError:
    """An ``org.bluez.Error.<name>`` reply, as bluetoothd sends them."""
    return DBusError(f"org.bluez.Error.{name}", message)


class Adapter1(ServiceInterface):
    """``/org/bluez/hci0``: power, discovery and its filter, forgetting devices."""

    def __init__(self, model: "FakeAdapter") -> None:
        super().__init__(ADAPTER_INTERFACE)
        self.model = model

    @dbus_property(access=RO)
    def Address(self) -> DBusStr:
        return self.model.address

    @dbus_property(access=RO)
    def AddressType(self) -> DBusStr:
        return "public"

    @dbus_property(access=RO)
    def Name(self) -> DBusStr:
        return "treadctl-fake-adapter"

    @dbus_property(access=RO)
    def Alias(self) -> DBusStr:
        return "treadctl-fake-adapter"

    @dbus_property()
    def Powered(self) -> DBusBool:
        return self.model.powered

    @Powered.setter  # type: ignore[no-redef]
    def Powered(self, value: DBusBool) -> None:
        self.model.set_powered(bool(value))

    @dbus_property(access=RO)
    def Discovering(self) -> DBusBool:
        return self.model.discovering

    @dbus_property(access=RO)
    def Discoverable(self) -> DBusBool:
        return False

    @dbus_property(access=RO)
    def Pairable(self) -> DBusBool:
        return True

    @dbus_property(access=RO)
    def Roles(self) -> DBusStrList:
        return ["central", "peripheral"]

    @dbus_property(access=RO)
    def UUIDs(self) -> DBusStrList:
        return []

    @dbus_method()
    def SetDiscoveryFilter(self, properties: DBusDict) -> None:
        self.model.set_discovery_filter(properties)

    @dbus_method()
    def GetDiscoveryFilters(self) -> DBusStrList:
        return ["UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData"]

    @dbus_method()
    def StartDiscovery(self) -> None:
        self.model.start_discovery()

    @dbus_method()
    def StopDiscovery(self) -> None:
        self.model.stop_discovery()

    @dbus_method()
    async def RemoveDevice(self, device: DBusObjectPath) -> None:
        await self.model.remove_device(device)


class Device1(ServiceInterface):
    """``/org/bluez/hci0/dev_AA_BB_...``: what was advertised, and the connection."""

    def __init__(self, model: "FakeDevice") -> None:
        super().__init__(DEVICE_INTERFACE)
        self.model = model

    @dbus_property(access=RO)
    def Address(self) -> DBusStr:
        return self.model.address

    @dbus_property(access=RO)
    def AddressType(self) -> DBusStr:
        return "random"

    @dbus_property(access=RO)
    def Alias(self) -> DBusStr:
        return self.model.name or self.model.address.replace(":", "-")

    @dbus_property(access=RO)
    def Adapter(self) -> DBusObjectPath:
        return self.model.adapter_path

    @dbus_property(access=RO)
    def Paired(self) -> DBusBool:
        return self.model.paired

    @dbus_property(access=RO)
    def Bonded(self) -> DBusBool:
        return self.model.paired

    @dbus_property()
    def Trusted(self) -> DBusBool:
        return self.model.trusted

    @Trusted.setter  # type: ignore[no-redef]
    def Trusted(self, value: DBusBool) -> None:
        self.model.trusted = bool(value)

    @dbus_property(access=RO)
    def Blocked(self) -> DBusBool:
        return False

    @dbus_property(access=RO)
    def LegacyPairing(self) -> DBusBool:
        return False

    @dbus_property(access=RO)
    def Connected(self) -> DBusBool:
        return self.model.connected

    @dbus_property(access=RO)
    def ServicesResolved(self) -> DBusBool:
        return self.model.services_resolved

    @dbus_property(access=RO)
    def UUIDs(self) -> DBusStrList:
        return self.model.advertised_uuids()

    @dbus_property(access=RO)
    def RSSI(self) -> DBusInt16:
        return self.model.current_rssi

    @dbus_property(access=RO)
    def ManufacturerData(self) -> DBusManufacturerData:
        return {k: Variant("ay", v) for k, v in self.model.manufacturer_data.items()}

    @dbus_property(access=RO)
    def ServiceData(self) -> DBusDict:
        return {k: Variant("ay", v) for k, v in self.model.advertised_service_data().items()}

    @dbus_method()
    async def Connect(self) -> None:
        await self.model.connect()

    @dbus_method()
    async def Disconnect(self) -> None:
        await self.model.disconnect()

    @dbus_method()
    async def Pair(self) -> None:
        await self.model.pair()

    @dbus_method()
    def CancelPairing(self) -> None:
        return None


class NamedDevice1(Device1):
    """A device that advertised a name: bluetoothd then has a ``Name`` property."""

    @dbus_property(access=RO)
    def Name(self) -> DBusStr:
        return self.model.name or ""


class GattService1(ServiceInterface):
    def __init__(self, uuid: str, device_path: str) -> None:
        super().__init__(GATT_SERVICE_INTERFACE)
        self.uuid = uuid
        self.device_path = device_path

    @dbus_property(access=RO)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(access=RO)
    def Device(self) -> DBusObjectPath:
        return self.device_path

    @dbus_property(access=RO)
    def Primary(self) -> DBusBool:
        return True


class GattCharacteristic1(ServiceInterface):
    def __init__(self, model: "FakeCharacteristic") -> None:
        super().__init__(GATT_CHARACTERISTIC_INTERFACE)
        self.model = model

    @dbus_property(access=RO)
    def UUID(self) -> DBusStr:
        return self.model.uuid

    @dbus_property(access=RO)
    def Service(self) -> DBusObjectPath:
        return self.model.service_path

    @dbus_property(access=RO)
    def Value(self) -> DBusBytes:
        return self.model.value

    @dbus_property(access=RO)
    def Notifying(self) -> DBusBool:
        return self.model.notifying

    @dbus_property(access=RO)
    def Flags(self) -> DBusStrList:
        return self.model.flags

    @dbus_property(access=RO)
    def MTU(self) -> DBusUInt16:
        return self.model.mtu

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        return self.model.read(_unpack(options))

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict) -> None:
        self.model.write(bytes(value), _unpack(options))

    @dbus_method()
    def StartNotify(self) -> None:
        self.model.start_notify()

    @dbus_method()
    def StopNotify(self) -> None:
        self.model.stop_notify()


class GattDescriptor1(ServiceInterface):
    """The Client Characteristic Configuration descriptor of a notifying characteristic."""

    def __init__(self, uuid: str, characteristic: "FakeCharacteristic") -> None:
        super().__init__(GATT_DESCRIPTOR_INTERFACE)
        self.uuid = uuid
        self.characteristic = characteristic

    @dbus_property(access=RO)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(access=RO)
    def Characteristic(self) -> DBusObjectPath:
        return self.characteristic.path

    @dbus_property(access=RO)
    def Value(self) -> DBusBytes:
        return self.characteristic.cccd_value()

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        return self.characteristic.cccd_value()

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict) -> None:
        raise bluez_error("NotPermitted", "Write not permitted")


def _unpack(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value if isinstance(v, Variant) else v for k, v in options.items()}
