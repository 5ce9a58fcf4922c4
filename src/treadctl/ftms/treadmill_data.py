"""Treadmill Data (0x2ACD): decode, encode, and reassembly of split records.

Layout: a u16 flags word, then the fields of each set flag in bit order (FTMS §4.4).
Bit 0 ("More Data") is inverted: clear means Instantaneous Speed is present and the
record is complete. Bit 13 is not in the spec: UREVO, KingSmith and CITYSPORTS walking
pads put a step count there (u16 and one zero byte) after the standard fields.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError, FtmsEncodeError
from treadctl.ftms.fields import S16, U8, U16, U24, Field, layout_size


@dataclass(frozen=True, slots=True)
class FlagGroup:
    """The fields one flag bit gates, and bytes of padding after them."""

    bit: int
    fields: tuple[Field, ...]
    pad: int = 0
    size: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", layout_size(self.fields) + self.pad)


MORE_DATA_BIT = 0
STEP_COUNT_BIT = 13

GROUPS: tuple[FlagGroup, ...] = (
    FlagGroup(0, (Field("speed_kmh", U16, 100),)),
    FlagGroup(1, (Field("avg_speed_kmh", U16, 100),)),
    FlagGroup(2, (Field("distance_m", U24),)),
    FlagGroup(3, (Field("incline_pct", S16, 10, 0x7FFF), Field("ramp_angle_deg", S16, 10, 0x7FFF))),
    FlagGroup(4, (Field("elevation_gain_m", U16, 10), Field("elevation_loss_m", U16, 10))),
    FlagGroup(5, (Field("pace_kmin", U8, 10),)),
    FlagGroup(6, (Field("avg_pace_kmin", U8, 10),)),
    FlagGroup(
        7,
        (
            Field("energy_kcal", U16, 1, 0xFFFF),
            Field("energy_per_hour_kcal", U16, 1, 0xFFFF),
            Field("energy_per_minute_kcal", U8, 1, 0xFF),
        ),
    ),
    FlagGroup(8, (Field("heart_rate_bpm", U8),)),
    FlagGroup(9, (Field("met", U8, 10),)),
    FlagGroup(10, (Field("elapsed_s", U16),)),
    FlagGroup(11, (Field("remaining_s", U16),)),
    FlagGroup(12, (Field("force_n", S16, 1, 0x7FFF), Field("power_w", S16, 1, 0x7FFF))),
    FlagGroup(STEP_COUNT_BIT, (Field("steps", U16),), pad=1),
)
_KNOWN_FLAGS = sum(1 << g.bit for g in GROUPS)
_PACE_FIELDS = frozenset({"pace_kmin", "avg_pace_kmin"})
#: Life Fitness and Matrix send these in the unsigned elevation fields for "not available".
_ELEVATION_NOT_AVAILABLE = frozenset({0x7FFF, 0xFFFF})
_ELEVATION_FIELDS = frozenset({"elevation_gain_m", "elevation_loss_m"})
#: Field names in wire order: the keys of ``treadctl decode treadmill-data``.
FIELD_NAMES: tuple[str, ...] = tuple(f.name for g in GROUPS for f in g.fields)
_FIELD_SET = frozenset(FIELD_NAMES)


@dataclass(frozen=True)
class TreadmillData:
    """One Treadmill Data record (or one packet of a split record).

    A field not sent is None and absent from ``present``; a field sent as "data not
    available" is None and in ``present``; ``missing`` lists fields the flags promised
    but the bytes did not hold.
    """

    speed_kmh: float | None = None
    avg_speed_kmh: float | None = None
    distance_m: int | None = None
    incline_pct: float | None = None
    ramp_angle_deg: float | None = None
    elevation_gain_m: float | None = None
    elevation_loss_m: float | None = None
    pace_kmin: float | None = None
    avg_pace_kmin: float | None = None
    energy_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    met: float | None = None
    elapsed_s: int | None = None
    remaining_s: int | None = None
    force_n: int | None = None
    power_w: int | None = None
    steps: int | None = None
    more_data: bool = False
    present: frozenset[str] = field(default_factory=frozenset)
    missing: tuple[str, ...] = ()
    deviations: tuple[Deviation, ...] = ()

    @classmethod
    def of(cls, **values: Any) -> TreadmillData:
        """A complete record holding exactly ``values`` (every key counts as present)."""
        return cls.from_values(values)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> TreadmillData:
        """Like :meth:`of`, from a dict, built directly (the simulator makes thousands)."""
        present = frozenset(values)
        if not present <= _FIELD_SET:
            unknown = sorted(present - _FIELD_SET)[0]
            raise TypeError(f"TreadmillData has no field {unknown!r}")
        fields = dict.fromkeys(FIELD_NAMES)
        fields.update(values)
        fields["more_data"] = False
        fields["present"] = present
        fields["missing"] = ()
        fields["deviations"] = ()
        record: TreadmillData = object.__new__(cls)
        object.__setattr__(record, "__dict__", fields)
        return record

    def as_dict(self) -> dict[str, Any]:
        """Present fields in wire order, then ``deviations`` (and ``missing`` if any)."""
        out: dict[str, Any] = {
            name: getattr(self, name) for name in FIELD_NAMES if name in self.present
        }
        if self.more_data:
            out["more_data"] = True
        if self.missing:
            out["missing"] = list(self.missing)
        out["deviations"] = [str(d) for d in self.deviations]
        return out


@lru_cache(maxsize=512)
def _layout(flags: int, pace_u16: bool) -> tuple[tuple[Field, ...], tuple[int, ...]]:
    """Fields present under ``flags`` in wire order, and the padding after each."""
    fields: list[Field] = []
    pads: list[int] = []
    for group in GROUPS:
        set_ = bool(flags >> group.bit & 1)
        if group.bit == MORE_DATA_BIT:
            set_ = not set_
        if not set_:
            continue
        for i, f in enumerate(group.fields):
            fields.append(Field(f.name, U16) if pace_u16 and f.name in _PACE_FIELDS else f)
            pads.append(group.pad if i == len(group.fields) - 1 else 0)
    return tuple(fields), tuple(pads)


def _layout_len(flags: int, pace_u16: bool) -> int:
    fields, pads = _layout(flags, pace_u16)
    return 2 + layout_size(fields) + sum(pads)


def decode_treadmill_data(data: bytes | bytearray | memoryview) -> TreadmillData:
    """Decode one Treadmill Data notification.

    A treadmill sends the same few layouts over and over, so each (flags, length) pair
    gets a decoder compiled from :data:`GROUPS` the first time it is seen; anything
    unusual (reserved bits, a record cut short, the pace question) takes the general
    path below, which the compiled decoders are tested against.

    Raises:
        FtmsDecodeError: fewer than the two flag bytes.
    """
    n = len(data)
    if n >= 2:
        key = data[0] | data[1] << 8 | n << 16
        fast = _COMPILED.get(key)
        if fast is None:
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            fast = _COMPILED[key] = _compile_decoder(data[0] | data[1] << 8, n)
        if fast is not _GENERAL:
            return fast(data)
    return _decode_general(data)


def _decode_general(data: bytes | bytearray | memoryview) -> TreadmillData:
    n = len(data)
    if n < 2:
        raise FtmsDecodeError(f"treadmill data needs 2 flag bytes, got {n}")
    flags = data[0] | data[1] << 8
    deviations: list[Deviation] = []
    if flags & ~_KNOWN_FLAGS & 0xFFFF:
        deviations.append(Deviation.RFU_BITS)
        flags &= _KNOWN_FLAGS
    if flags >> STEP_COUNT_BIT & 1:
        deviations.append(Deviation.STEP_COUNT_BIT13)
    # Two layouts are in use for pace (ftms.md, "Pace type caveat"): trust the uint16
    # one only when the length fits it and not the uint8 one.
    pace_u16 = bool(flags & 0b110_0000) and (
        n != _layout_len(flags, False) and n == _layout_len(flags, True)
    )
    if pace_u16:
        deviations.append(Deviation.PACE_UINT16)
    fields, pads = _layout(flags, pace_u16)
    values: dict[str, Any] = {}
    missing: list[str] = []
    offset = 2
    for i, (f, pad) in enumerate(zip(fields, pads, strict=True)):
        end = offset + f.size
        if end > n:
            # Once one field does not fit, every later one is missing too: reading a
            # smaller later field here would take bytes from this one.
            missing.extend(g.name for g in fields[i:])
            break
        raw = f.read_raw(data, offset)
        if f.name in _ELEVATION_FIELDS and raw in _ELEVATION_NOT_AVAILABLE:
            values[f.name] = None
            if Deviation.NOT_AVAILABLE_NONSTANDARD not in deviations:
                deviations.append(Deviation.NOT_AVAILABLE_NONSTANDARD)
        elif pace_u16 and f.name in _PACE_FIELDS:
            # seconds per 500 m -> km/min
            values[f.name] = round(30.0 / raw, 3) if raw else None
        else:
            values[f.name] = f.scale(raw)
        offset = min(end + pad, n)
    if missing:
        deviations.append(Deviation.TRUNCATED)
    elif offset < n:
        deviations.append(Deviation.TRAILING_BYTES)
    return TreadmillData(
        **values,
        more_data=bool(flags & 1),
        present=frozenset(values),
        missing=tuple(missing),
        deviations=tuple(deviations),
    )


# -- compiled decoders -----------------------------------------------------------------

_Decoder = Callable[[bytes | bytearray | memoryview], TreadmillData]
_STRUCT_CODES = {U8: "B", U16: "H", S16: "h", U24: "HB"}
_COMPILED_MAX = 256


def _general_marker(data: bytes | bytearray | memoryview) -> TreadmillData:
    raise AssertionError("marker, never called")


_GENERAL: _Decoder = _general_marker
_COMPILED: dict[int, _Decoder] = {}


def _compile_decoder(flags: int, n: int) -> _Decoder:
    """A decoder for exactly this flags word and length, or the general-path marker.

    The generated function unpacks every field with one precompiled ``struct`` call and
    fills a copy of a template ``__dict__`` for the frozen record: about ten times
    quicker than reading field by field and building the record through ``__init__``.
    """
    if flags & ~_KNOWN_FLAGS & 0xFFFF:
        return _GENERAL
    expected = _layout_len(flags, False)
    if n < expected or (flags & 0b110_0000 and n != expected):
        return _GENERAL
    fields, pads = _layout(flags, False)
    fmt = "<" + "".join(
        _STRUCT_CODES[f.kind] + "x" * pad for f, pad in zip(fields, pads, strict=True)
    )
    deviations: list[Deviation] = []
    if flags >> STEP_COUNT_BIT & 1:
        deviations.append(Deviation.STEP_COUNT_BIT13)
    if n > expected:
        deviations.append(Deviation.TRAILING_BYTES)
    nonstandard = [*deviations, Deviation.NOT_AVAILABLE_NONSTANDARD]
    body = ["    r = unpack(data, 2)"]
    exprs: dict[str, str] = {}
    i = 0
    for k, f in enumerate(fields):
        if f.kind is U24:
            raw = f"(r[{i}] | r[{i + 1}] << 16)"
            i += 2
        else:
            raw = f"r[{i}]"
            i += 1
        scaled = f"{raw} / {f.divisor}" if f.divisor != 1 else raw
        if f.name in _ELEVATION_FIELDS:
            body += [
                "    dev = DEV" if not any(e.startswith("v") for e in exprs.values()) else "",
                f"    v{k} = {raw}",
                f"    if v{k} in ELEVATION_NA:",
                f"        v{k} = None",
                "        dev = DEV_NA",
                "    else:",
                f"        v{k} = v{k} / {f.divisor}",
            ]
            exprs[f.name] = f"v{k}"
        elif f.not_available is not None:
            exprs[f.name] = f"(None if {raw} == {f.not_available} else {scaled})"
        else:
            exprs[f.name] = scaled
    body.append("    d = TEMPLATE.copy()")
    body += [f"    d[{name!r}] = {expr}" for name, expr in exprs.items()]
    if any(f.name in _ELEVATION_FIELDS for f in fields):
        body.append("    d['deviations'] = dev")
    body.append("    obj = new(cls)")
    body.append("    setattr_(obj, '__dict__', d)")
    body.append("    return obj")
    source = "def decode(data):\n" + "\n".join(line for line in body if line) + "\n"
    namespace: dict[str, Any] = {
        "unpack": struct.Struct(fmt).unpack_from,
        "new": object.__new__,
        "setattr_": object.__setattr__,
        "cls": TreadmillData,
        "DEV": tuple(deviations),
        "DEV_NA": tuple(nonstandard),
        "TEMPLATE": {
            **dict.fromkeys(FIELD_NAMES),
            "more_data": bool(flags & 1),
            "present": frozenset(f.name for f in fields),
            "missing": (),
            "deviations": tuple(deviations),
        },
        "ELEVATION_NA": _ELEVATION_NOT_AVAILABLE,
    }
    exec(compile(source, f"<treadmill data decoder 0x{flags:04X}/{n}>", "exec"), namespace)
    decoder: _Decoder = namespace["decode"]
    return decoder


# -- encoding ----------------------------------------------------------------------------

#: One notification's plan: its flags word and, for each field, the field and padding after.
_PacketPlan = tuple[bytes, tuple[tuple[Field, bytes], ...]]


@lru_cache(maxsize=256)
def _encoding_plan(present: frozenset[str], max_packet_len: int | None) -> tuple[_PacketPlan, ...]:
    """How a record with these fields is laid out in notifications (cached: it recurs).

    Raises:
        FtmsEncodeError: a group half present, or one that cannot fit a packet.
    """
    groups = [g for g in GROUPS if any(f.name in present for f in g.fields)]
    for group in groups:
        for f in group.fields:
            if f.name not in present and f.not_available is None:
                raise FtmsEncodeError(f"{f.name} is needed with the other fields of its flag")
    speed = [g for g in groups if g.bit == MORE_DATA_BIT]
    rest = [g for g in groups if g.bit != MORE_DATA_BIT]
    if max_packet_len is None or 2 + sum(g.size for g in groups) <= max_packet_len:
        chunks = [speed + rest]
    else:
        capacity = max_packet_len - 2
        if any(g.size > capacity for g in groups):
            raise FtmsEncodeError(f"a field group does not fit {max_packet_len} bytes")
        chunks = [[]]
        for group in rest:
            if sum(g.size for g in chunks[-1]) + group.size > capacity:
                chunks.append([])
            chunks[-1].append(group)
        if speed:
            if sum(g.size for g in chunks[-1]) + speed[0].size <= capacity:
                chunks[-1].insert(0, speed[0])
            else:
                chunks.append([speed[0]])
    plans: list[_PacketPlan] = []
    for i, chunk in enumerate(chunks):
        flags = sum(1 << g.bit for g in chunk if g.bit != MORE_DATA_BIT)
        last = i == len(chunks) - 1
        flags |= 0 if (last and speed) else 1
        writes = tuple(
            (f, bytes(g.pad) if j == len(g.fields) - 1 else b"")
            for g in chunk
            for j, f in enumerate(g.fields)
        )
        plans.append((flags.to_bytes(2, "little"), writes))
    return tuple(plans)


def encode_treadmill_data(
    record: TreadmillData, *, max_packet_len: int | None = None
) -> list[bytes]:
    """Encode a record as one notification, or several when it exceeds ``max_packet_len``.

    With the default ATT MTU of 23 a notification holds 20 bytes; a record with many
    fields is then split, Instantaneous Speed going out last (FTMS §4.4.1.2).

    Each layout gets an encoder compiled the first time it is seen (the simulator sends
    the same few layouts thousands of times in a fast replay); :func:`_encode_general`
    is the reference it is tested against.

    Raises:
        FtmsEncodeError: a value out of its field's range, or a group half present.
    """
    key = (record.present, max_packet_len)
    encoder = _ENCODERS.get(key)
    if encoder is None:
        encoder = _compile_encoder(_encoding_plan(record.present, max_packet_len))
        if len(_ENCODERS) < _COMPILED_MAX:
            _ENCODERS[key] = encoder
    return encoder(record)


def _encode_general(record: TreadmillData, *, max_packet_len: int | None = None) -> list[bytes]:
    """The reference encoder: field by field through :meth:`Field.write`."""
    return [
        flags + b"".join(f.write(getattr(record, f.name)) + pad for f, pad in writes)
        for flags, writes in _encoding_plan(record.present, max_packet_len)
    ]


_Encoder = Callable[[TreadmillData], list[bytes]]
_ENCODERS: dict[tuple[frozenset[str], int | None], _Encoder] = {}


def _compile_encoder(plan: tuple[_PacketPlan, ...]) -> _Encoder:
    """An encoder for one layout: each packet one precompiled ``struct`` call.

    Rounding and range checks are those of :meth:`Field.to_raw`, written out per field.
    """
    body: list[str] = []
    namespace: dict[str, Any] = {"floor": math.floor, "Error": FtmsEncodeError}
    packets: list[str] = []
    k = 0
    for p, (flags, writes) in enumerate(plan):
        fmt = "<"
        args: list[str] = []
        for f, pad in writes:
            v, r = f"v{k}", f"r{k}"
            body.append(f"    {v} = record.{f.name}")
            if f.not_available is None:
                body += [
                    f"    if {v} is None:",
                    f"        raise Error('{f.name} has no \\'not available\\' value')",
                ]
                na_check = ""
            else:
                body += [f"    if {v} is None:", f"        {r} = {f.not_available}", "    else:"]
                na_check = f" or {r} == {f.not_available}"
            indent = "        " if f.not_available is not None else "    "
            body += [
                f"{indent}x = round({v} * {f.divisor}, 6)",
                f"{indent}{r} = floor(x + 0.5) if x >= 0 else -floor(-x + 0.5)",
                f"{indent}if not {f.raw_min} <= {r} <= {f.raw_max}{na_check}:",
                f"{indent}    raise Error(f'{f.name}={{{v}}} does not fit {f.kind.name}')",
            ]
            if f.kind is U24:
                fmt += "HB"
                args += [f"{r} & 0xFFFF", f"{r} >> 16"]
            else:
                fmt += _STRUCT_CODES[f.kind]
                args.append(r)
            fmt += "x" * len(pad)
            k += 1
        namespace[f"pack{p}"] = struct.Struct(fmt).pack
        namespace[f"flags{p}"] = flags
        packets.append(f"flags{p} + pack{p}({', '.join(args)})")
    body.append(f"    return [{', '.join(packets)}]")
    source = "def encode(record):\n" + "\n".join(body) + "\n"
    exec(compile(source, "<treadmill data encoder>", "exec"), namespace)
    encoder: _Encoder = namespace["encode"]
    return encoder


def merge_records(parts: Iterable[TreadmillData]) -> TreadmillData:
    """One record from the packets of a split record; later packets win.

    Built the way the compiled decoders build records (a filled ``__dict__``): the
    client merges every split record a machine sends.
    """
    values = dict.fromkeys(FIELD_NAMES)
    present: set[str] = set()
    missing: list[str] = []
    deviations: list[Deviation] = []
    more = False
    for part in parts:
        fields = part.__dict__
        for name in part.present:
            values[name] = fields[name]
        present |= part.present
        missing.extend(m for m in part.missing if m not in missing)
        deviations.extend(d for d in part.deviations if d not in deviations)
        more = part.more_data
    values["more_data"] = more
    values["present"] = frozenset(present)
    values["missing"] = tuple(m for m in missing if m not in present)
    values["deviations"] = tuple(deviations)
    record: TreadmillData = object.__new__(TreadmillData)
    object.__setattr__(record, "__dict__", values)
    return record


class TreadmillDataAssembler:
    """Joins split records: feed packets, get a record when the last one arrives."""

    #: Packets held before a record that never completes is given up.
    MAX_PENDING = 8

    def __init__(self) -> None:
        self._pending: list[TreadmillData] = []
        self.dropped_packets = 0

    def feed(self, packet: TreadmillData) -> TreadmillData | None:
        self._pending.append(packet)
        if packet.more_data:
            if len(self._pending) > self.MAX_PENDING:
                self.dropped_packets += 1
                del self._pending[0]
            return None
        parts, self._pending = self._pending, []
        return parts[0] if len(parts) == 1 else merge_records(parts)

    def reset(self) -> None:
        """Forget a partly received record (on link loss it is discarded, FTMS §4.18)."""
        self.dropped_packets += len(self._pending)
        self._pending = []
