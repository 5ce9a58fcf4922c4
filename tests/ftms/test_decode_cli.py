"""``treadctl decode``: one JSON value on stdout, or one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treadctl.cli import main
from treadctl.commands import BY_NAME
from treadctl.commands.decode import (
    KINDS,
    DecodeInputError,
    decode_value,
    parse_hex,
    register,
    service_data_in_advertising,
)
from treadctl.ftms import FtmsDecodeError, TreadmillData, encode_treadmill_data
from treadctl.hrs import HeartRateDecodeError

# A record split for a 20-byte notification (the complete packet, with speed, last).
SPLIT_RECORD = ["8F:05:40:01:D2:04:00:14:00:FF:7F:78:00:2C:01:05:80:84:03", "00:08:5E:01:2C:01"]


def decode_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["decode", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.endswith("}\n")
    assert out.startswith('{\n  "')  # indent 2
    value: dict[str, Any] = json.loads(out)
    return value


def decode_fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["decode", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("treadctl decode: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    return err


def test_registered() -> None:
    assert BY_NAME["decode"].register() is register


def test_treadmill_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "treadmill-data", "04 00 5E 01 10 27 00") == {
        "speed_kmh": 3.5,
        "distance_m": 10000,
        "deviations": [],
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["04 00 5E 01 10 27 00"],
        ["04:00:5E:01:10:27:00"],
        ["04-00-5e-01-10-27-00"],
        ["0400 5E01 102700"],
        ["04005E01102700"],
        ["0x04 0x00 0x5E 0x01 0x10 0x27 0x00"],
        ["(0x) 04-00-5E-01-10-27-00"],
        ["  04, 00, 5E, 01, 10, 27, 00  "],
    ],
)
def test_hex_spellings(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert decode_ok(capsys, "treadmill-data", *argv)["distance_m"] == 10000


def test_treadmill_data_all_keys_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    record = TreadmillData.of(
        speed_kmh=3.5,
        avg_speed_kmh=3.2,
        distance_m=1234,
        incline_pct=-1.5,
        ramp_angle_deg=None,
        elevation_gain_m=2.5,
        elevation_loss_m=0.5,
        pace_kmin=0.1,
        avg_pace_kmin=0.1,
        energy_kcal=None,
        energy_per_hour_kcal=300,
        energy_per_minute_kcal=5,
        heart_rate_bpm=128,
        met=4.3,
        elapsed_s=900,
        remaining_s=300,
        force_n=-4,
        power_w=150,
        steps=1234,
    )
    (packet,) = encode_treadmill_data(record)
    value = decode_ok(capsys, "treadmill-data", packet.hex(" "))
    assert list(value) == [
        "speed_kmh",
        "avg_speed_kmh",
        "distance_m",
        "incline_pct",
        "ramp_angle_deg",
        "elevation_gain_m",
        "elevation_loss_m",
        "pace_kmin",
        "avg_pace_kmin",
        "energy_kcal",
        "energy_per_hour_kcal",
        "energy_per_minute_kcal",
        "heart_rate_bpm",
        "met",
        "elapsed_s",
        "remaining_s",
        "force_n",
        "power_w",
        "steps",
        "deviations",
    ]
    assert value["ramp_angle_deg"] is None
    assert value["energy_kcal"] is None
    assert value["incline_pct"] == -1.5
    assert value["steps"] == 1234
    assert value["deviations"] == ["step_count_bit13"]


def test_split_record_as_several_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    value = decode_ok(capsys, "treadmill-data", *SPLIT_RECORD)
    assert value == {
        "speed_kmh": 3.5,
        "avg_speed_kmh": 3.2,
        "distance_m": 1234,
        "incline_pct": 2.0,
        "ramp_angle_deg": None,
        "energy_kcal": 120,
        "energy_per_hour_kcal": 300,
        "energy_per_minute_kcal": 5,
        "heart_rate_bpm": 128,
        "elapsed_s": 900,
        "remaining_s": 300,
        "deviations": [],
    }
    # The first packet alone is a partial record and says so.
    first = decode_ok(capsys, "treadmill-data", SPLIT_RECORD[0])
    assert first["more_data"] is True
    assert "speed_kmh" not in first


def test_split_record_matches_the_encoder() -> None:
    record = TreadmillData.of(speed_kmh=3.5, distance_m=1234, elapsed_s=900, heart_rate_bpm=128)
    packets = encode_treadmill_data(record, max_packet_len=8)
    assert len(packets) > 1
    assert decode_value("treadmill-data", packets) == {
        "speed_kmh": 3.5,
        "distance_m": 1234,
        "heart_rate_bpm": 128,
        "elapsed_s": 900,
        "deviations": [],
    }


def test_two_complete_records_are_not_merged(capsys: pytest.CaptureFixture[str]) -> None:
    err = decode_fails(capsys, "treadmill-data", "00 00 5E 01", "00 00 64 00")
    assert "packet 1 of 2 completes a record" in err


def test_unquoted_treadmill_bytes_get_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    err = decode_fails(capsys, "treadmill-data", "04", "00", "5E", "01")
    assert "quote" in err


def test_deviations_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    value = decode_ok(capsys, "treadmill-data", "84 00 5E 01 10 27 00 2C")
    assert value["missing"] == ["energy_kcal", "energy_per_hour_kcal", "energy_per_minute_kcal"]
    assert value["deviations"] == ["truncated"]


def test_feature(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "feature", "0C 14 00 00 03 00 00 00") == {
        "machine_features": ["total_distance", "inclination", "heart_rate", "elapsed_time"],
        "target_settings": ["speed", "inclination"],
        "deviations": [],
    }


def test_speed_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "speed-range", "60 00 83 02 20 00") == {
        "minimum_kmh": 0.96,
        "maximum_kmh": 6.43,
        "increment_kmh": 0.32,
        "deviations": [],
    }


def test_incline_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "incline-range", "F1 FF 96 00 05 00") == {
        "minimum_pct": -1.5,
        "maximum_pct": 15.0,
        "increment_pct": 0.5,
        "deviations": [],
    }


def test_training_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "training-status", "01 0D 52 75 6E") == {
        "status": "manual_mode",
        "status_code": 13,
        "text": "Run",
        "deviations": [],
    }
    assert decode_ok(capsys, "training-status", "11") == {
        "status": "unknown",
        "status_code": 17,
        "deviations": ["short_value", "unknown_code"],
    }


def test_machine_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "machine-status", "02 02") == {
        "op": "stopped_or_paused_by_user",
        "op_code": 2,
        "control": "pause",
        "deviations": [],
    }
    assert decode_ok(capsys, "machine-status", "05 5E 01 00") == {
        "op": "target_speed_changed",
        "op_code": 5,
        "speed_kmh": 3.5,
        "deviations": ["trailing_bytes"],
    }


def test_control_point_both_directions(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "control-point", "02 5E 01") == {
        "request": "set_target_speed",
        "op_code": 2,
        "speed_kmh": 3.5,
        "deviations": [],
    }
    assert decode_ok(capsys, "control-point", "80 02 03") == {
        "response_to": "set_target_speed",
        "request_op_code": 2,
        "result": "invalid_parameter",
        "result_code": 3,
        "deviations": [],
    }


def test_other_kinds_join_their_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "control-point", "03", "F1", "FF")["incline_pct"] == -1.5
    assert decode_ok(capsys, "speed-range", "64 00", "60 09", "0A 00")["maximum_kmh"] == 24.0


def test_advertisement(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "advertisement", "01 01 00") == {
        "available": True,
        "machine_types": ["treadmill"],
        "deviations": [],
    }
    assert decode_ok(capsys, "advertisement", "00 00 01")["deviations"] == ["byte_swapped"]


def test_advertisement_from_raw_advertising_data(capsys: pytest.CaptureFixture[str]) -> None:
    # Flags, complete 16-bit UUID list (0x1826), FTMS service data: not available.
    raw = "02 01 06 03 03 26 18 06 16 26 18 00 01 00"
    assert decode_ok(capsys, "advertisement", raw) == {
        "available": False,
        "machine_types": ["treadmill"],
        "deviations": [],
    }


@pytest.mark.parametrize(
    ("data", "inner"),
    [
        ("01 01 00", None),  # plain service data: "01" then a zero length
        ("02 01 06", None),  # AD structures without FTMS service data
        ("06 16 26 18 01 01 00", "01 01 00"),
        ("06 16 26 18 01 01 00 00 00", "01 01 00"),  # zero padding
        ("06 16 26 18 01 01", None),  # length runs past the end
        ("05 16 0D 18 01 02 06 16 26 18 01 20 00", "01 20 00"),  # other service data first
    ],
)
def test_service_data_in_advertising(data: str, inner: str | None) -> None:
    found = service_data_in_advertising(bytes.fromhex(data))
    assert found == (None if inner is None else bytes.fromhex(inner))


def test_unknown_kind_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    err = decode_fails(capsys, "treadmill", "00 00 64 00")
    assert "unknown kind 'treadmill'" in err
    for kind in KINDS:
        assert kind in err


@pytest.mark.parametrize(
    "text", ["zz", "04 0", "0x", "", "  ", "04 00 5G", "04;00", "(0x)", "04\n00 x"]
)
def test_bad_hex_is_one_line(capsys: pytest.CaptureFixture[str], text: str) -> None:
    decode_fails(capsys, "control-point", text)


@pytest.mark.parametrize(
    ("kind", "hex_"),
    [
        ("treadmill-data", "01"),
        ("feature", "0x"),  # parses to nothing: bad hex, not a decode error
        ("speed-range", "64 00 60"),
        ("control-point", "02 64"),
        ("control-point", "80 02"),
    ],
)
def test_decode_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], kind: str, hex_: str
) -> None:
    err = decode_fails(capsys, kind, hex_)
    assert err.startswith("treadctl decode: ")


def test_decode_error_names_the_kind(capsys: pytest.CaptureFixture[str]) -> None:
    err = decode_fails(capsys, "speed-range", "64 00 60")
    assert err.startswith("treadctl decode: speed-range: ")


def test_parse_hex() -> None:
    assert parse_hex("04 00:64-00") == b"\x04\x00\x64\x00"
    assert parse_hex("0XAB") == b"\xab"
    with pytest.raises(DecodeInputError, match="odd number"):
        parse_hex("123")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(KINDS), st.lists(st.binary(max_size=24), min_size=1, max_size=3))
def test_decode_value_never_crashes(kind: str, packets: list[bytes]) -> None:
    try:
        value = decode_value(kind, packets)
    except (DecodeInputError, FtmsDecodeError, HeartRateDecodeError):
        return
    assert json.loads(json.dumps(value, allow_nan=False)) == value
    assert isinstance(value["deviations"], list)


def test_no_arguments_is_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["decode", "feature"])
    assert exit_.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_real_subprocess() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-m", "treadctl", "decode", "treadmill-data", *SPLIT_RECORD],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["speed_kmh"] == 3.5

    failed = subprocess.run(
        [sys.executable, "-m", "treadctl", "decode", "rower-data", "00"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("treadctl decode: unknown kind 'rower-data'")
    assert failed.stderr.count("\n") == 1


DOC = Path(__file__).resolve().parents[2] / "docs" / "decode.md"


def doc_examples() -> list[tuple[str, str]]:
    """(command, expected output) for every ``$ treadctl decode`` line in docs/decode.md."""
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"```\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ treadctl decode "):
                command, _, output = chunk.partition("\n")
                examples.append((command.removeprefix("$ treadctl "), output))
    return examples


def test_doc_has_an_example_of_every_kind() -> None:
    commands = [command for command, _ in doc_examples()]
    for kind in KINDS:
        assert any(c.startswith(f"decode {kind} ") for c in commands), kind


@pytest.mark.parametrize(("command", "expected"), doc_examples())
def test_doc_examples_are_real_output(
    capsys: pytest.CaptureFixture[str], command: str, expected: str
) -> None:
    code = main(shlex.split(command))
    out, err = capsys.readouterr()
    assert out + err == expected
    assert code == (2 if err else 0)
