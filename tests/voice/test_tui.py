"""The voice in the full-screen UI: its indicator, the mute key, its start-up line."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SHORT_PROFILE, advance, screen_text, started
from tests.voice.parts import RecordingPlayer, ToneEngine
from treadctl.clock import VirtualClock
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions
from treadctl.tui import TreadctlApp
from treadctl.tui.widgets import VoiceStatus
from treadctl.voice.sink import VoiceConfig, VoiceSink
from treadctl.workout.events import CueEvent


def app_with(tmp_path: Path, clock: VirtualClock, sinks: list[VoiceSink]) -> TreadctlApp:
    profile = tmp_path / "short.toml"
    profile.write_text(SHORT_PROFILE)
    settings = load_settings(tmp_path / "config.toml")
    options = WorkoutOptions(
        profile=profile,
        settings=settings,
        clock=clock,
        log_path=tmp_path / "session.jsonl",
        risks_acknowledged=True,
        sinks=sinks,
    )
    return TreadctlApp(settings, workout=options)


def indicator_state(app: TreadctlApp) -> str | None:
    return app.screen.query_one(VoiceStatus).state


async def test_m_mutes_the_words_and_the_top_bar_says_so(tmp_path: Path) -> None:
    clock = VirtualClock()
    player = RecordingPlayer(clock)
    voice = VoiceSink(VoiceConfig(), engine=ToneEngine(), player=player)
    app = app_with(tmp_path, clock, [voice])
    async with app.run_test(size=(120, 35)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 1)
        assert indicator_state(app) == "speech"
        text = screen_text(app)
        assert "🔊 voice · m mutes" in text
        assert "m Mute" in text
        # The start-up line, as a notification rather than printed over the screen.
        messages = [n.message for n in app._notifications]
        assert messages == ["voice: tone through recording (--no-voice turns it off)"]
        assert player.played  # "Starting Short rehearsal." and the first cue
        await pilot.press("m")
        assert voice.muted
        assert indicator_state(app) == "muted"
        assert "🔇 voice muted" in screen_text(app)
        heard = len(player.played)
        voice(CueEvent("Not heard while muted.", 0))
        await advance(pilot, clock, 5)
        assert len(player.played) == heard
        await pilot.press("m")
        assert not voice.muted
        assert indicator_state(app) == "speech"


async def test_without_the_voice_there_is_no_indicator_and_m_does_nothing(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    app = app_with(tmp_path, clock, [])
    async with app.run_test(size=(120, 35)) as pilot:
        await started(pilot, clock)
        indicator = app.screen.query_one(VoiceStatus)
        assert indicator.state is None
        assert not indicator.display
        await pilot.press("m")
        text = screen_text(app)
        assert "Mute" not in text
        assert "voice" not in text.lower()


def test_workouts_from_the_start_screen_get_the_voice_setting(tmp_path: Path) -> None:
    on = TreadctlApp(load_settings(tmp_path / "c.toml", voice=True))
    off = TreadctlApp(load_settings(tmp_path / "c.toml", voice=False))
    sinks = on.voice_sinks()
    assert len(sinks) == 1
    assert isinstance(sinks[0], VoiceSink)
    assert off.voice_sinks() == []
