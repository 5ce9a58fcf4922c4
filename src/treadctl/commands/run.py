"""``treadctl run PROFILE --sim``: a guided workout, in real time."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from treadctl.commands.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_settings_argument,
    add_sim_arguments,
    fail,
    load_cli_settings,
)
from treadctl.config import ConfigError, Settings, acknowledge_risks
from treadctl.headless import KEYS_HELP, HeadlessPrinter, key_handler
from treadctl.runtime import Treadmill, WorkoutOptions, run_workout
from treadctl.sinks.mqtt.cli import add_mqtt_arguments, mqtt_settings_from_args, mqtt_sinks
from treadctl.sinks.mqtt.settings import MqttConfigError, MqttSettings
from treadctl.workout.builtin import load_profile
from treadctl.workout.plan import plan
from treadctl.workout.profile import ProfileError
from treadctl.workout.runner import Runner

RISK_TEXT = """\
Walking backward on a treadmill means facing away from the console on a belt that keeps
running. People trip. Before the first backward workout:
  - clip the safety key to your clothes;
  - keep your hands on the rails for the turns, and whenever you feel unsure;
  - start slowly (about 0.8 km/h), with short bouts;
  - know the stop key (space in the TUI, s or Ctrl-C here) and the console stop.
Check with a doctor or physiotherapist first if you have balance, heart or joint problems."""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "run",
        help="run a guided workout",
        description="Run a guided workout in real time against a treadmill.",
    )
    parser.add_argument("profile", help="a built-in profile id or a profile file (.toml, .zwo)")
    parser.add_argument(
        "--sim", action="store_true", help="use the simulated treadmill (no hardware needed)"
    )
    parser.add_argument(
        "--headless", action="store_true", help="plain text lines instead of the full-screen UI"
    )
    parser.add_argument("--log", type=Path, help="write the session log here")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="N",
        help="with --sim: run N times faster than real time (rehearsal); default 1",
    )
    parser.add_argument(
        "--accept-risks",
        action="store_true",
        help="accept the risks of backward walking and remember it (asked once otherwise)",
    )
    parser.add_argument("--verbose", action="store_true", help="also print every command sent")
    add_sim_arguments(parser)
    add_settings_argument(parser)
    add_mqtt_arguments(parser)
    parser.set_defaults(handler=handle)


def confirm_risks(settings: Settings, accept_flag: bool) -> bool:
    """H11: ask once, remember the answer in the config file."""
    if settings.risks_acknowledged:
        return True
    print(RISK_TEXT)
    if not accept_flag:
        if not sys.stdin.isatty():
            print(
                "\nThis workout has backward segments. Run again with --accept-risks to "
                "accept the risks (asked only once), or try the first-steps profile.",
                file=sys.stderr,
            )
            return False
        answer = input(
            "\nType yes to accept and go on (the first-steps profile is the gentle start): "
        )
        if answer.strip().lower() not in ("yes", "y"):
            return False
    try:
        path = acknowledge_risks(settings.config_path)
        print(f"(remembered in {path})")
    except (OSError, ConfigError) as exc:
        print(f"(could not save the acknowledgment: {exc}; asked again next time)", file=sys.stderr)
    return True


def handle(args: argparse.Namespace) -> int:
    if not args.sim:
        return fail(
            "run",
            "real treadmills arrive with Bluetooth support; use --sim for the simulated one",
        )
    if args.speed <= 0:
        return fail("run", "--speed must be above 0")
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    try:
        mqtt = mqtt_settings_from_args(args, settings)
    except MqttConfigError as exc:
        return fail("run", str(exc))
    try:
        profile = load_profile(args.profile)
        timeline = plan(profile, settings)
    except (ProfileError, OSError) as exc:
        print(f"treadctl run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    acknowledged = True
    if timeline.has_backward:
        acknowledged = confirm_risks(settings, args.accept_risks)
        if not acknowledged:
            return EXIT_USAGE
    if not args.headless and sys.stdout.isatty():
        print("(the full-screen UI arrives with the TUI; running headless)", file=sys.stderr)
    return asyncio.run(_run(args, settings, mqtt))


async def _run(args: argparse.Namespace, settings: Settings, mqtt: MqttSettings | None) -> int:
    printer = HeadlessPrinter(units=settings.display_units, verbose=args.verbose)
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {"runner": None, "interrupted": False}
    stopping: set[asyncio.Task[None]] = set()

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        state["runner"] = runner
        handle_key = key_handler(runner, loop)
        if sys.stdin and not sys.stdin.closed and sys.stdin.isatty():
            loop.add_reader(sys.stdin.fileno(), lambda: handle_key(sys.stdin.readline()))
        print(KEYS_HELP)

    def on_signal() -> None:
        # H5: stop the belt first; the run then ends and the process exits.
        state["interrupted"] = True
        runner = state["runner"]
        if runner is not None:
            task = loop.create_task(runner.emergency_stop("interrupted"))
            stopping.add(task)
            task.add_done_callback(stopping.discard)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    options = WorkoutOptions(
        profile=args.profile,
        settings=settings,
        speed=args.speed,
        quirks=frozenset(args.quirk or ()),
        speed_unit=args.speed_unit,
        log_path=args.log,
        risks_acknowledged=True,
        sinks=mqtt_sinks(mqtt),
    )
    try:
        result = await run_workout(
            options,
            on_event=printer,
            on_runner=on_runner,
            on_log=lambda path: print(f"session log: {path}"),
        )
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(sys.stdin.fileno())
    print(f"session log: {result.log_path}")
    if state["interrupted"]:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.summary.completed else EXIT_FAILED
