"""The professional's summary: where the episode stands, for a physiotherapist or GP.

:func:`summarise` turns the report's data (:mod:`companion.reports.data`) and what the journey
knows (:class:`JourneyFacts`: the onset as corrected at a check-in, whether the plan is paused,
which urgent advice the patient reported acting on) into a typed
:class:`ProfessionalSummary`; :mod:`companion.reports.professional` words and lays it out.
Nothing here reads the store, so each piece can be fed from new data (per-activity "done?",
function scores, a support level) without touching the layout.

Rules (README, "The professional's report"):

- **Open escalation**: a triage or check-in that ended in ``emergency``, ``gp_today`` or
  ``gp_soon`` whose advice the patient has not reported acting on (the app's "I contacted my
  doctor", a ``contacted_gp`` event). Most urgent first, then newest first.
- **Condensed red flags**: per screen, only the answers that are not a plain "no" (yes, "I
  don't know", anything else); a list question ("any of these?") only when none of its signs
  explains it. Modifiers (age, sex, duration) only when unknown.
- **NHG step** (004:1217-1255, table 5) the milestones point to: step 4 once the day-84 rule
  fired, step 3 once the day-42 rule fired, step 2 from day 21 when the latest pain trend is
  not "better" ("I don't know" or not asked counts as not better), else step 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from companion.care.dispositions import ESCALATING
from companion.care.plan import Plan, quota_on
from companion.dialogue.flow import QuestionState
from companion.journey.journey import CHECKIN, TRIAGE
from companion.reports.data import (
    MODIFIERS,
    CheckIn,
    EpisodePart,
    FunctionTrend,
    MedicineWeek,
    ReportData,
    Screen,
    ShownAnswer,
)
from companion.resources import Library

UNKNOWN = "unknown"
URGENCY = ("emergency", "gp_today", "gp_soon")
"""Escalating dispositions, most urgent first."""
NHG_STEP_OF_RULE = {"day84_chronic": 4, "day42_not_better": 3}
"""Milestone advice rules of ``flows/checkin.yaml`` that point to an NHG step (004 table 5)."""
NHG_STEP_2_FROM_DAY = 21
"""NHG step 2: time-contingent build-up when not enough better after about 3-4 weeks."""


@dataclass(frozen=True)
class JourneyFacts:
    """What the journey knows beyond the stored screens (computed by the caller)."""

    onset: date | None
    """The day the pain began, as corrected by a check-in when triage did not know it."""
    plan_paused: bool
    contacted: frozenset[str] = frozenset()
    """Session keys whose urgent advice the patient reports having acted on."""
    standing: str | None = None
    """The session key of the urgent advice the patient is still shown, if any."""
    support_level: str | None = None
    """The support level placed by the yellow-flag answers (``low``/``medium``/``high``)."""
    support_lines: tuple[str, ...] = ()
    """That level worded for the professional (:mod:`companion.reports.support_summary`)."""


@dataclass(frozen=True)
class ActivityStep:
    """Where one activity of the current plan stands today."""

    index: int
    """The activity's place in the plan (the renderer names it)."""
    step: int
    steps: int
    quota: int
    goal: int
    unit: str


@dataclass(frozen=True)
class PlanStep:
    plan: Plan
    week: int
    """The plan's week today (week 1 starts on the start date; 0 before the start)."""
    paused: bool
    activities: tuple[ActivityStep, ...]


@dataclass(frozen=True)
class NhgStep:
    step: int
    """1-4 (step 5, multidisciplinary rehabilitation, is not decided by time)."""
    rule: str | None = None
    """The milestone rule that points here, if a rule does."""
    on: date | None = None
    """When that rule fired (or the day of the latest pain trend for step 2)."""


