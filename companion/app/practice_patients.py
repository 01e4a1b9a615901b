"""My patients: the professional's first screen in a practice (`companion serve` on PostgreSQL).

One row per patient the professional invited or was shared with, in the order the practice
API gives (open escalations first): pseudonym, day of the episode, last check-in,
adherence, support level, open escalations. Enter opens a patient; ``r`` asks again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from companion.app.widgets import Plain
from companion.reports.wording import disposition_text
from companion.texts.content import Localizer
from companion.texts.i18n import N_

MY_PATIENTS = N_("My patients")
NO_PATIENTS = N_("No patients yet. To invite one, type: companion practice invite")
HOW_TO_OPEN = N_("Enter opens a patient's report. r: refresh.")
COLUMN_PSEUDONYM = N_("Pseudonym")
COLUMN_DAY = N_("Day")
COLUMN_LAST_CHECKIN = N_("Last check-in")
COLUMN_ADHERENCE = N_("Adherence")
COLUMN_SUPPORT = N_("Support")
COLUMN_ESCALATIONS = N_("Open escalation")
NOT_YET = N_("not yet")
KEY_REFRESH = N_("Refresh")
SUPPORT_LEVELS = {
    "low": N_("low support"),
    "medium": N_("medium support"),
    "high": N_("high support"),
}
"""Short names of the stratified support levels (branch support13) for the table."""


class PatientRow(Protocol):
    """What the practice API tells about one patient (no name: a pseudonym); the fields of
    :class:`companion.practice.roster.PatientRow`."""

    @property
    def patient_id(self) -> str: ...
    @property
    def pseudonym(self) -> str: ...
    @property
    def day(self) -> int | None:
        """Day of the episode."""

    @property
    def last_checkin(self) -> datetime | None: ...
    @property
    def adherence_share(self) -> float | None:
        """The share of check-ins with the plan done or partly done (None: none asked)."""

    @property
    def support_level(self) -> str | None: ...
    @property
    def open_escalation(self) -> str | None:
        """The disposition of an urgent advice that still stands."""


def row_cells(texts: Localizer, row: PatientRow) -> list[Text]:
    """One row as the table shows it: text, never markup (a pseudonym is typed by people)."""
    missing = texts.ui(NOT_YET)
    share = row.adherence_share
    cells = [
        row.pseudonym,
        missing if row.day is None else str(row.day),
        missing if row.last_checkin is None else texts.format_date(row.last_checkin, "medium"),
        missing if share is None else f"{round(share * 100)}%",
        _support(texts, row.support_level),
        f"! {disposition_text(texts, row.open_escalation)}" if row.open_escalation else "-",
    ]
    return [Text(cell) for cell in cells]


def _support(texts: Localizer, level: str | None) -> str:
    if level is None:
        return "-"
    return texts.ui(SUPPORT_LEVELS[level]) if level in SUPPORT_LEVELS else level


class PatientsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "refresh_rows", "Refresh")]

    class Chosen(Message):
        """The professional opened a patient."""

        def __init__(self, patient_id: str, pseudonym: str) -> None:
            super().__init__()
            self.patient_id = patient_id
            self.pseudonym = pseudonym

    def __init__(self, texts: Localizer, patients: Callable[[], Sequence[PatientRow]]) -> None:
        super().__init__()
        self.texts = texts
        self.patients = patients
        """Asks the practice API; called at start and on refresh."""
        self.rows: list[PatientRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Plain(self.texts.ui(MY_PATIENTS), classes="heading")
            yield Plain(self.texts.ui(HOW_TO_OPEN))
            yield DataTable(id="patients", cursor_type="row", zebra_stripes=True)
            yield Plain("", id="no-patients")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#patients", DataTable)
        for column in (
            COLUMN_PSEUDONYM,
            COLUMN_DAY,
            COLUMN_LAST_CHECKIN,
            COLUMN_ADHERENCE,
            COLUMN_SUPPORT,
            COLUMN_ESCALATIONS,
        ):
            table.add_column(Text(self.texts.ui(column)))
        self.action_refresh_rows()
        table.focus()

    def action_refresh_rows(self) -> None:
        self.rows = list(self.patients())
        table = self.query_one("#patients", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*row_cells(self.texts, row), key=row.patient_id)
        empty = "" if self.rows else self.texts.ui(NO_PATIENTS)
        self.query_one("#no-patients", Plain).update(empty)

    @on(DataTable.RowSelected, "#patients")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        chosen = next((r for r in self.rows if r.patient_id == event.row_key.value), None)
        if chosen is not None:
            self.post_message(self.Chosen(chosen.patient_id, chosen.pseudonym))
