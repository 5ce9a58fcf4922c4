"""Parameter layouts shared by Control Point requests and Fitness Machine Status.

A Set Target Speed request and a Target Speed Changed status carry the same field, so
both tables below point at the same layout constants.
"""

from __future__ import annotations

from typing import Any

from treadctl.ftms.errors import FtmsEncodeError
from treadctl.ftms.fields import S16, U8, U16, U24, Field, layout_size

SPEED = (Field("speed_kmh", U16, 100),)
INCLINE = (Field("incline_pct", S16, 10),)
RESISTANCE_U8 = (Field("resistance_level", U8, 10),)
RESISTANCE_S16 = (Field("resistance_level", S16, 10),)
POWER = (Field("power_w", S16),)
HEART_RATE = (Field("heart_rate_bpm", U8),)
CONTROL = (Field("control", U8),)
ENERGY = (Field("energy_kcal", U16),)
STEPS = (Field("steps", U16),)
STRIDES = (Field("strides", U16),)
DISTANCE = (Field("distance_m", U24),)
TIME = (Field("time_s", U16),)
ZONES_2 = tuple(Field(f"zone{i}_s", U16) for i in range(1, 3))
ZONES_3 = tuple(Field(f"zone{i}_s", U16) for i in range(1, 4))
ZONES_5 = tuple(Field(f"zone{i}_s", U16) for i in range(1, 6))
BIKE_SIMULATION = (
    Field("wind_speed_mps", S16, 1000),
    Field("grade_pct", S16, 100),
    Field("crr", U8, 10000),
    Field("cw_kg_per_m", U8, 100),
)
WHEEL = (Field("wheel_circumference_mm", U16, 10),)
SPIN_DOWN_CONTROL = (Field("control", U8),)
SPIN_DOWN_STATUS = (Field("spin_down_status", U8),)
CADENCE = (Field("cadence_rpm", U16, 2),)


def read_fields(
    fields: tuple[Field, ...], data: bytes | bytearray | memoryview, offset: int
) -> tuple[dict[str, Any], list[str], bool]:
    """Values of ``fields`` from ``offset``, the names that did not fit, and trailing bytes."""
    values: dict[str, Any] = {}
    missing: list[str] = []
    for i, f in enumerate(fields):
        if offset + f.size > len(data):
            # Later fields sit after this one: they are missing too, not read from here.
            missing.extend(g.name for g in fields[i:])
            break
        values[f.name] = f.read(data, offset)
        offset += f.size
    return values, missing, offset < len(data) and not missing


def write_fields(fields: tuple[Field, ...], values: dict[str, Any]) -> bytes:
    absent = [f.name for f in fields if f.name not in values]
    if absent:
        raise FtmsEncodeError(f"missing parameter {', '.join(absent)}")
    return b"".join(f.write(values[f.name]) for f in fields)


__all__ = ["layout_size", "read_fields", "write_fields"]
