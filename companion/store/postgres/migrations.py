"""Versioned schema migrations for the PostgreSQL store.

Each migration is a numbered SQL file in ``migrations/`` (``0001_store.sql``): the number is
its version, the rest of the name says what it does. :func:`migrate` applies the ones not yet
applied, in order, each in its own transaction, and records it in ``schema_migrations``; a
migration that fails leaves the database as the previous one left it. A released migration
never changes: a change is a new file with the next free number. Numbers 0001-0049 are the
store's, 0050-0099 the practice's (accounts, invites, audit).

Several processes may migrate at once (two servers starting): an advisory lock makes them take
turns, and the second finds nothing left to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from companion.store.errors import StorageError
from companion.store.postgres.connection import connect, database_failure
from companion.texts.i18n import N_

if TYPE_CHECKING:
    import psycopg

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MIGRATION_LOCK = 0x436F6D70
"""The advisory lock migrating processes take turns on ("Comp")."""

CANNOT_MIGRATE = N_(
    "cannot update the companion's database to schema {version} ({name}): {reason}. "
    "Nothing of that step was changed."
)
NEWER_SCHEMA = N_(
    "the companion's database was updated by a newer version of companion (schema "
    "{version}; this version knows {known}). Update companion. Nothing was changed."
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped, in order of version (a number used twice is an error)."""
    found: dict[int, Migration] = {}
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        match = MIGRATION_FILE.match(entry.name)
        if match is None:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations number {version}: {entry.name}")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def known_version() -> int:
    """The schema version this version of companion brings a database to."""
    shipped = migrations()
    return shipped[-1].version if shipped else 0


def migrate(url: str) -> int:
    """Applies the pending migrations to the database at ``url``; returns its schema version.

    Raises :class:`StorageError` when the database cannot be reached or a migration fails
    (that migration is rolled back; the ones before it stay applied)."""
    connection = connect(url)
    try:
        return _migrate(connection)
    finally:
        connection.close()


def applied_version(connection: psycopg.Connection[tuple[Any, ...]]) -> int:
    """The highest migration recorded (0 for a database never migrated)."""
    import psycopg

    try:
        row = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row is not None and row[0] is not None else 0


def _migrate(connection: psycopg.Connection[tuple[Any, ...]]) -> int:
    import psycopg

    try:
        with connection.transaction():
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
    except psycopg.errors.UniqueViolation:
        pass  # another process made it at the same moment
    except psycopg.Error as err:
        raise database_failure(err) from None
    version = 0
    for migration in migrations():
        version = _apply(connection, migration)
    newest = _newest_applied(connection)
    if newest > known_version():
        raise StorageError(NEWER_SCHEMA, version=newest, known=known_version())
    return max(version, newest)


def _apply(connection: psycopg.Connection[tuple[Any, ...]], migration: Migration) -> int:
    import psycopg

    try:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            done = connection.execute(
                "SELECT 1 FROM schema_migrations WHERE version = %s", (migration.version,)
            ).fetchone()
            if done is None:
                connection.execute(migration.sql.encode())  # no parameters: many statements
                connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
    except psycopg.OperationalError as err:
        raise database_failure(err) from None
    except psycopg.Error as err:
        raise StorageError(
            CANNOT_MIGRATE,
            version=migration.version,
            name=migration.name,
            reason=_first_line(err),
        ) from None
    return migration.version


def _newest_applied(connection: psycopg.Connection[tuple[Any, ...]]) -> int:
    import psycopg

    try:
        return applied_version(connection)
    except psycopg.Error as err:
        raise database_failure(err) from None


def _first_line(err: Exception) -> str:
    """The server's own words for what went wrong, without the connection's details."""
    primary = getattr(getattr(err, "diag", None), "message_primary", None)
    return str(primary or type(err).__name__)
