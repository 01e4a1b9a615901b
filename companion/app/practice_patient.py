"""One patient's report for the professional, with the ways to act on it: homework, a note.

The report is the practice API's text for this patient (reading it is written to the audit
log there), shown as text, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button

from companion.app.page import Page
from companion.app.widgets import Plain, plain
from companion.texts.content import Localizer
from companion.texts.i18n import N_

PATIENT_HEADING = N_("Patient {pseudonym}")
KEY_HOMEWORK = N_("Homework")
KEY_NOTE = N_("Note to the patient")


class PatientScreen(Page):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "homework", "Homework"),
        Binding("n", "note", "Note"),
    ]

    class Wanted(Message):
        """The professional wants to act for this patient: ``what`` is homework or note."""

        def __init__(self, patient_id: str, pseudonym: str, what: str) -> None:
            super().__init__()
            self.patient_id = patient_id
            self.pseudonym = pseudonym
            self.what = what

    def __init__(self, texts: Localizer, patient_id: str, pseudonym: str, report: str) -> None:
        super().__init__(texts)
        self.patient_id = patient_id
        self.pseudonym = pseudonym
        self.report = report

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.ui(PATIENT_HEADING, pseudonym=self.pseudonym), classes="heading")
            with Horizontal(id="patient-actions"):
                yield Button(
                    plain(f"h. {self.texts.ui(KEY_HOMEWORK)}"), id="homework", compact=True
                )
                yield Button(plain(f"n. {self.texts.ui(KEY_NOTE)}"), id="note", compact=True)
                yield self.back_button()
            yield Plain(self.report, id="report")

    def action_homework(self) -> None:
        self.post_message(self.Wanted(self.patient_id, self.pseudonym, "homework"))

    def action_note(self) -> None:
        self.post_message(self.Wanted(self.patient_id, self.pseudonym, "note"))

    @on(Button.Pressed, "#homework")
    def _homework(self) -> None:
        self.action_homework()

    @on(Button.Pressed, "#note")
    def _note(self) -> None:
        self.action_note()
