"""``treadctl profiles list|show|check`` through the real argument parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treadctl.cli import main
from treadctl.commands.profiles import render_table
from treadctl.config import load_settings
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.durations import format_duration, parse_duration
from treadctl.workout.plan import plan
from treadctl.workout.profile import summarize

from .conftest import WriteFile

ZWO = """<workout_file><name>Easy</name><sportType>run</sportType><workout>
<SteadyState Duration="600" Power="0.8"/></workout></workout_file>"""


def _row(output: str, profile_id: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(profile_id + " "))


def test_list_shows_every_builtin_and_which_need_raised_ceilings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    for column in ("id", "title", "total", "backward", "max back km/h", "needs raised ceilings"):
        assert column in header
    first = _row(out, "first-steps")
    assert "First steps backward" in first
    assert "13m16s" in first  # 11m40s of segments, ramps and ten turnarounds on top
    assert "1m40s" in first
    assert "0.8" in first
    assert first.rstrip().endswith("no")
    incline = _row(out, "incline-challenge")
    assert "yes: max_backward_speed_kmh 6.4, max_backward_incline_pct 8.0" in incline
    assert "yes: max_backward_speed_kmh 6.2" in _row(out, "jog-intervals")


def _column(output: str, profile_id: str, name: str) -> str:
    """The cell of column ``name`` in ``profile_id``'s row (columns as the dashes mark them)."""
    lines = output.splitlines()
    spans = [m.span() for m in re.finditer(r"-+", lines[1])]
    start, end = next(span for span in spans if name in lines[0][span[0] : span[1]])
    return _row(output, profile_id)[start:end].strip()


def test_list_and_show_give_the_whole_time_of_the_compiled_timeline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, config_path: Path
) -> None:
    """For every built-in profile, the total shown is the sum of its compiled steps, turns
    and ramps included (with the ceilings each needs raised, as it would run)."""
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "6.4")
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_INCLINE_PCT", "8")
    settings = load_settings(config_path)
    assert main(["profiles", "list"]) == 0
    listed = capsys.readouterr().out
    for profile_id, path in list_builtin():
        profile = load_profile(path)
        steps_s = sum(step.duration_s for step in plan(profile, settings).steps)
        assert steps_s > summarize(profile).total_s  # more than the segments alone
        total = _column(listed, profile_id, "total")
        assert parse_duration(total) == round(steps_s), profile_id
        assert main(["profiles", "show", profile_id]) == 0
        shown = capsys.readouterr().out
        assert f"total {format_duration(round(steps_s))} with ramps" in shown, profile_id


def test_a_profile_above_the_ceilings_is_timed_as_it_would_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["profiles", "list"]) == 0
    refused = capsys.readouterr().out
    assert "yes: max_backward_speed_kmh 6.2" in _row(refused, "jog-intervals")
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "6.2")
    assert main(["profiles", "list"]) == 0
    allowed = capsys.readouterr().out
    assert _column(refused, "jog-intervals", "total") == "32m33s"
    assert _column(allowed, "jog-intervals", "total") == "32m33s"


def test_list_follows_the_users_ceilings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "6.4")
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_INCLINE_PCT", "8")
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    assert _row(out, "incline-challenge").rstrip().endswith("no")


def test_list_with_a_broken_config_fails_with_its_error(
    capsys: pytest.CaptureFixture[str], config_path: Path
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("turn_speed_kmh = 5\n")
    assert main(["profiles", "list"]) == 2
    assert "turn_speed_kmh: 5 is not valid" in capsys.readouterr().err


def test_show_prints_the_segments_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "first-steps"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("first-steps: First steps backward\n")
    assert "Who it is for:" in out
    assert "Where the numbers come from:" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.split()[:3] == ["at", "for", "step"])
    assert header.split() == [
        "at",
        "for",
        "step",
        "facing",
        "speed",
        "km/h",
        "incline",
        "%",
        "what",
    ]
    steps = [line.split()[2] for line in lines[lines.index(header) + 2 :] if line.strip()]
    # the compiled timeline: a turn between every forward and backward segment
    assert steps.count("turn") == 10
    assert steps.count("segment") == 12
    first_back = next(line for line in lines if "Backward bout (1/5)" in line)
    assert first_back.split()[2:6] == ["segment", "backward", "0.8", "0.0"]
    turn = next(line for line in lines if "turn around to face backward" in line)
    assert "0.8 km/h" in turn
    assert "backward 1m40s" in out
    assert "10 turnarounds" in out
    assert "not runnable" not in out


