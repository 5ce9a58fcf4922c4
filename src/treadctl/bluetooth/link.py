"""The link to a real treadmill: bleak, through bleak-retry-connector.

One :class:`BleakLink` stands for one treadmill for the whole workout. Each
:meth:`~BleakLink.connect` makes a new bleak client (``establish_connection`` retries
the transient failures BlueZ is known for), so the runner can call it again after a
link loss (hazard H6: the runner, not the link, decides what the belt does then). The
write type follows each characteristic's properties at the client level; notifications
and indications both reach the subscribe callback, so a control point answered by
notification works too. bleak's disconnect callback becomes the link's disconnect
event, once per connection, whichever side ended it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDBusError, BleakError, BleakGATTProtocolError
from bleak_retry_connector import BleakClientWithServiceCache, establish_connection

from treadctl.bluetooth.errors import DeviceNotFound, ServiceMissing
from treadctl.bluetooth.scan import find_device
from treadctl.bluetooth.timing import CONNECT_ATTEMPTS, FIND_TIMEOUT_S
from treadctl.bluetooth.translate import translate
from treadctl.ftms import uuids
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    AttError,
    CharProperty,
    DisconnectCallback,
    LinkError,
    LinkLost,
    NotifyCallback,
)
from treadctl.util.listeners import Callbacks
from treadctl.util.tasks import TaskSet

log = logging.getLogger(__name__)


_PROPERTY_NAMES = {
    "read": CharProperty.READ,
    "write": CharProperty.WRITE,
    "write-without-response": CharProperty.WRITE_WITHOUT_RESPONSE,
    "notify": CharProperty.NOTIFY,
    "indicate": CharProperty.INDICATE,
}
#: D-Bus errors that mean the connection is gone, not that the request was wrong.
_GONE_ERRORS = {
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.bluez.Error.NotConnected",
}


def char_properties(names: Iterable[str]) -> CharProperty:
    """bleak's property names as :class:`CharProperty` (others are ignored)."""
    props = CharProperty(0)
    for name in names:
        props |= _PROPERTY_NAMES.get(name, CharProperty(0))
    return props


@dataclass(eq=False)
class _Session:
    """One connection: its callbacks fire at most once, and only once it was up."""

    client: BleakClient | None = None
    up: bool = False
    ended: bool = False


