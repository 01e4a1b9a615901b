"""Function and painkillers (issue 13 item 5): daily activities named at plan set-up and rated
0-10, their ratings again at the weekly check-in, the painkillers of the last week, and where
they show (report, export, FHIR, the Plan screen).

Brief section 4: function, not pain, is the measure (002:1644-1650); outcomes patients report
(004:707-713, 004:3432-3437).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from companion.care.plan_setup import named_activities, plan_from_answers
from companion.cli import main
from companion.clock import FixedClock
from companion.commands.simulate import Vignette, run_vignette
from companion.commands.timeline import FactValue
from companion.dialogue.engine import Session, Turn
from companion.journey.journey import CHECKIN, PLAN_SETUP, Journey
from companion.reports.data import collect, function_trends, medicine_weeks
from companion.reports.fhir import fhir_bundle
from companion.reports.report import open_texts, render_html, render_markdown
from companion.resources import Library
from companion.store.storage import Store
from tests.patients import SELF_CARE_PATH, concepts_in, talk
from tests.test_checkin_burden import FULL_SCREEN_LIMIT, ORDINARY_LIMIT, WELL, counted

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PUBLIC_TIMELINES = Path(__file__).resolve().parents[2] / "shared" / "vignettes" / "timelines"
OWN_TIMELINES = Path(__file__).resolve().parent / "timelines"
FUNCTION = set(concepts_in("function"))
SCORES = ("function_score_1", "function_score_2", "function_score_3")


# --- plan set-up: the patient's words and ratings ------------------------------------------------


def setup_session(library: Library, language: str) -> tuple[Session, Turn]:
    session = library.session(PLAN_SETUP, language, "BE")
    return session, session.start()


def type_answers(session: Session, turn: Turn, typed: list[str]) -> Turn:
    for text in typed:
        assert turn.question is not None
        turn = session.answer(text)
        assert turn.problem is None, (text, turn.problem)
    return turn


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        (
            "nl",
            ["sokken aantrekken", "zeven", "boodschappen dragen", "3/10", "fietsen", "0"],
            [("sokken aantrekken", 7), ("boodschappen dragen", 3), ("fietsen", 0)],
        ),
        (
            "fr",
            ["mettre mes chaussettes", "sept", "porter les courses", "7/10", "rien"],
            [("mettre mes chaussettes", 7), ("porter les courses", 7)],
        ),
    ],
)
def test_set_up_asks_up_to_three_activities_and_their_ratings(
    library: Library, language: str, typed: list[str], expected: list[tuple[str, int]]
) -> None:
    session, turn = setup_session(library, language)
    assert turn.question is not None and turn.question.id == "function_activity_1"
    turn = type_answers(session, turn, typed)
    # After three activities, or "nothing (more)", the plan questions follow.
    assert turn.question is not None and turn.question.id == "plan_activity"
    named = named_activities(session.answers)
    assert [(a.name, a.score) for a in named] == expected


def test_the_rating_question_shows_the_activity_and_reads_scores(library: Library) -> None:
    session, turn = setup_session(library, "nl")
    turn = session.answer("in de auto stappen")
    assert turn.question is not None and turn.question.id == "function_score_1"
    assert turn.question.text.endswith("\n- in de auto stappen")
    assert session.answer("11").problem is not None  # outside 0-10: asked again
    assert session.answer("12/10").problem is not None
    turn = session.answer("4 / 10")
    assert turn.accepted is not None and turn.accepted.value == 4


@pytest.mark.parametrize("ending", ["", "   ", "niets", "Verder niets", "nee", "weet ik niet"])
def test_an_empty_or_none_answer_ends_the_list(library: Library, ending: str) -> None:
    session, turn = setup_session(library, "nl")
    turn = type_answers(session, turn, ["stofzuigen", "5"])
    assert turn.question is not None and turn.question.id == "function_activity_2"
    turn = session.answer(ending)
    assert turn.question is not None and turn.question.id == "plan_activity"
    assert [a.name for a in named_activities(session.answers)] == ["stofzuigen"]


def test_the_none_button_ends_the_list_without_an_unknown_for_the_gp(library: Library) -> None:
    session, turn = setup_session(library, "fr")
    assert turn.question is not None
    assert [c.label for c in turn.question.choices] == ["Rien"]
    turn = session.choose(turn.question.choices[0].value)
    assert turn.question is not None and turn.question.id == "plan_activity"
    assert turn.accepted is not None and turn.accepted.shown == "Rien"
    outcome = talk(session, {"plan_activity": "walking", "plan_goal_minutes": 20}).outcome
    assert outcome is not None and "function_activity_1" not in outcome.unknown


def test_a_long_or_strange_name_is_refused_or_cleaned(library: Library) -> None:
    session, turn = setup_session(library, "nl")
    turn = session.answer("a" * 61)
    assert turn.problem is not None and "60" in turn.problem
    assert turn.question is not None and turn.question.id == "function_activity_1"
    turn = session.answer("tuin\x1b[31m  werk\u200b\n")
    assert turn.accepted is not None and turn.accepted.value == "tuin[31m werk"


def test_markup_in_a_name_stays_text_in_the_question(library: Library) -> None:
    session, turn = setup_session(library, "nl")
    turn = session.answer("[bold red]traplopen[/] <b>x</b>")
    assert turn.question is not None
    assert "[bold red]traplopen[/] <b>x</b>" in turn.question.text


def test_replaying_a_stored_name_gives_the_same_answers(library: Library) -> None:
    session, turn = setup_session(library, "nl")
    type_answers(session, turn, ["[i]bukken[/i]", "2", ""])
    replayed, turn = setup_session(library, "nl")
    for question, value in list(session.answers.items()):
        assert turn.question is not None and turn.question.id == question
        turn = replayed.give(value)
    assert replayed.answers == session.answers


# --- a person with named activities, checked in daily ---------------------------------------------

SETUP: Mapping[str, FactValue] = {
    **SELF_CARE_PATH,
    "function_activity_1": "sokken aantrekken",
    "function_score_1": 3,
    "function_activity_2": "[red]tillen[/red] <script>",
    "function_score_2": 2,
}


@dataclass
class Person:
    store: Store
    library: Library
    clock: FixedClock
    checkins: list[list[str]]
    """The questions each check-in asked, by concept."""
    due: list[bool]


def person(tmp_path: Path, library: Library, language: str, days: int, setup: Any) -> Person:
    """Triage, education and plan set-up on day 2 of the pain, then a check-in every day; the
    ratings rise by one a week, painkillers ibuprofen on 3 days, then none."""
    clock = FixedClock(START)
    store = Store.open(tmp_path / "data", clock=clock)
    store.set_setting("language", language)
    store.set_setting("region", "BE")
    journey = Journey(library, store, clock, language, "BE", plan_from_answers)
    while (conversation := journey.next()) is not None:
        talk(conversation, setup)
    asked: list[list[str]] = []
    due: list[bool] = []
    for _ in range(days):
        clock.advance(days=1)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        session = conversation.session
        week = len([d for d in due if d]) + 1
        facts: dict[str, FactValue] = {
            **WELL,
            "function_score_1": min(10, 3 + week),
            "function_score_2": min(10, 2 + week),
            "took_anti_inflammatory": week == 1,
            "painkiller_days": 3,
        }
        due.append(session.facts.get("weekly_screen_due") is not False)
        outcome = talk(conversation, facts).outcome
        assert outcome is not None and outcome.disposition == "self_care"
        questions = session.flow.questions()
        asked.append([questions[q].concept for q in session.asked])
    return Person(store, library, clock, asked, due)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_weekly_checkin_asks_the_ratings_again_and_only_then(
    tmp_path: Path, library: Library, language: str
) -> None:
    someone = person(tmp_path, library, language, 15, SETUP)
    with someone.store:
        for asked, due in zip(someone.checkins, someone.due, strict=True):
            rated = [c for c in asked if c in SCORES]
            assert rated == (["function_score_1", "function_score_2"] if due else [])
            assert ("painkillers_week" in asked) is due
        assert sum(someone.due) == 2  # the self-care triage counted as the first screen
        trends = function_trends(someone.store)
        assert [t.activity for t in trends] == ["sokken aantrekken", "[red]tillen[/red] <script>"]
        assert [r.score for r in trends[0].ratings] == [3, 4, 5]
        assert trends[0].change == 2 and trends[1].scores == [2, 3, 4]
        weeks = medicine_weeks(someone.store)
        assert [(w.took_any, w.kinds, w.days) for w in weeks] == [
            (True, ["anti_inflammatory"], 3),
            (False, [], None),
        ]


def test_ordinary_checkins_are_unchanged_and_the_full_screen_stays_within_the_limit(
    tmp_path: Path, library: Library
) -> None:
    setup = {**SETUP, "function_activity_3": "koken", "function_score_3": 5}
    someone = person(tmp_path, library, "nl", 15, setup)
    someone.store.close()
    for asked, due in zip(someone.checkins, someone.due, strict=True):
        if not due:
            assert not FUNCTION & set(asked)
            assert len(asked) <= ORDINARY_LIMIT


def test_the_heaviest_full_screen_stays_within_the_limit(library: Library) -> None:
    """Three activities and every kind of painkiller, on a full-screen day with yellow flags."""
    every_painkiller = {"took_paracetamol": True, "took_anti_inflammatory": True}
    vignette = Vignette.model_validate(
        {
            "id": "heavy",
            "locale": "nl",
            "facts": {"age": 60, "sex": "female", "pain_duration_days": 2},
            "checkins": [
                {"day": 16, "facts": {**WELL, **every_painkiller, "took_other_painkiller": True}}
            ],
        }
    )
    flow = library.flows[CHECKIN].flow
    names = {"function_activity_1": "a", "function_activity_2": "b", "function_activity_3": "c"}

    def session_for(inputs: Mapping[str, Any], fired: frozenset[str]) -> Session:
        return library.session(CHECKIN, "nl", "BE", inputs={**inputs, **names}, fired_before=fired)

    from companion.commands.timeline import TriageFacts, run_checkins

    triage = TriageFacts({"age": 60, "pain_duration_days": 2}, "self_care", {}, frozenset())
    (result,) = run_checkins(vignette.checkins, session_for, flow, triage, "no")
    assert result.full_screen
    assert set(SCORES) <= set(result.asked) and "painkiller_days" in result.asked
    assert len(counted(result)) <= FULL_SCREEN_LIMIT


@pytest.mark.parametrize("unspecified", ["no", "unknown"])
def test_a_vignette_without_named_activities_asks_no_rating(
    library: Library, unspecified: str
) -> None:
    """Hidden vignettes answer only the brief's concepts: the rest "no" or "unknown"."""
    no_sign = {c: False for c, concept in library.concepts.concepts.items() if concept.red_flag}
    vignette = Vignette.model_validate(
        {
            "id": "plain",
            "locale": "fr",
            "facts": {"age": 40, "sex": "male", "pain_duration_days": 2},
            "unspecified": unspecified,
            "checkins": [{"day": 9, "facts": {**no_sign, **WELL}}],
        }
    )
    (checkin,) = run_vignette(vignette, library, Path("plain.json")).checkins
    assert checkin.disposition == "self_care"
    assert checkin.full_screen and "painkillers_week" in checkin.asked
    assert not set(SCORES) & set(checkin.asked)
    kinds_asked = {"took_paracetamol", "took_other_painkiller"} <= set(checkin.asked)
    assert kinds_asked is (unspecified == "unknown")  # "not sure" asks each kind
    assert not [note for note in checkin.notes if "painkill" in note or "function" in note]


