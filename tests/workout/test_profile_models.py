"""Profile models: units, repeats, flattening, cues, limits that only tighten, turns."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from treadctl.config import Settings, load_settings
from treadctl.units import KMH_PER_MPH
from treadctl.workout.builtin import load_profile
from treadctl.workout.loader import load_profile_file, parse_profile, profile_from_data
from treadctl.workout.plan import plan_limits
from treadctl.workout.profile import (
    Limits,
    Profile,
    ProfileError,
    Repeat,
    Segment,
    Turn,
    flatten,
    summarize,
)
from treadctl.workout.timeline import PlanLimits

from .conftest import WriteFile

NESTED = """
title = "Nested"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 4.0
duration = "2m"

[[segments]]
label = "Outer"
times = 2

  [[segments.segments]]
  label = "Back"
  direction = "backward"
  speed_kmh = 1.0
  duration = "20s"

  [[segments.segments]]
  label = "Inner"
  times = 3

    [[segments.segments.segments]]
    label = "Tiny"
    direction = "forward"
    speed_kmh = 2.0
    duration = 10
"""


def _segment(**values: object) -> dict[str, object]:
    return {"direction": "backward", "speed_kmh": 1.0, "duration": "20s", **values}


def _profile(*segments: dict[str, object], **values: object) -> Profile:
    data = {"segments": list(segments) or [_segment()], **values}
    return profile_from_data(data, source="t.toml", name="t")


def test_minimal_profile_reads_units_and_defaults(write_file: WriteFile) -> None:
    path = write_file(
        "walk-back.toml",
        '[[segments]]\ndirection = "backward"\nspeed_kmh = 1.2\nduration = "1m30s"\n',
    )
    profile = load_profile_file(path)
    assert profile.name == "walk-back"  # from the file name
    assert profile.display_title == "walk-back"
    (segment,) = profile.segments
    assert isinstance(segment, Segment)
    assert segment.duration_s == 90.0
    assert segment.incline_pct == 0.0
    assert segment.speed_mph is None
    assert profile.source is not None
    assert profile.source.endswith("walk-back.toml")


def test_name_in_file_wins_over_file_name(write_file: WriteFile) -> None:
    path = write_file("x.toml", 'name = "mine"\n[[segments]]\n' + _toml_segment())
    assert load_profile_file(path).name == "mine"


def _toml_segment() -> str:
    return 'direction = "forward"\nspeed_kmh = 3.0\nduration = "1m"\n'


def test_speed_mph_is_converted_to_kmh() -> None:
    profile = _profile({"direction": "backward", "speed_mph": 0.5, "duration": "20s"})
    segment = profile.segments[0]
    assert isinstance(segment, Segment)
    assert segment.speed_kmh == pytest.approx(0.5 * KMH_PER_MPH)
    assert segment.speed_kmh == pytest.approx(0.8047, abs=1e-4)
    assert segment.speed_mph == 0.5


def test_duration_s_key_takes_seconds() -> None:
    raw = {"direction": "forward", "speed_kmh": 3.0, "duration_s": 45}
    segment = _profile(raw).segments[0]
    assert isinstance(segment, Segment)
    assert segment.duration_s == 45.0


def test_repeats_nest_and_flatten_in_order(write_file: WriteFile) -> None:
    profile = load_profile_file(write_file("nested.toml", NESTED))
    flat = flatten(profile)
    assert [f.label for f in flat] == ["Warm-up", "Back", "Tiny", "Tiny", "Tiny"] * 1 + [
        "Back",
        "Tiny",
        "Tiny",
        "Tiny",
    ]
    assert [f.index for f in flat] == list(range(9))
    assert flat[0].start_s == 0.0
    assert flat[1].start_s == 120.0
    assert flat[2].start_s == 140.0
    assert flat[-1].end_s == 120 + 2 * (20 + 3 * 10)
    assert flat[3].location == (1, 1, 0)
    assert flat[3].iterations == ((1, 2), (2, 3))
    assert flat[3].path == (
        'segment 2 ("Outer") repeat 1/2 > segment 2 ("Inner") repeat 2/3 > segment 1 ("Tiny")'
    )
    assert flat[3].display_label == "Tiny (2/3)"
    assert flat[0].display_label == "Warm-up"


def test_summary_counts_times_speeds_and_turns(write_file: WriteFile) -> None:
    summary = summarize(load_profile_file(write_file("nested.toml", NESTED)))
    assert summary.segment_count == 9
    assert summary.total_s == 220.0
    assert summary.backward_s == 40.0
    assert summary.direction_changes == 4  # fwd->back->fwd, twice
    assert summary.max_backward_speed_kmh == 1.0
    assert summary.max_forward_speed_kmh == 4.0


def test_cues_are_sorted_and_may_start_at_zero() -> None:
    segment = _profile(
        _segment(cues=[{"at": "15s", "text": "later"}, {"at": "0s", "text": "first"}])
    ).segments[0]
    assert isinstance(segment, Segment)
    assert [c.text for c in segment.cues] == ["first", "later"]
    assert [c.at_s for c in segment.cues] == [0.0, 15.0]


def test_cue_at_or_after_the_end_is_refused() -> None:
    with pytest.raises(ProfileError) as caught:
        _profile(_segment(label="Bout", cues=[{"at": "20s", "text": "too late"}]))
    message = str(caught.value)
    assert 't.toml: segment 1 ("Bout")' in message
    assert "field at" in message
    assert "20s is not inside the segment" in message


def test_models_are_frozen() -> None:
    segment = Segment(direction="forward", speed_kmh=3.0, duration_s=60)
    with pytest.raises(ValidationError):
        segment.speed_kmh = 30.0  # type: ignore[misc]


def test_models_can_be_built_in_python() -> None:
    bout = Segment(direction="backward", speed_kmh=1.0, duration_s=20, label="b")
    profile = Profile(name="py", segments=(Repeat(times=3, segments=(bout,)),))
    assert [f.path for f in flatten(profile)][-1] == 'segment 1 repeat 3/3 > segment 1 ("b")'


def test_limits_only_tighten(config_path: Path) -> None:
    settings = load_settings(config_path, max_heart_rate_bpm=160)
    tighter = _profile(
        limits={
            "max_backward_speed_kmh": 1.5,
            "max_forward_speed_kmh": 20.0,
            "max_heart_rate_bpm": 150,
        }
    )
    limits = plan_limits(tighter, settings)
    assert limits.max_backward_speed_kmh == 1.5  # tighter than the user's 3.0
    assert limits.max_forward_speed_kmh == 12.0  # the profile's 20 cannot loosen 12
    assert limits.max_backward_incline_pct == 5.0  # unset: the user's
    assert limits.max_heart_rate_bpm == 150

    looser = _profile(limits={"max_backward_speed_kmh": 9.0, "max_heart_rate_bpm": 190})
    limits = plan_limits(looser, settings)
    assert limits.max_backward_speed_kmh == 3.0
    assert limits.max_heart_rate_bpm == 160


def test_profile_heart_rate_limit_applies_when_user_has_none(config_path: Path) -> None:
    profile = _profile(limits={"max_heart_rate_bpm": 140})
    assert plan_limits(profile, load_settings(config_path)).max_heart_rate_bpm == 140
    assert plan_limits(_profile(), load_settings(config_path)).max_heart_rate_bpm is None


def test_segment_above_the_profiles_own_limit_is_refused() -> None:
    with pytest.raises(ProfileError) as caught:
        _profile(_segment(label="Fast", speed_kmh=2.0), limits={"max_backward_speed_kmh": 1.5})
    message = str(caught.value)
    assert 'segment 1 ("Fast"), field speed_kmh: 2.0' in message
    assert "limits.max_backward_speed_kmh" in message


def turn_of(limits: PlanLimits) -> tuple[float, float, bool, float]:
    return (limits.turn_speed_kmh, limits.turn_hold_s, limits.turn_confirm, limits.turn_warning_s)


def test_turn_settings_can_only_be_more_careful(config_path: Path) -> None:
    settings = load_settings(config_path)
    careful = _profile(turn={"speed_kmh": 0.5, "hold_s": "10s", "confirm": True, "warning_s": 8})
    plan = plan_limits(careful, settings)
    assert (plan.turn_speed_kmh, plan.turn_hold_s, plan.turn_confirm, plan.turn_warning_s) == (
        0.5,
        10.0,
        True,
        8.0,
    )

    reckless = _profile(turn={"speed_kmh": 1.8, "hold_s": "1s", "confirm": False, "warning_s": 0})
    plan = plan_limits(reckless, settings)
    assert (plan.turn_speed_kmh, plan.turn_hold_s, plan.turn_confirm, plan.turn_warning_s) == (
        0.8,
        5.0,
        False,
        5.0,
    )

    user_confirms = load_settings(config_path, turn_confirm=True)
    assert plan_limits(reckless, user_confirms).turn_confirm is True


def test_turn_speed_above_two_kmh_is_refused() -> None:
    with pytest.raises(ProfileError, match=r"turn, field speed_kmh: 3\.0"):
        _profile(turn={"speed_kmh": 3.0})


def test_plan_limits_default_to_the_settings_defaults(config_path: Path) -> None:
    """One source of defaults: the settings; a plain PlanLimits() is the user's defaults."""
    settings = load_settings(config_path)
    assert PlanLimits() == PlanLimits.from_settings(settings)
    assert plan_limits(_profile(), settings) == PlanLimits()
    assert PlanLimits().turn_speed_kmh == Settings.model_fields["turn_speed_kmh"].default
    changed = load_settings(config_path, turn_hold_s=9.0, ramp_rate_backward_kmh_per_s=0.1)
    limits = plan_limits(_profile(), changed)
    assert (limits.turn_hold_s, limits.ramp_rate_backward_kmh_per_s) == (9.0, 0.1)


def test_limits_and_turn_models_default_to_unset() -> None:
    assert Limits().max_backward_speed_kmh is None
    assert Turn().confirm is None
    assert isinstance(
        parse_profile(
            "segments = [{direction = 'forward', speed_kmh = 3, duration = '1m'}]",
            source="s",
            name="n",
        ),
        Profile,
    )


@pytest.mark.parametrize("profile_id", ["first-steps", "balance-confirm", "incline-challenge"])
def test_a_dumped_profile_validates_back_to_itself(profile_id: str) -> None:
    profile = load_profile(profile_id)
    again = Profile.model_validate(profile.model_dump())
    assert again.segments == profile.segments
    assert again.model_dump() == profile.model_dump()
    assert Profile.model_validate_json(profile.model_dump_json()).segments == profile.segments


def test_a_dumped_mph_segment_validates_back() -> None:
    profile = _profile({"direction": "backward", "speed_mph": 0.5, "duration": "20s"})
    again = Profile.model_validate(profile.model_dump())
    assert again.segments == profile.segments
    segment = again.segments[0]
    assert isinstance(segment, Segment)
    assert segment.speed_mph == 0.5
