"""The PostgreSQL store: many patients in one database (a practice, an association).

- :func:`migrate` brings a database to this version's schema (numbered SQL files in
  ``migrations/``, applied in order, recorded in ``schema_migrations``).
- :func:`create_patient` makes a pseudonymous patient and returns its id.
- :class:`PostgresStore` is one patient's :class:`~companion.store.protocol.Store`.

psycopg is imported only when a PostgreSQL store is used: a patient's own companion on
SQLite never loads it.
"""

from __future__ import annotations

from companion.store.postgres.connection import StoreConnections
from companion.store.postgres.conversation import hold_patient_conversation
from companion.store.postgres.migrations import known_version, migrate
from companion.store.postgres.store import PostgresStore, create_patient

__all__ = [
    "PostgresStore",
    "StoreConnections",
    "create_patient",
    "hold_patient_conversation",
    "known_version",
    "migrate",
]
