"""The energy estimate: its anchors in the sources, heart rate where it can, its basis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history.making import ladder_profile, rehearse_async
from treadctl.history.energy import (
    BACKWARD_5PCT_MET,
    BACKWARD_LEVEL_MET,
    REFERENCE_SPEED_KMH,
    Body,
    Interval,
    acsm_forward_met,
    backward_met,
    estimate,
    keytel_kcal_per_min,
)
from treadctl.history.log import load_session_log


def test_backward_walking_meets_the_compendium_at_3_5_mph() -> None:
    assert backward_met(REFERENCE_SPEED_KMH, 0) == pytest.approx(BACKWARD_LEVEL_MET)
    assert backward_met(REFERENCE_SPEED_KMH, 5) == pytest.approx(BACKWARD_5PCT_MET)
    assert pytest.approx(1.4, abs=0.01) == BACKWARD_LEVEL_MET / 4.3


def test_steep_backward_walking_is_17_to_20_percent_above_forward() -> None:
    ratio = backward_met(REFERENCE_SPEED_KMH, 10) / acsm_forward_met(REFERENCE_SPEED_KMH, 10)
    assert 1.17 <= ratio <= 1.20


def test_slower_backward_costs_less_and_standing_still_is_rest() -> None:
    assert backward_met(0.8, 0) < backward_met(2.0, 0) < backward_met(REFERENCE_SPEED_KMH, 0)
    assert backward_met(0.8, 0) > 1.0
    assert backward_met(0.0, 5) == 1.0
    assert backward_met(2.0, 40) == backward_met(2.0, 15)  # held beyond the sources


def test_heart_rate_is_used_with_age_and_sex_and_the_basis_says_so() -> None:
    hot = [Interval(60.0, 3.0, 0.0, "backward", 130)]
    by_speed = estimate(hot, Body(80.0))
    assert by_speed.by_heart_rate_s == 0
    assert by_speed.heart_rate_unused
    assert "set age_years and sex" in by_speed.basis
    assert "80 kg" in by_speed.basis
    by_heart = estimate(hot, Body(80.0, 40, "male"))
    assert by_heart.by_heart_rate_s == 60
    assert by_heart.kcal == pytest.approx(keytel_kcal_per_min(130, 80, 40, "male"))
    assert "heart rate (Keytel 2005) for 100 %" in by_heart.basis
    # Below 90 bpm the equations do not hold: speed and incline instead.
    calm = estimate([Interval(60.0, 3.0, 0.0, "backward", 70)], Body(80.0, 40, "female"))
    assert calm.by_heart_rate_s == 0
    assert calm.by_speed_s == 60
    assert "70 kg assumed" in estimate(hot, Body()).basis


async def test_a_session_costs_more_backward_than_the_same_walked_forward(
    tmp_path: Path,
) -> None:
    profile = ladder_profile(tmp_path, 60, 2.0, bouts=2)
    log = load_session_log(await rehearse_async(profile, tmp_path, max_backward_speed_kmh=3.0))
    intervals = [
        Interval(d, p.speed_kmh, p.incline_pct, p.facing, p.heart_rate_bpm)
        for p, d in log.intervals()
    ]
    result = estimate(intervals, Body(70.0))
    assert result.kcal > result.forward_equivalent_kcal
    assert result.by_speed_s == pytest.approx(log.end_s, abs=1)
    assert "Compendium 2011" in result.basis
