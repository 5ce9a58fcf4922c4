"""A room full of treadmills: ``treadctl watch`` following 1,000 of them on one broker.

``--processes`` (4) ``treadctl replay --count N --time-factor 1 --mqtt URL`` processes run
``--count`` (1,000) simulated treadmills in real time between them, Treadmill Data at
2 Hz, the state at 1 Hz, each its own MQTT connection, into one Mosquitto on loopback.
Each workout walks forward and backward by turns (turnarounds included) for longer than
the measurement. Two followers, each in a process of its own, run side by side:

- ``watch``: the real dashboard (``WatchApp`` with ``MqttFollower``), drawing to a
  120x35 pseudo-terminal that this script reads and throws away, as a person's
  terminal would;
- ``bare-subscriber``, the baseline: one aiomqtt client that subscribes to the same
  topics and decodes each state's JSON, nothing else: what following the fleet costs
  at the least.

Measured over a window of ``--seconds`` that starts ``--warmup`` seconds after the
replays start:

- CPU, each process's user + system time over the window's wall time, as a share of
  one core: the watch, the baseline, Mosquitto, the replays together;
- state to tile: for each state, the time from its own ``ts`` to the first of the
  dashboard's refreshes (2 Hz) that draws from it, for every treadmill (the model every
  tile is drawn from: a tile paged to shows it) and for the tiles on screen;
- tile age: at each refresh, for every treadmill in a workout, how old its newest state
  is; with a state a second, at least a second at worst;
- delivery lag: for each state, arrival at the follower minus its ``ts``, for the watch
  and the baseline, and the interval between a treadmill's states by their own ``ts``
  (the publishers' cadence);
- what QoS promises: every event (QoS 1) in each treadmill's session log must reach
  both followers; states (QoS 0) are counted by their ``seq`` and gaps reported; and
  Mosquitto's own count of messages it dropped (``$SYS``).

    .venv/bin/python bench/watch_fleet.py [--count 1000] [--processes 4] [--seconds 120]
                                          [--warmup 40] [--json]

Goals: state to tile p99 under 2 s, the watch under half a core, no event lost, nothing
dropped by the broker. A benchmark: it reports, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _benchkit import REPO_ROOT, machine_info, machine_lines, percentile, table
from _mqttkit import loopback_broker, steady_profile

GOAL_P99_S = 2.0
GOAL_CPU_SHARE = 0.5
SIZE = (120, 35)
#: Mosquitto's count of messages it dropped (queue limits), and of the publishes it
#: received, sent every 10 s. It skips retained publishes (the states), so the second is
#: the events it received: a check on the session logs from the broker's side.
SYS_DROPPED = "$SYS/broker/publish/messages/dropped"
SYS_RECEIVED = "$SYS/broker/publish/messages/received"
#: After the replays end: the last events on their way, and one more $SYS update.
SETTLE_S = 11.0
#: Event types treadctl publishes (the rest of a session log stays local).
PUBLISHED = frozenset(
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


def event_type(payload: bytes) -> str:
    try:
        found = json.loads(payload).get("type")
    except (ValueError, AttributeError):
        return "?"
    return str(found)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def proc_cpu_s(pid: int) -> float | None:
    """CPU seconds process ``pid`` has used (Linux /proc), or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "p50": None, "p99": None, "max": None}
    return {
        "count": len(ordered),
        "p50": percentile(ordered, 50),
        "p99": percentile(ordered, 99),
        "max": ordered[-1],
    }


@dataclass
class Tally:
    """What one follower got, per device: events, and the states' seq numbers."""

    events: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    seqs: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    offline: set[str] = field(default_factory=set)
    lags: list[float] = field(default_factory=list)
    intervals: list[float] = field(default_factory=list)
    """Seconds between a device's consecutive states by their own ts: the source's cadence."""
    last_ts: dict[str, float] = field(default_factory=dict)

    def note(
        self, topic: str, payload: bytes, ts: float | None, seq: int | None, in_window: bool
    ) -> None:
        parts = topic.split("/")
        if len(parts) != 3:
            return
        device, kind = parts[1], parts[2]
        if kind == "event":
            self.events[device].append(event_type(payload))
        elif kind == "state" and seq is not None:
            self.seqs[device].append(seq)
            if in_window and ts is not None:
                self.lags.append(time.time() - ts)
                last = self.last_ts.get(device)
                if last is not None:
                    self.intervals.append(ts - last)
            if ts is not None:
                self.last_ts[device] = ts
        elif kind == "availability" and payload == b"offline":
            self.offline.add(device)

    def result(self) -> dict[str, Any]:
        gaps = sum((max(s) - min(s) + 1) - len(set(s)) for s in self.seqs.values() if s)
        return {
            "events": dict(self.events),
            "states": sum(len(s) for s in self.seqs.values()),
            "state_seq_gaps": gaps,
            "devices": len(self.seqs),
            "offline": len(self.offline),
            "lag": summary(self.lags),
            "state_interval": summary(self.intervals),
        }


