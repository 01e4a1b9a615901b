"""A practice's app in a browser tab: whose session is it, and which app it opens.

`companion serve` on a practice's database starts this for every tab with the tab's
session token in ``$COMPANION_SESSION``. The token, not anything the browser says, decides
who this is: the practice API resolves it to a patient (their own companion, on their own
rows of the database) or a professional (:class:`ProfessionalApp`: my patients, one
patient's report, homework, a note). The professional's screens call the practice API
through a :class:`Desk`; they decide nothing themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType

from companion.app.labels import KEY_QUIT
from companion.app.practice_homework import HomeworkScreen
from companion.app.practice_note import NoteScreen
from companion.app.practice_patient import PatientScreen
from companion.app.practice_patients import PatientRow, PatientsScreen
from companion.texts.content import Localizer
from companion.texts.i18n import N_

PRACTICE_TITLE = N_("Practice: my patients")


class Desk(Protocol):
    """What the professional's screens ask of the practice API, for one professional."""

    def patients(self) -> Sequence[PatientRow]: ...

    def report(self, patient_id: str) -> str:
        """The patient's report as text (the viewing is written to the audit log)."""

    def assign_homework(self, patient_id: str, plan_text: str) -> Sequence[str]:
        """Stores the plan file as the patient's homework; what is wrong with it, if any."""

    def send_note(self, patient_id: str, text: str) -> None: ...


class ProfessionalApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "companion"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, texts: Localizer, desk: Desk) -> None:
        super().__init__()
        self.texts = texts
        self.desk = desk

    def on_mount(self) -> None:
        self.title = self.texts.ui(PRACTICE_TITLE)
        self.push_screen(PatientsScreen(self.texts, self.desk.patients))

    def quit_label(self) -> str:
        return self.texts.ui(KEY_QUIT)

    @on(PatientsScreen.Chosen)
    def _patient_chosen(self, message: PatientsScreen.Chosen) -> None:
        report = self.desk.report(message.patient_id)
        self.push_screen(PatientScreen(self.texts, message.patient_id, message.pseudonym, report))

    @on(PatientScreen.Wanted)
    def _act_for_patient(self, message: PatientScreen.Wanted) -> None:
        patient_id = message.patient_id
        if message.what == "homework":

            def assign(plan_text: str) -> Sequence[str]:
                return self.desk.assign_homework(patient_id, plan_text)

            self.push_screen(HomeworkScreen(self.texts, message.pseudonym, assign))
        else:

            def send(text: str) -> None:
                self.desk.send_note(patient_id, text)

            self.push_screen(NoteScreen(self.texts, message.pseudonym, send))


SESSION_ENDED = N_(
    "This session has ended. Reload the page and enter a new code from your care provider."
)
"""Said when the tab's session token no longer holds (logged out elsewhere, expired)."""
