"""The TUI's screens and dialogs."""

from treadctl.tui.screens.confirm import ConfirmScreen
from treadctl.tui.screens.end import EndScreen
from treadctl.tui.screens.help import HelpScreen
from treadctl.tui.screens.risks import RisksScreen
from treadctl.tui.screens.start import StartScreen
from treadctl.tui.screens.workout import WorkoutScreen

__all__ = [
    "ConfirmScreen",
    "EndScreen",
    "HelpScreen",
    "RisksScreen",
    "StartScreen",
    "WorkoutScreen",
]
