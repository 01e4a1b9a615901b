"""What the reports show, collected from the store: typed records, no layout.

This is the only module of :mod:`companion.reports` that reads stored sessions and their outcomes
(:func:`finished_screens`); the report, the GP summary and the FHIR export read the typed records
it returns. Nothing is recomputed from pain, and the quota of a day is the one of the plan that was
current on that day (:func:`companion.care.plan.quota_on`).

- **Adherence**: of the check-ins that asked about the plan (a "done?" answered; a check-in
  cut short by a red flag does not ask), the share answered ``done`` or ``partly``.
- **Adherence per activity** (:meth:`ReportData.activity_adherence`): for each activity of each
  plan in the history, its own "done?" answers at the check-ins made while that plan was current
  (:func:`companion.care.activity_done.done_per_activity`): one :class:`ActivityAdherence` each.
- **Plans**: each check-in belongs to the plan current when it was made (:attr:`CheckIn.plan`, a
  :class:`PlanPeriod`); after a plan change the old plan's check-ins stay with the old plan.
- **Escalation**: a triage or check-in that ended in ``emergency``, ``gp_today`` or ``gp_soon``.
- **Milestones**: the days since onset at which the check-in flow's milestone advice rules start
  (rules ``dayN_...`` with ``{number: day, ge: N}``, clinical brief section 5) that have passed.
- **Function and painkillers** (issue 13 item 5): per daily activity the patient named at the
  latest plan set-up, its 0-10 ratings over time (:func:`function_trends`); per weekly check-in
  the painkillers of the last 7 days (:func:`medicine_weeks`). Information only: nothing decides
  on them.
- **Episodes**: each screen and check-in belongs to one episode
  (:class:`~companion.journey.episodes.EpisodeIndex`); with more than one, the report shows
  each episode with its own plan, check-ins, milestones (from its own onset) and screens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from companion.care.activity_done import (
    ACTIVITY_DONE,
    DONE_ANSWERS,
    WHOLE_PLAN,
    done_per_activity,
)
from companion.care.dispositions import ESCALATING
from companion.care.plan import Plan, quota_on
from companion.care.plan_setup import FUNCTION_QUESTIONS, function_score, named_activities
from companion.dialogue.conditions import (
    UNKNOWN,
    AllCondition,
    AnyCondition,
    Condition,
    NumberCondition,
)
from companion.dialogue.engine import AnswerView
from companion.dialogue.flow import QuestionState
from companion.journey.episodes import EPISODE_END, EpisodeIndex
from companion.journey.journey import CHECKIN, PLAN_SETUP, SCREENS, TRIAGE
from companion.reports.wording import activity_label, answer_text
from companion.resources import Library
from companion.store.protocol import Store
from companion.store.records import StoredPlan
from companion.texts.content import ContentError, Localizer

ESCALATIONS = ESCALATING
"""Results the report lists as escalations (care/dispositions.py)."""
"""Dispositions that send the patient to a doctor (clinical brief section 2)."""
MODIFIERS = frozenset({"age", "sex", "pain_duration_days"})
"""Triage concepts that are not alarm signs themselves."""
DAY_INPUT = "day"
"""The check-in's input that counts the days since onset."""
MILESTONE_RULE = re.compile(r"day(\d+)_")
"""Advice rules named ``dayN_...`` mark a follow-up milestone of the check-in flow."""


# --- the stored record, typed ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredAnswer:
    """One answer as the session stored it (in the session's language)."""

    question: str
    concept: str
    value: Any
    question_text: str | None
    shown: str | None


@dataclass(frozen=True)
class GivenAdvice:
    rule: str
    messages: list[str]


@dataclass(frozen=True)
class FinishedScreen:
    """A finished triage or check-in as stored: the one shape the reports read."""

    flow_id: str
    language: str
    at: datetime
    inputs: dict[str, Any]
    disposition: str | None
    answers: list[StoredAnswer]
    reasons: list[StoredAnswer]
    unknown: set[str]
    """Concepts the patient did not know."""
    advice: list[GivenAdvice]
    episode: int | None = None
    """The episode it belongs to (:class:`EpisodeIndex`), None before any."""
    key: str | None = None
    """The stored session's key (matches the journey's ``contacted_gp`` events)."""


