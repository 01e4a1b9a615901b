"""Storage: what was stored survives crashes, is private, can be exported and erased, and a
damaged file is never overwritten."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from companion.care.plan import load_plan
from companion.cli import main
from companion.clock import FixedClock
from companion.store import storage
from companion.store.storage import (
    DB_NAME,
    ENV_DATA_DIR,
    MIGRATIONS,
    StorageError,
    Store,
    StoredAnswer,
    data_files,
    erase_data,
    export_data,
    resolve_data_dir,
)
from tests.test_store_contract import outcome_of

PLANS = Path(__file__).parent / "fixtures" / "plans"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2025, 3, 3))


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[Store]:
    with Store.open(tmp_path / "data", clock) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _no_real_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Anything that forgets to pass a folder lands in tmp_path, never in the user's data.
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env-data"))


def raw(path: Path) -> sqlite3.Connection:
    """A second, independent connection: sees only what was committed."""
    return sqlite3.connect(path / DB_NAME)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- events -------------------------------------------------------------------------------


def test_events_are_committed_in_order_with_the_clock_time(store: Store, clock: FixedClock) -> None:
    first = store.append("check_in", {"pain_now": 6})
    clock.advance(days=1)
    second = store.append("check_in", {"pain_now": 4, "note": "beter, merci"})
    third = store.append("quota", {"done": "partly"})
    assert first < second < third
    # Visible to another connection while the store is still open: committed, not buffered.
    with raw(store.data_dir) as other:
        rows = other.execute("SELECT id, at, kind, payload FROM events ORDER BY id").fetchall()
    assert [(r[0], r[2], json.loads(r[3])) for r in rows] == [
        (first, "check_in", {"pain_now": 6}),
        (second, "check_in", {"pain_now": 4, "note": "beter, merci"}),
        (third, "quota", {"done": "partly"}),
    ]
    assert rows[0][1] == "2025-03-03T09:00:00+00:00"
    assert rows[1][1] == "2025-03-04T09:00:00+00:00"
    assert [e.id for e in store.events("check_in")] == [first, second]
    assert store.events()[2].payload == {"done": "partly"}


def test_events_cannot_be_changed_or_deleted(store: Store) -> None:
    store.append("check_in", {"pain_now": 6})
    with raw(store.data_dir) as other, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        other.execute("UPDATE events SET payload = '{}'")
    with raw(store.data_dir) as other, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        other.execute("DELETE FROM events")
    assert store.events()[0].payload == {"pain_now": 6}


def test_what_cannot_be_stored_as_json_is_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="not JSON"):
        store.append("check_in", {"when": date(2025, 3, 3)})
    assert store.events() == []


# --- the file -------------------------------------------------------------------------------


def test_journal_is_wal_and_schema_version_is_set(store: Store) -> None:
    with raw(store.data_dir) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.schema_version == len(MIGRATIONS)


def test_reopening_applies_nothing_twice_and_keeps_data(tmp_path: Path, clock: FixedClock) -> None:
    with Store.open(tmp_path, clock) as store:
        store.append("check_in", {"pain_now": 5})
        store.set_setting("language", "fr")
    for _ in range(2):
        with Store.open(tmp_path, clock) as store:
            assert store.schema_version == len(MIGRATIONS)
            assert [e.payload for e in store.events()] == [{"pain_now": 5}]
            assert store.settings() == {"language": "fr"}


def test_a_new_migration_is_applied_once(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path, clock) as store:
        store.append("check_in", {"pain_now": 5})
    newer = [
        *MIGRATIONS,
        ("CREATE TABLE notes (text TEXT)", "INSERT INTO notes VALUES ('added once')"),
    ]
    monkeypatch.setattr(storage, "MIGRATIONS", newer)
    for _ in range(2):
        with Store.open(tmp_path, clock) as store:
            assert store.schema_version == len(newer)
            assert len(store.events()) == 1
    with raw(tmp_path) as other:
        assert other.execute("SELECT text FROM notes").fetchall() == [("added once",)]


def test_a_failing_migration_changes_nothing(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path, clock) as store:
        store.append("check_in", {"pain_now": 5})
    broken = [*MIGRATIONS, ("CREATE TABLE notes (text TEXT)", "INSERT INTO nowhere VALUES (1)")]
    monkeypatch.setattr(storage, "MIGRATIONS", broken)
    with pytest.raises(StorageError, match="Nothing was changed"):
        Store.open(tmp_path, clock)
    monkeypatch.setattr(storage, "MIGRATIONS", MIGRATIONS)
    with Store.open(tmp_path, clock) as store:  # not set aside: the file is fine
        assert store.schema_version == len(MIGRATIONS)
        assert len(store.events()) == 1
    with raw(tmp_path) as other:
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_schema")}
    assert "notes" not in tables


def test_folder_is_private_and_every_file_too(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0)  # the most careless setting: nothing may depend on the umask
    try:
        folder = tmp_path / "deep" / "data"
        with Store.open(folder, clock) as store:
            store.append("check_in", {"pain_now": 3})
            store.save_plan(load_plan(PLANS / "walking.json"))
            files = sorted(p.name for p in folder.iterdir())
            modes = {p.name: mode(p) for p in folder.iterdir()}
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    # companion.db.lock: the lock every open store holds (see tests/test_concurrency.py)
    assert files == [DB_NAME, f"{DB_NAME}-shm", f"{DB_NAME}-wal", f"{DB_NAME}.lock"]
    assert modes == dict.fromkeys(files, 0o600)


def test_export_file_is_private(tmp_path: Path, clock: FixedClock) -> None:
    with Store.open(tmp_path / "data", clock) as store:
        store.append("check_in", {"pain_now": 3})
    out = tmp_path / "export.json"
    out.write_text("old")
    out.chmod(0o644)
    assert main(["--data-dir", str(tmp_path / "data"), "export", "--out", str(out)]) == 0
    assert mode(out) == 0o600
    assert json.loads(out.read_text())["events"][0]["payload"] == {"pain_now": 3}


# --- crashes and resuming ---------------------------------------------------------------------


CRASHING_DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    from companion.clock import FixedClock
    from companion.store.storage import Store

    store = Store.open(sys.argv[1], FixedClock(date(2025, 3, 3)))
    key = store.start_session("triage", "nl", "BE", {})
    for i in range(40):
        store.append("check_in", {"n": i})
    for question in ("saddle_numbness", "bladder_retention"):
        store.record_answer(key, "triage", question, False)
    print(key, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint, no cleanup
    """
)


