"""The audit log: every view of patient data and every change, who did it, and when.

Written in the same place as the practice's other tables (``practice_audit``), append-only
(a trigger refuses changes and deletions). A row names the actor (a professional, the patient,
or the operator at the command line), the action, the patient by id and pseudonym, and whether
it was done or refused; never the data itself, so the log can outlive an erased patient.

:func:`export` gives the whole log for the practice (``companion practice audit``).
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from companion.clock import Clock
from companion.practice.db import connected, now

if TYPE_CHECKING:
    import psycopg

DONE = "done"
REFUSED = "refused"

# Actions (the ``action`` column).
SIGN_IN = "sign_in"
ROSTER_VIEW = "roster_view"
REPORT_VIEW = "report_view"
HOMEWORK_ASSIGN = "homework_assign"
NOTE_SEND = "note_send"
NOTES_VIEW = "notes_view"
SHARE = "share"
INVITE = "invite"
REVOKE = "revoke"
ERASE = "erase"
AUDIT_EXPORT = "audit_export"


@dataclass(frozen=True)
class Actor:
    """Who acts: a professional, the patient, or the operator (the command line's user)."""

    kind: str
    id: str
    name: str


def operator() -> Actor:
    """The person at the command line, by their login name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor("operator", user, user)


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str
    action: str
    patient_id: str | None
    pseudonym: str | None
    outcome: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


FIELDS = tuple(AuditRow.__dataclass_fields__)


def record(
    connection: psycopg.Connection[tuple[Any, ...]],
    at: datetime,
    actor: Actor,
    action: str,
    patient_id: str | None = None,
    pseudonym: str | None = None,
    outcome: str = DONE,
    detail: dict[str, Any] | None = None,
) -> None:
    """Writes one audit row (in the caller's transaction, if any)."""
    from psycopg.types.json import Jsonb

    connection.execute(
        "INSERT INTO practice_audit (at, actor_kind, actor_id, actor_name, action, patient_id,"
        " pseudonym, outcome, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            at,
            actor.kind,
            actor.id,
            actor.name,
            action,
            patient_id,
            pseudonym,
            outcome,
            Jsonb(detail or {}),
        ),
    )


def export(url: str, *, by: Actor | None = None, clock: Clock | None = None) -> list[AuditRow]:
    """The whole audit log, oldest first. With ``by`` the export itself is logged afterwards
    (the log names every patient's pseudonym)."""
    with connected(url) as connection:
        rows = connection.execute(
            "SELECT at, actor_kind, actor_id, actor_name, action, patient_id, pseudonym, outcome,"
            " detail FROM practice_audit ORDER BY at, id"
        ).fetchall()
        if by is not None:
            record(connection, now(connection, clock), by, AUDIT_EXPORT, detail={"rows": len(rows)})
    return [AuditRow(*row) for row in rows]


def as_csv(rows: list[AuditRow]) -> str:
    """One line per row; ``detail`` as compact JSON. Values a spreadsheet would run as a
    formula (``=``, ``+``, ``-``, ``@`` first) are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        values = row.as_json()
        values["detail"] = json.dumps(row.detail, ensure_ascii=False, sort_keys=True)
        writer.writerow([_inert(values[name]) for name in FIELDS])
    return out.getvalue()


def as_json(rows: list[AuditRow]) -> str:
    return json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2) + "\n"


def _inert(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
