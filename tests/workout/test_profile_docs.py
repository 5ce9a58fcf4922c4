"""The full example in docs/profiles.md is a valid profile and does what the text says."""

from __future__ import annotations

import re
from pathlib import Path

from treadctl.config import Settings
from treadctl.workout.loader import parse_profile
from treadctl.workout.plan import plan_limits
from treadctl.workout.profile import check_against, flatten

DOC = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"


def _example() -> str:
    match = re.search(r"## A complete example\n\n```toml\n(.*?)```", DOC.read_text(), re.S)
    assert match is not None
    return match.group(1)


def test_the_documented_example_loads_and_runs_by_default(settings: Settings) -> None:
    profile = parse_profile(_example(), source="my-walk.toml", name="my-walk")
    flat = flatten(profile)
    assert len(flat) == 1 + 2 * (3 * 2 + 1)
    assert [f.label for f in flat[1:3]] == ["Backward bout", "Forward recovery"]
    assert flat[1].speed_kmh == 0.75 * 1.609344
    assert flat[2].duration_s == 60.0
    assert flat[7].duration_s == 150.0
    assert plan_limits(profile, settings).max_backward_speed_kmh == 1.5
    assert plan_limits(profile, settings).turn_confirm is True
    check_against(profile, settings)


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    for key in Settings.model_fields:
        assert f"| `{key}` |" in text
