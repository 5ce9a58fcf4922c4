"""Every built-in workout, replayed on the virtual clock with the voice on.

Each turnaround must be heard ahead: "turn coming" starts at least ``turn_warning_s``
before the slow-down (the end of the segment, where the belt starts slowing), and
"turn around now" starts only once the treadmill has reported the belt at turn speed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.voice.parts import BeltWatch, Played, RecordingPlayer, ToneEngine
from treadctl.clock import VirtualClock
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.voice.sink import VoiceConfig, VoiceSink
from treadctl.voice.utterance import Earcon
from treadctl.workout.builtin import list_builtin
from treadctl.workout.events import SegmentEnded, SegmentStarted, Turnaround
from treadctl.workout.trust import SETTLED_TOLERANCE_KMH

PROFILES = [profile_id for profile_id, _ in list_builtin()]
EPS = 1e-6


def starting(played: list[Played], prefix: str) -> list[Played]:
    return [p for p in played if p.text.startswith(prefix)]


@pytest.mark.parametrize("profile_id", PROFILES)
async def test_every_turn_is_heard_ahead_and_turn_now_after_the_belt_report(
    profile_id: str, tmp_path: Path, config_path: Path
) -> None:
    # Raised ceilings, as the profiles that need them say; the voice as configured.
    settings = load_settings(config_path, max_backward_speed_kmh=8, max_backward_incline_pct=10)
    clock = VirtualClock()
    player = RecordingPlayer(clock)
    config = VoiceConfig.from_settings(settings)
    voice = VoiceSink(config, engine=ToneEngine(config.params), player=player)
    watch = BeltWatch()
    options = WorkoutOptions(
        profile=profile_id,
        settings=settings,
        clock=clock,
        log_path=tmp_path / "session.jsonl",
        risks_acknowledged=True,
        auto_confirm_s=3.0,
        sinks=[watch, voice],
    )
    async with clock.running():
        result = await run_workout(options)
    assert result.summary.completed
    warn_s = result.timeline.limits.turn_warning_s
    events = watch.events
    played = player.played

    warnings = [(t, e) for t, e in events if isinstance(e, Turnaround) and e.phase == "warning"]
    turn_nows = [(t, e) for t, e in events if isinstance(e, Turnaround) and e.phase == "turn_now"]
    turns = [s for s in result.timeline.steps if s.kind == "turn"]
    assert len(warnings) == len(turn_nows) == len(turns) > 0
    heard_warnings = starting(played, "Turn coming in")
    heard_turn_nows = starting(played, "Turn around now")
    assert len(heard_warnings) == len(heard_turn_nows) == len(turns)

    for (warned_at, _), heard in zip(warnings, heard_warnings, strict=True):
        # The slow-down begins where the segment ends (the "slowing" ramp, if any, too).
        ended_at = next(t for t, e in events if isinstance(e, SegmentEnded) and t >= warned_at)
        segment = [e for t, e in events if isinstance(e, SegmentStarted) and t <= warned_at][-1]
        lead_s = min(warn_s, segment.duration_s)
        assert heard.started_at <= ended_at - lead_s + EPS, (heard, ended_at)
        assert heard.started_at == warned_at  # no later than the runner's own warning
        assert heard.ended_at is not None  # said in full, not cut off

    for (turn_at, event), heard in zip(turn_nows, heard_turn_nows, strict=True):
        assert heard.earcon is Earcon.TURN_NOW
        assert heard.text == f"Turn around now, face {event.to_facing}."
        limit_kmh = event.speed_kmh + SETTLED_TOLERANCE_KMH
        reported_at = watch.reported_at_or_below(limit_kmh, at=turn_at)
        assert reported_at is not None, "turn now before the belt was reported at turn speed"
        assert reported_at <= heard.started_at + EPS, (reported_at, heard)
        assert heard.started_at == turn_at  # the same moment the screen says it

    # Every segment's start is said (direction and speed), none dropped as stale.
    segment_starts = [e for _, e in events if isinstance(e, SegmentStarted)]
    said_segments = [s for s in voice.stats.spoken if s.utterance.kind == "segment"]
    assert len(said_segments) == len(segment_starts)
    # And the summary at the end.
    assert voice.stats.spoken[-1].utterance.text.startswith("In all: ")
