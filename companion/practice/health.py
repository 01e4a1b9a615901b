"""Whether the practice's database can serve: it answers, and every migration this version of
companion ships is applied and none newer (``companion practice health``, and the served
app's ``/readyz`` for the reverse proxy)."""

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
    """Why the database cannot serve (empty when it can)."""

    @property
    def ok(self) -> bool:
        return self.reachable and not self.problem

    def said(self) -> str:
        if not self.reachable:
            return f"not ok: {self.problem}"
        if self.schema > self.known:
            return (
                f"not ok: the database is at schema {self.schema}, newer than this companion "
                f"({self.known}): update companion"
            )
        if self.problem:
            return (
                f"not ok: the database is at schema {self.schema} and misses migrations this "
                f"companion needs (up to {self.known}): run companion practice init (it migrates)"
            )
        return f"ok: the database answers, schema {self.schema}"


def check(url: str) -> Health:
    from companion.practice.db import connected
    from companion.store.postgres.migrations import applied_versions, known_version, schema_problem

    known = known_version()
    try:
        with connected(url) as connection:
            connection.execute("SELECT 1")
            applied = applied_versions(connection)
    except StorageError as err:
        return Health(False, 0, known, str(err))
    problem = schema_problem(applied)
    return Health(True, max(applied, default=0), known, "" if problem is None else str(problem))
