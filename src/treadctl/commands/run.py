"""``treadctl run PROFILE --sim|--device X``: a guided workout, in real time.

In a terminal it opens the full-screen UI; ``--headless`` (or no terminal) prints lines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from treadctl.bluetooth.device import (
    NO_DEVICE_HINT,
    add_device_arguments,
    describe_treadmill,
    treadmill_factory_from_args,
)
from treadctl.bluetooth.errors import describe_error
from treadctl.bluetooth.heart_rate import add_hr_arguments, strap_factory_from_args
from treadctl.client.errors import TreadmillError
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
from treadctl.config import ConfigError, Settings, acknowledge_risks
from treadctl.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from treadctl.headless import CLOCK_NOTE, KEYS_HELP, HeadlessPrinter, KeyHandler
from treadctl.headless.output import silence
from treadctl.link.base import LinkError
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sinks.mqtt.cli import add_mqtt_arguments, mqtt_settings_from_args, mqtt_sinks
from treadctl.sinks.mqtt.settings import MqttConfigError
from treadctl.strap import SIM_STRAP, StrapFactory, rehearsal_strap
from treadctl.util.tasks import TaskSet
from treadctl.voice.cli import add_voice_arguments, voice_sinks_from_args
from treadctl.workout.builtin import load_profile
from treadctl.workout.plan import plan
from treadctl.workout.ports import Treadmill, TreadmillFactory
from treadctl.workout.profile import ProfileError
from treadctl.workout.risks import BEGINNER_PROFILE, RISKS
from treadctl.workout.runner import Runner

RISK_TEXT = RISKS.lines(stop_keys="s then Enter, or Ctrl-C")
#: Why a workout stops when its output goes away (the session log says it).
OUTPUT_CLOSED = "the output closed (nobody reads the lines)"
#: Signals that stop the belt first, then end the run: Ctrl-C, a kill, a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "run",
        help=summary("run"),
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
    add_time_factor_argument(
        parser,
        default=1.0,
        allow_max=False,
        help="with --sim: run the clock N times faster than real time (a rehearsal); "
        "default 1. Not the belt's speed",
    )
    parser.add_argument(
        "--accept-risks",
        action="store_true",
        help="accept the risks of backward walking and remember it (asked once otherwise)",
    )
    parser.add_argument("--verbose", action="store_true", help="also print every command sent")
    add_sim_arguments(parser)
    add_zwo_arguments(parser)
    add_device_arguments(parser)
    add_hr_arguments(parser)
    add_settings_argument(parser)
    add_mqtt_arguments(parser)
    add_voice_arguments(parser)
    parser.set_defaults(handler=handle)


def refusal_hint(profile_name: str) -> str:
    """What the refusal suggests: true for the workout refused (first-steps itself has
    backward bouts, so it cannot be the way round them)."""
    if profile_name == BEGINNER_PROFILE:
        return (
            f"{BEGINNER_PROFILE} is already the gentlest built-in workout, and its short "
            "backward bouts need the risks accepted too"
        )
    return f"or start with the gentle {BEGINNER_PROFILE} profile (it asks the same)"


def confirm_risks(settings: Settings, accept_flag: bool, profile_name: str = "") -> bool:
    """H11: ask once, remember the answer in the config file."""
    if settings.risks_acknowledged:
        return True
    print(RISK_TEXT)
    if not accept_flag:
        if not sys.stdin.isatty():
            print(
                "\nThis workout has backward segments. Run again with --accept-risks to "
                f"accept the risks (asked only once); {refusal_hint(profile_name)}.",
                file=sys.stderr,
            )
            return False
        gentle = (
            "" if profile_name == BEGINNER_PROFILE else f" ({BEGINNER_PROFILE} is the gentle start)"
        )
        answer = input(f"\nType yes to accept and go on{gentle}: ")
        if answer.strip().lower() not in ("yes", "y"):
            return False
    try:
        path = acknowledge_risks(settings.config_path)
    except (OSError, ConfigError) as exc:
        print(f"(could not save the acknowledgment: {exc}; asked again next time)", file=sys.stderr)
    else:
        print(f"(remembered in {path})")
    return True


def export_after_session(log_path: Path, settings: Settings) -> list[str]:
    """The ``export_on_finish`` files for this session, as lines to print (or why not)."""
    from treadctl.export.files import export_on_finish  # noqa: PLC0415
    from treadctl.sessions import SessionFileError  # noqa: PLC0415

    try:
        return [f"exported {path}" for path in export_on_finish(log_path, settings)]
    except (SessionFileError, OSError) as exc:
        return [f"treadctl run: could not export the session: {exc}"]


def _treadmill(args: argparse.Namespace, settings: Settings) -> TreadmillFactory | str | None:
    """The factory for the treadmill to use (None: the simulator), or what is wrong."""
    if args.sim:
        if args.device:
            return "choose one: --sim or --device"
        return None
    if args.time_factor != 1.0:
        return "--time-factor rehearses faster than real time: only with --sim"
    factory = treadmill_factory_from_args(args, settings)
    if factory is None:
        return NO_DEVICE_HINT
    return factory


def _strap(args: argparse.Namespace, settings: Settings) -> StrapFactory | str | None:
    """The heart-rate strap to read (None: none), or what is wrong. A rehearsal on the
    simulator reads a strap only when ``--hr`` names one (``--hr sim``: a simulated one)."""
    if args.hr == SIM_STRAP:
        return rehearsal_strap if args.sim else "--hr sim is the simulated strap: only with --sim"
    if args.sim and not args.hr:
        return None
    return strap_factory_from_args(args, settings)


def handle(args: argparse.Namespace) -> int:
    try:
        return _handle(args)
    except BrokenPipeError:
        # The output closed before the workout began (once it runs, the printer sees it
        # and stops the belt): nothing ran, which is no success.
        silence(sys.stdout)
        print(f"treadctl run: not started: {OUTPUT_CLOSED}", file=sys.stderr)
        return EXIT_FAILED


def _handle(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    treadmill = _treadmill(args, settings)
    if isinstance(treadmill, str):
        return fail("run", treadmill)
    strap = _strap(args, settings)
    if isinstance(strap, str):
        return fail("run", strap)
    try:
        mqtt = mqtt_settings_from_args(args, settings)
    except MqttConfigError as exc:
        return fail("run", str(exc))
    voice = voice_sinks_from_args(args, settings, audible=True)
    if isinstance(voice, str):
        return fail("run", voice)
    zwo = zwo_reference_from_args(args, settings)
    try:
        profile = load_profile(args.profile, zwo=zwo)
        timeline = plan(profile, settings)
    except (ProfileError, OSError) as exc:
        print(f"treadctl run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    options = WorkoutOptions(
        profile=args.profile,
        settings=settings,
        speed=args.time_factor,
        quirks=frozenset(args.quirk or ()),
        speed_unit=args.speed_unit,
        log_path=args.log,
        risks_acknowledged=True,
        sinks=[*mqtt_sinks(mqtt), *voice],
        treadmill=treadmill,
        zwo=zwo,
        strap=strap,
        console_hand=args.sim,  # a rehearsal in advisory mode: the simulated console follows
    )
    if not args.headless and sys.stdin.isatty() and sys.stdout.isatty():
        # The full-screen UI asks for the risk acknowledgment itself, in a dialog (H11).
        from treadctl.tui import run_tui  # noqa: PLC0415 (headless runs never load Textual)

        accepted = settings.risks_acknowledged or not timeline.has_backward
        if args.accept_risks and not accepted:
            accepted = confirm_risks(settings, True, profile.name)
        options.risks_acknowledged = accepted
        return run_tui(settings, options=options)
    if timeline.has_backward and not confirm_risks(settings, args.accept_risks, profile.name):
        return EXIT_USAGE
    return asyncio.run(_run(args, settings, options))


async def _run(args: argparse.Namespace, settings: Settings, options: WorkoutOptions) -> int:
    printer = HeadlessPrinter(units=settings.display_units, verbose=args.verbose)
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {"runner": None, "interrupted": False, "output_closed": False}
    stopping = TaskSet("stop")

    def stop(reason: str) -> None:
        runner = state["runner"]
        if runner is not None:
            stopping.spawn(runner.emergency_stop(reason))

    def output_closed() -> None:
        # Nobody sees the cues any more: stop the belt first (H5), then end non-zero.
        state["output_closed"] = True
        stop(OUTPUT_CLOSED)

    printer.output.on_closed = output_closed

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        state["runner"] = runner
        printer.follow(runner)
        if treadmill.kind == "bluetooth":
            for line in describe_treadmill(treadmill.client):
                printer.say(line)
        handle_key = KeyHandler(runner, printer)

        def read_key() -> None:
            text = sys.stdin.readline()
            if not text:  # end of input: a terminal gone would stay "readable" for ever
                loop.remove_reader(sys.stdin.fileno())
            handle_key(text)

        if sys.stdin and not sys.stdin.closed and sys.stdin.isatty():
            loop.add_reader(sys.stdin.fileno(), read_key)
        printer.say(KEYS_HELP)
        printer.say(CLOCK_NOTE)
        if printer.output.closed:
            output_closed()

    def on_signal() -> None:
        # Ctrl-C, a kill, or the terminal closed (SIGHUP): nobody may be watching the belt.
        # H5: stop the belt first; the run then ends and the process exits.
        state["interrupted"] = True
        stop("interrupted")

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal)
    try:
        result = await run_workout(
            options,
            on_event=printer,
            on_runner=on_runner,
            on_log=lambda path: printer.say(f"session log: {path}"),
        )
    except (LinkError, TreadmillError) as exc:
        print(f"treadctl run: {describe_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(sys.stdin.fileno())
        await stopping.wait()
    printer.say(f"session log: {result.log_path}")
    printer.say(f"replay it: {replay_command(result.log_path)}")
    for line in export_after_session(result.log_path, settings):
        printer.say(line)
    if state["interrupted"]:
        return EXIT_INTERRUPTED
    if state["output_closed"]:
        print(
            f"treadctl run: stopped the belt: {OUTPUT_CLOSED}; session log {result.log_path}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK if result.summary.completed else EXIT_FAILED
