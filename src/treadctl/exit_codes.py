"""The exit codes of every treadctl command, defined once.

0: done. 1: the job failed (a workout ended early, a device could not be reached).
2: the command line or its input was wrong. 130: interrupted (Ctrl-C), as shells do.
"""

from __future__ import annotations

# Plain ints, not typing.Final: `treadctl --version` should not pay for importing typing.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
