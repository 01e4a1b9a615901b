"""A note from the professional to one patient; the patient reads it on their Today screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, TextArea

from companion.app.page import Page
from companion.app.widgets import Plain, plain
from companion.texts.content import Localizer
from companion.texts.i18n import N_

NOTE_HEADING = N_("A note to {pseudonym}")
NOTE_HOW = N_(
    "Write a short note in the patient's language. They read it on their Today screen. "
    "This is no place for urgent matters: the patient may read it days later."
)
KEY_SEND = N_("Send")
NOTE_EMPTY = N_("Write the note first.")
NOTE_SENT = N_("Note sent.")
NOTE_TOO_LONG = N_("The note is too long: at most {count} characters.")
MAX_NOTE_CHARACTERS = 2000
"""A note, not a letter: what fits on the Today screen without endless scrolling."""


class NoteScreen(Page):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "send", "Send", priority=True),
    ]

    def __init__(self, texts: Localizer, pseudonym: str, send: Callable[[str], str | None]) -> None:
        super().__init__(texts)
        self.pseudonym = pseudonym
        self.send = send
        """Gives the note to the practice API; why it was not sent, if so."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.ui(NOTE_HEADING, pseudonym=self.pseudonym), classes="heading")
            yield Plain(self.texts.ui(NOTE_HOW))
            yield TextArea(id="note-text", language=None, soft_wrap=True)
            with Horizontal(id="note-actions"):
                yield Button(plain(self.texts.ui(KEY_SEND)), id="send", compact=True)
                yield self.back_button()
            yield Plain("", id="note-result")

    def on_mount(self) -> None:
        self.query_one("#note-text", TextArea).focus()

    def action_send(self) -> None:
        area = self.query_one("#note-text", TextArea)
        result = self.query_one("#note-result", Plain)
        text = area.text.strip()
        if not text:
            result.update(self.texts.ui(NOTE_EMPTY))
        elif len(text) > MAX_NOTE_CHARACTERS:
            result.update(self.texts.ui(NOTE_TOO_LONG, count=MAX_NOTE_CHARACTERS))
        else:
            problem = self.send(text)
            if problem is None:
                area.clear()
            result.update(problem or self.texts.ui(NOTE_SENT))

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        self.action_send()
