"""PAUSED, why, and the key that goes on: shown while the workout is held."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static


class HoldBanner(Static):
    """Hidden while the workout runs; while it is held, the reason and how to go on."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.display = False
        self._shown: tuple[str, bool] | None = None

    def show_hold(self, reason: str | None, *, needs_confirm: bool, resuming: bool = False) -> None:
        key = ((reason or "-") + ("+" if resuming else ""), needs_confirm)
        if key == self._shown:
            return
        self._shown = key
        self.display = True
        if resuming:
            text = "▶ RESUMING: the belt ramps up gently"
        elif needs_confirm:
            text = (
                f"‖ PAUSED: {escape(reason or 'held')}. When you are ready, press "
                "[b reverse] Enter [/] to go on"
            )
        else:
            text = f"‖ PAUSED: {escape(reason or 'paused')}. Press [b reverse] r [/] to resume"
        self.update(text)

    def show_stopping(self, *, advisory: bool = False) -> None:
        if self._shown == ("", True):
            return
        self._shown = ("", True)
        self.display = True
        if advisory:  # treadctl cannot stop this belt: never say it does
            self.update("■ STOP: press STOP on the console, or pull the safety key.")
        else:
            self.update("■ STOPPED: the belt is stopping. Step off when it has stopped.")

    def clear(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.display = False
            self.update("")
