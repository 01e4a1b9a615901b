"""One connection per call, and the time the practice goes by.

Every practice function takes the store URL and opens its own connection, so the serving
processes keep no state between requests (issue 15: several ``companion serve`` processes
share one database). Database errors become :class:`StorageError` messages that never name
the connection string (:mod:`companion.store.postgres.connection`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from companion.clock import Clock
from companion.store.postgres.connection import connect, database_failure

if TYPE_CHECKING:
    import psycopg


@contextmanager
def connected(url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """An autocommit connection, closed afterwards; psycopg errors become StorageError."""
    import psycopg

    connection = connect(url)
    try:
        yield connection
    except psycopg.Error as err:
        raise database_failure(err) from None
    finally:
        connection.close()


def now(connection: psycopg.Connection[tuple[Any, ...]], clock: Clock | None) -> datetime:
    """The clock's time when one is given (tests, ``--today``), else the database's: one
    clock for every serving process, whichever machine it runs on."""
    if clock is not None:
        return clock.now()
    row = connection.execute("SELECT now()").fetchone()
    assert row is not None
    value: datetime = row[0]
    return value


def as_uuid(text: str) -> uuid.UUID | None:
    """A patient or professional id from outside (a form, a URL), or None when it is not one."""
    try:
        return uuid.UUID(str(text))
    except (ValueError, AttributeError, TypeError):
        return None
