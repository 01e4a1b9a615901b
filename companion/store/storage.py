"""The SQLite store: a person's data in one SQLite file in their data directory.

It implements :class:`companion.store.protocol.Store` and returns the typed records of
:mod:`companion.store.records`.

- Where: ``platformdirs.user_data_dir("companion")``, or ``COMPANION_DATA_DIR``, or an explicit
  ``data_dir`` (the CLI's ``--data-dir``). The directory is created 0700; the database and its
  ``-wal``/``-shm`` files are 0600.
- How: WAL journal, ``synchronous=FULL``: a method that writes has committed when it returns,
  so what it reported stored survives a crash or a power cut.
- Schema: ``PRAGMA user_version`` counts the :data:`MIGRATIONS` applied; pending ones are
  applied in one transaction on open. ``PRAGMA application_id`` marks the file as ours.
- Never overwritten: a corrupt or foreign file is moved aside to ``<name>.corrupt-<time>``
  and :class:`StorageError` says so; a file from a newer version is left alone.
- Several processes: a new database is made and migrated in a temporary file beside it and
  moved into place complete, so no process ever sees a half-made one. Every open store holds
  a shared ``flock`` on ``companion.db.lock``; making the file and setting a damaged one aside
  need it exclusively, so a file another process has open is never set aside. One
  conversation at a time: :func:`hold_conversation` (``companion.db.conversation.lock``).
- Read-only: :meth:`Store.open` with ``for_reading=True`` (export, report) opens a folder or
  file that cannot be written with SQLite's ``mode=ro``; writing there, or to a full disk,
  raises a :class:`StorageError` that says so in the person's language and loses nothing
  stored before.

Tables: ``events`` (append-only: id, at, person, kind, payload JSON), ``settings``,
``episodes`` (onset and end dates), ``plans`` (every saved plan; the newest is current),
``sessions`` and ``answers`` (append-only: a driver resumes an unfinished conversation by
replaying them, see :func:`companion.journey.replay.replay`). Timestamps come from the injected
:class:`~companion.clock.Clock`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from companion.care.plan import Plan
from companion.clock import Clock, SystemClock
from companion.dialogue.conditions import AnswerValue
from companion.dialogue.engine import Outcome
from companion.store.backend import DEFAULT_PERSON as DEFAULT_PERSON
from companion.store.backend import EXPORT_FORMAT as EXPORT_FORMAT
from companion.store.backend import EXPORT_VERSION as EXPORT_VERSION
from companion.store.backend import PLAN_UNREADABLE as PLAN_UNREADABLE
from companion.store.backend import (
    episode_to_end,
    exported_events,
    stored_plan,
    stored_session,
    to_json,
)

# Re-exported (``X as X``) where they were before the store was split up, so code that
# imports them from here keeps working; new code imports them from errors and records.
from companion.store.errors import AlreadyOpen as AlreadyOpen
from companion.store.errors import StorageError as StorageError
from companion.store.records import Episode as Episode
from companion.store.records import Event as Event
from companion.store.records import (
    ReadOutcome,
    read_outcome,
    set_aside_outcome,
)
from companion.store.records import StoredAnswer as StoredAnswer
from companion.store.records import StoredPlan as StoredPlan
from companion.store.records import StoredSession as StoredSession
from companion.texts.i18n import N_

if sys.platform != "win32":
    import fcntl

APP_NAME = "companion"
DB_NAME = "companion.db"
ENV_DATA_DIR = "COMPANION_DATA_DIR"
APPLICATION_ID = 0x436F6D70  # "Comp": marks a SQLite file as a companion database

_SIDE_FILES = ("-wal", "-shm", "-journal")
STORE_LOCK = DB_NAME + ".lock"
"""Held shared by every open store, exclusively while the database is made or set aside."""
CONVERSATION_LOCK = DB_NAME + ".conversation.lock"
"""Held by the one conversation (plain or app) open on a data folder."""
NEW_INFIX = ".new-"
"""``companion.db.new-<hex>``: a database being made, moved into place when complete."""
LOCK_WAIT_SECONDS = 10.0
"""How long opening waits for another process that is making the database."""
_sqlite_connect = sqlite3.connect
"""The one call that opens SQLite (tests wrap it to simulate a full disk)."""

# Messages a person reads (gettext msgids, companion/texts/i18n.py); printed after "companion: ".
CANNOT_DELETE = N_("cannot delete {path}: {reason}")
CANNOT_CREATE_FOLDER = N_(
    "cannot create the data folder {folder}: {reason}. "
    "Choose another folder with --data-dir or {env}."
)
FOLDER_READ_ONLY = N_(
    "cannot write to the data folder {folder}: it is read-only. "
    "What was stored before is kept. Choose another folder with --data-dir or {env}."
)
DISK_FULL = N_(
    "the disk is full, so the last step was not saved in {path}. "
    "Everything saved before it is kept. Make room on the disk and start again."
)
CANNOT_WRITE = N_("cannot write to {path}: {reason}")
CANNOT_OPEN = N_("cannot open the database {path}: {reason}")
IN_USE = N_(
    "the database {path} is in use by another program. Nothing was changed. Try again in a moment."
)
KEPT_ASIDE = N_(
    "the database {path} cannot be used ({reason}). It was kept aside as {kept}. "
    "A new, empty database will be made next time. Keep that file if someone should try "
    "to recover it. 'companion erase' deletes it."
)
CANNOT_READ = N_("the database {path} cannot be read ({reason}). It was not changed.")
NEWER_VERSION = N_(
    "the database {path} was made by a newer version of companion (schema {version}; "
    "this version knows {known}). Update companion. The file was not changed."
)
CANNOT_MIGRATE = N_(
    "cannot update the database {path} from schema {version}: {reason}. Nothing was changed."
)
OLDER_READ_ONLY = N_(
    "the database {path} is from an older companion. It cannot be updated in a read-only "
    "folder. Open it once where it can be written."
)
NOTHING_STORED = N_("there is no stored data in {folder}.")
ALREADY_OPEN = N_(
    "the companion is already open in another window. Go on there, or close it and start again."
)
ERASE_WHILE_OPEN = N_(
    "the companion is open in another window or program. Close it first. Nothing was deleted."
)

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            person TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX events_kind ON events (kind, id)",
        """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, at TEXT NOT NULL)",
        """CREATE TABLE episodes (
            id INTEGER PRIMARY KEY,
            onset TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        """CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            plan TEXT NOT NULL
        )""",
        """CREATE TABLE sessions (
            key TEXT PRIMARY KEY,
            flow_id TEXT NOT NULL,
            language TEXT NOT NULL,
            region TEXT,
            inputs TEXT NOT NULL,
            episode INTEGER REFERENCES episodes (id),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT
        )""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_key TEXT NOT NULL REFERENCES sessions (key),
            flow_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            value TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX answers_session ON answers (session_key, id)",
        """CREATE TRIGGER answers_append_only_update BEFORE UPDATE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END""",
        """CREATE TRIGGER answers_append_only_delete BEFORE DELETE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END""",
    ),
    # 2: an episode ends when the back is fine again (issue 13); NULL while it runs.
    ("ALTER TABLE episodes ADD COLUMN ended TEXT",),
]
"""Schema changes in order; ``PRAGMA user_version`` is how many have been applied.

Only ever append to this list: a released migration never changes."""