class Window:
    def __init__(self, start_wall: float, end_wall: float) -> None:
        self.start_wall = start_wall
        self.end_wall = end_wall
        self.cpu0: float | None = None
        self.cpu_s = 0.0
        self.wall_s = 0.0

    def inside(self) -> bool:
        return self.start_wall <= time.time() <= self.end_wall

    async def measure(self) -> None:
        await asyncio.sleep(max(0.0, self.start_wall - time.time()))
        cpu0, wall0 = cpu_s(), time.monotonic()
        await asyncio.sleep(max(0.0, self.end_wall - time.time()))
        self.cpu_s = cpu_s() - cpu0
        self.wall_s = time.monotonic() - wall0


# -- the watch: the real dashboard, in a pseudo-terminal -------------------------------------


def run_watch(url: str, out: Path, window: Window) -> int:
    from treadctl.sinks.mqtt.settings import parse_mqtt_url  # noqa: PLC0415
    from treadctl.watch.fleet import Fleet, Treadmill  # noqa: PLC0415
    from treadctl.watch.follower import MqttFollower  # noqa: PLC0415
    from treadctl.watch.ui import WatchApp  # noqa: PLC0415
    from treadctl.watch.ui.tile import Tile  # noqa: PLC0415

    tally = Tally()
    ages: list[float] = []
    to_tile: list[float] = []
    shown: list[float] = []
    drawn: dict[str, float] = {}
    drawn_on_screen: dict[str, float] = {}
    refreshes = [0]

    class MeasuredFleet(Fleet):
        def handle(
            self, topic: str, payload: bytes, *, now_s: float, retained: bool = False
        ) -> Treadmill | None:
            found = super().handle(topic, payload, now_s=now_s, retained=retained)
            status = found.status if found is not None and topic.endswith("/state") else None
            tally.note(
                topic,
                payload,
                None if status is None else status.ts,
                None if status is None else status.seq,
                window.inside() and not retained,
            )
            return found

    class MeasuredApp(WatchApp):
        def on_mount(self) -> None:
            # Textual calls WatchApp.on_mount too (handlers run for each class in the MRO).
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGUSR1, self.exit)
            self._window = asyncio.ensure_future(window.measure())

        def sync(self) -> None:
            super().sync()
            if not window.inside():
                return
            refreshes[0] += 1
            now = time.time()
            for treadmill in self.fleet:
                status = treadmill.status
                if not treadmill.active or status is None or status.ts is None:
                    continue
                ages.append(now - status.ts)
                if drawn.get(treadmill.device_id) != status.ts:
                    drawn[treadmill.device_id] = status.ts
                    to_tile.append(now - status.ts)
            for tile in self.dashboard.query(Tile):
                found = self.fleet.treadmills.get(tile.device_id or "")
                if found is None or found.status is None or found.status.ts is None:
                    continue
                if drawn_on_screen.get(found.device_id) != found.status.ts:
                    drawn_on_screen[found.device_id] = found.status.ts
                    shown.append(now - found.status.ts)

    fleet = MeasuredFleet()
    app = MeasuredApp(MqttFollower(parse_mqtt_url(url), fleet), bell=False)
    app.run()
    result = {
        **tally.result(),
        "cpu_s": window.cpu_s,
        "wall_s": window.wall_s,
        "tile_age": summary(ages),
        "state_to_tile": summary(to_tile),
        "state_to_tile_on_screen": summary(shown),
        "refreshes": refreshes[0],
        "malformed": fleet.stats.malformed,
    }
    out.write_text(json.dumps(result))
    return 0


# -- the baseline: a bare subscriber ----------------------------------------------------------


