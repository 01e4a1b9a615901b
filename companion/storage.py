"""The one place that stores a person's data: one SQLite file in their data directory.

- Where: ``platformdirs.user_data_dir("companion")``, or ``COMPANION_DATA_DIR``, or an explicit
  ``data_dir`` (the CLI's ``--data-dir``). The directory is created 0700; the database and its
  ``-wal``/``-shm`` files are 0600.
- How: WAL journal, ``synchronous=FULL``: a method that writes has committed when it returns,
  so what it reported stored survives a crash or a power cut.
- Schema: ``PRAGMA user_version`` counts the :data:`MIGRATIONS` applied; pending ones are
  applied in one transaction on open. ``PRAGMA application_id`` marks the file as ours.
- Never overwritten: a corrupt or foreign file is moved aside to ``<name>.corrupt-<time>``
  and :class:`StorageError` says so; a file from a newer version is left alone.

Tables: ``events`` (append-only: id, at, person, kind, payload JSON), ``settings``,
``episodes`` (onset dates), ``plans`` (every saved plan; the newest is current), ``sessions``
and ``answers`` (append-only: a driver resumes an unfinished conversation by replaying them,
see :func:`replay`). Timestamps come from the injected :class:`~companion.clock.Clock`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from companion.clock import Clock, SystemClock
from companion.conditions import AnswerValue
from companion.engine import Session, Turn
from companion.plan import Plan, PlanError, parse_plan

APP_NAME = "companion"
DB_NAME = "companion.db"
ENV_DATA_DIR = "COMPANION_DATA_DIR"
APPLICATION_ID = 0x436F6D70  # "Comp": marks a SQLite file as a companion database
EXPORT_FORMAT = "companion-export"
EXPORT_VERSION = 1
DEFAULT_PERSON = "me"

_SIDE_FILES = ("-wal", "-shm", "-journal")

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
]
"""Schema changes in order; ``PRAGMA user_version`` is how many have been applied.

Only ever append to this list: a released migration never changes."""

_TABLES = frozenset({"events", "settings", "episodes", "plans", "sessions", "answers"})


class StorageError(Exception):
    """Stored data cannot be used; the message says which file or folder and what to do."""


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    person: str
    kind: str
    payload: Any


@dataclass(frozen=True)
class Episode:
    id: int
    onset: date
    at: datetime


@dataclass(frozen=True)
class StoredPlan:
    id: int
    at: datetime
    plan: Plan


@dataclass(frozen=True)
class StoredAnswer:
    question_id: str
    value: AnswerValue
    at: datetime


@dataclass(frozen=True)
class StoredSession:
    key: str
    flow_id: str
    language: str
    region: str | None
    inputs: dict[str, AnswerValue]
    episode: int | None
    started_at: datetime
    finished_at: datetime | None
    outcome: dict[str, Any] | None


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
    deleted = []
    for path in data_files(folder):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as err:
            raise StorageError(f"cannot delete {path}: {err.strerror or err}") from None
        deleted.append(path)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only succeeds when nothing else is in it
    return deleted


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
    with Store.open(folder, clock) as store:
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


class Store:
    """An open database. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, clock: Clock, person: str
    ) -> None:
        self._db = connection
        self.path = path
        self.data_dir = path.parent
        self.clock = clock
        self.person = person

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        clock: Clock | None = None,
        person: str = DEFAULT_PERSON,
    ) -> Store:
        """Opens (creating if needed) the database, migrating it to the current schema.

        Raises :class:`StorageError` when the folder cannot be used, or the file is
        corrupt or foreign (then it is moved aside first, never overwritten).
        """
        clock = clock or SystemClock()
        folder = _prepare_dir(resolve_data_dir(data_dir))
        path = folder / DB_NAME
        connection = _connect(path, clock)
        return cls(connection, path, clock, person)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
                (self._now(), person or self.person, kind, _json(payload)),
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
        row = self._db.execute(
            "SELECT id, onset, at FROM episodes ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return Episode(row[0], date.fromisoformat(row[1]), datetime.fromisoformat(row[2]))

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
        stored = []
        for row in self._db.execute(query).fetchall():
            try:
                plan = parse_plan(json.loads(row[2]), f"{self.path} (plan {row[0]})")
            except PlanError as err:
                raise StorageError(f"a stored plan cannot be read: {err}") from None
            stored.append(StoredPlan(row[0], datetime.fromisoformat(row[1]), plan))
        return stored

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
                    _json(dict(inputs or {})),
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
                (session_key, flow_id, question_id, _json(value), self._now()),
            )

    def answers_of(self, session_key: str) -> list[StoredAnswer]:
        """The answers of a session in the order they were given."""
        rows = self._db.execute(
            "SELECT question_id, value, at FROM answers WHERE session_key = ? ORDER BY id",
            (session_key,),
        )
        return [StoredAnswer(r[0], json.loads(r[1]), datetime.fromisoformat(r[2])) for r in rows]

    def finish_session(self, session_key: str, outcome: Mapping[str, Any]) -> None:
        """Records the outcome (``Outcome.model_dump(mode="json")``); a session finishes once."""
        self.session(session_key)
        with self._write() as db:
            changed = db.execute(
                "UPDATE sessions SET finished_at = ?, outcome = ? "
                "WHERE key = ? AND finished_at IS NULL",
                (self._now(), _json(dict(outcome)), session_key),
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

    def fired_advice(self, flow_id: str | None = None) -> set[str]:
        """Advice rules that fired in finished sessions of the current episode.

        Pass to ``Session(..., fired_before=...)`` so once-per-episode advice is
        given once (clinical brief section 5).
        """
        episode = self.current_episode()
        if episode is None:
            return set()
        fired: set[str] = set()
        for session in self.sessions():
            if session.episode != episode.id or session.outcome is None:
                continue
            if flow_id is not None and session.flow_id != flow_id:
                continue
            for advice in session.outcome.get("advice") or []:
                if isinstance(advice, dict) and isinstance(advice.get("rule"), str):
                    fired.add(advice["rule"])
        return fired

    # everything -----------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything stored, JSON-serialisable (``json.dumps`` works on it as is)."""
        data = _empty_export(self.clock)
        data["schema_version"] = self.schema_version
        data["settings"] = self.settings()
        data["episodes"] = [
            {"id": r[0], "onset": r[1], "at": r[2]}
            for r in self._db.execute("SELECT id, onset, at FROM episodes ORDER BY id")
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
                "outcome": s.outcome,
                "answers": [
                    {"question_id": a.question_id, "value": a.value, "at": a.at.isoformat()}
                    for a in self.answers_of(s.key)
                ],
            }
            for s in self.sessions()
        ]
        data["events"] = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "person": e.person,
                "kind": e.kind,
                "payload": e.payload,
            }
            for e in self.events()
        ]
        return data

    def erase(self) -> list[Path]:
        """Closes the store and deletes every data file; the store cannot be used after."""
        self.close()
        return erase_data(self.data_dir)

    # internals ----------------------------------------------------------------------------

    def _now(self) -> str:
        return self.clock.now().isoformat()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with _transaction(self._db):
                yield self._db
        except sqlite3.OperationalError as err:
            raise StorageError(f"cannot write to {self.path}: {err}") from None
        _private(self.path)


