"""Every flow of the TUI, driven through Pilot against the simulator on a virtual clock."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from tests.tui.conftest import (
    MakeApp,
    advance,
    advance_until,
    runner_of,
    screen_text,
    sim_of,
    started,
    workout_screen,
)
from treadctl.bluetooth.errors import BlueZNotRunning
from treadctl.clock import VirtualClock
from treadctl.config import Settings, load_settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from treadctl.ftms.control_point import StopOrPause
from treadctl.sim.treadmill import BeltState
from treadctl.tui import TreadctlApp, TreadmillChoice
from treadctl.tui.screens import (
    ConfirmScreen,
    EndScreen,
    HelpScreen,
    RisksScreen,
    StartScreen,
    WorkoutScreen,
)
from treadctl.tui.widgets import (
    AlertBanner,
    BigNumber,
    ConnectionStatus,
    DirectionIndicator,
    HoldBanner,
    TurnPrompt,
)
from treadctl.workout.runner import RunState
from treadctl.workout.timeline import StepKind

STOP, PAUSE = 1, 2


def stops(app: TreadctlApp) -> list[StopOrPause]:
    return [
        r for r in sim_of(app).stats.requests if isinstance(r, StopOrPause) and r.control == STOP
    ]


def read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def log_types(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- start screen --------------------------------------------------------------------


async def test_start_screen_lists_profiles_and_starts_one_after_the_risks(
    settings: Settings, config_path: Path, tmp_path: Path
) -> None:
    clock = VirtualClock()
    app = TreadctlApp(settings, clock_factory=lambda: clock, log_path=tmp_path / "s.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        titles = [c.title for c in start.profiles]
        assert "First steps backward" in titles
        # Highlight first-steps: the details follow the highlight.
        index = titles.index("First steps backward")
        start.query_one("#profiles", OptionList).highlighted = index
        await pilot.pause()
        shown = screen_text(app)
        assert "01:40 backward" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RisksScreen)
        assert app.session is None  # nothing runs before the answer
        await pilot.click("#accept")
        await pilot.pause()
        assert isinstance(app.screen, WorkoutScreen)
        await started(pilot, clock)
        assert sim_of(app).state is BeltState.RUNNING
        assert runner_of(app).title == "First steps backward"
    # H11: asked once, remembered in the config file.
    assert read_toml(config_path)["risks_acknowledged"] is True


async def test_risk_dialog_can_switch_to_the_beginner_profile(
    settings: Settings, tmp_path: Path
) -> None:
    clock = VirtualClock()
    app = TreadctlApp(settings, clock_factory=lambda: clock, log_path=tmp_path / "s.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        keys = [c.key for c in start.profiles]
        start.query_one("#profiles", OptionList).highlighted = keys.index("backward-ladder-2")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, RisksScreen)
        await pilot.click("#first-steps")
        await started(pilot, clock)
        assert runner_of(app).profile_name == "first-steps"


async def test_a_profile_above_the_ceilings_is_shown_and_not_started(
    config_path: Path, tmp_path: Path
) -> None:
    settings = load_settings(config_path, max_backward_speed_kmh=1.0)
    app = TreadctlApp(settings, clock_factory=VirtualClock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        keys = [c.key for c in start.profiles]
        refused = start.profiles[keys.index("backward-endurance-60")]
        assert refused.error is not None
        assert "max_backward_speed_kmh" in refused.error
        start.query_one("#profiles", OptionList).highlighted = keys.index("backward-endurance-60")
        await pilot.pause()
        assert "Cannot start" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert app.session is None
        assert isinstance(app.screen, StartScreen)


async def test_a_profile_file_can_be_opened_and_space_types_into_the_box(
    settings: Settings, short_profile: Path
) -> None:
    app = TreadctlApp(settings, clock_factory=VirtualClock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        await pilot.press("o")
        box = start.query_one("#open-file", Input)
        assert box.has_focus
        # Nothing runs, so Stop is not live: the space reaches the text box.
        await pilot.press("a", "space", "b")
        assert box.value == "a b"
        box.value = str(short_profile)
        await pilot.press("enter")
        await pilot.pause()
        assert start.profiles[-1].title == "Short rehearsal"
        assert start.highlighted is start.profiles[-1]


async def test_scanned_treadmills_join_the_list(settings: Settings) -> None:
    async def scan() -> list[TreadmillChoice]:
        return [TreadmillChoice("Kingsmith WalkingPad", "AA:BB:CC:DD:EE:FF", kind="bluetooth")]

    app = TreadctlApp(settings, scan=scan, clock_factory=VirtualClock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert [t.label for t in start.treadmills] == ["Simulator"]
        await pilot.click("#scan")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert [t.label for t in start.treadmills] == ["Simulator", "Kingsmith WalkingPad"]


async def test_a_failed_scan_says_why_and_keeps_the_app(settings: Settings) -> None:
    async def scan() -> list[TreadmillChoice]:
        raise BlueZNotRunning("BlueZ is not running on the system bus")

    app = TreadctlApp(settings, scan=scan, clock_factory=VirtualClock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        await pilot.click("#scan")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("BlueZ" in m for m in messages)
        assert [t.label for t in start.treadmills] == ["Simulator"]


# -- the workout -----------------------------------------------------------------------


async def test_numbers_follow_the_belt_and_the_turnaround_is_prompted(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        direction = screen.query_one(DirectionIndicator)
        assert direction.facing == "forward"
        assert direction.has_class("-forward")
        await advance(pilot, clock, 12)
        sim = sim_of(app)
        assert screen.query_one("#speed", BigNumber).value == f"{sim.belt.speed_kmh:.1f}"
        assert screen.query_one("#left", BigNumber).value.startswith("00:")
        assert screen.query_one(ConnectionStatus).state == "connected"
        # The turn is announced before it happens.
        await advance_until(pilot, clock, lambda: "TURN AROUND" in screen.cue_text)
        assert not screen.has_class("-turning")
        # "Turn around now" once the belt is at turn speed: the full-width prompt.
        await advance_until(pilot, clock, lambda: screen.has_class("-turning"), limit_s=60)
        assert screen.query_one(TurnPrompt).display
        assert sim.belt.speed_kmh <= runner_of(app).limits.turn_speed_kmh + 0.05
        assert str(direction.facing) == "backward"
        assert direction.has_class("-backward")
        assert "BACKWARD" in direction.text.upper()
        # The hold passes by itself (no confirmation asked): the prompt goes away.
        await advance_until(pilot, clock, lambda: not screen.has_class("-turning"), limit_s=30)
        assert runner_of(app).facing == "backward"
        assert "Short steps" in screen.cue_text


async def test_a_turn_waits_for_the_confirm_key(make_app: MakeApp, short_profile: Path) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock, turn_confirm=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        await advance_until(pilot, clock, lambda: screen.turn_waiting, limit_s=120)
        prompt = screen.query_one(TurnPrompt)
        # What to press, then what the belt does: the bout is faster than the turn.
        assert prompt.next_line.startswith("Turned around? Press [b reverse] Enter [/] to go on")
        assert prompt.next_line.endswith("then the belt speeds up gently to 1.5 km/h")
        assert "Turned around? Press  Enter  to go on" in screen_text(app)
        assert screen.check_action("confirm", ()) is True
        step = runner_of(app).step_index
        await advance(pilot, clock, 5)
        assert runner_of(app).step_index == step  # still waiting for the person
        await pilot.press("enter")
        await advance_until(
            pilot, clock, lambda: runner_of(app).current_step.kind is StepKind.SEGMENT
        )
        assert not screen.has_class("-turning")
        assert screen.check_action("confirm", ()) is False


async def test_pause_and_resume_ramp_the_belt_back_up(
    make_app: MakeApp, short_profile: Path, tmp_path: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 10)
        screen = workout_screen(app)
        await pilot.press("p")
        await advance(pilot, clock, 5)
        runner = runner_of(app)
        assert runner.state is RunState.PAUSED
        assert sim_of(app).state is BeltState.PAUSED
        hold = screen.query_one(HoldBanner)
        assert hold.display
        assert "PAUSED" in str(hold.render())
        frozen = runner.workout_s
        await advance(pilot, clock, 5)
        assert runner.workout_s == pytest.approx(frozen)  # the clock stands still
        sent_before = len(sim_of(app).stats.requests)
        await pilot.press("r")
        await advance_until(pilot, clock, lambda: runner.state is RunState.RUNNING)
        assert not hold.display
        await advance_until(pilot, clock, lambda: sim_of(app).belt.target_speed_kmh >= 3.0)
    speeds = [
        e["value"]
        for e in log_types(tmp_path / "session.jsonl")
        if e["type"] == "command" and e["name"] == "speed"
    ]
    resumed = [r for r in sim_of(app).stats.requests[sent_before:] if hasattr(r, "speed_kmh")]
    assert resumed, "the resume sent speeds"
    assert resumed[0].speed_kmh < 3.0  # never jumps back to 3.0 km/h
    assert 3.0 in speeds


async def test_speed_keys_adjust_within_the_ceiling(make_app: MakeApp, short_profile: Path) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        runner = runner_of(app)
        await advance_until(
            pilot,
            clock,
            lambda: runner.current_step.kind is StepKind.SEGMENT,
            limit_s=60,
        )
        await advance(pilot, clock, 2)
        await pilot.press("plus", "plus", "plus")
        await advance(pilot, clock, 3)
        assert sim_of(app).belt.target_speed_kmh == pytest.approx(3.3)
        await pilot.press("minus")
        await advance(pilot, clock, 2)
        assert sim_of(app).belt.target_speed_kmh == pytest.approx(3.2)
        await pilot.press("right_square_bracket")
        await advance(pilot, clock, 2)
        assert sim_of(app).belt.target_incline_pct == pytest.approx(0.5)
        # Backward, + never gets past the backward ceiling (H2).
        await advance_until(
            pilot,
            clock,
            lambda: (
                runner.facing == "backward"
                and runner.current_step.kind is StepKind.SEGMENT
                and runner.state is RunState.RUNNING
            ),
            limit_s=120,
        )
        for _ in range(20):
            await pilot.press("plus")
        await advance(pilot, clock, 10)
        assert sim_of(app).belt.target_speed_kmh <= runner.limits.max_backward_speed_kmh


async def test_emergency_stop_from_the_workout_screen(
    make_app: MakeApp, short_profile: Path, tmp_path: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        assert not stops(app)
        await pilot.press("space")
        await pilot.pause()
        # No clock time has passed: Stop went out at once.
        assert stops(app)
        assert sim_of(app).state is BeltState.STOPPED
        assert sim_of(app).belt.target_speed_kmh == 0
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)
        text = str(app.screen.query_one("#end-state").render())
        assert "stopped from the keyboard" in text
        await pilot.press("enter")  # a new workout: back to the start screen
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("q")
    assert app.return_value == EXIT_FAILED
    assert any(e.get("action") == "stop" for e in log_types(tmp_path / "session.jsonl"))


@pytest.mark.parametrize("key", ["s", "escape"])
async def test_s_and_escape_stop_on_the_workout_screen(
    make_app: MakeApp, short_profile: Path, key: str
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        assert "space/s STOP" in screen_text(app)  # the footer names both
        await pilot.press(key)
        await pilot.pause()
        assert stops(app)
        assert sim_of(app).state is BeltState.STOPPED
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)


async def test_escape_closes_a_dialog_and_never_stops_the_belt(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "esc Close" in screen_text(app)
        await pilot.press("escape")
        await advance(pilot, clock, 1)
        assert isinstance(app.screen, WorkoutScreen)
        assert not stops(app)
        assert sim_of(app).state is BeltState.RUNNING
        # The quit question: escape is "no", the workout stays paused.
        await pilot.press("q")
        await advance(pilot, clock, 1)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await advance(pilot, clock, 1)
        assert isinstance(app.screen, WorkoutScreen)
        assert runner_of(app).state is RunState.PAUSED
        assert not stops(app)
        assert app.session is not None
        assert app.session.active


async def test_emergency_stop_from_inside_a_dialog(make_app: MakeApp, short_profile: Path) -> None:
    key = "space"
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert sim_of(app).state is BeltState.RUNNING
        # Stop is in the dialog's footer, and live.
        shown = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "STOP" in shown
        await pilot.press(key)
        await pilot.pause()
        assert stops(app)
        assert sim_of(app).state is BeltState.STOPPED
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)


async def test_emergency_stop_from_the_quit_dialog(make_app: MakeApp, short_profile: Path) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("space")
        # The pause is still in flight: Stop waits for it at most 0.5 s (H5).
        await advance(pilot, clock, 0.5)
        assert stops(app)
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)


async def test_quit_pauses_the_belt_first_then_asks(make_app: MakeApp, short_profile: Path) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 6)
        await pilot.press("q")
        await advance(pilot, clock, 1)
        assert isinstance(app.screen, ConfirmScreen)
        assert sim_of(app).state is BeltState.PAUSED
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, WorkoutScreen)
        assert runner_of(app).state is RunState.PAUSED
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await advance(pilot, clock, 2)
    assert app.return_value == EXIT_FAILED
    assert stops(app)


async def test_link_loss_shows_a_banner_until_acknowledged(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 8)
        screen = workout_screen(app)
        assert app.session is not None
        assert app.session.treadmill is not None
        app.session.treadmill.client.link.break_link()  # type: ignore[attr-defined]
        await advance(pilot, clock, 0.5)
        banner = screen.query_one(AlertBanner)
        assert banner.display
        assert "LINK LOST" in str(banner.render())
        assert screen.query_one(ConnectionStatus).state == "lost"
        assert "PAUSED" in str(screen.query_one(HoldBanner).render())
        # It reconnects on its own; the alerts stay until acknowledged.
        await advance_until(
            pilot, clock, lambda: any(a.kind == "reconnected" for a in banner.pending), limit_s=30
        )
        assert screen.query_one(ConnectionStatus).state == "connected"
        kinds = [a.kind for a in banner.pending]
        assert kinds[:2] == ["link_lost", "reconnected"]
        await pilot.press("a")
        await pilot.pause()
        assert [a.kind for a in banner.pending] == kinds[1:]
        assert "RECONNECTED" in str(banner.render())
        await pilot.press("a")
        await pilot.pause()
        assert not banner.display
        # The belt stays stopped until the person says so (H6).
        assert runner_of(app).state is RunState.PAUSED
        await pilot.press("enter")
        await advance_until(pilot, clock, lambda: runner_of(app).state is RunState.RUNNING)


async def test_safety_key_ends_the_workout_with_its_alert(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 5)
        sim_of(app).pull_safety_key()
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)
        end = app.screen
        assert isinstance(end, EndScreen)
        assert [a.kind for a in end.alerts] == ["safety_key"]  # still to be read, so repeated
        shown = screen_text(app)
        assert "SAFETY KEY PULLED" in shown
        assert "ended early (safety key)" in shown


async def test_end_screen_shows_the_summary_and_where_the_session_is(
    make_app: MakeApp, short_profile: Path, tmp_path: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    app.command = ".venv/bin/treadctl"  # as after scripts/try.sh
    async with app.run_test(size=(120, 35)) as pilot:
        await started(pilot, clock)
        sim = sim_of(app)
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=300)
        end = app.screen
        assert isinstance(end, EndScreen)
        # The end screen comes once the belt reports standing still, not while it runs.
        assert sim.belt.speed_kmh == 0
        assert app.session is not None
        assert app.session.result is not None
        summary = app.session.result.summary
        assert summary.completed
        assert summary.backward_s > 0
        assert summary.distance_m > 0
        shown = screen_text(app)
        backward = f"{summary.backward_distance_m / 1000:.2f} km"
        assert f"distance    {summary.distance_m / 1000:.2f} km" in shown
        assert f"backward    00:{summary.backward_s:02.0f}, {backward}" in shown
        assert "safety events    0" in shown
        assert "Session saved to" in shown
        log = tmp_path / "session.jsonl"
        assert str(log) in shown.replace("\n", "")
        # The full command that works, pasted as it is.
        replay = f".venv/bin/treadctl replay {log}"
        assert f"to play it back: {replay}" in " ".join(shown.split())
        assert "completed" in shown
        await pilot.press("q")
    assert app.return_value == EXIT_OK
    # Printed on the terminal once the app has closed.
    assert app.farewell() == [f"Session saved to {log}", f"  play it back: {replay}"]


async def test_declining_the_risks_of_a_command_line_workout_exits(
    make_app: MakeApp, short_profile: Path, config_path: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock, acknowledged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RisksScreen)
        await pilot.press("enter")  # the focus is on "Not now"
        await pilot.pause()
    assert app.session is None
    assert app.return_value == EXIT_USAGE
    # Not silent: once the app has closed, what happened and how to accept later.
    said = "\n".join(app.farewell())
    assert "were not accepted, so the workout did not start (exit code 2)" in said
    assert "--accept-risks" in said
    assert str(config_path) in said


@pytest.mark.parametrize("size", [(120, 35), (120, 40), (80, 24)])
async def test_the_risk_dialog_fits_or_scrolls_beside_its_text(
    settings: Settings, size: tuple[int, int]
) -> None:
    app = TreadctlApp(settings, clock_factory=VirtualClock)
    async with app.run_test(size=size) as pilot:
        start = app.screen
        assert isinstance(start, StartScreen)
        keys = [c.key for c in start.profiles]
        start.query_one("#profiles", OptionList).highlighted = keys.index("backward-ladder-1")
        await pilot.press("s")
        await pilot.pause()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RisksScreen)
        text = dialog.query_one("#risks-text")
        buttons = dialog.query_one(".dialog--buttons")
        # Every part of the dialog is on the screen, above the footer.
        assert buttons.region.bottom <= size[1] - 1
        if size[1] >= 35:
            assert text.max_scroll_y == 0  # all of it shows: no scrollbar
        # Text never runs under the scrollbar: it has a gutter of its own.
        bar_x = text.region.right - text.styles.scrollbar_size_vertical
        assert text.scrollable_content_region.right <= bar_x
        shown = screen_text(app)
        assert "a Accept" in shown  # the footer says how to reach each button
        assert "f Accept, do first-steps" in shown
        assert "esc Not now" in shown


async def test_accepting_the_risks_says_where_it_is_remembered(
    settings: Settings, config_path: Path
) -> None:
    clock = VirtualClock()
    app = TreadctlApp(settings, clock_factory=lambda: clock)
    notes: list[str] = []
    async with app.run_test(size=(120, 35)) as pilot:
        app.notify = lambda message, **_kw: notes.append(str(message))  # type: ignore[method-assign]
        await pilot.press("s")  # first-steps, preselected
        await pilot.pause()
        assert isinstance(app.screen, RisksScreen)
        dialog = app.screen
        assert isinstance(dialog, RisksScreen)
        assert dialog.config_path == config_path
        said = " ".join(screen_text(app).split())  # the long path wraps
        assert "Accepting is saved in" in said
        assert f"{config_path.name} and not" in said
        await pilot.press("escape")  # not now: nothing starts, and it says so
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.session is None
        assert any("Nothing started" in n for n in notes)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, WorkoutScreen)
        assert any(f"Saved in {config_path} (risks_acknowledged = true)" in n for n in notes)
    assert read_toml(config_path)["risks_acknowledged"] is True


async def test_the_bell_rings_for_cues_and_turns_when_asked(
    make_app: MakeApp, short_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rings: list[int] = []
    clock = VirtualClock()
    app = make_app(short_profile, clock, bell=True)
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        await advance_until(pilot, clock, lambda: screen.has_class("-turning"), limit_s=60)
    assert len(rings) >= 3  # the start cue, the profile's cue, the warning, turn now


async def test_no_bell_by_default(
    make_app: MakeApp, short_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rings: list[int] = []
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 10)
    assert rings == []


async def test_stop_is_in_the_footer_of_every_screen(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        bindings = screen.active_bindings
        assert bindings["space"].binding.description == "STOP"
        assert bindings["space"].enabled
        assert bindings["space"].binding.priority
        await pilot.press("space")
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=10)
        assert app.screen.active_bindings["space"].binding.description == "STOP"
        # Nothing moves any more: shown, but not live.
        assert not app.screen.active_bindings["space"].enabled


async def test_a_terminating_signal_stops_the_belt_and_exits(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 4)
        app.on_signal()
        await advance(pilot, clock, 2)
    assert stops(app)
    assert app.return_value == EXIT_INTERRUPTED


async def test_heart_rate_shows_when_known_and_its_ceiling_alerts(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock, max_heart_rate_bpm=120, heart_rate_over_s=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        heart = screen.query_one("#heart", BigNumber)
        remaining = screen.query_one("#remaining", BigNumber)
        assert not heart.display
        assert remaining.display  # the sixth cell shows the time left instead
        sim_of(app).heart_rate_bpm = 110
        await advance(pilot, clock, 2)
        assert heart.display
        assert not remaining.display
        assert heart.value == "110"
        sim_of(app).heart_rate_bpm = 135
        banner = screen.query_one(AlertBanner)
        await advance_until(pilot, clock, lambda: bool(banner.pending), limit_s=10)
        assert "HEART RATE HIGH" in screen_text(app)
        assert runner_of(app).state is RunState.PAUSED
        sim_of(app).heart_rate_bpm = 100
        await pilot.press("a", "enter")
        await advance_until(pilot, clock, lambda: runner_of(app).state is RunState.RUNNING)
        assert not banner.display


async def test_ctrl_t_switches_between_light_and_dark(settings: Settings) -> None:
    app = TreadctlApp(settings, clock_factory=VirtualClock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_a_workout_that_cannot_start_says_why(make_app: MakeApp, tmp_path: Path) -> None:
    clock = VirtualClock()
    app = make_app(tmp_path / "missing.toml", clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await advance_until(pilot, clock, lambda: isinstance(app.screen, EndScreen), limit_s=5)
        shown = screen_text(app)
        assert "The workout did not run." in shown
        assert "missing.toml" in shown
        await pilot.press("q")
    assert app.return_value == EXIT_FAILED
