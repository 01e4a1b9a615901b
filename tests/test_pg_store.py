"""The PostgreSQL store beyond the shared contract: migrations, a lost or unreachable server
(messages that never show the connection string), and two processes on one database."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import psycopg
import pytest

from companion.clock import FixedClock
from companion.store.errors import StorageError
from companion.store.postgres import PostgresStore, create_patient, known_version, migrate
from companion.store.postgres.migrations import Migration, migrations
from tests.postgres import Server

SECRET = "s3cret-Passw0rd"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2025, 3, 3))


def tables(url: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as owner:
        rows = owner.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


# --- migrations -------------------------------------------------------------------------


def test_migrations_are_numbered_files_applied_in_order_once(
    postgres_server: Server,
) -> None:
    shipped = migrations()
    assert [m.version for m in shipped] == sorted({m.version for m in shipped})
    assert all(m.version >= 1 for m in shipped)
    url = postgres_server.new_database()
    try:
        assert migrate(url) == known_version()
        assert migrate(url) == known_version()  # again: nothing left to do
        with psycopg.connect(url, autocommit=True) as owner:
            recorded = owner.execute("SELECT version, name FROM schema_migrations ORDER BY 1")
            assert recorded.fetchall() == [(m.version, m.name) for m in shipped]
        assert {"patients", "sessions", "answers", "events"} <= tables(url)
    finally:
        postgres_server.drop_database(url)


def test_a_failing_migration_changes_nothing_and_says_which(pg_url: str) -> None:
    steps = [
        *migrations(),
        Migration(9001, "half_done", "CREATE TABLE half_done (x int); SELECT 1/0;"),
    ]
    with pytest.raises(StorageError, match=r"schema 9001 \(half_done\): division by zero"):
        migrate(pg_url, steps)
    assert "half_done" not in tables(pg_url)
    assert migrate(pg_url) == known_version()  # the database is as it was


def test_a_database_of_a_newer_version_is_left_alone(
    pg_url: str, pg_patient: str, clock: FixedClock
) -> None:
    newer = Migration(known_version() + 1, "from_the_future", "CREATE TABLE future (x int)")
    migrate(pg_url, [*migrations(), newer])
    with pytest.raises(StorageError, match="newer version"):
        migrate(pg_url)
    with pytest.raises(StorageError, match="newer version"):
        PostgresStore.open(pg_url, pg_patient, clock)


def test_a_database_not_migrated_is_refused_with_a_message(
    postgres_server: Server, clock: FixedClock
) -> None:
    url = postgres_server.new_database()
    try:
        with pytest.raises(StorageError, match="not ready"):
            PostgresStore.open(url, "00000000-0000-4000-8000-000000000000", clock)
    finally:
        postgres_server.drop_database(url)


def test_the_patients_table_holds_a_pseudonym_only(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as owner:
        columns = owner.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'patients'"
        ).fetchall()
    assert {c[0] for c in columns} == {"id", "created_at"}


# --- a server that is gone ----------------------------------------------------------------


def test_an_unreachable_server_is_a_message_without_the_address_or_password(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"postgresql://practice_user:{SECRET}@/companion?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StorageError) as raised:
        PostgresStore.open(url, "00000000-0000-4000-8000-000000000000", clock)
    message = str(raised.value)
    assert "cannot be reached" in message
    for secret in (SECRET, "practice_user", str(tmp_path)):
        assert secret not in message
        assert secret not in caplog.text
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_lost_connection_says_so_keeps_what_was_saved_and_connects_again(
    pg_url: str, pg_patient: str, clock: FixedClock
) -> None:
    store = PostgresStore.open(pg_url, pg_patient, clock)
    key = store.start_session("checkin", "nl", "BE", {})
    store.record_answer(key, "checkin", "pain_now", 4)
    with psycopg.connect(pg_url, autocommit=True) as owner:  # the server drops the patient
        owner.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'companion' AND datname = current_database()"
        )
    with pytest.raises(StorageError, match=r"connection .* was lost") as raised:
        store.record_answer(key, "checkin", "pain_trend", "better")
    assert "postgresql" not in str(raised.value) and pg_url not in str(raised.value)
    # Trying again: a new connection, the answer before the loss is there.
    store.record_answer(key, "checkin", "pain_trend", "better")
    assert [a.question_id for a in store.answers_of(key)] == ["pain_now", "pain_trend"]
    store.close()


# --- two processes, one database ------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import date
    from companion.clock import FixedClock
    from companion.store.postgres import PostgresStore

    url, patient, answers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with PostgresStore.open(url, patient, FixedClock(date(2025, 3, 3))) as store:
        key = store.start_session("checkin", "nl", "BE", {})
        for n in range(answers):
            store.record_answer(key, "checkin", f"q{n}", n)
        print(key)
    """
)


