"""Hypothesis strategies: values on each field's wire grid, for round-trip tests.

A value is drawn as the raw integer and divided by the field's divisor, so every
generated value is exactly representable on the wire.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from treadctl.ftms import (
    REQUEST_TYPES,
    ControlPointResponse,
    ControlRequest,
    Features,
    FtmsServiceData,
    MachineFeature,
    MachineStatus,
    MachineType,
    StatusOp,
    SupportedRange,
    TargetFeature,
    TrainingStatusValue,
    TreadmillData,
)
from treadctl.ftms.fields import Field
from treadctl.ftms.machine_status import STATUS_LAYOUTS
from treadctl.ftms.treadmill_data import GROUPS

#: Raw values the decoder reads as "not available" although the field has no such marker
#: in the spec (Life Fitness and Matrix send them in the unsigned elevation fields).
NONSTANDARD_NOT_AVAILABLE: dict[str, frozenset[int]] = {
    "elevation_gain_m": frozenset({0x7FFF, 0xFFFF}),
    "elevation_loss_m": frozenset({0x7FFF, 0xFFFF}),
}


def raw_to_value(f: Field, raw: int) -> float | int:
    return raw / f.divisor if f.divisor != 1 else raw


def field_values(f: Field, *, allow_none: bool = True) -> st.SearchStrategy[float | int | None]:
    """Any value ``f`` can carry; None only if the field has a "not available" marker."""
    excluded = NONSTANDARD_NOT_AVAILABLE.get(f.name, frozenset())
    if f.not_available is not None:
        excluded = excluded | {f.not_available}
    raws = st.integers(f.kind.raw_min, f.kind.raw_max).filter(lambda r: r not in excluded)
    values: st.SearchStrategy[float | int | None] = raws.map(lambda r: raw_to_value(f, r))
    if allow_none and f.not_available is not None:
        values = st.one_of(st.none(), values)
    return values


def layout_values(layout: tuple[Field, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({f.name: field_values(f) for f in layout})


@st.composite
def treadmill_records(draw: st.DrawFn, *, with_speed: bool | None = None) -> TreadmillData:
    """A complete record: each flag group wholly present or wholly absent."""
    values: dict[str, Any] = {}
    for group in GROUPS:
        wanted = with_speed if (group.bit == 0 and with_speed is not None) else draw(st.booleans())
        if wanted:
            values.update(draw(layout_values(group.fields)))
    return TreadmillData.of(**values)


@st.composite
def control_requests(draw: st.DrawFn) -> ControlRequest:
    cls = draw(st.sampled_from(sorted(REQUEST_TYPES.values(), key=lambda c: int(c.OP))))
    return cls(**draw(layout_values(cls.LAYOUT)))


@st.composite
def control_responses(draw: st.DrawFn) -> ControlPointResponse:
    return ControlPointResponse(
        request_op_code=draw(st.integers(0, 0xFF)),
        result_code=draw(st.integers(0, 0xFF)),
        parameter=draw(st.binary(max_size=17)),
    )


@st.composite
def machine_statuses(draw: st.DrawFn) -> MachineStatus:
    op = draw(st.sampled_from(list(StatusOp)))
    params = draw(layout_values(STATUS_LAYOUTS.get(op, ())))
    return MachineStatus(int(op), params)


training_statuses: st.SearchStrategy[TrainingStatusValue] = st.builds(
    TrainingStatusValue,
    code=st.integers(0, 0xFF),
    text=st.one_of(st.none(), st.text(max_size=20)),
    extended=st.booleans(),
)

features: st.SearchStrategy[Features] = st.builds(
    Features,
    machine=st.integers(0, (1 << 17) - 1).map(MachineFeature),
    target=st.integers(0, (1 << 17) - 1).map(TargetFeature),
)

service_data: st.SearchStrategy[FtmsServiceData] = st.builds(
    FtmsServiceData,
    available=st.booleans(),
    machine_type=st.integers(0, (1 << 6) - 1).map(MachineType),
)


@st.composite
def supported_ranges(draw: st.DrawFn, *, signed: bool, divisor: int) -> SupportedRange:
    """A well-formed range (minimum <= maximum, increment > 0) on the wire grid."""
    lo_raw, hi_raw = (-0x8000, 0x7FFF) if signed else (0, 0xFFFF)
    a = draw(st.integers(lo_raw, hi_raw))
    b = draw(st.integers(lo_raw, hi_raw))
    step = draw(st.integers(1, 0xFFFF))
    return SupportedRange(min(a, b) / divisor, max(a, b) / divisor, step / divisor)
