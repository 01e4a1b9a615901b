"""Whether an urgent advice still stands, and what to recall of it at the next start.

An ``emergency`` or ``gp_today`` advice of the latest triage or check-in stands until the
patient reports having contacted the doctor about it (the app's button). Both drivers ask
here: the app shows a banner and F8, the plain terminal repeats the advice at start.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.care.dispositions import urgent
from companion.dialogue.engine import Outcome
from companion.store.protocol import Store
from companion.store.records import StoredSession

CONTACTED_GP = "contacted_gp"
"""Event: the patient reports having contacted the doctor about one session's advice."""


@dataclass(frozen=True)
class StandingEscalation:
    """The urgent advice that stands, and the stored session it came from."""

    session_key: str
    outcome: Outcome

    @property
    def disposition(self) -> str | None:
        return self.outcome.disposition

    @property
    def messages(self) -> list[str]:
        return list(self.outcome.messages)


def last_escalation(latest_screen: StoredSession | None) -> Outcome | None:
    """The stored outcome of the latest finished screen if its advice was urgent."""
    if latest_screen is not None and urgent(latest_screen.disposition):
        return latest_screen.outcome
    return None


def standing_escalation(
    store: Store, latest_screen: StoredSession | None
) -> StandingEscalation | None:
    """The latest screen's urgent advice, unless the patient reported acting on it."""
    outcome = last_escalation(latest_screen)
    if latest_screen is None or outcome is None:
        return None
    if latest_screen.key in contacted_sessions(store):
        return None
    return StandingEscalation(latest_screen.key, outcome)


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
    last: Outcome | None,
    standing: StandingEscalation | None,
    fresh_triage_next: bool,
) -> RecalledAdvice | None:
    """The advice to repeat at start, and whether to say that the screen is asked again.

    Before a new triage the last urgent advice is repeated (acted on or not: the doctor's
    visit may not have happened); otherwise an advice that still stands is."""
    if last is not None and fresh_triage_next:
        return RecalledAdvice(list(last.messages), True)
    if standing is not None:
        return RecalledAdvice(standing.messages, False)
    return None