def _stored_answers(given: Sequence[AnswerView]) -> list[StoredAnswer]:
    return [StoredAnswer(a.question, a.concept, a.value, a.question_text, a.shown) for a in given]


def finished_screens(store: Store) -> list[FinishedScreen]:
    """Every finished triage and check-in, oldest first, read into typed records."""
    screens = []
    index = EpisodeIndex.of(store)
    for session in store.finished(SCREENS):
        outcome = session.outcome
        if outcome is None:
            continue  # a stored outcome that does not validate has nothing to show
        screens.append(
            FinishedScreen(
                flow_id=session.flow_id,
                language=session.language,
                at=session.finished_at or session.started_at,
                inputs=dict(session.inputs),
                disposition=outcome.disposition,
                answers=_stored_answers(outcome.answers),
                reasons=_stored_answers(outcome.reasons),
                unknown=set(outcome.unknown),
                advice=[GivenAdvice(g.rule, list(g.messages)) for g in outcome.advice],
                episode=index.episode_of(session),
                key=session.key,
            )
        )
    return screens


# --- what the report shows ----------------------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    question_id: str
    concept: str
    question: str
    """The question in the report's language."""
    value: Any
    shown: str
    """The answer in the report's language."""


@dataclass(frozen=True)
class Screen:
    """A finished triage or check-in: its red-flag answers and its result."""

    flow_id: str
    at: datetime
    disposition: str | None
    red_flags: list[ShownAnswer]
    reasons: list[ShownAnswer]
    unknown: list[ShownAnswer]
    answers: list[ShownAnswer]
    episode: int | None = None
    key: str | None = None
    """The stored session's key, to match what the patient reported doing about it."""


@dataclass(frozen=True)
class Advice:
    rule: str
    messages: list[str]


@dataclass(frozen=True)
class PlanPeriod:
    """One plan of the patient's plan history, from the moment it became current."""

    number: int
    """Its place in the history: 1 = the first plan."""
    plan: Plan
    since: datetime
    """When it became the current plan (made at set-up or imported)."""


@dataclass(frozen=True)
class CheckIn:
    at: datetime
    day: int | None
    disposition: str | None
    quota_done: str | None
    """The "done?" for the whole plan: as answered when asked once; with one answer per
    activity, "done" when all were done, "not" when none was, else "partly"."""
    pain_now: int | None
    pain_trend: str | None
    daily_activities_resumed: bool | None
    quotas: list[int]
    """The quota per activity of the plan current that day."""
    answers: list[ShownAnswer]
    """The "how it goes" answers (the red-flag answers are in the screen)."""
    advice: list[Advice]
    episode: int | None = None
    plan: PlanPeriod | None = None
    """The plan current when the check-in was made (None: there was none)."""
    done: list[str | None] = field(default_factory=list)
    """The "done?" answer of each activity of :attr:`plan` (None: not asked or not known)."""

    def done_of(self, index: int) -> str | None:
        """The "done?" answer of activity ``index`` of the check-in's plan."""
        return self.done[index] if index < len(self.done) else None


@dataclass(frozen=True)
class EpisodePart:
    """One episode of back pain: from the day the pain began to the day it was fine again."""

    id: int
    number: int
    onset: date
    ended: date | None
    plan: Plan | None
    """The plan current at the episode's end (or now)."""
    milestones: list[tuple[int, date]]
    what_helped: str | None
    """The patient's answer to "what helped most", in the report's language."""