_SESSION_QUERY = (
    "SELECT key, flow_id, language, region, inputs, episode, started_at, finished_at, outcome "
    "FROM sessions"
)


def _session(row: Sequence[Any]) -> StoredSession:
    return StoredSession(
        key=row[0],
        flow_id=row[1],
        language=row[2],
        region=row[3],
        inputs=json.loads(row[4]),
        episode=row[5],
        started_at=datetime.fromisoformat(row[6]),
        finished_at=datetime.fromisoformat(row[7]) if row[7] else None,
        outcome=json.loads(row[8]) if row[8] else None,
    )


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"cannot store {value!r}: not JSON ({err})") from None


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# --- resuming a conversation ---------------------------------------------------------------


def replay(session: Session, answers: Sequence[StoredAnswer]) -> Turn:
    """Gives a fresh engine session the stored answers; returns the turn to show now.

    Each answer must be for the question the session is asking, or correct the
    answer just before it (else the flow changed since it was stored:
    :class:`StorageError`, start over) and must be accepted again.
    """
    turn = session.start()
    for stored in answers:
        asking = session.current_question
        corrected = asking is not None and session.last_answered == stored.question_id
        if corrected and session.state != stored.question_id:
            # The patient corrected the answer just given ("nee, 2 weken"): both are stored.
            turn = session.amend(stored.value)
        elif asking is None or session.state != stored.question_id:
            raise StorageError(
                f"cannot resume: the stored answer to '{stored.question_id}' does not fit the "
                f"flow '{session.flow.id}' any more (it is at '{session.state}')"
            )
        else:
            turn = session.give(stored.value)
        if turn.accepted is None or turn.accepted.question != stored.question_id:
            raise StorageError(
                f"cannot resume: flow '{session.flow.id}' no longer accepts "
                f"{stored.value!r} for '{stored.question_id}'"
            )
    return turn.model_copy(update={"accepted": None}) if answers else turn


# --- opening safely ----------------------------------------------------------------------------


def _prepare_dir(folder: Path) -> Path:
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)  # mkdir's mode is reduced by the umask
    except OSError as err:
        raise StorageError(
            f"cannot create the data folder {folder}: {err.strerror or err}. "
            f"Choose another folder with --data-dir or {ENV_DATA_DIR}."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write to the data folder {folder}. "
            f"Check its permissions, or choose another folder with --data-dir or {ENV_DATA_DIR}."
        )
    return folder


def _connect(path: Path, clock: Clock) -> sqlite3.Connection:
    existed = path.exists() and path.stat().st_size > 0
    old_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates are private too
    try:
        _create_private(path)
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            _check_ours(connection, path, existed)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 5000")
            _migrate(connection, path)
        except _Corrupt as err:
            connection.close()
            kept = _set_aside(path, clock)
            raise StorageError(
                f"the database {path} cannot be used ({err}). It was kept aside as {kept.name} "
                f"and a new, empty database will be made next time. Keep that file if you want "
                f"someone to try to recover it; 'companion erase' deletes it."
            ) from None
        except BaseException:
            connection.close()
            raise
    except sqlite3.OperationalError as err:
        raise StorageError(f"cannot open the database {path}: {err}") from None
    finally:
        os.umask(old_umask)
    _private(path)
    return connection


class _Corrupt(Exception):
    pass


def _create_private(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise StorageError(f"cannot open the database {path}: {err.strerror or err}") from None
    os.close(fd)


def _private(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(candidate.stat().st_mode) != 0o600:
                candidate.chmod(0o600)


def _check_ours(db: sqlite3.Connection, path: Path, existed: bool) -> None:
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
            if not str(row[0]).startswith("sqlite_")
        }
        if existed:
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
        raise StorageError(
            f"the database {path} was made by a newer version of companion (schema {version}; "
            f"this version knows {len(MIGRATIONS)}). Update companion; the file was not changed."
        )
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
            raise StorageError(
                f"cannot update the database {path} from schema {version}: {err}. "
                "Nothing was changed."
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