class BleakLink:
    """A :class:`~treadctl.link.GattLink` to one Bluetooth LE device through bleak.

    Args:
        target: the device's address or advertised name.
        device: a :class:`BLEDevice` already found by a scan (else found on connect).
        name: a name for messages (else the advertised one, or ``target``).
        required_services: service UUIDs the device must have; connect fails with
            :class:`ServiceMissing` without them.
        device_kind: what the device is, for the message when it is not found.
    """

    def __init__(
        self,
        target: str,
        *,
        device: BLEDevice | None = None,
        name: str | None = None,
        find_timeout_s: float = FIND_TIMEOUT_S,
        connect_attempts: int = CONNECT_ATTEMPTS,
        required_services: Iterable[str] = (uuids.FITNESS_MACHINE_SERVICE,),
        device_kind: str = "treadmill",
    ) -> None:
        self.target = target
        self.find_timeout_s = find_timeout_s
        self.connect_attempts = connect_attempts
        self.required_services = tuple(required_services)
        self.device_kind = device_kind
        self.connects = 0
        self._device = device
        self._name = name or (device.name if device is not None else None)
        self._client: BleakClient | None = None
        self._session: _Session | None = None
        self._chars: dict[str, BleakGATTCharacteristic] = {}
        self._props: dict[str, CharProperty] = {}
        self._services: set[str] = set()
        self._disconnect_callbacks = Callbacks("disconnect callback")
        self._lock = asyncio.Lock()
        self._releases = TaskSet("BlueZ release")

    @property
    def name(self) -> str:
        return self._name or self.target

    @property
    def address(self) -> str:
        return self._device.address if self._device is not None else self.target

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    @property
    def services(self) -> frozenset[str]:
        """Service UUIDs found on the device (empty before connecting)."""
        return frozenset(self._services)

    def characteristics(self) -> Mapping[str, CharProperty]:
        return dict(self._props) if self.is_connected else {}

    # -- connecting ----------------------------------------------------------------------

    async def _resolve(self) -> BLEDevice:
        if self._device is not None:
            return self._device
        found = await find_device(self.target, timeout_s=self.find_timeout_s, what=self.device_kind)
        assert found.device is not None
        self._device = found.device
        self._name = self._name or found.name
        return found.device

    async def connect(self) -> None:
        """Find (if needed), connect, and discover services.

        Raises:
            DeviceNotFound, ConnectionFailed, ServiceMissing, BluetoothUnavailable: with
                what to do; LinkLost if the device dropped during setup.
        """
        async with self._lock:
            if self.is_connected:
                return
            await self._released()
            device = await self._resolve()
            session = _Session()
            self._session = session
            try:
                client = await establish_connection(
                    BleakClientWithServiceCache,
                    device,
                    self.name,
                    disconnected_callback=lambda _client: self._bleak_disconnected(session),
                    max_attempts=self.connect_attempts,
                )
            except Exception as exc:
                self._session = None
                error = translate(exc, target=self.target)
                if isinstance(error, DeviceNotFound):
                    self._device = None  # find it again next time: its path may change
                raise error from exc
            session.client = client
            self._load_services(client)
            if session.ended or not client.is_connected:
                raise LinkLost(f"{self.name} dropped the connection during setup")
            missing = [s for s in self.required_services if s not in self._services]
            if missing:
                self._session = None
                session.ended = True
                with contextlib.suppress(Exception):
                    await client.disconnect()
                raise ServiceMissing(
                    f"{self.name} has no Fitness Machine Service (FTMS)"
                    if uuids.FITNESS_MACHINE_SERVICE in missing
                    else f"{self.name} lacks the services {', '.join(missing)}"
                )
            self._client = client
            self.connects += 1
            session.up = True

    def _load_services(self, client: BleakClient) -> None:
        chars: dict[str, BleakGATTCharacteristic] = {}
        # FTMS allows one instance of each characteristic; should a device repeat one in
        # another service, the one in the Fitness Machine Service wins.
        services = sorted(
            client.services, key=lambda s: s.uuid.lower() != uuids.FITNESS_MACHINE_SERVICE
        )
        for service in services:
            for char in service.characteristics:
                chars.setdefault(char.uuid.lower(), char)
        self._services = {s.uuid.lower() for s in services}
        self._chars = chars
        self._props = {uuid: char_properties(c.properties) for uuid, c in chars.items()}

    def _bleak_disconnected(self, session: _Session) -> None:
        if session.ended:
            return
        session.ended = True
        if session is self._session:
            self._client = None
            self._session = None
        if session.client is not None:
            # After a loss bleak still holds this connection's D-Bus socket until its
            # disconnect() is called: release it (a no-op when we are disconnecting).
            self._releases.spawn(self._release(session.client))
        if session.up:
            self._disconnect_callbacks.emit()  # one callback's bug hides the loss from none

    @staticmethod
    async def _release(client: BleakClient) -> None:
        with contextlib.suppress(Exception):
            await client.disconnect()

    async def _released(self) -> None:
        """Wait until every lost connection's resources are given back."""
        await self._releases.wait()

    async def disconnect(self) -> None:
        """Disconnect (reported to the disconnect callbacks); also tidies up after a loss."""
        client, session = self._client, self._session
        if client is not None and session is not None:
            try:
                await client.disconnect()
            except Exception as exc:
                log.info("disconnecting from %s: %s", self.name, exc)
            finally:
                self._bleak_disconnected(session)
        await self._released()

    def on_disconnect(self, callback: DisconnectCallback) -> Callable[[], None]:
        return self._disconnect_callbacks.add(callback)

    # -- GATT ----------------------------------------------------------------------------

    def _target(self, uuid: str) -> tuple[BleakClient, BleakGATTCharacteristic]:
        client = self._client
        if client is None or not client.is_connected:
            raise LinkLost(f"not connected to {self.name}")
        char = self._chars.get(uuid)
        if char is None:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, f"{self.name} has no characteristic {uuid}")
        return client, char

    def _failure(self, exc: Exception, client: BleakClient) -> LinkError:
        if isinstance(exc, BleakGATTProtocolError):
            return AttError(int(exc.code), str(exc.args[-1]))
        if self._client is not client or not client.is_connected:
            return LinkLost(f"lost {self.name}: {exc}")
        if isinstance(exc, BleakDBusError) and (
            exc.dbus_error in _GONE_ERRORS or "Not connected" in str(exc)
        ):
            return LinkLost(f"lost {self.name}: {exc}")
        if isinstance(exc, BleakError) and "Not connected" in str(exc):
            return LinkLost(f"lost {self.name}: {exc}")
        return translate(exc, target=self.name)

    async def read(self, uuid: str) -> bytes:
        client, char = self._target(uuid)
        try:
            data = await client.read_gatt_char(char)
        except Exception as exc:
            raise self._failure(exc, client) from exc
        return bytes(data)

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        client, char = self._target(uuid)
        try:
            await client.write_gatt_char(char, data, response=response)
        except Exception as exc:
            raise self._failure(exc, client) from exc

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        client, char = self._target(uuid)

        def deliver(_char: BleakGATTCharacteristic, data: bytearray) -> None:
            callback(bytes(data))

        try:
            await client.start_notify(char, deliver)
        except Exception as exc:
            raise self._failure(exc, client) from exc
