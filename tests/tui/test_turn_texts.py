"""What is said about each turn agrees with the compiled timeline, in every built-in
profile: the warning's lead is the countdown's first number, and a speed-up is promised
(by the runner, the voice and the TUI's prompt) exactly when one follows."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.tui.conftest import (
    MakeApp,
    advance,
    advance_until,
    runner_of,
    screen_text,
    started,
    workout_screen,
)
from tests.voice.parts import BeltWatch
from treadctl.clock import VirtualClock
from treadctl.config import Settings, load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.tui import TreadctlApp
from treadctl.voice.narrator import Narrator
from treadctl.voice.narrator import turn_warning_text as spoken_warning
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.events import Countdown, SegmentStarted, Turnaround
from treadctl.workout.plan import plan
from treadctl.workout.timeline import RampStep, SegmentStep, Timeline, TurnStep
from treadctl.workout.turn_texts import (
    TURN_COUNTDOWN,
    after_turn_text,
    segment_after,
    turn_warning_text,
)

PROFILES = [profile_id for profile_id, _ in list_builtin()]


@pytest.fixture
def raised(config_path: Path) -> Settings:
    """The ceilings the profiles that need them say, raised."""
    return load_settings(config_path, max_backward_speed_kmh=8, max_backward_incline_pct=10)


def speed_up_turns(timeline: Timeline) -> list[TurnStep]:
    """Turns followed (before their segment) by a ramp that speeds the belt up."""
    out = []
    steps = timeline.steps
    for index, step in enumerate(steps):
        if not isinstance(step, TurnStep):
            continue
        for later in steps[index + 1 :]:
            if isinstance(later, SegmentStep):
                break
            if isinstance(later, RampStep) and later.speed_kmh > later.from_speed_kmh:
                out.append(step)
                break
    return out


@pytest.mark.parametrize("profile_id", PROFILES)
def test_the_prompt_promises_a_speed_up_only_before_one(profile_id: str, raised: Settings) -> None:
    timeline = plan(load_profile(profile_id), raised)
    faster = speed_up_turns(timeline)
    turns = [s for s in timeline.steps if isinstance(s, TurnStep)]
    assert turns
    for turn in turns:
        segment = segment_after(timeline, turn)
        assert segment is not None
        text = after_turn_text(turn, segment)
        assert ("speeds up" in text) == (turn in faster), (profile_id, turn.start_s, text)
        if turn in faster:
            assert f"to {segment.speed_kmh:.1f} km/h" in text
        elif abs(segment.speed_kmh - turn.speed_kmh) < 1e-6:
            assert text == f"the belt stays at {turn.speed_kmh:.1f} km/h"


@pytest.mark.parametrize("profile_id", PROFILES)
async def test_the_runner_and_the_voice_agree_with_the_timeline(
    profile_id: str, raised: Settings, tmp_path: Path
) -> None:
    clock = VirtualClock()
    watch = BeltWatch()
    options = WorkoutOptions(
        profile=profile_id,
        settings=raised,
        clock=clock,
        log_path=tmp_path / "session.jsonl",
        risks_acknowledged=True,
        auto_confirm_s=3.0,
        sinks=[watch],
    )
    async with clock.running():
        result = await run_workout(options)
    assert result.summary.completed
    timeline = result.timeline
    events = [e for _, e in watch.events]

    # Each warning names the lead the countdown then counts from, and that lead is the
    # compiled one: the turn warning setting, or the whole segment when it is shorter.
    segment_s = 0.0
    leads: list[int] = []
    for index, event in enumerate(events):
        if isinstance(event, SegmentStarted):
            segment_s = event.duration_s
        if isinstance(event, Turnaround) and event.phase == "warning":
            lead = math.ceil(min(timeline.limits.turn_warning_s, segment_s))
            leads.append(lead)
            assert event.message == turn_warning_text(lead)
            first = next(e for e in events[index:] if isinstance(e, Countdown))
            assert first.what == TURN_COUNTDOWN
            assert first.seconds_left == lead
    assert len(leads) == sum(1 for s in timeline.steps if isinstance(s, TurnStep))

    # "Speeding up" is said exactly before the turns a speed-up follows.
    speeding = [e for e in events if isinstance(e, Turnaround) and e.phase == "speeding_up"]
    assert len(speeding) == len(speed_up_turns(timeline))
    for index, event in enumerate(events):
        if isinstance(event, Turnaround) and event.phase == "speeding_up":
            segment = next(e for e in events[index:] if isinstance(e, SegmentStarted))
            assert segment.speed_kmh > event.speed_kmh
    # The voice speaks from the same events: its speed-up words as often, its warning
    # with the same number.
    narrator = Narrator(raised.display_units, turn_warning_s=timeline.limits.turn_warning_s)
    said = [u.text for t, e in watch.events for u in narrator.utterances(e, t)]
    assert sum(1 for text in said if text.startswith("Speeding up")) == len(speeding)
    assert [t for t in said if t.startswith("Turn coming")] == [spoken_warning(n) for n in leads]


SAME_SPEED_PROFILE = """\
title = "Turn at bout speed"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 2.5
duration = "20s"

[[segments]]
label = "Bout"
direction = "backward"
speed_kmh = 0.8
duration = "20s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.5
duration = "15s"
"""


def prompt_lines(app: TreadctlApp) -> list[str]:
    """The turn prompt's lines under the big letters, as the screen shows them."""
    lines = [line.strip() for line in screen_text(app).splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Face "))
    return [line for line in lines[start : start + 2] if line]


async def test_the_screen_says_one_countdown_and_what_follows_each_turn(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "same.toml"
    path.write_text(SAME_SPEED_PROFILE, encoding="utf-8")
    clock = VirtualClock()
    app = make_app(path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        screen = workout_screen(app)
        # The warning and SOON count down together: one number on the screen.
        seen: set[str] = set()
        while not screen.has_class("-turning"):
            await advance(pilot, clock, 0.5)
            soon = re.search(r"SOON\s+slowing for the turn in (\d) s", screen.cue_text)
            if soon:
                assert f"the belt slows down in {soon[1]} s" in screen.cue_text
                seen.add(soon[1])
            assert clock.now() < 120
        assert {"5", "1"} <= seen
        # Turned to backward at the bout's own speed: nothing speeds up.
        assert prompt_lines(app) == [
            "Face BACKWARD · hands on the rails · belt at 0.8 km/h",
            "The belt stays at 0.8 km/h",
        ]
        assert "speeds up" not in screen_text(app)
        await advance_until(pilot, clock, lambda: not screen.has_class("-turning"), limit_s=30)
        # Back to forward at 2.5 km/h: the prompt says so, with the seconds left.
        await advance_until(pilot, clock, lambda: screen.has_class("-turning"), limit_s=60)
        line = re.search(r"speeds up gently to 2\.5 km/h in (\d) s", screen_text(app))
        assert line is not None
        first = int(line[1])
        assert first <= runner_of(app).limits.turn_hold_s
        await advance(pilot, clock, 2)
        line = re.search(r"speeds up gently to 2\.5 km/h in (\d) s", screen_text(app))
        assert line is not None
        assert int(line[1]) < first  # counted down live
        # Shorter words over longer ones: each line whole, nothing left of the old.
        assert prompt_lines(app) == [
            "Face FORWARD · hands on the rails · belt at 0.8 km/h",
            f"The belt speeds up gently to 2.5 km/h in {line[1]} s",
        ]
