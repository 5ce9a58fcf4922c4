"""H11: before the first workout with backward segments, the risks, once."""

from __future__ import annotations

from typing import Literal

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Static

from treadctl.tui.screens.dialog import Dialog
from treadctl.workout.risks import BEGINNER_PROFILE, RISKS

RiskAnswer = Literal["accept", "first-steps"] | None


def risk_blocks() -> list[tuple[str, str]]:
    """The risk statement as ``("p"|"-", text)`` blocks, with the TUI's stop keys."""
    blocks = [("p", RISKS.intro)]
    blocks += [("-", step.format(stop_keys="space or s")) for step in RISKS.steps]
    blocks.append(("p", RISKS.closing))
    return blocks


def risk_renderable() -> Group:
    """Paragraphs, and bullets with a hanging indent."""
    parts: list[RenderableType] = []
    bullets: Table | None = None
    for kind, body in risk_blocks():
        if kind == "-":
            if bullets is None:
                bullets = Table.grid(padding=(0, 1))
                bullets.add_column(no_wrap=True, width=3, justify="right")
                bullets.add_column(ratio=1)
                parts.append(bullets)
            bullets.add_row("•", body)
        else:
            bullets = None
            parts.append(Text(body))
    return Group(*parts)


class RisksScreen(Dialog[RiskAnswer]):
    """The risks of backward walking, and three ways on: accept, the beginner profile, or not.

    "Not now" has the focus, so a stray Enter never accepts. Accepting is remembered in
    the config file by the app.
    """

    def __init__(self, profile_title: str, *, is_beginner: bool = False) -> None:
        super().__init__()
        self.profile_title = profile_title
        self.is_beginner = is_beginner

    def compose(self) -> ComposeResult:
        with Vertical(id="risks-dialog", classes="dialog"):
            yield Static("[b]Before your first backward workout[/b]", classes="dialog--title")
            with VerticalScroll(id="risks-text"):
                yield Static(
                    f"[b]{escape(self.profile_title)}[/b] has backward segments.",
                    classes="dialog--text",
                )
                yield Static(risk_renderable(), classes="dialog--text")
                if not self.is_beginner:
                    yield Static(
                        "New to this? Start with [b]First steps backward[/b] "
                        f"([i]{BEGINNER_PROFILE}[/i]): 20-second bouts at a crawl.",
                        classes="dialog--text",
                    )
            with Horizontal(classes="dialog--buttons"):
                yield Button("Not now", id="cancel", variant="primary")
                if not self.is_beginner:
                    yield Button("Accept, do first-steps", id="first-steps", variant="success")
                yield Button("Accept, do this one", id="accept", variant="warning")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        match event.button.id:
            case "accept":
                self.dismiss("accept")
            case "first-steps":
                self.dismiss("first-steps")
            case _:
                self.dismiss(None)
