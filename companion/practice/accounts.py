"""The practice's people: professionals and their login codes, invited patients, sharing.

A patient is a random pseudonym (``P-4K7MQ3``) and a one-time invite code; the practice keeps
its own link between the pseudonym and the person. A professional is a name and a login code.
A professional may see and change the patients they invited and those shared with them
(:func:`require_access`), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from companion.clock import Clock
from companion.practice import audit
from companion.practice.access import Principal, Refused
from companion.practice.codes import code_hash, new_invite_code, new_login_code, new_pseudonym
from companion.practice.db import as_uuid, connected, now
from companion.texts.i18n import N_

if TYPE_CHECKING:
    import psycopg

INVITE_VALID = timedelta(days=14)
"""How long an invite code can be redeemed (the README's arithmetic assumes this)."""
MAX_NAME_LENGTH = 200
NOT_YOURS = N_("This patient is not one of yours.")


@dataclass(frozen=True)
class Professional:
    id: str
    name: str

    @property
    def principal(self) -> Principal:
        return Principal("professional", self.id, self.name)


@dataclass(frozen=True)
class PracticePatient:
    id: str
    pseudonym: str
    last_active_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal("patient", self.id, self.pseudonym)


@dataclass(frozen=True)
class Invitation:
    patient: PracticePatient
    code: str
    expires_at: datetime
    professional: Professional


class NameRefused(ValueError):
    """A professional's name that is empty, too long, holds control characters or is taken."""


def add_professional(
    url: str, name: str, *, clock: Clock | None = None, actor: audit.Actor | None = None
) -> tuple[Professional, str]:
    """A new professional account and its login code (shown once: only its hash is kept)."""
    from companion.files.untrusted import forbidden_characters

    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or forbidden_characters(name):
        raise NameRefused(f"a name of 1 to {MAX_NAME_LENGTH} plain characters, not {name!r}")
    with connected(url) as connection, connection.transaction():
        moment = now(connection, clock)
        row = connection.execute(
            "INSERT INTO practice_professionals (name, created_at) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (name, moment),
        ).fetchone()
        if row is None:
            raise NameRefused(f"there is already a professional called {name!r}")
        professional = Professional(str(row[0]), name)
        code = _replace_login_code(connection, professional, moment)
        audit.record(
            connection,
            moment,
            actor or audit.operator(),
            "professional_add",
            detail={"professional": professional.id, "name": name},
        )
    return professional, code


def renew_login_code(url: str, professional: Professional, *, clock: Clock | None = None) -> str:
    """A new login code; the old one stops working (its sessions go on until revoked)."""
    with connected(url) as connection, connection.transaction():
        moment = now(connection, clock)
        code = _replace_login_code(connection, professional, moment)
        audit.record(
            connection,
            moment,
            audit.operator(),
            "login_code_renew",
            detail={"professional": professional.id},
        )
    return code


def _replace_login_code(
    connection: psycopg.Connection[tuple[Any, ...]], professional: Professional, moment: datetime
) -> str:
    connection.execute(
        "UPDATE practice_codes SET revoked_at = %s"
        " WHERE professional_id = %s AND revoked_at IS NULL",
        (moment, professional.id),
    )
    code = new_login_code()
    connection.execute(
        "INSERT INTO practice_codes (code_hash, purpose, professional_id, created_at)"
        " VALUES (%s, 'login', %s, %s)",
        (code_hash(code), professional.id, moment),
    )
    return code


def professionals(url: str) -> list[Professional]:
    with connected(url) as connection:
        rows = connection.execute(
            "SELECT id, name FROM practice_professionals ORDER BY created_at, name"
        ).fetchall()
    return [Professional(str(id_), str(name)) for id_, name in rows]


def find_professional(url: str, id_or_name: str) -> Professional | None:
    """By id, or by name (case does not matter)."""
    wanted = as_uuid(id_or_name)
    for professional in professionals(url):
        if (wanted is not None and professional.id == str(wanted)) or (
            professional.name.casefold() == id_or_name.strip().casefold()
        ):
            return professional
    return None


def find_patient(url: str, pseudonym_or_id: str) -> PracticePatient | None:
    """By pseudonym (case does not matter) or by id."""
    wanted = as_uuid(pseudonym_or_id)
    with connected(url) as connection:
        row = connection.execute(
            "SELECT patient_id, pseudonym, last_active_at FROM practice_patients"
            " WHERE upper(pseudonym) = upper(%s) OR patient_id = %s",
            (pseudonym_or_id.strip(), wanted),
        ).fetchone()
    return None if row is None else PracticePatient(str(row[0]), str(row[1]), row[2])


def invite(
    url: str,
    professional: Professional,
    *,
    valid_for: timedelta = INVITE_VALID,
    clock: Clock | None = None,
    actor: audit.Actor | None = None,
) -> Invitation:
    """A new patient (a pseudonym, no data yet) with a one-time code, seen by ``professional``."""
    from companion.store.postgres import create_patient

    patient_id = create_patient(url)
    try:
        return _invited(url, patient_id, professional, valid_for, clock, actor)
    except BaseException:
        _forget_patient(url, patient_id)  # no pseudonym, no code: nobody could ever use it
        raise


def _forget_patient(url: str, patient_id: str) -> None:
    from contextlib import suppress

    from companion.store.errors import StorageError

    with suppress(StorageError), connected(url) as connection:
        connection.execute("DELETE FROM patients WHERE id = %s", (patient_id,))


def _invited(
    url: str,
    patient_id: str,
    professional: Professional,
    valid_for: timedelta,
    clock: Clock | None,
    actor: audit.Actor | None,
) -> Invitation:
    with connected(url) as connection, connection.transaction():
        moment = now(connection, clock)
        pseudonym = _new_pseudonym_row(connection, patient_id, moment)
        connection.execute(
            "INSERT INTO practice_access (professional_id, patient_id, via, granted_at)"
            " VALUES (%s, %s, 'invite', %s)",
            (professional.id, patient_id, moment),
        )
        code = new_invite_code()
        connection.execute(
            "INSERT INTO practice_codes (code_hash, purpose, patient_id, created_at, expires_at)"
            " VALUES (%s, 'invite', %s, %s, %s)",
            (code_hash(code), patient_id, moment, moment + valid_for),
        )
        audit.record(
            connection,
            moment,
            actor or audit.operator(),
            audit.INVITE,
            patient_id,
            pseudonym,
            detail={
                "professional": professional.id,
                "expires_at": (moment + valid_for).isoformat(),
            },
        )
    patient = PracticePatient(patient_id, pseudonym, moment)
    return Invitation(patient, code, moment + valid_for, professional)


def _new_pseudonym_row(
    connection: psycopg.Connection[tuple[Any, ...]], patient_id: str, moment: datetime
) -> str:
    for _ in range(20):  # 31**6 pseudonyms: a clash is rare, twenty in a row never happens
        pseudonym = new_pseudonym()
        row = connection.execute(
            "INSERT INTO practice_patients (patient_id, pseudonym, created_at, last_active_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (pseudonym) DO NOTHING RETURNING pseudonym",
            (patient_id, pseudonym, moment, moment),
        ).fetchone()
        if row is not None:
            return pseudonym
    raise RuntimeError("no free pseudonym found")


def require_access(
    connection: psycopg.Connection[tuple[Any, ...]],
    professional_id: str,
    patient_id: str,
    action: str,
    moment: datetime,
) -> tuple[audit.Actor, str]:
    """The professional (as audit actor) and the patient's pseudonym, when this professional
    may see the patient; else the refusal is written to the audit log and :class:`Refused`
    raised (the same for a patient of another professional and for an id that does not exist,
    or is not even an id)."""
    professional = as_uuid(professional_id)
    patient = as_uuid(patient_id)
    row = None
    if professional is not None and patient is not None:
        row = connection.execute(
            "SELECT pro.name, p.pseudonym FROM practice_access a"
            " JOIN practice_professionals pro ON pro.id = a.professional_id"
            " JOIN practice_patients p ON p.patient_id = a.patient_id"
            " WHERE a.professional_id = %s AND a.patient_id = %s",
            (professional, patient),
        ).fetchone()
    if row is None:
        name = _professional_name(connection, professional)
        actor = audit.Actor("professional", str(professional_id)[:100], name)
        audit.record(connection, moment, actor, action, str(patient_id)[:100], None, audit.REFUSED)
        raise Refused(NOT_YOURS)
    return audit.Actor("professional", str(professional), str(row[0])), str(row[1])


def _professional_name(connection: psycopg.Connection[tuple[Any, ...]], id_: Any) -> str:
    if id_ is None:
        return "unknown"
    row = connection.execute(
        "SELECT name FROM practice_professionals WHERE id = %s", (id_,)
    ).fetchone()
    return "unknown" if row is None else str(row[0])


def share(
    url: str,
    patient_id: str,
    with_professional: str,
    *,
    clock: Clock | None = None,
    actor: audit.Actor | None = None,
) -> None:
    """Lets another professional see and change the patient too (the operator decides)."""
    patient, professional = as_uuid(patient_id), as_uuid(with_professional)
    with connected(url) as connection, connection.transaction():
        moment = now(connection, clock)
        found = None
        if patient is not None and professional is not None:
            found = connection.execute(
                "SELECT p.pseudonym FROM practice_patients p, practice_professionals pro"
                " WHERE p.patient_id = %s AND pro.id = %s",
                (patient, professional),
            ).fetchone()
        if found is None:
            raise Refused("No such patient or professional.")
        connection.execute(
            "INSERT INTO practice_access (professional_id, patient_id, via, granted_at)"
            " VALUES (%s, %s, 'share', %s) ON CONFLICT DO NOTHING",
            (professional, patient, moment),
        )
        audit.record(
            connection,
            moment,
            actor or audit.operator(),
            audit.SHARE,
            str(patient),
            str(found[0]),
            detail={"professional": str(professional)},
        )


def revoke_codes(url: str, principal: Principal, *, clock: Clock | None = None) -> int:
    """Makes the unused invite code of a patient, or the login code of a professional,
    unusable; returns how many codes."""
    column = "patient_id" if principal.kind == "patient" else "professional_id"
    with connected(url) as connection:
        moment = now(connection, clock)
        return connection.execute(
            f"UPDATE practice_codes SET revoked_at = %s"
            f" WHERE {column} = %s AND revoked_at IS NULL"
            " AND (purpose = 'login' OR used_at IS NULL)",
            (moment, principal.id),
        ).rowcount
