"""Timeline vignettes: a triage, then check-ins on given days of the episode.

A vignette may carry ``checkins``::

    "checkins": [
      {"day": 7, "facts": {"pain_now": 8, "pain_trend": "same"}, "unknown": [],
       "expect": {"advice": ["gp_soon"]}}
    ]

Each check-in runs ``flows/checkin.yaml`` through the real engine, answering
every question from that check-in's facts by concept id, exactly as triage
vignettes are answered (:func:`answer_from_facts`):

- a list question ("any of these?") is answered from the concepts of the signs
  it shows: yes when any is yes, "not sure" when any is unknown, else no;
- the modifiers ``age``, ``sex`` and ``pain_duration_days``, when a check-in asks
  them again, come from the vignette's triage facts (or its ``unknown`` list);
- with ``plan_activities`` (2 or 3; on the vignette, or on a check-in for a plan
  change) the check-in asks "done?" as one list over the activities: a ``quota_done``
  fact answers every activity ("done" is "yes" to the list, else each activity gets
  that answer); ``activity_N_done`` facts answer one activity and win over it.

The inputs of each check-in are what the product computes too
(:func:`companion.care.screening.checkin_inputs`), from the triage and the earlier
check-ins: ``day`` is the vignette's day; the full screen is due 7 days or more
after the last completed one (a self_care triage is one, on its day
``pain_duration_days``, 0 when unknown); known history signs, signs already
reported, the radicular status and the age follow the brief's "Check-in
screening" policy; ``fired_before`` names the advice rules that fired earlier.

A check-in reports its advice ids: the disposition when it is not
``self_care``, plus the advice of every rule that fired, deduplicated and
sorted. ``expect.advice`` is compared as a set, afterwards only.

A check-in may also expect a support level, ``"expect": {"support": "medium"}``
(``low``, ``medium`` or ``high``): the level that check-in's answers place the
patient in (:func:`companion.care.support.place_support`), which only a check-in
that asked the yellow flags does; one that did not places none and does not
match. Without ``expect.support`` the level is reported, not judged. The product
pauses the activity plan when a check-in's disposition is not ``self_care``;
advice alone never pauses it and nothing here ever changes a quota.

Episodes (issue 13, item 3): a check-in with ``"ends_episode": true`` is followed by
the closing talk (``flows/episode_end.yaml``, answered from that check-in's facts:
``what_helped``) and the episode ends. A later entry ``{"recurrence": true, "facts":
{...}, "expect": {"disposition": ..., "advice": [...]}}`` is the pain coming back: a
new triage, answered from the vignette's facts with the entry's over them (the same
person), then in that recurrent episode the risk questions at once
(``flows/risk.yaml``, from the same facts); ``expect.advice`` is what they raise.
The check-ins after it count their ``day`` from the new onset, with the new triage as
their first screen and no rule fired yet: milestones count per episode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from companion.care.activity_done import (
    ACTIVITY_DONE,
    ALL_DONE,
    DONE_ANSWERS,
    PLAN_ACTIVITIES,
    WHOLE_PLAN,
    done_per_activity,
)
from companion.care.dispositions import continues_self_care, urgent
from companion.care.screening import Screen, checkin_inputs, checkin_screen, triage_screen
from companion.care.support import Level, place_support
from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.engine import Outcome, QuestionView, Session, Turn
from companion.dialogue.flow import DISPOSITIONS, ConceptRegistry, Flow

CHECKIN = "checkin"
TRIAGE = "triage"
RISK = "risk"
EPISODE_END = "episode_end"
MODIFIERS = ("age", "sex", "pain_duration_days")
"""Asked at triage; a check-in that asks one again is answered from the triage facts."""
MAX_TURNS = 200

FactValue = bool | int | str
DoneAnswer = Literal[DONE_ANSWERS]  # type: ignore[valid-type]
SessionFactory = Callable[[Mapping[str, AnswerValue], frozenset[str]], Session]
"""Makes a check-in session from its inputs and the rules that fired before."""


class TimelineError(Exception):
    """A check-in that cannot be run as written (bad input: exit status 2)."""


class CheckinExpectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    advice: list[str] | None = None
    done: list[DoneAnswer | None] | None = None
    """The "done?" answer of each plan activity (null: not asked or not known)."""
    support: Level | None = None
    """The support level this check-in places the patient in (it asks the yellow flags)."""


class CheckinSpec(BaseModel):
    # Unknown keys are tolerated so that check-ins can carry notes.
    model_config = ConfigDict(extra="ignore")

    day: int = Field(ge=0)
    facts: dict[str, FactValue] = Field(default_factory=dict)
    unknown: list[str] = Field(default_factory=list)
    expect: CheckinExpectation | None = None
    ends_episode: bool = False
    """After this check-in the patient says the back is fine again (the closing talk)."""

    plan_activities: int | None = Field(default=None, ge=0, le=len(ACTIVITY_DONE))
    """The activities of the plan from this check-in on (a plan change); None: as before."""


class RecurrenceExpectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    disposition: str | None = None
    """The new triage's result."""
    advice: list[str] | None = None
    """The advice ids the risk questions raise (``yellow_flags``), as a set."""


