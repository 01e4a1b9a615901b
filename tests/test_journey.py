"""The stored path through the flows: triage, education, plan, daily check-ins, resume."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from companion.care.plan import generate_plan
from companion.clock import FixedClock
from companion.journey.journey import CHECKIN, EDUCATION, TRIAGE, Journey
from companion.resources import Library
from companion.store.storage import Store
from tests.patients import answer_like_patient, talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Facts = Mapping[str, bool | int | str]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def open_journey(
    library: Library, tmp_path: Path, clock: FixedClock, language: str = "nl"
) -> tuple[Store, Journey]:
    store = Store.open(tmp_path / "data", clock=clock)
    return store, Journey(library, store, clock, language, None)


SELF_CARE_TRIAGE: Facts = {"age": 38, "sex": "female", "pain_duration_days": 2}
CALM_CHECKIN: Facts = {
    "quota_done": "done",
    "pain_now": 3,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def start_episode_with_plan(store: Store, journey: Journey, clock: FixedClock) -> None:
    triage = journey.next()
    assert triage is not None and triage.flow_id == TRIAGE
    assert talk(triage, SELF_CARE_TRIAGE).outcome.disposition == "self_care"  # type: ignore[union-attr]
    education = journey.next()
    assert education is not None and education.flow_id == EDUCATION
    talk(education, {})
    plan = generate_plan(
        [10, 12, 14], 40, clock.today(), kind="walking", unit="minutes", step_every_days=3, weeks=8
    )
    store.save_plan(plan)
    # A plan given before the set-up: the set-up asks only its function part (none named).
    function_part = journey.next()
    assert function_part is not None and function_part.flow_id == "plan_setup"
    assert talk(function_part, {}).outcome.end_state == "end_plan_given"  # type: ignore[union-attr]
    assert store.current_plan() == plan


def test_first_start_is_triage_then_education(library: Library, tmp_path: Path, clock: FixedClock):
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    episode = store.current_episode()
    assert episode is not None and episode.onset == date(2026, 2, 28)  # two days of pain
    # Same day as triage: the red flags were just screened, no check-in yet.
    assert journey.next() is None
    clock.advance(days=1)
    nxt = journey.next()
    assert nxt is not None and nxt.flow_id == CHECKIN
    assert nxt.session.facts["day"] == 3


def test_escalated_triage_stops_and_is_shown_again(
    library: Library, tmp_path: Path, clock: FixedClock
):
    _store, journey = open_journey(library, tmp_path, clock, "fr")
    triage = journey.next()
    assert triage is not None
    outcome = talk(triage, {"saddle_numbness": True}).outcome
    assert outcome is not None and outcome.disposition == "emergency"
    assert not Journey.goes_on_after(outcome)
    remembered = journey.last_escalation()
    assert remembered == outcome  # the stored outcome comes back as the engine gave it
    assert any("112" in message for message in remembered.messages)
    # The next start screens again instead of going on to education.
    again = journey.next()
    assert again is not None and again.flow_id == TRIAGE


def test_twelve_weeks_of_checkins(library: Library, tmp_path: Path, clock: FixedClock):
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    advice_by_day: dict[int, list[str]] = {}
    for _ in range(0, 84, 2):
        clock.advance(days=2)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        day = conversation.session.facts["day"]
        assert isinstance(day, int)
        facts = {**CALM_CHECKIN, "pain_trend": "same" if day >= 14 else "better"}
        outcome = talk(conversation, facts).outcome
        assert outcome is not None
        advice_by_day[day] = sorted(a.rule for a in outcome.advice)
        assert journey.next() is None  # one check-in a day
    fired = [rule for rules in advice_by_day.values() for rule in rules]
    # Once-per-episode milestones fire exactly once, on the first check-in they hold.
    assert fired.count("day14_not_better") == 1
    assert "day14_not_better" in advice_by_day[14]
    assert fired.count("day42_not_better") == 1
    assert "day42_not_better" in advice_by_day[42]
    assert fired.count("day84_chronic") == 1
    assert not any(rules for day, rules in advice_by_day.items() if day < 14)


def test_red_flag_at_checkin_pauses_the_plan_until_a_clear_checkin(
    library: Library, tmp_path: Path, clock: FixedClock
):
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    clock.advance(days=1)
    assert journey.today().quotas  # the plan runs
    conversation = journey.next()
    assert conversation is not None
    outcome = talk(conversation, {**CALM_CHECKIN, "bladder_retention": True}).outcome
    assert outcome is not None and outcome.disposition == "emergency"
    assert conversation.session.asked[-1] == "bladder_retention"  # nothing asked after it
    today = journey.today()
    assert today.paused and not today.quotas
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == CHECKIN
    talk(conversation, CALM_CHECKIN)
    assert not journey.today().paused


def test_quota_follows_the_schedule_not_the_pain(
    library: Library, tmp_path: Path, clock: FixedClock
):
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    quotas = []
    for pain in (2, 9, 9, 1):
        clock.advance(days=3)
        conversation = journey.next()
        assert conversation is not None
        talk(conversation, {**CALM_CHECKIN, "pain_now": pain, "quota_done": "not"})
        quotas.append(journey.today().quotas[0].amount)
    assert quotas == sorted(quotas) and quotas[0] < quotas[-1]


def test_resume_after_the_store_was_dropped_mid_checkin(
    library: Library, tmp_path: Path, clock: FixedClock
):
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None
    turn = talk(conversation, CALM_CHECKIN, stop_after=4)
    asked_before = list(conversation.session.asked)
    assert turn.question is not None
    # No close, no finish: as if the process were killed here.
    del conversation, journey, store

    clock.advance(hours=1)
    store, journey = open_journey(library, tmp_path, clock)
    resumed = journey.next()
    assert resumed is not None and resumed.resumed and resumed.flow_id == CHECKIN
    first = resumed.start()
    assert resumed.session.asked == asked_before
    assert first.question is not None and first.question.id == turn.question.id
    assert talk(resumed, CALM_CHECKIN).outcome is not None
    # Nothing was stored twice.
    assert len(store.answers_of(resumed.key)) == len(resumed.session.asked)


def test_an_old_unfinished_conversation_is_asked_again(
    library: Library, tmp_path: Path, clock: FixedClock
):
    store, journey = open_journey(library, tmp_path, clock)
    triage = journey.next()
    assert triage is not None
    talk(triage, SELF_CARE_TRIAGE, stop_after=3)
    clock.advance(days=2)
    fresh = journey.next()
    assert fresh is not None and not fresh.resumed and fresh.flow_id == TRIAGE
    assert fresh.session.asked == []
    stale = next(s for s in store.sessions() if s.key == triage.key)
    assert stale.outcome is None and stale.set_aside == "too old"


def test_every_accepted_answer_is_stored_before_the_turn_is_returned(
    library: Library, tmp_path: Path, clock: FixedClock
):
    store, journey = open_journey(library, tmp_path, clock)
    triage = journey.next()
    assert triage is not None
    turn = triage.start()
    for _ in range(5):
        turn = answer_like_patient(triage, turn, SELF_CARE_TRIAGE)
        stored = [a.question_id for a in store.answers_of(triage.key)]
        assert stored == triage.session.asked
    assert timedelta(0) <= clock.now() - START