@dataclass(frozen=True)
class AdherenceRow:
    """How often one activity (or the whole plan) was done, of the check-ins that asked."""

    label: str | None
    """The activity's name; None: the plan as a whole (one "done?" per check-in)."""
    done: int
    """Check-ins answered done or partly done."""
    asked: int
    plan: int | None = None
    """The plan's number in the history (1 = the first), when the patient had several."""
    since: date | None = None
    """When that plan became current (with :attr:`plan`)."""


@dataclass(frozen=True)
class Point:
    on: date
    day: int | None
    value: int


@dataclass(frozen=True)
class Trend:
    """A 0-10 score over the check-ins: pain, or one function activity."""

    label: str | None
    """None for pain; the activity in the patient's words for a function score."""
    points: tuple[Point, ...]
    judgement: str | None = None
    """The patient's own latest judgement (``better``/``same``/``worse``/``unknown``)."""

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class AdviceGiven:
    at: datetime
    day: int | None
    rule: str
    advice: str
    """The advice id (``gp_soon``, ``physiotherapist``, ...)."""
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Escalation:
    screen: Screen
    contacted: bool
    """The patient reported contacting the doctor about it."""
    standing: bool
    """The companion still shows this advice to the patient at every start."""

    @property
    def open(self) -> bool:
        return not self.contacted


@dataclass(frozen=True)
class FlaggedScreen:
    """A red-flag screen condensed to the answers that were not a plain "no"."""

    screen: Screen
    answers: tuple[ShownAnswer, ...]


@dataclass(frozen=True)
class ProfessionalSummary:
    made_on: date
    episode: EpisodePart | None
    """The episode the summary is about (the latest), when episodes are known."""
    onset: date | None
    day: int | None
    """Days since onset today (day 0 is the day the pain began)."""
    plan_step: PlanStep | None
    nhg: NhgStep
    adherence: tuple[AdherenceRow, ...]
    pain: Trend
    advice: tuple[AdviceGiven, ...]
    escalations: tuple[Escalation, ...]
    """Every escalation of the whole history, oldest first (an earlier episode's too)."""
    flagged: tuple[FlaggedScreen, ...]
    clear: tuple[Screen, ...]
    """Screens where every red-flag answer was a plain "no"."""
    function: tuple[Trend, ...] = field(default=())
    """Function scores per activity (0-10, patient-specific), when there are any."""
    medicine: tuple[MedicineWeek, ...] = field(default=())
    """Painkillers per week, as the weekly check-ins asked (oldest first)."""
    support_level: str | None = None
    """``low``, ``medium`` or ``high`` support, when it has been decided."""
    support_lines: tuple[str, ...] = ()
    """What that level means, when and from which answers it was placed (worded)."""
    screening_questions: frozenset[str] = frozenset()
    """Check-in questions the condensed red flags stand for (list and red-flag questions):
    the details leave them out of the per-check-in answers."""

    @property
    def open_escalations(self) -> list[Escalation]:
        """Escalations not reported as acted on: most urgent first, then newest first."""
        return sorted(
            (e for e in self.escalations if e.open),
            key=lambda e: (_urgency(e.screen.disposition), -e.screen.at.timestamp()),
        )


def _urgency(disposition: str | None) -> int:
    return URGENCY.index(disposition) if disposition in URGENCY else len(URGENCY)


def current_episode(data: ReportData) -> ReportData:
    """What belongs to the latest episode, with the screens after it that started none yet
    (a triage after the pain came back that sent the patient to a doctor first)."""
    if not data.episodes:
        return data
    current = data.of_episode(data.episodes[-1])
    pending = data.of_episode(None).screens
    return replace(current, screens=sorted([*current.screens, *pending], key=lambda s: s.at))


