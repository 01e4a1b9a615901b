"""A patient's store can never read or write another patient's rows (PostgreSQL store).

Two walls (companion/store/postgres/store.py): every query names the patient, and the
connection works as ``companion_patient`` under row-level security. The tests here go past the
first wall on purpose: a store asked for another patient's session, and raw SQL on a
connection scoped to patient A, must find and change nothing of patient B's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest

from companion.care.plan import load_plan
from companion.clock import FixedClock
from companion.store import hold_conversation, open_store
from companion.store.errors import AlreadyOpen, StorageError
from companion.store.postgres import PostgresStore, StoreConnections, create_patient
from tests.test_store_contract import PLANS, finished_session, outcome_of

TABLES = ("settings", "events", "episodes", "plans", "sessions", "answers")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2025, 3, 3))


@pytest.fixture
def two_patients(pg_url: str, clock: FixedClock) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    """Patients A and B, each with a setting, an event, an episode, a plan, an open session
    with an answer, and a finished session."""
    stores = [PostgresStore.open(pg_url, create_patient(pg_url), clock) for _ in range(2)]
    for name, store in zip("AB", stores, strict=True):
        store.set_setting("language", "nl" if name == "A" else "fr")
        store.append("check_in", {"pain_now": 3, "who": name})
        store.start_episode(date(2025, 3, 1))
        store.save_plan(load_plan(PLANS / "walking.json"))
        key = store.start_session("checkin", "nl", "BE", {"who": name})
        store.record_answer(key, "checkin", "pain_now", 3)
        finished_session(store, "triage", outcome_of("self_care"))
    yield stores[0], stores[1]
    for store in stores:
        store.close()


def scoped_connection(url: str, patient: str) -> psycopg.Connection[Any]:
    """What a store's connection is: working as companion_patient, scoped to ``patient``."""
    connection = psycopg.connect(url, autocommit=True)
    connection.execute("SET ROLE companion_patient")
    connection.execute("SELECT set_config('companion.patient', %s, false)", (patient,))
    return connection


def test_a_store_sees_only_its_own_patient(two_patients: tuple[PostgresStore, ...]) -> None:
    a, b = two_patients
    assert a.settings() == {"language": "nl"} and b.settings() == {"language": "fr"}
    assert [e.payload["who"] for e in a.events()] == ["A"]
    assert [s.inputs.get("who") for s in a.open_sessions()] == ["A"]
    assert len(a.sessions()) == 2 and len(a.finished(["triage"])) == 1
    exported = a.export()
    assert "B" not in {s["inputs"].get("who") for s in exported["sessions"]}
    assert [e["payload"]["who"] for e in exported["events"]] == ["A"]


def test_a_store_cannot_reach_another_patients_session_by_its_key(
    two_patients: tuple[PostgresStore, ...],
) -> None:
    """A crafted request naming B's session key finds nothing and changes nothing."""
    a, b = two_patients
    (b_open,) = b.open_sessions()
    with pytest.raises(KeyError):
        a.session(b_open.key)
    with pytest.raises(KeyError):
        a.record_answer(b_open.key, "checkin", "pain_now", 9)
    with pytest.raises(KeyError):
        a.finish_session(b_open.key, outcome_of("emergency"))
    with pytest.raises(KeyError):
        a.set_aside(b_open.key, "not yours")
    assert a.answers_of(b_open.key) == []
    assert [(x.question_id, x.value) for x in b.answers_of(b_open.key)] == [("pain_now", 3)]
    assert b.session(b_open.key).finished_at is None


def test_raw_sql_scoped_to_a_cannot_read_b(
    pg_url: str, two_patients: tuple[PostgresStore, ...]
) -> None:
    a, b = two_patients
    with scoped_connection(pg_url, a.patient_id) as raw:
        for table in TABLES:
            owners = raw.execute(f"SELECT DISTINCT patient_id::text FROM {table}").fetchall()
            assert owners == [(a.patient_id,)], table
        assert raw.execute("SELECT id::text FROM patients").fetchall() == [(a.patient_id,)]
        asked_for_b = raw.execute(
            "SELECT count(*) FROM answers WHERE patient_id = %s", (b.patient_id,)
        ).fetchone()
        assert asked_for_b == (0,)


