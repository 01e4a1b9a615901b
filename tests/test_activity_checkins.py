"""Check-ins ask "done?" per plan activity within the burden limit (issue 13, item 1).

With two or three activities the "done?" is one list question over them (clinical brief
section 5, "Burden": a list counts as one question): "yes" is done for each activity, any
other answer asks each activity in short. No plan or one activity: the check-in asks
exactly what it asked before. The report's activity tables follow the plan of each day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from companion.care.activity_done import ACTIVITY_DONE, ALL_DONE, WHOLE_PLAN, done_per_activity
from companion.care.plan import Plan, load_plan, quota_on
from companion.clock import FixedClock
from companion.commands.simulate import Vignette, run_vignette
from companion.commands.timeline import CheckinResult
from companion.dialogue.conditions import UNKNOWN
from companion.journey.journey import CHECKIN, Journey
from companion.reports.data import collect
from companion.reports.report import render_html
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from tests.patients import given_plan_function_part, talk
from tests.test_checkin_burden import ORDINARY_LIMIT, WELL, counted

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "homework"

THREE_ACTIVITIES = """
version = 1
start = 2026-03-02
created_by = "physiotherapist"
therapist = { name = "A. Peeters" }

[[activities]]
kind = "walking"
name = { nl = "wandelen", fr = "marcher" }
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 3
weeks = 6

[[activities]]
kind = "exercises"
name = { nl = "knieën naar de borst", fr = "genoux vers la poitrine" }
unit = "repetitions"
baseline = 6
goal = 12
step_every_days = 7
weeks = 6
times_per_day = 2

