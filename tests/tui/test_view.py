"""The TUI's plain parts: what comes next, units, big letters, the timeline bar, choices."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from treadctl.commands.run import RISK_TEXT
from treadctl.config import Settings, load_settings
from treadctl.formatting import clock_text
from treadctl.sim import Quirk
from treadctl.tui.choices import list_profile_choices, profile_choice, simulator_choice
from treadctl.tui.screens.risks import risk_blocks
from treadctl.tui.view import (
    distance_value,
    following,
    incline_value,
    speed_value,
    time_value,
    whole_value,
)
from treadctl.tui.widgets.alert_banner import alert_title
from treadctl.tui.widgets.big_text import (
    BigTextRenderable,
    best_scale,
    big_rows,
    big_width,
    supported,
)
from treadctl.tui.widgets.profile_details import details_markup, segments_table
from treadctl.tui.widgets.timeline_bar import bar_cells
from treadctl.workout.builtin import load_profile
from treadctl.workout.events import SafetyAlert
from treadctl.workout.plan import plan
from treadctl.workout.timeline import StepKind


def test_numbers_for_the_big_digits() -> None:
    assert speed_value(2.46) == "2.5"
    assert speed_value(1.609344, "mph") == "1.0"
    assert speed_value(None) == "-.-"
    assert distance_value(1234.0) == "1.23"
    assert distance_value(1609.344, "mph") == "1.00"
    assert incline_value(None) == "-.-"
    assert whole_value(141.6) == "142"
    assert whole_value(None) == "--"
    # A countdown shows a second as long as any of it is left.
    assert time_value(4.2) == "00:05"
    assert time_value(5.0) == "00:05"
    assert time_value(0.0) == "00:00"
    assert time_value(None) == "--:--"


def test_following_skips_ramps_and_counts_their_time(settings: Settings) -> None:
    timeline = plan(load_profile("first-steps"), settings)
    first = next(i for i, s in enumerate(timeline.steps) if s.kind is StepKind.SEGMENT)
    up = following(timeline, first, 10.0)
    assert up.kind == "turn"
    assert "BACKWARD" in up.text
    ramps = 0.0
    for step in timeline.steps[first + 1 :]:
        if step.kind is StepKind.TURN:
            break
        ramps += step.duration_s
    assert ramps > 0
    assert up.seconds == pytest.approx(10.0 + ramps)
    assert up.line().endswith(f"in 00:{int(10 + ramps + 0.999):02d}")
    last = max(i for i, s in enumerate(timeline.steps) if s.kind is StepKind.SEGMENT)
    assert following(timeline, last, 3.0).kind == "finish"
    assert following(timeline, last, None).seconds is None


def test_big_letters_are_three_rows_and_fall_back_when_unknown() -> None:
    rows = big_rows("TURN AROUND NOW")
    assert len(rows) == 3
    assert big_width("TURN AROUND NOW") <= 76  # fits an 80-column terminal
    assert len(big_rows("BACKWARD", scale=2)) == 5
    assert big_width("8", scale=2) == 2 * big_width("8")
    assert not supported("ZEBRA")
    assert best_scale("ZEBRA", 200, 10) is None
    assert best_scale("12.5", 200, 10) == 2
    assert best_scale("12.5", 200, 4) == 1
    assert best_scale("TURN AROUND NOW", 40, 10) is None


def test_big_letters_are_centred_on_full_width_lines() -> None:
    """Each line fills the width, so a widget's own alignment cannot move it off centre."""
    console = Console(width=40, file=io.StringIO(), record=True)
    console.print(BigTextRenderable("FORWARD", scale=1))
    lines = console.export_text().splitlines()
    block = big_width("FORWARD")
    assert [len(line) for line in lines] == [40, 40, 40]
    assert all(line.startswith(" " * ((40 - block) // 2)) for line in lines)
    assert lines[0][(40 - block) // 2] != " " or lines[1][(40 - block) // 2] != " "


def test_every_turn_gets_a_column_of_the_bar(settings: Settings) -> None:
    timeline = plan(load_profile("backward-endurance-60"), settings)
    turns = [s for s in timeline.steps if s.kind is StepKind.TURN]
    for width in (40, 78, 158):
        cells = bar_cells(timeline, width)
        assert len(cells) == width
        assert all(turn in cells for turn in turns)
        assert cells[0].facing == "forward"


def test_risk_text_is_reflowed_and_names_the_tui_keys() -> None:
    blocks = risk_blocks()
    kinds = [kind for kind, _ in blocks]
    assert kinds == ["p", "-", "-", "-", "-", "p"]
    assert blocks[0][1].startswith("Walking backward")
    assert "belt that keeps running." in blocks[0][1]  # the line break is undone
    assert "space or s" in blocks[4][1]
    assert all("Ctrl-C here" not in body for _, body in blocks)
    assert blocks[5][1].startswith("Check with a doctor")


def test_the_command_line_and_the_tui_say_the_same_risks() -> None:
    text = RISK_TEXT.replace("\n", " ")
    for kind, body in risk_blocks():
        words = body.replace("space or s", "s then Enter, or Ctrl-C").split()
        assert " ".join(words) in " ".join(text.split()), (kind, body)


def test_alert_titles() -> None:
    assert alert_title(SafetyAlert("H6", "link_lost", "gone", True)) == "LINK LOST"
    assert alert_title(SafetyAlert("H9", "heart_rate", "high", True)) == "HEART RATE HIGH"
    assert alert_title(SafetyAlert("H12", "malformed-x", "odd")) == "SAFETY H12"


def test_profile_choices_list_builtins_user_files_and_problems(
    tmp_path: Path, config_path: Path
) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        'title = "Mine"\n[[segments]]\ndirection = "forward"\nspeed_kmh = 3.0\nduration = "1m"\n'
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("segments = 3\n")
    settings = load_settings(config_path, max_backward_speed_kmh=1.0)
    choices = list_profile_choices(settings, [broken], folder=folder)
    by_title = {c.title: c for c in choices}
    assert by_title["First steps backward"].builtin
    assert by_title["First steps backward"].has_backward
    assert by_title["First steps backward"].error is None
    mine = by_title["Mine"]
    assert not mine.builtin
    assert not mine.has_backward
    assert mine.turns == 0
    assert by_title["broken.toml"].error
    # Above the user's ceiling: listed, with the reason and how to raise it.
    endurance = by_title["Backward endurance 60"]
    assert endurance.error is not None
    assert "max_backward_speed_kmh" in endurance.error
    assert profile_choice("no-such-profile", settings).error


def test_profile_details_list_segments_and_turns(settings: Settings) -> None:
    choice = profile_choice("first-steps", settings)
    table = segments_table(choice)
    assert table is not None
    labels = [str(cell) for cell in table.columns[4].cells]
    assert labels[0] == "Forward warm-up"
    assert labels[1] == "turn to face BACKWARD"
    assert labels[2].startswith("Backward bout")
    assert list(table.columns[0].cells)[:3] == ["▲", "↻", "▼"]
    text = details_markup(choice)
    assert "13:16" in text  # 11:40 of segments, with the ramps and turns
    assert "01:40" in text
    assert "10 turnarounds" in text
    assert segments_table(profile_choice("no-such-profile", settings)) is None


def test_the_start_screen_gives_the_whole_time_of_every_builtin(config_path: Path) -> None:
    """The time shown is the sum of the compiled steps, turns and ramps included; for a
    profile above the ceilings, as it runs once they are raised."""
    raised = load_settings(config_path, max_backward_speed_kmh=6.4, max_backward_incline_pct=8.0)
    for choice in list_profile_choices(load_settings(config_path)):
        assert choice.profile is not None
        steps_s = sum(s.duration_s for s in plan(choice.profile, raised).steps)
        assert choice.summary is not None
        assert steps_s > choice.summary.total_s
        shown = f"[b]{clock_text(round(steps_s))}[/b] in all"
        assert shown in details_markup(choice), choice.key


def test_the_simulator_choice_names_its_quirks() -> None:
    assert simulator_choice().factory is None
    choice = simulator_choice(frozenset({Quirk.SPEED_LOCKED}))
    assert "speed-locked" in choice.detail


def test_nothing_below_the_tui_imports_textual() -> None:
    code = (
        "import sys, treadctl.runtime, treadctl.headless, treadctl.workout.runner, "
        "treadctl.sinks.recorder, treadctl.commands.run; "
        "sys.exit(1 if any(m.split('.')[0] == 'textual' for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