_TABLES = frozenset({"events", "settings", "episodes", "plans", "sessions", "answers"})


# --- where --------------------------------------------------------------------------


def resolve_data_dir(data_dir: Path | str | None = None) -> Path:
    """``data_dir`` if given, else ``$COMPANION_DATA_DIR``, else the user's data directory."""
    if data_dir is not None:
        return Path(data_dir).expanduser().absolute()
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_files(data_dir: Path | str | None = None) -> list[Path]:
    """Every file this program keeps in the data directory, set-aside copies included."""
    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(DB_NAME) and p.is_file())


def erase_data(data_dir: Path | str | None = None) -> list[Path]:
    """Deletes every data file (also set-aside corrupt copies) and the folder if then empty.

    Works without opening the database, so a damaged one can be erased too.
    Returns the files deleted.
    """
    folder = resolve_data_dir(data_dir)
    if not data_files(folder):
        with contextlib.suppress(OSError):
            folder.rmdir()
        return []
    try:
        lock = _FileLock(folder / STORE_LOCK)
    except OSError as err:
        raise StorageError(
            CANNOT_DELETE, path=folder / STORE_LOCK, reason=err.strerror or str(err)
        ) from None
    with lock:
        # No other process may have the database open while it goes.
        if not lock.try_lock(exclusive=True):
            raise StorageError(ERASE_WHILE_OPEN)
        deleted = []
        for path in data_files(folder):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as err:
                raise StorageError(
                    CANNOT_DELETE, path=path, reason=err.strerror or str(err)
                ) from None
            deleted.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only succeeds when nothing else is in it
    return deleted


