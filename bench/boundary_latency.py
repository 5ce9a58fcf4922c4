"""Segment boundary to control point write, on the real clock.

A workout runs through :func:`treadctl.runtime.run_workout` on :class:`MonotonicClock`
(real time, factor 1) against the simulator, with no link latency and
``SimConfig(cp_response_delay_s=0.0)``, its notify loop running (Treadmill Data at 2 Hz)
and the session log written to a temporary file, as in a real workout. The profile is
``--segments`` short segments (default 201 of 0.5 s: 200 boundaries), all forward at the
same speed, the incline alternating 0 % and 1 %, so at every boundary the runner's first
command is the incline (``Runner._exec_segment`` sends it before anything else) and no
speed ramp comes in between.

The treadmill is built by a factory passed as ``WorkoutOptions.treadmill``: the usual
simulator, client and loopback link, except that the link stamps every control point
write with the run's clock (``clock.now()``) and ``time.perf_counter()``. Runner events
are stamped the same way as they are emitted. The writes are paired with the segments
in emission order (the first write after each ``segment_started``), decoded with
``treadctl.ftms.decode_request`` and checked to be the segment's incline; a pause, a
missing or wrong write, or another write in between is reported loudly.

The boundary is taken two ways, both on the run's clock:

- **planned**: the run start (``Runner._t0``) plus the step's ``start_s`` in the compiled
  timeline, the time the plan puts the boundary at;
- **runner's**: when the previous segment's wait began (``Runner.run_for`` is wrapped on
  the instance to stamp its start) plus that segment's duration, the time the runner
  itself is waiting for. The runner times each segment from its own start, not from the
  plan, so the planned boundary moves away from it: start-up (the belt start waits for the
  first Treadmill Data with the belt moving) and the lateness of every earlier boundary
  add up. Both are reported, with that drift and its split:
  wake-up (``segment_ended`` emitted minus the runner's boundary) and send
  (control point write minus ``segment_ended``).

``TREADCTL_CONFIG`` and ``TREADCTL_DATA_DIR`` point into a temporary folder and other
``TREADCTL_*`` variables are dropped, so the user's settings play no part.

    .venv/bin/python bench/boundary_latency.py [--segments 201] [--segment-s 0.5]
        [--baseline N] [--json]

Goal: p99 under 5 ms. This is a benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _benchkit import machine_info, machine_lines, percentile, table
from treadctl.client import TreadmillClient
from treadctl.clock import Clock, MonotonicClock
from treadctl.config import CONFIG_ENV, ENV_PREFIX, load_settings
from treadctl.ftms import decode_request, uuids
from treadctl.ftms.control_point import SetTargetInclination
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.workout.events import Paused, Sample, SegmentEnded, SegmentStarted, WorkoutEvent
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner
from treadctl.workout.timeline import SegmentStep, StepKind

GOAL_P99_S = 5e-3
SPEED_KMH = 3.0
INCLINES_PCT = (0.0, 1.0)
PERCENTILES = (50.0, 90.0, 99.0)


@dataclass
class Stamp:
    """One thing that happened, in order: a runner event or a control point write."""

    seq: int
    clock_s: float
    perf_s: float
    event: WorkoutEvent | None = None
    data: bytes | None = None


@dataclass
class Recorder:
    clock: Clock
    stamps: list[Stamp] = field(default_factory=list)
    run_for_starts: list[tuple[int, float, float]] = field(default_factory=list)
    """(step index, clock time, duration) of every ``Runner.run_for`` call."""
    runner: Runner | None = None
    ticks: list[float] = field(default_factory=list)
    """Clock times of the simulator's Treadmill Data notifications (its 2 Hz tick)."""

    def event(self, event: WorkoutEvent) -> None:
        now = self.clock.now()
        self.stamps.append(Stamp(len(self.stamps), now, time.perf_counter(), event=event))

    def write(self, data: bytes) -> None:
        now = self.clock.now()
        self.stamps.append(Stamp(len(self.stamps), now, time.perf_counter(), data=data))