class RecurrenceSpec(BaseModel):
    """The pain is back after the episode ended: a new triage, then the risk questions."""

    model_config = ConfigDict(extra="ignore")

    recurrence: Literal[True]
    facts: dict[str, FactValue] = Field(default_factory=dict)
    unknown: list[str] = Field(default_factory=list)
    expect: RecurrenceExpectation | None = None


def _entry_kind(value: Any) -> str:
    is_recurrence = isinstance(value, RecurrenceSpec) or (
        isinstance(value, dict) and "recurrence" in value
    )
    return "recurrence" if is_recurrence else "checkin"


TimelineEntry = Annotated[
    Annotated[CheckinSpec, Tag("checkin")] | Annotated[RecurrenceSpec, Tag("recurrence")],
    Discriminator(_entry_kind),
]
"""An entry of a vignette's ``checkins``: a check-in, or the pain coming back."""


@dataclass
class CheckinResult:
    day: int
    disposition: str
    flags: list[str]
    """Concepts that drove the disposition (the red flags), as in triage results."""
    advice: list[str]
    """Advice ids raised: the disposition unless self_care, and the fired rules' advice."""
    rules: list[str]
    """Ids of the advice rules that fired."""
    asked: list[str]
    unknown: list[str]
    full_screen: bool
    """Whether the full red-flag screen was due at this check-in."""
    expected: list[str] | None
    notes: list[str] = field(default_factory=list)
    plan_activities: int | None = None
    """The activities of the plan at this check-in (None: the vignette gives no plan)."""
    done: list[str | None] = field(default_factory=list)
    """The "done?" answer of each plan activity (:func:`done_per_activity`)."""
    expected_done: list[str | None] | None = None
    support: str | None = None
    """The support level this check-in placed; None when it asked no yellow flag."""
    expected_support: str | None = None
    ended_episode: bool = False
    """The closing talk followed and the episode ended."""

    @property
    def matched(self) -> bool | None:
        """Every expectation given holds; None when the check-in expects nothing."""
        verdicts = []
        if self.expected is not None:
            verdicts.append(set(self.expected) == set(self.advice))
        if self.expected_done is not None:
            verdicts.append(self.done == self.expected_done)
        if self.expected_support is not None:
            verdicts.append(self.support == self.expected_support)
        return all(verdicts) if verdicts else None

    def as_json(self) -> dict[str, Any]:
        plan = (
            {}
            if self.plan_activities is None
            else {"plan_activities": self.plan_activities, "done": self.done}
        )
        shown = {
            **plan,
            "day": self.day,
            "advice": self.advice,
            "expected": self.expected,
            "matched": self.matched,
            "asked": self.asked,
            "disposition": self.disposition,
            "flags": self.flags,
            "rules": self.rules,
            "full_screen": self.full_screen,
            "unknown": self.unknown,
            "notes": self.notes,
            "support": self.support,
            "expected_support": self.expected_support,
        }
        return shown | ({"ended_episode": True} if self.ended_episode else {})

    def row(self) -> tuple[str, str, str, str, str, str]:
        return (
            f"  day {self.day}",
            "full screen" if self.full_screen else "",
            _with_support(
                "-" if self.expected is None else ", ".join(self.expected) or "none",
                self.expected_support,
            ),
            _with_support(", ".join(self.advice) or "none", self.support),
            {True: "ok", False: "MISMATCH", None: ""}[self.matched],
            ", ".join(
                [*self.flags, *self.rules, *(["episode ended"] if self.ended_episode else [])]
            )
            or "-",
        )


