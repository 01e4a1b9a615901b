"""Assign or replace a patient's homework: paste the plan file (TOML) and assign it.

The practice API checks the file as ``companion plan check`` does and stores it as the
patient's plan; what is wrong comes back line by line and is shown as text. In the browser
a file cannot be picked, so the file's text is pasted (Ctrl+V or the browser's paste).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, TextArea

from companion.app.page import Page
from companion.app.practice_plan_form import PlanFormScreen
from companion.app.widgets import Plain, plain
from companion.texts.content import Localizer
from companion.texts.i18n import N_

HOMEWORK_HEADING = N_("Homework for {pseudonym}")
HOMEWORK_HOW = N_(
    "Paste the plan file (TOML) below, or fill in the form for one activity. Then press "
    "Assign. This replaces the patient's current homework."
)
KEY_FORM = N_("Form")
KEY_ASSIGN = N_("Assign")
HOMEWORK_EMPTY = N_("Paste the plan file first.")
HOMEWORK_ASSIGNED = N_("Homework assigned. The patient sees it on their Today screen.")
HOMEWORK_REFUSED = N_("The plan file cannot be used:")

Assign = Callable[[str], Sequence[str]]
"""Gives the file's text to the practice API; what is wrong with it (empty: assigned)."""


class HomeworkScreen(Page):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "assign", "Assign", priority=True),
    ]

    def __init__(self, texts: Localizer, pseudonym: str, assign: Assign, today: date) -> None:
        super().__init__(texts)
        self.pseudonym = pseudonym
        self.assign = assign
        self.today = today
        """The start of a plan made with the form."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(
                self.texts.ui(HOMEWORK_HEADING, pseudonym=self.pseudonym), classes="heading"
            )
            yield Plain(self.texts.ui(HOMEWORK_HOW))
            yield TextArea(id="plan-text", language=None, soft_wrap=False, show_line_numbers=True)
            with Horizontal(id="homework-actions"):
                yield Button(plain(self.texts.ui(KEY_ASSIGN)), id="assign", compact=True)
                yield Button(plain(self.texts.ui(KEY_FORM)), id="form", compact=True)
                yield self.back_button()
            yield Plain("", id="homework-result")

    def on_mount(self) -> None:
        self.query_one("#plan-text", TextArea).focus()

    def action_assign(self) -> None:
        text = self.query_one("#plan-text", TextArea).text
        result = self.query_one("#homework-result", Plain)
        if not text.strip():
            result.update(self.texts.ui(HOMEWORK_EMPTY))
            return
        problems = self.assign(text)
        if problems:
            result.update("\n".join([self.texts.ui(HOMEWORK_REFUSED), *problems]))
        else:
            result.update(self.texts.ui(HOMEWORK_ASSIGNED))

    @on(Button.Pressed, "#assign")
    def _assign(self) -> None:
        self.action_assign()

    @on(Button.Pressed, "#form")
    def _form(self) -> None:
        def filled_in(text: str | None) -> None:
            if text is not None:
                area = self.query_one("#plan-text", TextArea)
                area.text = text
                area.focus()

        self.app.push_screen(PlanFormScreen(self.texts, self.today), filled_in)
