"""A professional's patients at a glance: "my patients", open escalations first.

Each patient is read through their own store (:class:`PostgresStore`, scoped to that one
patient by row-level security), never in a query across patients, and with the same code the
patient's app and the reports use: the journey for the day of the episode, the reports for
adherence, the standing escalation for what is still open. Each patient shown is an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.care.dispositions import ORDERED
from companion.clock import Clock, days_since
from companion.journey.journey import CHECKIN, SCREENS, Journey
from companion.journey.standing import standing_escalation
from companion.journey.support_level import current_support
from companion.practice import audit
from companion.practice.db import as_uuid, connected, now
from companion.resources import Library, builtin_library
from companion.store.protocol import Store


@dataclass(frozen=True)
class PatientRow:
    """One line of "my patients"."""

    patient_id: str
    pseudonym: str
    day: int | None
    """Day of the episode (0 = the day the pain began), when the onset is known."""
    last_checkin: datetime | None
    adherence: tuple[int, int]
    """(check-ins with the plan done or partly done, check-ins that asked about the plan)."""
    support_level: str | None
    """The stratified support level, when known (:func:`support_level`)."""
    open_escalation: str | None
    """The disposition of an urgent advice that still stands (``emergency``, ``gp_today``):
    the patient has not reported contacting the doctor and no later screen was clear."""
    last_active_at: datetime

    @property
    def adherence_share(self) -> float | None:
        done, asked = self.adherence
        return done / asked if asked else None


def patients_of(
    url: str, professional_id: str, clock: Clock, *, library: Library | None = None
) -> list[PatientRow]:
    """The professional's patients (invited or shared), open escalations first (the most
    urgent first), then by pseudonym. Each patient shown is written to the audit log."""
    from companion.store.postgres import PostgresStore

    library = library or builtin_library()
    with connected(url) as connection:
        found = connection.execute(
            "SELECT p.patient_id, p.pseudonym, p.last_active_at, pro.name"
            " FROM practice_access a"
            " JOIN practice_patients p ON p.patient_id = a.patient_id"
            " JOIN practice_professionals pro ON pro.id = a.professional_id"
            " WHERE a.professional_id = %s ORDER BY p.pseudonym",
            (_uuid_or_none(professional_id),),
        ).fetchall()
        rows = []
        for patient_id, pseudonym, last_active_at, name in found:
            with PostgresStore.open(url, str(patient_id), clock) as store:
                rows.append(
                    _row(store, library, clock, str(patient_id), str(pseudonym), last_active_at)
                )
            audit.record(
                connection,
                now(connection, clock),
                audit.Actor("professional", str(professional_id), str(name)),
                audit.ROSTER_VIEW,
                str(patient_id),
                str(pseudonym),
            )
    return sorted(rows, key=_urgency_first)


def _uuid_or_none(text: str) -> str | None:
    found = as_uuid(text)
    return None if found is None else str(found)


def _row(
    store: Store,
    library: Library,
    clock: Clock,
    patient_id: str,
    pseudonym: str,
    last_active_at: datetime,
) -> PatientRow:
    latest_checkin = store.latest_finished((CHECKIN,))
    standing = standing_escalation(store, store.latest_finished(SCREENS))
    return PatientRow(
        patient_id=patient_id,
        pseudonym=pseudonym,
        day=_day_of_episode(store, library, clock),
        last_checkin=latest_checkin.finished_at or latest_checkin.started_at
        if latest_checkin
        else None,
        adherence=_adherence(store, library, clock),
        support_level=support_level(store, clock),
        open_escalation=standing.disposition if standing else None,
        last_active_at=last_active_at,
    )


def _language(store: Store, library: Library) -> tuple[str, str | None]:
    settings = store.settings()
    language = settings.get("language")
    if language is None or language not in library.content.languages:
        language = sorted(library.content.languages)[0]
    return language, settings.get("region")


def _day_of_episode(store: Store, library: Library, clock: Clock) -> int | None:
    """As the patient's Today screen counts it (the journey knows a corrected onset)."""
    language, region = _language(store, library)
    onset = Journey(library, store, clock, language, region).onset()
    if onset is None:
        return None
    try:
        return days_since(onset, clock)
    except ValueError:  # an onset after today is a mistake in the data: no day to show
        return None


def _adherence(store: Store, library: Library, clock: Clock) -> tuple[int, int]:
    """As the professional's report counts it (:attr:`ReportData.adherence`)."""
    from companion.reports.data import collect

    language, region = _language(store, library)
    texts = library.content.localizer(language, region)
    return collect(store, library, texts, clock.today()).adherence


def support_level(store: Store, clock: Clock) -> str | None:
    """The patient's stratified support level (``low``, ``medium``, ``high``), or None
    before a conversation placed one (:func:`~companion.journey.support_level.current_support`)."""
    placed = current_support(store)
    return None if placed is None else str(placed.support.level)


def _urgency_first(row: PatientRow) -> tuple[int, str]:
    if row.open_escalation in ORDERED:
        return ORDERED.index(row.open_escalation), row.pseudonym
    return len(ORDERED), row.pseudonym