def stored_language(data_dir: Path | str | None = None) -> str | None:
    """The language in the settings, for messages before the database is opened (erase,
    export); None when it cannot be read. Never creates or changes a file."""
    folder = resolve_data_dir(data_dir)
    path = folder / DB_NAME
    if not path.is_file():
        return None
    old_umask = os.umask(0o077)  # a -shm file SQLite may make stays private
    try:
        if _writable(folder, path):  # an ordinary connection tidies up what it made
            connection = _sqlite_connect(path, isolation_level=None)
        else:
            connection = _open_read_only(path, _read_only_mode(path))
        try:
            row = connection.execute("SELECT value FROM settings WHERE key = 'language'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    finally:
        os.umask(old_umask)
    return str(row[0]) if row else None


def write_private(path: Path | str, text: str) -> None:
    """Writes ``text`` to ``path`` readable and writable by the owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # also when the file existed with wider permissions
        with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as out:
            out.write(text)
            out.flush()
            os.fsync(fd)
    finally:
        os.close(fd)


def export_data(data_dir: Path | str | None = None, clock: Clock | None = None) -> dict[str, Any]:
    """Everything stored, as JSON-ready data; an empty export when nothing was ever stored."""
    folder = resolve_data_dir(data_dir)
    if not (folder / DB_NAME).exists():
        return _empty_export(clock or SystemClock())
    with SQLiteStore.open(folder, clock, for_reading=True) as store:
        return store.export()


def _empty_export(clock: Clock) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": clock.now().isoformat(),
        "schema_version": len(MIGRATIONS),
        "settings": {},
        "episodes": [],
        "plans": [],
        "sessions": [],
        "events": [],
    }


# --- the store -------------------------------------------------------------------------


class SQLiteStore:
    """The :class:`~companion.store.protocol.Store` on one SQLite file. Use :meth:`open`;
    close it (or use ``with``) when done."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        clock: Clock,
        person: str,
        lock: _FileLock | None = None,
    ) -> None:
        self._db = connection
        self._lock = lock
        self.path = path
        self.data_dir = path.parent
        self._clock = clock
        self.person = person
        self.read_only = lock is None

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        clock: Clock | None = None,
        person: str = DEFAULT_PERSON,
        *,
        for_reading: bool = False,
    ) -> SQLiteStore:
        """Opens (creating if needed) the database, migrating it to the current schema.

        Raises :class:`StorageError` when the folder cannot be used, or the file is
        corrupt or foreign (then it is moved aside first, never overwritten, unless
        another process has it open). ``for_reading`` (export, report): a folder or file
        that cannot be written is opened read-only instead of refused.
        """
        clock = clock or SystemClock()
        folder = resolve_data_dir(data_dir)
        path = folder / DB_NAME
        if for_reading and folder.is_dir() and not _writable(folder, path):
            return cls(_connect_read_only(path), path, clock, person)
        _prepare_dir(folder)
        try:
            lock = _FileLock(folder / STORE_LOCK)
        except OSError as err:
            raise StorageError(CANNOT_OPEN, path=path, reason=err.strerror or str(err)) from None
        try:
            _lock_for_opening(path, lock)
            connection = _connect(path, clock, lock)
        except BaseException:
            lock.close()
            raise
        return cls(connection, path, clock, person, lock)

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # events ------------------------------------------------------------------------

    def append(self, kind: str, payload: Any = None, person: str | None = None) -> int:
        """Appends an event and returns its id; committed (durable) when this returns."""
        if not kind:
            raise ValueError("an event needs a kind")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO events (at, person, kind, payload) VALUES (?, ?, ?, ?)",
                (self._now(), person or self.person, kind, to_json(payload)),
            )
        return int(cursor.lastrowid or 0)

    def events(self, kind: str | None = None) -> list[Event]:
        """Events in the order they were appended, optionally of one kind."""
        query = "SELECT id, at, person, kind, payload FROM events"
        rows = (
            self._db.execute(query + " WHERE kind = ? ORDER BY id", (kind,))
            if kind is not None
            else self._db.execute(query + " ORDER BY id")
        )
        return [
            Event(row[0], datetime.fromisoformat(row[1]), row[2], row[3], json.loads(row[4]))
            for row in rows
        ]

    # settings and the episode ---------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM settings ORDER BY key"))

    def set_setting(self, key: str, value: str) -> None:
        """E.g. ``language`` (``nl``/``fr``) and ``region`` (``NL``/``BE``)."""
        if not key:
            raise ValueError("a setting needs a name")
        with self._write() as db:
            db.execute(
                "INSERT INTO settings (key, value, at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, at = excluded.at",
                (key, value, self._now()),
            )

    def start_episode(self, onset: date) -> int:
        """Starts an episode of back pain that began on ``onset`` (day 0); returns its id.

        Once-per-episode advice counts from here (see :meth:`fired_advice`).
        """
        if onset > self.clock.today():
            raise ValueError(f"onset {onset.isoformat()} is after today")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO episodes (onset, at) VALUES (?, ?)", (onset.isoformat(), self._now())
            )
        return int(cursor.lastrowid or 0)

    def current_episode(self) -> Episode | None:
        """The latest episode, ended or not."""
        row = self._db.execute(_EPISODE_QUERY + " ORDER BY id DESC LIMIT 1").fetchone()
        return _episode(row) if row is not None else None

    def end_episode(self, ended: date) -> None:
        """Ends the current episode on ``ended``: the patient's back is fine again.

        A later episode (the pain is back) starts with :meth:`start_episode`."""
        current = episode_to_end(self.current_episode(), ended)
        with self._write() as db:
            db.execute(
                "UPDATE episodes SET ended = ? WHERE id = ? AND ended IS NULL",
                (ended.isoformat(), current.id),
            )

    def episodes(self) -> list[Episode]:
        """Every episode, oldest first."""
        return [_episode(row) for row in self._db.execute(_EPISODE_QUERY + " ORDER BY id")]

    # plans -----------------------------------------------------------------------------

    def save_plan(self, plan: Plan) -> int:
        """Stores ``plan`` as the current plan; earlier plans stay in :meth:`plan_history`."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO plans (at, plan) VALUES (?, ?)", (self._now(), plan.model_dump_json())
            )
        return int(cursor.lastrowid or 0)

    def current_plan(self) -> Plan | None:
        history = self.plan_history(latest_only=True)
        return history[0].plan if history else None

    def plan_history(self, latest_only: bool = False) -> list[StoredPlan]:
        """Every plan saved, oldest first (or only the current one)."""
        query = "SELECT id, at, plan FROM plans ORDER BY id"
        if latest_only:
            query += " DESC LIMIT 1"
        return [
            stored_plan(row[0], row[1], json.loads(row[2]), f"{self.path} (plan {row[0]})")
            for row in self._db.execute(query).fetchall()
        ]

    # conversations ----------------------------------------------------------------------

    def start_session(
        self,
        flow_id: str,
        language: str,
        region: str | None,
        inputs: Mapping[str, AnswerValue] | None = None,
    ) -> str:
        """Records the start of a conversation; returns its key. Tagged with the episode."""
        key = uuid.uuid4().hex
        episode = self.current_episode()
        with self._write() as db:
            db.execute(
                "INSERT INTO sessions (key, flow_id, language, region, inputs, episode, "
                "started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    flow_id,
                    language,
                    region,
                    to_json(dict(inputs or {})),
                    episode.id if episode else None,
                    self._now(),
                ),
            )
        return key

    def record_answer(
        self, session_key: str, flow_id: str, question_id: str, value: AnswerValue
    ) -> None:
        """Stores an accepted answer (``Turn.accepted.value``) before the turn is shown."""
        session = self.session(session_key)
        if session.flow_id != flow_id:
            raise ValueError(
                f"session {session_key} runs flow '{session.flow_id}', not '{flow_id}'"
            )
        if session.finished_at is not None:
            raise ValueError(f"session {session_key} is finished; no more answers")
        if not isinstance(value, bool | int | str):
            raise TypeError(f"an answer is a bool, int or str, not {type(value).__name__}")
        with self._write() as db:
            db.execute(
                "INSERT INTO answers (session_key, flow_id, question_id, value, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_key, flow_id, question_id, to_json(value), self._now()),
            )

    def answers_of(self, session_key: str) -> list[StoredAnswer]:
        """The answers of a session in the order they were given."""
        rows = self._db.execute(
            "SELECT question_id, value, at FROM answers WHERE session_key = ? ORDER BY id",
            (session_key,),
        )
        return [StoredAnswer(r[0], json.loads(r[1]), datetime.fromisoformat(r[2])) for r in rows]

    def finish_session(self, session_key: str, outcome: Outcome) -> None:
        """Records the outcome (stored as its JSON); a session finishes once."""
        self._finish(session_key, outcome.model_dump(mode="json"))

    def set_aside(self, session_key: str, why: str) -> None:
        """Finishes an abandoned conversation without an outcome; it never counts as held."""
        self._finish(session_key, set_aside_outcome(why))

    def _finish(self, session_key: str, stored: Mapping[str, Any]) -> None:
        self.session(session_key)
        with self._write() as db:
            changed = db.execute(
                "UPDATE sessions SET finished_at = ?, outcome = ? "
                "WHERE key = ? AND finished_at IS NULL",
                (self._now(), to_json(dict(stored)), session_key),
            ).rowcount
        if changed != 1:
            raise ValueError(f"session {session_key} is already finished")

    def session(self, session_key: str) -> StoredSession:
        row = self._db.execute(_SESSION_QUERY + " WHERE key = ?", (session_key,)).fetchone()
        if row is None:
            raise KeyError(f"no session {session_key}")
        return _session(row)

    def open_sessions(self) -> list[StoredSession]:
        """Unfinished sessions, oldest first; check ``started_at`` before resuming one."""
        rows = self._db.execute(
            _SESSION_QUERY + " WHERE finished_at IS NULL ORDER BY started_at, rowid"
        )
        return [_session(row) for row in rows]

    def sessions(self) -> list[StoredSession]:
        rows = self._db.execute(_SESSION_QUERY + " ORDER BY started_at, rowid")
        return [_session(row) for row in rows]

    def finished(self, flow_ids: Iterable[str], episode: int | None = None) -> list[StoredSession]:
        """Sessions of these flows that reached an outcome, oldest first; one set aside
        unfinished (too old, or its flow changed) has no outcome to speak of."""
        query, params = _finished_query(flow_ids, episode)
        rows = self._db.execute(query + " ORDER BY started_at, rowid", params)
        return [s for s in map(_session, rows) if s.reached_outcome]

    def latest_finished(self, flow_ids: Iterable[str]) -> StoredSession | None:
        query, params = _finished_query(flow_ids, None)
        for row in self._db.execute(query + " ORDER BY started_at DESC, rowid DESC", params):
            session = _session(row)
            if session.reached_outcome:
                return session
        return None

    def finished_since(self, flow_ids: Iterable[str], since: datetime) -> list[StoredSession]:
        # Compared as datetimes, not as text: the offset of stored times changes with DST.
        return [s for s in self.finished(flow_ids) if s.started_at >= since]

    def fired_advice(self, flow_id: str | None = None) -> set[str]:
        """Advice rules that fired in finished sessions of the current episode.

        Pass to ``Session(..., fired_before=...)`` so once-per-episode advice is
        given once (clinical brief section 5).
        """
        episode = self.current_episode()
        if episode is None:
            return set()
        query = _SESSION_QUERY + " WHERE episode = ? AND finished_at IS NOT NULL"
        params: tuple[object, ...] = (episode.id,)
        if flow_id is not None:
            query += " AND flow_id = ?"
            params += (flow_id,)
        return {
            advice.rule
            for session in map(_session, self._db.execute(query, params))
            if session.outcome is not None
            for advice in session.outcome.advice
        }

    # everything -----------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything stored, JSON-serialisable (``json.dumps`` works on it as is)."""
        data = _empty_export(self.clock)
        data["schema_version"] = self.schema_version
        data["settings"] = self.settings()
        data["episodes"] = [
            {"id": r[0], "onset": r[1], "at": r[2], "ended": r[3]}
            for r in self._db.execute(_EPISODE_QUERY + " ORDER BY id")
        ]
        data["plans"] = [
            {"id": r[0], "at": r[1], "plan": json.loads(r[2])}
            for r in self._db.execute("SELECT id, at, plan FROM plans ORDER BY id")
        ]
        data["sessions"] = [
            {
                "key": s.key,
                "flow_id": s.flow_id,
                "language": s.language,
                "region": s.region,
                "inputs": s.inputs,
                "episode": s.episode,
                "started_at": s.started_at.isoformat(),
                "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                "outcome": stored_outcome,
                "answers": [
                    {"question_id": a.question_id, "value": a.value, "at": a.at.isoformat()}
                    for a in self.answers_of(s.key)
                ],
            }
            for s, stored_outcome in self._sessions_as_stored()
        ]
        data["events"] = exported_events(self.events())
        return data

    def erase(self) -> list[Path]:
        """Closes the store and deletes every data file; the store cannot be used after."""
        self.close()
        return erase_data(self.data_dir)

    # internals ----------------------------------------------------------------------------

    def _sessions_as_stored(self) -> Iterator[tuple[StoredSession, Any]]:
        """Every session with its outcome column as stored: an export keeps even an
        outcome that no longer validates, for whoever tries to recover it."""
        for row in self._db.execute(_SESSION_QUERY + " ORDER BY started_at, rowid"):
            yield _session(row), _as_stored(row[8])

    def _now(self) -> str:
        return self.clock.now().isoformat()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise StorageError(FOLDER_READ_ONLY, folder=self.data_dir, env=ENV_DATA_DIR)
        try:
            with _transaction(self._db):
                yield self._db
        except sqlite3.OperationalError as err:
            raise _write_failure(err, self.path) from None
        _private(self.path)


