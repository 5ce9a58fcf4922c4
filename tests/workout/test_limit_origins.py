"""Messages about a ceiling say whose it is (the user's or the profile's own) and where it
is set (the config file, an environment variable, the default, or the profile's file)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.workout.harness import BACK, COOL, WARM, workout
from treadctl.cli import main
from treadctl.config import Settings, load_settings
from treadctl.replay_inputs import replay_inputs
from treadctl.sessions import read_session
from treadctl.workout.events import SegmentStarted
from treadctl.workout.loader import load_profile_file, parse_profile
from treadctl.workout.plan import plan_limits
from treadctl.workout.profile import CeilingError, check_against
from treadctl.workout.timeline import PlanLimits

from .conftest import WriteFile

OWN_LIMIT = """title = "Own limit"

[limits]
max_backward_speed_kmh = 1.0

[[segments]]
direction = "forward"
speed_kmh = 3.0
duration = "20s"

[[segments]]
label = "Bout"
direction = "backward"
speed_kmh = 1.0
duration = "20s"
"""


def test_the_profiles_own_limit_is_named_as_its_own_with_its_file_and_field(
    write_file: WriteFile, settings: Settings
) -> None:
    profile = load_profile_file(write_file("own.toml", OWN_LIMIT))
    limits = plan_limits(profile, settings)
    backward = limits.describe("max_backward_speed_kmh")
    assert backward.startswith("this profile's own backward speed limit of 1.0 km/h (")
    assert backward.endswith("own.toml)")
    assert "(limits.max_backward_speed_kmh in " in backward
    assert "your" not in backward
    # The ceilings the profile leaves alone stay the user's.
    assert limits.describe("max_forward_speed_kmh") == (
        "your forward speed ceiling of 12.0 km/h (max_forward_speed_kmh, the default)"
    )


def test_a_users_ceiling_below_the_profiles_limit_is_the_users(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "0.9")
    profile = load_profile_file(write_file("own.toml", OWN_LIMIT))
    limits = plan_limits(profile, load_settings())
    assert limits.max_backward_speed_kmh == 0.9
    assert limits.describe("max_backward_speed_kmh") == (
        "your backward speed ceiling of 0.9 km/h "
        "(environment variable TREADCTL_MAX_BACKWARD_SPEED_KMH)"
    )


def test_a_ceiling_from_the_config_file_names_the_file(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("max_forward_speed_kmh = 10.0\nmax_heart_rate_bpm = 150\n")
    limits = PlanLimits.from_settings(load_settings())
    assert limits.describe("max_forward_speed_kmh") == (
        f"your forward speed ceiling of 10.0 km/h (max_forward_speed_kmh in {config_path})"
    )
    assert limits.describe("max_heart_rate_bpm") == (
        f"your heart-rate ceiling of 150 bpm (max_heart_rate_bpm in {config_path})"
    )


def test_where_a_ceiling_comes_from_changes_no_number(
    write_file: WriteFile, settings: Settings
) -> None:
    limits = plan_limits(load_profile_file(write_file("own.toml", OWN_LIMIT)), settings)
    assert limits.origins
    bare = dataclasses.replace(limits, origins={})
    assert bare == limits
    assert bare.describe("max_backward_speed_kmh") == "the backward speed ceiling of 1.0 km/h"


def test_the_refusal_says_where_the_users_ceiling_is_set(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "0.5")
    profile = load_profile_file(write_file("own.toml", OWN_LIMIT))
    with pytest.raises(CeilingError) as caught:
        check_against(profile, load_settings())
    assert (
        'segment 2 ("Bout"), field speed_kmh: 1.0 km/h is above your backward speed ceiling '
        "of 0.5 km/h (environment variable TREADCTL_MAX_BACKWARD_SPEED_KMH)" in str(caught.value)
    )


async def test_leaning_on_plus_under_the_profiles_limit_names_the_profiles_limit(
    settings: Settings,
) -> None:
    profile_limits = plan_limits(parse_profile(OWN_LIMIT, source="own.toml", name="own"), settings)
    async with workout([WARM, {**BACK, "speed_kmh": 1.0}, COOL], limits=profile_limits) as w:
        w.start()
        await w.at_event(lambda e: isinstance(e, SegmentStarted) and e.label == BACK["label"])
        w.runner.adjuster.speed(+0.5)
        alert = w.alerts("ceiling")[-1]
        assert alert.message.startswith(
            "Held at this profile's own backward speed limit of 1.0 km/h "
            "(limits.max_backward_speed_kmh in "
        )
        assert alert.message.endswith("own.toml).")
        assert "your" not in alert.message
        await w.finish()


def test_a_replay_names_the_recorded_ceilings_as_the_session_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "own.toml"
    profile.write_text(OWN_LIMIT, encoding="utf-8")
    log = tmp_path / "own.jsonl"
    assert main(["replay", str(profile), "--log", str(log)]) == 0
    capsys.readouterr()
    inputs = replay_inputs(read_session(log))
    assert inputs.limits is not None
    assert inputs.limits.describe("max_backward_speed_kmh").startswith(
        "this profile's own backward speed limit of 1.0 km/h (limits.max_backward_speed_kmh in "
    )
    assert inputs.warnings == []


def test_a_damaged_recorded_origin_is_left_out_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "own.toml"
    profile.write_text(OWN_LIMIT, encoding="utf-8")
    log = tmp_path / "own.jsonl"
    assert main(["replay", str(profile), "--log", str(log)]) == 0
    capsys.readouterr()
    lines = log.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["limits"]["origins"]["max_backward_speed_kmh"] = "the profile"
    log.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    inputs = replay_inputs(read_session(log))
    assert inputs.limits is not None
    assert inputs.limits.max_backward_speed_kmh == 1.0
    assert inputs.limits.describe("max_backward_speed_kmh") == (
        "the backward speed ceiling of 1.0 km/h"
    )
    assert any("limits.origins.max_backward_speed_kmh" in w for w in inputs.warnings)
