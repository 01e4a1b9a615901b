"""Notes from a professional to a patient: plain text, length-limited, kept in the patient's
store (so the patient's export and erase include them).

A note is text, never markup: it is stored as typed and the app shows it with ``Plain``
(``companion/app/widgets.py``). Control and bidirectional characters are refused (they could
steer a terminal or hide text), so are empty notes and notes over :data:`MAX_NOTE_LENGTH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.clock import Clock, SystemClock
from companion.files.untrusted import forbidden_characters
from companion.practice import audit
from companion.practice.access import PracticeRefusal
from companion.practice.accounts import require_access
from companion.practice.db import as_uuid, connected, now
from companion.texts.i18n import N_

MAX_NOTE_LENGTH = 2000
"""Characters: a note is a few sentences, not a letter."""
NOTE_EVENT = "professional_note"
"""Event in the patient's store: a note from a professional."""

EMPTY = "empty"
TOO_LONG = "too_long"
CHARACTERS = "characters"
MESSAGES = {
    EMPTY: N_("The note is empty."),
    TOO_LONG: N_("The note is too long: {length} characters, at most {limit}."),
    CHARACTERS: N_("The note holds characters that cannot be shown: {characters}."),
}


class NoteRejected(PracticeRefusal, ValueError):
    """``reason`` is :data:`EMPTY`, :data:`TOO_LONG` or :data:`CHARACTERS`; the message is
    in the professional's language with :meth:`translated`."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(MESSAGES[reason], **params)
        self.reason = reason


@dataclass(frozen=True)
class Note:
    at: datetime
    sender: str
    """The professional's name."""
    text: str


def checked_note(text: str) -> str:
    """The note as it will be stored (surrounding blank space trimmed), or NoteRejected."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise NoteRejected(EMPTY)
    if len(text) > MAX_NOTE_LENGTH:
        raise NoteRejected(TOO_LONG, length=len(text), limit=MAX_NOTE_LENGTH)
    found = forbidden_characters(text, multi_line=True)
    if found:
        raise NoteRejected(CHARACTERS, characters=", ".join(found))
    return text


def send(
    url: str, professional_id: str, patient_id: str, text: str, *, clock: Clock | None = None
) -> Note:
    """Stores a note for the patient. :class:`Refused` when the patient is not the
    professional's; :class:`NoteRejected` for an empty, too long or unsafe text."""
    from companion.store.postgres import PostgresStore

    clock = clock or SystemClock()
    with connected(url) as connection:
        moment = now(connection, clock)
        actor, pseudonym = require_access(
            connection, professional_id, patient_id, audit.NOTE_SEND, moment
        )
        note = checked_note(text)
        with PostgresStore.open(url, patient_id, clock) as store:
            store.append(NOTE_EVENT, {"from": actor.name, "professional": actor.id, "text": note})
        audit.record(
            connection,
            moment,
            actor,
            audit.NOTE_SEND,
            patient_id,
            pseudonym,
            detail={"characters": len(note)},
        )
    return Note(moment, actor.name, note)


def for_patient(url: str, patient_id: str, *, clock: Clock | None = None) -> list[Note]:
    """The patient's notes, oldest first (the web app calls this for the signed-in patient)."""
    from companion.store.postgres import PostgresStore

    clock = clock or SystemClock()
    if as_uuid(patient_id) is None:
        return []
    with connected(url) as connection:
        row = connection.execute(
            "SELECT pseudonym FROM practice_patients WHERE patient_id = %s", (patient_id,)
        ).fetchone()
        if row is None:
            return []
        with PostgresStore.open(url, patient_id, clock) as store:
            events = store.events(NOTE_EVENT)
        audit.record(
            connection,
            now(connection, clock),
            audit.Actor("patient", patient_id, str(row[0])),
            audit.NOTES_VIEW,
            patient_id,
            str(row[0]),
            detail={"notes": len(events)},
        )
    return [
        Note(event.at, str(event.payload.get("from", "")), str(event.payload.get("text", "")))
        for event in events
        if isinstance(event.payload, dict)
    ]
