"""Typed records: what a store gives back, validated, whatever the backend.

A finished conversation's outcome is stored as the JSON of the engine's
:class:`~companion.dialogue.engine.Outcome` and comes back as that model, so callers
read ``session.outcome.disposition``, never ``dict.get``. Two stored shapes are not an
outcome: a conversation *set aside* unfinished (``{"set_aside": why, ...}``, see
:data:`SET_ASIDE`), and a row that no longer validates (hand-edited, damaged, or from a
version that wrote something else). The second comes back with ``unreadable`` saying why,
never as a traceback; callers treat it as a conversation whose result is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from companion.care.plan import Plan
from companion.dialogue.conditions import AnswerValue
from companion.dialogue.engine import Outcome

SET_ASIDE = "set_aside"
"""Key of the stored outcome of a conversation that was abandoned, not finished."""


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    person: str
    kind: str
    payload: Any


@dataclass(frozen=True)
class Episode:
    id: int
    onset: date
    at: datetime
    ended: date | None = None
    """The day the patient said the back was fine again; None while the episode runs."""


@dataclass(frozen=True)
class StoredPlan:
    id: int
    at: datetime
    plan: Plan


@dataclass(frozen=True)
class StoredAnswer:
    question_id: str
    value: AnswerValue
    at: datetime


@dataclass(frozen=True)
class StoredSession:
    key: str
    flow_id: str
    language: str
    region: str | None
    inputs: dict[str, AnswerValue]
    episode: int | None
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome | None = None
    """The validated outcome; None while unfinished, when set aside, or when unreadable."""
    set_aside: str | None = None
    """Why the conversation was set aside unfinished (too old, its flow changed)."""
    unreadable: str | None = None
    """Why the stored outcome does not validate: its result is unknown."""

    @property
    def reached_outcome(self) -> bool:
        """Finished, not set aside: it counts as held (an unreadable result included)."""
        return self.finished_at is not None and self.set_aside is None

    @property
    def disposition(self) -> str | None:
        return self.outcome.disposition if self.outcome is not None else None

    def answers_by_question(self) -> dict[str, AnswerValue]:
        answers = self.outcome.answers if self.outcome is not None else []
        return {a.question: a.value for a in answers}

    def answers_by_concept(self) -> dict[str, AnswerValue]:
        answers = self.outcome.answers if self.outcome is not None else []
        return {a.concept: a.value for a in answers}

    def answer(self, concept: str) -> AnswerValue | None:
        """The value given for ``concept`` (the last one, after a correction), if any."""
        return self.answers_by_concept().get(concept)


@dataclass(frozen=True)
class ReadOutcome:
    """A stored outcome column, read: at most one of the three is set."""

    outcome: Outcome | None = None
    set_aside: str | None = None
    unreadable: str | None = None


def read_outcome(stored: Any) -> ReadOutcome:
    """Validates a stored outcome (the decoded JSON, or None while unfinished)."""
    if stored is None:
        return ReadOutcome()
    if isinstance(stored, dict) and SET_ASIDE in stored:
        return ReadOutcome(set_aside=str(stored[SET_ASIDE]))
    try:
        return ReadOutcome(outcome=Outcome.model_validate(stored))
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'outcome'}: {e['msg']}" for e in err.errors()[:3]
        )
        return ReadOutcome(unreadable=f"the stored outcome is not valid ({problems})")


def set_aside_outcome(why: str) -> dict[str, Any]:
    """The stored shape of a conversation set aside (unchanged since the first version)."""
    return {SET_ASIDE: why, "disposition": None}
