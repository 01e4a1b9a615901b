"""The journey asks the store intent-level questions: deciding what comes next does not
read the whole history again and again (issue 12: it read every session about five times)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from companion.clock import FixedClock
from companion.journey.journey import CHECKIN, Journey
from companion.resources import Library
from companion.store import storage
from companion.store.records import StoredSession
from tests.patients import talk
from tests.test_journey import CALM_CHECKIN, START, open_journey, start_episode_with_plan

CHECKINS = 8


class SessionReads:
    """Counts the stored sessions the SQLite store decodes."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, real: Any) -> Any:
        def counted(row: Any) -> StoredSession:
            self.count += 1
            return real(row)  # type: ignore[no-any-return]

        return counted


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionReads]:
    counter = SessionReads()
    monkeypatch.setattr(storage, "_session", counter.wrap(storage._session))
    yield counter


def weeks_of_checkins(library: Library, tmp_path: Path) -> tuple[Journey, FixedClock]:
    clock = FixedClock(START)
    store, journey = open_journey(library, tmp_path, clock)
    start_episode_with_plan(store, journey, clock)
    for _ in range(CHECKINS):
        clock.advance(days=1)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        talk(conversation, CALM_CHECKIN)
    return journey, clock


def test_a_day_with_nothing_due_reads_a_few_sessions_not_the_history(
    library: Library, tmp_path: Path, reads: SessionReads
) -> None:
    journey, _clock = weeks_of_checkins(library, tmp_path)
    reads.count = 0
    assert journey.next() is None  # screened today already
    # The latest triage, education since it, the latest screen: history length does not matter.
    assert reads.count <= 4


def test_a_new_checkin_reads_each_earlier_checkin_at_most_twice(
    library: Library, tmp_path: Path, reads: SessionReads
) -> None:
    journey, clock = weeks_of_checkins(library, tmp_path)
    clock.advance(days=1)
    reads.count = 0
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == CHECKIN
    # The check-in's inputs need the episode's screens, and its once-only advice the rules
    # fired so far: two reads of each check-in, plus a few single sessions (since issue 13
    # one more: whether this episode's plan set-up asked the function part, as a given plan
    # needs it). Before the store answered these questions, every session was read about
    # five times.
    assert reads.count <= 2 * CHECKINS + 5


def test_one_decision_reads_the_episode_and_the_plan_once_and_the_next_reads_again(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deciding on a check-in asks for the plan and whether the episode is a recurrent one
    (all episodes) in several places; each is read once per decision (the practice server
    pays a round trip for each), and a later decision reads them again."""
    journey, clock = weeks_of_checkins(library, tmp_path)
    asked: dict[str, int] = {"current_plan": 0, "episodes": 0}
    for name in asked:
        real = getattr(storage.SQLiteStore, name)

        def counted(store: Any, *args: Any, _name: str = name, _real: Any = real) -> Any:
            asked[_name] += 1
            return _real(store, *args)

        monkeypatch.setattr(storage.SQLiteStore, name, counted)
    clock.advance(days=1)
    conversation = journey.next()
    assert conversation is not None and conversation.flow_id == CHECKIN
    assert asked == {"current_plan": 1, "episodes": 1}
    talk(conversation, CALM_CHECKIN)
    before = dict(asked)
    assert journey.next() is None  # screened today
    assert asked["current_plan"] == before["current_plan"] + 1
