"""From a finished plan set-up conversation (``flows/plan_setup.yaml``) to the patient's plan.

Pure: no clock, no storage. The driver passes the answers of the finished session by
question id (``{a.question: a.value for a in outcome.answers}``), today's date as the
start, and the episode's onset if known.

Policy (clinical brief section 4):

- **Schedule.** The quota rises every :data:`STEP_EVERY_DAYS` = 3 days (the brief: "e.g.
  every 2-3 days") and reaches the goal within :data:`WEEKS` = 8 weeks (the brief and
  000:1689, 000:1718-1720: "6-12 weeks"; 8 is the low-middle of that range, for a plan
  the patient makes alone; a physiotherapist can write a longer one). With these
  numbers the quota rises 18 times and the goal is reached on day 54.
- **Activity and unit** come from :data:`ACTIVITY_UNITS` and :data:`UNIT_QUESTIONS`, the
  one place that ties the flow's question ids to the plan model. "I don't know" to the
  activity means walking (:data:`DEFAULT_KIND`); the flow tells the patient so.
- **Baseline**: the three ordinary days now. "I don't know" is left out of the average;
  0 is kept ("I did not do it yesterday" is a true ordinary day, and keeping it keeps the
  start at or below what the patient does now). The average is rounded down, at least
  1 unit (:func:`companion.care.plan.baseline_from`). When no day is above 0 (all unknown or
  0) the plan starts at the smallest quota, 1 unit: safe, because it is never more than
  the patient can do now, and the quota then rises by the calendar.
- **Goal**: the usual level before the back pain. When it is unknown, or below the
  baseline (the patient already does more than before), the goal is the baseline: the
  plan holds steady at what the patient does now, which still keeps the activity going
  on bad-pain days, until a physiotherapist re-bases it.
- **No plan** (``None``) only when nothing is known to build on: the goal is unknown and
  no baseline day is above 0. A plan of "1 unit a day, for ever" would mean nothing.
  The flow ends in ``end_no_plan`` in exactly this case and says so.
- An answer that is not a whole number in the question's range (the flow's ranges,
  repeated in :data:`UNIT_QUESTIONS`) counts as unknown, so stored answers from an
  older flow cannot make an impossible plan.
- The quota never depends on pain: nothing here reads a pain answer, and
  :func:`companion.care.plan.quota_on` takes none.
- **Function** (issue 13 item 5): up to three daily activities that are hard now, in
  the patient's own words, each rated 0-10 (:func:`named_activities`). They are kept
  as the answers of the plan set-up session (no table of their own) and never change
  the plan; the weekly check-in asks their ratings again (:func:`function_inputs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from companion.care.plan import ActivityKind, Plan, Unit, baseline_from, generate_plan
from companion.dialogue.conditions import UNKNOWN, AnswerValue

STEP_EVERY_DAYS = 3
"""Days between two rises of the quota (brief section 4: "e.g. every 2-3 days")."""
WEEKS = 8
"""Weeks to reach the goal (brief section 4, 000:1689, 000:1718-1720: "6-12 weeks")."""

ACTIVITY_QUESTION = "plan_activity"
DEFAULT_KIND: ActivityKind = "walking"
"""The activity when the patient answered "I don't know" (the flow says so)."""

SMALLEST_BASELINE = 1
"""The quota a plan starts at when no ordinary day was above 0 (the plan model needs > 0)."""

ACTIVITY_UNITS: dict[ActivityKind, Unit] = {
    "walking": "minutes",
    "cycling": "minutes",
    "housework": "minutes",
    "standing": "minutes",
    "sitting": "minutes",
    "exercises": "repetitions",
    "work_hours": "hours",
}
"""The options of ``plan_activity`` and the unit each activity's quota counts."""


@dataclass(frozen=True)
class UnitQuestions:
    """The flow's questions for one unit, and their answer ranges."""

    baselines: tuple[str, str, str]
    goal: str
    baseline_range: tuple[int, int]
    goal_range: tuple[int, int]


UNIT_QUESTIONS: dict[Unit, UnitQuestions] = {
    "minutes": UnitQuestions(
        baselines=("plan_baseline_minutes_1", "plan_baseline_minutes_2", "plan_baseline_minutes_3"),
        goal="plan_goal_minutes",
        baseline_range=(0, 600),
        goal_range=(1, 600),
    ),
    "repetitions": UnitQuestions(
        baselines=(
            "plan_baseline_repetitions_1",
            "plan_baseline_repetitions_2",
            "plan_baseline_repetitions_3",
        ),
        goal="plan_goal_repetitions",
        baseline_range=(0, 200),
        goal_range=(1, 200),
    ),
    "hours": UnitQuestions(
        baselines=("plan_baseline_hours_1", "plan_baseline_hours_2", "plan_baseline_hours_3"),
        goal="plan_goal_hours",
        baseline_range=(0, 12),
        goal_range=(1, 12),
    ),
}


