"""The Textual app, driven by key presses through Textual's pilot (App.run_test)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static

from companion.app import CompanionApp
from companion.app.about import AboutScreen
from companion.app.chat import ChatScreen
from companion.app.escalation import EscalationScreen
from companion.app.language import LanguageScreen
from companion.app.plan_screen import PlanScreen
from companion.app.sources import SourcesScreen
from companion.app.today import TodayScreen
from companion.app.widgets import Bubble, ChoiceButton
from companion.clock import FixedClock
from companion.dialogue.engine import Outcome
from companion.journey.journey import CHECKIN, EDUCATION, PLAN_SETUP, TRIAGE
from companion.present import outcome_sections
from companion.resources import Library
from tests.patients import SELF_CARE_PATH, after_self_care_path, patient_answer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIZE = (80, 24)
Facts = Mapping[str, bool | int | str]

SELF_CARE: Facts = SELF_CARE_PATH
CALM_CHECKIN: Facts = {
    "quota_done": "partly",
    "pain_now": 3,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def make_app(
    library: Library, tmp_path: Path, clock: FixedClock | None = None, language: str | None = "nl"
) -> CompanionApp:
    return CompanionApp(
        library, tmp_path / "data", clock=clock or FixedClock(START), language=language
    )


@pytest.fixture(scope="session")
def self_care_template(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after the self-care path (triage, education, plan set-up) on START,
    answered in-process as the app stores it. Walking that path by key presses takes
    10-15 s; ``test_self_care_path_with_education_and_a_plan`` does it once in the app."""
    folder = tmp_path_factory.mktemp("self-care") / "data"
    region = library.content.localizer("nl").region
    return after_self_care_path(library, folder, START, "nl", region)


@pytest.fixture
def after_self_care(self_care_template: Path, tmp_path: Path) -> Path:
    """``tmp_path`` whose ``data`` folder is a fresh copy of ``self_care_template``."""
    shutil.copytree(self_care_template, tmp_path / "data")
    return tmp_path


def chat(app: CompanionApp) -> ChatScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, ChatScreen))
    return screen


def bubbles(app: CompanionApp) -> list[str]:
    return [str(b.render()) for b in chat(app).query(Bubble)]


async def answer(pilot: Pilot[int], app: CompanionApp, facts: Facts) -> None:
    """Answers the current question by keys, like the patient: facts by concept,
    otherwise "no" to a yes/no question and "I don't know" to the others."""
    question = chat(app).question
    assert question is not None
    reply = patient_answer(question, facts)
    if reply.typed is not None:
        assert isinstance(app.focused, Input)  # the focus is where the answer goes
        await pilot.press(*reply.typed, "enter")
        await pilot.pause()
        return
    values = [c.value for c in question.choices]
    assert isinstance(app.focused, Input)  # never a button: see test_enter_on_a_fresh_...
    if question.answer_type != "number":
        await pilot.press(str(values.index(str(reply.chosen)) + 1), "enter")  # the button's number
    else:
        await pilot.press("tab")  # from the input to the "I don't know" button
        await pilot.press(str(values.index(str(reply.chosen)) + 1))
    await pilot.pause()


async def talk(
    pilot: Pilot[int], app: CompanionApp, facts: Facts, stop_before: str | None = None
) -> None:
    """Answers until nothing is asked (or the flow ``stop_before`` begins)."""
    for _ in range(100):
        screen = chat(app)
        if screen.question is None or app.screen is not screen:
            return
        conversation = screen.conversation
        if stop_before and conversation is not None and conversation.flow_id == stop_before:
            return
        await answer(pilot, app, facts)
    raise AssertionError("the conversation did not end")


