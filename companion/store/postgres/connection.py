"""Connecting to PostgreSQL, and what a patient reads when it fails.

A connection string holds a host name, a user and perhaps a password: none of it ever goes
into a message or a log line. psycopg's own errors name the server and the user, so they are
turned into :class:`StorageError` messages here and the original is dropped (``from None``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from companion.store.errors import StorageError
from companion.texts.i18n import N_

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_SECONDS = 10
"""How long opening waits for the server before saying it cannot be reached."""

UNREACHABLE = N_(
    "the companion's database cannot be reached right now. What was saved before is kept. "
    "Try again in a few minutes; if it keeps happening, tell your practice."
)
CONNECTION_LOST = N_(
    "the connection to the companion's database was lost, so the last step may not have "
    "been saved. Everything saved before it is kept. Try again in a moment; if it keeps "
    "happening, tell your practice."
)
DATABASE_REFUSED = N_(
    "the companion's database refused the request ({reason}). What was saved before is kept. "
    "Tell your practice."
)


def connect(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection (each statement commits, unless in a ``transaction()``),
    with times in UTC."""
    import psycopg

    connection = open_connection(url)
    try:
        connection.execute("SET TIME ZONE 'UTC'")
    except psycopg.Error as err:
        connection.close()
        raise database_failure(err) from None
    return connection


def open_connection(url: str) -> psycopg.Connection[Any]:
    import psycopg

    try:
        return psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="companion",
        )
    except psycopg.Error:
        raise StorageError(UNREACHABLE) from None


def database_failure(err: Exception) -> StorageError:
    """What the patient reads for a database error (never the connection string)."""
    import psycopg

    if isinstance(err, psycopg.OperationalError | psycopg.InterfaceError):
        return StorageError(CONNECTION_LOST)
    return StorageError(DATABASE_REFUSED, reason=server_words(err))


def server_words(err: Exception) -> str:
    """The server's own words for what went wrong, without the connection's details."""
    primary = getattr(getattr(err, "diag", None), "message_primary", None)
    return str(primary or type(err).__name__)


STORE_ROLE_SETUP = "SET TIME ZONE 'UTC'; SET ROLE companion_patient"
"""What every store connection runs first: it then works as the role that owns nothing, so
row-level security applies (the role is made by the first migration)."""
NO_PATIENT_SCOPE = "SELECT set_config('companion.patient', '', false)"


class StoreConnections:
    """Where stores get their connections: working as ``companion_patient``, scoped to no
    patient until the store scopes it to its own.

    ``keep`` connections given back are kept idle for the next store in this process (a
    server that serves many check-ins), each scoped back to nobody first; with ``keep=0``
    (the default) every store has a connection of its own, closed with the store. Nothing
    about a patient stays here. Safe to share between threads."""

    def __init__(self, url: str, keep: int = 0) -> None:
        self.url = url  # to connect again; never shown
        self._keep = keep
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()

    def take(self) -> psycopg.Connection[Any]:
        with self._lock:
            while self._idle:
                connection = self._idle.pop()
                if not connection.broken and not connection.closed:
                    return connection
        return self._new()

    def give_back(self, connection: psycopg.Connection[Any]) -> None:
        import psycopg

        if self._keep > 0 and not connection.broken and not connection.closed:
            try:
                connection.execute(NO_PATIENT_SCOPE)
            except psycopg.Error:
                connection.close()
                return
            with self._lock:
                if len(self._idle) < self._keep:
                    self._idle.append(connection)
                    return
        connection.close()

    def close(self) -> None:
        """Closes the idle connections (those in use close with their stores)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _new(self) -> psycopg.Connection[Any]:
        import psycopg

        connection = open_connection(self.url)
        try:
            connection.execute(STORE_ROLE_SETUP)
        except psycopg.errors.InvalidParameterValue:  # no such role: never migrated
            connection.close()
            from companion.store.postgres.migrations import NOT_READY, known_version

            raise StorageError(NOT_READY, version=0, known=known_version()) from None
        except psycopg.Error as err:
            connection.close()
            raise database_failure(err) from None
        return connection
