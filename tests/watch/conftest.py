"""Fixtures for the watch: the MQTT tests' real brokers, and fleets of real replays."""

from __future__ import annotations

from tests.sinks.mqtt.conftest import (  # noqa: F401 (fixtures, found by pytest by name)
    broker,
    broker_kind,
    certificates,
    make_broker_for,
)
