"""A fleet model that says when it changes, a follower running in the background, and
fleets of real ``treadctl replay --count N --mqtt`` processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.sinks.mqtt.brokers import Broker
from treadctl.sinks.mqtt.settings import MqttSettings, parse_mqtt_url
from treadctl.watch.fleet import Fleet, Treadmill
from treadctl.watch.follower import MqttFollower

#: Real seconds a test waits for something that should come soon (catches hangs only).
WAIT_S = 30.0
REPO = Path(__file__).resolve().parents[2]

#: Forward, backward, forward: about 30 s of workout time, 3 s of wall time at --time-factor 10.
SHORT_PROFILE = """\
title = "Watch test"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 2.0
duration = "8s"

[[segments]]
label = "Backward bout"
direction = "backward"
speed_kmh = 1.0
duration = "8s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.0
duration = "6s"
"""

#: Long enough to still run when a test acts on it (about 4 minutes of workout time).
LONG_PROFILE = """\
title = "Watch test, long"

[[segments]]
label = "Long walk"
direction = "forward"
speed_kmh = 2.5
duration = "4m"
"""

#: Short turns, so the test workouts take little time; written as the replays' config.
QUICK_CONFIG = "turn_hold_s = 1.0\nturn_warning_s = 2.0\n"

#: Event types treadctl publishes (everything else in a session log stays local).
PUBLISHED_TYPES = frozenset(
    {
        "workout_started",
        "segment_started",
        "turnaround",
        "cue",
        "safety",
        "paused",
        "resumed",
        "finished",
        "remote_command",
    }
)


class SignallingFleet(Fleet):
    """A fleet that wakes a waiting test at every message, and notes which were retained."""

    def __init__(self, base_topic: str = "treadctl") -> None:
        super().__init__(base_topic)
        self.changed = asyncio.Event()
        self.arrivals: list[tuple[str, bool]] = []

    def handle(
        self, topic: str, payload: bytes, *, now_s: float, retained: bool = False
    ) -> Treadmill | None:
        self.arrivals.append((topic, retained))
        found = super().handle(topic, payload, now_s=now_s, retained=retained)
        self.changed.set()
        return found

    async def wait_for(self, predicate: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"gave up waiting for {what}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))


def settings_for(broker: Broker, **fields: Any) -> MqttSettings:
    if broker.certs is not None:
        fields.setdefault("ca_file", broker.certs.ca_file)
    return parse_mqtt_url(broker.url, **fields)


@contextlib.asynccontextmanager
async def following(
    broker: Broker, fleet: SignallingFleet | None = None, **fields: Any
) -> AsyncIterator[MqttFollower]:
    """A follower of ``broker`` running in the background until the block ends."""
    follower = MqttFollower(settings_for(broker, **fields), fleet or SignallingFleet())
    task = asyncio.create_task(follower.run())
    try:
        yield follower
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def fleet_of(follower: MqttFollower) -> SignallingFleet:
    fleet = follower.fleet
    assert isinstance(fleet, SignallingFleet)
    return fleet


@dataclass
class ReplayFleet:
    """``treadctl replay PROFILE --count N --mqtt URL`` running in its own process."""

    process: subprocess.Popen[str]
    folder: Path
    count: int

    @property
    def device_ids(self) -> list[str]:
        if self.count == 1:
            return ["treadctl-sim"]
        return [f"treadctl-sim-{i}" for i in range(1, self.count + 1)]

    def log(self, index: int) -> list[dict[str, Any]]:
        """Session ``index`` (from 1; with one treadmill, its only session)."""
        name = "class.jsonl" if self.count == 1 else f"class-{index}.jsonl"
        path = self.folder / name
        return [json.loads(line) for line in path.read_text().splitlines()]

    def published(self, index: int) -> list[dict[str, Any]]:
        """The events of session ``index`` that treadctl publishes, in order."""
        return [line for line in self.log(index) if line.get("type") in PUBLISHED_TYPES]

    def wait(self, timeout_s: float = WAIT_S) -> str:
        out, _ = self.process.communicate(timeout=timeout_s)
        assert self.process.returncode == 0, out
        return out

    async def finished(self, timeout_s: float = WAIT_S) -> str:
        """Its output, once it exits (the event loop runs on meanwhile)."""
        return await asyncio.to_thread(self.wait, timeout_s)

    def interrupt(self) -> None:
        """Ctrl-C, as a person would: treadctl stops the belts and says offline."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.communicate(timeout=WAIT_S)
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def start_replays(
    folder: Path,
    url: str,
    *,
    count: int,
    speed: float = 10.0,
    profile: str = SHORT_PROFILE,
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> ReplayFleet:
    """Start ``treadctl replay --count`` against the broker at ``url``."""
    folder.mkdir(parents=True, exist_ok=True)
    profile_path = folder / "watch-test.toml"
    profile_path.write_text(profile)
    config = folder / "config.toml"
    config.write_text(QUICK_CONFIG)
    command = [
        sys.executable,
        "-m",
        "treadctl",
        "replay",
        str(profile_path),
        "--count",
        str(count),
        "--time-factor",
        str(speed),
        "--confirm-after",
        "1",
        "--mqtt",
        url,
        "--log",
        str(folder / "class.jsonl"),
        "--config",
        str(config),
        *extra,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={**os.environ, "TREADCTL_DATA_DIR": str(folder / "data"), **(env or {})},
    )
    return ReplayFleet(process, folder, count)


@contextlib.contextmanager
def replays(folder: Path, url: str, **options: Any) -> Iterator[ReplayFleet]:
    fleet = start_replays(folder, url, **options)
    try:
        yield fleet
    finally:
        fleet.interrupt()
