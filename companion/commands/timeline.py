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
  them again, come from the vignette's triage facts (or its ``unknown`` list).

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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from companion.care.screening import Screen, checkin_inputs, checkin_screen, triage_screen
from companion.care.support import Level, place_support
from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.engine import QuestionView, Session, Turn
from companion.dialogue.flow import DISPOSITIONS, ConceptRegistry, Flow

CHECKIN = "checkin"
MODIFIERS = ("age", "sex", "pain_duration_days")
"""Asked at triage; a check-in that asks one again is answered from the triage facts."""
MAX_TURNS = 200

FactValue = bool | int | str
SessionFactory = Callable[[Mapping[str, AnswerValue], frozenset[str]], Session]
"""Makes a check-in session from its inputs and the rules that fired before."""


class TimelineError(Exception):
    """A check-in that cannot be run as written (bad input: exit status 2)."""


class CheckinExpectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    advice: list[str] | None = None
    support: Level | None = None
    """The support level this check-in places the patient in (it asks the yellow flags)."""


class CheckinSpec(BaseModel):
    # Unknown keys are tolerated so that check-ins can carry notes.
    model_config = ConfigDict(extra="ignore")

    day: int = Field(ge=0)
    facts: dict[str, FactValue] = Field(default_factory=dict)
    unknown: list[str] = Field(default_factory=list)
    expect: CheckinExpectation | None = None


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
    support: str | None = None
    """The support level this check-in placed; None when it asked no yellow flag."""
    expected_support: str | None = None

    @property
    def matched(self) -> bool | None:
        """Every expectation given holds; None when the check-in expects nothing."""
        verdicts = []
        if self.expected is not None:
            verdicts.append(set(self.expected) == set(self.advice))
        if self.expected_support is not None:
            verdicts.append(self.support == self.expected_support)
        return all(verdicts) if verdicts else None

    def as_json(self) -> dict[str, Any]:
        return {
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
    no answer to "how much pain do you have now?".
    """
    concept = question.concept
    if question.covers:
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


def checkin_problems(checkins: list[CheckinSpec], concepts: ConceptRegistry) -> Iterator[str]:
    previous: int | None = None
    for checkin in checkins:
        where = f"check-in on day {checkin.day}"
        if previous is not None and checkin.day < previous:
            yield f"{where}: check-ins must be in order of day (day {previous} came before)"
        previous = checkin.day
        for problem in fact_problems(checkin.facts, checkin.unknown, concepts):
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


def run_checkins(
    checkins: list[CheckinSpec],
    session_for: SessionFactory,
    flow: Flow,
    triage: TriageFacts,
    unspecified: Literal["no", "unknown"],
) -> list[CheckinResult]:
    """Runs the check-ins in order; ``session_for(inputs, fired_before)`` makes a session."""
    known = known_advice_ids(flow)
    fired_before: set[str] = set()
    duration = triage.answers.get("pain_duration_days")
    triage_day = duration if isinstance(duration, int) and not isinstance(duration, bool) else 0
    screens: list[Screen] = [triage_screen(triage.answers, triage.disposition, triage_day)]
    onset_known = duration != UNKNOWN and "pain_duration_days" in triage.answers
    results: list[CheckinResult] = []
    for checkin in checkins:
        where = f"check-in on day {checkin.day}"
        expected = checkin.expect.advice if checkin.expect else None
        strange = sorted(set(expected or ()) - known)
        if strange:
            raise TimelineError(
                f"{where}: expected advice {', '.join(strange)} is not one of "
                f"{', '.join(sorted(known))}"
            )
        inputs = checkin_inputs(flow, checkin.day, screens, onset_known)
        due = inputs.get("weekly_screen_due") is not False
        session = session_for(inputs, frozenset(fired_before))
        result = _run_one(session, checkin, triage, due, expected, unspecified, where)
        screens.append(checkin_screen(flow, session.answers, result.disposition, checkin.day, due))
        onset_known = onset_known or "pain_duration_days" in result.asked
        fired_before.update(result.rules)
        results.append(result)
    return results


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
    turn = session.start()
    for _ in range(MAX_TURNS):
        if turn.outcome is not None:
            outcome = turn.outcome
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
        assert turn.question is not None
        turn = answer_from_facts(session, turn.question, facts, unknown, unspecified, notes)
        if turn.problem is not None and turn.question is not None:
            raise TimelineError(
                f"{where}: the answer for '{turn.question.concept}' was refused: {turn.problem}"
            )
    raise TimelineError(f"{where}: no outcome after {MAX_TURNS} turns")


def table_rows(results: list[CheckinResult]) -> list[tuple[str, str, str, str, str, str]]:
    """Rows under a vignette's row in the ``simulate`` table, one per check-in."""
    return [
        (
            f"  day {r.day}",
            "full screen" if r.full_screen else "",
            _with_support(
                "-" if r.expected is None else ", ".join(r.expected) or "none", r.expected_support
            ),
            _with_support(", ".join(r.advice) or "none", r.support),
            {True: "ok", False: "MISMATCH", None: ""}[r.matched],
            ", ".join([*r.flags, *r.rules]) or "-",
        )
        for r in results
    ]


def _with_support(advice: str, level: str | None) -> str:
    """``gp_soon; support high`` in the table when a level is expected or placed."""
    return advice if level is None else f"{advice}; support {level}"