@dataclass
class RecurrenceResult:
    """The pain came back: the new triage's result and what its risk questions raised."""

    disposition: str
    flags: list[str]
    advice: list[str]
    """Advice ids the risk questions raised (none when they were not asked)."""
    risk_rules: list[str]
    asked: list[str]
    """The triage's concepts, then the risk questions'."""
    unknown: list[str]
    expected_disposition: str | None
    expected: list[str] | None
    notes: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool | None:
        checks = []
        if self.expected_disposition is not None:
            checks.append(self.expected_disposition == self.disposition)
        if self.expected is not None:
            checks.append(set(self.expected) == set(self.advice))
        return None if not checks else all(checks)

    def as_json(self) -> dict[str, Any]:
        # "day" and "rules" as in a check-in's entry: no day count, no check-in rule.
        return {
            "recurrence": True,
            "day": None,
            "advice": self.advice,
            "expected": self.expected,
            "matched": self.matched,
            "asked": self.asked,
            "disposition": self.disposition,
            "expected_disposition": self.expected_disposition,
            "flags": self.flags,
            "rules": [],
            "risk_rules": self.risk_rules,
            "unknown": self.unknown,
            "notes": self.notes,
        }

    def row(self) -> tuple[str, str, str, str, str, str]:
        expected = [self.expected_disposition or "-"] + (self.expected or [])
        return (
            "  recurrence",
            "triage",
            ", ".join(expected),
            ", ".join([self.disposition, *self.advice]),
            {True: "ok", False: "MISMATCH", None: ""}[self.matched],
            ", ".join([*self.flags, *self.risk_rules]) or "-",
        )


TimelineResult = CheckinResult | RecurrenceResult


def advice_ids(disposition: str | None, fired: Iterable[str]) -> list[str]:
    raised = set(fired)
    if disposition is not None and disposition != "self_care":
        raised.add(disposition)
    return sorted(raised)


def known_advice_ids(flow: Flow) -> set[str]:
    return {rule.advice for rule in flow.advice} | (set(DISPOSITIONS) - {"self_care"})


# --- answering like a patient ---------------------------------------------------------


class Answerable(Protocol):
    """A session, or a stored conversation around one: what a patient answers."""

    def answer(self, text: str) -> Turn: ...

    def choose(self, value: str) -> Turn: ...


def answer_from_facts(
    session: Answerable,
    question: QuestionView,
    facts: Mapping[str, FactValue],
    unknown: Iterable[str],
    unspecified: Literal["no", "unknown"],
    notes: list[str],
) -> Turn:
    """Answers the question from the facts by concept, as a patient pressing buttons.

    A concept not in the facts is answered by the ``unspecified`` rule; a number or
    choice that is not given is answered "I don't know" (and noted), since "no" is
    no answer to "how much pain do you have now?". A ``quota_done`` fact answers each
    plan activity not given on its own (:func:`with_activity_facts`).
    """
    facts, unknown = with_activity_facts(facts, unknown)
    concept = question.concept
    if concept == ALL_DONE:
        return session.choose(_all_done_answer(question.covers, facts, unknown, notes))
    if question.covers and question.answer_type == "yes_no":
        return session.choose(_list_answer(question.covers, facts, unknown, unspecified))
    if concept in facts:
        value = facts[concept]
        if isinstance(value, bool):
            return session.choose("yes" if value else "no")
        if isinstance(value, int) or question.answer_type == "text":
            return session.answer(str(value))  # typed: a number, or the patient's own words
        return session.choose(value)
    if concept in unknown or unspecified == "unknown":
        return session.choose(UNKNOWN)
    if question.answer_type == "yes_no":
        return session.choose("no")
    notes.append(f"'{concept}' not in the vignette: answered \"I don't know\"")
    return session.choose(UNKNOWN)


def _list_answer(
    covers: Iterable[str],
    facts: Mapping[str, FactValue],
    unknown: Iterable[str],
    unspecified: Literal["no", "unknown"],
) -> str:
    """ "Any of these?": yes when any is yes, "not sure" when any is unknown, else no."""
    unsure = set(unknown)
    values = [
        facts.get(c, UNKNOWN if c in unsure or unspecified == "unknown" else False) for c in covers
    ]
    if any(v is True for v in values):
        return "yes"
    return UNKNOWN if UNKNOWN in values else "no"


