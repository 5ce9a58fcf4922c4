"""Property tests: every characteristic round-trips, and no input makes a decoder crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treadctl.ftms import (
    ControlPointResponse,
    ControlRequest,
    Deviation,
    Features,
    FtmsDecodeError,
    FtmsServiceData,
    MachineStatus,
    ResultCode,
    SupportedRange,
    TrainingStatusValue,
    TreadmillData,
    TreadmillDataAssembler,
    decode_control_point,
    decode_features,
    decode_incline_range,
    decode_machine_status,
    decode_request,
    decode_response,
    decode_service_data,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    encode_features,
    encode_incline_range,
    encode_machine_status,
    encode_request,
    encode_response,
    encode_service_data,
    encode_speed_range,
    encode_training_status,
    encode_treadmill_data,
    merge_records,
)
from treadctl.ftms.treadmill_data import GROUPS, STEP_COUNT_BIT

from .strategies import (
    control_requests,
    control_responses,
    features,
    machine_statuses,
    service_data,
    supported_ranges,
    training_statuses,
    treadmill_records,
)

ROUND_TRIP = settings(max_examples=200, deadline=None)
FUZZ = settings(max_examples=300, deadline=None)


def values_of(record: TreadmillData) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.present}


def expected_deviations(record: TreadmillData) -> tuple[Deviation, ...]:
    return (Deviation.STEP_COUNT_BIT13,) if "steps" in record.present else ()


# --- Treadmill Data ----------------------------------------------------------------------


@ROUND_TRIP
@given(treadmill_records())
def test_treadmill_data_round_trips(record: TreadmillData) -> None:
    (packet,) = encode_treadmill_data(record)
    decoded = decode_treadmill_data(packet)
    assert values_of(decoded) == values_of(record)
    assert decoded.present == record.present
    assert decoded.more_data is ("speed_kmh" not in record.present)
    assert decoded.missing == ()
    assert decoded.deviations == expected_deviations(record)
    assert encode_treadmill_data(decoded) == [packet]


@ROUND_TRIP
@given(treadmill_records(), st.integers(8, 40))
def test_treadmill_data_split_and_merge_round_trips(record: TreadmillData, max_len: int) -> None:
    packets = encode_treadmill_data(record, max_packet_len=max_len)
    assert all(len(p) <= max_len for p in packets)
    decoded = [decode_treadmill_data(p) for p in packets]
    assert all(d.missing == () for d in decoded)
    # More Data set on every packet but the last; the last one has it set only if the
    # record has no Instantaneous Speed (which is what completes a record).
    assert [d.more_data for d in decoded[:-1]] == [True] * (len(decoded) - 1)
    assert decoded[-1].more_data is ("speed_kmh" not in record.present)
    names = [n for d in decoded for n in d.present]
    assert len(names) == len(set(names))
    merged = merge_records(decoded)
    assert values_of(merged) == values_of(record)
    assert merged.present == record.present


@ROUND_TRIP
@given(treadmill_records(with_speed=True), st.integers(8, 40))
def test_treadmill_data_assembler_reassembles_split_records(
    record: TreadmillData, max_len: int
) -> None:
    assembler = TreadmillDataAssembler()
    for _ in range(2):  # twice: the assembler starts clean after each record
        packets = encode_treadmill_data(record, max_packet_len=max_len)
        results = [assembler.feed(decode_treadmill_data(p)) for p in packets]
        assert results[:-1] == [None] * (len(packets) - 1)
        whole = results[-1]
        assert whole is not None
        assert values_of(whole) == values_of(record)
        assert whole.present == record.present
        assert not whole.more_data
    assert assembler.dropped_packets == 0


@ROUND_TRIP
@given(treadmill_records(), st.data())
def test_treadmill_data_cut_short_decodes_what_is_there(
    record: TreadmillData, data: st.DataObject
) -> None:
    (packet,) = encode_treadmill_data(record)
    cut = data.draw(st.integers(2, len(packet)), label="cut")
    decoded = decode_treadmill_data(packet[:cut])

    # Where each field sits, worked out from the group table.
    expected_present: dict[str, Any] = {}
    expected_missing: list[str] = []
    offset = 2
    for group in GROUPS:
        if not any(f.name in record.present for f in group.fields):
            continue
        for f in group.fields:
            offset += f.size
            if offset <= cut and not expected_missing:
                expected_present[f.name] = getattr(record, f.name)
            else:
                expected_missing.append(f.name)
        offset += group.pad
    assert values_of(decoded) == expected_present
    assert list(decoded.missing) == expected_missing
    truncated = (Deviation.TRUNCATED,) if expected_missing else ()
    assert decoded.deviations == expected_deviations(record) + truncated


@FUZZ
@given(st.integers(0, 0xFFFF), st.binary(max_size=40))
def test_treadmill_data_any_flags_and_body(flags: int, body: bytes) -> None:
    record = decode_treadmill_data(flags.to_bytes(2, "little") + body)
    assert record.more_data is bool(flags & 1)
    assert not (record.present & set(record.missing))
    assert (Deviation.RFU_BITS in record.deviations) is bool(flags & 0xC000)
    assert (Deviation.STEP_COUNT_BIT13 in record.deviations) is bool(flags >> STEP_COUNT_BIT & 1)
    assert (Deviation.TRUNCATED in record.deviations) is bool(record.missing)
    assert not (
        Deviation.TRUNCATED in record.deviations and Deviation.TRAILING_BYTES in record.deviations
    )


# --- The other characteristics -----------------------------------------------------------


@ROUND_TRIP
@given(control_requests())
def test_control_requests_round_trip(request: ControlRequest) -> None:
    wire = encode_request(request)
    assert wire[0] == request.OP
    assert decode_request(wire) == request
    assert decode_control_point(wire) == request


@ROUND_TRIP
@given(control_responses())
def test_control_responses_round_trip(response: ControlPointResponse) -> None:
    decoded = decode_response(encode_response(response))
    assert decoded.request_op_code == response.request_op_code
    assert decoded.result_code == response.result_code
    assert decoded.parameter == response.parameter
    known = response.result_code in {int(r) for r in ResultCode}
    assert decoded.deviations == (() if known else (Deviation.UNKNOWN_CODE,))
    assert decode_control_point(encode_response(response)) == decoded


@ROUND_TRIP
@given(machine_statuses())
def test_machine_status_round_trips(status: MachineStatus) -> None:
    decoded = decode_machine_status(encode_machine_status(status))
    assert decoded.code == status.code
    assert dict(decoded.params) == dict(status.params)
    assert decoded.deviations == ()


@ROUND_TRIP
@given(training_statuses)
def test_training_status_round_trips(value: TrainingStatusValue) -> None:
    decoded = decode_training_status(encode_training_status(value))
    assert (decoded.code, decoded.text, decoded.extended) == (
        value.code,
        value.text,
        value.extended,
    )
    assert decoded.deviations == (() if value.code <= 0x0F else (Deviation.UNKNOWN_CODE,))


@ROUND_TRIP
@given(features)
def test_features_round_trip(value: Features) -> None:
    assert decode_features(encode_features(value)) == value


@ROUND_TRIP
@given(service_data)
def test_service_data_round_trips(value: FtmsServiceData) -> None:
    assert decode_service_data(encode_service_data(value)) == value


@ROUND_TRIP
@given(supported_ranges(signed=False, divisor=100))
def test_speed_range_round_trips(value: SupportedRange) -> None:
    assert decode_speed_range(encode_speed_range(value)) == value


@ROUND_TRIP
@given(supported_ranges(signed=True, divisor=10))
def test_incline_range_round_trips(value: SupportedRange) -> None:
    assert decode_incline_range(encode_incline_range(value)) == value


@ROUND_TRIP
@given(
    st.one_of(
        supported_ranges(signed=False, divisor=100), supported_ranges(signed=True, divisor=10)
    ),
    st.floats(-5000, 5000, allow_nan=False),
)
def test_snap_picks_the_nearest_grid_point_in_range(r: SupportedRange, wanted: float) -> None:
    snapped = r.snap(wanted)
    value = snapped.value
    assert r.contains(value)
    steps = (value - r.minimum) / r.increment
    assert abs(steps - round(steps)) < 1e-6
    assert snapped.clamped is (wanted < r.minimum or wanted > r.maximum)
    target = min(max(wanted, r.minimum), r.maximum)
    for neighbour in (value - r.increment, value + r.increment):
        if r.contains(neighbour):
            assert abs(value - target) <= abs(neighbour - target) + 1e-6


# --- Fuzz: any bytes give a value or FtmsDecodeError, and the value prints as JSON --------

DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    "treadmill_data": lambda b: decode_treadmill_data(b).as_dict(),
    "features": lambda b: decode_features(b).as_dict(),
    "speed_range": lambda b: decode_speed_range(b).as_dict("kmh"),
    "incline_range": lambda b: decode_incline_range(b).as_dict("pct"),
    "training_status": lambda b: decode_training_status(b).as_dict(),
    "machine_status": lambda b: decode_machine_status(b).as_dict(),
    "request": lambda b: decode_request(b).as_dict(),
    "response": lambda b: decode_response(b).as_dict(),
    "control_point": lambda b: decode_control_point(b).as_dict(),
    "service_data": lambda b: decode_service_data(b).as_dict(),
}


@pytest.mark.parametrize("name", sorted(DECODERS))
@FUZZ
@given(data=st.binary(max_size=64))
def test_decoders_never_crash(name: str, data: bytes) -> None:
    try:
        shown = DECODERS[name](data)
    except FtmsDecodeError:
        return
    text = json.dumps(shown, allow_nan=False)
    assert json.loads(text) == shown
    assert isinstance(shown["deviations"], list)
    assert all(d in {str(v) for v in Deviation} for d in shown["deviations"])


@FUZZ
@given(st.lists(st.binary(min_size=2, max_size=24), max_size=20))
def test_assembler_takes_any_packet_sequence(packets: list[bytes]) -> None:
    assembler = TreadmillDataAssembler()
    pending = dropped = 0
    for packet in packets:
        decoded = decode_treadmill_data(packet)
        result = assembler.feed(decoded)
        if decoded.more_data:
            assert result is None
            pending += 1
            if pending > TreadmillDataAssembler.MAX_PENDING:
                pending -= 1
                dropped += 1
        else:
            assert result is not None
            assert not result.more_data
            assert decoded.present <= result.present
            pending = 0
    assert assembler.dropped_packets == dropped
