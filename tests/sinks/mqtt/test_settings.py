"""The broker URL, the MQTT settings and where they come from (no broker needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from treadctl.cli import main
from treadctl.config import ConfigError, load_settings
from treadctl.sinks.mqtt.cli import add_mqtt_arguments, mqtt_settings_from_args
from treadctl.sinks.mqtt.settings import (
    MqttConfigError,
    mqtt_settings_from,
    numbered,
    parse_mqtt_url,
    safe_id,
)


def test_plain_and_tls_urls_get_their_default_ports() -> None:
    plain = parse_mqtt_url("mqtt://broker.local")
    assert (plain.host, plain.port, plain.tls) == ("broker.local", 1883, False)
    tls = parse_mqtt_url("mqtts://broker.local")
    assert (tls.port, tls.tls) == (8883, True)
    assert parse_mqtt_url("mqtt://10.0.0.2:1884").port == 1884


def test_user_and_password_in_the_url_are_decoded_and_never_shown() -> None:
    s = parse_mqtt_url("mqtt://coach:p%40ss%3Aword@gym:1883")
    assert s.username == "coach"
    assert s.password == "p@ss:word"
    assert "p@ss" not in s.display_url
    assert "p@ss" not in repr(s)
    assert s.display_url == "mqtt://coach@gym:1883"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://gym", "mqtt:// or mqtts://"),
        ("mqtt://", "no host"),
        ("mqtt://gym/treadctl", "base topic"),
        ("mqtt://gym:99999", "(?i)port"),
        ("mqtt://gym?x=1", "scheme://"),
    ],
)
def test_unusable_urls_are_refused_with_a_reason(url: str, complaint: str) -> None:
    with pytest.raises(MqttConfigError, match=complaint):
        parse_mqtt_url(url)


def test_an_error_about_a_url_never_shows_its_password() -> None:
    with pytest.raises(MqttConfigError) as caught:
        parse_mqtt_url("http://coach:hunter2@gym")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"base_topic": "gym/+"}, "plain topic"),
        ({"base_topic": "gym/"}, "plain topic"),
        ({"discovery_prefix": ""}, "plain topic"),
        ({"state_rate_hz": 0}, "above 0"),
        ({"cert_file": Path("c.pem")}, "go together"),
        ({"password": "x"}, "needs a user name"),
    ],
)
def test_settings_that_cannot_work_are_refused(fields: dict[str, object], complaint: str) -> None:
    with pytest.raises(MqttConfigError, match=complaint):
        parse_mqtt_url("mqtt://gym", **fields)


def test_a_ca_file_needs_an_mqtts_url() -> None:
    with pytest.raises(MqttConfigError, match="mqtts://"):
        parse_mqtt_url("mqtt://gym", ca_file=Path("ca.pem"))


def test_mqtt_is_off_without_a_url() -> None:
    assert mqtt_settings_from(load_settings()) is None


def test_settings_come_from_the_config_file_and_the_password_from_the_environment(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text(
        'mqtt_url = "mqtts://gym.example:8884"\n'
        'mqtt_username = "coach"\n'
        'mqtt_base_topic = "gym/floor1"\n'
        'mqtt_discovery_prefix = "ha"\n'
        "mqtt_state_rate_hz = 2.0\n"
        'mqtt_ca_file = "/etc/ssl/gym-ca.pem"\n'
        "mqtt_remote_resume = true\n"
        'mqtt_device_id = "lane-3"\n'
    )
    monkeypatch.setenv("TREADCTL_MQTT_PASSWORD", "from-the-env")
    settings = load_settings()
    assert "from-the-env" not in repr(settings)
    mqtt = mqtt_settings_from(settings)
    assert mqtt is not None
    assert (mqtt.host, mqtt.port, mqtt.tls) == ("gym.example", 8884, True)
    assert (mqtt.username, mqtt.password) == ("coach", "from-the-env")
    assert (mqtt.base_topic, mqtt.discovery_prefix) == ("gym/floor1", "ha")
    assert mqtt.state_rate_hz == 2.0
    assert mqtt.ca_file == Path("/etc/ssl/gym-ca.pem")
    assert mqtt.remote_resume is True
    assert mqtt.device_id == "lane-3"


def test_command_line_options_win_over_the_settings(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text('mqtt_url = "mqtt://file-broker"\nmqtt_device_id = "from-file"\n')
    parser = argparse.ArgumentParser()
    add_mqtt_arguments(parser)
    args = parser.parse_args(
        ["--mqtt", "mqtt://cli-broker:1999", "--mqtt-device-id", "lane-1", "--mqtt-user", "u"]
    )
    mqtt = mqtt_settings_from_args(args, load_settings())
    assert mqtt is not None
    assert (mqtt.host, mqtt.port, mqtt.device_id, mqtt.username) == (
        "cli-broker",
        1999,
        "lane-1",
        "u",
    )


def test_device_ids_are_made_safe_for_topics_and_home_assistant() -> None:
    assert safe_id("AA:BB:CC:DD:EE:01") == "aa_bb_cc_dd_ee_01"
    assert safe_id("Lane 3 / #1") == "lane_3_1"
    assert safe_id("+#") == "treadmill"


def test_several_treadmills_get_numbered_ids_only_where_ids_were_given() -> None:
    base = parse_mqtt_url("mqtt://gym", device_id="lane", client_id="coach")
    assert (numbered(base, 2).device_id, numbered(base, 2).client_id) == ("lane-2", "coach-2")
    plain = numbered(parse_mqtt_url("mqtt://gym"), 2)
    assert (plain.device_id, plain.client_id) == (None, None)


def test_the_cli_refuses_a_bad_broker_url_before_anything_moves(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "first-steps", "--sim", "--mqtt", "http://gym"]) == 2
    assert "mqtt:// or mqtts://" in capsys.readouterr().err
    assert main(["replay", "first-steps", "--mqtt", "mqtt://gym/base"]) == 2
    assert "base topic" in capsys.readouterr().err


def test_replay_count_needs_no_broker_and_refuses_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", "first-steps", "--count", "2", "--events"]) == 2
    assert "--events" in capsys.readouterr().err
    assert main(["replay", "first-steps", "--count", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("workout completed") == 2
    assert "== treadctl-sim-2" in out


def test_a_wrong_password_value_is_never_echoed(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text("mqtt_password = 123456789\n")  # a number, not a string
    with pytest.raises(ConfigError) as err:
        load_settings(config_path)
    assert "mqtt_password" in str(err.value)
    assert "123456789" not in str(err.value)
    assert "(hidden)" in str(err.value)


@pytest.mark.parametrize(
    "url",
    [
        "mqtt://u:S3cr3t/x@host",  # a "/" in the password: the parser reads it as a port
        "mqtt://u:S3cr3t@host:99x",
        "mqtts://coach:S3cr3t@gym:1883:1",
        "mqtt://u:S3cr3t",
    ],
)
def test_a_malformed_url_never_shows_its_password(url: str) -> None:
    with pytest.raises(MqttConfigError) as caught:
        parse_mqtt_url(url)
    assert "S3cr3t" not in str(caught.value)
    assert "***" in str(caught.value)
