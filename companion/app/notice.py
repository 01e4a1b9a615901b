"""A window that only says why it stops: the companion is already open elsewhere.

In the browser (`companion serve`) every tab is its own process and nothing printed to the
terminal reaches the patient, so a second tab on the same data folder shows this instead
of a conversation that would answer into the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Static


class NoticeApp(App[int]):
    """The lines (one per language when the language is not known) and a button to close."""

    CSS = """
    #notice { padding: 1 2; height: auto; }
    #notice Static { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+q", "close", "Close", priority=True),
    ]

    def __init__(self, lines: Sequence[str], close_label: str) -> None:
        super().__init__()
        self.lines = list(lines)
        self.close_label = close_label

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            for line in self.lines:
                # Text, never markup: a folder name may hold square brackets.
                yield Static(Text(line[:1].upper() + line[1:]), classes="notice-line")
            yield Button(self.close_label, id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.exit(1)

    def action_close(self) -> None:
        self.exit(1)


def show_notice(lines: Sequence[str], close_label: str) -> int:
    """Shows ``lines`` until the person closes the window; the exit status is 1."""
    result = NoticeApp(lines, close_label).run()
    return result if isinstance(result, int) else 1
