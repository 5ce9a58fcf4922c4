"""The root of every error treadctl raises on purpose.

Each error says what happened (``message``, one line) and, where the person can do
something about it, what (``hint``). Errors that callers act on carry the facts as
fields (a device's name, a file, a line, an op code), so that no code has to read a
message back to learn what went wrong. ``treadctl``'s command line prints
:meth:`TreadctlError.describe` for any of them that a command did not handle, never a
traceback.
"""

from __future__ import annotations


class TreadctlError(Exception):
    """An error treadctl means to raise: a message for a person, and a hint."""

    #: What the person can do about it; a subclass may give one for all its cases.
    hint: str = ""

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def describe(self) -> str:
        """The message, and the hint on a line of its own."""
        text = str(self)
        return f"{text}\n  what to do: {self.hint}" if self.hint else text
