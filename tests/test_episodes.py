"""Episodes (issue 13, item 3): an episode ends when the back is fine again, and the pain
coming back starts a new one, with its own triage, risk questions and milestones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from companion.clock import FixedClock
from companion.store import storage
from companion.store.storage import SQLiteStore


def test_a_database_from_before_episodes_ended_is_upgraded_and_keeps_its_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(date(2025, 3, 3))
    first_version = storage.MIGRATIONS[:1]
    monkeypatch.setattr(storage, "MIGRATIONS", first_version)
    with SQLiteStore.open(tmp_path, clock) as old:
        episode = old.start_episode(date(2025, 2, 20))
        assert old.schema_version == 1
    monkeypatch.undo()
    with SQLiteStore.open(tmp_path, clock) as upgraded:
        assert upgraded.schema_version == len(storage.MIGRATIONS) >= 2
        (kept,) = upgraded.episodes()
        assert (kept.id, kept.onset, kept.ended) == (episode, date(2025, 2, 20), None)
        upgraded.end_episode(date(2025, 3, 3))
    with SQLiteStore.open(tmp_path, clock, for_reading=True) as reread:
        assert reread.export()["episodes"][0]["ended"] == "2025-03-03"
