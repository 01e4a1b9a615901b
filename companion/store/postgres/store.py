"""The PostgreSQL store: one patient's data in a database shared by many patients.

It implements :class:`companion.store.protocol.Store` with the promises of the SQLite store
(:mod:`companion.store.storage`): a method that writes has committed when it returns (each
write is one statement in autocommit, so an accepted answer is in the database before the next
question is shown), events and answers are append-only, a session finishes once, and what comes
back is the typed records of :mod:`companion.store.records`.

Two walls keep patients apart:

1. every query names the patient (``patient_id = %(patient)s``);
2. the connection works as the role ``companion_patient`` (``SET ROLE``), which owns nothing,
   so PostgreSQL's row-level security applies: its policies let it see and write only the
   rows of the patient in the setting ``companion.patient``, which the store sets on opening.

The store keeps nothing between calls but its connection: several processes (several
``companion serve`` behind one proxy) open stores on one database side by side. A lost
connection is a :class:`StorageError` that says what to do; the next call connects again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, LiteralString

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
from companion.store.errors import StorageError
from companion.store.postgres.connection import StoreConnections, connect, database_failure
from companion.store.postgres.migrations import NOT_READY, known_version, schema_problem
from companion.store.records import (
    Episode,
    Event,
    StoredAnswer,
    StoredPlan,
    StoredSession,
    read_outcome,
    set_aside_outcome,
)
from companion.texts.i18n import N_

if TYPE_CHECKING:
    import psycopg

PATIENT_SETTING = "companion.patient"
"""The setting row-level security reads: the one patient this connection may touch."""

UNKNOWN_PATIENT = N_(
    "this companion account does not exist (any more). Ask your practice for a new code."
)

Query = LiteralString
Params = Mapping[str, Any]


def patient_uuid(patient_id: str) -> str:
    """The patient id in its one written form; a malformed id is an unknown patient."""
    try:
        return str(uuid.UUID(str(patient_id)))
    except ValueError:
        raise StorageError(UNKNOWN_PATIENT) from None


def create_patient(url: str, patient_id: str | None = None) -> str:
    """Makes a new pseudonymous patient and returns its id (a random UUID).

    Nothing but the id and the time it was made is stored: no name, e-mail address or
    birth date. ``patient_id`` gives the id (for tests and restores); it must be new."""
    import psycopg

    new_id = patient_uuid(patient_id) if patient_id is not None else str(uuid.uuid4())
    connection = connect(url)
    try:
        connection.execute("INSERT INTO patients (id) VALUES (%s)", (new_id,))
    except psycopg.Error as err:
        raise database_failure(err) from None
    finally:
        connection.close()
    return new_id


class PostgresStore:
    """One patient's :class:`~companion.store.protocol.Store` on PostgreSQL. Use :meth:`open`;
    close it (or use ``with``) when done."""

    def __init__(
        self,
        connections: StoreConnections,
        patient: str,
        clock: Clock,
        connection: psycopg.Connection[Any],
    ) -> None:
        self._connections = connections
        self.patient_id = patient
        self._clock = clock
        self._connection: psycopg.Connection[Any] | None = connection
        self.person = DEFAULT_PERSON

    @classmethod
    def open(
        cls,
        url: str,
        patient_id: str,
        clock: Clock | None = None,
        *,
        connections: StoreConnections | None = None,
    ) -> PostgresStore:
        """Opens ``patient_id``'s store on the migrated database at ``url``.

        ``connections``: where to take the connection from (a serving process keeps a few
        for its next stores); by default a new one, closed with the store.

        Raises :class:`StorageError` when the database cannot be reached, is not migrated
        to this version's schema, or does not know the patient."""
        patient = patient_uuid(patient_id)
        if connections is not None and connections.url != url:
            raise ValueError("the connections given are for another database")
        source = connections or StoreConnections(url)
        return cls(source, patient, clock or SystemClock(), _scoped_connection(source, patient))

    def close(self) -> None:
        """Gives the connection back (closed, or kept scoped to no patient)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._connections.give_back(connection)

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def schema_version(self) -> int:
        row = self._one("SELECT max(version) FROM schema_migrations", {})
        return int(row[0]) if row is not None and row[0] is not None else 0

    # events ------------------------------------------------------------------------

    def append(self, kind: str, payload: Any = None, person: str | None = None) -> int:
        """Appends an event and returns its id; committed when this returns."""
        if not kind:
            raise ValueError("an event needs a kind")
        row = self._one(
            "INSERT INTO events (patient_id, at, person, kind, payload) "
            "VALUES (%(patient)s, %(at)s, %(person)s, %(kind)s, %(payload)s::jsonb) RETURNING id",
            {
                "at": self._now(),
                "person": person or self.person,
                "kind": kind,
                "payload": to_json(payload),
            },
        )
        return _id(row)

    def events(self, kind: str | None = None) -> list[Event]:
        """Events in the order they were appended, optionally of one kind."""
        query: Query = (
            "SELECT id, at, person, kind, payload FROM events WHERE patient_id = %(patient)s"
        )
        if kind is not None:
            query += " AND kind = %(kind)s"
        rows = self._all(query + " ORDER BY id", {"kind": kind})
        return [Event(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4]) for r in rows]

    # settings and the episode ---------------------------------------------------------

    def settings(self) -> dict[str, str]:
        rows = self._all(
            "SELECT key, value FROM settings WHERE patient_id = %(patient)s ORDER BY key", {}
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def set_setting(self, key: str, value: str) -> None:
        """E.g. ``language`` (``nl``/``fr``) and ``region`` (``NL``/``BE``)."""
        if not key:
            raise ValueError("a setting needs a name")
        self._run(
            "INSERT INTO settings (patient_id, key, value, at) "
            "VALUES (%(patient)s, %(key)s, %(value)s, %(at)s) "
            "ON CONFLICT (patient_id, key) DO UPDATE SET value = excluded.value, at = excluded.at",
            {"key": key, "value": value, "at": self._now()},
        )

    def start_episode(self, onset: date) -> int:
        """Starts an episode of back pain that began on ``onset`` (day 0); returns its id."""
        if onset > self.clock.today():
            raise ValueError(f"onset {onset.isoformat()} is after today")
        row = self._one(
            "INSERT INTO episodes (patient_id, onset, at) "
            "VALUES (%(patient)s, %(onset)s, %(at)s) RETURNING id",
            {"onset": onset, "at": self._now()},
        )
        return _id(row)

    def current_episode(self) -> Episode | None:
        """The latest episode, ended or not."""
        row = self._one(_EPISODE_QUERY + " ORDER BY id DESC LIMIT 1", {})
        return None if row is None else _episode(row)

    def end_episode(self, ended: date) -> None:
        """Ends the current episode on ``ended``: the patient's back is fine again.

        A later episode (the pain is back) starts with :meth:`start_episode`."""
        current = episode_to_end(self.current_episode(), ended)
        changed = self._run(
            "UPDATE episodes SET ended = %(ended)s "
            "WHERE patient_id = %(patient)s AND id = %(id)s AND ended IS NULL",
            {"ended": ended, "id": current.id},
        )
        if changed != 1:  # another window ended it a moment ago
            raise ValueError(f"episode {current.id} already ended")

    def episodes(self) -> list[Episode]:
        """Every episode, oldest first."""
        return [_episode(row) for row in self._all(_EPISODE_QUERY + " ORDER BY id", {})]

    # plans -----------------------------------------------------------------------------

    def save_plan(self, plan: Plan) -> int:
        """Stores ``plan`` as the current plan; earlier plans stay in :meth:`plan_history`."""
        row = self._one(
            "INSERT INTO plans (patient_id, at, plan) "
            "VALUES (%(patient)s, %(at)s, %(plan)s::jsonb) RETURNING id",
            {"at": self._now(), "plan": plan.model_dump_json()},
        )
        return _id(row)

    def current_plan(self) -> Plan | None:
        history = self.plan_history(latest_only=True)
        return history[0].plan if history else None

    def plan_history(self, latest_only: bool = False) -> list[StoredPlan]:
        """Every plan saved, oldest first (or only the current one)."""
        query: Query = "SELECT id, at, plan FROM plans WHERE patient_id = %(patient)s ORDER BY id"
        if latest_only:
            query += " DESC LIMIT 1"
        return [
            stored_plan(row[0], row[1], row[2], f"plan {row[0]}") for row in self._all(query, {})
        ]

    # conversations ----------------------------------------------------------------------

    def start_session(
        self,
        flow_id: str,
        language: str,
        region: str | None,
        inputs: Mapping[str, AnswerValue] | None = None,
    ) -> str:
        """Records the start of a conversation, tagged with the current episode; returns its
        key."""
        key = uuid.uuid4().hex
        now = self.clock.now()
        self._run(
            "INSERT INTO sessions (patient_id, key, flow_id, language, region, inputs, episode, "
            "started, started_at) VALUES (%(patient)s, %(key)s, %(flow)s, %(language)s, "
            "%(region)s, %(inputs)s::jsonb, (SELECT id FROM episodes "
            "WHERE patient_id = %(patient)s ORDER BY id DESC LIMIT 1), %(started)s, %(at)s)",
            {
                "key": key,
                "flow": flow_id,
                "language": language,
                "region": region,
                "inputs": to_json(dict(inputs or {})),
                "started": now,
                "at": now.isoformat(),
            },
        )
        return key

    def record_answer(
        self, session_key: str, flow_id: str, question_id: str, value: AnswerValue
    ) -> None:
        """Stores an accepted answer (``Turn.accepted.value``) before the turn is shown:
        one statement, committed when it returns."""
        if not isinstance(value, bool | int | str):
            raise TypeError(f"an answer is a bool, int or str, not {type(value).__name__}")
        stored = self._run(
            "INSERT INTO answers (patient_id, session_key, flow_id, question_id, value, at) "
            "SELECT patient_id, key, flow_id, %(question)s, %(value)s::jsonb, %(at)s "
            "FROM sessions WHERE patient_id = %(patient)s AND key = %(key)s "
            "AND flow_id = %(flow)s AND finished_at IS NULL",
            {
                "question": question_id,
                "value": to_json(value),
                "at": self._now(),
                "key": session_key,
                "flow": flow_id,
            },
        )
        if stored == 1:
            return
        session = self.session(session_key)  # KeyError when there is none
        if session.flow_id != flow_id:
            raise ValueError(
                f"session {session_key} runs flow '{session.flow_id}', not '{flow_id}'"
            )
        raise ValueError(f"session {session_key} is finished; no more answers")

    def answers_of(self, session_key: str) -> list[StoredAnswer]:
        """The answers of a session in the order they were given."""
        rows = self._all(
            "SELECT question_id, value, at FROM answers "
            "WHERE patient_id = %(patient)s AND session_key = %(key)s ORDER BY id",
            {"key": session_key},
        )
        return [StoredAnswer(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def finish_session(self, session_key: str, outcome: Outcome) -> None:
        """Records the outcome (stored as its JSON); a session finishes once."""
        self._finish(session_key, outcome.model_dump(mode="json"))

    def set_aside(self, session_key: str, why: str) -> None:
        """Finishes an abandoned conversation without an outcome; it never counts as held."""
        self._finish(session_key, set_aside_outcome(why))

    def _finish(self, session_key: str, stored: Mapping[str, Any]) -> None:
        changed = self._run(
            "UPDATE sessions SET finished_at = %(at)s, outcome = %(outcome)s::jsonb "
            "WHERE patient_id = %(patient)s AND key = %(key)s AND finished_at IS NULL",
            {"at": self._now(), "outcome": to_json(dict(stored)), "key": session_key},
        )
        if changed != 1:
            self.session(session_key)  # KeyError when there is none
            raise ValueError(f"session {session_key} is already finished")

    def session(self, session_key: str) -> StoredSession:
        row = self._one(_SESSION_QUERY + " AND key = %(key)s", {"key": session_key})
        if row is None:
            raise KeyError(f"no session {session_key}")
        return _session(row)

    def open_sessions(self) -> list[StoredSession]:
        """Unfinished sessions, oldest first; check ``started_at`` before resuming one."""
        rows = self._all(_SESSION_QUERY + " AND finished_at IS NULL ORDER BY started, seq", {})
        return [_session(row) for row in rows]

    def sessions(self) -> list[StoredSession]:
        return [_session(row) for row in self._all(_SESSION_QUERY + " ORDER BY started, seq", {})]

    def finished(self, flow_ids: Iterable[str], episode: int | None = None) -> list[StoredSession]:
        """Sessions of these flows that reached an outcome (not set aside), oldest first."""
        query: Query = _FINISHED_QUERY
        if episode is not None:
            query += " AND episode = %(episode)s"
        rows = self._all(
            query + " ORDER BY started, seq", {"flows": _flows(flow_ids), "episode": episode}
        )
        return [_session(row) for row in rows]

    def latest_finished(self, flow_ids: Iterable[str]) -> StoredSession | None:
        row = self._one(
            _FINISHED_QUERY + " ORDER BY started DESC, seq DESC LIMIT 1",
            {"flows": _flows(flow_ids)},
        )
        return None if row is None else _session(row)

    def finished_since(self, flow_ids: Iterable[str], since: datetime) -> list[StoredSession]:
        # Compared as instants (timestamptz), not as text: the offset changes with DST.
        rows = self._all(
            _FINISHED_QUERY + " AND started >= %(since)s ORDER BY started, seq",
            {"flows": _flows(flow_ids), "since": since},
        )
        return [_session(row) for row in rows]

    def fired_advice(self, flow_id: str | None = None) -> set[str]:
        """Advice rules that fired in finished sessions of the current episode.

        Only sessions whose outcome lists advice are read (few: milestones), each validated
        as the SQLite store does, so an unreadable outcome contributes nothing."""
        query: Query = (
            "SELECT outcome FROM sessions WHERE patient_id = %(patient)s "
            "AND finished_at IS NOT NULL AND episode = (SELECT id FROM episodes "
            "WHERE patient_id = %(patient)s ORDER BY id DESC LIMIT 1) "
            "AND jsonb_typeof(outcome -> 'advice') = 'array' "
            "AND jsonb_array_length(outcome -> 'advice') > 0"
        )
        if flow_id is not None:
            query += " AND flow_id = %(flow)s"
        fired: set[str] = set()
        for (stored,) in self._all(query, {"flow": flow_id}):
            outcome = read_outcome(stored).outcome
            if outcome is not None:
                fired.update(advice.rule for advice in outcome.advice)
        return fired

    # everything -----------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything stored about this patient, JSON-ready, in the format of the SQLite
        store's export (``companion-export``)."""
        answers: dict[str, list[dict[str, Any]]] = {}
        for key, question, value, at in self._all(
            "SELECT session_key, question_id, value, at FROM answers "
            "WHERE patient_id = %(patient)s ORDER BY id",
            {},
        ):
            answers.setdefault(key, []).append({"question_id": question, "value": value, "at": at})
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": self._now(),
            "schema_version": self.schema_version,
            "settings": self.settings(),
            "episodes": [
                {
                    "id": e.id,
                    "onset": e.onset.isoformat(),
                    "at": e.at.isoformat(),
                    "ended": e.ended.isoformat() if e.ended else None,
                }
                for e in self.episodes()
            ],
            "plans": [
                {"id": r[0], "at": r[1], "plan": r[2]}
                for r in self._all(
                    "SELECT id, at, plan FROM plans WHERE patient_id = %(patient)s ORDER BY id", {}
                )
            ],
            "sessions": [
                {
                    "key": r[0],
                    "flow_id": r[1],
                    "language": r[2],
                    "region": r[3],
                    "inputs": r[4],
                    "episode": r[5],
                    "started_at": r[6],
                    "finished_at": r[7],
                    "outcome": r[8],
                    "answers": answers.get(r[0], []),
                }
                for r in self._all(_SESSION_QUERY + " ORDER BY started, seq", {})
            ],
            "events": exported_events(self.events()),
        }

    def erase(self) -> list[str]:
        """Deletes everything stored about this patient, the pseudonym included, and closes
        the store; returns what was deleted (rows per table)."""
        counts = self._one(
            "SELECT (SELECT count(*) FROM settings WHERE patient_id = %(patient)s), "
            "(SELECT count(*) FROM episodes WHERE patient_id = %(patient)s), "
            "(SELECT count(*) FROM plans WHERE patient_id = %(patient)s), "
            "(SELECT count(*) FROM sessions WHERE patient_id = %(patient)s), "
            "(SELECT count(*) FROM answers WHERE patient_id = %(patient)s), "
            "(SELECT count(*) FROM events WHERE patient_id = %(patient)s)",
            {},
        )
        deleted = self._run("DELETE FROM patients WHERE id = %(patient)s", {})
        self.close()
        names = ("settings", "episodes", "plans", "sessions", "answers", "events")
        kept = [f"{name}: {count}" for name, count in zip(names, counts or (), strict=False)]
        return [f"patient {self.patient_id}", *kept] if deleted else []

    # internals ----------------------------------------------------------------------------

    def _now(self) -> str:
        return self.clock.now().isoformat()

    def _db(self) -> psycopg.Connection[Any]:
        """The connection, taken again when the last one was lost (the server restarted)."""
        if self._connection is None or self._connection.broken:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._connection = _scoped_connection(self._connections, self.patient_id)
        return self._connection

    def _execute(self, query: Query, params: Params) -> psycopg.Cursor[Any]:
        import psycopg

        try:
            return self._db().execute(query, {**params, "patient": self.patient_id})
        except psycopg.Error as err:
            raise database_failure(err) from None

    def _run(self, query: Query, params: Params) -> int:
        """Runs a statement that writes; returns the number of rows it changed."""
        return self._execute(query, params).rowcount

    def _one(self, query: Query, params: Params) -> Sequence[Any] | None:
        import psycopg

        cursor = self._execute(query, params)
        try:
            return cursor.fetchone()
        except psycopg.Error as err:
            raise database_failure(err) from None

    def _all(self, query: Query, params: Params) -> list[Sequence[Any]]:
        import psycopg

        cursor = self._execute(query, params)
        try:
            return list(cursor.fetchall())
        except psycopg.Error as err:
            raise database_failure(err) from None