@dataclass(frozen=True)
class ActivityAdherence:
    """How one activity of one plan was done: its own "done?" answers at the check-ins made
    while that plan was current. For the professional's summary and the report's tables."""

    plan: PlanPeriod
    activity: int
    """The activity's index in ``plan.plan.activities``."""
    name: str
    """The activity's name in the report's language (the therapist's, else its kind's word)."""
    days_asked: int
    """Check-ins (one a day at most) that asked and got done, partly or not."""
    done: int
    partly: int
    not_done: int

    @property
    def done_or_partly(self) -> int:
        return self.done + self.partly


@dataclass
class ReportData:
    texts: Localizer
    made_on: date
    plan: Plan | None
    onset: date | None
    checkins: list[CheckIn] = field(default_factory=list)
    screens: list[Screen] = field(default_factory=list)
    milestones: list[tuple[int, date]] = field(default_factory=list)
    plans: list[PlanPeriod] = field(default_factory=list)
    """Every plan of the history, oldest first."""
    function: list[FunctionTrend] = field(default_factory=list)
    medicine: list[MedicineWeek] = field(default_factory=list)
    episodes: list[EpisodePart] = field(default_factory=list)

    def of_episode(self, part: EpisodePart | None) -> ReportData:
        """What belongs to one episode (None: the screens that belong to none yet)."""
        wanted = part.id if part is not None else None
        return ReportData(
            texts=self.texts,
            made_on=self.made_on,
            plan=part.plan if part is not None else None,
            onset=part.onset if part is not None else None,
            checkins=[c for c in self.checkins if c.episode == wanted],
            screens=[s for s in self.screens if s.episode == wanted],
            milestones=part.milestones if part is not None else [],
            plans=self.plans,
            # the named activities follow the latest plan set-up: shown with the current episode
            function=self.function if part is not None and part is self.episodes[-1] else [],
            medicine=self.medicine if part is not None and part is self.episodes[-1] else [],
        )

    @property
    def escalations(self) -> list[Screen]:
        return [s for s in self.screens if s.disposition in ESCALATIONS]

    @property
    def adherence(self) -> tuple[int, int]:
        """(check-ins with the plan done or partly done, check-ins that asked about the plan)."""
        asked = [c for c in self.checkins if c.quota_done is not None]
        return sum(c.quota_done in ("done", "partly") for c in asked), len(asked)

    def checkins_under(self, period: PlanPeriod) -> list[CheckIn]:
        """The check-ins made while ``period``'s plan was current."""
        return [c for c in self.checkins if c.plan is period]

    def activity_adherence(self) -> list[ActivityAdherence]:
        """Each activity of each plan that had check-ins, in plan and activity order."""
        records = []
        for period in self.plans:
            checkins = self.checkins_under(period)
            if not checkins:
                continue
            for index in range(len(period.plan.activities)):
                answers = [c.done_of(index) for c in checkins]
                records.append(
                    ActivityAdherence(
                        plan=period,
                        activity=index,
                        name=activity_label(self.texts, period.plan, index),
                        days_asked=sum(a is not None for a in answers),
                        done=answers.count("done"),
                        partly=answers.count("partly"),
                        not_done=answers.count("not"),
                    )
                )
        return records


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Answers:
    """Shows stored answers again in the report's language, from the flows."""

    def __init__(self, library: Library, texts: Localizer) -> None:
        self.library = library
        self.texts = texts

    def shown(
        self,
        flow_id: str,
        stored: StoredAnswer,
        same_language: bool,
        item_words: Mapping[str, str] | None = None,
    ) -> ShownAnswer:
        """``item_words``: what a question about one thing names it by (a plan activity)."""
        flow = self.library.flows.get(flow_id)
        state = flow.flow.states.get(stored.question) if flow else None
        question = stored.question_text if stored.question_text is not None else stored.question
        shown = stored.shown if stored.shown is not None else str(stored.value)
        if isinstance(state, QuestionState):
            try:
                question = self.texts.text(state.text) + self._about(state, item_words or {})
                shown = answer_text(self.texts, stored.value, state)
            except ContentError:
                if not same_language:
                    question, shown = stored.question, str(stored.value)
        return ShownAnswer(stored.question, stored.concept, question, stored.value, shown)

    def _about(self, state: QuestionState, item_words: Mapping[str, str]) -> str:
        """ "(walking)" after "Did you do this today?", as the check-in said it."""
        if state.is_list:
            return ""
        return "".join(
            f" ({item_words.get(item.concept) or self.texts.text(item.text)})"
            for item in state.items
        )


