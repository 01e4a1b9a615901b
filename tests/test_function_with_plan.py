"""Function questions when a plan is given (issue 13 item 5, pilot gap).

A physiotherapist's plan imported (or assigned on a practice server) before the patient's
plan set-up used to skip the set-up altogether, so the patient never named the daily
activities that are hard now and no function trend existed. Now the set-up asks only its
function part then, once per episode, and the physiotherapist's plan stays as it is; the
weekly full-screen check-in re-rates the named activities. Without a plan nothing changed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.care.plan import Plan, load_plan
from companion.care.plan_setup import plan_from_answers
from companion.cli import main
from companion.clock import FixedClock
from companion.commands.check import check
from companion.commands.timeline import FactValue
from companion.journey.journey import CHECKIN, PLAN_SETUP, Conversation, Journey
from companion.reports.data import function_trends
from companion.resources import Library, default_content_dir, default_flows_dir
from companion.store.storage import Store
from tests.patients import SELF_CARE_PATH, talk
from tests.test_checkin_burden import WELL

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PLAN = """
version = 1
start = 2026-03-02
created_by = "physiotherapist"
therapist = { name = "L. Janssens" }

[[activities]]
kind = "exercises"
name = { nl = "bekken kantelen", fr = "bascule du bassin" }
unit = "repetitions"
baseline = 5
goal = 12
step_every_days = 7
weeks = 6
"""

NAMED: Mapping[str, FactValue] = {
    **SELF_CARE_PATH,  # plan answers too: were the plan's questions asked, a plan would follow
    "function_activity_1": "sokken aantrekken",
    "function_score_1": 3,
    "function_activity_2": "boodschappen dragen",
    "function_score_2": 2,
}
PLAN_QUESTIONS = ("plan_activity", "plan_baseline_minutes_1", "plan_goal_minutes")
FUNCTION_PART = {
    "function_activity_1",
    "function_score_1",
    "function_activity_2",
    "function_score_2",
    "function_activity_3",
}


@dataclass
class Patient:
    data: Path
    clock: FixedClock
    library: Library
    language: str

    def journey(self, store: Store) -> Journey:
        # As the drivers build it: with the patient's own plan maker.
        return Journey(self.library, store, self.clock, self.language, "BE", plan_from_answers)

    def store(self) -> Store:
        return Store.open(self.data, clock=self.clock)


@pytest.fixture
def triaged(tmp_path: Path, library: Library, request: pytest.FixtureRequest) -> Iterator[Patient]:
    """Triage (self-care) and the education done on day 2 of the pain, nothing more."""
    language = getattr(request, "param", "nl")
    patient = Patient(tmp_path / "data", FixedClock(START), library, language)
    with patient.store() as store:
        store.set_setting("language", language)
        store.set_setting("region", "BE")
        journey = patient.journey(store)
        for flow_id in ("triage", "education"):
            conversation = journey.next()
            assert conversation is not None and conversation.flow_id == flow_id
            talk(conversation, SELF_CARE_PATH)
    yield patient


def physiotherapist_imports(tmp_path: Path, patient: Patient) -> Plan:
    file = tmp_path / "plan.toml"
    file.write_text(PLAN, encoding="utf-8")
    today = ["--today", patient.clock.today().isoformat()]
    command = [*today, "plan", "import", str(file), "--yes", "--data-dir", str(patient.data)]
    assert main(command) == 0
    return load_plan(file)


def asked_concepts(conversation: Conversation, facts: Mapping[str, FactValue]) -> list[str]:
    """Talks the conversation through; the concepts of the questions it asked."""
    talk(conversation, facts)
    session = conversation.session
    questions = session.flow.questions()
    return [questions[q].concept for q in session.asked]


def check_in_daily(patient: Patient, days: int, week_scores: list[int]) -> list[list[str]]:
    """A calm check-in each morning, the first rating rising by the week; what each asked."""
    asked: list[list[str]] = []
    with patient.store() as store:
        journey = patient.journey(store)
        for _ in range(days):
            patient.clock.advance(days=1)
            conversation = journey.next()
            assert conversation is not None and conversation.flow_id == CHECKIN
            week = sum(1 for concepts in asked if "function_score_1" in concepts)
            facts = {**WELL, "function_score_1": week_scores[week], "function_score_2": 2}
            asked.append(asked_concepts(conversation, facts))
            assert journey.next() is None
    return asked


@pytest.mark.parametrize("triaged", ["nl", "fr"], indirect=True)
def test_an_imported_plan_still_gets_the_function_questions_once_and_stays(
    tmp_path: Path, triaged: Patient
) -> None:
    imported = physiotherapist_imports(tmp_path, triaged)
    with triaged.store() as store:
        journey = triaged.journey(store)
        setup = journey.next()
        assert setup is not None and setup.flow_id == PLAN_SETUP
        assert setup.session.facts["plan_given"] is True
        asked = asked_concepts(setup, NAMED)
        assert set(asked) <= FUNCTION_PART and "function_score_2" in asked
        assert not set(asked) & set(PLAN_QUESTIONS)
        # The physiotherapist's plan, not one built from this talk.
        assert store.current_plan() == imported
        assert len(store.plan_history()) == 1
        assert not store.events("plan_not_made")
        assert journey.next() is None  # screened today; once per episode
    # Eight mornings: the set-up never again; the weekly full screen re-rates both.
    asked_daily = check_in_daily(triaged, 8, [5, 6])
    rated = [day for day, concepts in enumerate(asked_daily, 1) if "function_score_1" in concepts]
    assert len(rated) == 1
    assert "function_score_2" in asked_daily[rated[0] - 1]
    with triaged.store() as store:
        assert store.current_plan() == imported
        trends = function_trends(store)
    assert [t.activity for t in trends] == ["sokken aantrekken", "boodschappen dragen"]
    assert trends[0].scores == [3, 5] and trends[1].scores == [2, 2]


def test_the_given_plan_is_told_in_the_patients_words(tmp_path: Path, triaged: Patient) -> None:
    """No "every 3 days, 8 weeks" of the patient's own plan: the given plan has its own."""
    physiotherapist_imports(tmp_path, triaged)
    texts = triaged.library.content.localizer("nl", "BE")
    with triaged.store() as store:
        setup = triaged.journey(store).next()
        assert setup is not None
        shown = setup.start().messages
        end = talk(setup, {"function_activity_1": "unknown"}).outcome
    assert shown[0] == texts.text("plan.given.intro")
    assert texts.text("plan.principle.calendar") not in shown
    assert end is not None and end.end_state == "end_plan_given"
    assert texts.text("plan.given.end") in end.messages


