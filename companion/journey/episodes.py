"""Episodes: "my back is fine again" ends one, "the pain is back" starts the next.

Policy (issue 13, item 3; ../shared/clinical-brief.md sections 5 and 6):

- While an episode runs, the patient may say the back is fine again: a short closing
  conversation (``flows/episode_end.yaml``), after which the episode ends that day.
  Not while a conversation is open, and not while the latest screen asked for a doctor
  today or now: that advice comes first.
- Once it ended, the patient may say the pain is back (event :data:`PAIN_BACK`): a new
  triage follows, with a new onset. A triage that lets self-management go on starts the
  next episode, as the first one did; its milestones count from its own onset and its
  once-per-episode advice may fire again.
- In a recurrent episode (any after the first) the risk questions come at once, right
  after that triage (``flows/risk.yaml``, 003:653-656, 003:774-777), then the education,
  then the previous episode's plan is offered as a start (``flows/plan_reuse.yaml``);
  declined, the usual plan set-up follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from companion.care.dispositions import urgent
from companion.care.plan import Plan
from companion.store.protocol import Store
from companion.store.records import Episode, Event, StoredSession

EPISODE_END = "episode_end"
RISK = "risk"
PLAN_REUSE = "plan_reuse"

BACK_FINE = "back_fine"
"""Action: the back is fine again (ends the running episode after a short talk)."""
PAIN_BACK = "pain_back"
"""Action, and the event it stores (``{"episode": id}``): the pain came back after the
episode ``id`` ended."""
EPISODE_ACTIONS = (BACK_FINE, PAIN_BACK)


def running(episode: Episode | None) -> bool:
    return episode is not None and episode.ended is None


def available_actions(store: Store, screens: tuple[str, ...], can_close: bool) -> list[str]:
    """What the patient may say about the episode now (none while a conversation is open)."""
    episode = store.current_episode()
    if episode is None or store.open_sessions():
        return []
    if episode.ended is not None:
        return [PAIN_BACK]
    latest = store.latest_finished(screens)
    if not can_close or (latest is not None and urgent(latest.disposition)):
        return []
    return [BACK_FINE]


def record_pain_back(store: Store, episode: Episode) -> None:
    store.append(PAIN_BACK, {"episode": episode.id})


def pain_back(store: Store, episode: Episode) -> Event | None:
    """The latest report that the pain came back after ``episode`` ended, if any."""
    reports = [
        event
        for event in store.events(PAIN_BACK)
        if isinstance(event.payload, dict) and event.payload.get("episode") == episode.id
    ]
    return reports[-1] if reports else None


def recurrent(store: Store, episode: Episode | None) -> bool:
    """Not the person's first episode: the pain came back after an earlier one ended."""
    if episode is None:
        return False
    first = store.episodes()[0]
    return episode.id != first.id


def plan_of_episode(store: Store, episode: Episode) -> Plan | None:
    """The newest plan saved since ``episode`` began."""
    saved = [p for p in store.plan_history() if p.at >= episode.at]
    return saved[-1].plan if saved else None


def previous_plan(store: Store, episode: Episode) -> Plan | None:
    """The newest plan saved before ``episode`` began: the one to offer again."""
    saved = [p for p in store.plan_history() if p.at < episode.at]
    return saved[-1].plan if saved else None


def restarted(plan: Plan, start: date, onset: date | None) -> Plan:
    """``plan`` again from its first day goal, starting ``start``; steps on the same days
    after the start, notes in the same weeks (validated like any plan)."""
    # A review date of the earlier episode means nothing now.
    return Plan.model_validate(
        {**plan.model_dump(), "start": start, "onset": onset, "review": None}
    )


@dataclass(frozen=True)
class EpisodeIndex:
    """Which episode each stored conversation belongs to, for the reports and the export.

    A conversation is stored with the episode that was current when it started. Two kinds
    belong to a later one: the triage that starts an episode (it runs before the episode
    exists) and every conversation after the patient said the pain is back. They belong to
    the first episode that started after them, or to none yet (a triage after the pain came
    back that asked for a doctor first)."""

    episodes: list[Episode]
    reopened: dict[int, datetime]
    """Per ended episode, when the patient first said the pain was back."""

    @classmethod
    def of(cls, store: Store) -> EpisodeIndex:
        reopened: dict[int, datetime] = {}
        for event in store.events(PAIN_BACK):
            if isinstance(event.payload, dict) and isinstance(event.payload.get("episode"), int):
                reopened.setdefault(event.payload["episode"], event.at)
        return cls(store.episodes(), reopened)

    def episode_of(self, session: StoredSession) -> int | None:
        tag = session.episode
        back = self.reopened.get(tag) if tag is not None else None
        if tag is not None and (back is None or session.started_at < back):
            return tag
        later = [
            e for e in self.episodes if e.at >= session.started_at and (tag is None or e.id > tag)
        ]
        return later[0].id if later else None

    def number(self, episode_id: int) -> int:
        """1 for the first episode, 2 for the next, ..."""
        return [e.id for e in self.episodes].index(episode_id) + 1