def red_flag_questions(library: Library) -> set[str]:
    """Question ids of the triage flow that screen for an alarm sign."""
    states = library.flows[TRIAGE].flow.states
    return {
        name
        for name, state in states.items()
        if isinstance(state, QuestionState) and state.concept not in MODIFIERS
    }


def _day_thresholds(condition: Condition) -> Iterator[int]:
    if isinstance(condition, NumberCondition):
        if condition.number == DAY_INPUT and condition.ge is not None:
            yield condition.ge
    elif isinstance(condition, AllCondition):
        for part in condition.all:
            yield from _day_thresholds(part)
    elif isinstance(condition, AnyCondition):
        for part in condition.any:
            yield from _day_thresholds(part)


def milestone_days(library: Library) -> tuple[int, ...]:
    """The follow-up milestones, in days since onset, as the check-in flow's advice rules set
    them: each rule ``dayN_...`` starts at its ``{number: day, ge: N}``."""
    days = {
        day
        for rule in library.flows[CHECKIN].flow.advice
        if MILESTONE_RULE.match(rule.id)
        for day in _day_thresholds(rule.when)
    }
    return tuple(sorted(days))


def _activity_names(texts: Localizer, period: PlanPeriod | None) -> dict[str, str]:
    """The name of each activity of the plan, by its check-in "done?" concept."""
    if period is None:
        return {}
    plan = period.plan
    return {
        concept: activity_label(texts, plan, index)
        for index, concept in enumerate(ACTIVITY_DONE[: len(plan.activities)])
    }


def _plan_on(plans: Sequence[PlanPeriod], moment: datetime) -> PlanPeriod | None:
    current = None
    for period in plans:
        if period.since <= moment:
            current = period
    return current


def collect(store: Store, library: Library, texts: Localizer, today: date) -> ReportData:
    """Everything the report shows, from the store."""
    episode = store.current_episode()
    history = store.plan_history()
    data = ReportData(
        texts=texts,
        made_on=today,
        plan=history[-1].plan if history else None,
        onset=episode.onset if episode else None,
        plans=[PlanPeriod(n, stored.plan, stored.at) for n, stored in enumerate(history, 1)],
    )
    shower = _Answers(library, texts)
    red_flags = red_flag_questions(library)
    for stored in finished_screens(store):
        same = stored.language == texts.language
        words = _activity_names(texts, _plan_on(data.plans, stored.at))
        answers = [shower.shown(stored.flow_id, a, same, words) for a in stored.answers]
        screened = (
            answers
            if stored.flow_id == TRIAGE
            else [a for a in answers if a.question_id in red_flags]
        )
        data.screens.append(
            Screen(
                flow_id=stored.flow_id,
                at=stored.at,
                disposition=stored.disposition,
                red_flags=[a for a in screened if a.question_id in red_flags],
                reasons=[shower.shown(stored.flow_id, a, same) for a in stored.reasons],
                unknown=[a for a in answers if a.concept in stored.unknown],
                answers=screened,
                episode=stored.episode,
                key=stored.key,
            )
        )
        if stored.flow_id == CHECKIN:
            data.checkins.append(_checkin(stored, answers, red_flags, data.plans, texts, library))
    data.function = function_trends(store)
    data.medicine = medicine_weeks(store)
    if data.onset is not None:
        data.milestones = _milestones_passed(library, data.onset, today)
    data.episodes = _episode_parts(store, library, texts, history, today)
    return data


def _milestones_passed(library: Library, onset: date, until: date) -> list[tuple[int, date]]:
    return [
        (day, onset + timedelta(days=day))
        for day in milestone_days(library)
        if onset + timedelta(days=day) <= until
    ]


