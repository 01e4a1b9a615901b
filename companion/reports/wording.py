"""How the reports say things, in the report's language: answers, dates, dispositions, plan.

Texts are content keys (``content/<lang>/report.yaml``; dispositions use the triage titles
``end.<disposition>.title``); dates and numbers are formatted by Babel for the locale. These
functions take plain values, so that :mod:`companion.reports.data` can show stored answers again
and :mod:`companion.reports.sections` can word each section without a layout.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.numbers import format_percent

from companion.care.plan import Plan, goal_day
from companion.dialogue.flow import QuestionState
from companion.texts.content import Localizer

TIMEZONES = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels"}
REPORT_PLACEHOLDERS = frozenset(
    {
        "date", "datetime", "name", "contact", "baseline", "goal", "unit", "weeks", "count",
        "done", "total", "percent", "day", "disposition", "days", "number",
        "first", "latest", "kinds",
        "screen", "week", "step", "steps", "quota", "value", "trend", "advice",
    }
)  # fmt: skip
"""Placeholders the report fills in (``companion check`` accepts them in report texts)."""


def answer_text(texts: Localizer, value: Any, state: QuestionState | None) -> str:
    """A stored answer as the report's language says it (the option's text for a choice)."""
    if value is True:
        return texts.text("report.value.yes")
    if value is False:
        return texts.text("report.value.no")
    if value == "unknown":
        return texts.text("report.value.unknown")
    if isinstance(value, int):
        return texts.format_number(value)
    options = getattr(getattr(state, "answer", None), "options", None)
    if isinstance(value, str) and options and value in options:
        return texts.text(options[value])
    return str(value)


def local_moment(texts: Localizer, moment: datetime) -> datetime:
    """``moment`` in the region's time zone (Europe/Amsterdam or Europe/Brussels)."""
    if moment.tzinfo is None:
        return moment
    try:
        from zoneinfo import ZoneInfo

        zone = texts.time_zone or TIMEZONES.get(texts.region, "Europe/Brussels")
        return moment.astimezone(ZoneInfo(zone))
    except Exception:  # no time zone data on this machine: show the stored time
        return moment


def when(texts: Localizer, moment: datetime) -> str:
    """Date and time as the locale writes them ("3 maart 2026 10:15")."""
    local = local_moment(texts, moment)
    return f"{texts.format_date(local.date(), 'long')} {texts.format_time(local.time(), 'short')}"


def percent(texts: Localizer, done: int, total: int) -> str:
    return format_percent(done / total, locale=texts.babel_locale) if total else "-"


def number_or_dash(texts: Localizer, value: int | None) -> str:
    return texts.format_number(value) if value is not None else "-"


def disposition_text(texts: Localizer, disposition: str | None) -> str:
    if disposition and texts.has(f"end.{disposition}.title"):
        return texts.text(f"end.{disposition}.title")
    return disposition or "-"


def activity_label(texts: Localizer, plan: Plan, index: int) -> str:
    activity = plan.activities[index]
    own = activity.name.label(texts.language) if activity.name else None
    return own or texts.text(f"report.kind.{activity.kind}")


def activity_lines(
    t: Localizer, plan: Plan, index: int, times_key: str = "report.plan.times_per_day"
) -> list[str]:
    """One activity of the plan: the build-up, how often a day (worded by ``times_key``: the
    patient's report and the professional's say it differently), the goal day and the
    physiotherapist's instruction as written."""
    activity = plan.activities[index]
    lines = [
        t.text(
            "report.plan.activity",
            baseline=t.format_number(activity.baseline),
            goal=t.format_number(activity.goal),
            unit=t.text(f"report.unit.{activity.unit}"),
            weeks=t.format_number(activity.weeks),
        )
    ]
    if activity.times_per_day:
        lines.append(t.text(times_key, count=t.format_number(activity.times_per_day)))
    lines.append(t.text("report.plan.goal_day", date=t.format_date(goal_day(plan, index))))
    instruction = activity.instruction.label(t.language) if activity.instruction else None
    if instruction:
        lines.append(instruction)
    return lines


PATIENT_PLAN_WORDS = "report.plan"
PROFESSIONAL_PLAN_WORDS = "pro.plan"
"""Key prefixes of the plan's ``none``, ``principle``, ``review`` and ``therapist`` texts: the
patient's report speaks to the patient, the professional's about them."""


def plan_lines(t: Localizer, plan: Plan | None, words: str = PATIENT_PLAN_WORDS) -> list[str]:
    """The plan's principle, start, review day and therapist, in the ``words`` of a report."""
    if plan is None:
        return [t.text(f"{words}.none")]
    lines = [
        t.text(f"{words}.principle"),
        t.text("report.plan.start", date=t.format_date(plan.start)),
    ]
    if plan.review:
        lines.append(t.text(f"{words}.review", date=t.format_date(plan.review)))
    if plan.therapist:
        lines.append(t.text(f"{words}.therapist", name=plan.therapist.name))
        if plan.therapist.contact:
            lines.append(t.text("report.plan.contact", contact=plan.therapist.contact))
    return lines


def done_text(texts: Localizer, value: str | None) -> str:
    return texts.text(f"report.done.{value or 'none'}")


def trend_text(texts: Localizer, value: str | None) -> str:
    key = f"report.trend.{value}"
    return texts.text(key) if value and texts.has(key) else texts.text("report.value.none")


def yes_no_text(texts: Localizer, value: bool | None) -> str:
    if value is None:
        return texts.text("report.value.none")
    return texts.text("report.value.yes" if value else "report.value.no")