def run_baseline(url: str, out: Path, window: Window) -> int:
    import aiomqtt  # noqa: PLC0415

    from treadctl.sinks.mqtt.settings import parse_mqtt_url  # noqa: PLC0415

    tally = Tally()
    dropped = [0]
    received: list[int | None] = [None]

    async def follow() -> None:
        settings = parse_mqtt_url(url)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, stop.set)
        measuring = asyncio.ensure_future(window.measure())
        async with aiomqtt.Client(
            settings.host, settings.port, identifier="bare-subscriber"
        ) as client:
            await client.subscribe("treadctl/+/+", qos=1)
            await client.subscribe(SYS_DROPPED, qos=0)
            await client.subscribe(SYS_RECEIVED, qos=0)
            print("ready", flush=True)

            async def read() -> None:
                async for message in client.messages:
                    payload = message.payload
                    assert isinstance(payload, bytes)
                    topic = message.topic.value
                    if topic == SYS_DROPPED:
                        dropped[0] = int(payload)
                        continue
                    if topic == SYS_RECEIVED:
                        received[0] = int(payload)
                        continue
                    ts = seq = None
                    if topic.endswith("/state") and payload:
                        data = json.loads(payload)
                        ts, seq = data.get("ts"), data.get("seq")
                    tally.note(topic, payload, ts, seq, window.inside() and not message.retain)

            reader = asyncio.ensure_future(read())
            await stop.wait()
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        await measuring

    asyncio.run(follow())
    result = {
        **tally.result(),
        "cpu_s": window.cpu_s,
        "wall_s": window.wall_s,
        # None: no $SYS update came at all, so nothing is known.
        "broker_dropped": dropped[0] if received[0] is not None else None,
        "broker_publishes_received": received[0],
    }
    out.write_text(json.dumps(result))
    return 0


# -- the run --------------------------------------------------------------------------------


