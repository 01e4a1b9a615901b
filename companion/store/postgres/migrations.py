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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from companion.store.errors import StorageError
from companion.store.postgres.connection import connect, database_failure, server_words
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
NOT_READY = N_(
    "the companion's database is not ready for this version of companion (schema {version}; "
    "it needs {known}). Nothing was changed. Tell your practice."
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


@cache
def migrations() -> tuple[Migration, ...]:
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
    return tuple(found[v] for v in sorted(found))


def known_version() -> int:
    """The schema version this version of companion brings a database to."""
    shipped = migrations()
    return shipped[-1].version if shipped else 0


def schema_problem(applied: set[int]) -> StorageError | None:
    """Why a database with these migrations applied cannot be used by this version, if it
    cannot: one is missing (not migrated yet), or it has a newer one."""
    known = known_version()
    newest = max(applied, default=0)
    if newest > known:
        return StorageError(NEWER_SCHEMA, version=newest, known=known)
    if not {m.version for m in migrations()} <= applied:
        return StorageError(NOT_READY, version=newest, known=known)
    return None


def migrate(url: str, steps: Sequence[Migration] | None = None) -> int:
    """Applies the pending migrations (``steps``: the shipped ones) to the database at
    ``url``; returns its schema version (the highest migration applied).

    Raises :class:`StorageError` when the database cannot be reached, was migrated by a newer
    version of companion, or a migration fails (that one is rolled back; those before it
    stay applied)."""
    shipped = list(migrations()) if steps is None else sorted(steps, key=lambda m: m.version)
    connection = connect(url)
    try:
        _prepare(connection)
        known = shipped[-1].version if shipped else 0
        newest = max(applied_versions(connection), default=0)
        if newest > known:
            raise StorageError(NEWER_SCHEMA, version=newest, known=known)
        for migration in shipped:
            _apply(connection, migration)
        return max(applied_versions(connection), default=0)
    finally:
        connection.close()


def applied_versions(connection: psycopg.Connection[tuple[Any, ...]]) -> set[int]:
    """The migrations recorded as applied (none in a database never migrated)."""
    import psycopg

    try:
        rows = connection.execute("SELECT version FROM schema_migrations").fetchall()
    except psycopg.errors.UndefinedTable:
        return set()
    except psycopg.Error as err:
        raise database_failure(err) from None
    return {int(row[0]) for row in rows}


def _prepare(connection: psycopg.Connection[tuple[Any, ...]]) -> None:
    """Makes the table that records migrations, taking turns with other processes."""
    import psycopg

    try:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
    except psycopg.Error as err:
        raise database_failure(err) from None


def _apply(connection: psycopg.Connection[tuple[Any, ...]], migration: Migration) -> None:
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
            reason=server_words(err),
        ) from None
