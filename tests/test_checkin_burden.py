"""How many questions a check-in asks (clinical brief section 5, "Check-in screening").

A list question counts as one; the questions that follow a "yes" or "not sure" to a
list, and modifiers asked again (age, onset), do not count. An ordinary check-in
(no sign, no full screen) asks at most 8 questions; one with the full screen and the
yellow flags at most 25.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from companion.commands.simulate import Vignette, run_vignette
from companion.commands.timeline import CheckinResult
from companion.resources import builtin_library

TIMELINES = Path(__file__).resolve().parent / "timelines"
MODIFIERS = {"age", "pain_duration_days", "sex"}
ORDINARY_LIMIT = 8
FULL_SCREEN_LIMIT = 25
WELL: dict[str, Any] = {
    "quota_done": "done",
    "pain_now": 2,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def listed_by() -> dict[str, set[str]]:
    """For each list question of the check-in, the signs it may name."""
    flow = builtin_library().flows["checkin"].flow
    return {q.concept: {i.concept for i in q.items} for q in flow.questions().values() if q.items}


def counted(result: CheckinResult) -> list[str]:
    """The questions that count towards the burden, in the order asked."""
    lists = listed_by()
    follow_ups: set[str] = set()
    counts = []
    for concept in result.asked:
        if concept in MODIFIERS or concept in follow_ups:
            continue
        follow_ups |= lists.get(concept, set())
        counts.append(concept)
    return counts


def daily_for_four_weeks(locale: str, age: int | None) -> list[CheckinResult]:
    facts: dict[str, Any] = {"sex": "female", "pain_duration_days": 2}
    if age is not None:
        facts["age"] = age
    vignette = Vignette.model_validate(
        {
            "id": "fine",
            "locale": locale,
            "facts": facts,
            "unknown": [] if age is not None else ["age"],
            "unspecified": "no",
            "checkins": [{"day": day, "facts": WELL} for day in range(3, 31)],
        }
    )
    result = run_vignette(vignette, builtin_library(), Path("fine.json"))
    assert result.disposition == "self_care"
    return result.checkins


@pytest.mark.parametrize("locale", ["nl", "fr"])
@pytest.mark.parametrize("age", [30, 47, 60, None], ids=lambda a: f"age{a}")
def test_a_patient_doing_fine_is_asked_little(locale: str, age: int | None) -> None:
    checkins = daily_for_four_weeks(locale, age)
    assert all(c.advice == [] for c in checkins)
    ordinary = [len(counted(c)) for c in checkins if not c.full_screen]
    full = {c.day: len(counted(c)) for c in checkins if c.full_screen}
    assert max(ordinary) <= ORDINARY_LIMIT
    assert max(full.values()) <= FULL_SCREEN_LIMIT
    # Weekly after the triage on day 2: days 9, 16, 23 and 30.
    assert sorted(full) == [9, 16, 23, 30]
    # The yellow flags come with the full screen from day 14 only.
    assert full[16] - full[9] == 6


def test_an_ordinary_checkin_asks_two_lists_and_the_routine() -> None:
    (first, *_) = daily_for_four_weeks("nl", 30)
    assert first.asked == [
        "emergency_signs",
        "same_day_signs",
        "quota_done",
        "pain_now",
        "pain_trend",
        "daily_activities_resumed",
        "moving_ok",
        "work_affected",
    ]


def test_follow_ups_after_a_yes_to_a_list_do_not_count() -> None:
    vignette = Vignette.model_validate(
        {
            "id": "legs",
            "locale": "nl",
            "facts": {"age": 30, "sex": "male", "pain_duration_days": 2},
            "checkins": [{"day": 9, "facts": {**WELL, "leg_numbness_tingling": True}}],
        }
    )
    (checkin,) = run_vignette(vignette, builtin_library(), Path("legs.json")).checkins
    assert {"leg_pain_below_knee", "leg_numbness_tingling", "leg_weakness"} <= set(checkin.asked)
    assert "leg_numbness_tingling" not in counted(checkin)
    assert len(counted(checkin)) <= FULL_SCREEN_LIMIT


@pytest.mark.parametrize("name", ["tl-07-nl-fine-four-weeks", "tl-08-fr-fine-four-weeks"])
def test_the_shipped_four_week_timelines_stay_within_the_limits(name: str) -> None:
    vignette = Vignette.model_validate_json((TIMELINES / f"{name}.json").read_text("utf-8"))
    result = run_vignette(vignette, builtin_library(), Path(name))
    assert result.matched
    for checkin in result.checkins:
        limit = FULL_SCREEN_LIMIT if checkin.full_screen else ORDINARY_LIMIT
        assert len(counted(checkin)) <= limit, (checkin.day, checkin.asked)