def _all_done_answer(
    covers: Iterable[str], facts: Mapping[str, FactValue], unknown: Iterable[str], notes: list[str]
) -> str:
    """ "Did you do all of this today?": yes when every activity is done, no when one is
    partly or not done, else "I don't know" (then each activity is asked)."""
    covered, unsure = list(covers), set(unknown)
    values = [facts.get(c) for c in covered]
    if any(v in ("partly", "not") for v in values):
        return "no"
    if values and all(v == "done" for v in values):
        return "yes"
    if any(c not in facts and c not in unsure for c in covered):
        notes.append(f"'{WHOLE_PLAN}' not in the vignette: answered \"I don't know\"")
    return UNKNOWN


def with_activity_facts(
    facts: Mapping[str, FactValue], unknown: Iterable[str]
) -> tuple[dict[str, FactValue], set[str]]:
    """A ``quota_done`` fact (or unknown) answers each activity not given on its own."""
    expanded, unsure = dict(facts), set(unknown)
    for concept in ACTIVITY_DONE:
        if concept in expanded or concept in unsure:
            continue
        if WHOLE_PLAN in facts:
            expanded[concept] = facts[WHOLE_PLAN]
        elif WHOLE_PLAN in unsure:
            unsure.add(concept)
    return expanded, unsure


def fact_problems(
    facts: Mapping[str, FactValue], unknown: Iterable[str], concepts: ConceptRegistry
) -> Iterator[str]:
    for name, value in facts.items():
        concept = concepts.concepts.get(name)
        if concept is None:
            yield f"fact '{name}' is not a known concept"
        elif concept.answer == "yes_no" and not isinstance(value, bool):
            yield f"fact '{name}' must be true or false, not {value!r}"
        elif concept.answer == "number" and (isinstance(value, bool) or not isinstance(value, int)):
            yield f"fact '{name}' must be a whole number, not {value!r}"
        elif concept.answer == "choice" and value not in concept.options:
            yield f"fact '{name}' must be one of {', '.join(concept.options)}, not {value!r}"
        elif concept.answer == "text" and not isinstance(value, str):
            yield f"fact '{name}' must be a text, not {value!r}"
    for name in unknown:
        if name not in concepts.concepts:
            yield f"unknown-list entry '{name}' is not a known concept"
        elif name in facts:
            yield f"'{name}' is both a fact and unknown"


def checkin_problems(
    checkins: Sequence[CheckinSpec | RecurrenceSpec], concepts: ConceptRegistry
) -> Iterator[str]:
    previous: int | None = None
    ended = may_recur = False
    for number, entry in enumerate(checkins, 1):
        if isinstance(entry, RecurrenceSpec):
            where = f"recurrence (entry {number})"
            if not may_recur:
                yield f"{where}: the pain can come back only after a check-in with ends_episode"
            expected = entry.expect.disposition if entry.expect else None
            if expected is not None and expected not in DISPOSITIONS:
                yield f"{where}: expected disposition '{expected}' is not a disposition"
            for problem in fact_problems(entry.facts, entry.unknown, concepts):
                yield f"{where}: {problem}"
            # Days count from the new onset; a triage that escalated is asked again at a
            # following recurrence entry.
            previous, ended = None, False
            continue
        where = f"check-in on day {entry.day}"
        if ended:
            yield f"{where}: the episode ended before it; add a recurrence entry first"
        if previous is not None and entry.day < previous:
            yield f"{where}: check-ins must be in order of day (day {previous} came before)"
        previous = entry.day
        ended = ended or entry.ends_episode
        may_recur = ended
        for problem in fact_problems(entry.facts, entry.unknown, concepts):
            yield f"{where}: {problem}"


# --- running ------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageFacts:
    """What the check-ins need of the vignette's triage."""

    answers: Mapping[str, AnswerValue]
    """The triage's answers by concept."""
    disposition: str
    facts: Mapping[str, FactValue]
    unknown: frozenset[str]


class FlowSessions(Protocol):
    """Makes a session of another flow (triage, risk, the closing talk) for the episodes;
    None when the flows have no such flow."""

    def __call__(self, flow_id: str) -> Session | None: ...


