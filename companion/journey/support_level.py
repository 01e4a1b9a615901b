"""The patient's support level as stored: placed by the latest finished conversation that
asked the yellow-flag questions (a check-in from day 14 with the full screen, or the risk
questions right after triage in a recurrent episode), of the current episode.

:func:`current_support` is what the reports and the practice server call;
:func:`support_worded` gives the ``yellow_flags`` advice the words of the level before the
outcome is stored, so the patient, the report and the export read the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.care.support import Support, SupportRule, place_support
from companion.dialogue.engine import AdviceView, Outcome
from companion.store.protocol import Store
from companion.store.records import StoredSession
from companion.texts.content import Localizer

CHECKIN = "checkin"
RISK = "risk"
"""The risk questions of a recurrent episode (flows/risk.yaml, branch episodes13)."""
SUPPORT_FLOWS = (CHECKIN, RISK)
"""The conversations whose yellow-flag answers place the patient."""
YELLOW_FLAGS_ADVICE = "yellow_flags"


@dataclass(frozen=True)
class PlacedSupport:
    """A support level and the conversation that placed it."""

    support: Support
    session: str
    flow_id: str
    at: datetime | None
    """When that conversation finished."""
    day: int | None
    """Its day of the episode (days since onset), when it was a check-in."""


def support_of(stored: StoredSession, rule: SupportRule | None = None) -> Support | None:
    """The level one finished conversation placed; None when it asked no yellow flag."""
    if stored.flow_id not in SUPPORT_FLOWS or stored.outcome is None:
        return None
    return place_support(stored.answers_by_concept(), rule)


def current_support(store: Store, rule: SupportRule | None = None) -> PlacedSupport | None:
    """The level now: from the latest conversation of this episode that placed one."""
    episode = store.current_episode()
    if episode is None:
        return None
    for stored in reversed(store.finished(SUPPORT_FLOWS, episode=episode.id)):
        support = support_of(stored, rule)
        if support is not None:
            day = stored.inputs.get("day")
            return PlacedSupport(
                support=support,
                session=stored.key,
                flow_id=stored.flow_id,
                at=stored.finished_at,
                day=day if isinstance(day, int) and not isinstance(day, bool) else None,
            )
    return None


def support_worded(outcome: Outcome, texts: Localizer, rule: SupportRule | None = None) -> Outcome:
    """``outcome`` with its ``yellow_flags`` advice in the words of the level its answers
    place. When the advice fires and when it does not stay the flow's (brief section 6);
    a level without words of its own keeps the flow's text."""
    support = place_support({a.concept: a.value for a in outcome.answers}, rule)
    if support is None:
        return outcome
    key = f"checkin.advice.yellow_flags_{support.level}"
    if not texts.has(key):
        return outcome
    advice = [_worded(given, key, texts) for given in outcome.advice]
    return outcome.model_copy(update={"advice": advice})


def _worded(given: AdviceView, key: str, texts: Localizer) -> AdviceView:
    if given.advice != YELLOW_FLAGS_ADVICE:
        return given
    return given.model_copy(update={"messages": [texts.text(key)], "message_keys": [key]})