[[activities]]
kind = "cycling"
name = { nl = "fietsen", fr = "vélo" }
unit = "minutes"
baseline = 5
goal = 20
step_every_days = 7
weeks = 6
"""


# --- the burden: a list counts as one question -----------------------------------------


def four_weeks(locale: str, plan_activities: int | None, facts: dict[str, Any]) -> list[Any]:
    vignette = Vignette.model_validate(
        {
            "id": "plan",
            "locale": locale,
            "facts": {"age": 40, "sex": "female", "pain_duration_days": 2},
            "plan_activities": plan_activities,
            "checkins": [{"day": day, "facts": facts} for day in range(3, 31)],
        }
    )
    return run_vignette(vignette, builtin_library(), Path("plan.json")).checkins


@pytest.mark.parametrize("locale", ["nl", "fr"])
@pytest.mark.parametrize("activities", [2, 3])
@pytest.mark.parametrize("done", ["done", "partly"])
def test_per_activity_done_costs_no_extra_question(locale: str, activities: int, done: str) -> None:
    without_plan = four_weeks(locale, None, WELL)
    with_plan = four_weeks(locale, activities, {**WELL, WHOLE_PLAN: done})
    for before, now in zip(without_plan, with_plan, strict=True):
        # The same count every day: the list replaces the one "done?" question.
        assert len(counted(now)) == len(counted(before)), (now.day, now.asked)
        assert ALL_DONE in counted(now) and WHOLE_PLAN not in now.asked
        if not now.full_screen:
            assert len(counted(now)) <= ORDINARY_LIMIT
        asked_per_activity = [c for c in now.asked if c in ACTIVITY_DONE]
        # "Yes, all done" asks nothing more; anything else one short question per activity.
        assert asked_per_activity == ([] if done == "done" else list(ACTIVITY_DONE[:activities]))
        assert now.done == [done] * activities


@pytest.mark.parametrize("activities", [None, 0, 1])
def test_no_plan_or_one_activity_asks_what_it_asked_before(activities: int | None) -> None:
    without_plan = four_weeks("nl", None, WELL)
    now = four_weeks("nl", activities, WELL)
    assert [c.asked for c in now] == [c.asked for c in without_plan]
    assert all(WHOLE_PLAN in c.asked and ALL_DONE not in c.asked for c in now)


def test_an_ordinary_checkin_with_three_activities_asks_the_plan_as_one_list() -> None:
    (first, *_) = four_weeks("nl", 3, {**WELL, "activity_2_done": "not"})
    assert counted(first) == [
        "emergency_signs",
        "same_day_signs",
        "activities_done",
        "pain_now",
        "pain_trend",
        "daily_activities_resumed",
        "moving_ok",
        "work_affected",
    ]
    assert first.done == ["done", "not", "done"]


def test_a_wrong_done_expectation_is_a_mismatch() -> None:
    vignette = Vignette.model_validate(
        {
            "id": "wrong",
            "locale": "fr",
            "facts": {"age": 40, "sex": "male", "pain_duration_days": 2},
            "plan_activities": 2,
            "checkins": [
                {"day": 3, "facts": {**WELL, "activity_2_done": "partly"},
                 "expect": {"advice": [], "done": ["done", "done"]}},
            ],
        }
    )  # fmt: skip
    result = run_vignette(vignette, builtin_library(), Path("wrong.json"))
    (checkin,) = result.checkins
    assert checkin.done == ["done", "partly"]
    assert checkin.matched is False and result.matched is False


def test_a_vignette_without_a_plan_prints_the_fields_it_always_did() -> None:
    (checkin, *_) = four_weeks("nl", None, WELL)
    assert isinstance(checkin, CheckinResult)
    assert "done" not in checkin.as_json() and "plan_activities" not in checkin.as_json()


# --- reading the answers ----------------------------------------------------------------


def test_done_per_activity_reads_either_way_of_asking() -> None:
    assert done_per_activity({ALL_DONE: True}, 3) == ["done", "done", "done"]
    assert done_per_activity(
        {ALL_DONE: False, "activity_1_done": "partly", "activity_2_done": "not"}, 2
    ) == ["partly", "not"]
    assert done_per_activity({ALL_DONE: UNKNOWN, "activity_1_done": UNKNOWN}, 2) == [None, None]
    # One activity, or a check-in before per-activity questions: the plan's one answer.
    assert done_per_activity({WHOLE_PLAN: "partly"}, 1) == ["partly"]
    assert done_per_activity({WHOLE_PLAN: "not"}, 2) == ["not", "not"]
    assert done_per_activity({}, 2) == [None, None]


def test_no_route_or_advice_looks_at_a_done_answer() -> None:
    """The plan is time-contingent: a "done?" answer decides only whether each activity is
    asked, never where the check-in goes or which advice it gives (002:1644-1650)."""
    flow = builtin_library().flows["checkin"].flow
    done = {ALL_DONE, *ACTIVITY_DONE, WHOLE_PLAN}
    for name, state in flow.states.items():
        for transition in getattr(state, "next", ()):
            if transition.when is not None:
                used = {ref for ref, _ in transition.when.references()}
                assert not used & done, f"state '{name}' routes on {used & done}"
    for rule in flow.advice:
        assert not {ref for ref, _ in rule.when.references()} & done, rule.id
    for name, question in flow.questions().items():
        if question.ask_when is not None and name not in ACTIVITY_DONE:
            assert not {ref for ref, _ in question.ask_when.references()} & done, name


# --- a patient with a plan --------------------------------------------------------------


def patient_with_plan(
    tmp_path: Path, language: str, plan: Plan
) -> tuple[Library, Store, FixedClock, Journey]:
    library = builtin_library()
    clock = FixedClock(START)
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, language, "BE")
    for facts in ({"age": 40, "sex": "female", "pain_duration_days": 2}, {}):
        conversation = journey.next()
        assert conversation is not None
        talk(conversation, facts)
    store.save_plan(plan)
    given_plan_function_part(journey)
    return library, store, clock, journey


def three_activity_plan(tmp_path: Path) -> Plan:
    file = tmp_path / "plan.toml"
    file.write_text(THREE_ACTIVITIES, encoding="utf-8")
    return load_plan(file)


def answer_until(conversation: Any, facts: dict[str, Any], question: str) -> Any:
    """Answers from ``facts`` until ``question`` is asked; returns that turn."""
    turn = talk(conversation, facts, stop_after=0)
    while turn.question is not None and turn.question.id != question:
        turn = talk(conversation, facts, stop_after=1)
    return turn


@pytest.mark.parametrize(
    ("language", "said"),
    [("nl", ["wandelen: {} minuten", "knieën naar de borst: {} keer, 2 keer per dag",
             "fietsen: {} minuten"]),
     ("fr", ["marcher: {} minutes", "genoux vers la poitrine: {} fois, 2 fois par jour",
             "vélo: {} minutes"])],
)  # fmt: skip
def test_the_list_names_each_activity_with_todays_amount(
    tmp_path: Path, language: str, said: list[str]
) -> None:
    plan = three_activity_plan(tmp_path)
    _, store, clock, journey = patient_with_plan(tmp_path, language, plan)
    clock.advance(days=8)
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == CHECKIN
    turn = answer_until(conversation, WELL, ALL_DONE)
    assert turn.question is not None
    lines = turn.question.text.splitlines()
    today = clock.today()
    assert lines[1:] == ["- " + said[i].format(quota_on(plan, i, today)) for i in range(3)]
    # "Not all": the first short question names the first activity again.
    turn = conversation.choose("no")
    assert turn.question is not None and turn.question.id == "activity_1_done"
    assert turn.question.text.splitlines()[1] == lines[1]
    store.close()


def test_yes_records_done_for_each_and_no_asks_each(tmp_path: Path) -> None:
    plan = three_activity_plan(tmp_path)
    library, store, clock, journey = patient_with_plan(tmp_path, "nl", plan)
    answers = [
        {**WELL},
        {**WELL, "activity_1_done": "partly", "activity_3_done": "not"},
    ]
    for facts in answers:
        clock.advance(days=1)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        outcome = talk(conversation, facts).outcome
        assert outcome is not None
    # The summary of answers says which activity each short answer is about.
    said = [f"{a.question_text} {a.shown}" for a in outcome.answers]
    walking = quota_on(plan, 0, clock.today())
    assert f"Heeft u dit vandaag gedaan? (wandelen: {walking} minuten) Voor een deel" in said
    assert "Heeft u dit vandaag gedaan? (fietsen: 5 minuten) Nee" in said
    texts = library.content.localizer("nl", "BE")
    data = collect(store, library, texts, clock.today())
    # So does the report, in its own words: the activity of the plan of that day.
    shown = [f"{a.question} {a.shown}" for a in data.checkins[-1].answers]
    assert "Heeft u dit vandaag gedaan? (knieën naar de borst) Ja, helemaal" in shown
    assert [c.done for c in data.checkins] == [
        ["done", "done", "done"],
        ["partly", "done", "not"],
    ]
    # The plan's one "done?" summarises the activities for the overall adherence.
    assert [c.quota_done for c in data.checkins] == ["done", "partly"]
    (first, _, third) = data.activity_adherence()
    assert (first.name, first.days_asked, first.done, first.partly) == ("wandelen", 2, 1, 1)
    assert (third.name, third.done, third.not_done) == ("fietsen", 1, 1)
    store.close()


def test_a_typed_answer_that_is_not_a_plain_yes_asks_each_activity(tmp_path: Path) -> None:
    plan = three_activity_plan(tmp_path)
    _, store, clock, journey = patient_with_plan(tmp_path, "nl", plan)
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None
    answer_until(conversation, WELL, ALL_DONE)
    # A yes with a doubt is not read as "all done": the doubt is asked about first.
    turn = conversation.answer("ja, maar niet alles")
    assert turn.question is not None and turn.question.id == ALL_DONE and turn.accepted is None
    turn = conversation.answer("weet ik niet")
    assert turn.question is not None and turn.question.id == "activity_1_done"
    store.close()


def test_a_checkin_resumed_mid_list_keeps_the_activities_words(tmp_path: Path) -> None:
    plan = three_activity_plan(tmp_path)
    library, store, clock, journey = patient_with_plan(tmp_path, "nl", plan)
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None
    answer_until(conversation, WELL, ALL_DONE)
    conversation.choose("no")
    resumed = Journey(library, store, clock, "nl", "BE").next()
    assert resumed is not None and resumed.resumed
    turn = resumed.start()
    assert turn.question is not None and turn.question.id == "activity_1_done"
    assert f"- wandelen: {quota_on(plan, 0, clock.today())} minuten" in turn.question.text
    store.close()


def test_one_patients_words_are_never_shown_to_another() -> None:
    library = builtin_library()
    inputs = {"day": 5, "weekly_screen_due": False, "onset_known": True, "plan_activities": 2}

    def list_text(words: dict[str, str] | None) -> str:
        session = library.session("checkin", "nl", "BE", inputs=inputs, item_words=words)
        turn = session.start()
        while turn.question is not None and turn.question.id != ALL_DONE:
            turn = session.choose("no")
        assert turn.question is not None
        return turn.question.text

    mine = list_text({"activity_1_done": "zwemmen: 20 minuten"})
    theirs = list_text(None)
    assert "zwemmen" in mine and "zwemmen" not in theirs
    assert "- de eerste activiteit van uw plan" in theirs


# --- the report follows the plan of each day --------------------------------------------


def test_after_a_plan_change_the_old_goals_stay_under_the_old_plan(tmp_path: Path) -> None:
    first_plan = load_plan(EXAMPLES / "rug-wandelen.nl.toml")
    library, store, clock, journey = patient_with_plan(tmp_path, "nl", first_plan)
    for facts in [{**WELL, "activity_2_done": "not"}, {**WELL}, {**WELL, WHOLE_PLAN: "partly"}]:
        clock.advance(days=1)
        conversation = journey.next()
        assert conversation is not None
        talk(conversation, facts)
    clock.advance(hours=6)  # the physiotherapist imports a new plan in the afternoon
    store.save_plan(three_activity_plan(tmp_path))
    clock.advance(hours=18)
    conversation = journey.next()
    assert conversation is not None
    talk(conversation, {**WELL, "activity_3_done": "partly"})
    texts = library.content.localizer("nl", "BE")
    data = collect(store, library, texts, clock.today())
    html = render_html(data)
    old_heading = html.index("<h3>Plan 1, vanaf 2 maart 2026</h3>")
    new_heading = html.index("<h3>Plan 2, vanaf 5 maart 2026</h3>")
    assert old_heading < html.index('id="quota-plan1-2"') < new_heading < html.index('id="quota-3"')
    # The old plan's three check-ins, with its own goals and each activity's own answer.
    old = [c for c in data.checkins if c.plan is data.plans[0]]
    assert [c.quotas[1] for c in old] == [quota_on(first_plan, 1, c.at.date()) for c in old]
    assert [c.done for c in old] == [
        ["done", "not"],
        ["done", "done"],
        ["partly", "partly"],
    ]
    new = [c for c in data.checkins if c.plan is data.plans[1]]
    assert [c.done for c in new] == [["done", "done", "partly"]]
    records = [(r.plan.number, r.name, r.days_asked, r.done, r.partly, r.not_done)
               for r in data.activity_adherence()]  # fmt: skip
    assert records == [
        (1, "wandelen in de buurt", 3, 2, 1, 0),
        (1, "bekken kantelen", 3, 1, 1, 1),
        (2, "wandelen", 1, 1, 0, 0),
        (2, "knieën naar de borst", 1, 1, 0, 0),
        (2, "fietsen", 1, 0, 1, 0),
    ]
    store.close()
