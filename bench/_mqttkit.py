"""What the MQTT benchmarks share: a broker on loopback, profiles, a stamping link.

The broker is the tests' (``tests/sinks/mqtt/brokers.py``): Mosquitto started on a free port
with its own config file, or amqtt where Mosquitto is not installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from _benchkit import REPO_ROOT
from treadctl.client import TreadmillClient
from treadctl.clock import Clock
from treadctl.config import Settings
from treadctl.ftms import uuids
from treadctl.link.base import NotifyCallback
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.workout.builtin import load_profile
from treadctl.workout.plan import plan
from treadctl.workout.ports import Treadmill, TreadmillFactory

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.sinks.mqtt.brokers import Broker, broker_kinds, make_broker


@contextlib.contextmanager
def loopback_broker(kind: str | None = None) -> Iterator[Broker]:
    """A broker on 127.0.0.1 for the benchmark's lifetime (Mosquitto unless told)."""
    chosen = broker_kinds(kind)[0]
    with tempfile.TemporaryDirectory(prefix="treadctl-bench-") as folder:
        broker = make_broker(chosen, Path(folder))
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


def broker_cpu_s(broker: Broker) -> float | None:
    """CPU seconds the broker process has used (Linux /proc), or None."""
    if broker.process is None:
        return None
    try:
        fields = Path(f"/proc/{broker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def steady_profile(folder: Path, seconds: float, *, backward: bool = True) -> Path:
    """Segments of about 20 s, forward and backward by turns, ``seconds`` in all.

    Without ``backward``: one forward segment of ``seconds``.
    """
    if backward:
        count = max(1, round(seconds / 20))
        segments = [
            ("backward" if n % 2 else "forward", 1.5 if n % 2 else 3.0, seconds / count)
            for n in range(count)
        ]
    else:
        segments = [("forward", 3.0, seconds)]
    lines = ['title = "benchmark"']
    for n, (direction, speed, duration) in enumerate(segments, 1):
        lines += [
            "",
            "[[segments]]",
            f'label = "{direction} {n}"',
            f'direction = "{direction}"',
            f"speed_kmh = {speed}",
            f"duration = {duration:.1f}",
        ]
    path = folder / "bench.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def planned_s(profile: Path, settings: Settings) -> float:
    """How long the workout takes on the workout clock (turns and ramps included)."""
    return plan(load_profile(profile), settings).total_s


class StampingLink(LoopbackLink):
    """A loopback link that notes when the simulator sent each Treadmill Data record.

    ``sent_at[n]`` is the ``time.perf_counter()`` at which the simulator handed over the
    last packet of the client's ``n``-th record (``TreadmillState.records``).
    """

    def __init__(self, sim: SimTreadmill, clock: Clock) -> None:
        super().__init__(sim, clock)
        self.client: TreadmillClient | None = None
        self.sent_at: dict[int, float] = {}
        self._in_flight: deque[float] = deque()

    def notify(self, uuid: str, data: bytes) -> None:
        if uuid == uuids.TREADMILL_DATA and self.is_connected:
            self._in_flight.append(time.perf_counter())
        super().notify(uuid, data)

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        if uuid != uuids.TREADMILL_DATA:
            await super().subscribe(uuid, callback)
            return

        def stamped(data: bytes) -> None:
            sent = self._in_flight.popleft() if self._in_flight else time.perf_counter()
            client = self.client
            before = client.state.records if client is not None else 0
            callback(data)
            if client is not None and client.state.records != before:
                self.sent_at[client.state.records] = sent

        self._in_flight.clear()
        await super().subscribe(uuid, stamped)


def stamped_treadmill(
    name: str, data_rate_hz: float, links: list[StampingLink]
) -> TreadmillFactory:
    """A treadmill factory for ``WorkoutOptions``: a simulator behind a stamping link."""

    @contextlib.asynccontextmanager
    async def open_treadmill(clock: Clock) -> AsyncIterator[Treadmill]:
        sim = SimTreadmill(clock, SimConfig(name=name, data_rate_hz=data_rate_hz))
        link = StampingLink(sim, clock)
        client = TreadmillClient(link, clock)
        link.client = client
        links.append(link)
        async with sim.running():
            try:
                yield Treadmill(client, "simulator", name, sim.config.address, sim)
            finally:
                await client.aclose()

    return open_treadmill
