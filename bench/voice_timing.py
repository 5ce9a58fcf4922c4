"""Voice timing: is "turn coming" heard ahead, and "turn around now" on time?

Every built-in profile is replayed on the virtual clock with the real espeak-ng and a
null player (:class:`SilentPlayer`: each clip takes its length on the clock, nothing is
played). On the virtual clock the runner and the simulated belt behave as in real time,
while the voice's own work (queue, synthesis, handing the clip to the player) is done
inline and measured in real time with ``time.perf_counter``, from the event reaching the
sink to the clip starting. The two add up:

- **lead**: from "turn coming" starting to the slow-down (the end of the segment, where
  the belt starts to slow), minus the voice's real delay. Goal: at least
  ``turn_warning_s`` (5 s by default).
- **turn now**: from the treadmill's report of the belt at turn speed (the Treadmill Data
  record that let the runner say it) to "turn around now" starting: the runner's part
  (on the clock: it checks the belt every 0.25 s) plus the voice's real delay. Goal:
  under 300 ms.

Two variants run side by side in this process:

- ``cached``: what treadctl does. The phrases the workout will say are rendered when it
  starts; a phrase said again comes from the cache.
- ``baseline: on demand``: no cache; each utterance is synthesized when its turn comes.

``--real-time`` adds one short workout (72 s) on the real clock, with rendering in a
worker thread as in a real run, measured end to end on the clock.

    .venv/bin/python bench/voice_timing.py [--profile ID ...] [--real-time] [--json]

This is a benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _benchkit import REPO_ROOT, machine_info, machine_lines, table
from treadctl.clock import Clock, MonotonicClock, VirtualClock
from treadctl.config import CONFIG_ENV, ENV_PREFIX, load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.voice.engines import EspeakEngine
from treadctl.voice.players import SilentPlayer
from treadctl.voice.sink import VoiceConfig, VoiceSink
from treadctl.workout.builtin import list_builtin
from treadctl.workout.events import (
    Command,
    SegmentEnded,
    SegmentStarted,
    Turnaround,
)
from treadctl.workout.trust import SETTLED_TOLERANCE_KMH

if str(REPO_ROOT) not in sys.path:  # the belt-watching sink the voice tests use, as is
    sys.path.insert(0, str(REPO_ROOT))

from tests.voice.parts import MINI, BeltWatch

GOAL_TURN_NOW_S = 0.300
VARIANTS = ("cached", "baseline: on demand")


@dataclass
class Run:
    profile: str
    variant: str
    turns: int
    leads_s: list[float] = field(default_factory=list)
    """'Turn coming' starting to the first slower speed command (turns with a slow-down)."""
    end_leads_s: list[float] = field(default_factory=list)
    """'Turn coming' starting to the end of the segment (the runner's 'slowing')."""
    lead_goal_s: float = 0.0
    runner_parts_s: list[float] = field(default_factory=list)
    voice_parts_s: list[float] = field(default_factory=list)
    confirmed_parts_s: list[float] = field(default_factory=list)
    """The runner's part from the report that confirmed the first one (H12: one reading
    alone never says "turn now"), the voice's part added."""
    warning_delays_s: list[float] = field(default_factory=list)
    renders: int = 0
    render_times_s: list[float] = field(default_factory=list)
    spoken: int = 0
    dropped: int = 0
    wall_s: float = 0.0

    @property
    def turn_now_s(self) -> list[float]:
        return [r + v for r, v in zip(self.runner_parts_s, self.voice_parts_s, strict=True)]


def measure(
    profile: str | Path,
    variant: str,
    folder: Path,
    clock: Clock,
    *,
    threads: bool = False,
) -> Run:
    settings = load_settings(folder / "config.toml")
    config = VoiceConfig.from_settings(settings)
    engine = EspeakEngine(config.params)
    watch = BeltWatch()
    voice = VoiceSink(config, engine=engine, player=SilentPlayer(clock), cache=variant == "cached")
    options = WorkoutOptions(
        profile=profile,
        settings=settings,
        clock=clock,
        log_path=folder / "session.jsonl",
        risks_acknowledged=True,
        auto_confirm_s=3.0,
        sinks=[watch, voice],
    )

    async def go() -> Any:
        if isinstance(clock, VirtualClock):
            async with clock.running():
                return await run_workout(options)
        return await run_workout(options)

    t0 = time.perf_counter()
    result = asyncio.run(go())
    wall_s = time.perf_counter() - t0
    (folder / "session.jsonl").unlink(missing_ok=True)
    warn_s = result.timeline.limits.turn_warning_s
    run = Run(str(profile), variant, 0, lead_goal_s=warn_s, wall_s=wall_s)
    # On the real clock the voice's delay is already on the clock; on the virtual one
    # it is real time the clock did not see, and is added.
    real_delay = not threads
    spoken = voice.stats.spoken
    segment_speed = 0.0
    for at, event in watch.events:
        if isinstance(event, SegmentStarted):
            segment_speed = event.speed_kmh
        if not isinstance(event, Turnaround):
            continue
        if event.phase == "warning":
            said = next(s for s in spoken if s.utterance.kind == "turn" and s.started_at >= at)
            ended = next(t for t, e in watch.events if isinstance(e, SegmentEnded) and t >= at)
            # The belt is told to slow with the first speed command below the segment's
            # (none when it already runs at turn speed: then the turn starts at the end).
            slower = next(
                (
                    t
                    for t, e in watch.events
                    if t >= ended
                    and isinstance(e, Command)
                    and e.name == "speed"
                    and e.value is not None
                    and e.value < segment_speed - 1e-6
                ),
                None,
            )
            turn_at = next(
                t
                for t, e in watch.events
                if t >= ended and isinstance(e, Turnaround) and e.phase == "turn_now"
            )
            delay = said.delay_real_s if real_delay else 0.0
            if slower is not None and slower <= turn_at:
                run.leads_s.append(slower - said.started_at - delay)
            run.end_leads_s.append(ended - said.started_at - delay)
            run.warning_delays_s.append(said.delay_real_s)
        elif event.phase == "turn_now":
            run.turns += 1
            said = next(
                s
                for s in spoken
                if s.utterance.text.startswith("Turn around now") and s.started_at >= at
            )
            limit_kmh = event.speed_kmh + SETTLED_TOLERANCE_KMH
            reported = watch.reported_at_or_below(limit_kmh, at)
            assert reported is not None
            # A belt already at turn speed: the turn starts where the segment ends.
            ended = max(t for t, e in watch.events if isinstance(e, SegmentEnded) and t <= at)
            run.runner_parts_s.append(at - max(reported, ended))
            voice_part = said.started_at - at
            if real_delay:
                voice_part += said.delay_real_s
            run.voice_parts_s.append(voice_part)
            confirming = next(
                (t for t, _kmh in watch.reports if reported + 1e-9 < t <= at + 1e-9), reported
            )
            run.confirmed_parts_s.append(at - max(confirming, ended) + voice_part)
    renderer = voice.renderer
    assert renderer is not None
    run.renders = renderer.stats.renders
    run.render_times_s = list(renderer.stats.times_s)
    run.spoken = len(spoken)
    run.dropped = len(voice.stats.dropped)
    return run


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def isolate(folder: Path) -> None:
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        del os.environ[key]
    os.environ["TREADCTL_DATA_DIR"] = str(folder / "data")
    os.environ[CONFIG_ENV] = str(folder / "config.toml")
    # Raised ceilings for the two profiles that ask for them (as their docs say).
    (folder / "config.toml").write_text(
        "max_backward_speed_kmh = 6.4\nmax_backward_incline_pct = 8.0\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", help="only these built-in profiles")
    parser.add_argument("--real-time", action="store_true", help="also a 72 s real-time run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: bash scripts/setup.sh with TREADCTL_TEST_DEPS=1")
        return 1
    profiles = args.profile or [p for p, _ in list_builtin()]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="treadctl-voice-bench-") as tmp:
        folder = Path(tmp)
        isolate(folder)
        for profile in profiles:
            for variant in VARIANTS:
                runs.append(measure(profile, variant, folder, VirtualClock()))
        real: Run | None = None
        if args.real_time:
            mini = folder / "mini.toml"
            mini.write_text(MINI)
            real = measure(mini, "cached", folder, MonotonicClock(), threads=True)
            real.profile = "mini (72 s, real clock)"
    if args.json:
        data: dict[str, Any] = {"machine": machine_info(), "runs": [r.__dict__ for r in runs]}
        if real is not None:
            data["real_time"] = real.__dict__
        print(json.dumps(data, indent=2, default=str))
        return 0
    report(runs, real)
    return 0


