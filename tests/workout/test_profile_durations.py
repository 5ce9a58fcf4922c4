"""Durations as written in profiles: ``20s``, ``3m``, ``1m30s``, ``1h5m``, plain seconds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treadctl.workout.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20s", 20.0),
        ("3m", 180.0),
        ("1m30s", 90.0),
        ("1h5m", 3900.0),
        ("1h", 3600.0),
        ("90", 90.0),
        ("1.5m", 90.0),
        (" 2m 5s ", 125.0),
        ("1H2M3S", 3723.0),
        (45, 45.0),
        (2.5, 2.5),
    ],
)
def test_parse_reads_each_form(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "  ", "-5s", "3x", "0s", "0", "m", "1s2m", "5 minutes", "1m1m"]
)
def test_parse_refuses_bad_text(text: str) -> None:
    with pytest.raises(DurationError, match=r"duration|zero|negative"):
        parse_duration(text)


def test_parse_names_the_offending_text() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("3x")
    assert "'3x'" in str(caught.value)
    assert "1m30s" in str(caught.value)  # says how to write one


def test_negative_number_is_called_negative() -> None:
    with pytest.raises(DurationError, match="negative"):
        parse_duration(-5)


def test_bool_is_not_a_duration() -> None:
    with pytest.raises(DurationError):
        parse_duration(True)


def test_zero_allowed_only_when_asked() -> None:
    assert parse_duration("0s", allow_zero=True) == 0.0
    with pytest.raises(DurationError, match="zero"):
        parse_duration("0s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (90, "1m30s"),
        (20, "20s"),
        (3600, "1h"),
        (3905, "1h5m5s"),
        (0, "0s"),
        (12.5, "12.5s"),
        (60, "1m"),
    ],
)
def test_format(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=10 * 3600))
def test_format_reads_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
