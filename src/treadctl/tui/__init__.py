"""The full-screen terminal UI: a thin front end over :func:`treadctl.runtime.run_workout`.

Only this package imports Textual. :func:`run_tui` is what the command line calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from treadctl.config import Settings
from treadctl.exit_codes import EXIT_FAILED
from treadctl.runtime import ClockSpeed, WorkoutOptions
from treadctl.tui.app import TreadctlApp
from treadctl.tui.choices import TreadmillChoice, simulator_choice
from treadctl.tui.command import invoked_command
from treadctl.tui.screens.start import Scanner
from treadctl.tui.session import WorkoutSession

__all__ = [
    "TreadctlApp",
    "TreadmillChoice",
    "WorkoutSession",
    "run_tui",
    "simulator_choice",
]


def run_tui(
    settings: Settings,
    *,
    options: WorkoutOptions | None = None,
    treadmills: Sequence[TreadmillChoice] | None = None,
    scan: Scanner | None = None,
    profile_files: Sequence[str | Path] = (),
    speed: ClockSpeed = 1.0,
    log_path: Path | None = None,
) -> int:
    """Run the TUI until the user quits; returns the exit code.

    With ``options`` it opens on that workout (``treadctl run PROFILE --sim``): the risk
    dialog comes first when the profile has backward segments and neither
    ``options.risks_acknowledged`` nor the settings say they were accepted. Without, it
    opens on the start screen, whose workouts run at ``speed`` and log to ``log_path``
    (default: a new file in the sessions folder).

    Once it has closed, it prints where each session was saved and the command that
    plays it back, and why nothing ran when the risks were not accepted.

    Exit codes: 0 the (last) workout completed or none was run; 1 it ended early or could
    not run; 2 the risks were declined for ``options``; 130 SIGINT, SIGTERM or SIGHUP (the
    belt is stopped first).
    """
    app = TreadctlApp(
        settings,
        workout=options,
        treadmills=treadmills,
        scan=scan,
        profile_files=profile_files,
        speed=speed,
        log_path=log_path,
        handle_signals=True,
        command=invoked_command(),
    )
    code = app.run()
    # On the normal terminal, once the full screen is gone: what stays in the scrollback.
    for line in app.farewell():
        print(line)
    return EXIT_FAILED if code is None else code  # None: the app crashed
