"""The voice sink on a virtual clock: order, pre-emption, stale countdowns, mute, fallbacks.

The runner is real (built for a short profile, not run): the sink gets its clock,
limits, timeline and workout time from it. Events are handed to the sink as the runner
would; the clock moves only when a test moves it.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.voice.parts import Played, RecordingPlayer, ToneEngine
from treadctl.client import TreadmillClient
from treadctl.clock import VirtualClock
from treadctl.config import load_settings
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.sinks.recorder import SessionRecorder
from treadctl.voice.engines import SpeechEngine, VoiceParams
from treadctl.voice.narrator import FRESH_COUNTDOWN_S, turn_warning_text
from treadctl.voice.players import PlaybackError, Player
from treadctl.voice.queue import MAX_WAITING
from treadctl.voice.sink import VoiceConfig, VoiceSink
from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import Clip
from treadctl.voice.words import integer_words
from treadctl.workout.events import (
    Countdown,
    CueEvent,
    Finished,
    SafetyAlert,
    SegmentStarted,
    Summary,
    Turnaround,
    WorkoutEvent,
)
from treadctl.workout.plan import plan
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner

PROFILE = """\
title = "Voice check"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "60s"

  [[segments.cues]]
  at = "10s"
  text = "Shoulders down, arms loose, and breathe out slowly through the mouth now."

