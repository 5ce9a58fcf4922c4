"""Where the MQTT broker is and how treadctl talks to it.

The broker is given as a URL, ``mqtt://[user[:password]@]host[:port]`` or
``mqtts://...`` for TLS, on the command line (``--mqtt``) or as ``mqtt_url`` in the
settings. The password is best kept out of the URL (which shows in ``ps``) and given as
``TREADCTL_MQTT_PASSWORD`` instead. It is never printed or logged: everything that shows
a broker to the user goes through :attr:`MqttSettings.display_url`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from treadctl.config import Settings
from treadctl.errors import TreadctlError

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883
DEFAULT_BASE_TOPIC = "treadctl"
DEFAULT_DISCOVERY_PREFIX = "homeassistant"
DEFAULT_STATE_RATE_HZ = 1.0
#: Seconds between keep-alive pings; a dead link is noticed within about 1.5x this.
DEFAULT_KEEPALIVE_S = 30

_TOPIC_LEVELS = re.compile(r"^[^/#+\x00]+(/[^/#+\x00]+)*$")
_UNSAFE_ID = re.compile(r"[^a-z0-9_-]+")


class MqttConfigError(TreadctlError, ValueError):
    """The MQTT settings cannot be used; the message says which one and why."""


@dataclass(frozen=True)
class MqttSettings:
    """A broker and how to publish to it. Times in s, rates in Hz."""

    host: str
    port: int = DEFAULT_PORT
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    client_id: str | None = None
    base_topic: str = DEFAULT_BASE_TOPIC
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    state_rate_hz: float = DEFAULT_STATE_RATE_HZ
    remote_resume: bool = False
    """H10: accept ``cmd/resume``. Off by default: resuming starts the belt."""
    device_id: str | None = None
    """Topic and Home Assistant id; None: from the treadmill (address or simulator name)."""
    keepalive_s: int = DEFAULT_KEEPALIVE_S

    def __post_init__(self) -> None:
        if not self.host:
            raise MqttConfigError("the MQTT URL has no host")
        if not 0 < self.port < 65536:
            raise MqttConfigError(f"MQTT port {self.port} is not a port number")
        for name in ("base_topic", "discovery_prefix"):
            value = getattr(self, name)
            if not _TOPIC_LEVELS.match(value):
                raise MqttConfigError(
                    f"mqtt_{name} {value!r} is not a plain topic (no +, #, empty levels "
                    "or leading/trailing /)"
                )
        if not 0 < self.state_rate_hz <= 20:
            raise MqttConfigError(
                f"mqtt_state_rate_hz {self.state_rate_hz:g} must be above 0 and at most 20"
            )
        if (self.cert_file is None) != (self.key_file is None):
            raise MqttConfigError("mqtt_cert_file and mqtt_key_file go together: give both")
        if not self.tls and (self.ca_file or self.cert_file):
            raise MqttConfigError("a CA file or client certificate needs TLS: use an mqtts:// URL")
        if self.password is not None and self.username is None:
            raise MqttConfigError("an MQTT password needs a user name (mqtt_username)")

    @property
    def display_url(self) -> str:
        """The broker as shown to people: never with the password."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def safe_id(text: str) -> str:
    """``text`` as a topic level and Home Assistant id: lower case, ``[a-z0-9_-]``."""
    cleaned = _UNSAFE_ID.sub("_", text.strip().lower()).strip("_")
    return cleaned or "treadmill"


def parse_mqtt_url(url: str, **fields: object) -> MqttSettings:
    """:class:`MqttSettings` from ``url``, with ``fields`` filling what the URL leaves out.

    A user or password in the URL wins over ``username``/``password`` in ``fields``.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        # The parser's own message can quote the password (mqtt://u:secret/x@host reads
        # "secret" as a port): say what is wrong without it.
        raise MqttConfigError(
            f"not a usable MQTT URL ({_redacted(url)}): expected "
            "mqtt://[user[:password]@]host[:port] with a numeric port (a password with "
            "/ or @ in it must be written %2F or %40)"
        ) from None
    if parts.scheme not in ("mqtt", "mqtts"):
        raise MqttConfigError(
            f"the MQTT URL must start with mqtt:// or mqtts://, not {_redacted(url)!r}"
        )
    if parts.query or parts.fragment or parts.path.strip("/"):
        raise MqttConfigError(
            "the MQTT URL is only scheme://[user@]host[:port]; set the base topic with "
            "--mqtt-base-topic or mqtt_base_topic"
        )
    tls = parts.scheme == "mqtts"
    values: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    if parts.username:
        values["username"] = unquote(parts.username)
    if parts.password is not None:
        values["password"] = unquote(parts.password)
    try:
        return MqttSettings(
            host=parts.hostname or "",
            port=port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
            tls=tls,
            **values,  # type: ignore[arg-type]
        )
    except TypeError as exc:
        raise MqttConfigError(f"unknown MQTT setting: {exc}") from None


def _redacted(url: str) -> str:
    """``url`` with anything that may be a password replaced, for error messages.

    With an ``@``, everything between the user's ``:`` and the last ``@`` is the
    password. Without one, text after a ``:`` that is not a port number may be a
    password typed without its ``@``: hidden too.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    if "@" in rest:
        userinfo, _, hostpart = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        return f"{scheme}://{user}{':***' if colon else ''}@{hostpart}"
    host, colon, after = rest.partition(":")
    port = re.match(r"\d*", after)
    digits = port.group(0) if port else ""
    if colon and after[len(digits) :][:1] not in ("", "/"):
        return f"{scheme}://{host}:***"
    return url


def mqtt_settings_from(
    settings: Settings,
    *,
    url: str | None = None,
    username: str | None = None,
    client_id: str | None = None,
    base_topic: str | None = None,
    device_id: str | None = None,
    ca_file: Path | None = None,
    cert_file: Path | None = None,
    key_file: Path | None = None,
) -> MqttSettings | None:
    """The MQTT settings for a run: arguments over ``settings``; None when MQTT is off.

    Raises:
        MqttConfigError: the URL or a setting cannot be used.
    """
    url = url or settings.mqtt_url
    if not url:
        return None
    password = settings.mqtt_password.get_secret_value() if settings.mqtt_password else None
    return parse_mqtt_url(
        url,
        username=username or settings.mqtt_username,
        password=password,
        client_id=client_id or settings.mqtt_client_id,
        base_topic=base_topic or settings.mqtt_base_topic,
        discovery_prefix=settings.mqtt_discovery_prefix,
        state_rate_hz=settings.mqtt_state_rate_hz,
        remote_resume=settings.mqtt_remote_resume,
        device_id=device_id or settings.mqtt_device_id,
        ca_file=ca_file or settings.mqtt_ca_file,
        cert_file=cert_file or settings.mqtt_cert_file,
        key_file=key_file or settings.mqtt_key_file,
    )


def numbered(settings: MqttSettings, index: int) -> MqttSettings:
    """Settings for the ``index``-th of several treadmills on one broker (``--count``).

    An explicit device id or client id gets ``-<index>`` so no two collide.
    """
    return replace(
        settings,
        device_id=f"{settings.device_id}-{index}" if settings.device_id else None,
        client_id=f"{settings.client_id}-{index}" if settings.client_id else None,
    )
