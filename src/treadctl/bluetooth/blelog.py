"""Reading ``--ble-log`` files and playing them back through the decoders and the client.

The format is described in :mod:`treadctl.link.recording`. Playback serves the recorded
reads to a real :class:`~treadctl.client.TreadmillClient` through a :class:`ReplayLink`,
then delivers the recorded notifications at their recorded times (on any clock: a
virtual one plays a log at once), so the client decodes them exactly as it did live:
same assembler, same deviations, same state. A log a user sent becomes a test by
asserting on what :class:`BlePlayer` produces.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treadctl.client import SpeedUnit, TreadmillClient, TreadmillState
from treadctl.client.events import ClientEvent
from treadctl.clock import Clock
from treadctl.errors import TreadctlError
from treadctl.ftms import uuids
from treadctl.ftms.control_point import decode_control_point
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.feature import decode_features
from treadctl.ftms.machine_status import decode_machine_status
from treadctl.ftms.ranges import decode_incline_range, decode_speed_range
from treadctl.ftms.training_status import decode_training_status
from treadctl.ftms.treadmill_data import decode_treadmill_data
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    AttError,
    CharProperty,
    DisconnectCallback,
    LinkLost,
    NotifyCallback,
)
from treadctl.link.recording import BLE_LOG_FORMAT, CHAR_NAMES, properties_from_names
from treadctl.util.listeners import Callbacks

DIRECTIONS = frozenset({"connect", "read", "write", "subscribe", "notify", "error", "disconnect"})


class BleLogError(TreadctlError, ValueError):
    """Not a BLE log, or a line that cannot be read; the message names the line."""


@dataclass(frozen=True)
class BleRecord:
    """One line of a BLE log."""

    t: float
    dir: str
    uuid: str | None = None
    data: bytes = b""
    response: bool | None = None
    error: str | None = None
    chars: Mapping[str, CharProperty] | None = None
    line: int = 0

    @property
    def char(self) -> str:
        return CHAR_NAMES.get(self.uuid or "", self.uuid or "")


@dataclass
class BleLog:
    path: Path
    header: dict[str, Any]
    records: list[BleRecord]

    @property
    def device_name(self) -> str:
        device = self.header.get("device")
        if isinstance(device, dict) and device.get("name"):
            return str(device["name"])
        return self.path.stem

    def of(self, direction: str, uuid: str | None = None) -> list[BleRecord]:
        return [r for r in self.records if r.dir == direction and (uuid is None or r.uuid == uuid)]


def _record(raw: Any, where: str, number: int) -> BleRecord:
    if not isinstance(raw, dict):
        raise BleLogError(f"{where}: expected a JSON object")
    direction = raw.get("dir")
    if direction not in DIRECTIONS:
        raise BleLogError(f"{where}: unknown dir {direction!r}")
    try:
        t = float(raw["t"])
        data = bytes.fromhex(raw.get("hex", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise BleLogError(f"{where}: {exc}") from None
    uuid = raw.get("uuid")
    if direction in {"read", "write", "notify", "subscribe"} and not isinstance(uuid, str):
        raise BleLogError(f"{where}: a {direction} line needs a uuid")
    chars: dict[str, CharProperty] | None = None
    if isinstance(raw.get("chars"), dict):
        chars = {str(u).lower(): properties_from_names(list(n)) for u, n in raw["chars"].items()}
    response = raw.get("response")
    return BleRecord(
        t=t,
        dir=direction,
        uuid=uuid.lower() if isinstance(uuid, str) else None,
        data=data,
        response=bool(response) if response is not None else None,
        error=str(raw["error"]) if "error" in raw else None,
        chars=chars,
        line=number,
    )


def read_ble_log(path: Path) -> BleLog:
    """Read a BLE log; raises BleLogError naming the file and line of any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BleLogError(f"{path}: cannot read: {exc}") from None
    header: dict[str, Any] | None = None
    records: list[BleRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(text.splitlines()):
                break  # the last line cut short by a crash
            raise BleLogError(f"{where}: not JSON: {exc}") from None
        if header is None:
            if not isinstance(raw, dict) or raw.get("type") != BLE_LOG_FORMAT:
                raise BleLogError(f"{path}: not a BLE log (no ble-log header on line 1)")
            header = raw
            continue
        records.append(_record(raw, where, number))
    if header is None:
        raise BleLogError(f"{path}: empty file")
    return BleLog(path, header, records)


def _inferred_chars(log: BleLog) -> dict[str, CharProperty]:
    """Characteristic properties from what the log did with them (no connect line)."""
    out: dict[str, CharProperty] = defaultdict(lambda: CharProperty(0))
    for r in log.records:
        if r.uuid is None:
            continue
        match r.dir:
            case "read":
                out[r.uuid] |= CharProperty.READ
            case "notify" | "subscribe":
                out[r.uuid] |= (
                    CharProperty.INDICATE if r.uuid == uuids.CONTROL_POINT else CharProperty.NOTIFY
                )
            case "write":
                out[r.uuid] |= (
                    CharProperty.WRITE if r.response else CharProperty.WRITE_WITHOUT_RESPONSE
                )
    return dict(out)


class ReplayLink:
    """A :class:`~treadctl.link.GattLink` that answers from a BLE log.

    Reads get the recorded values of their characteristic in order; writes are accepted
    and counted; notifications go out when :meth:`deliver` is called with a record.
    """

    def __init__(self, log: BleLog) -> None:
        self.log = log
        connects = log.of("connect")
        first = next((r.chars for r in connects if r.chars), None)
        self._chars: dict[str, CharProperty] = dict(first) if first else _inferred_chars(log)
        self._reads: dict[str, deque[bytes]] = defaultdict(deque)
        for r in log.of("read"):
            assert r.uuid is not None
            self._reads[r.uuid].append(r.data)
        self._last_read: dict[str, bytes] = {}
        self._callbacks: dict[str, NotifyCallback] = {}
        self._disconnect_callbacks = Callbacks("disconnect callback")
        self._connected = False
        self.writes: list[tuple[str, bytes, bool]] = []

    @property
    def name(self) -> str:
        return self.log.device_name

    @property
    def is_connected(self) -> bool:
        return self._connected

    def characteristics(self) -> Mapping[str, CharProperty]:
        return self._chars if self._connected else {}

    async def connect(self) -> None:
        self._callbacks = {}
        self._connected = True

    async def disconnect(self) -> None:
        self.drop()

    def drop(self) -> None:
        if not self._connected:
            return
        self._connected = False
        self._disconnect_callbacks.emit()

    async def read(self, uuid: str) -> bytes:
        if not self._connected:
            raise LinkLost("not connected")
        queue = self._reads.get(uuid)
        if queue:
            self._last_read[uuid] = queue.popleft()
        if uuid not in self._last_read:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, f"the log has no read of {uuid}")
        return self._last_read[uuid]

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        if not self._connected:
            raise LinkLost("not connected")
        self.writes.append((uuid, data, response))

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        if not self._connected:
            raise LinkLost("not connected")
        self._callbacks[uuid] = callback

    def on_disconnect(self, callback: DisconnectCallback) -> Callable[[], None]:
        return self._disconnect_callbacks.add(callback)

    def deliver(self, record: BleRecord) -> bool:
        """Hand a recorded notification to its subscriber; False if nobody subscribed."""
        callback = self._callbacks.get(record.uuid or "")
        if callback is None or not self._connected:
            return False
        callback(record.data)
        return True