Store = SQLiteStore
"""The SQLite store under its former name, for tests and branches that open it directly;
type against :class:`companion.store.protocol.Store` instead."""


_SESSION_QUERY = (
    "SELECT key, flow_id, language, region, inputs, episode, started_at, finished_at, outcome "
    "FROM sessions"
)


_EPISODE_QUERY = "SELECT id, onset, at, ended FROM episodes"


def _episode(row: Sequence[Any]) -> Episode:
    ended = date.fromisoformat(row[3]) if row[3] is not None else None
    return Episode(row[0], date.fromisoformat(row[1]), datetime.fromisoformat(row[2]), ended)


def _finished_query(flow_ids: Iterable[str], episode: int | None) -> tuple[str, tuple[object, ...]]:
    wanted = tuple(dict.fromkeys(flow_ids))
    marks = ", ".join("?" for _ in wanted)
    query = _SESSION_QUERY + f" WHERE finished_at IS NOT NULL AND flow_id IN ({marks})"
    if episode is None:
        return query, wanted
    return query + " AND episode = ?", (*wanted, episode)


def _session(row: Sequence[Any]) -> StoredSession:
    try:
        stored = json.loads(row[8]) if row[8] else None
    except ValueError as err:
        read = ReadOutcome(unreadable=f"the stored outcome is not JSON ({err})")
    else:
        read = read_outcome(stored)
    return stored_session(row, json.loads(row[4]), read)