def _scoped_connection(connections: StoreConnections, patient: str) -> psycopg.Connection[Any]:
    """A connection scoped to ``patient`` only, after checking the schema and that the
    patient exists (one round trip)."""
    import psycopg

    connection = connections.take()
    try:
        # The id is a UUID in canonical form (patient_uuid), so it can be written in here.
        cursor = connection.execute(
            f"SELECT set_config('{PATIENT_SETTING}', '{patient}', false); "
            "SELECT (SELECT coalesce(array_agg(version), '{}') FROM schema_migrations), "
            f"EXISTS (SELECT FROM patients WHERE id = '{patient}')"
        )
        cursor.nextset()
        row = cursor.fetchone()
    except psycopg.errors.UndefinedTable:
        connections.give_back(connection)
        raise StorageError(NOT_READY, version=0, known=known_version()) from None
    except psycopg.Error as err:
        connection.close()
        raise database_failure(err) from None
    except BaseException:
        connection.close()
        raise
    assert row is not None, "a SELECT without FROM gives one row"
    problem = schema_problem(set(row[0]))
    if problem is None and not row[1]:
        problem = StorageError(UNKNOWN_PATIENT)
    if problem is not None:
        connections.give_back(connection)
        raise problem
    return connection


_EPISODE_QUERY: Query = "SELECT id, onset, at, ended FROM episodes WHERE patient_id = %(patient)s"
_SESSION_QUERY: Query = (
    "SELECT key, flow_id, language, region, inputs, episode, started_at, finished_at, outcome "
    "FROM sessions WHERE patient_id = %(patient)s"
)
_FINISHED_QUERY: Query = (
    _SESSION_QUERY + " AND finished_at IS NOT NULL AND flow_id = ANY(%(flows)s) "
    "AND NOT coalesce(jsonb_typeof(outcome) = 'object' AND outcome ? 'set_aside', false)"
)
"""Sessions that reached an outcome: finished and not set aside (an unreadable one counts)."""


def _flows(flow_ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(flow_ids))


def _id(row: Sequence[Any] | None) -> int:
    assert row is not None, "INSERT ... RETURNING gives a row"
    return int(row[0])


def _episode(row: Sequence[Any]) -> Episode:
    return Episode(int(row[0]), row[1], datetime.fromisoformat(row[2]), row[3])


def _session(row: Sequence[Any]) -> StoredSession:
    return stored_session(row, dict(row[4]), read_outcome(row[8]))
