"""The professional's app (a practice in the browser), driven by keys through Textual's pilot.

The practice API is a stand-in here (`Desk`); the screens only show what it gives and pass
the professional's homework and notes on. The same app on a real database in a real
browser is tests/test_practice_browser.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from companion.app.practice_app import DatabaseDesk, ProfessionalApp, practice_app_for
from companion.app.practice_homework import HomeworkScreen
from companion.app.practice_note import MAX_NOTE_CHARACTERS, NoteScreen
from companion.app.practice_patient import PatientScreen
from companion.app.practice_patients import PatientsScreen
from companion.app.widgets import Plain
from companion.clock import FixedClock
from companion.resources import Library

SIZE = (110, 36)
PLAN = 'version = 1\ncreated_by = "physiotherapist"\n'
HOMEWORK = Path(__file__).resolve().parents[1] / "examples" / "homework" / "rug-wandelen.nl.toml"


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
            Row("p2", "Reiger-12", 9, datetime(2026, 3, 10, 9), 0.5, "medium", "gp_today"),
            Row("p1", "[b]Merel[/b]-7", 3, None, None, None, None),
        ]
    )
    reports_read: list[str] = field(default_factory=list)
    assigned: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def patients(self) -> list[Row]:
        return list(self.rows)

    def today(self) -> date:
        return date(2026, 3, 3)

    def report(self, patient_id: str) -> str:
        self.reports_read.append(patient_id)
        return f"Rapport van {patient_id}\n[red]geen opmaak[/red]"

    def assign_homework(self, patient_id: str, plan_text: str) -> list[str]:
        if "version" not in plan_text:
            return ["regel 1: de versie ontbreekt"]
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
    app = ProfessionalApp(library.content, lambda texts: desk, "nl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PatientsScreen)
        table = app.screen.query_one("#patients", DataTable)
        assert table.row_count == 2
        first = [str(cell) for cell in table.get_row_at(0)]
        second = [str(cell) for cell in table.get_row_at(1)]
        assert first[0] == "Reiger-12" and first[3] == "50%" and first[4] == "middel"
        assert first[5].startswith("! Neem vandaag nog contact op")  # the advice, in Dutch
        assert second[0] == "[b]Merel[/b]-7"  # a pseudonym is text, never markup
        assert second[2] == "nog niet"  # no check-in yet, in Dutch
        desk.rows.append(Row("p3", "Vink-3"))
        await pilot.press("r")
        assert table.row_count == 3


async def test_opening_a_patient_shows_the_report_as_text(library: Library) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content, lambda texts: desk, "fr")
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
    app = ProfessionalApp(library.content, lambda texts: desk, "nl")
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
        assert "de versie ontbreekt" in refused and desk.assigned == []
        area.text = PLAN
        await pilot.press("ctrl+s")
        assert desk.assigned == [("p2", PLAN)]
        assert "Today" not in rendered(app, "#homework-result")  # said in Dutch


async def test_the_form_fills_in_a_plan_file_to_assign(library: Library) -> None:
    from textual.widgets import Input

    from companion.app.practice_plan_form import PlanFormScreen

    desk = Desk()
    app = ProfessionalApp(library.content, lambda texts: desk, "nl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "h")
        await pilot.pause()
        await pilot.click("#form")
        await pilot.pause()
        assert isinstance(app.screen, PlanFormScreen)
        app.screen.query_one("#form-goal", Input).value = "45"
        await pilot.click("#fill-in")
        await pilot.pause()
        assert isinstance(app.screen, HomeworkScreen)
        text = app.screen.query_one("#plan-text", TextArea).text
        assert 'kind = "walking"' in text and "goal = 45" in text and "start = 2026-03-03" in text
        await pilot.press("ctrl+s")
        assert desk.assigned == [("p2", text)]


def test_the_forms_plan_file_passes_the_plan_check() -> None:
    """What the form writes is a plan `companion plan check` accepts, as the API checks it."""
    from companion.app.practice_plan_form import DEFAULTS, plan_text
    from companion.practice.homework import check_plan_text

    today = date(2026, 3, 3)
    plan, problems = check_plan_text(plan_text(today, "cycling", "minutes", DEFAULTS), today)
    assert problems == [] and plan is not None
    (activity,) = plan.activities
    assert (activity.kind, activity.baseline, activity.goal) == ("cycling", 10, 30)
    assert plan.created_by == "physiotherapist" and plan.start == today
    _, refused = check_plan_text(
        plan_text(today, "walking", "minutes", {**DEFAULTS, "goal": "-"}), today
    )
    assert refused, "a goal that is no number must not pass"


async def test_a_note_goes_to_the_chosen_patient(library: Library) -> None:
    desk = Desk()
    app = ProfessionalApp(library.content, lambda texts: desk, "nl")
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


async def test_a_database_gone_away_closes_the_app_without_a_traceback(
    library: Library,
) -> None:
    from companion.store.errors import StorageError

    class GoneAway(Desk):
        def report(self, patient_id: str) -> str:
            raise StorageError("the companion's database cannot be reached right now.")

    app = ProfessionalApp(library.content, lambda texts: GoneAway(), "nl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Open the first patient without the pilot's press, which would wait for the
        # screen of an app that has closed.
        app.screen.post_message(PatientsScreen.Chosen("p2", "Reiger-12"))
        for _ in range(1000):
            if app.return_value is not None or not app.is_running:
                break
            await asyncio.sleep(0.01)
    assert app.return_value == 1  # closed by the app, not by a crash with a traceback


# --- on a real practice database (tests/postgres.py; skipped without PostgreSQL) -----------


@dataclass(frozen=True)
class Practice:
    url: str
    professional_id: str
    professional_token: str
    patient_token: str
    patient_id: str
    pseudonym: str


@pytest.fixture
def practice(pg_url: str) -> Practice:
    """One physiotherapist and one invited patient, each signed in with their code."""
    from companion.practice import access, accounts

    professional, login_code = accounts.add_professional(pg_url, "Fysio Anke")
    invitation = accounts.invite(pg_url, professional)
    patient, patient_token = access.redeem(pg_url, invitation.code, "test-patient")
    _, professional_token = access.redeem(pg_url, login_code, "test-professional")
    return Practice(
        pg_url, professional.id, professional_token, patient_token, patient.id, patient.pseudonym
    )


def test_the_session_decides_whose_app_opens(practice: Practice, library: Library) -> None:
    from companion.app.app import CompanionApp
    from companion.practice import access
    from companion.store.postgres import PostgresStore

    clock = FixedClock(date(2026, 3, 2))
    opened = practice_app_for(library, practice.url, practice.patient_token, clock, "nl", None)
    assert isinstance(opened, CompanionApp)
    assert isinstance(opened.store, PostgresStore)
    assert opened.store.patient_id == practice.patient_id
    opened.store.close()
    professional = practice_app_for(
        library, practice.url, practice.professional_token, clock, "nl", None
    )
    assert isinstance(professional, ProfessionalApp)
    for token in ("", "not-a-session", practice.patient_token + "x"):
        assert practice_app_for(library, practice.url, token, clock, "nl", None) is None
    access.revoke(practice.url, practice.patient_token)
    assert (
        practice_app_for(library, practice.url, practice.patient_token, clock, "nl", None) is None
    )


async def test_the_patient_reads_the_professionals_note_on_today(
    practice: Practice, library: Library
) -> None:
    from companion.app.today import TodayScreen
    from companion.practice import notes

    clock = FixedClock(date(2026, 3, 2))
    professional = practice_app_for(
        library, practice.url, practice.professional_token, clock, "nl", None
    )
    assert isinstance(professional, ProfessionalApp)
    assert professional.desk.send_note(practice.patient_id, "Wandel [b]elke[/b] dag.") is None
    assert notes.for_patient(practice.url, practice.patient_id)[0].text.startswith("Wandel")
    app = practice_app_for(library, practice.url, practice.patient_token, clock, "nl", None)
    assert app is not None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        shown = str(app.screen.query_one("#today-notes", Plain).render())
        assert shown.startswith("Fysio Anke op 2 maart 2026:")  # who wrote it, and when
        assert shown.endswith("\nWandel [b]elke[/b] dag.")  # text, never markup


def test_the_professionals_desk_on_the_database(practice: Practice, library: Library) -> None:
    from companion.store.postgres import PostgresStore

    clock = FixedClock(date(2026, 3, 2))
    desk = DatabaseDesk(
        practice.url, practice.professional_id, library, library.content.localizer("nl"), clock
    )
    assert [row.pseudonym for row in desk.patients()] == [practice.pseudonym]
    assert desk.report(practice.patient_id).strip()
    problems = desk.assign_homework(practice.patient_id, "version = 1\n")
    assert problems and all(isinstance(p, str) for p in problems)
    assert desk.assign_homework(practice.patient_id, HOMEWORK.read_text(encoding="utf-8")) == []
    with PostgresStore.open(practice.url, practice.patient_id, clock) as store:
        plan = store.current_plan()
        assert plan is not None and plan.created_by == "physiotherapist"
    refused = desk.send_note(practice.patient_id, "kleur \x1b[31m rood")
    assert refused is not None and "tekens" in refused  # said in Dutch


def test_a_second_tab_of_the_same_patient_says_it_is_open_elsewhere(
    practice: Practice, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One conversation per patient, as on their own machine: a second tab's app says so
    (in every language) instead of answering into the first one's conversation."""
    import companion.app.notice
    from companion.app import practice_app
    from companion.store import hold_conversation

    shown: list[list[str]] = []

    def show_notice(lines: list[str], close: str) -> int:
        shown.append(list(lines))
        return 1

    monkeypatch.setattr(practice_app, "_end_with_the_server", lambda: None)
    monkeypatch.setattr(companion.app.notice, "show_notice", show_notice)
    clock = FixedClock(date(2026, 3, 2))
    with hold_conversation(url=practice.url, patient=practice.patient_id):
        status = practice_app.run_practice_app(
            library, practice.url, practice.patient_token, clock, "nl", None
        )
    assert status == 1 and len(shown) == 1
    assert len(shown[0]) == len(library.content.languages)  # one line per language
    assert any("ander venster" in line for line in shown[0])  # "open in another window"
    status = practice_app.run_practice_app(library, practice.url, "ended", clock, "nl", None)
    assert status == 1 and "afgelopen" in " ".join(shown[1])  # the session has ended