def _as_stored(text: str | None) -> Any:
    """A JSON column decoded, or its text as it is when it is not JSON (damaged)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")  # a full disk may refuse the commit itself
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _write_failure(err: sqlite3.Error, path: Path) -> StorageError:
    code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF  # primary result code
    text = str(err)
    if code == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StorageError(DISK_FULL, path=path)
    if code == sqlite3.SQLITE_READONLY or "readonly database" in text:
        return StorageError(FOLDER_READ_ONLY, folder=path.parent, env=ENV_DATA_DIR)
    return StorageError(CANNOT_WRITE, path=path, reason=text)


# --- opening safely ----------------------------------------------------------------------------


class _FileLock:
    """An ``flock(2)`` lock on a file in the data folder. The kernel drops it when the
    process ends, also when it is killed, so a crash never leaves the folder locked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd = self._open()

    def _open(self) -> int:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited (PEP 446)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        return fd

    def still_in_place(self) -> bool:
        """False when the lock file was deleted (``erase``) or replaced since it was opened:
        a lock on it then excludes nobody, so take a fresh one (:meth:`reopen`)."""
        try:
            return os.stat(self._path).st_ino == os.fstat(self._fd).st_ino
        except OSError:
            return False

    def reopen(self) -> None:
        self.close()
        self._fd = self._open()

    def try_lock(self, exclusive: bool) -> bool:
        """Takes (or converts to) a shared or exclusive lock without waiting.

        A conversion that fails leaves no lock at all (Linux drops the old one first)."""
        if sys.platform == "win32":
            return True  # no flock: one window at a time is not enforced there
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)  # releases the lock

    def __enter__(self) -> _FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ConversationLock:
    """Held while a conversation runs on a data folder; :func:`hold_conversation`."""

    def __init__(self, lock: _FileLock) -> None:
        self._lock = lock

    def release(self) -> None:
        self._lock.close()

    def __enter__(self) -> ConversationLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def hold_conversation(data_dir: Path | str | None = None) -> ConversationLock:
    """One conversation at a time per data folder: two windows would answer into the same
    session. Raises :class:`AlreadyOpen` when another process holds the folder."""
    folder = _prepare_dir(resolve_data_dir(data_dir))
    try:
        lock = _FileLock(folder / CONVERSATION_LOCK)
    except OSError as err:
        raise StorageError(
            CANNOT_OPEN, path=folder / DB_NAME, reason=err.strerror or str(err)
        ) from None
    if not lock.try_lock(exclusive=True):
        lock.close()
        raise AlreadyOpen(ALREADY_OPEN)
    return ConversationLock(lock)


