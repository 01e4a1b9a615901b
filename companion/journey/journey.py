"""The patient's path through the flows, stored as it goes.

triage -> (self_care or gp_soon) education -> plan set-up -> a check-in each day, until
the patient says the back is fine again; when the pain comes back, a new episode starts
with its own triage (see :mod:`companion.journey.episodes`).

Every answer a turn accepted is stored before the driver shows that turn, and
a finished conversation's outcome is stored before the next one starts, so an
acknowledged answer survives a crash. On the next start an unfinished
conversation is resumed by replaying its stored answers through a fresh engine
session. Drivers (the plain terminal, later the app) only show turns and pass
answers on; what comes next is decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from companion.care.activity_done import ACTIVITY_DONE, PLAN_ACTIVITIES
from companion.care.dispositions import continues_self_care
from companion.care.plan import Plan, ScheduleDay, next_step, quota_on
from companion.care.plan_setup import function_inputs, named_activities
from companion.care.screening import Screen, checkin_inputs, checkin_screen, triage_screen
from companion.care.support import Support
from companion.clock import Clock, days_since
from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.engine import Outcome, Session, Turn
from companion.dialogue.flow import Flow
from companion.journey.activity_words import activity_words
from companion.journey.episodes import (
    BACK_FINE,
    EPISODE_END,
    PLAN_REUSE,
    RISK,
    available_actions,
    pain_back,
    plan_of_episode,
    previous_plan,
    record_pain_back,
    recurrent,
    restarted,
    running,
)
from companion.journey.modules import (
    ModuleCatalog,
    ModuleError,
    ModuleText,
    load_modules,
    offered_by,
    offered_modules,
    record_offers,
    render,
)
from companion.journey.quota import QuotaReports
from companion.journey.replay import replay
from companion.journey.standing import (
    RecalledAdvice,
    StandingEscalation,
    advice_to_recall,
    last_escalation,
    record_contacted_gp,
    standing_escalation,
)
from companion.journey.support_level import (
    SUPPORT_FLOWS,
    PlacedSupport,
    current_support,
    support_of,
    support_worded,
)
from companion.resources import Library
from companion.store.errors import StorageError
from companion.store.protocol import Store
from companion.store.records import Episode, StoredSession

TRIAGE = "triage"
EDUCATION = "education"
PLAN_SETUP = "plan_setup"
CHECKIN = "checkin"
PLAN_GIVEN = "plan_given"
"""Plan set-up input: a plan is there already, so only the function part is asked."""

SCREENS = (TRIAGE, CHECKIN)
"""The conversations that screen for red flags."""
ONSET_CORRECTED = "onset_corrected"
"""Event: a check-in learned when the pain began, which triage did not know."""

MODULES_UNAVAILABLE = "modules_unavailable"
"""Event: the module list could not be read, so no module was offered."""

RESUME_WITHIN = timedelta(hours=12)
"""An unfinished conversation older than this is set aside and asked again:
red-flag answers from yesterday say little about today."""

# Texts every driver shows around the journey's conversations (`companion check` needs them).
JOURNEY_TEXT_KEYS = (
    "journey.resumed",
    "journey.saved",
    "journey.previous_advice",
    "journey.screen_again",
    "journey.day",
    "journey.today_heading",
    "journey.plan_paused",
    "journey.done_today",
    "journey.unit.minutes",
    "journey.unit.repetitions",
    "journey.unit.hours",
    "journey.episode_ended",
)
JOURNEY_PLACEHOLDERS = frozenset({"day", "count", "activity"})


@dataclass
class Conversation:
    """One running session, stored answer by answer."""

    key: str
    flow_id: str
    session: Session
    resumed: bool
    _store: Store
    _on_finish: Callable[[Outcome], None]
    _first: Turn | None = None
    _shape: Callable[[Outcome], Outcome] | None = None
    """Words the outcome before it is stored and shown (the support level's advice)."""

    def start(self) -> Turn:
        """The turn to show now: the first question, or where a resumed talk left off."""
        if self._first is None:
            self._first = self._keep(self.session.start())
        return self._first

    def answer(self, text: str) -> Turn:
        return self._keep(self.session.answer(text))

    def choose(self, value: str) -> Turn:
        return self._keep(self.session.choose(value))

    def _keep(self, turn: Turn) -> Turn:
        if turn.outcome is not None and self._shape is not None:
            turn = turn.model_copy(update={"outcome": self._shape(turn.outcome)})
        if turn.accepted is not None:
            self._store.record_answer(
                self.key, self.flow_id, turn.accepted.question, turn.accepted.value
            )
        if turn.outcome is not None and self._store.session(self.key).finished_at is None:
            self._store.finish_session(self.key, turn.outcome)
            self._on_finish(turn.outcome)
        return turn


@dataclass(frozen=True)
class Quota:
    kind: str
    name: str | None
    unit: str
    amount: int
    instruction: str | None = None
    """The physiotherapist's instruction, in the patient's language (else the file's first)."""
    times_per_day: int | None = None
    """How often a day; the amount is per time."""


@dataclass(frozen=True)
class Today:
    """Where the episode stands today, for the driver to show."""

    day: int | None
    plan: Plan | None
    quotas: list[Quota]
    """Today's quota per activity; empty while the plan is paused or absent."""
    paused: bool
    """A check-in ended with a red flag: the plan waits until a check-in is clear again."""
    last_triage: Outcome | None
    set_by: str | None = None
    """The physiotherapist who set the plan (name from the plan file), if any."""
    week_note: str | None = None
    """The physiotherapist's note for this week of the plan, in the patient's language."""
    on: date | None = None
    """The day this describes."""
    next_checkin: date | None = None
    """Today until today's check-in is done, then tomorrow; None before the episode began."""
    next_step: ScheduleDay | None = None
    """The next day a day goal rises, with the new goals; None while paused or at the goal."""
    ended: date | None = None
    """The day the patient said the back was fine again: no day goals until the pain is back."""


class Journey:
    """Decides which conversation comes next for one person, in one language and region."""

    def __init__(
        self,
        library: Library,
        store: Store,
        clock: Clock,
        language: str,
        region: str | None,
        plan_from_answers: Callable[[Mapping[str, AnswerValue], date, date | None], Plan | None]
        | None = None,
        modules: ModuleCatalog | None = None,
    ) -> None:
        self._library = library
        self._modules = modules
        self._store = store
        self._clock = clock
        self._language = language
        self._region = region
        self._plan_from_answers = plan_from_answers
        self._reads: dict[str, Any] | None = None
        """While :meth:`next` decides: what it read of the store, read once (nothing it
        does before its answer changes the episode or the plan)."""

    # what comes next -----------------------------------------------------------

    def next(self) -> Conversation | None:
        """The conversation to hold now, or None when nothing is due today."""
        self._reads = {}
        try:
            return self._decide()
        finally:
            self._reads = None

    def _decide(self) -> Conversation | None:
        resumed = self._resume_open()
        if resumed is not None:
            return resumed
        episode = self._current_episode()
        if episode is not None and episode.ended is not None:
            return self._after_the_end(episode)
        triage = self._store.latest_finished((TRIAGE,))
        if triage is None or not continues_self_care(triage.disposition):
            # First time, or the last triage escalated: screen again before anything else.
            return self._begin(TRIAGE, {})
        # A recurrent episode: the risk questions at once (003:653-656, 003:774-777).
        risk_due = RISK in self._library.flows and self._recurrent(episode)
        if risk_due and not self._finished_since(RISK, triage):
            return self._begin(RISK, {})
        if not self._finished_since(EDUCATION, triage):
            return self._begin(EDUCATION, self._education_inputs(triage))
        planning = self._plan_conversation(episode, triage)
        if planning is not None:
            return planning
        # Check-ins re-screen the red flags, so they go on with or without a plan.
        if not self._screened_today():
            return self._begin(CHECKIN, self._checkin_inputs(triage))
        return None

    def _once(self, name: str, read: Callable[[], Any]) -> Any:
        """``read()``, once per decision of :meth:`next` (every time outside it)."""
        if self._reads is None:
            return read()
        if name not in self._reads:
            self._reads[name] = read()
        return self._reads[name]

    def _current_episode(self) -> Episode | None:
        episode: Episode | None = self._once("episode", self._store.current_episode)
        return episode

    def _current_plan(self) -> Plan | None:
        plan: Plan | None = self._once("plan", self._store.current_plan)
        return plan

    def _recurrent(self, episode: Episode | None) -> bool:
        key = f"recurrent:{episode.id if episode else None}"
        return bool(self._once(key, lambda: recurrent(self._store, episode)))

    def _after_the_end(self, episode: Episode) -> Conversation | None:
        """The back was fine again: nothing is due until the patient says the pain is back;
        then a triage, again after an escalation, until one starts the next episode."""
        back = pain_back(self._store, episode)
        if back is None:
            return None
        triage = self._store.latest_finished((TRIAGE,))
        if (
            triage is None
            or triage.started_at < back.at
            or not continues_self_care(triage.disposition)
        ):
            return self._begin(TRIAGE, {})
        return None

    def _plan_conversation(
        self, episode: Episode | None, triage: StoredSession
    ) -> Conversation | None:
        """Plan set-up once per episode; in a recurrent one, first the previous plan's offer.

        With a plan already there (a physiotherapist's, or the previous one taken up again)
        the set-up still asks its function part, once per episode, and keeps that plan."""
        if PLAN_REUSE in self._library.flows and self._reuse_offer_due(episode, triage):
            return self._begin(PLAN_REUSE, {})
        if PLAN_SETUP not in self._library.flows:
            return None
        takes_plan = PLAN_GIVEN in self._library.flows[PLAN_SETUP].flow.inputs
        if self._plan_in_episode(episode) is not None:
            # A set-up that cannot be told of the plan would make a new one over it.
            if not takes_plan or self._set_up_in_episode(episode):
                return None
            return self._begin(PLAN_SETUP, {PLAN_GIVEN: True})
        if self._finished_since(PLAN_SETUP, triage):
            return None
        return self._begin(PLAN_SETUP, {PLAN_GIVEN: False} if takes_plan else {})

    def _reuse_offer_due(self, episode: Episode | None, triage: StoredSession) -> bool:
        """A recurrent episode without a plan yet, and an earlier plan to offer once."""
        if episode is None or not self._recurrent(episode):
            return False
        if plan_of_episode(self._store, episode) is not None:
            return False
        return previous_plan(self._store, episode) is not None and not self._finished_since(
            PLAN_REUSE, triage
        )

    def _plan_in_episode(self, episode: Episode | None) -> Plan | None:
        """The plan the patient follows in this episode: in the first, the current one
        (a physiotherapist may have imported it before the episode began); in a recurrent
        one, only a plan saved since it began."""
        if episode is not None and self._recurrent(episode):
            return plan_of_episode(self._store, episode)
        return self._current_plan()

    def _set_up_in_episode(self, episode: Episode | None) -> bool:
        """A plan set-up finished in this episode (its function part was asked)."""
        if episode is None:
            return self._store.latest_finished((PLAN_SETUP,)) is not None
        return bool(self._store.finished((PLAN_SETUP,), episode=episode.id))

    # the episode: fine again, or the pain is back ----------------------------------

    def episode_actions(self) -> list[str]:
        """What the patient may say about the episode now: :data:`BACK_FINE` while it runs,
        :data:`PAIN_BACK` once it ended; none while a conversation is open or an urgent
        advice is the latest screen's result."""
        return available_actions(self._store, SCREENS, EPISODE_END in self._library.flows)

    def take_action(self, action: str) -> Conversation | None:
        """The conversation that follows what the patient said (ValueError if not offered)."""
        if action not in self.episode_actions():
            raise ValueError(f"'{action}' is not possible now")
        episode = self._current_episode()
        assert episode is not None  # an action is offered only within an episode
        if action == BACK_FINE:
            return self._begin(EPISODE_END, {})
        record_pain_back(self._store, episode)
        return self.next()

    @staticmethod
    def goes_on_after(outcome: Outcome) -> bool:
        """Whether the next conversation may follow at once.

        After an escalation the patient must act on the advice first; the
        companion stops there and screens again at the next start.
        """
        return outcome.disposition is None or continues_self_care(outcome.disposition)

    def last_escalation(self) -> Outcome | None:
        """The stored outcome of the latest triage or check-in if it escalated."""
        return last_escalation(self._store.latest_finished(SCREENS))

    def standing_escalation(self) -> StandingEscalation | None:
        """That escalation while it stands: until the patient reports contacting the doctor."""
        return standing_escalation(self._store, self._store.latest_finished(SCREENS))

    def advice_to_recall(self, coming: Conversation | None) -> RecalledAdvice | None:
        """What to repeat of an earlier urgent advice before ``coming`` (from :meth:`next`)."""
        fresh_triage = coming is not None and coming.flow_id == TRIAGE and not coming.resumed
        return advice_to_recall(self.last_escalation(), self.standing_escalation(), fresh_triage)

    def contacted_gp(self, standing: StandingEscalation) -> None:
        record_contacted_gp(self._store, standing)

    def support_placed_by(self, conversation: Conversation) -> Support | None:
        """The support level a finished conversation placed (after the yellow flags)."""
        return support_of(self._store.session(conversation.key))

    def support(self) -> PlacedSupport | None:
        """The support level now (reports, the practice server)."""
        return current_support(self._store)

    def quota_reports(self) -> QuotaReports:
        return QuotaReports(self._store, self._clock)

    def today(self) -> Today:
        episode = self._current_episode()
        if episode is not None and episode.ended is not None:
            return Today(
                day=None, plan=None, quotas=[], paused=False, last_triage=None, ended=episode.ended
            )
        onset = self.onset()
        day = days_since(onset, self._clock) if onset else None
        plan = self._current_plan()
        paused = self._plan_paused()
        quotas = self._quotas(plan) if plan is not None and not paused else []
        triage = self._store.latest_finished((TRIAGE,))
        today = self._clock.today()
        return Today(
            day=day,
            plan=plan,
            quotas=quotas,
            paused=paused,
            last_triage=triage.outcome if triage else None,
            set_by=plan.therapist.name if plan is not None and plan.therapist else None,
            week_note=(
                plan.note_on(self._clock.today(), self._language)
                if plan is not None and not paused
                else None
            ),
            on=today,
            next_checkin=self._next_checkin(),
            next_step=next_step(plan, today) if plan is not None and not paused else None,
        )

    def _next_checkin(self) -> date | None:
        if self._current_episode() is None:
            return None
        today = self._clock.today()
        return today + timedelta(days=1) if self._screened_today() else today

    def _quotas(self, plan: Plan) -> list[Quota]:
        """Today's amount of each activity of ``plan``, in the patient's language."""
        return [
            Quota(
                kind=activity.kind,
                name=activity.name.label(self._language) if activity.name else None,
                unit=activity.unit,
                amount=quota_on(plan, index, self._clock.today()),
                instruction=(
                    activity.instruction.label(self._language) if activity.instruction else None
                ),
                times_per_day=activity.times_per_day,
            )
            for index, activity in enumerate(plan.activities)
        ]

    def _activity_words(self, flow_id: str) -> dict[str, str]:
        """The check-in's "done?" list names each activity of the current plan as Today
        does, with today's amount (asked paused or not, as the one "done?" always was)."""
        plan = self._current_plan()
        if flow_id != CHECKIN or plan is None:
            return {}
        texts = self._library.content.localizer(self._language, self._region)
        return {
            concept: activity_words(
                texts, quota.kind, quota.name, quota.unit, quota.amount, quota.times_per_day
            )
            for concept, quota in zip(ACTIVITY_DONE, self._quotas(plan), strict=False)
        }

    # starting and resuming -----------------------------------------------------

    def _begin(self, flow_id: str, inputs: Mapping[str, AnswerValue]) -> Conversation:
        fired = self._store.fired_advice(flow_id) if flow_id == CHECKIN else set()
        session = self._library.session(
            flow_id,
            self._language,
            self._region,
            inputs=inputs,
            fired_before=fired,
            item_words=self._activity_words(flow_id),
        )
        key = self._store.start_session(flow_id, self._language, self._region, inputs)
        return self._conversation(key, flow_id, session, resumed=False)

    def _resume_open(self) -> Conversation | None:
        for stored in self._store.open_sessions():
            too_old = self._clock.now() - stored.started_at > RESUME_WITHIN
            if too_old or stored.flow_id not in self._library.flows:
                self._set_aside(stored, "too old" if too_old else "flow no longer exists")
                continue
            fired = self._store.fired_advice(stored.flow_id) if stored.flow_id == CHECKIN else set()
            # Stored answers are language-neutral values: a conversation resumes in the
            # language and region chosen now (the patient may have switched).
            try:
                # Inputs stored by an older version of the flow no longer fit it:
                # the conversation is asked again rather than guessed.
                session = self._library.session(
                    stored.flow_id,
                    self._language,
                    self._region or stored.region,
                    inputs=stored.inputs,
                    fired_before=fired,
                    item_words=self._activity_words(stored.flow_id),
                )
                first = replay(session, self._store.answers_of(stored.key))
            except (StorageError, ValueError) as err:
                self._set_aside(stored, str(err))
                continue
            conversation = self._conversation(stored.key, stored.flow_id, session, resumed=True)
            conversation._first = conversation._keep(first)
            return conversation
        return None

    def _set_aside(self, stored: StoredSession, why: str) -> None:
        self._store.set_aside(stored.key, why)

    def _conversation(
        self, key: str, flow_id: str, session: Session, resumed: bool
    ) -> Conversation:
        return Conversation(
            key=key,
            flow_id=flow_id,
            session=session,
            resumed=resumed,
            _store=self._store,
            _on_finish=lambda outcome: self._finished(flow_id, key, outcome),
            _shape=(
                (lambda outcome: support_worded(outcome, session.texts))
                if flow_id in SUPPORT_FLOWS
                else None
            ),
        )

    # consequences of a finished conversation -------------------------------------

    def _finished(self, flow_id: str, key: str, outcome: Outcome) -> None:
        self._consequences(flow_id, key, outcome)
        self._offer_modules(flow_id, key, outcome)

    def _consequences(self, flow_id: str, key: str, outcome: Outcome) -> None:
        if flow_id == TRIAGE and continues_self_care(outcome.disposition):
            duration = _answer(outcome, "pain_duration_days")
            days = duration if isinstance(duration, int) and not isinstance(duration, bool) else 0
            self._store.start_episode(self._clock.today() - timedelta(days=days))
        elif flow_id == CHECKIN:
            duration = _answer(outcome, "pain_duration_days")
            episode = self._current_episode()
            if isinstance(duration, int) and not isinstance(duration, bool) and episode:
                onset = self._clock.today() - timedelta(days=duration)
                self._store.append(
                    ONSET_CORRECTED, {"episode": episode.id, "onset": onset.isoformat()}
                )
        elif flow_id == EPISODE_END:
            episode = self._current_episode()
            if running(episode):
                self._store.end_episode(self._clock.today())
        elif flow_id == PLAN_REUSE and _answer(outcome, "reuse_previous_plan") is True:
            self._restart_previous_plan()
        elif flow_id == PLAN_SETUP and self._store.session(key).inputs.get(PLAN_GIVEN) is True:
            pass  # only the function part was asked: the given plan stays as it is
        elif flow_id == PLAN_SETUP and self._plan_from_answers is not None:
            answers = {a.question: a.value for a in outcome.answers}
            episode = self._current_episode()
            plan = self._plan_from_answers(
                answers, self._clock.today(), episode.onset if episode else None
            )
            if plan is not None:
                self._store.save_plan(plan)
            else:
                self._store.append("plan_not_made", {"session": key})

    def _restart_previous_plan(self) -> None:
        episode = self._current_episode()
        previous = previous_plan(self._store, episode) if episode is not None else None
        if episode is not None and previous is not None:
            self._store.save_plan(restarted(previous, self._clock.today(), self.onset()))

    def _offer_modules(self, flow_id: str, key: str, outcome: Outcome) -> None:
        # An offer is an extra: a broken module list must never stand between
        # the patient and the outcome of the conversation.
        try:
            catalog = self.module_catalog()
        except ModuleError as err:
            self._store.append(MODULES_UNAVAILABLE, {"session": key, "why": str(err)})
            return
        offers = catalog.offered_after(
            flow_id, outcome.model_dump(mode="json"), self._store.session(key).inputs
        )
        record_offers(self._store, offers, key)

    # education modules ---------------------------------------------------------

    def module_catalog(self) -> ModuleCatalog:
        if self._modules is None:
            self._modules = load_modules()
        return self._modules

    def modules_offered_by(self, conversation: Conversation) -> list[ModuleText]:
        """The modules a finished conversation offered, to show right after it."""
        return [self.module(m) for m in offered_by(self._store, conversation.key)]

    def offered_modules(self) -> list[str]:
        """Every module offered so far in this person's episode history."""
        return offered_modules(self._store)

    def module(self, module_id: str) -> ModuleText:
        found = self.module_catalog().get(module_id)
        if found is None:
            raise KeyError(module_id)
        return render(found, self._library.content.localizer(self._language, self._region))

    # what the store says -------------------------------------------------------

    def _finished_since(self, flow_id: str, since: StoredSession) -> bool:
        return bool(self._store.finished_since((flow_id,), since.started_at))

    def _episode_checkins(self) -> list[StoredSession]:
        episode = self._current_episode()
        if episode is None:
            return []
        return self._store.finished((CHECKIN,), episode=episode.id)

    def _screened_today(self) -> bool:
        """A triage or check-in finished today already re-screened the red flags."""
        # The latest started is the one that can have finished today: conversations do
        # not overlap (one at a time per data folder) and one left open is set aside first.
        latest = self._store.latest_finished(SCREENS)
        return (
            latest is not None
            and latest.finished_at is not None
            and latest.finished_at.date() == self._clock.today()
        )

    def _plan_paused(self) -> bool:
        episode = self._current_episode()
        if episode is None:
            return False
        checkins = self._store.finished((CHECKIN,), episode=episode.id)
        return bool(checkins) and checkins[-1].disposition != "self_care"

    def _education_inputs(self, triage: StoredSession) -> dict[str, AnswerValue]:
        flow = self._library.flows[EDUCATION].flow
        return education_inputs(flow, triage.disposition, triage.answers_by_concept())

    def _checkin_inputs(self, triage: StoredSession) -> dict[str, AnswerValue]:
        onset = self.onset()
        day = days_since(onset, self._clock) if onset else 0
        flow = self._library.flows[CHECKIN].flow
        checkins = self._episode_checkins()
        screens = self._screens(triage, checkins, onset)
        inputs = checkin_inputs(flow, day, screens, self._onset_known(triage, checkins))
        plan = self._current_plan()
        if plan is not None and PLAN_ACTIVITIES in flow.inputs:
            inputs[PLAN_ACTIVITIES] = len(plan.activities)
        return {**inputs, **self._named_activities(flow)}

    def _named_activities(self, flow: Flow) -> dict[str, AnswerValue]:
        """The daily activities named at the latest plan set-up, so the weekly check-in
        asks their ratings again (none named, or a flow without them: none asked)."""
        setup = self._store.latest_finished((PLAN_SETUP,))
        if setup is None:
            return {}
        named = function_inputs(named_activities(setup.answers_by_question()))
        return {name: value for name, value in named.items() if name in flow.inputs}

    def onset(self) -> date | None:
        """The day the pain began: from triage, or as a later check-in learned it."""
        episode = self._current_episode()
        if episode is None:
            return None
        onset = episode.onset
        for event in self._store.events(ONSET_CORRECTED):
            if isinstance(event.payload, dict) and event.payload.get("episode") == episode.id:
                onset = date.fromisoformat(str(event.payload["onset"]))
        return onset

    @staticmethod
    def _onset_known(triage: StoredSession, checkins: Iterable[StoredSession]) -> bool:
        """Triage learned it, or a check-in of this episode asked again (answered or not)."""
        duration = triage.answer("pain_duration_days")
        if isinstance(duration, int) and not isinstance(duration, bool):
            return True
        return any(s.answer("pain_duration_days") is not None for s in checkins)

    def _screens(
        self, triage: StoredSession, checkins: Iterable[StoredSession], onset: date | None
    ) -> list[Screen]:
        """The episode's finished triage and check-ins, as the care layer reads them."""
        flow = self._library.flows[CHECKIN].flow
        triage_day = 0
        if onset is not None and triage.finished_at is not None:
            triage_day = max(0, (triage.finished_at.date() - onset).days)
        screens = [triage_screen(triage.answers_by_concept(), triage.disposition, triage_day)]
        for stored in checkins:
            day = stored.inputs.get("day")
            screens.append(
                checkin_screen(
                    flow,
                    stored.answers_by_question(),
                    stored.disposition,
                    day if isinstance(day, int) and not isinstance(day, bool) else 0,
                    stored.inputs.get("weekly_screen_due") is not False,
                )
            )
        return screens


def education_inputs(
    flow: Flow, disposition: str | None, triage_answers: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """What the education flow is told about the triage: its result and the answers it uses."""
    known: dict[str, AnswerValue] = {**triage_answers, "disposition": disposition or UNKNOWN}
    return {name: value for name, value in known.items() if name in flow.inputs}


def _answer(outcome: Outcome, concept: str) -> AnswerValue | None:
    """The value given for ``concept`` (the last one, after a correction), if any."""
    return {a.concept: a.value for a in outcome.answers}.get(concept)
