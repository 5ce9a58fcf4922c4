"""The command the user started treadctl with, for the lines that tell them what to type.

After ``scripts/try.sh`` the command is ``.venv/bin/treadctl``, not ``treadctl``: a hint
that names a command which is not on the PATH does not work when pasted.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

#: What the hints say when the app does not know how it was started (tests, embedding).
DEFAULT_COMMAND = "treadctl"


def invoked_command(argv0: str | None = None, python: str | None = None) -> str:
    """``argv0`` as typed (``.venv/bin/treadctl``, ``treadctl``), shell-quoted; for
    ``python -m treadctl`` the interpreter that runs it with ``-m treadctl``."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name.startswith("treadctl"):
        return shlex.quote(argv0)
    return f"{shlex.quote(python or sys.executable)} -m treadctl"


def replay_command(command: str, log_path: Path) -> str:
    """The line that plays the session back: ``.venv/bin/treadctl replay 'my run.jsonl'``."""
    return f"{command} replay {shlex.quote(str(log_path))}"
