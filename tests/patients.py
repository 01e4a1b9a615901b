"""Answering like a patient in a test, and the concept lists of the contract.

The patient is the product's own ``answer_from_facts`` (the vignette runner's): a
test states facts by concept and every question is answered from them as a patient
pressing buttons would (yes/no, a typed number, a choice, "I don't know", a list
question from the signs it covers). In the terminal a patient types words instead:
``typed_patient`` replies to the question shown last with the text given for its
concept. The concept lists come from the ``group`` marker of ``flows/concepts.yaml``,
in that file's order, so no test re-types them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.commands.timeline import Answerable, FactValue, answer_from_facts
from companion.dialogue.engine import QuestionView, Turn
from companion.journey.journey import Journey
from companion.resources import Library, builtin_library
from companion.store.storage import Store

Facts = Mapping[str, FactValue]


def concepts_in(group: str) -> list[str]:
    """The concepts of one ``group`` of the concept contract, in the file's order."""
    concepts = builtin_library().concepts.concepts
    found = [name for name, concept in concepts.items() if concept.group == group]
    assert found, f"no concept has group {group!r} in flows/concepts.yaml"
    return found


EMERGENCY = concepts_in("emergency")
SAME_DAY = concepts_in("same_day")
RADICULAR = concepts_in("radicular")
ROUTINE = concepts_in("routine")
"""Asked at every check-in, after the red-flag screen."""
YELLOW = concepts_in("yellow_flag")


def answer_like_patient(
    session: Answerable,
    turn: Turn,
    facts: Facts,
    unknown: Iterable[str] = (),
    unspecified: Literal["no", "unknown"] = "no",
) -> Turn:
    """Answers the turn's question from the facts by concept; what the facts leave
    out is "no" (yes/no) or "I don't know" (numbers, choices, or ``unspecified``)."""
    assert turn.question is not None, "the conversation has ended"
    return answer_from_facts(session, turn.question, facts, unknown, unspecified, [])


@dataclass
class PatientAnswer:
    """How the patient answers one question: a typed text (a number) or a button's value."""

    typed: str | None = None
    chosen: str | None = None

    def answer(self, text: str) -> Turn:
        self.typed = text
        return Turn()

    def choose(self, value: str) -> Turn:
        self.chosen = value
        return Turn()


def patient_answer(
    question: QuestionView,
    facts: Facts,
    unknown: Iterable[str] = (),
    unspecified: Literal["no", "unknown"] = "no",
) -> PatientAnswer:
    """What ``answer_like_patient`` would give, for a driver's test to give by keys."""
    given = PatientAnswer()
    answer_from_facts(given, question, facts, unknown, unspecified, [])
    return given


class Startable(Answerable, Protocol):
    def start(self) -> Turn: ...


def talk(conversation: Startable, facts: Facts, stop_after: int | None = None) -> Turn:
    """Runs the conversation answering like a patient, to its end or ``stop_after`` answers."""
    turn = conversation.start()
    given = 0
    while turn.outcome is None:
        if stop_after is not None and given == stop_after:
            return turn
        turn = answer_like_patient(conversation, turn, facts)
        given += 1
    return turn


def given_plan_function_part(journey: Journey, facts: Facts | None = None) -> Turn:
    """A plan given before the patient's set-up (imported, assigned): the set-up now asks
    only its function part, once per episode (none named unless ``facts`` name some)."""
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == "plan_setup"
    assert conversation.session.facts.get("plan_given") is True
    return talk(conversation, facts or {})


def typed_patient(
    language: str,
    by_concept: Mapping[str, str],
    default: str,
    flows: Iterable[str] = ("triage",),
    library: Library | None = None,
) -> Callable[[list[str]], str]:
    """A terminal patient: replies to the last question shown (a question of ``flows``)
    with the text given for its concept, else ``default``."""
    library = library or builtin_library()
    texts = library.content.localizer(language)
    concept_of = {
        texts.text(question.text): question.concept
        for flow_id in flows
        for question in library.flows[flow_id].flow.questions().values()
    }

    def reply(lines: list[str]) -> str:
        for line in reversed(lines):
            if line in concept_of:
                return by_concept.get(concept_of[line], default)
        raise AssertionError("no question was shown before the prompt")

    return reply


# --- a person after the self-care path ---------------------------------------------------

SELF_CARE_PATH: Mapping[str, FactValue] = {
    "age": 38,
    "sex": "female",
    "pain_duration_days": 2,
    "plan_activity": "walking",
    "plan_baseline_minutes_1": 10,
    "plan_baseline_minutes_2": 12,
    "plan_baseline_minutes_3": 14,
    "plan_goal_minutes": 40,
    "painkiller_use": "when_needed",
    "work_situation": "working",
}
"""A patient without alarm signs who takes painkillers when needed and walks 10-14 minutes."""


def after_self_care_path(
    library: Library, folder: Path, start: datetime, language: str, region: str
) -> Path:
    """``folder`` as the journey stores it after triage, education and plan set-up on
    ``start``, answered in-process (walking it by key presses in the app takes 10-15 s)."""
    clock = FixedClock(start)
    with Store.open(folder, clock=clock) as store:
        store.set_setting("language", language)
        store.set_setting("region", region)
        journey = Journey(library, store, clock, language, region, plan_from_answers)
        while (conversation := journey.next()) is not None:
            talk(conversation, SELF_CARE_PATH)
    return folder
