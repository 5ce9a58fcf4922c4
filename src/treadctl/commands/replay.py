"""``treadctl replay PROFILE|SESSION.jsonl``: a workout against the simulator, fast."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from treadctl.bluetooth.playback import add_ble_log_argument, play_ble_log_command
from treadctl.clock import VirtualClock
from treadctl.clock import run as clock_run
from treadctl.commands import summary
from treadctl.commands.common import (
    add_settings_argument,
    add_sim_arguments,
    add_time_factor_argument,
    add_zwo_arguments,
    fail,
    load_cli_settings,
    replay_command,
    zwo_reference_from_args,
)
from treadctl.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from treadctl.formatting import summary_lines
from treadctl.headless import CLOCK_NOTE, HeadlessPrinter, Output
from treadctl.replay_inputs import replay_inputs
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sessions import SessionFileError, read_session
from treadctl.sinks.mqtt.cli import add_mqtt_arguments, mqtt_settings_from_args, mqtt_sinks
from treadctl.sinks.mqtt.settings import MqttConfigError
from treadctl.util.tasks import TaskSet
from treadctl.voice.cli import add_voice_arguments, voice_sinks_from_args
from treadctl.workout.ports import Treadmill
from treadctl.workout.profile import ProfileError
from treadctl.workout.runner import Runner
from treadctl.workout.timeline import PlanLimits

#: A replayed workout waiting this long for a person who never answers ends.
HOLD_LIMIT_S = 600.0
#: The most simulated treadmills one replay drives at once (--count).
MAX_COUNT = 500
#: Why a replay ends early when its output goes away (``| head``).
OUTPUT_CLOSED = "the output closed"


def parse_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--count takes a whole number") from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"--count must be 1 to {MAX_COUNT}")
    return value


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "replay",
        help=summary("replay"),
        description=(
            "Run a profile, or the profile and your actions from a recorded session, "
            "against the simulated treadmill on a virtual clock, and print the summary."
        ),
    )
    parser.add_argument("source", nargs="?", help="a profile id or file, or a session .jsonl")
    add_ble_log_argument(parser)
    add_time_factor_argument(
        parser,
        default="max",
        allow_max=True,
        help="run the clock N times faster than real time, or max (no waiting at all; the "
        "default). Not the belt's speed",
    )
    parser.add_argument("--log", type=Path, help="write the new session log here")
    parser.add_argument("--events", action="store_true", help="print the events as they happen")
    parser.add_argument(
        "--confirm-after",
        type=float,
        default=3.0,
        metavar="S",
        help="replaying a profile: a stand-in person confirms turns and holds after S "
        "seconds (default 3)",
    )
    parser.add_argument(
        "--count",
        type=parse_count,
        default=1,
        metavar="N",
        help="drive N simulated treadmills at once (a coach's class), named treadctl-sim-1 "
        "to -N, each with its own device id and session log",
    )
    add_sim_arguments(parser)
    add_zwo_arguments(parser)
    add_settings_argument(parser)
    add_mqtt_arguments(parser)
    add_voice_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.ble_log is not None:
        return play_ble_log_command(args)
    if args.source is None:
        return fail("replay", "give a profile, a session .jsonl, or --ble-log FILE")
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    try:
        mqtt = mqtt_settings_from_args(args, settings)
    except MqttConfigError as exc:
        return fail("replay", str(exc))
    if args.count > 1 and args.events:
        return fail("replay", "--events follows one treadmill: leave it out with --count")
    if args.count > 1 and (args.voice or args.voice_out is not None):
        return fail("replay", "the voice follows one treadmill: leave --voice out with --count")
    voice = (
        voice_sinks_from_args(args, settings, audible=args.time_factor != "max")
        if args.count == 1
        else []
    )
    if isinstance(voice, str):
        return fail("replay", voice)
    source: str | Path = args.source
    actions: list[tuple[float, str, float | None]] = []
    limits: PlanLimits | None = None
    quirks = set(args.quirk or ())
    speed_unit = args.speed_unit
    if str(source).endswith(".jsonl"):
        try:
            session = read_session(Path(source))
            inputs = replay_inputs(session)
        except SessionFileError as exc:
            return fail("replay", str(exc))
        for warning in inputs.warnings:
            print(f"treadctl replay: {warning}", file=sys.stderr)
        source = inputs.profile
        actions = inputs.actions
        limits = inputs.limits
        quirks |= inputs.quirks
        if args.speed_unit == "kmh":
            speed_unit = inputs.speed_unit
    printer = HeadlessPrinter(units=settings.display_units) if args.events else None
    several = args.count > 1
    options = [
        WorkoutOptions(
            profile=source,
            settings=settings,
            speed=args.time_factor,
            quirks=frozenset(quirks),
            speed_unit=speed_unit,
            log_path=_numbered_log(args.log, i) if several else args.log,
            actions=actions,
            limits=limits,
            risks_acknowledged=True,  # a replay has nobody on the belt
            extra_header={"replay_of": str(args.source)},
            # A profile replay has a stand-in person who confirms after a few seconds; a
            # session replay does only what the person did, and gives up on a hold nobody
            # answered.
            auto_confirm_s=None if actions or limits else args.confirm_after,
            hold_limit_s=HOLD_LIMIT_S,
            console_hand=True,  # advisory mode: a stand-in sets the simulated console
            sim_name=f"treadctl-sim-{i}" if several else "treadctl-sim",
            sinks=[*mqtt_sinks(mqtt, index=i if several else None), *voice],
            zwo=zwo_reference_from_args(args, settings),
        )
        for i in range(1, args.count + 1)
    ]
    output = printer.output if printer is not None else Output()
    replay = Replay(options, printer, output)
    try:
        results = clock_run(replay.run())
    except (ProfileError, OSError) as exc:
        return fail("replay", str(exc))
    except asyncio.CancelledError:
        # Interrupted before any workout was under way (or twice): nothing to stop.
        print("treadctl replay: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    for opts, result in zip(options, results, strict=True):
        if several:
            output.write_line(f"== {opts.sim_name}")
        for line in summary_lines(result.summary, settings.display_units):
            output.write_line(line)
        output.write_line(f"session log: {result.log_path}")
        output.write_line(f"replay it: {replay_command(result.log_path)}")
    return EXIT_INTERRUPTED if replay.interrupted else EXIT_OK


def _numbered_log(path: Path | None, index: int) -> Path | None:
    """``--log class.jsonl`` with ``--count``: class-1.jsonl, class-2.jsonl, ..."""
    return None if path is None else path.with_name(f"{path.stem}-{index}{path.suffix}")


class Replay:
    """Every workout at once, in one event loop (one treadmill each), until each ends.

    Ctrl-C (or SIGTERM) stops every belt through its runner and ends with exit 130; a
    second one, or one before any workout began, cancels outright. Output that closes
    (``| head``) ends the replay quietly: there is nobody to show it to.

    At ``--time-factor max`` they share one virtual clock: each clock would otherwise
    wait for the others' work to settle before moving on.
    """

    def __init__(
        self, options: list[WorkoutOptions], printer: HeadlessPrinter | None, output: Output
    ) -> None:
        self.options = options
        self.printer = printer
        self.output = output
        self.runners: list[Runner] = []
        self.interrupted = False
        self.stopping = TaskSet("replay stop")
        self._main: asyncio.Task[Any] | None = None

    def _stop_all(self, reason: str) -> None:
        for runner in self.runners:
            self.stopping.spawn(runner.emergency_stop(reason))

    def _on_runner(self, runner: Runner, _treadmill: Treadmill) -> None:
        self.runners.append(runner)
        if self.printer is not None and len(self.options) == 1:
            self.printer.follow(runner)
        if self.interrupted:
            self.stopping.spawn(runner.emergency_stop("interrupted"))
        elif self.output.closed:
            self.stopping.spawn(runner.emergency_stop(OUTPUT_CLOSED))

    def _on_signal(self) -> None:
        if self.interrupted or not self.runners:
            self.interrupted = True
            if self._main is not None:
                self._main.cancel()
            return
        self.interrupted = True
        self._stop_all("interrupted")

    def _on_output_closed(self) -> None:
        self._stop_all(OUTPUT_CLOSED)

    async def run(self) -> list[WorkoutResult]:
        loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        self.output.on_closed = self._on_output_closed
        # Signals reach only the main thread (a replay run from another has none).
        signals = (
            (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
            if threading.current_thread() is threading.main_thread()
            else ()
        )
        for sig in signals:
            loop.add_signal_handler(sig, self._on_signal)
        if self.printer is not None:
            self.printer.say(CLOCK_NOTE)
        try:
            return await self._run_all()
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            await self.stopping.wait()

    async def _run_all(self) -> list[WorkoutResult]:
        options = self.options

        def run(o: WorkoutOptions) -> Any:
            return run_workout(o, on_event=self.printer, on_runner=self._on_runner)

        if len(options) > 1 and options[0].speed == "max":
            clock = VirtualClock()
            shared = [dataclasses.replace(o, clock=clock) for o in options]
            async with clock.running():
                return list(await asyncio.gather(*(run(o) for o in shared)))
        return list(await asyncio.gather(*(run(o) for o in options)))
