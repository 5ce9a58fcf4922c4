"""``treadctl watch [URL]``: every treadmill on a broker at once, for the person supervising.

Textual and aiomqtt are imported inside the handler, so ``treadctl --version`` and the
other commands never load them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from treadctl.commands import summary
from treadctl.commands.common import add_settings_argument, fail, load_cli_settings
from treadctl.exit_codes import EXIT_OK, EXIT_USAGE

#: Where ``watch`` looks without a URL and without ``mqtt_url`` in the settings.
DEFAULT_URL = "mqtt://localhost"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "watch",
        help=summary("watch"),
        description=(
            "A full-screen dashboard of every treadctl treadmill publishing to the broker: "
            "a tile each with facing, speed (km/h), incline (%), segment and time left, "
            "heart rate (bpm), link and last alert. Treadmills with a safety alert, a hold "
            "or no link come first, with the terminal bell. Stop and pause each one "
            "(asked to confirm); nothing else is sent. See docs/watch.md."
        ),
    )
    parser.add_argument(
        "url",
        nargs="?",
        metavar="URL",
        help="the broker: mqtt://[user@]host[:port] or mqtts://... for TLS (default: "
        f"mqtt_url from the settings, else {DEFAULT_URL}); the password comes from "
        "TREADCTL_MQTT_PASSWORD",
    )
    parser.add_argument("--mqtt-user", metavar="NAME", help="user name for the broker")
    parser.add_argument(
        "--mqtt-base-topic",
        metavar="TOPIC",
        help="the treadmills' base topic (default: mqtt_base_topic, else treadctl)",
    )
    parser.add_argument("--mqtt-client-id", metavar="ID", help="MQTT client id of the watch")
    parser.add_argument("--mqtt-ca-file", type=Path, metavar="PEM", help="CA certificate (mqtts)")
    parser.add_argument(
        "--mqtt-cert-file", type=Path, metavar="PEM", help="client certificate (mqtts)"
    )
    parser.add_argument("--mqtt-key-file", type=Path, metavar="PEM", help="client key (mqtts)")
    parser.add_argument(
        "--no-bell",
        action="store_true",
        help="do not ring the terminal bell when a treadmill starts to need you ('b' toggles)",
    )
    add_settings_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from treadctl.sinks.mqtt.settings import MqttConfigError, mqtt_settings_from  # noqa: PLC0415

    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    try:
        mqtt = mqtt_settings_from(
            settings,
            url=args.url or settings.mqtt_url or DEFAULT_URL,
            username=args.mqtt_user,
            base_topic=args.mqtt_base_topic,
            ca_file=args.mqtt_ca_file,
            cert_file=args.mqtt_cert_file,
            key_file=args.mqtt_key_file,
        )
    except MqttConfigError as exc:
        return fail("watch", str(exc))
    assert mqtt is not None  # a URL was given
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return fail("watch", "the dashboard needs a terminal")
    # Heavy imports only now: the dashboard (Textual) and the follower (aiomqtt).
    from treadctl.watch.fleet import Fleet  # noqa: PLC0415
    from treadctl.watch.follower import MqttFollower  # noqa: PLC0415
    from treadctl.watch.ui import WatchApp  # noqa: PLC0415

    try:
        follower = MqttFollower(mqtt, Fleet(mqtt.base_topic), client_id=args.mqtt_client_id)
        app = WatchApp(follower, bell=not args.no_bell)
    except OSError as exc:  # a CA or key file that cannot be read
        return fail("watch", f"cannot use the TLS files: {exc}")
    return app.run() or EXIT_OK
