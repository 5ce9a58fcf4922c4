"""The real espeak-ng: every phrase a built-in workout says is heard, and as long as its words.

``say`` (macOS) and SAPI (Windows) cannot run here: their command lines are checked, and
docs/voice.md says they are untested.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from treadctl.config import load_settings
from treadctl.voice.engines import (
    EspeakEngine,
    SapiEngine,
    SayEngine,
    SpeechError,
    VoiceParams,
    engine_classes,
    find_engine,
    sapi_rate,
)
from treadctl.voice.narrator import Narrator
from treadctl.voice.render import Renderer
from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import read_wav, rms
from treadctl.voice.words import word_count
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.plan import plan_limits
from treadctl.workout.profile import flatten
from treadctl.workout.timeline import compile_timeline

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (bash scripts/test.sh installs it)",
)

#: Speech quieter than this (RMS, share of full scale) counts as silence.
SILENT_RMS = 0.01


def words_s(text: str, rate_wpm: int) -> float:
    return word_count(text) * 60 / rate_wpm


def assert_sounds_like_its_words(path: Path, text: str, rate_wpm: int) -> float:
    """The clip is not silent and lasts about as long as its words; returns its length."""
    fmt, samples = read_wav(path)
    length_s = len(samples) / fmt.channels / fmt.rate_hz
    assert rms(samples) > SILENT_RMS, f"silent: {text!r}"
    expected_s = words_s(text, rate_wpm)
    assert 0.5 * expected_s <= length_s <= 1.8 * expected_s + 0.4, (text, length_s, expected_s)
    return length_s


def every_builtin_phrase() -> list[tuple[Earcon | None, str]]:
    """What the built-in workouts say that is known ahead, each phrase once."""
    settings = load_settings("/nonexistent/config.toml")
    phrases: list[tuple[Earcon | None, str]] = []
    for profile_id, _ in list_builtin():
        profile = load_profile(profile_id)
        limits = plan_limits(profile, settings)
        # Raised ceilings where a profile asks for them: the phrases are what matters here.
        limits = limits.__class__(
            **{**limits.__dict__, "max_backward_speed_kmh": 8.0, "max_backward_incline_pct": 10.0}
        )
        timeline = compile_timeline(flatten(profile), limits)
        for phrase in Narrator("kmh", turn_warning_s=limits.turn_warning_s).expected(timeline):
            if phrase not in phrases:
                phrases.append(phrase)
    return phrases


@needs_espeak
def test_espeak_ng_is_the_engine_found_on_linux() -> None:
    engine = find_engine(VoiceParams(), platform="linux")
    assert isinstance(engine, EspeakEngine)


@needs_espeak
def test_every_phrase_of_every_builtin_workout_is_heard_and_as_long_as_its_words(
    tmp_path: Path,
) -> None:
    rate_wpm = 175
    renderer = Renderer(EspeakEngine(VoiceParams(rate_wpm=rate_wpm)), tmp_path)
    phrases = every_builtin_phrase()
    assert len(phrases) > 60
    for earcon, text in phrases:
        clip = renderer.render_now(text, earcon)
        assert clip is not None
        assert clip.text == text
        if earcon is None:  # the tone's part is tested in test_earcons.py
            assert_sounds_like_its_words(clip.path, text, rate_wpm)
    assert renderer.stats.failures == 0


@needs_espeak
def test_the_rate_and_volume_settings_reach_the_engine(tmp_path: Path) -> None:
    text = "Turn coming in five seconds, hands on the rails."
    lengths, levels = {}, {}
    for rate_wpm, volume_pct in ((120, 100.0), (240, 100.0), (240, 40.0)):
        out = tmp_path / f"{rate_wpm}-{volume_pct:g}.wav"
        EspeakEngine(VoiceParams(rate_wpm=rate_wpm, volume_pct=volume_pct)).synthesize(text, out)
        lengths[rate_wpm, volume_pct] = assert_sounds_like_its_words(out, text, rate_wpm)
        levels[rate_wpm, volume_pct] = rms(read_wav(out)[1])
    assert lengths[120, 100.0] > 1.5 * lengths[240, 100.0]
    assert levels[240, 40.0] < 0.6 * levels[240, 100.0]


@needs_espeak
def test_a_named_voice_is_used_and_an_unknown_one_is_a_clear_error(tmp_path: Path) -> None:
    text = "Slowing down for the turn."
    EspeakEngine(VoiceParams(voice="en-gb")).synthesize(text, tmp_path / "gb.wav")
    assert_sounds_like_its_words(tmp_path / "gb.wav", text, 175)
    with pytest.raises(SpeechError, match=r"espeak-ng: .*voice does not exist"):
        EspeakEngine(VoiceParams(voice="zzqq")).synthesize(text, tmp_path / "x.wav")


def test_a_missing_program_is_a_clear_error(tmp_path: Path) -> None:
    class Missing(EspeakEngine):
        executable = "treadctl-no-such-speech-program"

    assert not Missing.available()
    with pytest.raises(SpeechError, match="is not installed"):
        Missing().synthesize("One.", tmp_path / "x.wav")


def test_say_command_line(tmp_path: Path) -> None:
    engine = SayEngine(VoiceParams(rate_wpm=160, volume_pct=50, voice="Samantha"))
    out = tmp_path / "a.wav"
    argv = engine.argv(out)
    assert argv[0] == "say"
    assert argv[argv.index("-o") + 1] == str(out)
    assert "--file-format=WAVE" in argv
    assert "--data-format=LEI16@22050" in argv
    assert argv[argv.index("-r") + 1] == "160"
    assert argv[argv.index("-v") + 1] == "Samantha"
    assert argv[-2:] == ["-f", "-"]  # the text comes on stdin, never on the command line
    assert engine.stdin_text("Halfway.") == "[[volm 0.50]] Halfway."
    assert SayEngine().stdin_text("Halfway.") == "Halfway."


def test_sapi_command_line_quotes_what_it_is_given(tmp_path: Path) -> None:
    engine = SapiEngine(VoiceParams(rate_wpm=175, volume_pct=80, voice="Microsoft Zira's"))
    argv = engine.argv(tmp_path / "it's.wav")
    assert argv[:4] == ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
    script = argv[4]
    assert "$s.SelectVoice('Microsoft Zira''s')" in script
    assert f"SetOutputToWaveFile('{tmp_path}/it''s.wav'" in script
    assert "$s.Rate = 0;" in script
    assert "$s.Volume = 80;" in script
    assert "[Console]::In.ReadToEnd()" in script  # the text comes on stdin
    assert sapi_rate(175) == 0
    assert sapi_rate(525) == 10
    assert sapi_rate(60) == -10


def test_engines_tried_on_each_platform() -> None:
    assert engine_classes("linux") == (EspeakEngine,)
    assert engine_classes("darwin") == (SayEngine, EspeakEngine)
    assert engine_classes("win32") == (SapiEngine, EspeakEngine)