def test_raw_sql_scoped_to_a_cannot_write_b(
    pg_url: str, two_patients: tuple[PostgresStore, ...]
) -> None:
    a, b = two_patients
    (b_open,) = b.open_sessions()
    with scoped_connection(pg_url, a.patient_id) as raw:
        for statement, params in [
            ("UPDATE settings SET value = 'xx' WHERE patient_id = %s", (b.patient_id,)),
            ("UPDATE sessions SET finished_at = 'now' WHERE patient_id = %s", (b.patient_id,)),
            ("DELETE FROM patients WHERE id = %s", (b.patient_id,)),
            ("DELETE FROM plans WHERE patient_id = %s", (b.patient_id,)),
        ]:
            assert raw.execute(statement, params).rowcount == 0, statement
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(
                "INSERT INTO settings (patient_id, key, value, at) VALUES (%s, 'x', 'y', 'z')",
                (b.patient_id,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(
                "INSERT INTO answers (patient_id, session_key, flow_id, question_id, value, at) "
                "VALUES (%s, %s, 'checkin', 'pain_now', '9', 'z')",
                (b.patient_id, b_open.key),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # moving A's row to B
            raw.execute("UPDATE settings SET patient_id = %s", (b.patient_id,))
    assert b.settings() == {"language": "fr"}
    assert [(x.question_id, x.value) for x in b.answers_of(b_open.key)] == [("pain_now", 3)]
    assert b.session(b_open.key).finished_at is None


def test_a_connection_scoped_to_nobody_sees_nothing(
    pg_url: str, two_patients: tuple[PostgresStore, ...]
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("SET ROLE companion_patient")
        for table in (*TABLES, "patients"):
            assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_the_store_role_cannot_bypass_row_level_security(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as raw:
        row = raw.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles "
            "WHERE rolname = 'companion_patient'"
        ).fetchone()
        assert row == (False, False, False)
        owned = raw.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = 'companion_patient'"
        ).fetchone()
        assert owned == (0,)
        unprotected = raw.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace AND NOT relrowsecurity AND relname <> 'schema_migrations' "
            "AND has_table_privilege('companion_patient', oid, 'SELECT')"
        ).fetchall()
        assert unprotected == []


def test_erase_removes_one_patient_and_leaves_the_other(
    pg_url: str, clock: FixedClock, two_patients: tuple[PostgresStore, ...]
) -> None:
    a, b = two_patients
    assert a.erase()
    with pytest.raises(StorageError, match="does not exist"):
        PostgresStore.open(pg_url, a.patient_id, clock)
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the owner sees every row
        for table in TABLES:
            rows = admin.execute(
                f"SELECT count(*) FROM {table} WHERE patient_id = %s", (a.patient_id,)
            ).fetchone()
            assert rows == (0,), table
    assert b.settings() == {"language": "fr"} and len(b.sessions()) == 2


def test_answers_and_events_stay_append_only(
    pg_url: str, two_patients: tuple[PostgresStore, ...]
) -> None:
    """The store's role may not change them at all; even the tables' owner may delete them
    only with their patient."""
    a, _ = two_patients
    with scoped_connection(pg_url, a.patient_id) as raw:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("UPDATE answers SET value = '9'")
        with pytest.raises(psycopg.errors.RaiseException, match="events are append-only"):
            raw.execute("DELETE FROM events")
    with psycopg.connect(pg_url, autocommit=True) as owner:
        for statement in ("UPDATE answers SET value = '9'", "DELETE FROM answers"):
            with pytest.raises(psycopg.errors.RaiseException, match="answers are append-only"):
                owner.execute(statement)


def test_an_unknown_or_malformed_patient_is_refused(pg_url: str, clock: FixedClock) -> None:
    for patient in ("00000000-0000-4000-8000-000000000000", "'; DROP TABLE patients; --"):
        with pytest.raises(StorageError, match="does not exist") as raised:
            PostgresStore.open(pg_url, patient, clock)
        assert pg_url not in str(raised.value)


def test_open_store_chooses_postgresql_by_url(
    pg_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient = create_patient(pg_url)
    with open_store(clock=clock, url=pg_url, patient=patient) as store:
        store.set_setting("language", "fr")
    monkeypatch.setenv("COMPANION_STORE", pg_url)
    monkeypatch.setenv("COMPANION_PATIENT", patient)
    with open_store(clock=clock) as store:
        assert isinstance(store, PostgresStore)
        assert store.settings() == {"language": "fr"}
    monkeypatch.delenv("COMPANION_PATIENT")
    with pytest.raises(StorageError, match="whose data"):
        open_store(clock=clock)
    with pytest.raises(StorageError, match="mysql://"):
        open_store(clock=clock, url="mysql://somewhere/db")


def test_one_conversation_per_patient_another_patient_may_talk(pg_url: str) -> None:
    first, second = create_patient(pg_url), create_patient(pg_url)
    with hold_conversation(url=pg_url, patient=first):
        with pytest.raises(AlreadyOpen):
            hold_conversation(url=pg_url, patient=first)
        with hold_conversation(url=pg_url, patient=second):
            pass
    with hold_conversation(url=pg_url, patient=first):  # released with the first hold
        pass


def test_a_kept_connection_serves_the_next_patient_scoped_to_nobody_between(
    pg_url: str, clock: FixedClock
) -> None:
    """A serving process keeps idle connections for its next stores: given back, a
    connection sees no patient's rows; the next store sees its own patient's only."""
    connections = StoreConnections(pg_url, keep=1)
    first, second = create_patient(pg_url), create_patient(pg_url)
    with PostgresStore.open(pg_url, first, clock, connections=connections) as store:
        store.set_setting("language", "nl")
        store.append("check_in", {"pain_now": 5})
    idle = connections.take()
    try:
        backend = idle.execute("SELECT pg_backend_pid()").fetchone()
        assert idle.execute("SELECT current_setting('companion.patient')").fetchone() == ("",)
        for table in ("settings", "events", "patients"):
            assert idle.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        connections.give_back(idle)
    with PostgresStore.open(pg_url, second, clock, connections=connections) as store:
        assert store._db().execute("SELECT pg_backend_pid()").fetchone() == backend  # reused
        assert store.settings() == {} and store.events() == []
    connections.close()
