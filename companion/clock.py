"""The one place that knows what time it is.

Every other module gets a :class:`Clock` passed in and asks it; none calls
``datetime.now()`` or ``date.today()`` (``tests/test_clock.py`` checks this).
Tests and ``companion simulate`` use a :class:`FixedClock` and move it forward
by hand, so a timeline of check-ins over weeks runs in a moment and the same
way every time.

Days are counted the way the clinical brief counts them (section 5): the day
the pain began is day 0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Source of the current time; ``now()`` is always timezone-aware."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The computer's clock, in its local timezone."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until told otherwise: for tests and simulations.

    ``start`` is an aware datetime, or a date (taken as 09:00 UTC that day).
    A naive datetime is refused: it would make stored timestamps ambiguous.
    """

    def __init__(self, start: datetime | date) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, when: datetime | date) -> None:
        """Jumps to ``when`` (also backwards, for tests that need it)."""
        self._now = _aware(when)

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """Moves forward and returns the new time; moving backwards is refused."""
        step = timedelta(days=days, hours=hours, minutes=minutes)
        if step < timedelta(0):
            raise ValueError(f"a clock only moves forward, not by {step}")
        self._now += step
        return self._now


def _aware(when: datetime | date) -> datetime:
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"{when.isoformat()} has no timezone; give an aware datetime")
        return when
    return datetime.combine(when, time(9, 0), tzinfo=UTC)


def days_since(onset: date, clock: Clock) -> int:
    """Days since the pain began: 0 on the day of onset, 7 a week later.

    An onset after today is a mistake in the data (it would silently keep
    every follow-up milestone from firing), so it raises ``ValueError``.
    """
    days = (clock.today() - onset).days
    if days < 0:
        raise ValueError(f"onset {onset.isoformat()} is after today ({clock.today().isoformat()})")
    return days
