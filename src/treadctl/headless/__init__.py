"""Plain-text front end: one line per thing that happens, keys read from stdin lines.

For a terminal without the TUI, a log, or a screen reader. :mod:`.printer` turns events
into lines, :mod:`.keys` answers the keys, :mod:`.output` copes with a reader that goes
away (``| head``).
"""

from __future__ import annotations

from treadctl.headless.keys import KEYS, KEYS_HELP, KeyHandler
from treadctl.headless.output import Output
from treadctl.headless.printer import CLOCK_NOTE, HeadlessPrinter

__all__ = ["CLOCK_NOTE", "KEYS", "KEYS_HELP", "HeadlessPrinter", "KeyHandler", "Output"]
