"""Decisions the drivers used to make themselves, now in the journey layer: whether an urgent
advice still stands, the day-goal reports, the dispositions' meaning, and the wording of an
outcome that both the plain terminal and the app show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.care.dispositions import (
    ORDERED,
    continues_self_care,
    escalated,
    urgent,
)
from companion.care.plan import generate_plan
from companion.clock import FixedClock
from companion.commands.timeline import answer_from_facts
from companion.dialogue.engine import Outcome
from companion.dialogue.flow import DISPOSITIONS
from companion.journey.journey import CHECKIN, EDUCATION, Conversation, Journey
from companion.plain import run_journey, show_outcome
from companion.present import outcome_sections
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from tests.patients import given_plan_function_part
from tests.test_journey import CALM_CHECKIN, SELF_CARE_TRIAGE

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Facts = Mapping[str, bool | int | str]


@pytest.fixture(scope="module")
def library() -> Library:
    return builtin_library()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def journey(library: Library, tmp_path: Path, clock: FixedClock) -> Journey:
    store = Store.open(tmp_path / "data", clock=clock)
    return Journey(library, store, clock, "nl", None)


def talk(conversation: Conversation | None, facts: Facts) -> Outcome:
    """Answers like a patient: facts by concept, every other question "no"."""
    assert conversation is not None
    turn = conversation.start()
    while turn.outcome is None:
        assert turn.question is not None
        turn = answer_from_facts(conversation, turn.question, facts, (), "no", [])
    return turn.outcome


def self_care_with_plan(journey: Journey, store: Store, clock: FixedClock) -> None:
    assert talk(journey.next(), SELF_CARE_TRIAGE).disposition == "self_care"
    talk(journey.next(), {})  # education
    store.save_plan(
        generate_plan(
            [10, 12, 14],
            40,
            clock.today(),
            kind="walking",
            unit="minutes",
            step_every_days=3,
            weeks=8,
        )
    )
    given_plan_function_part(journey)


def emergency_checkin_tomorrow(journey: Journey, clock: FixedClock) -> Outcome:
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == CHECKIN
    outcome = talk(conversation, {**CALM_CHECKIN, "bladder_retention": True})
    assert outcome.disposition == "emergency"
    return outcome


def plain_start(journey: Journey, library: Library) -> list[str]:
    """What the plain terminal says at start when the patient types nothing."""
    said: list[str] = []

    def no_input(prompt: str) -> str:
        raise EOFError

    run_journey(journey, library.content.localizer("nl"), no_input, said.append)
    return said


# --- escalation standing ------------------------------------------------------------------------


def test_the_plain_terminal_repeats_a_standing_escalation_at_start(
    library: Library, tmp_path: Path, clock: FixedClock
) -> None:
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "nl", None)
    self_care_with_plan(journey, store, clock)
    outcome = emergency_checkin_tomorrow(journey, clock)
    texts = library.content.localizer("nl")
    # Later the same day nothing is due (the red flags were screened), yet the advice stands.
    said = plain_start(journey, library)
    assert said[0] == texts.text("journey.previous_advice")
    assert said[1 : 1 + len(outcome.messages)] == [f"  {m}" for m in outcome.messages]
    assert any("112" in line for line in said)
    assert texts.text("journey.screen_again") not in said  # no new triage follows
    assert said[-1] == texts.ui("Thank you for your answers. Get well soon.")


def test_an_escalation_acted_on_no_longer_stands(
    library: Library, tmp_path: Path, clock: FixedClock
) -> None:
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "nl", None)
    self_care_with_plan(journey, store, clock)
    emergency_checkin_tomorrow(journey, clock)
    standing = journey.standing_escalation()
    assert standing is not None and standing.disposition == "emergency"
    journey.contacted_gp(standing)  # the app's "I have contacted my doctor"
    assert journey.standing_escalation() is None
    said = plain_start(journey, library)
    assert library.content.localizer("nl").text("journey.previous_advice") not in said


def test_a_clear_checkin_after_an_escalation_ends_its_standing(
    library: Library, tmp_path: Path, clock: FixedClock
) -> None:
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "nl", None)
    self_care_with_plan(journey, store, clock)
    emergency_checkin_tomorrow(journey, clock)
    clock.advance(days=1)
    talk(journey.next(), CALM_CHECKIN)
    assert journey.standing_escalation() is None


def test_gp_soon_never_stands(journey: Journey) -> None:
    """Only advice for today or now cuts the path short and stays in view."""
    outcome = talk(journey.next(), {**SELF_CARE_TRIAGE, "osteoporosis": True})
    assert outcome.disposition == "gp_soon"
    assert journey.standing_escalation() is None
    assert journey.advice_to_recall(journey.next()) is None


def test_an_escalated_triage_is_recalled_before_the_new_triage(
    journey: Journey, library: Library
) -> None:
    outcome = talk(journey.next(), {"saddle_numbness": True})
    assert outcome.disposition == "emergency"
    texts = library.content.localizer("nl")
    said = plain_start(journey, library)
    assert said[0] == texts.text("journey.previous_advice")
    assert texts.text("journey.screen_again") in said
    recalled = journey.advice_to_recall(journey.next())  # the new triage, resumed now
    assert recalled is not None and not recalled.screen_again  # stands, not screened again yet


# --- day-goal reports ---------------------------------------------------------------------------


def test_day_goal_reports_go_through_the_journey(
    library: Library, tmp_path: Path, clock: FixedClock
) -> None:
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "nl", None)
    reports = journey.quota_reports()
    assert reports.today() is None
    reports.report("partly")
    reports.report("done")
    assert reports.today() == "done"  # the latest report of the day counts
    assert [e.payload for e in store.events("quota_report")] == [
        {"date": "2026-03-02", "value": "partly"},
        {"date": "2026-03-02", "value": "done"},
    ]
    clock.advance(days=1)
    assert journey.quota_reports().today() is None  # yesterday's report is not today's


def test_a_day_goal_report_must_be_one_of_the_checkin_answers(journey: Journey) -> None:
    with pytest.raises(ValueError):
        journey.quota_reports().report("maybe")


# --- dispositions -------------------------------------------------------------------------------


def test_dispositions_most_urgent_first_and_each_with_one_meaning() -> None:
    assert ORDERED == DISPOSITIONS == ("emergency", "gp_today", "gp_soon", "self_care")
    assert [d for d in ORDERED if urgent(d)] == ["emergency", "gp_today"]
    assert [d for d in ORDERED if escalated(d)] == ["emergency", "gp_today", "gp_soon"]
    assert [d for d in ORDERED if continues_self_care(d)] == ["gp_soon", "self_care"]


@pytest.mark.parametrize("disposition", [None, "", "unknown", "Self_care"])
def test_an_unknown_disposition_never_continues_self_care(disposition: str | None) -> None:
    assert not continues_self_care(disposition)
    assert not Journey.goes_on_after(_outcome(disposition or "x"))


def _outcome(disposition: str) -> Outcome:
    return Outcome(
        disposition=disposition,
        end_state="end",
        flags=[],
        reasons=[],
        answers=[],
        unknown=[],
        messages=[],
    )


# --- shared wording -----------------------------------------------------------------------------


def test_the_plain_terminal_words_an_outcome_as_present_does(journey: Journey, library: Library):
    outcome = talk(journey.next(), {"saddle_numbness": True, "age": "unknown"})
    texts = library.content.localizer("nl")
    sections = outcome_sections(outcome, texts)
    headings = [s.heading for s in sections]
    assert headings[0] == texts.ui("Why this advice")
    assert headings[-1] == texts.ui("Your answers")
    said: list[str] = []
    show_outcome(outcome, texts, said.append)
    for section in sections:
        at = said.index(section.heading)
        assert said[at + 1 : at + 1 + len(section.items)] == [f"  - {i}" for i in section.items]


def test_an_education_outcome_has_no_sections(journey: Journey, library: Library) -> None:
    talk(journey.next(), SELF_CARE_TRIAGE)
    education = journey.next()
    assert education is not None and education.flow_id == EDUCATION
    outcome = talk(education, {})
    assert outcome.disposition is None
    assert outcome_sections(outcome, library.content.localizer("nl")) == []