@dataclass
class _Episode:
    """What the check-ins of one episode know: its screens and the rules fired in it."""

    triage: TriageFacts
    screens: list[Screen]
    onset_known: bool
    fired_before: set[str] = field(default_factory=set)

    @classmethod
    def after(cls, triage: TriageFacts) -> _Episode:
        duration = triage.answers.get("pain_duration_days")
        day = duration if isinstance(duration, int) and not isinstance(duration, bool) else 0
        return cls(
            triage=triage,
            screens=[triage_screen(triage.answers, triage.disposition, day)],
            onset_known=duration != UNKNOWN and "pain_duration_days" in triage.answers,
        )


def run_checkins(
    checkins: Sequence[CheckinSpec | RecurrenceSpec],
    session_for: SessionFactory,
    flow: Flow,
    triage: TriageFacts,
    unspecified: Literal["no", "unknown"],
    other_flows: FlowSessions | None = None,
    plan_activities: int | None = None,
) -> list[TimelineResult]:
    """Runs the check-ins in order; ``session_for(inputs, fired_before)`` makes a check-in
    session and ``other_flows`` the sessions an episode's end and a recurrence need.
    ``plan_activities``: the activities of the patient's plan (None: no plan given)."""
    known = known_advice_ids(flow)
    episode: _Episode | None = _Episode.after(triage)
    results: list[TimelineResult] = []
    questions = flow.questions()
    for entry in checkins:
        if isinstance(entry, RecurrenceSpec):
            if episode is not None:
                raise TimelineError("a recurrence needs a check-in with ends_episode before it")
            recurred, new_triage = _recurrence(entry, _flows(other_flows), triage, unspecified)
            results.append(recurred)
            if new_triage is not None:
                episode = _Episode.after(new_triage)
            continue
        if episode is None:
            raise TimelineError(
                f"check-in on day {entry.day}: the episode ended; no triage started a new one"
            )
        checkin = entry
        fired_before, screens = episode.fired_before, episode.screens
        where = f"check-in on day {checkin.day}"
        expected = checkin.expect.advice if checkin.expect else None
        strange = sorted(set(expected or ()) - known)
        if strange:
            raise TimelineError(
                f"{where}: expected advice {', '.join(strange)} is not one of "
                f"{', '.join(sorted(known))}"
            )
        inputs = checkin_inputs(flow, checkin.day, screens, episode.onset_known)
        if checkin.plan_activities is not None:
            plan_activities = checkin.plan_activities
        if plan_activities is not None and PLAN_ACTIVITIES in flow.inputs:
            inputs[PLAN_ACTIVITIES] = plan_activities
        due = inputs.get("weekly_screen_due") is not False
        session = session_for(inputs, frozenset(fired_before))
        result = _run_one(session, checkin, episode.triage, due, expected, unspecified, where)
        if plan_activities is not None:
            by_concept = {questions[q].concept: v for q, v in session.answers.items()}
            result.plan_activities = plan_activities
            result.done = done_per_activity(by_concept, plan_activities)
            result.expected_done = checkin.expect.done if checkin.expect else None
        screens.append(checkin_screen(flow, session.answers, result.disposition, checkin.day, due))
        episode.onset_known = episode.onset_known or "pain_duration_days" in result.asked
        fired_before.update(result.rules)
        results.append(result)
        if checkin.ends_episode:
            _end_episode(_flows(other_flows), checkin, result, where)
            episode = None
    return results


def _flows(other_flows: FlowSessions | None) -> FlowSessions:
    if other_flows is None:
        raise TimelineError("episodes that end or come back need the other flows (simulate)")
    return other_flows


def _end_episode(
    other_flows: FlowSessions, checkin: CheckinSpec, result: CheckinResult, where: str
) -> None:
    """The closing talk after ``checkin``, answered from its facts (``what_helped``)."""
    if urgent(result.disposition):
        raise TimelineError(
            f"{where}: the episode cannot end when the check-in asked for a doctor today or "
            "now (the journey does not offer it then)"
        )
    session = other_flows(EPISODE_END)
    if session is None:
        raise TimelineError(f"{where}: there is no {EPISODE_END} flow to end the episode")
    _answer_all(session, checkin.facts, set(checkin.unknown), "no", result.notes, where)
    result.ended_episode = True


