"""The ``Store`` protocol's promises, for every backend.

Each test gets a ``backend``: a way to open the same person's store again (after a close,
as after a crash). A new backend (PostgreSQL, issue 15) adds a parameter to the
``backend`` fixture and must pass this whole module unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from companion.care.plan import load_plan
from companion.clock import FixedClock
from companion.dialogue.engine import AdviceView, AnswerView, Outcome
from companion.store.protocol import Store
from companion.store.storage import SQLiteStore

PLANS = Path(__file__).parent / "fixtures" / "plans"

Opener = Callable[[], Store]


def outcome_of(
    disposition: str | None,
    answers: dict[str, bool | int | str] | None = None,
    advice: tuple[str, ...] = (),
) -> Outcome:
    """An outcome as the engine makes it: ``answers`` by question id (concept alike)."""
    views = [
        AnswerView(question=q, concept=q, question_text=f"{q}?", value=v, shown=str(v))
        for q, v in (answers or {}).items()
    ]
    return Outcome(
        disposition=disposition,
        end_state=f"end_{disposition}",
        flags=[],
        reasons=[],
        answers=views,
        unknown=[],
        messages=[f"advice for {disposition}"],
        advice=[AdviceView(rule=r, advice=r, flags=[], messages=[f"{r}."]) for r in advice],
        message_keys=[f"result.{disposition}"],
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2025, 3, 3))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Opener:
    """Opens one person's store; called again, the same data (what a restart sees)."""
    if request.param == "sqlite":
        return lambda: SQLiteStore.open(tmp_path / "data", clock)
    if request.param == "postgresql":
        # Skips with the reason when PostgreSQL is not installed (tests/postgres.py).
        url: str = request.getfixturevalue("pg_url")
        patient: str = request.getfixturevalue("pg_patient")
        return lambda: open_patient_again(url, patient, clock)
    raise NotImplementedError(request.param)


def open_patient_again(url: str, patient: str, clock: FixedClock) -> Store:
    """The patient's store; after an erase the pseudonym is gone with the rest, so it is
    made again (empty), as a SQLite data folder is made again on the next start."""
    from companion.store.errors import StorageError
    from companion.store.postgres import PostgresStore, create_patient

    try:
        return PostgresStore.open(url, patient, clock)
    except StorageError:
        create_patient(url, patient)
        return PostgresStore.open(url, patient, clock)


@pytest.fixture
def store(backend: Opener) -> Iterator[Store]:
    opened = backend()
    try:
        yield opened
    finally:
        opened.close()


def finished_session(store: Store, flow_id: str, outcome: Outcome) -> str:
    key = store.start_session(flow_id, "nl", "BE", {})
    store.finish_session(key, outcome)
    return key


# --- what is written survives a restart -------------------------------------------------


def test_everything_written_is_there_after_a_restart(backend: Opener, clock: FixedClock) -> None:
    plan = load_plan(PLANS / "walking.json")
    with backend() as store:
        store.set_setting("language", "fr")
        store.set_setting("language", "nl")
        episode = store.start_episode(date(2025, 2, 28))
        store.save_plan(plan)
        store.append("quota", {"done": "partly", "note": "beter, merci"})
        key = store.start_session("triage", "nl", "BE", {"day": 3})
        store.record_answer(key, "triage", "saddle_numbness", False)
        store.record_answer(key, "triage", "age", 52)
    with backend() as store:
        assert store.settings() == {"language": "nl"}
        current = store.current_episode()
        assert current is not None and (current.id, current.onset) == (episode, date(2025, 2, 28))
        assert store.current_plan() == plan
        (event,) = store.events("quota")
        assert event.payload == {"done": "partly", "note": "beter, merci"}
        (unfinished,) = store.open_sessions()
        assert (unfinished.key, unfinished.inputs, unfinished.episode) == (key, {"day": 3}, episode)
        assert [(a.question_id, a.value) for a in store.answers_of(key)] == [
            ("saddle_numbness", False),
            ("age", 52),
        ]