def test_without_a_plan_the_set_up_makes_the_patients_own_as_before(triaged: Patient) -> None:
    with triaged.store() as store:
        journey = triaged.journey(store)
        setup = journey.next()
        assert setup is not None and setup.flow_id == PLAN_SETUP
        assert setup.session.facts["plan_given"] is False
        asked = asked_concepts(setup, NAMED)
        named = ["function_activity_1", "function_score_1", "function_activity_2"]
        assert asked[:5] == [*named, "function_score_2", "function_activity_3"]
        assert set(PLAN_QUESTIONS) <= set(asked)
        plan = store.current_plan()
        assert plan is not None and plan.created_by == "patient"
        assert journey.next() is None


def test_a_plan_imported_after_the_patients_own_set_up_asks_nothing_again(
    tmp_path: Path, triaged: Patient
) -> None:
    with triaged.store() as store:
        setup = triaged.journey(store).next()
        assert setup is not None
        talk(setup, NAMED)
    triaged.clock.advance(days=1)
    imported = physiotherapist_imports(tmp_path, triaged)
    with triaged.store() as store:
        journey = triaged.journey(store)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        assert store.current_plan() == imported


def test_companion_check_refuses_a_given_plan_route_that_asks_for_a_plan(tmp_path: Path) -> None:
    """With a plan given the set-up must end after the function part: the journey keeps
    the given plan, so questions about the patient's own plan would be asked in vain."""
    flows = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), flows)
    setup = flows / "plan_setup.yaml"
    text = setup.read_text(encoding="utf-8")
    given_route = "      - {when: {yes: plan_given}, to: end_plan_given}\n"
    assert given_route in text
    wrong_route = given_route.replace("end_plan_given", "plan_activity")
    ends_too = "      - {when: {answered: plan_given}, to: end_plan_given}\n"  # keeps it reachable
    setup.write_text(text.replace(given_route, wrong_route + ends_too), encoding="utf-8")
    assert not check(default_flows_dir(), default_content_dir(), verify_sources=False).problems
    problems = check(flows, default_content_dir(), verify_sources=False).problems
    assert [p.where for p in problems] == [str(setup)]
    assert "plan_activity" in problems[0].message and "plan_given" in problems[0].message