def _writable(folder: Path, path: Path) -> bool:
    """Whether new data can be stored (the one place that decides; tests patch it)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    return not path.exists() or os.access(path, os.R_OK | os.W_OK)


def _prepare_dir(folder: Path) -> Path:
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)  # mkdir's mode is reduced by the umask
    except OSError as err:
        raise StorageError(
            CANNOT_CREATE_FOLDER, folder=folder, reason=err.strerror or str(err), env=ENV_DATA_DIR
        ) from None
    if not _writable(folder, folder / DB_NAME):
        raise StorageError(FOLDER_READ_ONLY, folder=folder, env=ENV_DATA_DIR)
    return folder


def _complete(path: Path) -> bool:
    """A database is at ``path`` (made elsewhere and moved in, so never half made)."""
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _lock_for_opening(path: Path, lock: _FileLock) -> None:
    """Leaves ``lock`` shared with a complete database at ``path``, making it first when
    there is none. Only one process makes it; the others wait until it is in place."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        if not lock.still_in_place():
            lock.reopen()
        if _complete(path):
            if lock.try_lock(exclusive=False) and lock.still_in_place():
                return
        elif lock.try_lock(exclusive=True) and lock.still_in_place():
            if not _complete(path):
                _create(path)
            if lock.try_lock(exclusive=False):
                return
        if time.monotonic() > deadline:
            raise StorageError(IN_USE, path=path)
        time.sleep(0.02)


