"""Connecting to PostgreSQL, and what a patient reads when it fails.

A connection string holds a host name, a user and perhaps a password: none of it ever goes
into a message or a log line. psycopg's own errors name the server and the user, so they are
turned into :class:`StorageError` messages here and the original is dropped (``from None``).
"""

from __future__ import annotations

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


def connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection (each statement commits, unless in a ``transaction()``)."""
    import psycopg

    try:
        connection = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="companion",
        )
    except psycopg.Error:
        raise StorageError(UNREACHABLE) from None
    try:
        connection.execute("SET TIME ZONE 'UTC'")
    except psycopg.Error as err:
        connection.close()
        raise database_failure(err) from None
    return connection


def database_failure(err: Exception) -> StorageError:
    """What the patient reads for a database error (never the connection string)."""
    import psycopg

    if isinstance(err, psycopg.OperationalError | psycopg.InterfaceError):
        return StorageError(CONNECTION_LOST)
    primary = getattr(getattr(err, "diag", None), "message_primary", None)
    return StorageError(DATABASE_REFUSED, reason=str(primary or type(err).__name__))
