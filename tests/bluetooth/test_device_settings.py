"""The config file's Bluetooth block: the default device and per-device tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadctl.config import ConfigError, DeviceSettings, load_settings, set_config_values

CONFIG = """\
max_backward_speed_kmh = 2.5
device = "Vitalwalk"

[devices."AA:BB:CC:DD:EE:01"]
speed_unit = "mph"

[devices.Vitalwalk]
start_toggles = true
"""


def test_devices_are_read_from_their_tables(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text(CONFIG)
    settings = load_settings()
    assert settings.device == "Vitalwalk"
    assert settings.device_settings("aa:bb:cc:dd:ee:01") == DeviceSettings(speed_unit="mph")
    assert settings.device_settings("11:22:33:44:55:66", "vitalwalk").start_toggles
    assert settings.device_settings("unknown") == DeviceSettings()
    # Setting a top-level value keeps the tables as they are.
    set_config_values({"device": "AA:BB:CC:DD:EE:01"})
    again = load_settings()
    assert again.device == "AA:BB:CC:DD:EE:01"
    assert again.devices == settings.devices


def test_the_environment_names_a_device(monkeypatch: pytest.MonkeyPatch, config_path: Path) -> None:
    monkeypatch.setenv("TREADCTL_DEVICE", "UREVO")
    assert load_settings().device == "UREVO"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[devices."AA:BB"]\nspeed_unt = "mph"\n',
            """unknown key 'speed_unt' in [devices."AA:BB"]; did you mean 'speed_unit'?""",
        ),
        (
            '[devices."AA:BB"]\nspeed_unit = "knots"\n',
            "devices.AA:BB.speed_unit: 'knots' is not valid: input should be 'kmh' or 'mph'",
        ),
    ],
)
def test_mistakes_in_a_device_table_are_named(config_path: Path, table: str, message: str) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text(table)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert message in str(error.value)
    assert str(config_path) in str(error.value)