def _compact(values: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> str:
    parts = []
    for key, value in values.items():
        if key in skip or value is None or value == [] or value is False:
            continue
        if isinstance(value, list):
            parts.append(f"{key}={','.join(str(v) for v in value)}")
        elif isinstance(value, float):
            parts.append(f"{key}={value:g}")
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


_DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    uuids.TREADMILL_DATA: lambda b: decode_treadmill_data(b).as_dict(),
    uuids.MACHINE_STATUS: lambda b: decode_machine_status(b).as_dict(),
    uuids.TRAINING_STATUS: lambda b: decode_training_status(b).as_dict(),
    uuids.CONTROL_POINT: lambda b: decode_control_point(b).as_dict(),
    uuids.FITNESS_MACHINE_FEATURE: lambda b: decode_features(b).as_dict(),
    uuids.SUPPORTED_SPEED_RANGE: lambda b: decode_speed_range(b).as_dict("kmh"),
    uuids.SUPPORTED_INCLINATION_RANGE: lambda b: decode_incline_range(b).as_dict("pct"),
}


def describe_record(record: BleRecord) -> str:
    """What one log line means, decoded: ``speed_kmh=2.5 distance_m=120 ...``."""
    match record.dir:
        case "connect":
            return f"connected, {len(record.chars or {})} characteristics"
        case "disconnect":
            return "link lost"
        case "subscribe":
            return f"subscribed to {record.char}"
        case "error":
            return f"error: {record.error}"
    decoder = _DECODERS.get(record.uuid or "")
    if decoder is None:
        text = record.data.decode("utf-8", errors="replace").strip("\0 ")
        return repr(text) if text.isprintable() else record.data.hex(" ")
    try:
        values = decoder(record.data)
    except FtmsDecodeError as exc:
        return f"malformed: {exc}"
    return _compact(
        values, skip=frozenset({"more_data"}) if not values.get("more_data") else frozenset()
    )