class Terminal:
    """A pseudo-terminal at 120x35 whose output is read and thrown away."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.bytes = 0
        self.tail = b""
        self._thread = threading.Thread(target=self._drain, daemon=True)

    def start(self) -> None:
        os.close(self.slave)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.bytes += len(chunk)
            self.tail = (self.tail + chunk)[-20000:]


def raise_file_limit() -> None:
    """A thousand connections need more than the usual 1,024 descriptors (the broker's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def session_events(folder: Path) -> tuple[dict[str, list[str]], int]:
    """Published event types per device from the session logs; how many logs there were."""
    expected: dict[str, list[str]] = {}
    logs = 0
    for path in sorted(folder.glob("p*-*.jsonl")):
        logs += 1
        device = path.stem  # p1-12.jsonl is device p1-12
        types = (json.loads(line).get("type") for line in path.read_text().splitlines())
        expected[device] = [t for t in types if t in PUBLISHED]
    return expected, logs


def compare(expected: dict[str, list[str]], got: dict[str, list[str]]) -> dict[str, Any]:
    """Events in the session logs against those received; which kinds went missing."""
    missing: Counter[str] = Counter()
    extra = 0
    for device, types in expected.items():
        want, have = Counter(types), Counter(got.get(device, []))
        missing += want - have
        extra += sum((have - want).values())
    return {
        "published": sum(len(t) for t in expected.values()),
        "received": sum(len(t) for t in got.values()),
        "lost": sum(missing.values()),
        "lost_by_type": dict(missing),
        "extra": extra,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="simulated treadmills")
    parser.add_argument("--processes", type=int, default=4, help="replay processes")
    parser.add_argument("--seconds", type=float, default=120.0, help="measured wall time")
    parser.add_argument("--warmup", type=float, default=40.0, help="seconds before measuring")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--watcher", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--window", type=float, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.watcher or args.baseline:
        measured = Window(*args.window)
        if args.watcher:
            return run_watch(args.watcher, args.out, measured)
        return run_baseline(args.baseline, args.out, measured)

    raise_file_limit()
    info = machine_info()
    per_process = [
        args.count // args.processes + (i < args.count % args.processes)
        for i in range(args.processes)
    ]
    with (
        loopback_broker("mosquitto") as broker,
        tempfile.TemporaryDirectory(prefix="treadctl-watch-bench-") as tmp,
    ):
        folder = Path(tmp)
        # Long enough for the warm-up, the window and the replays' start.
        profile = steady_profile(folder, args.warmup + args.seconds + 30)
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "TREADCTL_CONFIG": str(folder / "config.toml"),
            "TREADCTL_DATA_DIR": str(folder / "data"),
        }
        start = time.time() + 3.0  # the followers are up before the first treadmill
        window = (start + args.warmup, start + args.warmup + args.seconds)
        child = [sys.executable, __file__, "--window", str(window[0]), str(window[1])]
        terminal = Terminal()
        watch = subprocess.Popen(
            [*child, "--watcher", broker.url, "--out", str(folder / "watch.json")],
            stdin=terminal.slave, stdout=terminal.slave, stderr=terminal.slave,
            env=env, cwd=REPO_ROOT, start_new_session=True,
        )  # fmt: skip
        terminal.start()
        base = subprocess.Popen(
            [*child, "--baseline", broker.url, "--out", str(folder / "baseline.json")],
            stdout=subprocess.PIPE, env=env, cwd=REPO_ROOT, text=True,
        )  # fmt: skip
        assert base.stdout is not None
        if base.stdout.readline().strip() != "ready":
            print("!!! the baseline subscriber did not start", file=sys.stderr)
            return 1
        time.sleep(max(0.0, start - time.time()))
        replays = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "treadctl",
                    "replay",
                    str(profile),
                    "--count",
                    str(n),
                    "--time-factor",
                    "1",
                    "--mqtt",
                    broker.url,
                    "--mqtt-device-id",
                    f"p{i}",
                    "--log",
                    str(folder / f"p{i}.jsonl"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO_ROOT,
                text=True,
            )
            for i, n in enumerate(per_process, 1)
        ]
        pids = {"broker": broker.process.pid if broker.process else 0}
        time.sleep(max(0.0, window[0] - time.time()))
        cpu0 = {f"replay {i}": proc_cpu_s(p.pid) for i, p in enumerate(replays, 1)}
        cpu0["broker"] = proc_cpu_s(pids["broker"])
        wall0 = time.monotonic()
        load0 = os.getloadavg()
        time.sleep(max(0.0, window[1] - time.time()))
        cpu1 = {f"replay {i}": proc_cpu_s(p.pid) for i, p in enumerate(replays, 1)}
        cpu1["broker"] = proc_cpu_s(pids["broker"])
        wall_s = time.monotonic() - wall0
        load1 = os.getloadavg()
        outputs = [p.communicate()[0] for p in replays]
        time.sleep(SETTLE_S)
        for proc in (watch, base):
            proc.send_signal(signal.SIGUSR1)
        watch.wait(60)
        base.wait(60)
        if not (folder / "watch.json").exists():
            text = terminal.tail.decode(errors="replace")
            print(
                f"!!! the watch gave no result; its terminal said:\n{text[-3000:]}", file=sys.stderr
            )
            return 1
        expected, logs = session_events(folder)
        watch_result = json.loads((folder / "watch.json").read_text())
        base_result = json.loads((folder / "baseline.json").read_text())
        dropped = sum(
            int(n) for out in outputs for n in re.findall(r"MQTT: (\d+) events were dropped", out)
        )
        completed = sum(out.count("workout completed") for out in outputs)

    shares = {
        name: (cpu1[name] - cpu0[name]) / wall_s  # type: ignore[operator]
        for name in cpu0
        if cpu0[name] is not None and cpu1[name] is not None
    }
    replay_share = sum(v for k, v in shares.items() if k.startswith("replay"))
    watch_share = watch_result["cpu_s"] / watch_result["wall_s"]
    base_share = base_result["cpu_s"] / base_result["wall_s"]
    both = {"watch": watch_result, "bare-subscriber": base_result}
    results: dict[str, Any] = {
        "cpu_share": {
            "watch": watch_share,
            "bare-subscriber": base_share,
            "broker": shares.get("broker"),
            "replays": replay_share,
            "all": watch_share + base_share + (shares.get("broker") or 0.0) + replay_share,
        },
        "load_average_1m": [load0[0], load1[0]],
        "state_to_tile_s": watch_result["state_to_tile"],
        "state_to_tile_on_screen_s": watch_result["state_to_tile_on_screen"],
        "tile_age_s": watch_result["tile_age"],
        "delivery_lag_s": {k: r["lag"] for k, r in both.items()},
        "state_interval_at_source_s": base_result["state_interval"],
        "events": {k: compare(expected, r["events"]) for k, r in both.items()},
        "states": {
            k: {"received": r["states"], "seq_gaps": r["state_seq_gaps"]} for k, r in both.items()
        },
        "devices_seen": {k: r["devices"] for k, r in both.items()},
        "offline_at_end": {k: r["offline"] for k, r in both.items()},
        "broker_dropped": base_result.get("broker_dropped"),
        "broker_publishes_received": base_result.get("broker_publishes_received"),
        "session_logs": logs,
        "completed": completed,
        "events_dropped_by_publishers": dropped,
        "refreshes": watch_result["refreshes"],
        "malformed": watch_result["malformed"],
        "terminal_bytes": terminal.bytes,
        "window_s": wall_s,
    }
    p99 = results["state_to_tile_s"]["p99"]
    met = {
        "state_to_tile": p99 is not None and p99 < GOAL_P99_S,
        "cpu": watch_share < GOAL_CPU_SHARE,
        "events": results["events"]["watch"]["lost"] == 0,
        "broker": results["broker_dropped"] == 0,
    }
    if args.json:
        settings = {
            "count": args.count,
            "processes": args.processes,
            "per_process": per_process,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "data_rate_hz": 2.0,
            "state_rate_hz": 1.0,
            "terminal": list(SIZE),
        }
        goals = {"state_to_tile_p99_s": GOAL_P99_S, "cpu_share": GOAL_CPU_SHARE, "met": met}
        print(
            json.dumps(
                {
                    "benchmark": "watch_fleet",
                    "machine": info,
                    "settings": settings,
                    "results": results,
                    "goals": goals,
                },
                indent=2,
            )
        )
        return 0
    report(args, info, per_process, results, met)
    return 0


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:,.0f} ms"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _row(name: str, stats: dict[str, Any]) -> list[str]:
    return [
        name,
        _ms(stats["p50"]),
        _ms(stats["p99"]),
        _ms(stats["max"]),
        f"{stats['count']:,}",
    ]


