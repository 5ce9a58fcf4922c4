"""H11: before the first workout with backward segments, the risks, once."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
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


#: Rows around the dialog's parts: its border, and the footer under it.
_FRAME_ROWS = 2 + 1


class RisksScreen(Dialog[RiskAnswer]):
    """The risks of backward walking, and three ways on: accept, the beginner profile, or not.

    "Not now" has the focus, so a stray Enter never accepts. Accepting is remembered in
    the config file by the app (``config_path``, said here before and after). Each button
    has a key in the footer; escape is "Not now".
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Not now", key_display="esc", id="close_dialog"),
        Binding("a", "answer('accept')", "Accept", id="accept_risks"),
        Binding("f", "answer('first-steps')", "Accept, do first-steps", id="accept_beginner"),
        Binding("n", "answer('not-now')", "Not now", show=False, id="not_now"),
    ]

    def __init__(
        self, profile_title: str, *, is_beginner: bool = False, config_path: Path | None = None
    ) -> None:
        super().__init__()
        self.profile_title = profile_title
        self.is_beginner = is_beginner
        self.config_path = config_path
        self._text_rows = 0

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
            yield Static(self._remembered_markup(), id="risks-remembered")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Not now (n)", id="cancel", variant="primary")
                if not self.is_beginner:
                    yield Button("Accept, do first-steps (f)", id="first-steps", variant="success")
                yield Button("Accept, do this one (a)", id="accept", variant="warning")
        yield Footer()

    def _remembered_markup(self) -> str:
        where = escape(str(self.config_path)) if self.config_path else "the config file"
        return (
            f"[dim]Accepting is saved in {where} and not asked again. "
            "Not now: nothing starts.[/dim]"
        )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()
        self.call_after_refresh(self._fit_text)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_text)

    def _fit_text(self) -> None:
        """The text gets every row the screen has besides the dialog's other parts; it
        scrolls (in a gutter of its own) only beyond that."""
        text = self.query_one("#risks-text")
        others = sum(
            child.outer_size.height + child.styles.margin.height
            for child in self.query_one("#risks-dialog").children
            if child is not text
        )
        rows = max(3, self.size.height - _FRAME_ROWS - others)
        if rows != self._text_rows:
            self._text_rows = rows
            text.styles.max_height = rows

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer" and parameters == ("first-steps",):
            return not self.is_beginner
        return True

    def action_answer(self, answer: str) -> None:
        match answer:
            case "accept":
                self.dismiss("accept")
            case "first-steps":
                self.dismiss("first-steps")
            case _:
                self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or "not-now")