def _answer_all(
    session: Session,
    facts: Mapping[str, FactValue],
    unknown: Iterable[str],
    unspecified: Literal["no", "unknown"],
    notes: list[str],
    where: str,
) -> Outcome:
    turn = session.start()
    for _ in range(MAX_TURNS):
        if turn.outcome is not None:
            return turn.outcome
        assert turn.question is not None
        turn = answer_from_facts(session, turn.question, facts, unknown, unspecified, notes)
        if turn.problem is not None and turn.question is not None:
            raise TimelineError(
                f"{where}: the answer for '{turn.question.concept}' was refused: {turn.problem}"
            )
    raise TimelineError(f"{where}: no outcome after {MAX_TURNS} turns")


def _recurrence(
    entry: RecurrenceSpec,
    other_flows: FlowSessions,
    first: TriageFacts,
    unspecified: Literal["no", "unknown"],
) -> tuple[RecurrenceResult, TriageFacts | None]:
    """The new triage (the same person: the first facts, the entry's over them), then the
    risk questions when it lets self-management go on; the new episode's triage facts."""
    where = "recurrence"
    old = {c: v for c, v in first.facts.items() if c != "pain_duration_days"}
    facts = {**old, **entry.facts}
    unknown = (set(first.unknown) - {"pain_duration_days"} - set(entry.facts)) | set(entry.unknown)
    triage = other_flows(TRIAGE)
    if triage is None:
        raise TimelineError(f"{where}: there is no {TRIAGE} flow")
    notes: list[str] = []
    outcome = _answer_all(triage, facts, unknown, unspecified, notes, where)
    disposition = outcome.disposition or "self_care"
    questions = triage.flow.questions()
    asked = [questions[q].concept for q in triage.asked]
    advice: list[str] = []
    rules: list[str] = []
    if continues_self_care(disposition):
        risk = other_flows(RISK)
        if risk is not None:
            raised = _answer_all(risk, facts, unknown, "no", notes, f"{where}, risk questions")
            advice = sorted({a.advice for a in raised.advice})
            rules = [a.rule for a in raised.advice]
            asked += [risk.flow.questions()[q].concept for q in risk.asked]
    expect = entry.expect
    result = RecurrenceResult(
        disposition=disposition,
        flags=outcome.flags,
        advice=advice,
        risk_rules=rules,
        asked=asked,
        unknown=outcome.unknown,
        expected_disposition=expect.disposition if expect else None,
        expected=expect.advice if expect else None,
        notes=notes,
    )
    if not continues_self_care(disposition):
        return result, None  # asked again at the next recurrence entry, as the journey does
    answers = {questions[q].concept: v for q, v in triage.answers.items()}
    return result, TriageFacts(answers, disposition, facts, frozenset(unknown))


def _run_one(
    session: Session,
    checkin: CheckinSpec,
    triage: TriageFacts,
    due: bool,
    expected: list[str] | None,
    unspecified: Literal["no", "unknown"],
    where: str,
) -> CheckinResult:
    notes: list[str] = []
    questions = session.flow.questions()
    # Modifiers asked again come from the triage facts (vignette README).
    facts = {**{c: v for c, v in triage.facts.items() if c in MODIFIERS}, **checkin.facts}
    unknown = {*checkin.unknown, *(triage.unknown & set(MODIFIERS))}
    outcome = _answer_all(session, facts, unknown, unspecified, notes, where)
    if outcome.disposition is None:
        raise TimelineError(f"{where}: the check-in flow ended without a disposition")
    placed = place_support({a.concept: a.value for a in outcome.answers})
    return CheckinResult(
        day=checkin.day,
        disposition=outcome.disposition,
        flags=outcome.flags,
        advice=advice_ids(outcome.disposition, (a.advice for a in outcome.advice)),
        rules=[a.rule for a in outcome.advice],
        asked=[questions[q].concept for q in session.asked],
        unknown=outcome.unknown,
        full_screen=due,
        expected=expected,
        notes=notes,
        support=placed.level if placed is not None else None,
        expected_support=checkin.expect.support if checkin.expect else None,
    )


def table_rows(results: Sequence[TimelineResult]) -> list[tuple[str, str, str, str, str, str]]:
    """Rows under a vignette's row in the ``simulate`` table, one per check-in."""
    return [r.row() for r in results]


def _with_support(advice: str, level: str | None) -> str:
    """``gp_soon; support high`` in the table when a level is expected or placed."""
    return advice if level is None else f"{advice}; support {level}"
