"""Whether the practice's database can serve: it answers, and its schema is the one this
version of companion brings it to (``companion practice health``, for the reverse proxy's or
the monitoring's health check)."""

from __future__ import annotations

from dataclasses import dataclass

from companion.store.errors import StorageError


@dataclass(frozen=True)
class Health:
    reachable: bool
    schema: int
    """The newest migration applied (0 when unreachable or never migrated)."""
    known: int
    """The newest migration this version of companion ships."""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.reachable and self.schema == self.known

    def said(self) -> str:
        if not self.reachable:
            return f"not ok: {self.problem}"
        if self.schema < self.known:
            return (
                f"not ok: the database is at schema {self.schema}, this companion needs "
                f"{self.known}: run companion practice init (it migrates)"
            )
        if self.schema > self.known:
            return (
                f"not ok: the database is at schema {self.schema}, newer than this companion "
                f"({self.known}): update companion"
            )
        return f"ok: the database answers, schema {self.schema}"


def check(url: str) -> Health:
    from companion.practice.db import connected
    from companion.store.postgres.migrations import applied_version, known_version

    known = known_version()
    try:
        with connected(url) as connection:
            connection.execute("SELECT 1")
            schema = applied_version(connection)
    except StorageError as err:
        return Health(False, 0, known, str(err))
    return Health(True, schema, known)