def test_two_processes_write_side_by_side(pg_url: str, clock: FixedClock) -> None:
    """No state in the process: two processes, each for a patient (one patient twice),
    write at the same time and every answer is stored with its own patient."""
    first, second = create_patient(pg_url), create_patient(pg_url)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, pg_url, patient, "60"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for patient in (first, second, first)
    ]
    keys = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    with PostgresStore.open(pg_url, first, clock) as store:
        assert {s.key for s in store.open_sessions()} == {keys[0], keys[2]}
        for key in (keys[0], keys[2]):
            assert [a.value for a in store.answers_of(key)] == list(range(60))
    with PostgresStore.open(pg_url, second, clock) as store:
        assert [s.key for s in store.open_sessions()] == [keys[1]]


# --- the command line ----------------------------------------------------------------------


def run_companion(argv: list[str], typed: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """`companion ARGV` in this process, on the plain conversation; --store sets
    COMPANION_STORE for the process, which monkeypatch puts back afterwards."""
    import io

    from companion.cli import main

    monkeypatch.setenv("COMPANION_STORE", "")
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    return main(argv)


def test_the_command_line_talks_to_the_practice_database(
    pg_url: str,
    pg_patient: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--store URL` with the patient in COMPANION_PATIENT: the first question is stored
    in the database, and the data folder stays untouched."""
    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    folder = tmp_path / "data"
    argv = ["--plain", "--store", pg_url, "--data-dir", str(folder), "--lang", "nl"]
    run_companion([*argv, "--today", "2025-03-03"], "nee\n", monkeypatch)
    assert "Traceback" not in capsys.readouterr().err
    with PostgresStore.open(pg_url, pg_patient, clock) as store:
        assert store.settings()["language"] == "nl"
        (talk,) = store.open_sessions()
        assert talk.flow_id == "triage" and len(store.answers_of(talk.key)) == 1
    assert not folder.exists()


def test_the_command_line_says_what_is_wrong_with_a_store(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_companion(["--plain", "--store", "mysql://db/x", "--lang", "nl"], "", monkeypatch)
    assert "mysql://" in capsys.readouterr().err
    assert run_companion(["--plain", "--store", pg_url, "--lang", "fr"], "", monkeypatch) == 1
    said = capsys.readouterr().err
    assert "lien de votre cabinet" in said and pg_url not in said  # no patient given


def test_export_with_a_store_is_the_patients_export(
    pg_url: str,
    pg_patient: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    with PostgresStore.open(pg_url, pg_patient, clock) as store:
        store.set_setting("language", "fr")
        store.append("check_in", {"pain_now": 2})
    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    out = tmp_path / "export.json"
    assert run_companion(["--store", pg_url, "export", "--out", str(out)], "", monkeypatch) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["settings"] == {"language": "fr"}
    assert [e["payload"] for e in exported["events"]] == [{"pain_now": 2}]
    capsys.readouterr()


def test_erase_with_a_store_deletes_nothing_and_says_where_to_ask(
    pg_url: str,
    pg_patient: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not the data folder in place of the practice's data: nothing goes."""
    from companion.store.storage import SQLiteStore

    folder = tmp_path / "data"
    with SQLiteStore.open(folder, clock) as local:
        local.set_setting("language", "nl")
    with PostgresStore.open(pg_url, pg_patient, clock) as store:
        store.set_setting("language", "nl")
    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    argv = ["--store", pg_url, "--data-dir", str(folder), "--lang", "nl", "erase", "--yes"]
    assert run_companion(argv, "", monkeypatch) == 2
    assert "Vraag uw praktijk" in capsys.readouterr().err
    with (
        SQLiteStore.open(folder, clock) as local,
        PostgresStore.open(pg_url, pg_patient, clock) as store,
    ):
        assert local.settings() == store.settings() == {"language": "nl"}


def test_a_connection_lost_mid_conversation_ends_it_with_a_message_and_keeps_the_answers(
    pg_url: str,
    pg_patient: str,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The server drops the connection just before the second answer is stored: the
    patient reads in their language that the last step may be lost and what to do, with no
    traceback; the first answer is there for the next start."""
    stored = PostgresStore.record_answer
    calls = []

    def lose_the_connection_before_the_second(self: PostgresStore, *args: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            with psycopg.connect(pg_url, autocommit=True) as owner:
                owner.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'companion' AND datname = current_database()"
                )
        stored(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(PostgresStore, "record_answer", lose_the_connection_before_the_second)
    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    argv = ["--plain", "--store", pg_url, "--lang", "nl", "--today", "2025-03-03"]
    assert run_companion(argv, "nee\nnee\nnee\n", monkeypatch) == 1
    said = capsys.readouterr().err
    assert "verbinding met de databank" in said and "Traceback" not in said
    assert pg_url not in said
    with PostgresStore.open(pg_url, pg_patient, clock) as store:
        (talk,) = store.open_sessions()
        assert len(store.answers_of(talk.key)) == 1


def test_a_database_owner_that_is_not_a_superuser_migrates_and_serves(
    postgres_server: Server, clock: FixedClock
) -> None:
    """As a practice runs it: an ordinary login owns the database (CREATEROLE for the store's
    role), migrates it, makes patients and opens their stores."""
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute("CREATE ROLE practice_owner LOGIN CREATEROLE")
        admin.execute("CREATE DATABASE practice_db OWNER practice_owner")
    url = postgres_server.url("practice_db").replace("companion_test@", "practice_owner@")
    try:
        assert migrate(url) == known_version()
        first, second = create_patient(url), create_patient(url)
        with PostgresStore.open(url, first, clock) as store:
            store.set_setting("language", "nl")
        with PostgresStore.open(url, second, clock) as store:
            assert store.settings() == {}
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
            admin.execute("DROP DATABASE practice_db WITH (FORCE)")
            admin.execute("DROP OWNED BY practice_owner")
            admin.execute("REVOKE companion_patient FROM practice_owner")
            admin.execute("DROP ROLE practice_owner")


def test_reminders_with_a_store_read_the_patients_plan(
    pg_url: str,
    pg_patient: str,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`companion reminders` on a practice's database: the patient's plan there, not the
    (empty) data folder on the serving machine."""
    from companion.care.plan import generate_plan
    from companion.cli import main

    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    out = tmp_path / "reminders.ics"
    argv = ["--store", pg_url, "--data-dir", str(tmp_path / "none"), "--today", "2025-03-03"]
    assert main([*argv, "--lang", "nl", "reminders", "--out", str(out)]) == 2  # no plan yet
    assert not out.exists()
    with PostgresStore.open(pg_url, pg_patient, clock) as store:
        store.start_episode(date(2025, 3, 1))
        plan = generate_plan(
            [10], 30, date(2025, 3, 3), kind="walking", unit="minutes", step_every_days=3, weeks=6
        )
        store.save_plan(plan)
    capsys.readouterr()
    assert main([*argv, "--lang", "nl", "reminders", "--out", str(out)]) == 0
    assert "BEGIN:VCALENDAR" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "none").exists()