def test_events_come_back_in_order_and_by_kind(store: Store, clock: FixedClock) -> None:
    store.append("check_in", {"pain_now": 6})
    clock.advance(days=1)
    store.append("quota", {"done": "yes"})
    store.append("check_in", {"pain_now": 4})
    assert [e.kind for e in store.events()] == ["check_in", "quota", "check_in"]
    assert [e.payload["pain_now"] for e in store.events("check_in")] == [6, 4]
    assert store.events("check_in")[1].at.date() == date(2025, 3, 4)


def test_the_newest_plan_is_current_and_earlier_ones_are_kept(store: Store) -> None:
    first, second = load_plan(PLANS / "walking.json"), load_plan(PLANS / "physiotherapist.toml")
    assert store.current_plan() is None
    store.save_plan(first)
    store.save_plan(second)
    assert store.current_plan() == second
    assert [p.plan for p in store.plan_history()] == [first, second]


def test_an_onset_in_the_future_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="after today"):
        store.start_episode(date(2025, 3, 4))


# --- conversations and typed outcomes ------------------------------------------------------


def test_a_finished_outcome_comes_back_as_the_engine_model(backend: Opener) -> None:
    given = outcome_of("gp_soon", {"pain_duration_days": 3}, advice=("day14_review",))
    with backend() as store:
        key = finished_session(store, "triage", given)
    with backend() as store:
        stored = store.session(key)
    assert isinstance(stored.outcome, Outcome)
    assert stored.outcome == given
    assert (stored.disposition, stored.answer("pain_duration_days")) == ("gp_soon", 3)
    assert stored.unreadable is None and stored.set_aside is None


def test_a_session_finishes_once_and_takes_no_answers_after(store: Store) -> None:
    key = finished_session(store, "checkin", outcome_of("self_care"))
    assert store.open_sessions() == []
    with pytest.raises(ValueError, match="finished"):
        store.record_answer(key, "checkin", "pain_now", 3)
    with pytest.raises(ValueError, match="already finished"):
        store.finish_session(key, outcome_of("emergency"))
    assert store.session(key).disposition == "self_care"


def test_an_answer_for_another_flow_or_an_unknown_session_is_refused(store: Store) -> None:
    key = store.start_session("triage", "nl", "BE", {})
    with pytest.raises(ValueError, match="triage"):
        store.record_answer(key, "checkin", "pain_now", 3)
    with pytest.raises(KeyError):
        store.session("no-such-session")
    with pytest.raises(TypeError):
        store.record_answer(key, "triage", "age", 5.5)  # type: ignore[arg-type]


def test_a_conversation_set_aside_never_counts_as_held(store: Store) -> None:
    held = finished_session(store, "triage", outcome_of("self_care"))
    abandoned = store.start_session("triage", "nl", "BE", {})
    store.set_aside(abandoned, "too old")
    stored = store.session(abandoned)
    assert (stored.set_aside, stored.outcome, stored.reached_outcome) == ("too old", None, False)
    assert [s.key for s in store.finished(["triage"])] == [held]
    latest = store.latest_finished(["triage"])
    assert latest is not None and latest.key == held
    assert store.open_sessions() == []


# --- the questions the journey and the reports ask ------------------------------------------


def test_finished_sessions_by_flow_oldest_first_and_the_latest(
    store: Store, clock: FixedClock
) -> None:
    triage = finished_session(store, "triage", outcome_of("self_care"))
    clock.advance(hours=1)
    education = finished_session(store, "education", outcome_of(None))
    clock.advance(days=1)
    checkin = finished_session(store, "checkin", outcome_of("gp_today"))
    store.start_session("checkin", "nl", "BE", {})  # unfinished: not counted
    assert [s.key for s in store.finished(["triage", "checkin"])] == [triage, checkin]
    latest = store.latest_finished(["triage", "checkin"])
    assert latest is not None and (latest.key, latest.disposition) == (checkin, "gp_today")
    assert store.latest_finished(["plan_setup"]) is None
    assert [s.key for s in store.finished_since(["education"], clock.now())] == []
    since_triage = store.session(triage).started_at
    assert [s.key for s in store.finished_since(["education"], since_triage)] == [education]


