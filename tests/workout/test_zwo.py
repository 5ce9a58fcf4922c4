"""Zwift .zwo run workouts import as forward segments at fractions of a reference speed."""

from __future__ import annotations

import pytest

from treadctl.config import Settings
from treadctl.workout.builtin import load_profile
from treadctl.workout.profile import (
    CeilingError,
    Profile,
    ProfileError,
    Repeat,
    Segment,
    check_against,
    flatten,
    summarize,
)
from treadctl.workout.zwo import FREE_RIDE_FRACTION, load_zwo

from .conftest import WriteFile

RUN = """<?xml version="1.0" encoding="UTF-8"?>
<workout_file>
  <author>Coach</author>
  <name>Tempo run</name>
  <description>Steady, ramps and intervals.</description>
  <sportType>run</sportType>
  <workout>
    <Warmup Duration="120" PowerLow="0.5" PowerHigh="0.7" pace="0"/>
    <SteadyState Duration="300" Power="0.8" Cadence="170">
      <textevent timeoffset="0" message="Settle in."/>
      <textevent timeoffset="60" message="Relax your shoulders."/>
    </SteadyState>
    <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="1.0" OffPower="0.6">
      <textevent timeoffset="10" message="Quick feet."/>
      <textevent timeoffset="70" message="Easy now."/>
    </IntervalsT>
    <FreeRide Duration="60"/>
    <Cooldown Duration="90" PowerLow="0.7" PowerHigh="0.4"/>
    <gameplayevent timeoffset="5" type="GPE_CELEBRATION"/>
  </workout>
</workout_file>
"""


def _load(
    write_file: WriteFile, text: str, name: str = "run.zwo", reference: float = 10.0
) -> Profile:
    return load_zwo(write_file(name, text), reference_speed_kmh=reference)


def test_imports_a_run_workout_as_forward_segments(write_file: WriteFile) -> None:
    profile = _load(write_file, RUN)
    assert profile.name == "run"
    assert profile.title == "Tempo run"
    assert profile.description == "Steady, ramps and intervals."
    assert "10 km/h" in profile.sources[0]
    flat = flatten(profile)
    assert all(f.direction == "forward" for f in flat)
    assert summarize(profile).total_s == 120 + 300 + 3 * (60 + 90) + 60 + 90


def test_warmup_becomes_30_second_steps_from_low_to_high(write_file: WriteFile) -> None:
    flat = flatten(_load(write_file, RUN))
    warmup = [f for f in flat if f.label.startswith("Warmup")]
    assert [f.duration_s for f in warmup] == [30.0] * 4
    assert [f.speed_kmh for f in warmup] == [5.25, 5.75, 6.25, 6.75]


def test_cooldown_goes_from_power_low_down_to_power_high(write_file: WriteFile) -> None:
    flat = flatten(_load(write_file, RUN))
    cooldown = [f.speed_kmh for f in flat if f.label.startswith("Cooldown")]
    assert cooldown == [6.5, 5.5, 4.5]


def test_steady_state_with_text_events_as_cues(write_file: WriteFile) -> None:
    steady = flatten(_load(write_file, RUN))[4]
    assert steady.speed_kmh == 8.0
    assert steady.duration_s == 300.0
    assert [(c.at_s, c.text) for c in steady.cues] == [
        (0.0, "Settle in."),
        (60.0, "Relax your shoulders."),
    ]


def test_intervals_become_a_repeat_with_cues_on_the_right_part(write_file: WriteFile) -> None:
    profile = _load(write_file, RUN)
    repeat = profile.segments[5]
    assert isinstance(repeat, Repeat)
    assert repeat.times == 3
    on, off = repeat.segments
    assert isinstance(on, Segment)
    assert isinstance(off, Segment)
    assert (on.speed_kmh, on.duration_s, off.speed_kmh, off.duration_s) == (10.0, 60.0, 6.0, 90.0)
    assert [(c.at_s, c.text) for c in on.cues] == [(10.0, "Quick feet.")]
    assert [(c.at_s, c.text) for c in off.cues] == [(10.0, "Easy now.")]


def test_free_ride_uses_the_documented_fraction(write_file: WriteFile) -> None:
    free = next(f for f in flatten(_load(write_file, RUN)) if f.label.startswith("FreeRide"))
    assert free.speed_kmh == pytest.approx(10.0 * FREE_RIDE_FRACTION)


