"""The patient's own report of today's day goal (the Today screen's keys, per language).

Stored as events apart from the check-in, so a report made during the day does not
replace the check-in's question; the latest report of a day is the one that counts.
"""

from __future__ import annotations

from companion.clock import Clock
from companion.store.protocol import Store

QUOTA_REPORT = "quota_report"
"""Event: ``{"date": ISO day, "value": one of QUOTA_ANSWERS}``."""
QUOTA_ANSWERS = ("done", "partly", "not")
"""The check-in's quota_done options, in the order they are offered."""


class QuotaReports:
    """Reports of the day goal for one person, dated by the journey's clock."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def today(self) -> str | None:
        """The latest answer reported today, or None."""
        day = self._clock.today().isoformat()
        values = [
            event.payload.get("value")
            for event in self._store.events(QUOTA_REPORT)
            if isinstance(event.payload, dict) and event.payload.get("date") == day
        ]
        return str(values[-1]) if values else None

    def report(self, value: str) -> None:
        if value not in QUOTA_ANSWERS:
            raise ValueError(f"not a day-goal answer: {value!r}")
        self._store.append(QUOTA_REPORT, {"date": self._clock.today().isoformat(), "value": value})