def report(runs: list[Run], real: Run | None) -> None:
    for line in machine_lines(machine_info()):
        print(line)
    print("engine    espeak-ng", EspeakEngine.available() and "(found)")
    print()
    print("Per profile: the lead of 'turn coming' before the slow-down (the first slower")
    print("speed command; goal: at least the turn warning) and before the segment's end,")
    print("and belt report -> 'turn around now' starting (goal: < 300 ms), split into the")
    print("runner's part and the voice's. Times in ms unless marked s. 'from 2nd report': from")
    print("the report that confirmed the first one at turn speed (one reading alone never says")
    print("'turn now': H12, docs/safety.md), so at 2 Hz data the runner's part is about 500 ms.")
    print()
    rows = []
    for r in [*runs, *([real] if real else [])]:
        turn_now = sorted(r.turn_now_s)
        rows.append(
            [
                r.profile,
                r.variant,
                str(r.turns),
                f"{min(r.leads_s):.4f} s" if r.leads_s else "-",
                f"{min(r.end_leads_s):.4f} s" if r.end_leads_s else "-",
                f"{r.lead_goal_s:g} s",
                ms(statistics.median(turn_now)) if turn_now else "-",
                ms(turn_now[-1]) if turn_now else "-",
                ms(max(r.runner_parts_s)) if r.runner_parts_s else "-",
                ms(max(r.voice_parts_s)) if r.voice_parts_s else "-",
                "yes" if all(t < GOAL_TURN_NOW_S for t in turn_now) else "NO",
                ms(max(r.confirmed_parts_s)) if r.confirmed_parts_s else "-",
                ms(max(r.warning_delays_s)) if r.warning_delays_s else "-",
            ]
        )
    print(
        table(
            [
                "profile",
                "variant",
                "turns",
                "min lead",
                "to seg end",
                "goal",
                "turn now p50",
                "max",
                "runner max",
                "voice max",
                "< 300 ms",
                "from 2nd report max",
                "warn delay max",
            ],
            rows,
        )
    )
    print()
    print("Synthesis (espeak-ng, wall clock per phrase; cached: rendered at the start)")
    print()
    synth_rows = []
    for variant in VARIANTS:
        times = sorted(t for r in runs if r.variant == variant for t in r.render_times_s)
        renders = sum(r.renders for r in runs if r.variant == variant)
        spoken = sum(r.spoken for r in runs if r.variant == variant)
        wall = sum(r.wall_s for r in runs if r.variant == variant)
        synth_rows.append(
            [
                variant,
                str(spoken),
                str(renders),
                ms(statistics.median(times)),
                ms(times[int(0.95 * (len(times) - 1))]),
                ms(times[-1]),
                f"{sum(times):.2f}",
                f"{wall:.2f}",
            ]
        )
    print(
        table(
            ["variant", "said", "renders", "p50", "p95", "max", "synth total s", "replays s"],
            synth_rows,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