class StampingLink(LoopbackLink):
    """The loopback link, stamping each control point write as the client makes it."""

    def __init__(self, sim: SimTreadmill, clock: Clock, recorder: Recorder) -> None:
        super().__init__(sim, clock, latency_s=0.0)
        self.recorder = recorder

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        if uuid == uuids.CONTROL_POINT:
            self.recorder.write(bytes(data))
        await super().write(uuid, data, response=response)

    def notify(self, uuid: str, data: bytes) -> None:
        if uuid == uuids.TREADMILL_DATA:
            self.recorder.ticks.append(self.clock.now())
        super().notify(uuid, data)


def stamped_treadmill(
    recorder: Recorder,
) -> Callable[[Clock], contextlib.AbstractAsyncContextManager[Treadmill]]:
    @contextlib.asynccontextmanager
    async def open_treadmill(clock: Clock) -> AsyncIterator[Treadmill]:
        sim = SimTreadmill(clock, SimConfig(cp_response_delay_s=0.0))
        client = TreadmillClient(StampingLink(sim, clock, recorder), clock)
        async with sim.running():
            try:
                yield Treadmill(client, "simulator", sim.config.name, sim.config.address, sim)
            finally:
                await client.aclose()

    return open_treadmill


def instrument(recorder: Recorder) -> Callable[[Runner, Treadmill], None]:
    """Stamp the start of every ``run_for`` (the runner's own segment clock)."""

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        recorder.runner = runner
        original: Callable[..., Coroutine[Any, Any, None]] = runner.pacer.run_for

        async def run_for(duration_s: float, marks: list[Any]) -> None:
            recorder.run_for_starts.append((runner.step_index, recorder.clock.now(), duration_s))
            await original(duration_s, marks)

        setattr(runner.pacer, "run_for", run_for)  # noqa: B010 (mypy refuses assigning a method)

    return on_runner


def write_profile(folder: Path, segments: int, segment_s: float) -> Path:
    lines = [
        'title = "Boundary latency benchmark"',
        'description = "Short forward segments, same speed, alternating incline."',
    ]
    for i in range(segments):
        lines += [
            "",
            "[[segments]]",
            f'label = "s{i}"',
            'direction = "forward"',
            f"speed_kmh = {SPEED_KMH}",
            f"incline_pct = {INCLINES_PCT[i % 2]}",
            f"duration = {segment_s}",
        ]
    path = folder / "boundaries.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Boundary:
    segment: int
    planned_s: float
    runner_s: float
    ended_s: float
    write_s: float
    write_perf_s: float
    ended_perf_s: float
    next_wait_s: float
    """When this segment's own wait began (after the incline's round trip)."""
    tick_offset_s: float | None
    """Last simulator tick before ``segment_ended``, from the runner's boundary."""
    sample_offset_s: float | None
    """Last runner sample before ``segment_ended``, from the runner's boundary."""

    @property
    def delay_planned_s(self) -> float:
        return self.write_s - self.planned_s

    @property
    def delay_runner_s(self) -> float:
        return self.write_s - self.runner_s

    @property
    def drift_s(self) -> float:
        return self.runner_s - self.planned_s

    @property
    def wake_s(self) -> float:
        return self.ended_s - self.runner_s

    @property
    def send_s(self) -> float:
        return self.write_s - self.ended_s

    @property
    def round_trip_s(self) -> float:
        return self.next_wait_s - self.write_s