@pytest.mark.parametrize(
    "folder", [PUBLIC_TIMELINES, OWN_TIMELINES], ids=["public", "tests-timelines"]
)
def test_the_timelines_still_meet_their_expectations(library: Library, folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"no timelines in {folder}")
    for path in sorted(folder.glob("*.json")):
        vignette = Vignette.model_validate_json(path.read_text("utf-8"))
        result = run_vignette(vignette, library, path)
        assert result.matched is not False, path.name
        for checkin in result.checkins:
            assert not set(SCORES) & set(checkin.asked), path.name


# --- report, export, FHIR, the Plan screen ----------------------------------------------------


@pytest.fixture
def after_two_weeks(tmp_path: Path, library: Library) -> Person:
    someone = person(tmp_path, library, "nl", 15, SETUP)
    someone.store.close()
    return someone


def open_store(tmp_path: Path, someone: Person) -> Store:
    return Store.open(tmp_path / "data", clock=someone.clock, for_reading=True)


def test_the_report_shows_ratings_per_activity_and_painkillers_per_week(
    tmp_path: Path, library: Library, after_two_weeks: Person
) -> None:
    with open_store(tmp_path, after_two_weeks) as store:
        texts = open_texts(library, store, "fr")
        data = collect(store, library, texts, after_two_weeks.clock.today())
        page = render_html(data)
        markdown = render_markdown(data)
    assert "Ce que vous pouvez refaire" in page and "Antidouleurs par semaine" in page
    assert "&lt;script&gt;" in page and "<script>" not in page  # the patient's words as text
    assert "De 3 à 5." in page and "De 2 à 4." in page
    assert "ibuprofène ou produit du même type" in page
    assert "sokken aantrekken" in markdown


