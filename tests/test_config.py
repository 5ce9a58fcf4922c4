"""User settings: safe defaults, the TOML file, TREADCTL_* variables, and writing back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import platformdirs
import pytest

from treadctl.config import (
    ConfigError,
    Settings,
    acknowledge_risks,
    default_config_path,
    env_var,
    environment_values,
    format_toml_value,
    load_settings,
    set_config_values,
    set_device_value,
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_safe_ones(config_path: Path) -> None:
    settings = load_settings()
    assert not config_path.exists()
    assert settings.max_backward_speed_kmh == 3.0
    assert settings.max_backward_incline_pct == 5.0
    assert settings.turn_speed_kmh == 0.8
    assert settings.ramp_rate_backward_kmh_per_s < settings.ramp_rate_forward_kmh_per_s
    assert settings.turn_warning_s == 5.0
    assert settings.max_heart_rate_bpm is None
    assert settings.display_units == "kmh"
    assert settings.risks_acknowledged is False
    assert settings.config_path == config_path


def test_config_env_var_names_the_file(config_path: Path) -> None:
    assert default_config_path() == config_path


def test_default_path_is_in_the_platform_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREADCTL_CONFIG")
    expected = Path(platformdirs.user_config_dir("treadctl", appauthor=False)) / "config.toml"
    assert default_config_path() == expected


def test_file_values_are_read(config_path: Path) -> None:
    _write(
        config_path, 'max_backward_speed_kmh = 4.5\ndisplay_units = "mph"\nturn_confirm = true\n'
    )
    settings = load_settings()
    assert settings.max_backward_speed_kmh == 4.5
    assert settings.display_units == "mph"
    assert settings.turn_confirm is True


def test_path_argument_beats_the_env_var(tmp_path: Path) -> None:
    other = _write(tmp_path / "other.toml", "turn_hold_s = 9\n")
    settings = load_settings(other)
    assert settings.turn_hold_s == 9.0
    assert settings.config_path == other


def test_env_var_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "7")
    assert load_settings().max_backward_speed_kmh == 7.0


def test_env_var_wins_over_the_file(config_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(config_path, "max_backward_speed_kmh = 4.5\nturn_hold_s = 8\n")
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "6.0")
    settings = load_settings()
    assert settings.max_backward_speed_kmh == 6.0
    assert settings.turn_hold_s == 8.0  # the file still counts for the rest


def test_keyword_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_TURN_HOLD_S", "8")
    assert load_settings(turn_hold_s=3).turn_hold_s == 3.0


def test_env_var_names_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("treadctl_turn_hold_s", "9")
    monkeypatch.setenv("TREADCTL_Voice_Kinds", "safety,turn")
    settings = load_settings()
    assert settings.turn_hold_s == 9.0
    assert settings.voice_kinds == ("safety", "turn")
    assert settings.origin("turn_hold_s") == "environment variable TREADCTL_TURN_HOLD_S"


def test_other_treadctl_variables_are_not_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_DATA_DIR", "/somewhere")  # a path, not a settings key
    assert environment_values({"TREADCTL_DATA_DIR": "/x", "TREADCTL_BELL": "true"}) == {
        "bell": "true"
    }
    assert load_settings().bell is False


def test_a_device_table_from_env_is_json_and_merges_with_the_file(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        config_path,
        '[devices."AA:BB"]\nspeed_unit = "mph"\n[devices."CC:DD"]\nstart_toggles = true\n',
    )
    monkeypatch.setenv("TREADCTL_DEVICES", '{"AA:BB": {"start_toggles": true}}')
    devices = load_settings().devices
    assert devices["AA:BB"].speed_unit == "mph"  # the file's key is kept
    assert devices["AA:BB"].start_toggles is True  # the environment's is added
    assert devices["CC:DD"].start_toggles is True
    monkeypatch.setenv("TREADCTL_DEVICES", "{not json")
    with pytest.raises(ConfigError, match="TREADCTL_DEVICES: not a JSON object"):
        load_settings()


def test_settings_built_directly_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_TURN_HOLD_S", "9")
    assert Settings().turn_hold_s == 5.0
    assert Settings(turn_hold_s=2).turn_hold_s == 2.0


def test_heart_rate_ceiling_from_env_and_off_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_MAX_HEART_RATE_BPM", "155")
    assert load_settings().max_heart_rate_bpm == 155
    monkeypatch.setenv("TREADCTL_MAX_HEART_RATE_BPM", "none")
    assert load_settings().max_heart_rate_bpm is None


def test_bad_file_value_names_file_key_and_value(config_path: Path) -> None:
    _write(config_path, "max_backward_speed_kmh = -2.0\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{config_path}: max_backward_speed_kmh: -2.0 is not valid" in str(caught.value)


def test_bad_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADCTL_TURN_SPEED_KMH", "fast")
    with pytest.raises(ConfigError, match="environment variable TREADCTL_TURN_SPEED_KMH: 'fast'"):
        load_settings()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("turn_speed_kmh", 2.5),
        ("turn_speed_kmh", -0.1),
        ("max_backward_speed_kmh", 0.0),
        ("max_forward_speed_kmh", 99.0),
        ("ramp_rate_backward_kmh_per_s", 0.0),
        ("max_heart_rate_bpm", 20),
        ("display_units", "furlongs"),
    ],
)
def test_out_of_range_values_are_refused(config_path: Path, key: str, value: object) -> None:
    _write(config_path, f"{key} = {format_toml_value(value)}\n")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=key):
        load_settings()


def test_turn_speed_zero_means_stop_to_turn() -> None:
    assert load_settings(turn_speed_kmh=0).turn_speed_kmh == 0.0


def test_unknown_key_is_an_error_with_a_suggestion(config_path: Path) -> None:
    _write(config_path, "max_backwards_speed_kmh = 5\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "unknown key 'max_backwards_speed_kmh'" in str(caught.value)
    assert "did you mean 'max_backward_speed_kmh'?" in str(caught.value)


def test_toml_syntax_error_names_file_and_line(config_path: Path) -> None:
    _write(config_path, "turn_hold_s = 3\nturn_confirm = \n")
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML: .*line 2"):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.max_backward_speed_kmh = 10.0  # type: ignore[misc]


def test_env_var_name() -> None:
    assert env_var("max_backward_speed_kmh") == "TREADCTL_MAX_BACKWARD_SPEED_KMH"
    assert all(env_var(key).startswith("TREADCTL_") for key in Settings.model_fields)


def test_acknowledge_creates_the_file_and_its_folder(config_path: Path) -> None:
    assert acknowledge_risks() == config_path
    assert tomllib.loads(config_path.read_text()) == {"risks_acknowledged": True}
    assert load_settings().risks_acknowledged is True


def test_acknowledge_keeps_other_keys_and_comments(config_path: Path) -> None:
    original = (
        "# my treadmill\n"
        "max_backward_speed_kmh = 4.0  \n"
        "risks_acknowledged = false\n"
        'display_units = "mph"\n'
    )
    _write(config_path, original)
    acknowledge_risks()
    text = config_path.read_text()
    assert text.startswith("# my treadmill\nmax_backward_speed_kmh = 4.0  \n")
    assert text.count("risks_acknowledged") == 1
    settings = load_settings()
    assert settings.risks_acknowledged is True
    assert settings.max_backward_speed_kmh == 4.0
    assert settings.display_units == "mph"


def test_set_values_appends_new_keys_and_writes_valid_toml(config_path: Path) -> None:
    _write(config_path, "turn_hold_s = 3")  # no final newline
    set_config_values({"max_backward_speed_kmh": 6.4, "display_units": 'm"ph'})
    data = tomllib.loads(config_path.read_text())
    assert data == {"turn_hold_s": 3, "max_backward_speed_kmh": 6.4, "display_units": 'm"ph'}


def test_set_values_refuses_unknown_keys(config_path: Path) -> None:
    with pytest.raises(ConfigError, match="'speed' is not a setting"):
        set_config_values({"speed": 3})
    assert not config_path.exists()


@pytest.mark.parametrize(
    ("value", "text"), [(True, "true"), (False, "false"), (7, "7"), (6.4, "6.4"), ("kmh", '"kmh"')]
)
def test_format_toml_value(value: bool | int | float | str, text: str) -> None:
    assert format_toml_value(value) == text
    assert tomllib.loads(f"x = {text}")["x"] == value


def test_a_device_setting_is_written_into_its_own_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# mine\nmax_backward_speed_kmh = 2.5\n\n[devices."KS-1"]\nstart_toggles = true\n'
    )
    set_device_value("AA:BB:CC:DD:EE:FF", "speed_unit", "mph", path)
    set_device_value("KS-1", "speed_unit", "mph", path)
    set_device_value("KS-1", "speed_unit", "kmh", path)  # changed again: replaced, not added
    text = path.read_text()
    assert text.startswith("# mine\n")
    assert text.count("speed_unit") == 2
    settings = load_settings(path)
    assert settings.max_backward_speed_kmh == 2.5
    assert settings.device_settings("aa:bb:cc:dd:ee:ff").speed_unit == "mph"
    assert settings.device_settings("KS-1").speed_unit == "kmh"
    assert settings.device_settings("KS-1").start_toggles
    with pytest.raises(ConfigError, match="not a device setting"):
        set_device_value("KS-1", "max_speed", 9, path)
