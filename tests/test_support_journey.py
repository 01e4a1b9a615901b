"""Stratified support in the journey: the check-in with the yellow flags places the patient,
the ``yellow_flags`` advice speaks the level's words, the plain conversation shows the level,
and :func:`current_support` gives it to the reports (issue 13, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.journey.journey import Journey
from companion.journey.support_level import current_support
from companion.plain import run_journey
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from tests.patients import after_self_care_path, talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Triage on day 2 of the pain: day 14 is 12 days later."""
ROUTINE = {
    "quota_done": "done",
    "pain_now": 5,
    "pain_trend": "same",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}
MEDIUM = {**ROUTINE, "fear_of_movement": True, "worry_often": True}
HIGH = {**MEDIUM, "low_mood": True, "expects_no_recovery": True}


@pytest.fixture
def library() -> Library:
    return builtin_library()


def checkin_on(
    library: Library, folder: Path, day: int, facts: dict[str, object], language: str = "nl"
) -> Journey:
    """A check-in ``day`` days after the onset, answered from ``facts``."""
    clock = FixedClock(START + timedelta(days=day - 2))
    with Store.open(folder, clock=clock) as store:
        journey = Journey(library, store, clock, language, None, plan_from_answers)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == "checkin"
        talk(conversation, facts)  # type: ignore[arg-type]
    return journey


def support_now(folder: Path, day: int) -> str | None:
    with Store.open(folder, clock=FixedClock(START + timedelta(days=day))) as store:
        placed = current_support(store)
        return None if placed is None else placed.support.level


def stored_yellow_flags_advice(folder: Path) -> list[str]:
    with Store.open(folder, clock=FixedClock(START)) as store:
        latest = store.latest_finished(("checkin",))
        assert latest is not None and latest.outcome is not None
        return [key for a in latest.outcome.advice if a.advice == "yellow_flags"
                for key in a.message_keys]  # fmt: skip


def test_no_level_before_the_yellow_flags_are_asked(library: Library, tmp_path: Path) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    checkin_on(library, folder, 9, HIGH)
    assert support_now(folder, 9) is None


@pytest.mark.parametrize(
    ("facts", "level", "advice_key"),
    [
        (MEDIUM, "medium", "checkin.advice.yellow_flags_medium"),
        (HIGH, "high", "checkin.advice.yellow_flags_high"),
    ],
)
def test_the_day_14_checkin_places_the_level_and_the_advice_speaks_its_words(
    library: Library, tmp_path: Path, facts: dict[str, object], level: str, advice_key: str
) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    checkin_on(library, folder, 14, facts)
    assert support_now(folder, 14) == level
    assert stored_yellow_flags_advice(folder) == [advice_key]