@dataclass(frozen=True)
class NamedActivity:
    """A daily activity that is hard now, in the patient's own words, and its 0-10 rating
    at plan set-up (None: not rated, "I don't know")."""

    slot: int
    """1, 2 or 3: which of the patient's activities (the check-in asks them by slot)."""
    name: str
    score: int | None


FUNCTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("function_activity_1", "function_score_1"),
    ("function_activity_2", "function_score_2"),
    ("function_activity_3", "function_score_3"),
)
"""(activity, rating) question ids of the function part, by slot; the check-in's inputs
for the activities and its rating questions have the same names."""
FUNCTION_SCORE_RANGE = (0, 10)
"""0 = cannot do it at all, 10 = as before the back pain (brief section 4: function is the
measure, 002:1644-1650; 004:3432-3437)."""


def named_activities(answers: Mapping[str, AnswerValue]) -> list[NamedActivity]:
    """The activities the patient named at plan set-up, in order; the list ends at the
    first slot left empty ("nothing (more)"), as the flow does."""
    named: list[NamedActivity] = []
    for slot, (activity, score) in enumerate(FUNCTION_QUESTIONS, start=1):
        name = answers.get(activity)
        if not isinstance(name, str) or name in ("", UNKNOWN):
            break
        named.append(NamedActivity(slot, name, function_score(answers.get(score))))
    return named


def function_score(value: AnswerValue | None) -> int | None:
    """A rating 0-10, else None ("I don't know", missing, or out of range)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    low, high = FUNCTION_SCORE_RANGE
    return value if low <= value <= high else None


def function_inputs(activities: list[NamedActivity]) -> dict[str, AnswerValue]:
    """The check-in's ``function_activity_N`` inputs: the names, so it asks their ratings."""
    return {FUNCTION_QUESTIONS[a.slot - 1][0]: a.name for a in activities}


class SetupResult(NamedTuple):
    """The plan (or None) and which policy rules shaped it, for the record."""

    plan: Plan | None
    notes: tuple[str, ...]


def plan_from_answers(
    answers: Mapping[str, AnswerValue], start: date, onset: date | None
) -> Plan | None:
    """The patient's plan from a finished plan set-up session, or None (see the module)."""
    return plan_setup_result(answers, start, onset).plan


def plan_setup_result(
    answers: Mapping[str, AnswerValue], start: date, onset: date | None
) -> SetupResult:
    """Like :func:`plan_from_answers`, with notes on the policy rules that applied."""
    notes: list[str] = []
    kind = _activity(answers.get(ACTIVITY_QUESTION), notes)
    unit = ACTIVITY_UNITS[kind]
    questions = UNIT_QUESTIONS[unit]

    days = [_amount(answers, q, questions.baseline_range, notes) for q in questions.baselines]
    known = [amount for amount in days if amount is not None]
    goal = _amount(answers, questions.goal, questions.goal_range, notes)

    if goal is None and not any(amount > 0 for amount in known):
        notes.append("no plan: goal unknown and no ordinary day above 0")
        return SetupResult(None, tuple(notes))
    if not any(amount > 0 for amount in known):
        notes.append(f"no ordinary day above 0: the plan starts at {SMALLEST_BASELINE} {unit}")
        known = [SMALLEST_BASELINE]
    baseline = baseline_from(known)
    if goal is None:
        notes.append("goal unknown: the plan holds at the baseline")
        goal = baseline
    elif goal < baseline:
        notes.append(f"goal {goal} below baseline {baseline}: the plan holds at the baseline")
        goal = baseline
    if onset is not None and onset > start:
        notes.append(f"onset {onset.isoformat()} after the start: left out")
        onset = None

    plan = generate_plan(
        known,
        goal,
        start,
        kind=kind,
        unit=unit,
        step_every_days=STEP_EVERY_DAYS,
        weeks=WEEKS,
        onset=onset,
        created_by="patient",
    )
    return SetupResult(plan, tuple(notes))


def _activity(value: AnswerValue | None, notes: list[str]) -> ActivityKind:
    for kind in ACTIVITY_UNITS:
        if value == kind:
            return kind
    notes.append(f"activity {value!r}: {DEFAULT_KIND}")
    return DEFAULT_KIND


def _amount(
    answers: Mapping[str, AnswerValue],
    question: str,
    allowed: tuple[int, int],
    notes: list[str],
) -> int | None:
    """A whole number in the question's range, else None ("I don't know")."""
    value = answers.get(question)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    low, high = allowed
    if not low <= value <= high:
        notes.append(f"{question}: {value} is outside {low}-{high}, counted as unknown")
        return None
    return value
