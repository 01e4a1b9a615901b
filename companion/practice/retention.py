"""Retention: erasing the patients who have not used the companion for N months.

A patient's last activity is the last time their browser session was used (written at most
every few minutes, :func:`companion.practice.access.principal_for`), or when they redeemed
their code, or, if they never did, when they were invited. What a professional does (a plan,
a note) does not count: retention is about the patient's use.

Erasing goes through the patient's own store (``erase``), as the patient's own erase does;
the practice rows (pseudonym, access, codes, sessions) go with the patient. The audit log
keeps one row per erased patient (pseudonym and last activity, no data).
"""

from __future__ import annotations

import calendar
from datetime import datetime

from companion.clock import Clock
from companion.practice import audit
from companion.practice.accounts import PracticePatient
from companion.practice.db import connected, now


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the last
    day of a shorter month)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def inactive_patients(url: str, months: int, clock: Clock | None) -> list[PracticePatient]:
    """Patients whose last activity is more than ``months`` months ago, longest inactive first."""
    if months < 1:
        raise ValueError("retention needs at least 1 month")
    with connected(url) as connection:
        cutoff = months_before(now(connection, clock), months)
        rows = connection.execute(
            "SELECT patient_id, pseudonym, last_active_at FROM practice_patients"
            " WHERE last_active_at < %s ORDER BY last_active_at, pseudonym",
            (cutoff,),
        ).fetchall()
    return [PracticePatient(str(id_), str(pseudonym), at) for id_, pseudonym, at in rows]


def erase_patients(
    url: str,
    patients: list[PracticePatient],
    clock: Clock,
    actor: audit.Actor | None = None,
    reason: str = "retention",
) -> int:
    """Erases each patient's store and practice rows; returns how many were erased.

    ``reason`` goes to the audit row: ``retention`` (inactive) or ``request`` (the patient
    asked the practice to erase their data)."""
    from companion.store.postgres import PostgresStore

    actor = actor or audit.operator()
    erased = 0
    for patient in patients:
        with PostgresStore.open(url, patient.id, clock) as store:
            store.erase()
        with connected(url) as connection, connection.transaction():
            connection.execute("DELETE FROM patients WHERE id = %s", (patient.id,))
            audit.record(
                connection,
                now(connection, clock),
                actor,
                audit.ERASE,
                patient.id,
                patient.pseudonym,
                detail={
                    "reason": reason,
                    "last_active_at": patient.last_active_at.isoformat(),
                },
            )
        erased += 1
    return erased
