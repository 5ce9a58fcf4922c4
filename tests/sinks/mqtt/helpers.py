"""A subscriber that records what a broker delivers, and short workouts to publish."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt

from tests.sinks.mqtt.brokers import Broker
from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sim import Quirk
from treadctl.sinks.mqtt.settings import MqttSettings, parse_mqtt_url
from treadctl.sinks.mqtt.sink import MqttSink
from treadctl.strap import StrapFactory
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner

#: Real seconds a test waits for something that should come at once (catches hangs only).
WAIT_S = 15.0

#: Forward, backward, forward: two turnarounds. About 33 s of workout time.
SHORT_PROFILE = """\
title = "MQTT test"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 2.0
duration = "6s"

[[segments]]
label = "Backward bout"
direction = "backward"
speed_kmh = 1.0
duration = "6s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.0
duration = "4s"
"""


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool
    at_s: float

    @property
    def text(self) -> str:
        return self.payload.decode()

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class Subscriber:
    """Everything the broker delivers on ``filters``, in order."""

    messages: list[Received] = field(default_factory=list)
    client: aiomqtt.Client | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def on(self, topic: str) -> list[Received]:
        return [m for m in self.messages if m.topic == topic]

    def payloads(self, topic: str) -> list[Any]:
        return [m.json() for m in self.on(topic) if m.payload]

    def matching(self, prefix: str) -> list[Received]:
        return [m for m in self.messages if m.topic.startswith(prefix)]

    async def wait_for(self, predicate: Callable[[], bool], what: str = "a message") -> None:
        deadline = time.monotonic() + WAIT_S
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"gave up waiting for {what}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def publish(self, topic: str, payload: str, *, retain: bool = False) -> None:
        assert self.client is not None
        await self.client.publish(topic, payload, qos=1, retain=retain)


def client_for(broker: Broker, **options: Any) -> aiomqtt.Client:
    tls = None
    if broker.certs is not None:
        tls = aiomqtt.TLSParameters(
            ca_certs=str(broker.certs.ca_file),
            certfile=str(broker.certs.client_cert),
            keyfile=str(broker.certs.client_key),
        )
    return aiomqtt.Client(broker.host, broker.port, tls_params=tls, timeout=WAIT_S, **options)


@contextlib.asynccontextmanager
async def subscribed(
    broker: Broker, *filters: str, username: str | None = None, password: str | None = None
) -> AsyncIterator[Subscriber]:
    """A subscriber to ``filters`` (default: everything) until the block ends."""
    sub = Subscriber()
    async with client_for(broker, username=username, password=password) as client:
        sub.client = client
        for topic in filters or ("#",):
            await client.subscribe(topic, qos=1)

        async def collect() -> None:
            async for message in client.messages:
                payload = message.payload
                assert isinstance(payload, bytes)
                sub.messages.append(
                    Received(message.topic.value, payload, bool(message.retain), time.monotonic())
                )
                sub._arrived.set()

        task = asyncio.create_task(collect())
        try:
            yield sub
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def write_profile(folder: Path, text: str = SHORT_PROFILE, name: str = "mqtt-test") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def quick_settings(**overrides: Any) -> Settings:
    """Short turnarounds, so a test workout takes little time."""
    return Settings(**{"turn_hold_s": 1.0, "turn_warning_s": 2.0, **overrides})


def mqtt_for(broker: Broker, **fields: Any) -> MqttSettings:
    if broker.certs is not None:
        fields.setdefault("ca_file", broker.certs.ca_file)
    return parse_mqtt_url(broker.url, **fields)


@dataclass
class Run:
    result: WorkoutResult
    treadmill: Treadmill
    runner: Runner
    notices: list[str]

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.result.log_path.read_text().splitlines()]

    def log_of(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.log_lines() if line.get("type") == kind]


@dataclass
class Workout:
    """A workout running in the background with an MQTT sink."""

    sink: MqttSink
    task: asyncio.Task[WorkoutResult]
    notices: list[str]
    holder: dict[str, Any]

    @property
    def runner(self) -> Runner:
        runner = self.holder.get("runner")
        assert isinstance(runner, Runner)
        return runner

    async def finish(self) -> Run:
        result = await asyncio.wait_for(self.task, 60)
        treadmill = self.holder["treadmill"]
        return Run(result, treadmill, self.runner, self.notices)


def start_workout(
    folder: Path,
    mqtt: MqttSettings,
    *,
    speed: float | str = 20.0,
    settings: Settings | None = None,
    actions: Sequence[tuple[float, str, float | None]] = (),
    profile: str = SHORT_PROFILE,
    strap: StrapFactory | None = None,
    quirks: frozenset[Quirk] = frozenset(),
) -> Workout:
    notices: list[str] = []
    sink = MqttSink(mqtt, notify=notices.append)
    holder: dict[str, Any] = {}

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        holder["runner"] = runner
        holder["treadmill"] = treadmill

    options = WorkoutOptions(
        profile=write_profile(folder, profile),
        settings=settings or quick_settings(),
        speed=speed,  # type: ignore[arg-type]
        log_path=folder / "session.jsonl",
        risks_acknowledged=True,
        sinks=[sink],
        actions=actions,
        auto_confirm_s=1.0,
        hold_limit_s=60.0,
        strap=strap,
        quirks=quirks,
        console_hand=bool(quirks),  # a machine that only reports needs a hand at its console
    )
    task = asyncio.create_task(run_workout(options, on_runner=on_runner))
    return Workout(sink, task, notices, holder)


async def run_with(folder: Path, mqtt: MqttSettings, **options: Any) -> Run:
    return await start_workout(folder, mqtt, **options).finish()
