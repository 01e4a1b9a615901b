"""Where an episode's red-flag screening stands: what the next check-in is told.

Clinical brief section 5, "Check-in screening" (policy). The journey (a real
patient) and the timeline runner (`companion simulate`) both describe the
earlier screens of an episode as :class:`Screen` records and ask
:func:`checkin_inputs` for the inputs the check-in flow declares:

- ``weekly_screen_due``: 7 days or more since the last *completed* full screen.
  A triage that ended in ``self_care`` is one, on the triage day; a check-in is
  one when it had the full screen and was not cut short by ``emergency`` or
  ``gp_today``;
- ``known_<concept>``: the concept was answered yes at an earlier screen of the
  episode (the flow declares these for the past-history signs, which are then
  not asked again and keep counting);
- ``reported_<concept>``: a sign already reported: answered yes at a screen whose
  result was ``gp_soon`` or more urgent, and not answered no at a completed full
  screen since. It raises no ``gp_soon`` again;
- ``radicular``: a leg sign yes at triage or at a later completed full screen;
  ``radicular_at_last_screen``: a leg sign yes at the latest completed full screen;
- ``age``: the latest age answered; "I don't know" once a check-in asked again;
  left out while no check-in asked, so the flow asks at the next full screen.

The names are generic (``known_``/``reported_`` + concept id): a flow that
screens a new sign declares the input and this module fills it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from companion.care.dispositions import ESCALATING, URGENT
from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.flow import Flow, YesNoAnswer

FULL_SCREEN_INTERVAL_DAYS = 7
"""The full red-flag screen comes back at least this often (brief: weekly)."""
REPORTED_FROM = ESCALATING
"""Results after which the patient was told about the signs answered yes."""
CUT_SHORT_BY = URGENT
"""Results that end a check-in before its full screen is complete."""
RADICULAR_CONCEPTS = ("leg_pain_below_knee", "leg_numbness_tingling", "leg_weakness")
KNOWN_PREFIX = "known_"
REPORTED_PREFIX = "reported_"


@dataclass(frozen=True)
class Screen:
    """One finished triage or check-in of the episode, oldest first."""

    day: int
    """Days since onset when it was held."""
    disposition: str | None
    answers: Mapping[str, AnswerValue]
    """By concept id; a list question answered no counts as no to each of its signs."""
    full: bool
    """Whether it completed the full red-flag screen."""
    asked_again: frozenset[str] = frozenset()
    """Modifiers this screen asked again (a check-in's age or onset)."""


def triage_screen(answers: Mapping[str, AnswerValue], disposition: str | None, day: int) -> Screen:
    return Screen(
        day=day, disposition=disposition, answers=answers, full=disposition == "self_care"
    )


def checkin_screen(
    flow: Flow,
    answers_by_question: Mapping[str, AnswerValue],
    disposition: str | None,
    day: int,
    had_full_screen: bool,
) -> Screen:
    questions = flow.questions()
    by_concept = list_answers_by_concept(flow, answers_by_question)
    return Screen(
        day=day,
        disposition=disposition,
        answers=by_concept,
        full=had_full_screen and disposition not in CUT_SHORT_BY,
        asked_again=frozenset(questions[q].concept for q in answers_by_question if q in questions)
        & {"age", "pain_duration_days"},
    )


def list_answers_by_concept(
    flow: Flow, answers_by_question: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """Answers by concept; a "no" to a list question is a "no" to each sign it lists
    (a yes/no concept: "did you do all of these?" answered no says nothing of each)."""
    questions = flow.questions()
    signs = {q.concept for q in questions.values() if isinstance(q.answer, YesNoAnswer)}
    by_concept: dict[str, AnswerValue] = {}
    for question_id, value in answers_by_question.items():
        question = questions.get(question_id)
        if question is None:
            continue
        by_concept[question.concept] = value
        if value is False and question.is_list:
            for item in question.items:
                if item.concept in signs:
                    by_concept.setdefault(item.concept, False)
    # An individual answer wins over what a list implied.
    for question_id, value in answers_by_question.items():
        question = questions.get(question_id)
        if question is not None and not question.is_list:
            by_concept[question.concept] = value
    return by_concept


def full_screen_due(day: int, screens: Sequence[Screen]) -> bool:
    last = last_full_screen(screens)
    return last is None or day - last.day >= FULL_SCREEN_INTERVAL_DAYS


def last_full_screen(screens: Sequence[Screen]) -> Screen | None:
    completed = [s for s in screens if s.full]
    return completed[-1] if completed else None


def reported_signs(screens: Sequence[Screen]) -> set[str]:
    reported: set[str] = set()
    for screen in screens:
        if screen.full:
            reported -= {c for c, v in screen.answers.items() if v is False}
        if screen.disposition in REPORTED_FROM:
            reported |= {c for c, v in screen.answers.items() if v is True}
    return reported


def known_yes(screens: Sequence[Screen]) -> set[str]:
    return {c for s in screens for c, v in s.answers.items() if v is True}


def is_radicular(screen: Screen) -> bool:
    return any(screen.answers.get(c) is True for c in RADICULAR_CONCEPTS)


def latest_age(screens: Sequence[Screen]) -> AnswerValue | None:
    """The latest age given; "I don't know" once a check-in asked again; else None."""
    ages = [s.answers["age"] for s in screens if "age" in s.answers]
    known = [a for a in ages if isinstance(a, int) and not isinstance(a, bool)]
    if known:
        return known[-1]
    if any("age" in s.asked_again for s in screens):
        return UNKNOWN
    return None


def checkin_inputs(
    flow: Flow, day: int, screens: Sequence[Screen], onset_known: bool
) -> dict[str, AnswerValue]:
    """The inputs ``flow`` declares, for a check-in on ``day`` after ``screens``."""
    last = last_full_screen(screens)
    known = known_yes(screens)
    reported = reported_signs(screens)
    values: dict[str, AnswerValue] = {
        "day": day,
        "onset_known": onset_known,
        "weekly_screen_due": full_screen_due(day, screens),
        "radicular": any(is_radicular(s) for s in screens if s.full or s is screens[0]),
        "radicular_at_last_screen": last is not None and is_radicular(last),
    }
    age = latest_age(screens)
    if age is not None:
        values["age"] = age
    inputs: dict[str, AnswerValue] = {}
    for name in flow.inputs:
        if name.startswith(KNOWN_PREFIX):
            inputs[name] = name.removeprefix(KNOWN_PREFIX) in known
        elif name.startswith(REPORTED_PREFIX):
            inputs[name] = name.removeprefix(REPORTED_PREFIX) in reported
        elif name in values:
            inputs[name] = values[name]
    return inputs