def report(
    args: argparse.Namespace,
    info: dict[str, Any],
    per_process: list[int],
    results: dict[str, Any],
    met: dict[str, bool],
) -> None:
    load0, load1 = results["load_average_1m"]
    print("treadctl watch: a room full of treadmills on one broker")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"{args.count} simulated treadmills in {args.processes} replay processes "
        f"({', '.join(map(str, per_process))}), Treadmill Data at 2 Hz, state at 1 Hz, "
        f"Mosquitto on loopback; measured over {results['window_s']:.0f} s after "
        f"{args.warmup:.0f} s; load average {load0:.2f} -> {load1:.2f}; "
        f"{results['completed']}/{args.count} workouts completed"
    )
    print()
    cpu = results["cpu_share"]
    rows = [
        ["watch (dashboard, 120x35 terminal)", _pct(cpu["watch"])],
        ["bare-subscriber (baseline)", _pct(cpu["bare-subscriber"])],
        ["Mosquitto", _pct(cpu["broker"])],
        [f"replays ({args.processes} processes together)", _pct(cpu["replays"])],
        ["all of the above", _pct(cpu["all"])],
    ]
    print(table(["CPU, share of one core", "value"], rows))
    print()
    lags = results["delivery_lag_s"]
    rows = [
        _row("state to tile, every treadmill", results["state_to_tile_s"]),
        _row("state to tile, tiles on screen", results["state_to_tile_on_screen_s"]),
        _row("tile age at each refresh", results["tile_age_s"]),
        _row("delivery lag, watch", lags["watch"]),
        _row("delivery lag, bare-subscriber", lags["bare-subscriber"]),
        _row("state interval at the source", results["state_interval_at_source_s"]),
    ]
    print(table(["time", "p50", "p99", "max", "samples"], rows))
    print()
    names = ("watch", "bare-subscriber")
    events, states = results["events"], results["states"]

    def pair(pick: Any) -> list[str]:
        return [str(pick(name)) for name in names]

    rows = [
        ["devices seen", *pair(lambda n: results["devices_seen"][n])],
        ["events in the session logs (QoS 1)", *pair(lambda n: f"{events[n]['published']:,}")],
        ["events received", *pair(lambda n: f"{events[n]['received']:,}")],
        ["events lost", *pair(lambda n: events[n]["lost"])],
        ["  by type", *pair(lambda n: events[n]["lost_by_type"] or "-")],
        ["states received (QoS 0)", *pair(lambda n: f"{states[n]['received']:,}")],
        ["gaps in a device's state seq", *pair(lambda n: states[n]["seq_gaps"])],
        ["offline at the end", *pair(lambda n: results["offline_at_end"][n])],
    ]
    print(table(["delivery", *names], rows))
    print(
        f"Mosquitto's own counts ($SYS): dropped {results['broker_dropped']}; non-retained "
        f"publishes received {results['broker_publishes_received']} (it does not count retained "
        "ones: so these are the events, QoS 1, and any command); "
        f"events dropped from a publisher's full queue: {results['events_dropped_by_publishers']}"
    )
    print(
        f"dashboard refreshes measured: {results['refreshes']}; "
        f"terminal output read: {results['terminal_bytes'] / 1e6:.1f} MB"
    )
    print()
    verdict = {True: "met", False: "NOT met"}
    print(f"goal: state to tile p99 under {GOAL_P99_S:g} s: {verdict[met['state_to_tile']]}")
    print(f"goal: the watch under {GOAL_CPU_SHARE * 100:g} % of one core: {verdict[met['cpu']]}")
    print(f"goal: no event lost (QoS 1): {verdict[met['events']]}")
    print(f"goal: nothing dropped by the broker: {verdict[met['broker']]}")


if __name__ == "__main__":
    sys.exit(main())