def summarise(data: ReportData, library: Library, facts: JourneyFacts) -> ProfessionalSummary:
    """The summary of one person's latest episode on ``data.made_on``; escalations from the
    whole history, so that none that was not acted on is left out."""
    history = data
    data = current_episode(history)
    today = data.made_on
    onset = facts.onset or data.onset
    advice = advice_given(data.checkins, library)
    pain = pain_trend(data.checkins)
    day = (today - onset).days if onset is not None else None
    flagged = tuple(flagged_screens(data, library))
    return ProfessionalSummary(
        made_on=today,
        episode=history.episodes[-1] if history.episodes else None,
        onset=onset,
        day=day,
        plan_step=plan_step(data.plan, today, facts.plan_paused),
        nhg=nhg_step(day, advice, pain),
        adherence=adherence(data),
        pain=pain,
        advice=tuple(advice),
        escalations=escalations(history.screens, facts),
        flagged=flagged,
        clear=tuple(s for s in data.screens if not any(f.screen is s for f in flagged)),
        screening_questions=frozenset(screening_questions(library)),
        function=tuple(function_trend(f, onset) for f in data.function),
        medicine=tuple(data.medicine),
        support_level=facts.support_level,
        support_lines=facts.support_lines,
    )


# --- the current step --------------------------------------------------------------------


