"""The professional's app (a practice in the browser), driven by keys through Textual's pilot.

The practice API is a stand-in here (`Desk`); the screens only show what it gives and pass
the professional's homework and notes on. The same app on a real database in a real
browser is tests/test_practice_browser.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from textual.widgets import DataTable, TextArea

from companion.app.practice_app import ProfessionalApp
from companion.app.practice_homework import HomeworkScreen
from companion.app.practice_note import MAX_NOTE_CHARACTERS, NoteScreen
from companion.app.practice_patient import PatientScreen
from companion.app.practice_patients import PatientsScreen
from companion.app.widgets import Plain
from companion.resources import Library

SIZE = (110, 36)
PLAN = '[plan]\ntitle = "Wandelen"\n'


@dataclass(frozen=True)
class Row:
    patient_id: str
    pseudonym: str
    day: int | None = None
    last_checkin: datetime | None = None
    adherence_share: float | None = None
    support_level: str | None = None
    open_escalation: str | None = None


@dataclass
class Desk:
    rows: list[Row] = field(
        default_factory=lambda: [
            Row("p2", "Reiger-12", 9, datetime(2026, 3, 10, 9), 0.5, None, "gp_today"),
            Row("p1", "[b]Merel[/b]-7", 3, None, None, None, None),
        ]
    )
    reports_read: list[str] = field(default_factory=list)
    assigned: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def patients(self) -> list[Row]:
        return list(self.rows)

    def report(self, patient_id: str) -> str:
        self.reports_read.append(patient_id)
        return f"Rapport van {patient_id}\n[red]geen opmaak[/red]"

    def assign_homework(self, patient_id: str, plan_text: str) -> list[str]:
        if "title" not in plan_text:
            return ["regel 1: de titel ontbreekt"]
        self.assigned.append((patient_id, plan_text))
        return []

    def send_note(self, patient_id: str, text: str) -> str | None:
        if "\x1b" in text:
            return "niet toegestaan"
        self.notes.append((patient_id, text))
        return None


def rendered(app: ProfessionalApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Plain).render())


async def test_my_patients_in_the_practice_apis_order_as_text(library: Library) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content.localizer("nl"), desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PatientsScreen)
        table = app.screen.query_one("#patients", DataTable)
        assert table.row_count == 2
        first = [str(cell) for cell in table.get_row_at(0)]
        second = [str(cell) for cell in table.get_row_at(1)]
        assert first[0] == "Reiger-12" and first[3] == "50%"
        assert first[5].startswith("! Neem vandaag nog contact op")  # the advice, in Dutch
        assert second[0] == "[b]Merel[/b]-7"  # a pseudonym is text, never markup
        assert second[2] == "nog niet"  # no check-in yet, in Dutch
        desk.rows.append(Row("p3", "Vink-3"))
        await pilot.press("r")
        assert table.row_count == 3


async def test_opening_a_patient_shows_the_report_as_text(library: Library) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content.localizer("fr"), desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the first row: the patient with an open escalation
        await pilot.pause()
        assert isinstance(app.screen, PatientScreen)
        assert desk.reports_read == ["p2"]
        assert "[red]geen opmaak[/red]" in rendered(app, "#report")
        assert "Reiger-12" in rendered(app, ".heading")
        await pilot.press("escape")
        assert isinstance(app.screen, PatientsScreen)


async def test_homework_is_pasted_and_assigned_through_the_practice_api(
    library: Library,
) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content.localizer("nl"), desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "h")
        await pilot.pause()
        assert isinstance(app.screen, HomeworkScreen)
        await pilot.press("ctrl+s")
        assert "eerst" in rendered(app, "#homework-result")  # nothing pasted yet
        area = app.screen.query_one("#plan-text", TextArea)
        area.text = "[plan]\n"
        await pilot.press("ctrl+s")
        refused = rendered(app, "#homework-result")
        assert "de titel ontbreekt" in refused and desk.assigned == []
        area.text = PLAN
        await pilot.press("ctrl+s")
        assert desk.assigned == [("p2", PLAN)]
        assert "Today" not in rendered(app, "#homework-result")  # said in Dutch


async def test_a_note_goes_to_the_chosen_patient(library: Library) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content.localizer("nl"), desk)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        area = app.screen.query_one("#note-text", TextArea)
        area.text = "x" * (MAX_NOTE_CHARACTERS + 1)
        await pilot.press("ctrl+s")
        assert desk.notes == []
        area.text = "kleur\x1b[31m"
        await pilot.press("ctrl+s")
        assert desk.notes == [] and rendered(app, "#note-result") == "niet toegestaan"
        assert area.text  # kept, to be corrected
        area.text = "Goed bezig, wandel morgen iets langer."
        await pilot.press("ctrl+s")
        assert desk.notes == [("p1", "Goed bezig, wandel morgen iets langer.")]
        assert area.text == ""