[[segments]]
label = "Bout"
direction = "backward"
speed_kmh = 1.5
duration = "40s"
"""
LONG_CUE = "Shoulders down, arms loose, and breathe out slowly through the mouth now."
RATE_WPM = 120  # one word every half second: easy numbers
CONFIG = VoiceConfig(rate_wpm=RATE_WPM)


class CountingEngine(ToneEngine):
    calls = 0

    def synthesize(self, text: str, out: Path) -> None:
        type(self).calls += 1
        super().synthesize(text, out)


@dataclass
class VoiceRig:
    clock: VirtualClock
    sink: VoiceSink
    player: Player
    log_path: Path
    runner: Runner
    notices: list[str] = field(default_factory=list)
    rings: list[float] = field(default_factory=list)

    def emit(self, event: WorkoutEvent) -> None:
        self.sink(event)

    async def wait(self, seconds: float) -> None:
        await self.clock.advance(seconds)

    @property
    def played(self) -> list[Played]:
        assert isinstance(self.player, RecordingPlayer)
        return self.player.played

    def log(self) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.log_path.read_text().splitlines()]
        return [line for line in lines if line["type"] == "voice"]


@contextlib.asynccontextmanager
async def voice_rig(
    tmp_path: Path,
    *,
    engine: SpeechEngine | None = None,
    player: Callable[[VirtualClock], Player] = RecordingPlayer,
    config: VoiceConfig = CONFIG,
    **sink_options: Any,
) -> AsyncIterator[VoiceRig]:
    clock = VirtualClock()
    profile = tmp_path / "voice.toml"
    profile.write_text(PROFILE)
    from treadctl.workout.builtin import load_profile  # noqa: PLC0415

    timeline = plan(load_profile(profile), load_settings(tmp_path / "none.toml"))
    sim = SimTreadmill(clock, SimConfig())
    client = TreadmillClient(LoopbackLink(sim, clock), clock)
    chosen = player(clock)
    rig_notices: list[str] = []
    rings: list[float] = []
    sink = VoiceSink(
        config,
        engine=engine if engine is not None else ToneEngine(config.params),
        player=chosen,
        notify=rig_notices.append,
        ring=lambda: rings.append(clock.now()),
        **sink_options,
    )
    runner = Runner(timeline, client, clock, lambda e: None)
    log_path = tmp_path / "session.jsonl"
    with SessionRecorder(log_path, clock, {}) as recorder:
        async with sink:
            sink.attach(runner, Treadmill(client, "simulator", "sim", "00:00"), recorder)
            rig = VoiceRig(clock, sink, chosen, log_path, runner, rig_notices, rings)
            yield rig
            await clock.run_until(sink.aclose())


def texts(played: list[Played]) -> list[str]:
    return [p.text for p in played]


async def test_the_event_callback_never_waits_for_speech(tmp_path: Path) -> None:
    engine = CountingEngine(VoiceParams(rate_wpm=RATE_WPM))
    async with voice_rig(tmp_path, engine=engine) as rig:
        assert not inspect.iscoroutinefunction(VoiceSink.__call__)
        before = CountingEngine.calls
        rig.sink(CueEvent("A cue nobody rendered ahead."))
        # Returned at once: nothing rendered, nothing started yet; the speaker does it.
        assert CountingEngine.calls == before
        assert rig.played == []
        await rig.wait(0)
        assert CountingEngine.calls == before + 1
        assert texts(rig.played) == ["A cue nobody rendered ahead."]


async def test_the_turn_phrases_are_rendered_when_the_workout_starts(tmp_path: Path) -> None:
    engine = CountingEngine(VoiceParams(rate_wpm=RATE_WPM))
    async with voice_rig(tmp_path, engine=engine) as rig:
        assert rig.sink.renderer is not None
        hits = rig.sink.renderer.stats.hits
        calls = CountingEngine.calls
        rig.emit(Turnaround("warning", "forward", "backward", 0.8, "..."))
        await rig.wait(10)
        rig.emit(Turnaround("turn_now", "forward", "backward", 0.8, "..."))
        await rig.wait(10)
        assert texts(rig.played) == [turn_warning_text(5), "Turn around now, face backward."]
        assert CountingEngine.calls == calls  # both were ready
        assert rig.sink.renderer.stats.hits == hits + 2


async def test_a_safety_alert_cuts_in_at_once(tmp_path: Path) -> None:
    async with voice_rig(tmp_path) as rig:
        rig.emit(CueEvent(LONG_CUE, 0))
        await rig.wait(1.0)
        rig.emit(SafetyAlert("H6", "link_lost", "Lost the link to the treadmill."))
        await rig.wait(0)
        cue, alert = rig.played
        assert cue.text == LONG_CUE
        assert cue.cut_at == 1.0
        assert cue.ended_at is None
        assert alert.text == "Lost the link to the treadmill."
        assert alert.earcon is Earcon.ALERT
        assert alert.started_at == 1.0
        cut = [line for line in rig.log() if line["status"] == "cut"]
        assert cut == [
            {
                "t": 1.0,
                "type": "voice",
                "status": "cut",
                "kind": "cue",
                "text": LONG_CUE,
                "by": "safety",
            }
        ]


async def test_a_turn_cuts_into_a_cue_but_a_segment_start_waits(tmp_path: Path) -> None:
    async with voice_rig(tmp_path) as rig:
        rig.emit(CueEvent(LONG_CUE, 0))
        await rig.wait(1.0)
        rig.emit(SegmentStarted(1, "Bout", "backward", 1.5, 0.0, 40.0))
        await rig.wait(1.0)
        assert texts(rig.played) == [LONG_CUE]  # the segment start waits its turn
        rig.emit(Turnaround("warning", "forward", "backward", 0.8, "..."))
        await rig.wait(20)
        cue, warning, segment = rig.played
        assert cue.cut_at == 2.0
        assert (warning.text, warning.started_at) == (turn_warning_text(5), 2.0)
        assert segment.text.startswith("Backward, one point five kilometres an hour")
        assert segment.started_at == warning.ended_at


async def test_countdown_numbers_that_would_be_late_are_dropped(tmp_path: Path) -> None:
    # As the runner does: the warning and "five" at once, then a number each second.
    async with voice_rig(tmp_path) as rig:
        rig.emit(SegmentStarted(0, "Warm-up", "forward", 3.0, 0.0, 60.0))
        await rig.wait(10)
        start = rig.clock.now()
        rig.emit(Turnaround("warning", "forward", "backward", 0.8, "..."))
        for k in range(5, 0, -1):
            rig.emit(Countdown("slowing for the turn", k))
            await rig.wait(1.0)
        rig.emit(Turnaround("slowing", "forward", "backward", 0.8, "..."))
        await rig.wait(10)
        spoken = [p for p in rig.played if p.started_at >= start]
        # The warning takes 9 words at 120 a minute: 4.5 s. Five to two would be late.
        assert texts(spoken) == [turn_warning_text(5), "One.", "Slowing down for the turn."]
        one = spoken[1]
        assert one.started_at - (start + 4.0) <= FRESH_COUNTDOWN_S
        dropped = [(d["text"], d["reason"]) for d in rig.log() if d["status"] == "dropped"]
        assert {text for text, _ in dropped} == {"Five.", "Four.", "Three.", "Two."}
        assert {reason for _, reason in dropped} <= {"stale", "superseded"}


async def test_a_flood_of_events_never_piles_up(tmp_path: Path) -> None:
    async with voice_rig(tmp_path) as rig:
        rig.emit(CueEvent("Cue number zero.", 0))
        await rig.wait(0)
        for i in range(1, 300):
            rig.emit(CueEvent(f"Cue number {integer_words(i)}.", 0))
            assert len(rig.sink.queue) <= MAX_WAITING
        rig.emit(SafetyAlert("H12", "stale", "No data from the treadmill for a while."))
        await rig.wait(60)
        said = texts(rig.played)
        assert said[0] == "Cue number zero."  # playing already when the flood came
        assert said[1] == "No data from the treadmill for a while."
        assert len(said) <= MAX_WAITING + 1
        assert len(rig.sink.queue) == 0


async def test_mute_keeps_the_tones_and_drops_the_words(tmp_path: Path) -> None:
    changes: list[bool] = []
    async with voice_rig(tmp_path) as rig:
        rig.sink.on_change = lambda: changes.append(rig.sink.muted)
        rig.emit(CueEvent(LONG_CUE, 0))
        rig.emit(CueEvent("Second cue, waiting.", 0))
        await rig.wait(1.0)
        assert rig.sink.toggle_mute() is True
        await rig.wait(0)
        rig.emit(CueEvent("Nobody hears this.", 0))
        rig.emit(Turnaround("turn_now", "forward", "backward", 0.8, "..."))
        await rig.wait(5)
        cue, tone = rig.played
        assert cue.cut_at == 1.0
        assert tone.text == ""  # the tone alone
        assert tone.earcon is Earcon.TURN_NOW
        rig.sink.set_muted(False)
        rig.emit(CueEvent("Heard again.", 0))
        await rig.wait(5)
        assert texts(rig.played)[-1] == "Heard again."
        assert changes == [True, False]
        reasons = {
            d["text"]: d.get("reason", d.get("by")) for d in rig.log() if d["status"] != "said"
        }
        assert reasons == {
            LONG_CUE: "mute",
            "Second cue, waiting.": "muted",
            "Nobody hears this.": "muted",
        }


async def test_without_an_engine_only_the_tones_are_heard(tmp_path: Path) -> None:
    async with voice_rig(tmp_path) as rig:
        # As when no engine was found at the start.
        assert rig.sink.renderer is not None
        rig.sink.engine = rig.sink.renderer.engine = None
        rig.emit(CueEvent("Words without an engine.", 0))
        rig.emit(SafetyAlert("H7", "console_stop", "Stopped at the console."))
        await rig.wait(5)
        assert rig.sink.heard == "tones"
        assert [(p.text, p.earcon) for p in rig.played] == [("", Earcon.ALERT)]
        heard = {line["text"]: line["heard"] for line in rig.log() if line["status"] == "said"}
        assert heard == {"Stopped at the console.": "tones", "Words without an engine.": "none"}


class BrokenPlayer(Player):
    """A player whose device went away: every clip fails."""

    name = "broken"

    async def play(self, clip: Clip) -> None:
        raise PlaybackError("broken: audio open error: device disconnected")


async def test_a_player_that_fails_hands_over_to_the_bell(tmp_path: Path) -> None:
    async with voice_rig(tmp_path, player=lambda clock: BrokenPlayer()) as rig:
        rig.emit(CueEvent("First words.", 0))
        await rig.wait(1)
        assert rig.sink.heard == "bell"
        assert len(rig.notices) == 2  # the start-up line, then this
        assert "playback stopped working (broken: audio open error" in rig.notices[1]
        assert "terminal bell" in rig.notices[1]
        rig.emit(Turnaround("turn_now", "forward", "backward", 0.8, "..."))
        rig.emit(CueEvent("No bell for words.", 0))
        await rig.wait(10)
        assert rig.rings == [1.0]  # the turn-now tone rang; the words did not


async def test_the_session_log_and_voice_out_record_what_was_said(tmp_path: Path) -> None:
    out = tmp_path / "voice-out"
    async with voice_rig(tmp_path, out_dir=out) as rig:
        await rig.wait(3)
        rig.emit(SegmentStarted(0, "Warm-up", "forward", 3.0, 0.0, 60.0))
        await rig.wait(10)
        rig.emit(Finished(Summary(70, 70, 60, 0, 0, None, 0, True, "completed")))
    cues = [json.loads(line) for line in (out / "cues.jsonl").read_text().splitlines()]
    assert cues == [
        {
            "t": 3.0,
            "kind": "segment",
            "text": "Forward, three kilometres an hour, for one minute.",
            "wav": "0001-segment.wav",
        },
        {
            "t": 13.0,
            "kind": "status",
            "text": "In all: one minute ten seconds, sixty metres.",
            "wav": "0002-status.wav",
        },
    ]
    assert (out / "0001-segment.wav").stat().st_size > 1000
    said = [line for line in rig.log() if line["status"] == "said"]
    assert [(s["t"], s["kind"], s["wav"], s["heard"]) for s in said] == [
        (3.0, "segment", "0001-segment.wav", "speech"),
        (13.0, "status", "0002-status.wav", "speech"),
    ]
    # The summary was let finish before the sink closed.
    assert rig.played[-1].ended_at is not None


async def test_the_start_up_line_names_what_is_used(tmp_path: Path) -> None:
    async with voice_rig(tmp_path) as rig:
        assert rig.notices == ["voice: tone through recording (--no-voice turns it off)"]
        assert rig.sink.heard == "speech"


async def test_nothing_found_says_what_to_install_and_rings_for_tones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    notices: list[str] = []
    rings: list[int] = []
    sink = VoiceSink(VoiceConfig(), notify=notices.append, ring=lambda: rings.append(1))
    async with sink:
        assert sink.engine is None
        assert len(notices) == 1
        line = notices[0]
        assert line.startswith("voice: no speech engine and no audio device works: ")
        assert "the terminal bell stands in for the tones" in line
        assert "sudo apt install espeak-ng" in line
        assert "alsa-utils (aplay)" in line


@pytest.mark.parametrize("units", ["kmh", "mph"])
async def test_units_follow_the_users_unit(tmp_path: Path, units: str) -> None:
    config = VoiceConfig(units="mph" if units == "mph" else "kmh", rate_wpm=RATE_WPM)
    async with voice_rig(tmp_path, config=config) as rig:
        rig.emit(SegmentStarted(0, "Bout", "backward", 1.6, 0.0, 30.0))
        await rig.wait(10)
        expected = {
            "kmh": "Backward, one point six kilometres an hour, for thirty seconds.",
            "mph": "Backward, one mile an hour, for thirty seconds.",
        }
        assert texts(rig.played) == [expected[units]]
