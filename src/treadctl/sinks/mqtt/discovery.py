"""Home Assistant MQTT discovery: one retained config message per entity.

Each entity reads one key of the ``state`` JSON through a ``value_template``. Classes and
units are the ones Home Assistant checks (kcal is an energy unit since Home Assistant
2024.10). ``unique_id`` is ``treadctl_<device_id>_<key>``, so two treadmills never share
an entity and a treadmill keeps its entities from one workout to the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import treadctl
from treadctl.sinks.mqtt.state import DIRECTIONS, HEART_RATE_SOURCES, WORKOUT_STATES
from treadctl.sinks.mqtt.topics import OFFLINE, ONLINE, Topics

#: What Home Assistant's buttons send.
PAYLOAD_PRESS = "PRESS"


@dataclass(frozen=True)
class Entity:
    """One Home Assistant entity: ``component`` is sensor, binary_sensor or button."""

    key: str
    component: str
    name: str
    device_class: str | None = None
    state_class: str | None = None
    unit: str | None = None
    icon: str | None = None
    options: tuple[str, ...] | None = None
    value_template: str | None = None
    precision: int | None = None
    diagnostic: bool = False
    attributes: bool = False
    """Also expose the whole state JSON as the entity's attributes."""


def _value(key: str) -> str:
    return f"{{{{ value_json.{key} }}}}"


SENSORS: tuple[Entity, ...] = (
    Entity("speed_kmh", "sensor", "Speed", "speed", "measurement", "km/h", precision=1),
    Entity(
        "incline_pct",
        "sensor",
        "Incline",
        None,
        "measurement",
        "%",
        "mdi:slope-uphill",
        precision=1,
    ),
    Entity("distance_m", "sensor", "Distance", "distance", "total_increasing", "m", precision=0),
    Entity("elapsed_s", "sensor", "Elapsed time", "duration", "total_increasing", "s", precision=0),
    Entity(
        "segment_left_s", "sensor", "Segment time left", "duration", "measurement", "s", precision=0
    ),
    Entity("energy_kcal", "sensor", "Energy", "energy", "total_increasing", "kcal", precision=0),
    Entity("heart_rate_bpm", "sensor", "Heart rate", None, "measurement", "bpm", "mdi:heart-pulse"),
    Entity(
        "heart_rate_source",
        "sensor",
        "Heart rate source",
        "enum",
        icon="mdi:heart-cog",
        options=(*HEART_RATE_SOURCES, "none"),
        # null (nothing reports a heart rate) is an option of its own: an enum sensor
        # refuses a value outside its options.
        value_template="{{ value_json.heart_rate_source or 'none' }}",
        diagnostic=True,
    ),
    Entity("facing", "sensor", "Direction", "enum", icon="mdi:swap-vertical", options=DIRECTIONS),
    Entity("segment", "sensor", "Segment", icon="mdi:format-list-numbered"),
    Entity(
        "workout_state",
        "sensor",
        "Workout",
        "enum",
        icon="mdi:run",
        options=WORKOUT_STATES,
        attributes=True,
    ),
    Entity(
        "backward_s",
        "sensor",
        "Backward time",
        "duration",
        "total_increasing",
        "s",
        "mdi:history",
        precision=0,
    ),
    Entity(
        "backward_distance_m",
        "sensor",
        "Backward distance",
        "distance",
        "total_increasing",
        "m",
        "mdi:arrow-u-down-left",
        precision=0,
    ),
    Entity(
        "link_connected",
        "binary_sensor",
        "Treadmill link",
        "connectivity",
        value_template="{{ 'ON' if value_json.link_connected else 'OFF' }}",
        diagnostic=True,
    ),
)

BUTTONS: tuple[Entity, ...] = (
    Entity("stop", "button", "Stop", icon="mdi:stop-circle"),
    Entity("pause", "button", "Pause", icon="mdi:pause-circle"),
)
#: Offered only when the user has enabled remote resume (H10).
RESUME_BUTTON = Entity("resume", "button", "Resume", icon="mdi:play-circle")


@dataclass(frozen=True)
class DeviceInfo:
    """The Home Assistant device a treadmill becomes."""

    name: str
    manufacturer: str = "treadctl"
    model: str = "FTMS treadmill"
    sw_version: str | None = None


def entities(*, remote_resume: bool) -> tuple[Entity, ...]:
    return SENSORS + BUTTONS + ((RESUME_BUTTON,) if remote_resume else ())


def config_payload(entity: Entity, topics: Topics, device: DeviceInfo) -> dict[str, Any]:
    """The discovery config for ``entity`` on the treadmill ``topics`` belong to."""
    config: dict[str, Any] = {
        "name": entity.name,
        "unique_id": f"{topics.node_id}_{entity.key}",
        "availability_topic": topics.availability,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "device": {
            "identifiers": [topics.node_id],
            "name": device.name,
            "manufacturer": device.manufacturer,
            "model": device.model,
            **({"sw_version": device.sw_version} if device.sw_version else {}),
        },
        "origin": {"name": "treadctl", "sw_version": treadctl.__version__},
    }
    if entity.component == "button":
        config["command_topic"] = topics.command(entity.key)
        config["payload_press"] = PAYLOAD_PRESS
        config["qos"] = 1
    else:
        config["state_topic"] = topics.state
        config["value_template"] = entity.value_template or _value(entity.key)
    if entity.component == "binary_sensor":
        config["payload_on"] = "ON"
        config["payload_off"] = "OFF"
    for key, value in (
        ("device_class", entity.device_class),
        ("state_class", entity.state_class),
        ("unit_of_measurement", entity.unit),
        ("icon", entity.icon),
        ("suggested_display_precision", entity.precision),
    ):
        if value is not None:
            config[key] = value
    if entity.options is not None:
        config["options"] = list(entity.options)
    if entity.diagnostic:
        config["entity_category"] = "diagnostic"
    if entity.attributes:
        config["json_attributes_topic"] = topics.state
    return config


def discovery_messages(
    topics: Topics, device: DeviceInfo, *, remote_resume: bool
) -> list[tuple[str, bytes]]:
    """(topic, payload) of every discovery config, to publish retained.

    Without remote resume, the resume button's config is an empty payload: that removes
    a button left on the broker by an earlier run that had it.
    """
    messages = [
        (
            topics.discovery(entity.component, entity.key),
            json.dumps(config_payload(entity, topics, device), separators=(",", ":")).encode(),
        )
        for entity in entities(remote_resume=remote_resume)
    ]
    if not remote_resume:
        messages.append((topics.discovery(RESUME_BUTTON.component, RESUME_BUTTON.key), b""))
    return messages