def analyse(recorder: Recorder, result: WorkoutResult) -> tuple[list[Boundary], list[str]]:
    problems: list[str] = []
    assert recorder.runner is not None
    t0 = recorder.runner.holds.t0_s
    steps = result.timeline.steps
    # Segment index -> timeline step, and step index -> the segment's run_for start.
    step_of = {s.segment.index: (i, s) for i, s in enumerate(steps) if isinstance(s, SegmentStep)}
    run_for_of: dict[int, tuple[float, float]] = {}
    for step_index, at_s, duration_s in recorder.run_for_starts:
        if steps[step_index].kind is StepKind.SEGMENT and step_index not in run_for_of:
            run_for_of[step_index] = (at_s, duration_s)
    ended: dict[int, Stamp] = {}
    started: dict[int, int] = {}
    samples: list[float] = []
    for pos, stamp in enumerate(recorder.stamps):
        match stamp.event:
            case Paused(reason=reason):
                problems.append(f"paused at {stamp.clock_s - t0:.3f} s: {reason}")
            case SegmentEnded(index=index):
                ended[index] = stamp
            case SegmentStarted(index=index):
                started[index] = pos
            case Sample():
                samples.append(stamp.clock_s)
            case _:
                pass

    def last_before(times: list[float], limit_s: float) -> float | None:
        at = bisect.bisect_left(times, limit_s)
        return times[at - 1] if at else None

    boundaries: list[Boundary] = []
    for index in sorted(started):
        step_index, step = step_of[index]
        if step_index == 0 or steps[step_index - 1].kind is not StepKind.SEGMENT:
            continue  # the first segment follows the start and the ramp: not a boundary
        prev_step_index = step_index - 1
        prev = steps[prev_step_index]
        assert isinstance(prev, SegmentStep)
        if (
            prev.segment.index not in ended
            or prev_step_index not in run_for_of
            or step_index not in run_for_of
        ):
            problems.append(f"segment {prev.segment.index}: no end or no wait recorded")
            continue
        write = next((s for s in recorder.stamps[started[index] :] if s.data is not None), None)
        if write is None:
            problems.append(f"segment {index}: no control point write after it started")
            continue
        request = decode_request(write.data or b"")
        if not isinstance(request, SetTargetInclination) or (
            abs(request.incline_pct - step.incline_pct) > 1e-9
        ):
            problems.append(f"segment {index}: first write is {request!r}, not its incline")
            continue
        end = ended[prev.segment.index]
        between = [
            s
            for s in recorder.stamps[end.seq + 1 : write.seq]
            if s.data is not None or isinstance(s.event, SegmentEnded)
        ]
        if between:
            problems.append(f"segment {index}: {len(between)} writes before its incline")
        run_start_s, duration_s = run_for_of[prev_step_index]
        runner_s = run_start_s + duration_s
        tick = last_before(recorder.ticks, end.clock_s)
        sample = last_before(samples, end.clock_s)
        boundaries.append(
            Boundary(
                segment=index,
                planned_s=t0 + step.start_s,
                runner_s=runner_s,
                ended_s=end.clock_s,
                write_s=write.clock_s,
                write_perf_s=write.perf_s,
                ended_perf_s=end.perf_s,
                next_wait_s=run_for_of[step_index][0],
                tick_offset_s=None if tick is None else tick - runner_s,
                sample_offset_s=None if sample is None else sample - runner_s,
            )
        )
    return boundaries, problems


async def bare_sleeps(count: int, sleep_s: float) -> list[float]:
    """How late ``asyncio.sleep(sleep_s)`` wakes on this machine, nothing else running."""
    loop = asyncio.get_running_loop()
    late: list[float] = []
    for _ in range(count):
        start = loop.time()
        await asyncio.sleep(sleep_s)
        late.append(loop.time() - start - sleep_s)
    return late


def isolate_environment(folder: Path) -> None:
    """No user setting or file: treadctl's variables point into ``folder``, others go."""
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        del os.environ[key]
    os.environ["TREADCTL_DATA_DIR"] = str(folder / "data")
    os.environ[CONFIG_ENV] = str(folder / "config.toml")  # does not exist: all defaults


async def measure(segments: int, segment_s: float, folder: Path) -> tuple[Recorder, WorkoutResult]:
    isolate_environment(folder)
    clock = MonotonicClock()
    recorder = Recorder(clock)
    options = WorkoutOptions(
        profile=write_profile(folder, segments, segment_s),
        settings=load_settings(folder / "config.toml"),
        clock=clock,
        treadmill=stamped_treadmill(recorder),
        log_path=folder / "session.jsonl",
        risks_acknowledged=True,
    )
    result = await run_workout(options, on_event=recorder.event, on_runner=instrument(recorder))
    return recorder, result


#: A wake-up of the event loop this long before the boundary can cost a whole millisecond.
NEAR_BEFORE_S = 2e-3