def test_finished_sessions_of_one_episode(store: Store, clock: FixedClock) -> None:
    before = finished_session(store, "checkin", outcome_of("self_care"))
    first = store.start_episode(date(2025, 3, 1))
    during = finished_session(store, "checkin", outcome_of("self_care"))
    clock.advance(days=1)
    store.start_episode(date(2025, 3, 4))
    after = finished_session(store, "checkin", outcome_of("gp_soon"))
    assert store.session(before).episode is None
    assert [s.key for s in store.finished(["checkin"], episode=first)] == [during]
    assert [s.key for s in store.finished(["checkin"])] == [before, during, after]


def test_advice_fired_this_episode_counts_once_per_episode(store: Store) -> None:
    finished_session(store, "checkin", outcome_of("self_care", advice=("before_episode",)))
    store.start_episode(date(2025, 2, 24))
    finished_session(store, "checkin", outcome_of("gp_soon", advice=("day14_review",)))
    finished_session(store, "education", outcome_of(None, advice=("keep_moving",)))
    assert store.fired_advice() == {"day14_review", "keep_moving"}
    assert store.fired_advice("checkin") == {"day14_review"}
    store.start_episode(date(2025, 3, 3))  # a new episode: once-only advice may come again
    assert store.fired_advice() == set()


# --- export and erase ---------------------------------------------------------------------------


def test_the_export_holds_every_session_with_its_outcome_as_stored(
    store: Store, clock: FixedClock
) -> None:
    given = outcome_of("self_care", {"age": 52})
    key = store.start_session("triage", "nl", "BE", {})
    store.record_answer(key, "triage", "age", 52)
    clock.advance(days=1)
    store.finish_session(key, given)
    exported = store.export()
    assert json.loads(json.dumps(exported)) == exported
    (session,) = exported["sessions"]
    assert session["outcome"] == given.model_dump(mode="json")
    assert Outcome.model_validate(session["outcome"]) == given
    assert [a["value"] for a in session["answers"]] == [52]
    assert session["finished_at"] == (clock.now()).isoformat()
    assert session["started_at"] == (clock.now() - timedelta(days=1)).isoformat()


def test_erase_leaves_nothing_behind(backend: Opener) -> None:
    store = backend()
    finished_session(store, "triage", outcome_of("self_care"))
    store.append("quota", {"done": "yes"})
    assert store.erase()
    with backend() as fresh:
        assert fresh.sessions() == []
        assert fresh.events() == []
        assert fresh.settings() == {}


# --- episodes end, and a new one starts (issue 13) ------------------------------------------


def test_an_ended_episode_is_kept_with_its_end_after_a_restart(backend: Opener) -> None:
    with backend() as store:
        first = store.start_episode(date(2025, 2, 10))
        store.end_episode(date(2025, 3, 1))
        second = store.start_episode(date(2025, 3, 2))
    with backend() as store:
        episodes = store.episodes()
        current = store.current_episode()
        exported = store.export()["episodes"]
    assert [(e.id, e.onset, e.ended) for e in episodes] == [
        (first, date(2025, 2, 10), date(2025, 3, 1)),
        (second, date(2025, 3, 2), None),
    ]
    assert current is not None and (current.id, current.ended) == (second, None)
    assert [(e["id"], e["ended"]) for e in exported] == [(first, "2025-03-01"), (second, None)]


def test_the_latest_episode_stays_current_once_ended(store: Store) -> None:
    episode = store.start_episode(date(2025, 2, 20))
    store.end_episode(date(2025, 3, 3))
    current = store.current_episode()
    assert current is not None and (current.id, current.ended) == (episode, date(2025, 3, 3))


def test_ending_needs_a_running_episode_and_a_day_from_its_onset(store: Store) -> None:
    with pytest.raises(ValueError):
        store.end_episode(date(2025, 3, 3))  # no episode yet
    assert store.episodes() == []
    store.start_episode(date(2025, 2, 20))
    with pytest.raises(ValueError):
        store.end_episode(date(2025, 2, 19))  # before the onset
    store.end_episode(date(2025, 2, 20))  # the onset day itself is allowed
    with pytest.raises(ValueError):
        store.end_episode(date(2025, 3, 3))  # already ended
    (episode,) = store.episodes()
    assert episode.ended == date(2025, 2, 20)