def test_cue_in_a_later_interval_pass_unrolls_the_repeat(write_file: WriteFile) -> None:
    text = """<workout_file><workout>
    <IntervalsT Repeat="2" OnDuration="30" OffDuration="30" OnPower="0.9" OffPower="0.5">
      <textevent timeoffset="75" message="Last one!"/>
    </IntervalsT></workout></workout_file>"""
    flat = flatten(_load(write_file, text))
    assert len(flat) == 4
    assert [c.text for c in flat[2].cues] == ["Last one!"]
    assert flat[2].cues[0].at_s == 15.0
    assert not flat[0].cues


def test_ramp_with_both_ends_equal_and_short_duration_is_one_step(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><Ramp Duration="10" PowerLow="0.6" PowerHigh="0.6"/>'
        "</workout></workout_file>"
    )
    flat = flatten(_load(write_file, text))
    assert [(f.speed_kmh, f.duration_s) for f in flat] == [(6.0, 10.0)]


def test_distance_workout_turns_metres_into_seconds(write_file: WriteFile) -> None:
    text = """<workout_file><durationType>distance</durationType><workout>
    <SteadyState Duration="1000" Power="1.0"/></workout></workout_file>"""
    (segment,) = flatten(_load(write_file, text, reference=12.0))
    assert segment.duration_s == 300.0  # 1 km at 12 km/h


def test_malformed_xml_names_the_file_and_line(write_file: WriteFile) -> None:
    with pytest.raises(ProfileError, match=r"broken\.zwo: line 3, column \d+: not valid XML"):
        _load(write_file, "<workout_file>\n<workout>\n<SteadyState Duration=>\n", name="broken.zwo")


def test_bike_workouts_are_refused(write_file: WriteFile) -> None:
    text = "<workout_file><sportType>bike</sportType><workout/></workout_file>"
    with pytest.raises(ProfileError, match="a bike workout; only run workouts"):
        _load(write_file, text)


def test_unknown_element_is_refused_by_name(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><SteadyState Duration="60" Power="0.8"/>'
        '<Sprint Duration="5"/></workout></workout_file>'
    )
    with pytest.raises(ProfileError, match=r"workout step 2 <Sprint>"):
        _load(write_file, text)


def test_missing_attribute_is_named(write_file: WriteFile) -> None:
    text = '<workout_file><workout><SteadyState Power="0.8"/></workout></workout_file>'
    with pytest.raises(
        ProfileError, match=r"workout step 1 <SteadyState>: needs the attribute Duration"
    ):
        _load(write_file, text)


def test_load_profile_needs_a_reference_speed_for_zwo(write_file: WriteFile) -> None:
    path = write_file("run.zwo", RUN)
    with pytest.raises(ProfileError, match="--reference-speed"):
        load_profile(path)
    assert load_profile(path, reference_speed_kmh=9.0).title == "Tempo run"


def test_imported_speeds_meet_the_forward_ceiling(
    write_file: WriteFile, settings: Settings
) -> None:
    profile = _load(write_file, RUN, reference=15.0)  # intervals at 15 km/h
    with pytest.raises(CeilingError, match=r"forward speed ceiling of 12\.0 km/h"):
        check_against(profile, settings)
    check_against(_load(write_file, RUN, reference=10.0), settings)


DISTANCE_TINY = """<workout_file><sportType>run</sportType><durationType>distance</durationType>
<workout><SteadyState Duration="1000" Power="0.0001"/></workout></workout_file>"""
HUGE_RAMP = """<workout_file><sportType>run</sportType>
<workout><Warmup Duration="1e12" PowerLow="0.5" PowerHigh="0.7"/></workout></workout_file>"""
HUGE_REPEAT = """<workout_file><sportType>run</sportType><workout>
<IntervalsT Repeat="1e9" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.5">
<textevent timeoffset="100" message="x"/></IntervalsT></workout></workout_file>"""


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (DISTANCE_TINY, "gives no speed"),
        (HUGE_RAMP, "lasts 277,777,778 hours"),
        (HUGE_REPEAT, "more than 100 repeats"),
    ],
)
def test_fuzzed_zwo_files_get_a_clear_error_not_a_crash(
    write_file: WriteFile, text: str, complaint: str
) -> None:
    with pytest.raises(ProfileError, match=complaint) as caught:
        _load(write_file, text, "fuzzed.zwo")
    assert "fuzzed.zwo" in str(caught.value)
