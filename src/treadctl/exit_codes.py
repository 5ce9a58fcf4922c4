"""The exit codes of every treadctl command, defined once.

0: done. 1: the job failed (a workout ended early, a device could not be reached).
2: the command line or its input was wrong. 130: interrupted (Ctrl-C), as shells do.
"""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130
