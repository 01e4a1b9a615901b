"""A professional opening one patient's data (the report screen): access checked, the view
written to the audit log, and the patient's own store, scoped to that patient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from companion.clock import Clock
from companion.practice import audit
from companion.practice.accounts import require_access
from companion.practice.db import connected, now
from companion.store.protocol import Store


@contextmanager
def patient_store(
    url: str,
    professional_id: str,
    patient_id: str,
    clock: Clock,
    action: str = audit.REPORT_VIEW,
) -> Iterator[Store]:
    """The patient's store, open, for a professional who may see this patient; otherwise
    :class:`~companion.practice.access.Refused` (and the refusal is an audit row)."""
    from companion.store.postgres import PostgresStore

    with connected(url) as connection:
        moment = now(connection, clock)
        actor, pseudonym = require_access(connection, professional_id, patient_id, action, moment)
        audit.record(connection, moment, actor, action, patient_id, pseudonym)
    with PostgresStore.open(url, patient_id, clock) as store:
        yield store