def test_show_in_mph(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_DISPLAY_UNITS", "mph")
    assert main(["profiles", "show", "knee-friendly-10"]) == 0
    out = capsys.readouterr().out
    assert "speed mph" in out
    backward = next(
        line for line in out.splitlines() if line.split()[2:4] == ["segment", "backward"]
    )
    assert backward.split()[4] == "1.24"  # 2.0 km/h


def test_show_notes_when_the_settings_refuse_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "jog-intervals"]) == 0
    out = capsys.readouterr().out
    assert "not runnable with your current settings" in out
    assert "TREADCTL_MAX_BACKWARD_SPEED_KMH=6.2" in out


def test_show_a_zwo_file_with_a_reference_speed(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("easy.zwo", ZWO)
    assert main(["profiles", "show", str(path), "--reference-speed", "10"]) == 0
    out = capsys.readouterr().out
    assert "easy: Easy" in out
    assert "forward    8.0" in out


def test_show_a_zwo_file_without_reference_speed_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("easy.zwo", ZWO)
    assert main(["profiles", "show", str(path)]) == 2
    assert "--reference-speed" in capsys.readouterr().err


def test_show_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "nonesuch"]) == 2
    assert "'nonesuch' is neither a built-in profile" in capsys.readouterr().err


def test_check_ok(capsys: pytest.CaptureFixture[str], write_file: WriteFile) -> None:
    path = write_file(
        "mine.toml",
        'title = "Mine"\n[[segments]]\ndirection = "backward"\nspeed_kmh = 1.0\nduration = "1m"\n',
    )
    assert main(["profiles", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert (
        "mine.toml: 'Mine', 1 segment, 1m20s in all (1m of segments), 1m backward, "
        "max backward speed 1.0 km/h"
    ) in out


def test_check_a_forward_only_workout_says_it_has_no_backward_segments(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("tempo.zwo", ZWO)
    assert main(["profiles", "check", str(path), "--reference-speed", "9"]) == 0
    out = capsys.readouterr().out
    assert "1 segment, 10m27s in all (10m of segments), no backward segments" in out
    assert "max backward speed" not in out
    assert " - " not in out


def test_check_reports_the_error_and_exits_2(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file(
        "broken.toml",
        '[[segments]]\nlabel = "Bout"\ndirection = "backward"\nspeed_kmh = 0\nduration = "1m"\n',
    )
    assert main(["profiles", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert 'broken.toml: segment 1 ("Bout"), field speed_kmh: 0 is not valid' in captured.err


def test_check_a_valid_profile_the_settings_refuse(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "check", "profiles/incline-challenge.toml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: profiles/incline-challenge.toml")
    assert "your current settings refuse it" in out
    assert "max_backward_incline_pct = 8.0" in out


def test_profiles_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 2
    assert "list" in capsys.readouterr().err


def test_render_table_aligns_columns() -> None:
    table = render_table(["a", "num"], [["x", "1"], ["long", "22"]], "<>")
    assert table.splitlines() == ["a     num", "----  ---", "x       1", "long   22"]


def test_config_option_selects_the_settings_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "raised.toml"
    config.write_text("max_backward_speed_kmh = 6.2\n")
    assert main(["profiles", "check", "jog-intervals", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert "refuse" not in out