def _create(path: Path) -> None:
    """Makes and migrates the database in a temporary file beside ``path``, then moves it
    into place: another process sees no database or a complete one, never one half made.
    Called with the store lock held exclusively, so a leftover temporary file is stale."""
    for leftover in path.parent.glob(f"{path.name}{NEW_INFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    temp = path.with_name(f"{path.name}{NEW_INFIX}{uuid.uuid4().hex}")
    old_umask = os.umask(0o077)
    try:
        _create_private(temp)
        db = _sqlite_connect(temp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")  # kept in the file
            db.execute("PRAGMA synchronous = FULL")
            _migrate(db, path)
        finally:
            db.close()  # checkpoints: everything is in the one file now
        _fsync(temp)
        os.replace(temp, path)  # path is absent, or an empty file nobody uses
        _fsync(path.parent)
    except sqlite3.Error as err:
        raise _write_failure(err, path) from None
    except OSError as err:
        raise StorageError(CANNOT_WRITE, path=path, reason=err.strerror or str(err)) from None
    finally:
        os.umask(old_umask)
        for name in (temp.name, *(temp.name + side for side in _SIDE_FILES)):
            with contextlib.suppress(OSError):
                (path.parent / name).unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect(path: Path, clock: Clock, lock: _FileLock) -> sqlite3.Connection:
    old_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates are private too
    try:
        connection = _sqlite_connect(path, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout = 5000")
            try:
                _check_ours(connection, path)
            except _Corrupt:
                connection.close()
                _set_aside_if_nobody_holds(path, clock, lock)
                connection = _sqlite_connect(path, isolation_level=None)
                connection.execute("PRAGMA busy_timeout = 5000")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            _migrate(connection, path)
        except BaseException:
            connection.close()
            raise
    except sqlite3.OperationalError as err:
        raise _open_failure(err, path) from None
    finally:
        os.umask(old_umask)
    _private(path)
    return connection


def _open_failure(err: sqlite3.Error, path: Path) -> StorageError:
    """Opening writes too (the WAL, a migration): a full disk or read-only file says so."""
    failure = _write_failure(err, path)
    if failure.message == CANNOT_WRITE:
        return StorageError(CANNOT_OPEN, path=path, reason=str(err))
    return failure


def _set_aside_if_nobody_holds(path: Path, clock: Clock, lock: _FileLock) -> None:
    """A file that looks damaged goes aside only when no other process has it open and a
    second, fresh look agrees; a file in use is never moved. Returns (with ``lock`` shared
    again) when the second look finds the file sound; raises otherwise."""
    if not lock.try_lock(exclusive=True):
        raise StorageError(IN_USE, path=path)
    try:
        second = _sqlite_connect(path, isolation_level=None)
        try:
            _check_ours(second, path)
        finally:
            second.close()
    except _Corrupt as err:
        kept = _set_aside(path, clock)
        raise StorageError(KEPT_ASIDE, path=path, reason=str(err), kept=kept.name) from None
    if not lock.try_lock(exclusive=False):
        raise StorageError(IN_USE, path=path)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """The database opened read-only: nothing is written, not even a ``-shm`` file.

    Without a ``-wal`` file (or an empty one) everything is in the database file and no
    process can be writing it (the folder or file cannot be written), so SQLite reads it as
    ``immutable``; with one, ``mode=ro`` reads the WAL too (this needs its ``-shm``)."""
    if not _complete(path):
        raise StorageError(NOTHING_STORED, folder=path.parent)
    old_umask = os.umask(0o077)
    try:
        connection = _open_read_only(path, _read_only_mode(path))
        try:
            _check_ours(connection, path)
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        except BaseException:
            connection.close()
            raise
    except _Corrupt as err:
        raise StorageError(CANNOT_READ, path=path, reason=str(err)) from None
    except sqlite3.Error as err:
        raise StorageError(CANNOT_OPEN, path=path, reason=str(err)) from None
    finally:
        os.umask(old_umask)
    if version == 0:
        connection.close()
        raise StorageError(NOTHING_STORED, folder=path.parent)
    if version < len(MIGRATIONS):
        connection.close()
        raise StorageError(OLDER_READ_ONLY, path=path)
    return connection


def _read_only_mode(path: Path) -> str:
    wal = path.with_name(path.name + "-wal")
    return "mode=ro" if _complete(wal) else "immutable=1"


def _open_read_only(path: Path, mode: str) -> sqlite3.Connection:
    connection = _sqlite_connect(f"{path.as_uri()}?{mode}", uri=True, isolation_level=None)
    try:
        connection.execute("PRAGMA schema_version").fetchone()  # opens the file for real
    except BaseException:
        connection.close()
        raise
    return connection


class _Corrupt(Exception):
    pass


def _create_private(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _private(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(candidate.stat().st_mode) != 0o600:
                candidate.chmod(0o600)


def _check_ours(db: sqlite3.Connection, path: Path) -> None:
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
            if not str(row[0]).startswith("sqlite_")
        }
        check = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            raise _Corrupt("integrity check failed: " + "; ".join(map(str, check[:3])))
    except sqlite3.OperationalError:
        raise  # locked, I/O error, cannot open: not the file's fault, so it stays put
    except sqlite3.DatabaseError as err:  # "file is not a database", "malformed"
        raise _Corrupt(f"not a readable SQLite database: {err}") from None
    if application_id == 0 and version == 0 and not tables:
        return  # new and empty: ours to set up
    if application_id != APPLICATION_ID:
        raise _Corrupt("it is not a companion database")
    if version > len(MIGRATIONS):
        raise StorageError(NEWER_VERSION, path=path, version=version, known=len(MIGRATIONS))
    if version == len(MIGRATIONS) and not tables >= _TABLES:
        raise _Corrupt("tables are missing: " + ", ".join(sorted(_TABLES - tables)))


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    with _transaction(db):
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= len(MIGRATIONS):
            return
        try:
            for migration in MIGRATIONS[version:]:
                for statement in migration:
                    db.execute(statement)
        except sqlite3.DatabaseError as err:
            failure = _write_failure(err, path)
            if failure.message != CANNOT_WRITE:
                raise failure from None  # a full disk, a read-only file
            raise StorageError(
                CANNOT_MIGRATE, path=path, version=version, reason=str(err)
            ) from None
        db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS):d}")


def _set_aside(path: Path, clock: Clock) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists() or any(
        target.with_name(target.name.replace(path.name, path.name + s, 1)).exists()
        for s in _SIDE_FILES
    ):
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    for side in _SIDE_FILES:
        source = path.with_name(path.name + side)
        if source.exists():
            source.rename(target.with_name(target.name.replace(path.name, path.name + side, 1)))
    path.rename(target)
    return target
