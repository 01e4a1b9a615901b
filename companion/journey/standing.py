"""Whether an urgent advice still stands, and what to recall of it at the next start.

An ``emergency`` or ``gp_today`` advice of the latest triage or check-in stands until the
patient reports having contacted the doctor about it (the app's button). Both drivers ask
here: the app shows a banner and F8, the plain terminal repeats the advice at start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from companion.care.dispositions import urgent
from companion.store.storage import Store, StoredSession

CONTACTED_GP = "contacted_gp"
"""Event: the patient reports having contacted the doctor about one session's advice."""


@dataclass(frozen=True)
class StandingEscalation:
    """The urgent advice that stands, and the stored session it came from."""

    session_key: str
    outcome: Mapping[str, Any]

    @property
    def disposition(self) -> str | None:
        value = self.outcome.get("disposition")
        return value if isinstance(value, str) else None

    @property
    def messages(self) -> list[str]:
        return [str(message) for message in self.outcome.get("messages") or []]


def last_escalation(finished_screens: Sequence[StoredSession]) -> Mapping[str, Any] | None:
    """The stored outcome of the latest finished screen if its advice was urgent."""
    if finished_screens and urgent(_disposition(finished_screens[-1])):
        return finished_screens[-1].outcome
    return None


def standing_escalation(
    store: Store, finished_screens: Sequence[StoredSession]
) -> StandingEscalation | None:
    """The latest screen's urgent advice, unless the patient reported acting on it."""
    if not finished_screens:
        return None
    latest = finished_screens[-1]
    outcome = last_escalation(finished_screens)
    if outcome is None or latest.key in contacted_sessions(store):
        return None
    return StandingEscalation(latest.key, outcome)


def contacted_sessions(store: Store) -> set[str]:
    """The sessions whose advice the patient reports having acted on."""
    return {
        str(event.payload.get("session"))
        for event in store.events(CONTACTED_GP)
        if isinstance(event.payload, dict)
    }


def record_contacted_gp(store: Store, standing: StandingEscalation) -> None:
    store.append(
        CONTACTED_GP, {"session": standing.session_key, "disposition": standing.disposition}
    )


@dataclass(frozen=True)
class RecalledAdvice:
    """An earlier urgent advice repeated at start; ``screen_again`` when a new triage follows."""

    messages: list[str]
    screen_again: bool


def advice_to_recall(
    last: Mapping[str, Any] | None,
    standing: StandingEscalation | None,
    fresh_triage_next: bool,
) -> RecalledAdvice | None:
    """The advice to repeat at start, and whether to say that the screen is asked again.

    Before a new triage the last urgent advice is repeated (acted on or not: the doctor's
    visit may not have happened); otherwise an advice that still stands is."""
    if last is not None and fresh_triage_next:
        return RecalledAdvice([str(message) for message in last.get("messages") or []], True)
    if standing is not None:
        return RecalledAdvice(standing.messages, False)
    return None


def _disposition(stored: StoredSession) -> str | None:
    value = (stored.outcome or {}).get("disposition")
    return value if isinstance(value, str) else None
