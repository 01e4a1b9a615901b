"""A page over the chat (today, plan, sources, about): Escape, q or its Back button closes it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Button

from companion.app.labels import KEY_BACK
from companion.app.widgets import plain
from companion.texts.content import Localizer


class Page(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
    ]

    def __init__(self, texts: Localizer) -> None:
        super().__init__()
        self.texts = texts

    def action_back(self) -> None:
        self.dismiss(None)

    def back_button(self) -> Button:
        return Button(plain(self.texts.ui(KEY_BACK)), id="back", compact=True)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)