def _episode_parts(
    store: Store, library: Library, texts: Localizer, history: Sequence[StoredPlan], today: date
) -> list[EpisodePart]:
    index = EpisodeIndex.of(store)
    helped: dict[int | None, str] = {}
    closing = library.flows.get(EPISODE_END)
    for session in store.finished((EPISODE_END,)):
        value = session.answer("what_helped")
        state = closing.flow.states.get("what_helped") if closing else None
        if value is not None and isinstance(state, QuestionState):
            helped[index.episode_of(session)] = answer_text(texts, value, state)
    parts = []
    for number, episode in enumerate(index.episodes, 1):
        following = index.episodes[number] if number < len(index.episodes) else None
        last_moment = following.at if following is not None else None
        plans = [p.plan for p in history if last_moment is None or p.at < last_moment]
        parts.append(
            EpisodePart(
                id=episode.id,
                number=number,
                onset=episode.onset,
                ended=episode.ended,
                plan=plans[-1] if plans else None,
                milestones=_milestones_passed(library, episode.onset, episode.ended or today),
                what_helped=helped.get(episode.id),
            )
        )
    return parts


def _advice(stored: FinishedScreen, texts: Localizer, library: Library) -> list[Advice]:
    """The advice given, in the report's language when the rule still says it."""
    rules = {rule.id: rule for rule in library.flows[CHECKIN].flow.advice}
    advice = []
    for given in stored.advice:
        messages = list(given.messages)
        if stored.language != texts.language and given.rule in rules:
            messages = []
            for say in rules[given.rule].say:
                if say.when is None:
                    try:
                        messages.append(texts.text(say.text))
                    except ContentError:
                        continue
        advice.append(Advice(given.rule, messages))
    return advice


def _checkin(
    stored: FinishedScreen,
    answers: list[ShownAnswer],
    red_flags: set[str],
    plans: Sequence[PlanPeriod],
    texts: Localizer,
    library: Library,
) -> CheckIn:
    by_concept = {a.concept: a.value for a in answers}
    period = _plan_on(plans, stored.at)
    plan = period.plan if period else None
    done = done_per_activity(by_concept, len(plan.activities)) if plan else []
    daily = by_concept.get("daily_activities_resumed")
    trend = by_concept.get("pain_trend")
    return CheckIn(
        at=stored.at,
        day=_whole_number(stored.inputs.get(DAY_INPUT)),
        disposition=stored.disposition,
        quota_done=_whole_plan_done(by_concept.get(WHOLE_PLAN), done),
        pain_now=_whole_number(by_concept.get("pain_now")),
        pain_trend=trend if isinstance(trend, str) else None,
        daily_activities_resumed=daily if isinstance(daily, bool) else None,
        quotas=[quota_on(plan, i, stored.at.date()) for i in range(len(plan.activities))]
        if plan
        else [],
        answers=[a for a in answers if a.question_id not in red_flags],
        advice=_advice(stored, texts, library),
        episode=stored.episode,
        plan=period,
        done=done,
    )


def _whole_plan_done(asked_once: Any, per_activity: Sequence[str | None]) -> str | None:
    """The plan's "done?": the one answer when asked once, else what the activities' say."""
    if isinstance(asked_once, str) and asked_once in DONE_ANSWERS:
        return asked_once
    known = [answer for answer in per_activity if answer is not None]
    if not known:
        return None
    if all(answer == "done" for answer in known):
        return "done"
    return "not" if all(answer == "not" for answer in known) else "partly"


# --- function and painkillers (issue 13 item 5) ------------------------------------------------

PAINKILLER_KINDS = {
    "took_paracetamol": "paracetamol",
    "took_anti_inflammatory": "anti_inflammatory",
    "took_other_painkiller": "other",
}
"""The check-in's painkiller questions (concepts) and the kind each asks about."""
PAINKILLERS_LIST = "painkillers_week"
PAINKILLER_DAYS = "painkiller_days"