def test_one_yellow_flag_is_the_low_level_without_the_yellow_flags_advice(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    checkin_on(library, folder, 14, {**ROUTINE, "low_mood": True})
    assert support_now(folder, 14) == "low"
    assert stored_yellow_flags_advice(folder) == []


def test_the_level_stands_until_a_later_checkin_asks_the_yellow_flags_again(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    checkin_on(library, folder, 14, HIGH)
    checkin_on(library, folder, 15, ROUTINE)  # no full screen: no yellow flags
    assert support_now(folder, 15) == "high"
    checkin_on(library, folder, 21, ROUTINE)  # the weekly screen, every flag no
    assert support_now(folder, 21) == "low"


def plain_checkin(
    library: Library, folder: Path, day: int, language: str, typed: dict[str, str]
) -> str:
    """The plain conversation on ``day``, typed in words; everything it said."""
    clock = FixedClock(START + timedelta(days=day - 2))
    default = {"nl": "nee", "fr": "non"}[language]
    questions = library.flows["checkin"].flow.questions().values()
    shown = library.content.localizer(language)
    concept_of = {shown.text(q.text): q.concept for q in questions}
    lines: list[str] = []

    def reply(_: str) -> str:
        # a list question shows its signs below the question: match the question's start
        for line in reversed(lines):
            for text, concept in concept_of.items():
                if line.startswith(text):
                    return typed.get(concept, default)
        raise AssertionError("no question was shown before the prompt")

    with Store.open(folder, clock=clock) as store:
        journey = Journey(library, store, clock, language, None, plan_from_answers)
        texts = library.content.localizer(language, store.settings().get("region"))
        status = run_journey(journey, texts, ask=reply, say=lines.append)
    assert status == 0
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("language", "region", "typed"),
    [
        ("nl", "NL", {"fear_of_movement": "ja", "worry_often": "ja, vaak", "pain_now": "5",
                      "pain_trend": "2", "quota_done": "1", "daily_activities_resumed": "ja",
                      "moving_ok": "ja"}),
        ("fr", "BE", {"fear_of_movement": "oui", "worry_often": "oui", "pain_now": "5",
                      "pain_trend": "2", "quota_done": "1", "daily_activities_resumed": "oui",
                      "moving_ok": "oui"}),
    ],
)  # fmt: skip
def test_the_plain_conversation_shows_the_advice_and_the_level_in_the_patients_language(
    library: Library, tmp_path: Path, language: str, region: str, typed: dict[str, str]
) -> None:
    folder = after_self_care_path(library, tmp_path, START, language, region)
    said = plain_checkin(library, folder, 14, language, typed)
    texts = library.content.localizer(language, region)
    # every milestone advice reaches the plain terminal too (it used to show none)
    assert texts.text("checkin.advice.day14_not_better") in said
    assert texts.text("checkin.advice.yellow_flags_medium") in said
    assert texts.text("checkin.advice.day14_yellow_flags") not in said
    assert texts.text("support.level.medium") in said
    assert said.index(texts.text("checkin.advice.yellow_flags_medium")) < said.index(
        texts.text("support.level.medium")
    )


def test_an_ordinary_checkin_says_no_level(library: Library, tmp_path: Path) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    said = plain_checkin(library, folder, 9, "nl", {"pain_now": "3", "pain_trend": "1",
                                                    "quota_done": "1"})  # fmt: skip
    texts = library.content.localizer("nl", "NL")
    assert all(texts.text(f"support.level.{lvl}") not in said for lvl in ("low", "medium", "high"))


def test_the_professional_reads_the_level_its_meaning_and_the_answers_that_placed_it(
    library: Library, tmp_path: Path
) -> None:
    from companion.reports.support_summary import support_summary

    folder = after_self_care_path(library, tmp_path, START, "fr", "BE")
    texts = library.content.localizer("fr", "BE")
    with Store.open(folder, clock=FixedClock(START)) as store:
        assert support_summary(store, library, texts) == []
    checkin_on(library, folder, 14, HIGH, language="fr")
    with Store.open(folder, clock=FixedClock(START + timedelta(days=13))) as store:
        lines = support_summary(store, library, texts)
    assert lines[1] == texts.text("support.pro.high")
    assert "(jour 14)" in lines[2]
    asked = texts.text("checkin.q.fear_of_movement")
    assert f"- {asked} {texts.text('report.value.yes')}" in lines
    assert len([line for line in lines if line.startswith("- ")]) == 4


def finish_risk_session(folder: Path, day: int, yes: list[str]) -> None:
    """The risk questions of a recurrent episode (flows/risk.yaml, branch episodes13), stored
    as the journey stores any finished conversation."""
    from companion.dialogue.engine import AnswerView, Outcome
    from tests.patients import YELLOW

    answers = [
        AnswerView(question=c, concept=c, question_text=c, value=c in yes, shown=str(c in yes))
        for c in YELLOW
    ]
    outcome = Outcome(
        disposition=None, end_state="end", flags=[], reasons=[], answers=answers, unknown=[],
        messages=[],
    )  # fmt: skip
    with Store.open(folder, clock=FixedClock(START + timedelta(days=day - 2))) as store:
        key = store.start_session("risk", "nl", "NL")
        store.finish_session(key, outcome)


def test_the_latest_of_checkin_and_risk_questions_places_the_level(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    finish_risk_session(
        folder, 3, ["fear_of_movement", "worry_often", "low_mood", "expects_no_recovery"]
    )
    with Store.open(folder, clock=FixedClock(START)) as store:
        placed = current_support(store)
    assert placed is not None and placed.flow_id == "risk" and placed.support.level == "high"
    assert placed.day is None, "the risk questions come before any check-in day"
    checkin_on(library, folder, 14, MEDIUM)
    assert support_now(folder, 14) == "medium"


def test_a_low_level_says_no_answer_counted_instead_of_an_empty_list(
    library: Library, tmp_path: Path
) -> None:
    from companion.reports.support_summary import support_summary

    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    checkin_on(library, folder, 14, ROUTINE)
    texts = library.content.localizer("nl", "NL")
    with Store.open(folder, clock=FixedClock(START + timedelta(days=13))) as store:
        lines = support_summary(store, library, texts)
    assert lines[1] == texts.text("support.pro.low")
    assert lines[-1] == texts.text("support.pro.no_reasons")
    assert texts.text("support.pro.reasons") not in lines
    assert not any(line.startswith("- ") for line in lines)