def test_everything_appended_survives_a_killed_process(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "data"
    ran = subprocess.run(
        [sys.executable, "-c", CRASHING_DRIVER, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == -signal.SIGKILL, ran.stderr
    key = ran.stdout.strip()
    assert (folder / f"{DB_NAME}-wal").exists()  # the data is still in the WAL: recovery runs
    with Store.open(folder, clock) as store:
        assert [e.payload for e in store.events()] == [{"n": i} for i in range(40)]
        assert [s.key for s in store.open_sessions()] == [key]
        assert store.answers_of(key) == [
            StoredAnswer("saddle_numbness", False, store.answers_of(key)[0].at),
            StoredAnswer("bladder_retention", False, store.answers_of(key)[1].at),
        ]
    with raw(folder) as other:
        assert other.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_replaced_plans_are_kept(store: Store, clock: FixedClock) -> None:
    assert store.current_plan() is None
    first = load_plan(PLANS / "walking.json")
    second = load_plan(PLANS / "physiotherapist.toml")
    store.save_plan(first)
    clock.advance(days=10)
    store.save_plan(second)
    assert store.current_plan() == second
    assert [(p.plan, p.at.date()) for p in store.plan_history()] == [
        (first, date(2025, 3, 3)),
        (second, date(2025, 3, 13)),
    ]


# --- typed outcomes ------------------------------------------------------------------------


def stored_outcome_column(folder: Path, key: str, text: str) -> None:
    """Writes a session's outcome column as another version (or damage) left it."""
    with raw(folder) as other:
        other.execute("UPDATE sessions SET outcome = ? WHERE key = ?", (text, key))


def finished_triage(store: Store, disposition: str) -> str:
    key = store.start_session("triage", "nl", "BE", {})
    store.finish_session(key, outcome_of(disposition, {"pain_duration_days": 2}))
    return key


def test_an_outcome_stored_before_advice_existed_still_reads(store: Store) -> None:
    key = finished_triage(store, "gp_soon")
    older = outcome_of("gp_soon", {"pain_duration_days": 2}).model_dump(mode="json")
    del older["advice"], older["message_keys"]  # fields added by later versions
    stored_outcome_column(store.data_dir, key, json.dumps(older))
    read = store.session(key)
    assert read.outcome is not None and read.unreadable is None
    assert (read.disposition, read.outcome.advice, read.answer("pain_duration_days")) == (
        "gp_soon",
        [],
        2,
    )


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        ('{"disposition": 5, "answers": "none"}', "disposition"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not valid"),
    ],
)
def test_a_stored_outcome_that_does_not_validate_is_marked_not_raised(
    store: Store, column: str, problem: str
) -> None:
    key = finished_triage(store, "self_care")
    stored_outcome_column(store.data_dir, key, column)
    (read,) = store.finished(["triage"])
    assert read.key == key and read.outcome is None and read.disposition is None
    assert read.unreadable is not None and problem in read.unreadable
    # The export keeps what is stored, for whoever tries to recover it.
    (exported,) = store.export()["sessions"]
    assert exported["key"] == key
    assert exported["outcome"] == (column if column.startswith("{not") else json.loads(column))


def test_an_unreadable_triage_result_is_screened_again_never_read_as_an_older_one(
    tmp_path: Path,
) -> None:
    from companion.journey.journey import TRIAGE, Journey
    from companion.reports.report import collect, open_texts
    from companion.resources import builtin_library
    from tests.test_journey import START

    clock = FixedClock(START)
    library = builtin_library()
    with Store.open(tmp_path / "data", clock) as store:
        earlier = finished_triage(store, "self_care")
        clock.advance(days=1)
        latest = finished_triage(store, "emergency")
        stored_outcome_column(store.data_dir, latest, '{"disposition": ["emergency"]}')
        journey = Journey(library, store, clock, "nl", None)
        # Skipping the damaged result would go on from the earlier self-care triage.
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == TRIAGE
        store.set_aside(conversation.key, "test: stopped")
        texts = open_texts(library, store, "nl", None)
        shown = collect(store, library, texts, clock.today()).screens
        assert [s.disposition for s in shown] == ["self_care"]  # the damaged one is left out
        assert store.session(earlier).disposition == "self_care"


# --- export and erase -----------------------------------------------------------------------


def test_export_contains_everything_stored(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, clock) as store:
        store.set_setting("language", "nl")
        store.set_setting("region", "BE")
        store.start_episode(date(2025, 2, 27))
        store.save_plan(load_plan(PLANS / "walking.json"))
        store.save_plan(load_plan(PLANS / "physiotherapist.toml"))
        key = store.start_session("triage", "nl", "BE", {})
        store.record_answer(key, "triage", "saddle_numbness", False)
        store.record_answer(key, "triage", "age", 52)
        store.finish_session(key, outcome_of("self_care"))
        open_key = store.start_session("check_in", "nl", "BE", {"day": 4})
        store.append("check_in", {"pain_now": 7, "pain_trend": "same"})
        store.append("missed_day", {"day": "2025-03-02"})
    exported = export_data(folder, clock)
    assert json.loads(json.dumps(exported)) == exported
    assert exported["settings"] == {"language": "nl", "region": "BE"}
    assert [e["onset"] for e in exported["episodes"]] == ["2025-02-27"]
    assert [p["plan"]["created_by"] for p in exported["plans"]] == ["patient", "physiotherapist"]
    sessions = {s["key"]: s for s in exported["sessions"]}
    assert [a["value"] for a in sessions[key]["answers"]] == [False, 52]
    assert sessions[key]["outcome"] == outcome_of("self_care").model_dump(mode="json")
    assert sessions[open_key]["finished_at"] is None
    assert [e["payload"] for e in exported["events"]] == [
        {"pain_now": 7, "pain_trend": "same"},
        {"day": "2025-03-02"},
    ]


def test_cli_export_prints_the_same_as_export_data(
    tmp_path: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, clock) as store:
        store.append("check_in", {"pain_now": 2})
    assert main(["export", "--data-dir", str(folder)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["events"] == export_data(folder, clock)["events"]


def test_export_without_data_creates_nothing(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "never-used"
    assert export_data(folder, clock)["events"] == []
    assert not folder.exists()


def test_erase_removes_every_file(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, clock) as store:
        store.append("check_in", {"pain_now": 2})
    (folder / f"{DB_NAME}.corrupt-20250101T000000").write_bytes(b"old damaged copy")
    store = Store.open(folder, clock)
    deleted = store.erase()
    assert {p.name for p in deleted} >= {DB_NAME, f"{DB_NAME}.corrupt-20250101T000000"}
    assert not folder.exists()


def test_erase_keeps_other_peoples_files(tmp_path: Path, clock: FixedClock) -> None:
    with Store.open(tmp_path, clock) as store:
        store.append("check_in", {"pain_now": 2})
    (tmp_path / "holiday.jpg").write_bytes(b"not ours")
    erase_data(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holiday.jpg"]


@pytest.mark.parametrize("reply", ["yes", "Ja", " oui "])
def test_cli_erase_after_confirmation(
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reply: str,
) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, clock) as store:
        store.append("check_in", {"pain_now": 2})
    monkeypatch.setattr("builtins.input", lambda prompt: reply)
    assert main(["--data-dir", str(folder), "erase"]) == 0
    out = capsys.readouterr().out  # no language stored: said in each language
    assert "Alle gegevens van de hulp" in out and "zijn gewist" in out
    assert "Toutes les données de l'aide" in out and "sont effacées" in out
    assert data_files(folder) == []


@pytest.mark.parametrize("reply", ["no", "nee", "", "y"])
def test_cli_erase_without_confirmation_deletes_nothing(
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reply: str,
) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, clock) as store:
        store.append("check_in", {"pain_now": 2})
    monkeypatch.setattr("builtins.input", lambda prompt: reply)
    assert main(["erase", "--data-dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "Er is niets gewist." in out and "Rien n'a été effacé." in out
    with Store.open(folder, clock) as store:
        assert len(store.events()) == 1


def test_cli_erase_yes_skips_the_question_and_honours_the_environment(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "from-env"
    monkeypatch.setenv(ENV_DATA_DIR, str(folder))
    with Store.open(None, clock) as store:
        store.append("check_in", {"pain_now": 2})
    assert store.path == folder / DB_NAME

    def no_questions(prompt: str) -> str:
        raise AssertionError("asked although --yes was given")

    monkeypatch.setattr("builtins.input", no_questions)
    assert main(["erase", "--yes"]) == 0
    assert not folder.exists()


# --- damaged files and unusable folders ----------------------------------------------------------


def test_garbage_database_is_kept_aside_not_overwritten(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    garbage = b"this is not a database\x00\xff" * 200
    (folder / DB_NAME).write_bytes(garbage)
    with pytest.raises(StorageError) as caught:
        Store.open(folder, clock)
    message = str(caught.value)
    kept = folder / f"{DB_NAME}.corrupt-20250303T090000"
    assert str(folder / DB_NAME) in message
    assert kept.name in message and "kept aside" in message
    assert kept.read_bytes() == garbage
    with Store.open(folder, clock) as store:  # the next start is a fresh, empty database
        assert store.events() == []
    assert kept.read_bytes() == garbage


def test_damaged_pages_are_detected_and_kept_aside(tmp_path: Path, clock: FixedClock) -> None:
    with Store.open(tmp_path, clock) as store:
        for i in range(300):
            store.append("check_in", {"n": i, "note": "x" * 100})
    path = tmp_path / DB_NAME
    with path.open("r+b") as db:
        db.seek(4096 * 3)
        db.write(b"\xa5" * 8192)
    damaged = path.read_bytes()
    with pytest.raises(StorageError, match="kept aside"):
        Store.open(tmp_path, clock)
    (kept,) = tmp_path.glob(f"{DB_NAME}.corrupt-*")
    assert kept.read_bytes() == damaged


def test_someone_elses_database_is_kept_aside(tmp_path: Path, clock: FixedClock) -> None:
    with sqlite3.connect(tmp_path / DB_NAME) as other:
        other.execute("CREATE TABLE recipes (name TEXT)")
        other.execute("INSERT INTO recipes VALUES ('stoemp')")
    other.close()
    with pytest.raises(StorageError, match="not a companion database"):
        Store.open(tmp_path, clock)
    (kept,) = tmp_path.glob(f"{DB_NAME}.corrupt-*")
    with sqlite3.connect(kept) as old:
        assert old.execute("SELECT name FROM recipes").fetchall() == [("stoemp",)]
    old.close()


def test_a_newer_database_is_left_alone(tmp_path: Path, clock: FixedClock) -> None:
    with Store.open(tmp_path, clock) as store:
        store.append("check_in", {"n": 1})
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StorageError, match="newer version"):
        Store.open(tmp_path, clock)
    assert list(tmp_path.glob("*.corrupt-*")) == []
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (1,)
    db.close()


def test_a_data_folder_that_cannot_exist_is_named(tmp_path: Path, clock: FixedClock) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    folder = blocker / "data"
    with pytest.raises(StorageError) as caught:
        Store.open(folder, clock)
    assert str(folder) in str(caught.value)
    assert "--data-dir" in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_data_folder_is_named(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(StorageError, match="cannot write to the data folder") as caught:
            Store.open(folder, clock)
    finally:
        folder.chmod(0o700)
    assert str(folder) in str(caught.value)


def test_cli_reports_a_damaged_database_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"garbage" * 100)
    assert main(["export", "--data-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("companion export: le fichier de données")  # no language known:
    assert "companion export: het gegevensbestand" in err  # one line in each
    assert len(err.splitlines()) == 2
    assert "Traceback" not in err


# --- where ------------------------------------------------------------------------------------


def test_data_dir_choice_explicit_then_environment_then_user_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv(ENV_DATA_DIR)
    import platformdirs

    assert resolve_data_dir() == Path(platformdirs.user_data_dir("companion", appauthor=False))
