"""``treadctl decode heart-rate`` and ``body-sensor-location``: JSON out, one line on error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from treadctl.cli import main


def decode_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["decode", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    value: dict[str, Any] = json.loads(out)
    return value


def test_heart_rate_with_energy_and_rr(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "heart-rate", "1E 4B 10 00 00 04 00 03") == {
        "heart_rate_bpm": 75,
        "rate_format": "uint8",
        "contact": "contact",
        "energy_kj": 16,
        "rr_1024": [1024, 768],
        "rr_s": [1.0, 0.75],
        "treadctl_bpm": 75,
        "deviations": [],
    }


def test_heart_rate_unknown_is_said_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    no_contact = decode_ok(capsys, "heart-rate", "06", "00")  # joined: contact, rate 0
    assert no_contact["treadctl_bpm"] is None
    assert no_contact["unknown_reason"] == "zero"
    off_skin = decode_ok(capsys, "heart-rate", "04 50")
    assert (off_skin["heart_rate_bpm"], off_skin["treadctl_bpm"]) == (80, None)
    assert off_skin["unknown_reason"] == "no_contact"


def test_heart_rate_16_bit_with_a_stray_byte(capsys: pytest.CaptureFixture[str]) -> None:
    value = decode_ok(capsys, "heart-rate", "01:2C:01:00")
    assert value["rate_format"] == "uint16"
    assert value["unknown_reason"] == "implausible"
    assert value["deviations"] == ["trailing_bytes"]


def test_body_sensor_location(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_ok(capsys, "body-sensor-location", "02")["location"] == "wrist"


@pytest.mark.parametrize(("kind", "hex_"), [("heart-rate", "06"), ("heart-rate", "01 48")])
def test_no_rate_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], kind: str, hex_: str
) -> None:
    assert main(["decode", kind, hex_]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"treadctl decode: {kind}: ")
    assert err.count("\n") == 1
