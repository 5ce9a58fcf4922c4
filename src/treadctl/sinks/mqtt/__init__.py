"""Live workout stats over MQTT, with Home Assistant discovery and H10-safe remote commands.

Topics, payloads and setup: docs/mqtt.md. The pieces: :mod:`.settings` (the broker URL
and options), :mod:`.topics`, :mod:`.discovery` (Home Assistant configs), :mod:`.state`
(the state and event payloads), :mod:`.commands` (H10 policy), :mod:`.publisher` (the
connection task: reconnects, backoff, bounded outbox) and :mod:`.sink` (the workout sink
that ties them to a run).
"""

from treadctl.sinks.mqtt.publisher import Publisher, PublisherStats, RateLimiter
from treadctl.sinks.mqtt.settings import (
    MqttConfigError,
    MqttSettings,
    mqtt_settings_from,
    parse_mqtt_url,
    safe_id,
)
from treadctl.sinks.mqtt.sink import MqttSink, default_device_id
from treadctl.sinks.mqtt.state import WORKOUT_STATES
from treadctl.sinks.mqtt.topics import Topics

__all__ = [
    "WORKOUT_STATES",
    "MqttConfigError",
    "MqttSettings",
    "MqttSink",
    "Publisher",
    "PublisherStats",
    "RateLimiter",
    "Topics",
    "default_device_id",
    "mqtt_settings_from",
    "parse_mqtt_url",
    "safe_id",
]