def neighbour_split(
    boundaries: Sequence[Boundary], offset: Callable[[Boundary], float | None]
) -> dict[str, dict[str, float]]:
    """Wake-up of the boundaries with something else due just before them, and the rest."""
    near: list[float] = []
    other: list[float] = []
    for b in boundaries:
        at = offset(b)
        is_near = at is not None and -NEAR_BEFORE_S <= at <= b.wake_s
        (near if is_near else other).append(b.wake_s)
    out: dict[str, dict[str, float]] = {}
    for name, values in (("near", near), ("other", other)):
        out[name] = {"count": len(values)}
        if values:
            out[name] |= {"mean_s": statistics.fmean(values), "max_s": max(values)}
    return out


def distribution(values_s: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values_s)
    return {
        "min_s": ordered[0],
        "mean_s": statistics.fmean(ordered),
        **{f"p{p:g}_s": percentile(ordered, p) for p in PERCENTILES},
        "max_s": ordered[-1],
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=201, help="segments (boundaries + 1)")
    parser.add_argument("--segment-s", type=float, default=0.5, help="seconds per segment")
    parser.add_argument(
        "--baseline",
        type=int,
        default=0,
        metavar="N",
        help="afterwards, time N bare asyncio.sleep(SEGMENT_S) calls for comparison",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="treadctl-bench-boundary-") as tmp:
        t_wall = time.perf_counter()
        recorder, result = asyncio.run(measure(args.segments, args.segment_s, Path(tmp)))
        wall_s = time.perf_counter() - t_wall
    baseline: dict[str, float] | None = None
    if args.baseline > 0:
        baseline = distribution(asyncio.run(bare_sleeps(args.baseline, args.segment_s)))
    boundaries, problems = analyse(recorder, result)
    if not result.summary.completed:
        problems.append(f"the workout did not complete: {result.summary.reason}")
    for line in problems:
        print(f"!!! {line}", file=sys.stderr)
    if not boundaries:
        print("!!! no boundaries measured", file=sys.stderr)
        return 1

    series = {
        "delay_runner": [b.delay_runner_s for b in boundaries],
        "delay_planned": [b.delay_planned_s for b in boundaries],
        "wake": [b.wake_s for b in boundaries],
        "send": [b.send_s for b in boundaries],
        "send_perf_counter": [b.write_perf_s - b.ended_perf_s for b in boundaries],
        "drift": [b.drift_s for b in boundaries],
        "round_trip": [b.round_trip_s for b in boundaries],
    }
    stats = {name: distribution(values) for name, values in series.items()}
    neighbours = {
        "simulator_tick": neighbour_split(boundaries, lambda b: b.tick_offset_s),
        "runner_sample": neighbour_split(boundaries, lambda b: b.sample_offset_s),
    }
    drift_first, drift_last = boundaries[0].drift_s, boundaries[-1].drift_s
    drift_per_boundary_s = (drift_last - drift_first) / max(1, len(boundaries) - 1)
    p99_runner = stats["delay_runner"]["p99_s"]
    p99_planned = stats["delay_planned"]["p99_s"]
    met_runner, met_planned = p99_runner < GOAL_P99_S, p99_planned < GOAL_P99_S
    info = machine_info()
    summary = result.summary

    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "boundary_latency",
                    "machine": info,
                    "settings": {
                        "segments": args.segments,
                        "segment_s": args.segment_s,
                        "speed_kmh": SPEED_KMH,
                        "inclines_pct": INCLINES_PCT,
                        "clock": "MonotonicClock",
                        "link_latency_s": 0.0,
                        "cp_response_delay_s": 0.0,
                    },
                    "boundaries": len(boundaries),
                    "wall_s": wall_s,
                    "workout": {
                        "duration_s": summary.duration_s,
                        "planned_s": result.timeline.total_s,
                        "completed": summary.completed,
                    },
                    "results": stats,
                    "drift_first_s": drift_first,
                    "drift_last_s": drift_last,
                    "drift_per_boundary_s": drift_per_boundary_s,
                    "per_boundary": [
                        {
                            "segment": b.segment,
                            "delay_runner_s": b.delay_runner_s,
                            "delay_planned_s": b.delay_planned_s,
                            "wake_s": b.wake_s,
                            "send_s": b.send_s,
                            "drift_s": b.drift_s,
                            "round_trip_s": b.round_trip_s,
                            "tick_offset_s": b.tick_offset_s,
                            "sample_offset_s": b.sample_offset_s,
                        }
                        for b in boundaries
                    ],
                    "wake_by_neighbour": neighbours,
                    "bare_sleep_lateness": baseline,
                    "problems": problems,
                    "goal": {
                        "p99_s": GOAL_P99_S,
                        "met_runner_boundary": met_runner,
                        "met_planned_boundary": met_planned,
                    },
                },
                indent=2,
            )
        )
        return 0

    print("Segment boundary to control point write, real clock")
    print()
    print("\n".join(machine_lines(info)))
    print()
    print(
        f"{len(boundaries)} boundaries: {args.segments} forward segments of "
        f"{args.segment_s:g} s at {SPEED_KMH:g} km/h, incline alternating "
        f"{INCLINES_PCT[0]:g}/{INCLINES_PCT[1]:g} %; link latency 0, cp_response_delay_s 0, "
        "simulator notifying at 2 Hz, session log written"
    )
    print(
        f"workout {summary.duration_s:.3f} s on the clock against {result.timeline.total_s:.3f} s "
        f"planned; {wall_s:.1f} s wall in all; "
        f"{'no problems' if not problems else f'{len(problems)} PROBLEMS (see stderr)'}"
    )
    print()
    rows_spec = (
        ("write - runner's boundary", "delay_runner"),
        ("  wake-up (segment_ended - boundary)", "wake"),
        ("  send (write - segment_ended)", "send"),
        ("write - planned boundary", "delay_planned"),
        ("  drift (runner's - planned)", "drift"),
        ("next wait start - write", "round_trip"),
    )
    keys = ["min_s", "mean_s", *(f"p{p:g}_s" for p in PERCENTILES), "max_s"]
    rows = [[label, *(ms(stats[name][k]) for k in keys)] for label, name in rows_spec]
    print(table(["ms", "min", "mean", *(f"p{p:g}" for p in PERCENTILES), "max"], rows))
    print()
    print(
        f"drift of the runner's boundary behind the plan: {drift_first * 1e3:.1f} ms at the "
        f"first boundary (start-up), {drift_last * 1e3:.1f} ms at the last, "
        f"{drift_per_boundary_s * 1e3:.3f} ms added per boundary (about wake-up + send + "
        "the incline's round trip: each segment is timed from its own start)"
    )
    print()
    print(
        f"wake-up by what woke the event loop just before (from {NEAR_BEFORE_S * 1e3:g} ms "
        "before the runner's boundary to segment_ended):"
    )
    near_rows = []
    for label, key in (("simulator tick", "simulator_tick"), ("runner sample", "runner_sample")):
        for side in ("near", "other"):
            group = neighbours[key][side]
            cells = [ms(group[k]) for k in ("mean_s", "max_s")] if group["count"] else ["", ""]
            near_rows.append([f"{label}: {side}", str(group["count"]), *cells])
    print(table(["boundaries", "count", "mean ms", "max ms"], near_rows))
    print()
    if baseline is not None:
        print(
            f"for comparison, {args.baseline} bare asyncio.sleep({args.segment_s:g}) calls woke "
            + ", ".join(
                f"{name} {ms(baseline[key])}"
                for name, key in (("p50", "p50_s"), ("p99", "p99_s"), ("max", "max_s"))
            )
            + " ms late"
        )
        print()
    for label, p99, met in (
        ("from the runner's boundary", p99_runner, met_runner),
        ("from the planned boundary ", p99_planned, met_planned),
    ):
        verdict = "MET" if met else "NOT MET"
        print(f"goal:  p99 < {GOAL_P99_S * 1e3:g} ms {label}: {verdict} (p99 = {p99 * 1e3:.3f} ms)")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