@dataclass(frozen=True)
class PlayStep:
    """One record played back, what it means, and the client's state after it."""

    record: BleRecord
    text: str
    state: TreadmillState


@dataclass
class PlaybackResult:
    steps: list[PlayStep] = field(default_factory=list)
    events: list[ClientEvent] = field(default_factory=list)
    malformed: dict[str, int] = field(default_factory=dict)
    deviations: dict[str, int] = field(default_factory=dict)
    device_info: dict[str, str] = field(default_factory=dict)

    def states_after(self, uuid: str = uuids.TREADMILL_DATA) -> list[TreadmillState]:
        return [s.state for s in self.steps if s.record.dir == "notify" and s.record.uuid == uuid]


class BlePlayer:
    """Plays a BLE log into a :class:`TreadmillClient` on ``clock``.

    ``speed_unit`` defaults to the one the log's header names (the device setting used
    when it was recorded). The client is there for a front end to follow
    (``player.client.states()``) while :meth:`play` runs.
    """

    def __init__(self, log: BleLog, clock: Clock, *, speed_unit: SpeedUnit | None = None):
        self.log = log
        self.clock = clock
        unit = speed_unit or log.header.get("speed_unit", "kmh")
        self.link = ReplayLink(log)
        self.client = TreadmillClient(
            self.link, clock, speed_unit="mph" if unit == "mph" else "kmh"
        )

    async def play(self, on_step: Callable[[PlayStep], None] | None = None) -> PlaybackResult:
        result = PlaybackResult()
        remove = self.client.add_listener(result.events.append)
        start = self.clock.now()
        first_t = self.log.records[0].t if self.log.records else 0.0
        try:
            for record in self.log.records:
                wait_s = (record.t - first_t) - (self.clock.now() - start)
                if wait_s > 0:
                    await self.clock.sleep(wait_s)
                if record.dir == "connect":
                    await self.client.connect()
                elif record.dir == "disconnect":
                    self.link.drop()
                elif record.dir == "notify":
                    self.link.deliver(record)
                elif record.dir in ("read", "subscribe") and not self.link.is_connected:
                    await self.client.connect()  # a log that starts without a connect line
                step = PlayStep(record, describe_record(record), self.client.state)
                result.steps.append(step)
                if on_step is not None:
                    on_step(step)
        finally:
            remove()
            await self.client.aclose()
        result.malformed = dict(self.client.stats.malformed)
        result.deviations = dict(self.client.stats.deviations)
        result.device_info = dict(self.client.device_info)
        return result