@dataclass(frozen=True)
class FunctionRating:
    """One 0-10 rating of a named activity: 0 = cannot do it at all, 10 = as before."""

    at: datetime
    day: int | None
    """Days since onset (check-ins); None at plan set-up."""
    score: int | None
    """None: asked and answered "I don't know"."""


@dataclass(frozen=True)
class FunctionTrend:
    """A daily activity that was hard at plan set-up, in the patient's own words (plain text,
    never markup), and its ratings: the set-up's first, then each weekly check-in's."""

    slot: int
    activity: str
    ratings: list[FunctionRating]

    @property
    def scores(self) -> list[int]:
        """The known ratings, oldest first."""
        return [r.score for r in self.ratings if r.score is not None]

    @property
    def change(self) -> int | None:
        """The latest known rating minus the first (positive: it goes better)."""
        known = self.scores
        return known[-1] - known[0] if len(known) >= 2 else None


@dataclass(frozen=True)
class MedicineWeek:
    """The painkillers of the 7 days before a weekly check-in, as the patient said."""

    at: datetime
    day: int | None
    took_any: bool | None
    """False: none; True: one or more; None: not known."""
    kinds: list[str]
    """Kinds answered yes (``paracetamol``, ``anti_inflammatory``, ``other``), in that order."""
    unsure: list[str]
    """Kinds answered "I don't know"."""
    days: int | None
    """Days with a painkiller (0-7), when asked and known."""


def function_trends(store: Store) -> list[FunctionTrend]:
    """Per activity named at the latest plan set-up, its ratings over time."""
    setup = store.latest_finished((PLAN_SETUP,))
    if setup is None or setup.outcome is None:
        return []
    started = setup.finished_at or setup.started_at
    trends = []
    for named in named_activities(setup.answers_by_question()):
        activity_input, score_question = FUNCTION_QUESTIONS[named.slot - 1]
        ratings = [FunctionRating(started, None, named.score)]
        for screen in finished_screens(store):
            rating = _rating(screen, activity_input, score_question, named.name)
            if rating is not None and rating.at >= started:
                ratings.append(rating)
        trends.append(FunctionTrend(named.slot, named.name, ratings))
    return trends


def _rating(
    screen: FinishedScreen, activity_input: str, question: str, name: str
) -> FunctionRating | None:
    """The check-in's rating of the named activity; None when it did not ask it (not a
    weekly check-in, or one of another plan set-up's activities)."""
    if screen.flow_id != CHECKIN or screen.inputs.get(activity_input) != name:
        return None
    day = _whole_number(screen.inputs.get(DAY_INPUT))
    for answer in screen.answers:
        if answer.question == question:
            return FunctionRating(screen.at, day, function_score(answer.value))
    return None


def medicine_weeks(store: Store) -> list[MedicineWeek]:
    """The painkillers of each check-in that asked about them, oldest first."""
    weeks = []
    for screen in finished_screens(store):
        by_concept = {a.concept: a.value for a in screen.answers}
        if screen.flow_id != CHECKIN or PAINKILLERS_LIST not in by_concept:
            continue
        kinds = [kind for c, kind in PAINKILLER_KINDS.items() if by_concept.get(c) is True]
        unsure = [kind for c, kind in PAINKILLER_KINDS.items() if by_concept.get(c) == UNKNOWN]
        every_no = all(by_concept.get(c) is False for c in PAINKILLER_KINDS)
        took_any: bool | None = None
        if kinds:
            took_any = True
        elif by_concept[PAINKILLERS_LIST] is False or every_no:
            took_any = False
        weeks.append(
            MedicineWeek(
                at=screen.at,
                day=_whole_number(screen.inputs.get(DAY_INPUT)),
                took_any=took_any,
                kinds=kinds,
                unsure=unsure,
                days=_whole_number(by_concept.get(PAINKILLER_DAYS)),
            )
        )
    return weeks
