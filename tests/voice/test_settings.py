"""The voice settings: file, environment, defaults, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadctl.config import VOICE_KINDS, ConfigError, load_settings
from treadctl.voice.sink import VoiceConfig


def test_defaults_speak_everything_at_the_engines_rate(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TREADCTL_VOICE")  # the test suite turns it off
    settings = load_settings(config_path)
    assert settings.voice is True
    assert settings.voice_kinds == VOICE_KINDS
    assert (settings.voice_volume_pct, settings.voice_rate_wpm) == (100.0, 175)
    assert settings.voice_name is None


def test_the_config_file_sets_them(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text(
        "voice = true\nvoice_volume_pct = 60\nvoice_rate_wpm = 150\n"
        'voice_name = "en-gb"\nvoice_kinds = ["turn", "countdown", "safety"]\n'
        'display_units = "mph"\n'
    )
    config = VoiceConfig.from_settings(load_settings(config_path))
    assert config == VoiceConfig("mph", ("turn", "countdown", "safety"), 60.0, 150, "en-gb")
    assert (config.params.rate_wpm, config.params.volume_pct, config.params.voice) == (
        150,
        60.0,
        "en-gb",
    )


def test_kinds_from_the_environment_as_a_comma_list(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADCTL_VOICE_KINDS", "turn, cue")
    assert load_settings(config_path).voice_kinds == ("turn", "cue")


def test_bad_values_name_the_key_and_what_is_allowed(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADCTL_VOICE_KINDS", "turn,shouting")
    with pytest.raises(ConfigError, match=r"TREADCTL_VOICE_KINDS\[1\]: 'shouting' is not valid"):
        load_settings(config_path)
    monkeypatch.delenv("TREADCTL_VOICE_KINDS")
    config_path.parent.mkdir(parents=True)
    config_path.write_text("voice_volume_pct = 150\n")
    with pytest.raises(ConfigError, match="voice_volume_pct: 150 is not valid"):
        load_settings(config_path)
    config_path.write_text("voice_rate = 150\n")
    with pytest.raises(ConfigError, match="did you mean 'voice_rate_wpm'"):
        load_settings(config_path)
