"""Resuming a conversation: stored answers replayed through a fresh engine session
(:mod:`companion.journey.replay`; the store itself knows no engine)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from companion.clock import FixedClock
from companion.journey.replay import replay
from companion.resources import builtin_library
from companion.store.errors import StorageError
from companion.store.records import StoredAnswer
from companion.store.storage import SQLiteStore as Store


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2025, 3, 3))


def test_an_unfinished_conversation_resumes_where_it_stopped(
    tmp_path: Path, clock: FixedClock
) -> None:
    library = builtin_library()
    folder = tmp_path / "data"
    store = Store.open(folder, clock)
    key = store.start_session("triage", "fr", "BE", {})
    talk = library.session("triage", "fr", "BE")
    turn = talk.start()
    for _ in range(3):
        assert turn.question is not None
        turn = talk.choose("no")
        assert turn.accepted is not None
        store.record_answer(key, "triage", turn.accepted.question, turn.accepted.value)
    where, asking = talk.state, turn.question
    del store  # the program stops without closing

    with Store.open(folder, clock) as reopened:
        (unfinished,) = reopened.open_sessions()
        assert (unfinished.key, unfinished.language, unfinished.region) == (key, "fr", "BE")
        again = library.session(unfinished.flow_id, unfinished.language, unfinished.region)
        resumed = replay(again, reopened.answers_of(key))
    assert again.state == where
    assert resumed.question == asking
    assert resumed.accepted is None  # nothing new to store
    assert again.answers == talk.answers


def test_replaying_into_a_changed_flow_stops(clock: FixedClock) -> None:
    talk = builtin_library().session("triage", "nl", "NL")
    answers = [StoredAnswer("no_such_question", False, clock.now())]
    with pytest.raises(StorageError, match="no_such_question"):
        replay(talk, answers)


def test_the_store_imports_no_engine_session_and_no_journey() -> None:
    """Imports point one way (journey -> store -> dialogue): the store validates outcomes
    with the engine's ``Outcome`` model, and replaying answers is the journey's job."""
    import ast

    import companion.store

    allowed_from_engine = {"Outcome"}
    for source in sorted(Path(companion.store.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                names = {alias.name for alias in node.names}
                assert not node.module.startswith("companion.journey"), source.name
                if node.module == "companion.dialogue.engine":
                    assert names <= allowed_from_engine, (source.name, names)
