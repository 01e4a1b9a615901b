"""Reminders as an iCalendar file (RFC 5545) for a phone's calendar: the daily check-in, and
one event on each day the plan's day goals rise (``companion reminders``).

Written with the ``icalendar`` library. Times are wall-clock times in the region's time
zone (``time_zone`` in ``content/regions.yaml``), each event with a VTIMEZONE, so that a
phone elsewhere still shows 19:00 Brussels time. UIDs are fixed per plan and day: importing
a new file again updates the events instead of doubling them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from companion.care.plan import Plan, step_days
from companion.files.untrusted import visible
from companion.present import activity_name
from companion.texts.content import ContentError, Localizer
from companion.texts.i18n import N_

DEFAULT_CHECKIN_TIME = time(19, 0)
"""The check-in reminder's default time: the end of the day, when the patient can say how
the day went."""
STEP_TIME = time(8, 0)
"""A step day's reminder comes in the morning: the new day goal counts from that day."""
EVENT_LENGTH = timedelta(minutes=15)
EPISODE_DAYS = 84
"""Check-ins are useful until the 12-week milestone at least (brief section 5)."""
PRODUCT_ID = "-//companion//reminders//EN"

REMINDER_TEXT_KEYS = (
    "reminders.calendar_name",
    "reminders.checkin.title",
    "reminders.checkin.description",
    "reminders.step.title",
    "reminders.step.description",
)
"""Content keys of the calendar's words (``companion check`` needs them)."""

NO_TIME_ZONE = N_(
    "Region {region} has no time zone (time_zone in regions.yaml), so the reminders "
    "cannot be placed in time."
)


def region_zone(texts: Localizer) -> ZoneInfo:
    """The region's time zone; ContentError when the region names none or an unknown one."""
    message = texts.ui(NO_TIME_ZONE, region=texts.region)
    if texts.time_zone is None:
        raise ContentError(message)
    try:
        return ZoneInfo(texts.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ContentError(f"{message} ({texts.time_zone})") from err


def reminder_calendar(
    plan: Plan, texts: Localizer, checkin_at: time, today: date, now: datetime
) -> Calendar:
    """Check-ins every day from ``today`` (or the plan's start) to the plan's end, at least
    to day 84 of the episode; one event on each later day a day goal rises."""
    zone = region_zone(texts)
    first = max(today, plan.start)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", texts.text("reminders.calendar_name"))
    calendar.add("x-wr-timezone", zone.key)
    calendar.add_component(_checkins(plan, texts, zone, checkin_at, first, now))
    for step in step_days(plan):
        if step.day >= first:
            calendar.add_component(_step(plan, texts, zone, step.day, step.quotas, now))
    # The time zone's rules for the calendar's own years only (a small file).
    calendar.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last_checkin_day(plan).year + 1, 1, 1)
    )
    return calendar


def last_checkin_day(plan: Plan) -> date:
    episode_end = plan.onset + timedelta(days=EPISODE_DAYS) if plan.onset else plan.start
    return max(plan.end, episode_end)


def _checkins(
    plan: Plan, texts: Localizer, zone: ZoneInfo, at: time, first: date, now: datetime
) -> Event:
    start = datetime.combine(first, at, tzinfo=zone)
    # RFC 5545: with a DTSTART in a time zone, UNTIL is given in UTC.
    last = max(last_checkin_day(plan), first)  # a file made late still holds today's
    until = datetime.combine(last, at, tzinfo=zone).astimezone(UTC)
    title = texts.text("reminders.checkin.title")
    event = _event(f"checkin-{plan.start.isoformat()}", title, start, now)
    event.add("description", texts.text("reminders.checkin.description"))
    event.add("rrule", {"freq": "daily", "until": until})
    return event


def _step(
    plan: Plan, texts: Localizer, zone: ZoneInfo, day: date, quotas: tuple[int, ...], now: datetime
) -> Event:
    title = texts.text("reminders.step.title")
    event = _event(f"step-{day.isoformat()}", title, datetime.combine(day, STEP_TIME, zone), now)
    goals = [
        f"- {visible(activity_name(activity, texts))}: "
        + texts.text(f"journey.unit.{activity.unit}", count=amount)
        for activity, amount in zip(plan.activities, quotas, strict=True)
    ]
    event.add("description", "\n".join([texts.text("reminders.step.description"), *goals]))
    return event


def _event(name: str, title: str, start: datetime, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{name}@companion")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", title)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def calendar_text(calendar: Calendar) -> str:
    """The file's text: CRLF line ends, UTF-8."""
    written: bytes = calendar.to_ical()
    return written.decode("utf-8")
