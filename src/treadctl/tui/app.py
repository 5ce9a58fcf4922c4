"""The Textual app: screens, the workout worker, and Stop, which is live everywhere."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from treadctl.clock import Clock
from treadctl.config import ConfigError, Settings, acknowledge_risks
from treadctl.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from treadctl.runtime import ClockSpeed, WorkoutOptions
from treadctl.tui.choices import (
    ProfileChoice,
    TreadmillChoice,
    list_profile_choices,
    profile_choice,
    simulator_choice,
)
from treadctl.tui.coach import coach_pick
from treadctl.tui.command import DEFAULT_COMMAND, replay_command
from treadctl.tui.screens import (
    ConfirmScreen,
    EndScreen,
    RisksScreen,
    StartScreen,
    WorkoutScreen,
)
from treadctl.tui.screens.risks import RiskAnswer
from treadctl.tui.screens.start import Scanner
from treadctl.tui.screens.workout import STOP_KEYS_SHOWN
from treadctl.tui.session import WorkoutSession
from treadctl.tui.widgets import AlertBanner, VoiceStatus
from treadctl.workout.risks import BEGINNER_PROFILE

if TYPE_CHECKING:  # the voice loads when a workout starts
    from treadctl.voice.sink import VoiceSink


class TreadctlApp(App[int]):
    """Start screen, workout screen, end screen; the workout runs as a worker of the app.

    ``workout`` opens straight on that workout (``treadctl run PROFILE``); otherwise the
    start screen offers ``profiles`` and ``treadmills``. ``clock_factory`` gives each
    workout its clock (tests inject a virtual one). The app's return value is an exit code.
    """

    CSS_PATH = "app.tcss"
    TITLE = "treadctl"
    ENABLE_COMMAND_PALETTE = False
    # Classes the screens get by size.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [  # noqa: RUF012
        (0, "-narrow"),
        (120, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None = [  # noqa: RUF012
        (0, "-short"),
        (36, "-tall"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        # H5: one key, with priority over everything, on every screen and dialog. The
        # workout screen adds s and escape (escape closes a dialog instead).
        Binding(
            "space,ctrl+c",
            "emergency_stop",
            "STOP",
            key_display="space",
            priority=True,
            id="stop",
            tooltip="Stop the belt now and end the workout (space; on the workout screen s too)",
        ),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit_app"),
        Binding(
            "m",
            "toggle_voice",
            "Mute",
            id="mute_voice",
            tooltip="Mute the spoken words; the three tones stay (docs/voice.md)",
        ),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False, id="theme"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        workout: WorkoutOptions | None = None,
        treadmills: Sequence[TreadmillChoice] | None = None,
        scan: Scanner | None = None,
        profile_files: Sequence[str | Path] = (),
        speed: ClockSpeed = 1.0,
        clock_factory: Callable[[], Clock] | None = None,
        log_path: Path | None = None,
        handle_signals: bool = False,
        sessions_dir: Path | None = None,
        command: str = DEFAULT_COMMAND,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.units = settings.display_units
        self.initial_workout = workout
        self.treadmills = list(treadmills) if treadmills else [simulator_choice()]
        self.scan = scan
        self.profile_files = list(profile_files)
        self.speed: ClockSpeed = speed
        self.clock_factory = clock_factory
        self.log_path = log_path
        self.handle_signals = handle_signals
        self.sessions_dir = sessions_dir
        """Where the history and the coach read sessions (None: the data folder)."""
        self.command = command
        """How the user started treadctl (``.venv/bin/treadctl``), for the hints."""
        self.risks_acknowledged = settings.risks_acknowledged
        self.session: WorkoutSession | None = None
        self.sessions_run: list[WorkoutSession] = []
        """Every workout started in this app, for the lines printed after it closes."""
        self.exit_notes: list[str] = []
        """Said on the terminal after the app closes (what happened, what to do)."""
        self.interrupted = False
        self.voice: VoiceSink | None = None
        """The voice of the workout on show (its sink), if it has one."""

    # -- screens -----------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.on_signal, sig)
        if self.initial_workout is not None:
            self.begin(self.initial_workout)
        else:
            self.show_start()

    def show(self, screen: Screen[None]) -> None:
        """Make ``screen`` the main screen, closing any dialog over the old one."""
        while len(self.screen_stack) > 1 and isinstance(self.screen, ModalScreen):
            self.pop_screen()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_start(self) -> None:
        profiles = list_profile_choices(self.settings, self.profile_files)
        self.show(
            StartScreen(
                self.settings,
                profiles,
                self.treadmills,
                self.start_from_choice,
                scan=self.scan,
                units=self.units,
                coach=lambda: coach_pick(self.settings, sessions=self.sessions_dir),
            )
        )

    def action_history(self) -> None:
        """The history screen, over the start or end screen (back with b or escape)."""
        # Imported here: its charts (plotext) cost 0.2 s that the first frame need not wait for.
        from treadctl.tui.screens.history import HistoryScreen  # noqa: PLC0415

        if self.session is None or not self.session.active:
            self.push_screen(HistoryScreen(self.sessions_dir))

    def action_new_workout(self) -> None:
        if self.session is None or not self.session.active:
            self.show_start()

    # -- starting a workout ------------------------------------------------------------

    def start_from_choice(self, profile: ProfileChoice, treadmill: TreadmillChoice) -> None:
        options = WorkoutOptions(
            profile=profile.key,
            settings=self.settings,
            speed=self.speed,
            quirks=treadmill.quirks,
            log_path=self.log_path,
            clock=self.clock_factory() if self.clock_factory is not None else None,
            treadmill=treadmill.factory,
            sinks=self.voice_sinks(),
        )
        self.begin(options, profile)

    def voice_sinks(self) -> list[VoiceSink]:
        """The voice for a workout started here, when the settings have it on."""
        if not self.settings.voice:
            return []
        from treadctl.voice.sink import VoiceConfig, VoiceSink  # noqa: PLC0415 (when a workout starts)

        return [VoiceSink(VoiceConfig.from_settings(self.settings))]

    def begin(self, options: WorkoutOptions, choice: ProfileChoice | None = None) -> None:
        """Start ``options``, after the risk acknowledgment (H11) if it needs one."""
        choice = choice or profile_choice(options.profile, self.settings, zwo=options.zwo)
        acknowledged = options.risks_acknowledged or self.risks_acknowledged
        if not choice.has_backward or acknowledged:
            self.start_workout(dataclasses.replace(options, risks_acknowledged=acknowledged))
            return

        def answered(answer: RiskAnswer) -> None:
            if answer is None:
                self.risks_declined()
                return
            self.remember_risks()
            chosen = options
            if answer == "first-steps":
                chosen = dataclasses.replace(options, profile=BEGINNER_PROFILE)
            self.start_workout(dataclasses.replace(chosen, risks_acknowledged=True))

        beginner = choice.key == BEGINNER_PROFILE
        self.push_screen(
            RisksScreen(choice.title, is_beginner=beginner, config_path=self.settings.config_path),
            answered,
        )

    def risks_declined(self) -> None:
        """ "Not now": nothing starts, and the person is told so and how to accept later;
        a workout given on the command line ends the app (exit code 2)."""
        config = self.settings.config_path
        if self.initial_workout is not None and self.session is None:
            self.exit_notes += [
                "The risks of backward walking were not accepted, so the workout did not "
                "start (exit code 2).",
                "To accept them later: run the same command again and choose Accept, or add "
                f"--accept-risks; either is saved in {config}.",
            ]
            self.exit(EXIT_USAGE)
            return
        self.notify(
            "Nothing started. Start it again and choose Accept when you are ready; it is "
            f"saved in {config}.",
            title="Risks not accepted",
            timeout=10,
        )

    def remember_risks(self) -> None:
        """Accepted: not asked again in this app, nor (once saved) in the config file."""
        self.risks_acknowledged = True
        try:
            path = acknowledge_risks(self.settings.config_path)
        except (OSError, ConfigError) as exc:
            self.notify(
                f"Could not save the acknowledgment ({exc}); you will be asked again.",
                severity="warning",
            )
            return
        self.notify(
            f"Saved in {path} (risks_acknowledged = true): not asked again.",
            title="Risks accepted",
            timeout=8,
        )

    def start_workout(self, options: WorkoutOptions) -> WorkoutSession:
        session = WorkoutSession(options)
        self.session = session
        self.sessions_run.append(session)
        from treadctl.voice.sink import VoiceSink  # noqa: PLC0415 (when a workout starts)

        self.voice = next((s for s in options.sinks if isinstance(s, VoiceSink)), None)
        if self.voice is not None:
            # Its start-up line becomes a notification, its tones ring this terminal.
            self.voice.notify = self.voice_notice
            self.voice.ring = self.bell
            self.voice.on_change = self.show_voice
        self.show(WorkoutScreen(session, units=self.units, bell=self.settings.bell))
        self.call_after_refresh(self.show_voice)
        self.run_worker(self._run(session), name="workout", group="workout", exit_on_error=False)
        return session

    async def _run(self, session: WorkoutSession) -> None:
        await session.run()
        if session.result is not None and session.log_path is not None:
            await self._export(session.log_path)
        pending = [
            alert
            for screen in self.screen_stack
            if isinstance(screen, WorkoutScreen)
            for alert in screen.query_one(AlertBanner).pending
        ]
        self.show(EndScreen(session, units=self.units, alerts=pending, command=self.command))
        self.refresh_bindings()

    # -- the voice ---------------------------------------------------------------------

    def voice_notice(self, line: str) -> None:
        problem = self.voice is None or self.voice.heard != "speech"
        self.notify(line, severity="warning" if problem else "information", timeout=8)

    def show_voice(self) -> None:
        """Bring the top bar's voice indicator up to date."""
        voice = self.voice
        state = None if voice is None else ("muted" if voice.muted else voice.heard)
        for screen in self.screen_stack:  # the workout screen, under any dialog
            for widget in screen.query(VoiceStatus):
                widget.set_state(state)
        self.refresh_bindings()

    def action_toggle_voice(self) -> None:
        """Mute or unmute the words (the tones stay: the person faces away)."""
        if self.voice is not None:
            self.voice.toggle_mute()
            self.show_voice()

    async def _export(self, log_path: Path) -> None:
        """``export_on_finish``: the files, in a thread; a failure is a notice, no more."""
        from treadctl.export.files import export_on_finish  # noqa: PLC0415
        from treadctl.sessions import SessionFileError  # noqa: PLC0415

        try:
            paths = await asyncio.to_thread(export_on_finish, log_path, self.settings)
        except (SessionFileError, OSError) as exc:
            self.notify(f"Could not export the session: {exc}", severity="warning")
            return
        for path in paths:
            self.notify(f"Exported {path}", title="Export")

    def action_toggle_theme(self) -> None:
        """Light for a bright room, dark for a dim one (``TEXTUAL_THEME`` sets the start)."""
        self.theme = "textual-dark" if self.current_theme.dark is False else "textual-light"

    # -- stop and quit -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "emergency_stop":
            # Shown always; live whenever a belt may move. Otherwise the key falls
            # through (a space typed into the file name box on the start screen).
            return True if self.session is not None and self.session.active else None
        if action == "toggle_voice":
            # Hidden without a voice; the key then falls through.
            return self.voice is not None and self.session is not None and self.session.active
        return True

    def get_key_display(self, binding: Binding) -> str:
        """Stop's keys in the footer: ``space/s`` where s stops too (the workout screen)."""
        if binding.id == "stop" and isinstance(self.screen, WorkoutScreen):
            return STOP_KEYS_SHOWN
        return super().get_key_display(binding)

    def action_emergency_stop(self) -> None:
        """H5: Stop goes to the treadmill at once, ahead of anything queued."""
        if self.session is not None:
            self.session.emergency_stop()

    async def action_quit(self) -> None:
        session = self.session
        if session is None or not session.active:
            self.exit(self.exit_code())
            return
        if isinstance(self.screen, ConfirmScreen):
            return
        if session.runner is not None:
            session.runner.pause()  # the belt stops first, then we ask

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self.stop_and_exit("quit from the keyboard"), group="quit")

        self.push_screen(
            ConfirmScreen(
                "End the workout and quit?",
                "The belt is paused. The session so far is saved either way.\n"
                "No: stay paused here, and press r to go on.",
                yes="End and quit",
                no="Stay",
            ),
            answered,
        )

    async def stop_and_exit(self, reason: str, *, terminal_gone: bool = False) -> None:
        session = self.session
        if session is not None and session.active:
            session.emergency_stop(reason)
            await session.wait()
        if terminal_gone:
            # Nothing to restore and nobody to show it to; Textual's terminal restore
            # can block for ever on a vanished terminal. The belt has stopped and the
            # session log is complete (each line is a single unbuffered write).
            os._exit(self.exit_code())
        self.exit(self.exit_code())

    def on_signal(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """SIGINT, SIGTERM or SIGHUP (the terminal closed): stop the belt, then exit (H5)."""
        self.interrupted = True
        gone = sig == signal.SIGHUP
        self.run_worker(self.stop_and_exit("interrupted", terminal_gone=gone), group="quit")

    def farewell(self) -> list[str]:
        """What to print once the app has closed: where each session was saved and how
        to play it back, then any note (the risks not accepted)."""
        lines: list[str] = []
        for session in self.sessions_run:
            path = session.log_path
            if path is not None and path.exists():
                lines.append(f"Session saved to {path}")
                lines.append(f"  play it back: {replay_command(self.command, path)}")
        return lines + self.exit_notes

    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        session = self.session
        if session is None:
            return EXIT_OK
        if session.result is None:
            return EXIT_FAILED if session.started else EXIT_OK
        return EXIT_OK if session.result.summary.completed else EXIT_FAILED