async def test_first_start_asks_language_and_region(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path, language=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LanguageScreen)
        app.screen.query_one("#lang-nl-BE", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.store.settings() == {"language": "nl", "region": "BE"}
        question = library.content.localizer("nl", "BE").text("triage.q.saddle_numbness")
        assert any(question in text for text in bubbles(app))
        assert isinstance(app.focused, Input)


async def test_emergency_path_shows_escalation_until_the_gp_is_contacted(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("1", "enter")  # saddle numbness: yes
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EscalationScreen)
        assert screen.has_class("emergency")
        texts = app.texts
        title = screen.query_one("#escalation-title", Static)
        assert str(title.render()) == texts.text("end.emergency.title")
        shown = " ".join(str(w.render()) for w in screen.query(Static))
        assert "112" in shown  # the region's numbers, from the outcome messages
        assert texts.ui("Why this advice") in shown
        # It must be acknowledged: the focus is on the button, Enter closes it.
        assert isinstance(app.focused, Button) and app.focused.id == "acknowledge"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        # The same why / not known / answers wording as the plain terminal (present.py).
        stored = app.store.sessions()[-1].outcome
        sections = outcome_sections(Outcome.model_validate(stored), texts)
        summaries = [str(b.render()) for b in chat(app).query(Bubble) if b.has_class("summary")]
        assert summaries == [
            "\n".join([s.heading, *(f"- {item}" for item in s.items)]) for s in sections
        ]
        # Nothing more is asked; the advice stays reachable from the main screen.
        assert chat(app).question is None
        assert app.screen.query_one("#answer", Input).disabled
        assert app.screen.query_one("#alert", Static).display
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, EscalationScreen)
        await pilot.press("tab", "enter")  # "I have contacted my doctor"
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        events = app.store.events("contacted_gp")
        assert len(events) == 1 and events[0].payload["disposition"] == "emergency"
        assert not app.screen.query_one("#alert", Static).display
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


