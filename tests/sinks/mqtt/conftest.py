"""Broker fixtures: a real broker process per test, Mosquitto or amqtt.

The broker comes from ``TREADCTL_TEST_BROKER`` (mosquitto, amqtt or both), read when the
tests are collected; without it, Mosquitto where installed and amqtt where not. Run
``TREADCTL_TEST_BROKER=amqtt pytest tests/sinks/mqtt`` to see the suite pass on amqtt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sinks.mqtt.brokers import (
    Broker,
    BrokerKind,
    Certificates,
    amqtt_available,
    broker_kinds,
    make_broker,
    make_certificates,
    mosquitto_path,
    openssl_available,
)

KINDS = broker_kinds()

BrokerFactory = Callable[..., Broker]


@pytest.fixture(params=KINDS)
def broker_kind(request: pytest.FixtureRequest) -> BrokerKind:
    kind: BrokerKind = request.param
    if kind == "mosquitto" and mosquitto_path() is None:
        pytest.fail("TREADCTL_TEST_BROKER asks for mosquitto, which is not installed")
    if kind == "amqtt" and not amqtt_available():
        pytest.fail("neither mosquitto nor amqtt: install mosquitto, or the dev extra")
    return kind


@pytest.fixture
def make_broker_for(broker_kind: BrokerKind, tmp_path: Path) -> Iterator[BrokerFactory]:
    """Makes (not starts) brokers of the kind under test; all are stopped at the end."""
    made: list[Broker] = []

    def make(**options: object) -> Broker:
        broker = make_broker(broker_kind, tmp_path / f"broker-{len(made)}", **options)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        broker.stop()


@pytest.fixture
def broker(make_broker_for: BrokerFactory) -> Broker:
    """A started broker, anonymous, plain TCP on a free loopback port."""
    b = make_broker_for()
    b.start()
    return b


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    if not openssl_available():
        pytest.skip("the openssl command is needed to make test certificates")
    return make_certificates(tmp_path_factory.mktemp("certs"))