def plan_step(plan: Plan | None, today: date, paused: bool) -> PlanStep | None:
    if plan is None:
        return None
    elapsed = (today - plan.start).days
    steps = []
    for index, activity in enumerate(plan.activities):
        step = min(max(elapsed, 0) // activity.step_every_days, activity.steps)
        steps.append(
            ActivityStep(
                index=index,
                step=step,
                steps=activity.steps,
                quota=quota_on(plan, index, today),
                goal=activity.goal,
                unit=activity.unit,
            )
        )
    week = elapsed // 7 + 1 if elapsed >= 0 else 0
    return PlanStep(plan, week, paused, tuple(steps))


def nhg_step(day: int | None, advice: Sequence[AdviceGiven], pain: Trend) -> NhgStep:
    fired = [(NHG_STEP_OF_RULE[a.rule], a) for a in advice if a.rule in NHG_STEP_OF_RULE]
    if fired:
        step, given = max(fired, key=lambda pair: pair[0])
        return NhgStep(step, given.rule, given.at.date())
    if day is not None and day >= NHG_STEP_2_FROM_DAY and pain.judgement != "better":
        latest = pain.latest
        return NhgStep(2, None, latest.on if latest else None)
    return NhgStep(1)


# --- adherence, trends, advice -------------------------------------------------------------


def adherence(data: ReportData) -> tuple[AdherenceRow, ...]:
    """Adherence per activity of each plan that had check-ins (the plan current on each day);
    with several plans each row names its plan. Without a plan, one row for the whole plan."""
    per_activity = data.activity_adherence()
    several_plans = len({record.plan.number for record in per_activity}) > 1
    if per_activity:
        return tuple(
            AdherenceRow(
                label=record.name,
                done=record.done_or_partly,
                asked=record.days_asked,
                plan=record.plan.number if several_plans else None,
                since=record.plan.since.date() if several_plans else None,
            )
            for record in per_activity
        )
    done, asked = data.adherence
    return (AdherenceRow(None, done, asked),)


def pain_trend(checkins: Sequence[CheckIn]) -> Trend:
    points = tuple(
        Point(c.at.date(), c.day, c.pain_now) for c in checkins if c.pain_now is not None
    )
    judged = [c for c in checkins if _asked_trend(c)]
    return Trend(None, points, _judgement(judged[-1]) if judged else None)


def function_trend(trend: FunctionTrend, onset: date | None) -> Trend:
    """One named activity's 0-10 ratings (plan set-up first; its day counted from onset)."""
    points = tuple(
        Point(r.at.date(), r.day if r.day is not None else _day_of(r.at.date(), onset), r.score)
        for r in trend.ratings
        if r.score is not None
    )
    return Trend(trend.activity, points)


def _day_of(on: date, onset: date | None) -> int | None:
    return (on - onset).days if onset is not None else None


def _asked_trend(checkin: CheckIn) -> bool:
    return checkin.pain_trend is not None or any(a.concept == "pain_trend" for a in checkin.answers)


def _judgement(checkin: CheckIn) -> str:
    return checkin.pain_trend if checkin.pain_trend in ("better", "same", "worse") else UNKNOWN


def advice_given(checkins: Iterable[CheckIn], library: Library) -> list[AdviceGiven]:
    """Every advice the check-ins gave, oldest first, with its advice id from the flow."""
    advice_of = {rule.id: rule.advice for rule in library.flows[CHECKIN].flow.advice}
    return [
        AdviceGiven(c.at, c.day, a.rule, advice_of.get(a.rule, a.rule), tuple(a.messages))
        for c in checkins
        for a in c.advice
    ]


def escalations(screens: Iterable[Screen], facts: JourneyFacts) -> tuple[Escalation, ...]:
    return tuple(
        Escalation(
            screen=s,
            contacted=s.key is not None and s.key in facts.contacted,
            standing=s.key is not None and s.key == facts.standing,
        )
        for s in screens
        if s.disposition in ESCALATING
    )


# --- condensed red flags -------------------------------------------------------------------


def flagged_screens(data: ReportData, library: Library) -> list[FlaggedScreen]:
    found = []
    for screen in data.screens:
        answers = _flagged_answers(screen, data, library)
        if answers:
            found.append(FlaggedScreen(screen, tuple(answers)))
    return found


def _flagged_answers(screen: Screen, data: ReportData, library: Library) -> list[ShownAnswer]:
    """The screen's answers that are not a plain "no", in the order asked."""
    answers = _screening_answers(screen, data, library)
    shown = [a for a in answers if _not_plain_no(a)]
    explained = {a.concept for a in shown}
    lists = _list_items(library, screen.flow_id)
    return [a for a in shown if a.question_id not in lists or not lists[a.question_id] & explained]


def _not_plain_no(answer: ShownAnswer) -> bool:
    if answer.concept in MODIFIERS:
        return bool(answer.value == UNKNOWN)
    return answer.value is not False


def _screening_answers(screen: Screen, data: ReportData, library: Library) -> list[ShownAnswer]:
    """A triage's answers; a check-in's red-flag answers and its list questions."""
    if screen.flow_id == TRIAGE:
        return list(screen.answers)
    checkin = next((c for c in data.checkins if c.at == screen.at), None)
    if checkin is None:
        return list(screen.answers)
    red_flags = _red_flag_concepts(library)
    lists = _list_items(library, screen.flow_id)
    others = [a for a in checkin.answers if a.concept in red_flags or a.question_id in lists]
    seen = {a.question_id for a in screen.answers}
    return [*screen.answers, *(a for a in others if a.question_id not in seen)]


def screening_questions(library: Library) -> set[str]:
    """Question ids of the check-in flow that screen for red flags."""
    red_flags = _red_flag_concepts(library)
    states = library.flows[CHECKIN].flow.states
    lists = _list_items(library, CHECKIN)
    return {
        name
        for name, state in states.items()
        if isinstance(state, QuestionState) and (name in lists or state.concept in red_flags)
    }


def _red_flag_concepts(library: Library) -> set[str]:
    return {
        state.concept
        for state in library.flows[TRIAGE].flow.states.values()
        if isinstance(state, QuestionState) and state.concept not in MODIFIERS
    }


def _list_items(library: Library, flow_id: str) -> dict[str, set[str]]:
    """Red-flag list questions of a flow ("any of these signs?") and the concepts of their
    signs; lists of other things (the plan's activities, painkillers) are not screens."""
    flow = library.flows.get(flow_id)
    if flow is None:
        return {}
    red_flags = _red_flag_concepts(library)
    return {
        name: concepts
        for name, state in flow.flow.states.items()
        if isinstance(state, QuestionState)
        for concepts in [{item.concept for item in state.items}]
        if concepts & red_flags
    }
