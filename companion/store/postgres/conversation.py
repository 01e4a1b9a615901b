"""One conversation at a time per patient, across processes and machines.

Two browser tabs answering into the same conversation would mix their answers, as two
windows on one data folder would (the SQLite store's ``hold_conversation``). Here the hold is
a PostgreSQL advisory lock on the patient, taken on a connection of its own: the server drops
it when that connection ends, also when the process holding it is killed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from companion.store.errors import AlreadyOpen
from companion.store.postgres.connection import connect, database_failure
from companion.store.postgres.store import patient_uuid
from companion.texts.i18n import N_

if TYPE_CHECKING:
    import psycopg

CONVERSATION_LOCKS = 0x436F6E76
"""The advisory lock space of conversations ("Conv"); the patient's hash is the key in it."""
ALREADY_OPEN = N_(
    "the companion is already open in another window. Go on there, or close it and start again."
)


class PatientConversation:
    """Held while a conversation runs for one patient; release it (or use ``with``)."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    def release(self) -> None:
        self._connection.close()  # the server lets go of the lock with the connection

    def __enter__(self) -> PatientConversation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def hold_patient_conversation(url: str, patient_id: str) -> PatientConversation:
    """Raises :class:`AlreadyOpen` when another process holds this patient's conversation."""
    import psycopg

    patient = patient_uuid(patient_id)
    connection = connect(url)
    try:
        row = connection.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (CONVERSATION_LOCKS, patient)
        ).fetchone()
    except psycopg.Error as err:
        connection.close()
        raise database_failure(err) from None
    if row is None or not row[0]:
        connection.close()
        raise AlreadyOpen(ALREADY_OPEN)
    return PatientConversation(connection)