def test_export_carries_the_named_activities_and_answers(
    tmp_path: Path, after_two_weeks: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--data-dir", str(tmp_path / "data")]) == 0
    exported = json.loads(capsys.readouterr().out)
    text = json.dumps(exported)
    assert "sokken aantrekken" in text and "function_score_1" in text
    assert "painkiller_days" in text and "took_anti_inflammatory" in text


def test_fhir_has_valid_observations_for_ratings_and_painkillers(
    tmp_path: Path, library: Library, after_two_weeks: Person
) -> None:
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    from fhir.resources.R4B.observation import Observation

    with open_store(tmp_path, after_two_weeks) as store:
        bundle = fhir_bundle(store, library, open_texts(library, store, None))
    bundle_model.Bundle.model_validate(bundle)
    observations = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    for resource in observations:
        Observation.model_validate(resource)
        assert all("loinc" not in c["system"] for c in resource["code"]["coding"])
    ratings = [o for o in observations if o["code"]["coding"][0]["code"] == "function_score"]
    assert [(o["component"][0]["valueString"], o["valueInteger"]) for o in ratings] == [
        ("sokken aantrekken", 3),
        ("sokken aantrekken", 4),
        ("sokken aantrekken", 5),
        ("[red]tillen[/red] <script>", 2),
        ("[red]tillen[/red] <script>", 3),
        ("[red]tillen[/red] <script>", 4),
    ]
    weekly = [o for o in observations if o["code"]["coding"][0]["code"] == "painkillers_week"]
    assert [o["valueBoolean"] for o in weekly] == [True, False]
    first = {c["code"]["coding"][0]["code"]: c.get("valueBoolean") for c in weekly[0]["component"]}
    assert first["took_anti_inflammatory"] is True and first["took_paracetamol"] is False


@pytest.mark.parametrize("language", ["nl", "fr"])
async def test_the_plan_screen_charts_each_activity_with_its_numbers(
    tmp_path: Path, library: Library, after_two_weeks: Person, language: str
) -> None:
    from textual.app import App

    from companion.app.plan_screen import PlanScreen
    from companion.app.widgets import Plain

    with open_store(tmp_path, after_two_weeks) as store:
        texts = library.content.localizer(language, "BE")
        data = collect(store, library, texts, after_two_weeks.clock.today())
        plan = store.current_plan()

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PlanScreen(texts, plan, data))

    app = Host()
    async with app.run_test(size=(100, 80)) as pilot:
        await pilot.pause()
        shown = {w.id: str(w.render()) for w in app.screen.query(Plain) if w.id}
        names = [str(w.render()) for w in app.screen.query(".activity")]
    assert names == ["sokken aantrekken", "[red]tillen[/red] <script>"]
    assert "3, 4, 5" in shown["function-scores-1"] and "2, 3, 4" in shown["function-scores-2"]
    assert "██████ 3" in shown["function-chart-1"]
    assert ("ibuprofen" if language == "nl" else "ibuprofène") in shown["medicine-weeks"]


def test_a_vignette_fact_for_a_named_activity_must_be_text(library: Library) -> None:
    from companion.commands.timeline import fact_problems

    problems = list(fact_problems({"function_activity_1": True}, [], library.concepts))
    assert problems == ["fact 'function_activity_1' must be a text, not True"]
    assert not list(fact_problems({"function_activity_1": "koken"}, [], library.concepts))


def test_typed_names_are_not_kept_in_the_shared_caches(library: Library) -> None:
    session, turn = setup_session(library, "nl")
    type_answers(session, turn, ["geheime hobby", "4"])
    shared = library.flows[PLAN_SETUP].texts_cache(session.texts)
    assert "geheime hobby" not in repr(shared.answers) + repr(shared.views)