@pytest.mark.slow
async def test_self_care_path_with_education_and_a_plan(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await talk(pilot, app, SELF_CARE, stop_before=EDUCATION)
        assert chat(app).conversation is not None
        assert chat(app).conversation.flow_id == EDUCATION  # type: ignore[union-attr]
        await talk(pilot, app, SELF_CARE, stop_before=PLAN_SETUP)
        # Education messages carry their content keys: each can show its source.
        keyed = [b for b in chat(app).query(Bubble) if b.key.startswith("edu.")]
        assert keyed
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        refs = " ".join(str(w.render()) for w in app.screen.query(".source-refs"))
        assert "Ketenzorgrichtlijn" in refs and "seed" not in refs, "names, no line numbers"
        await pilot.press("escape")
        await pilot.pause()
        await talk(pilot, app, SELF_CARE)
        assert chat(app).conversation is None
        plan = app.store.current_plan()
        assert plan is not None and plan.activities[0].kind == "walking"
        flows = [s.flow_id for s in app.store.sessions()]
        assert flows == [TRIAGE, EDUCATION, PLAN_SETUP]
        assert not app.store.events("contacted_gp")
        assert app.texts.ui("Thank you for your answers. Get well soon.") in bubbles(app)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.query_one("#plan-table", DataTable).row_count > 1


async def test_checkin_on_a_later_day_and_today_screen(
    library: Library, after_self_care: Path
) -> None:
    clock = FixedClock(START)
    clock.advance(days=1)
    app = make_app(library, after_self_care, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        conversation = chat(app).conversation
        assert conversation is not None and conversation.flow_id == CHECKIN
        await talk(pilot, app, CALM_CHECKIN)
        assert chat(app).conversation is None
        checkin = app.store.sessions()[-1]
        assert checkin.flow_id == CHECKIN and checkin.outcome is not None
        assert checkin.disposition == "self_care"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        quotas = app.journey.today().quotas  # type: ignore[union-attr]
        assert quotas
        await pilot.press("j")  # Ja
        await pilot.pause()
        reports = app.store.events("quota_report")
        assert [e.payload for e in reports] == [{"date": "2026-03-03", "value": "done"}]
        noted = str(app.screen.query_one("#today-noted", Static).render())
        assert app.texts.text("checkin.quota.done") in noted
        await pilot.press("escape")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        chart = str(app.screen.query_one("#quota-chart", Static).render())
        assert "█" in chart and app.texts.text("report.done.partly") in chart
        pain = str(app.screen.query_one("#pain-chart", Static).render())
        assert "3" in pain


async def test_today_shows_a_physiotherapists_two_activities(
    library: Library, after_self_care: Path
) -> None:
    """The homework reaches the patient: each activity with the day's amount, how often a
    day and the instruction, and the therapist who set the plan."""
    from companion.cli import main

    plan_file = Path(__file__).resolve().parent.parent / "examples" / "homework"
    data = str(after_self_care / "data")
    imported = ["--today", "2026-03-02", "plan", "import", "--yes", "--data-dir", data]
    assert main([*imported, str(plan_file / "rug-wandelen.nl.toml")]) == 0
    app = make_app(library, after_self_care)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "wandelen in de buurt: 10 minuten" in shown
        assert "Wandel in uw eigen tempo. Neem een vaste route." in shown
        assert "bekken kantelen: 5 keer, 3 keer per dag" in shown
        assert "Kantel uw bekken rustig heen en weer." in shown
        assert "Plan opgesteld door M. de Vries" in shown


@pytest.mark.parametrize(
    ("language", "key", "value"),
    [("nl", "j", "done"), ("nl", "d", "partly"), ("fr", "o", "done"), ("fr", "p", "partly")],
)
async def test_today_keys_are_the_languages_own(
    library: Library, after_self_care: Path, language: str, key: str, value: str
) -> None:
    """J(a) / D(eels) in Dutch, O(ui) / P(artiellement) in French: the stored answer is
    the same, and a Dutch D is "Deels", never "done"."""
    app = make_app(library, after_self_care, language=language)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert app.journey.today().quotas  # type: ignore[union-attr]
        ask = str(app.screen.query_one("#today-ask", Static).render())
        assert {"nl": "J, D of N", "fr": "O, P ou N"}[language] in ask
        await pilot.press(key)
        await pilot.pause()
        reports = app.store.events("quota_report")
        assert [e.payload["value"] for e in reports] == [value]
        noted = str(app.screen.query_one("#today-noted", Static).render())
        assert app.texts.text(f"checkin.quota.{value}") in noted


async def test_language_switch(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "enter")  # one answer in Dutch
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, LanguageScreen)
        app.screen.query_one("#lang-fr-BE", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.store.settings() == {"language": "fr", "region": "BE"}
        fr = library.content.localizer("fr", "BE")
        # The conversation goes on where it was, now in French.
        question = chat(app).question
        assert question is not None and question.id == "bladder_retention"
        assert question.text == fr.text("triage.q.bladder_retention")
        assert str(app.screen.query_one("#title", Static).render()) == fr.ui(
            "Your back pain companion"
        )
        assert [s.flow_id for s in app.store.sessions()] == [TRIAGE]


async def test_resume_after_restart(library: Library, tmp_path: Path) -> None:
    clock = FixedClock(START)
    app = make_app(library, tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        asked = chat(app).question
        assert asked is not None
    clock.advance(hours=1)
    again = make_app(library, tmp_path, clock, language=None)  # language from the settings
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ChatScreen)
        assert again.texts.text("journey.resumed") in bubbles(again)
        question = chat(again).question
        assert question is not None and question.id == asked.id


async def test_typed_answers_and_about(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"nee", "enter")  # typing moves into the input; words are understood
        await pilot.pause()
        question = chat(app).question
        assert question is not None and question.id == "bladder_retention"
        assert "nee" in bubbles(app)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, AboutScreen)
        about = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "KCE" in about and "Zorginstituut" in about
        assert str(library.content.version) in about


async def test_no_save_keeps_nothing(library: Library, tmp_path: Path) -> None:
    app = CompanionApp(library, None, clock=FixedClock(START), language="nl", no_save=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        folder = app.store.data_dir
        await pilot.press("2", "enter")
        await pilot.pause()
    assert not folder.exists()


# --- keys the patient did not aim at a choice never answer ---------------------------------


def type_fast(app: CompanionApp, text: str) -> None:
    """Keys that arrive in one burst, as when typing fast: all are queued before the
    app has handled the first (pilot.press waits after each key)."""
    for character in text:
        key = "space" if character == " " else "enter" if character == "\n" else character
        app.post_message(events.Key(key, "\r" if key == "enter" else character))


def answer_line(app: CompanionApp) -> str:
    return chat(app).query_one("#answer", Input).value


async def focus_first_button(pilot: Pilot[int], app: CompanionApp) -> ChoiceButton:
    button = chat(app).query(ChoiceButton).first()
    button.focus()
    await pilot.pause()
    assert app.focused is button and button.value == "yes"
    return button


async def test_a_question_starts_with_the_focus_in_the_input(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert chat(app).query(ChoiceButton)  # the buttons are there, unfocused
        assert app.focused is chat(app).query_one("#answer", Input)
        await pilot.press("n", "e", "e", "space", "h", "o", "o", "r")
        assert answer_line(app) == "nee hoor"


async def test_enter_on_a_fresh_red_flag_question_answers_nothing(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen), "no escalation from an unaimed Enter"
        question = chat(app).question
        assert question is not None and question.id == "saddle_numbness"
        assert not chat(app).query(".patient"), "nothing was answered"
        await pilot.press(*"nee", "enter")
        await pilot.pause()
        question = chat(app).question
        assert question is not None and question.id == "bladder_retention"


async def test_a_button_the_patient_moved_to_is_pressed_by_enter(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab")  # from the input to the last button, "Weet ik niet"
        assert isinstance(app.focused, ChoiceButton)
        await pilot.press("left")  # "Nee"
        assert isinstance(app.focused, ChoiceButton) and app.focused.value == "no"
        await pilot.press("enter")
        await pilot.pause()
        question = chat(app).question
        assert question is not None and question.id == "bladder_retention"


async def test_typing_on_a_focused_button_keeps_every_key(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await focus_first_button(pilot, app)
        await pilot.press("n", "e", "e", "space", "h", "o", "o", "r")
        assert answer_line(app) == "nee hoor"


async def test_typing_fast_on_a_focused_button_keeps_every_key(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await focus_first_button(pilot, app)
        type_fast(app, "nee hoor 2x")
        await pilot.pause()
        assert answer_line(app) == "nee hoor 2x", "no key lost, no digit taken as a button"
        assert isinstance(app.focused, Input)


async def test_enter_after_fast_typing_sends_the_text_not_the_button(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await focus_first_button(pilot, app)  # "1. Ja"
        # The moment of a fast "nee" + Enter when the letters are in the input and
        # the focus has not left the button yet.
        chat(app).query_one("#answer", Input).value = "nee"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen), "the focused 'Ja' was not pressed"
        assert "nee" in bubbles(app) and "Ja" not in bubbles(app)
        question = chat(app).question
        assert question is not None and question.id == "bladder_retention"


@pytest.mark.parametrize("on_button", [True, False], ids=["button", "input"])
async def test_a_paste_arrives_whole_in_the_input(
    library: Library, tmp_path: Path, on_button: bool
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if on_button:
            await focus_first_button(pilot, app)
        app.post_message(events.Paste("nee hoor,\nmaar het tintelt"))
        await pilot.pause()
        assert answer_line(app) == "nee hoor, maar het tintelt"
        assert isinstance(app.focused, Input)


# --- snapshots of the main screens at 80x24 (pytest-textual-snapshot) -----------------------
# Regenerate after a deliberate change of the look: pytest tests/test_app.py --snapshot-update


def _snapshot_app(library: Library, tmp_path: Path, language: str | None = "nl") -> CompanionApp:
    return make_app(library, tmp_path, FixedClock(START), language)


def test_snapshot_language(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(library, tmp_path, None), terminal_size=SIZE)


def test_snapshot_chat(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(library, tmp_path), terminal_size=SIZE, press=["2", "enter"])


def test_snapshot_escalation(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(library, tmp_path), terminal_size=SIZE, press=["1", "enter"])


def test_snapshot_escalation_fr(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = _snapshot_app(library, tmp_path, "fr")
    # No to five emergency questions, "I don't know" to the sixth; then the triage
    # completes the same-day stage and collects age, sex, duration and the leg signs
    # (the cluster questions no longer matter).
    no_to_five_then_unsure = [*["2", "enter"] * 5, "3", "enter"]
    same_day_no = ["2", "enter"] * 6
    age_sex_duration = ["4", "0", "enter", "1", "enter", "3", "enter"]
    legs_no = ["2", "enter"] * 4
    press = [*no_to_five_then_unsure, *same_day_no, *age_sex_duration, *legs_no]
    assert snap_compare(app, terminal_size=SIZE, press=press)


def test_snapshot_today(snap_compare, library: Library, after_self_care: Path) -> None:  # type: ignore[no-untyped-def]
    app = _snapshot_app(library, after_self_care)
    assert snap_compare(app, terminal_size=SIZE, press=["f2"])


def test_snapshot_plan(snap_compare, library: Library, after_self_care: Path) -> None:  # type: ignore[no-untyped-def]
    app = _snapshot_app(library, after_self_care)
    assert snap_compare(app, terminal_size=SIZE, press=["f3"])


def test_snapshot_sources(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(library, tmp_path), terminal_size=SIZE, press=["f4"])


def test_snapshot_about(snap_compare, library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(library, tmp_path), terminal_size=SIZE, press=["f7"])
