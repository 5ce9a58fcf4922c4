"""The connection to the treadmill, always in view: words and a symbol, not colour alone."""

from __future__ import annotations

from typing import Literal

from textual.widgets import Static

LinkState = Literal["connecting", "connected", "lost", "closed"]

_TEXT: dict[LinkState, str] = {
    "connecting": "… connecting",
    "connected": "● connected",
    "lost": "✖ LINK LOST, reconnecting",
    "closed": "○ disconnected",
}


class ConnectionStatus(Static):
    """``● connected NAME``, ``✖ LINK LOST``...; classes ``-connected``, ``-lost``, ..."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(_TEXT["connecting"], id=id, classes="-connecting")
        self.state: LinkState = "connecting"
        self.device = ""

    def set_state(self, state: LinkState, device: str = "") -> None:
        if (state, device) == (self.state, self.device):
            return
        self.state, self.device = state, device
        for name in _TEXT:
            self.set_class(name == state, f"-{name}")
        text = _TEXT[state]
        self.update(f"{text} · {device}" if device and state == "connected" else text)
