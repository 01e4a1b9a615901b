"""Episodes (issue 13, item 3): an episode ends when the back is fine again, and the pain
coming back starts a new one, with its own triage, risk questions and milestones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.dialogue.engine import Outcome
from companion.journey.episodes import BACK_FINE, PAIN_BACK
from companion.journey.journey import Journey
from companion.present import today_lines
from companion.resources import builtin_library
from companion.store import storage
from companion.store.storage import SQLiteStore
from tests.patients import SELF_CARE_PATH, YELLOW, Facts, answer_like_patient, talk


def test_a_database_from_before_episodes_ended_is_upgraded_and_keeps_its_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(date(2025, 3, 3))
    first_version = storage.MIGRATIONS[:1]
    monkeypatch.setattr(storage, "MIGRATIONS", first_version)
    with SQLiteStore.open(tmp_path, clock) as old:
        episode = old.start_episode(date(2025, 2, 20))
        assert old.schema_version == 1
    monkeypatch.undo()
    with SQLiteStore.open(tmp_path, clock) as upgraded:
        assert upgraded.schema_version == len(storage.MIGRATIONS) >= 2
        (kept,) = upgraded.episodes()
        assert (kept.id, kept.onset, kept.ended) == (episode, date(2025, 2, 20), None)
        upgraded.end_episode(date(2025, 3, 3))
    with SQLiteStore.open(tmp_path, clock, for_reading=True) as reread:
        assert reread.export()["episodes"][0]["ended"] == "2025-03-03"


# --- the journey: fine again, the pain is back --------------------------------------------

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SEVERE = {"pain_now": 8, "pain_trend": "same", "quota_done": "partly"}
"""A check-in answer that fires the day-7 milestone (pain still severe, not better)."""
FINE = {
    "pain_now": 1,
    "pain_trend": "better",
    "quota_done": "done",
    "daily_activities_resumed": True,
    "moving_ok": True,
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[SQLiteStore]:
    with SQLiteStore.open(tmp_path, clock) as opened:
        yield opened


@pytest.fixture
def journey(store: SQLiteStore, clock: FixedClock) -> Journey:
    return Journey(builtin_library(), store, clock, "nl", "BE", plan_from_answers)


def run_due(journey: Journey, facts: Facts) -> list[str]:
    """Holds every conversation due now; returns their flow ids."""
    held = []
    while (conversation := journey.next()) is not None:
        outcome = talk(conversation, facts).outcome
        held.append(conversation.flow_id)
        assert outcome is not None and Journey.goes_on_after(outcome)
    return held


def end_the_episode(journey: Journey, what_helped: str = "moving") -> list[str]:
    """Says the back is fine again and holds the closing talk; returns every message shown."""
    conversation = journey.take_action(BACK_FINE)
    assert conversation is not None and conversation.flow_id == "episode_end"
    turn = conversation.start()
    shown = list(turn.messages)
    while turn.outcome is None:
        turn = answer_like_patient(conversation, turn, {"what_helped": what_helped})
        shown += turn.messages
    return shown


def first_episode_ended(journey: Journey, clock: FixedClock) -> None:
    assert run_due(journey, SELF_CARE_PATH) == ["triage", "education", "plan_setup"]
    clock.advance(days=8)
    run_due(journey, {**SELF_CARE_PATH, **FINE})
    end_the_episode(journey)


def test_the_back_fine_again_ends_the_episode_after_a_closing_talk(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    assert journey.episode_actions() == []  # no episode before the first triage
    run_due(journey, SELF_CARE_PATH)
    assert journey.episode_actions() == [BACK_FINE]
    clock.advance(days=12)
    texts = " ".join(end_the_episode(journey, "plan"))
    assert "meer dan de helft" in texts  # recurrence is common (004:2116-2119)
    assert "112" in texts or "1733" in texts  # the alarm signs and whom to call
    (episode,) = store.episodes()
    assert episode.ended == date(2025, 3, 15)
    assert journey.next() is None  # no check-ins once the back is fine
    clock.advance(days=3)
    assert journey.next() is None
    assert journey.episode_actions() == [PAIN_BACK]
    assert today_lines(journey.today(), builtin_library().content.localizer("nl", "BE")) == [
        builtin_library().content.localizer("nl", "BE").text("journey.episode_ended")
    ]


def test_a_closing_talk_left_half_way_resumes_and_the_episode_runs_until_it_ends(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    run_due(journey, SELF_CARE_PATH)
    conversation = journey.take_action(BACK_FINE)
    assert conversation is not None
    conversation.start()
    assert journey.episode_actions() == []  # a conversation is open
    resumed = journey.next()
    assert resumed is not None and (resumed.flow_id, resumed.resumed) == ("episode_end", True)
    assert store.episodes()[0].ended is None
    talk(resumed, {"what_helped": "time"})
    assert store.episodes()[0].ended == START.date()


def test_the_back_fine_is_not_offered_while_a_doctor_is_needed_today(
    journey: Journey, clock: FixedClock
) -> None:
    run_due(journey, SELF_CARE_PATH)
    clock.advance(days=2)
    checkin = journey.next()
    assert checkin is not None
    outcome = talk(checkin, {"fever": True}).outcome
    assert outcome is not None and outcome.disposition == "gp_today"
    assert journey.episode_actions() == []
    with pytest.raises(ValueError):
        journey.take_action(BACK_FINE)


def test_the_pain_back_triages_again_then_risk_questions_and_the_previous_plan(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    first_episode_ended(journey, clock)
    first_plan = store.current_plan()
    assert first_plan is not None
    clock.advance(days=60)
    triage = journey.take_action(PAIN_BACK)
    assert triage is not None and triage.flow_id == "triage" and not triage.resumed
    back = {**SELF_CARE_PATH, "pain_duration_days": 3}
    talk(triage, back)
    first, second = store.episodes()
    assert first.ended is not None and first.ended < second.onset
    assert second.onset == clock.today() - timedelta(days=3) and second.ended is None
    risk = journey.next()
    assert risk is not None and risk.flow_id == "risk"  # at once: 003:653-656, 003:774-777
    risk_outcome = talk(risk, {"fear_of_movement": True, "low_mood": True}).outcome
    assert risk_outcome is not None
    assert [a.advice for a in risk_outcome.advice] == ["yellow_flags"]
    assert {a.concept for a in risk_outcome.answers} == set(YELLOW)
    education = journey.next()
    assert education is not None and education.flow_id == "education"
    talk(education, back)
    offer = journey.next()
    assert offer is not None and offer.flow_id == "plan_reuse"
    talk(offer, {"reuse_previous_plan": True})
    reused = store.current_plan()
    # The plan taken up again stays; this episode's hard activities are asked once.
    function_part = journey.next()
    assert function_part is not None and function_part.flow_id == "plan_setup"
    assert function_part.session.facts["plan_given"] is True
    talk(function_part, {})
    assert store.current_plan() == reused
    assert journey.next() is None  # screened today; the check-ins follow from tomorrow
    plan = store.current_plan()
    assert plan is not None and plan.start == clock.today() and plan.onset == second.onset
    assert plan.activities == first_plan.activities
    assert journey.today().quotas[0].amount == first_plan.activities[0].baseline
    assert journey.today().day == 3


def test_a_declined_previous_plan_leads_to_a_new_plan_set_up(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    first_episode_ended(journey, clock)
    clock.advance(days=30)
    journey.take_action(PAIN_BACK)
    held = run_due(journey, {**SELF_CARE_PATH, "plan_goal_minutes": 60})
    assert held == ["triage", "risk", "education", "plan_reuse", "plan_setup"]
    plan = store.current_plan()
    assert plan is not None and plan.activities[0].goal == 60 and plan.start == clock.today()


def test_the_first_episode_asks_no_risk_questions_and_offers_no_plan(journey: Journey) -> None:
    assert run_due(journey, SELF_CARE_PATH) == ["triage", "education", "plan_setup"]


def test_an_escalated_triage_after_the_pain_came_back_is_asked_again_and_starts_nothing(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    first_episode_ended(journey, clock)
    clock.advance(days=20)
    triage = journey.take_action(PAIN_BACK)
    assert triage is not None
    outcome = talk(triage, {**SELF_CARE_PATH, "fever": True}).outcome
    assert outcome is not None and outcome.disposition == "gp_today"
    assert len(store.episodes()) == 1
    clock.advance(days=1)
    again = journey.next()
    assert again is not None and again.flow_id == "triage"
    talk(again, SELF_CARE_PATH)
    assert len(store.episodes()) == 2


def test_milestones_count_from_the_new_onset_and_once_only_advice_fires_again(
    journey: Journey, store: SQLiteStore, clock: FixedClock
) -> None:
    run_due(journey, SELF_CARE_PATH)  # onset two days before START
    clock.advance(days=6)  # day 8
    checkin = journey.next()
    assert checkin is not None
    assert _fired(talk(checkin, {**SELF_CARE_PATH, **SEVERE}).outcome) >= {"day7_still_severe"}
    clock.advance(days=1)
    checkin = journey.next()
    assert checkin is not None
    assert "day7_still_severe" not in _fired(talk(checkin, {**SELF_CARE_PATH, **SEVERE}).outcome)
    end_the_episode(journey)
    clock.advance(days=40)
    journey.take_action(PAIN_BACK)
    run_due(journey, {**SELF_CARE_PATH, "pain_duration_days": 1, "reuse_previous_plan": True})
    clock.advance(days=5)  # day 6 of the new episode: too early for the day-7 rule
    checkin = journey.next()
    assert checkin is not None and store.session(checkin.key).inputs["day"] == 6
    assert "day7_still_severe" not in _fired(talk(checkin, {**SELF_CARE_PATH, **SEVERE}).outcome)
    clock.advance(days=1)
    checkin = journey.next()
    assert checkin is not None and store.session(checkin.key).inputs["day"] == 7
    assert "day7_still_severe" in _fired(talk(checkin, {**SELF_CARE_PATH, **SEVERE}).outcome)


def _fired(outcome: Outcome | None) -> set[str]:
    assert outcome is not None
    return {a.rule for a in outcome.advice}
