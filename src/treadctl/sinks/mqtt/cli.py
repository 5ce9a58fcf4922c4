"""The ``--mqtt`` options of ``treadctl run`` and ``treadctl replay``, and the sink they make."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from treadctl.config import Settings
from treadctl.sinks.mqtt.settings import MqttSettings, mqtt_settings_from, numbered

if TYPE_CHECKING:
    from treadctl.sinks.mqtt.sink import MqttSink


def add_mqtt_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "live stats over MQTT (docs/mqtt.md)",
        "Also settable in the config file (mqtt_url, ...) or as TREADCTL_MQTT_* variables. "
        "Give the password as TREADCTL_MQTT_PASSWORD.",
    )
    group.add_argument(
        "--mqtt",
        metavar="URL",
        help="publish the workout to this broker: mqtt://[user@]host[:port] or mqtts://... for TLS",
    )
    group.add_argument("--mqtt-user", metavar="NAME", help="user name for the broker")
    group.add_argument("--mqtt-client-id", metavar="ID", help="MQTT client id")
    group.add_argument(
        "--mqtt-base-topic", metavar="TOPIC", help="topics go under TOPIC/<device-id>/"
    )
    group.add_argument(
        "--mqtt-device-id",
        metavar="ID",
        help="device id in topics and Home Assistant (default: from the treadmill)",
    )
    group.add_argument("--mqtt-ca-file", type=Path, metavar="PEM", help="CA certificate (mqtts)")
    group.add_argument(
        "--mqtt-cert-file", type=Path, metavar="PEM", help="client certificate (mqtts)"
    )
    group.add_argument("--mqtt-key-file", type=Path, metavar="PEM", help="client key (mqtts)")


def mqtt_settings_from_args(args: argparse.Namespace, settings: Settings) -> MqttSettings | None:
    """The MQTT settings of a run (None: MQTT is off).

    Raises:
        MqttConfigError: a URL or setting that cannot be used.
    """
    return mqtt_settings_from(
        settings,
        url=args.mqtt,
        username=args.mqtt_user,
        client_id=args.mqtt_client_id,
        base_topic=args.mqtt_base_topic,
        device_id=args.mqtt_device_id,
        ca_file=args.mqtt_ca_file,
        cert_file=args.mqtt_cert_file,
        key_file=args.mqtt_key_file,
    )


def print_notice(message: str) -> None:
    print(f"treadctl: {message}", file=sys.stderr, flush=True)


def mqtt_sinks(mqtt: MqttSettings | None, *, index: int | None = None) -> list[MqttSink]:
    """``[sink]`` for one treadmill (the ``index``-th of several), or ``[]`` without MQTT."""
    if mqtt is None:
        return []
    from treadctl.sinks.mqtt.sink import MqttSink  # noqa: PLC0415 (aiomqtt only when used)

    return [MqttSink(mqtt if index is None else numbered(mqtt, index), notify=print_notice)]
