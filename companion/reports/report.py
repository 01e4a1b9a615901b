"""The progress report: `companion report --out FILE [--format html|md] [--lang nl|fr]`.

Everything comes from the :class:`~companion.store.protocol.Store` (sessions with their outcomes and
answers, the plan history); nothing is recomputed from pain, and the quota of a day is the one of
the plan that was current on that day (:func:`companion.care.plan.quota_on`). Texts are content keys
(``content/<lang>/report.yaml``; dispositions use the triage titles ``end.<disposition>.title``),
questions and answers are shown again in the report's language from the flows, and dates and
numbers are formatted by Babel for the locale. Every stored string is HTML-escaped.

- **Adherence**: of the check-ins that asked about the plan (``quota_done`` answered; a check-in
  cut short by a red flag does not ask), the share answered ``done`` or ``partly``.
- **Escalation**: a triage or check-in that ended in ``emergency``, ``gp_today`` or ``gp_soon``.
- **Milestones**: days 7, 14, 21, 42 and 84 since onset (clinical brief section 5) that have passed.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.numbers import format_percent

from companion.care.plan import Plan, goal_day, quota_on
from companion.dialogue.engine import AnswerView, Outcome
from companion.dialogue.flow import QuestionState
from companion.files.untrusted import visible
from companion.journey.journey import CHECKIN, SCREENS, TRIAGE, finished_sessions
from companion.resources import Library
from companion.store.protocol import Store
from companion.store.records import StoredPlan, StoredSession
from companion.texts.content import ContentError, Localizer
from companion.texts.i18n import N_

ESCALATIONS = ("emergency", "gp_today", "gp_soon")
"""Dispositions that send the patient to a doctor (clinical brief section 2)."""
WROTE = N_("Wrote {path}.")
"""Said after the report is written (gettext msgid, companion/texts/i18n.py)."""
MILESTONE_DAYS = (7, 14, 21, 42, 84)
"""Follow-up milestones in days since onset (clinical brief section 5)."""
MODIFIERS = frozenset({"age", "sex", "pain_duration_days"})
"""Triage concepts that are not alarm signs themselves."""
TIMEZONES = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels"}
REPORT_PLACEHOLDERS = frozenset(
    {
        "date", "datetime", "name", "contact", "baseline", "goal", "unit", "weeks", "count",
        "done", "total", "percent", "day", "disposition", "days",
    }
)  # fmt: skip
"""Placeholders the report fills in (``companion check`` accepts them in report texts)."""


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    question_id: str
    concept: str
    question: str
    """The question in the report's language."""
    value: Any
    shown: str
    """The answer in the report's language."""


@dataclass(frozen=True)
class Screen:
    """A finished triage or check-in: its red-flag answers and its result."""

    flow_id: str
    at: datetime
    disposition: str | None
    red_flags: list[ShownAnswer]
    reasons: list[ShownAnswer]
    unknown: list[ShownAnswer]
    answers: list[ShownAnswer]


@dataclass(frozen=True)
class Advice:
    rule: str
    messages: list[str]


@dataclass(frozen=True)
class CheckIn:
    at: datetime
    day: int | None
    disposition: str | None
    quota_done: str | None
    pain_now: int | None
    pain_trend: str | None
    daily_activities_resumed: bool | None
    quotas: list[int]
    """The quota per activity of the plan current that day."""
    answers: list[ShownAnswer]
    """The "how it goes" answers (the red-flag answers are in the screen)."""
    advice: list[Advice]


@dataclass
class ReportData:
    texts: Localizer
    made_on: date
    plan: Plan | None
    onset: date | None
    checkins: list[CheckIn] = field(default_factory=list)
    screens: list[Screen] = field(default_factory=list)
    milestones: list[tuple[int, date]] = field(default_factory=list)

    @property
    def escalations(self) -> list[Screen]:
        return [s for s in self.screens if s.disposition in ESCALATIONS]

    @property
    def adherence(self) -> tuple[int, int]:
        """(check-ins with the plan done or partly done, check-ins that asked about the plan)."""
        asked = [c for c in self.checkins if c.quota_done is not None]
        return sum(c.quota_done in ("done", "partly") for c in asked), len(asked)


class _Answers:
    """Shows stored answers again in the report's language, from the flows."""

    def __init__(self, library: Library, texts: Localizer) -> None:
        self.library = library
        self.texts = texts

    def value(self, value: Any, state: QuestionState | None) -> str:
        t = self.texts
        if value is True:
            return t.text("report.value.yes")
        if value is False:
            return t.text("report.value.no")
        if value == "unknown":
            return t.text("report.value.unknown")
        if isinstance(value, int):
            return t.format_number(value)
        options = getattr(getattr(state, "answer", None), "options", None)
        if isinstance(value, str) and options and value in options:
            return t.text(options[value])
        return str(value)

    def shown(self, flow_id: str, stored: AnswerView, same_language: bool) -> ShownAnswer:
        question_id = stored.question
        flow = self.library.flows.get(flow_id)
        state = flow.flow.states.get(question_id) if flow else None
        question, shown = stored.question_text, stored.shown
        if isinstance(state, QuestionState):
            try:
                question = self.texts.text(state.text)
                shown = self.value(stored.value, state)
            except ContentError:
                if not same_language:
                    question, shown = question_id, str(stored.value)
        return ShownAnswer(question_id, stored.concept, question, stored.value, shown)


def red_flag_questions(library: Library) -> set[str]:
    """Question ids of the triage flow that screen for an alarm sign."""
    states = library.flows[TRIAGE].flow.states
    return {
        name
        for name, state in states.items()
        if isinstance(state, QuestionState) and state.concept not in MODIFIERS
    }


def _plan_on(history: Sequence[StoredPlan], moment: datetime) -> Plan | None:
    current = None
    for stored in history:
        if stored.at <= moment:
            current = stored.plan
    return current


def collect(store: Store, library: Library, texts: Localizer, today: date) -> ReportData:
    """Everything the report shows, from the store."""
    episode = store.current_episode()
    history = store.plan_history()
    data = ReportData(
        texts=texts,
        made_on=today,
        plan=history[-1].plan if history else None,
        onset=episode.onset if episode else None,
    )
    shower = _Answers(library, texts)
    red_flags = red_flag_questions(library)
    for session in finished_sessions(store, SCREENS):
        outcome = session.outcome
        if outcome is None:
            continue  # a stored outcome that does not validate has nothing to show
        same = session.language == texts.language
        at = session.finished_at or session.started_at
        answers = [shower.shown(session.flow_id, a, same) for a in outcome.answers]
        reasons = [shower.shown(session.flow_id, a, same) for a in outcome.reasons]
        unknown_concepts = set(outcome.unknown)
        disposition = outcome.disposition
        screened = (
            answers
            if session.flow_id == TRIAGE
            else [a for a in answers if a.question_id in red_flags]
        )
        data.screens.append(
            Screen(
                flow_id=session.flow_id,
                at=at,
                disposition=disposition,
                red_flags=[a for a in screened if a.question_id in red_flags],
                reasons=reasons,
                unknown=[a for a in answers if a.concept in unknown_concepts],
                answers=screened,
            )
        )
        if session.flow_id == CHECKIN:
            data.checkins.append(
                _checkin(session, outcome, at, answers, red_flags, history, texts, library)
            )
    if data.onset is not None:
        data.milestones = [
            (day, data.onset + timedelta(days=day))
            for day in MILESTONE_DAYS
            if data.onset + timedelta(days=day) <= today
        ]
    return data


def _checkin(
    session: StoredSession,
    outcome: Outcome,
    at: datetime,
    answers: list[ShownAnswer],
    red_flags: set[str],
    history: Sequence[StoredPlan],
    texts: Localizer,
    library: Library,
) -> CheckIn:
    by_concept = {a.concept: a.value for a in answers}
    plan = _plan_on(history, at)
    day = session.inputs.get("day")
    pain = by_concept.get("pain_now")
    daily = by_concept.get("daily_activities_resumed")
    quota_done = by_concept.get("quota_done")
    trend = by_concept.get("pain_trend")
    advice = []
    rules = {rule.id: rule for rule in library.flows[CHECKIN].flow.advice}
    for given in outcome.advice:
        rule_id = given.rule
        messages = list(given.messages)
        if session.language != texts.language and rule_id in rules:
            messages = []
            for say in rules[rule_id].say:
                if say.when is None:
                    try:
                        messages.append(texts.text(say.text))
                    except ContentError:
                        continue
        advice.append(Advice(rule_id, messages))
    return CheckIn(
        at=at,
        day=day if isinstance(day, int) and not isinstance(day, bool) else None,
        disposition=outcome.disposition,
        quota_done=quota_done if isinstance(quota_done, str) and quota_done != "unknown" else None,
        pain_now=pain if isinstance(pain, int) and not isinstance(pain, bool) else None,
        pain_trend=trend if isinstance(trend, str) else None,
        daily_activities_resumed=daily if isinstance(daily, bool) else None,
        quotas=[quota_on(plan, i, at.date()) for i in range(len(plan.activities))] if plan else [],
        answers=[a for a in answers if a.question_id not in red_flags],
        advice=advice,
    )


# --- formatting helpers ---------------------------------------------------------------------


def local_moment(texts: Localizer, moment: datetime) -> datetime:
    """``moment`` in the region's time zone (Europe/Amsterdam or Europe/Brussels)."""
    if moment.tzinfo is None:
        return moment
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(TIMEZONES.get(texts.region, "Europe/Brussels")))
    except Exception:  # no time zone data on this machine: show the stored time
        return moment


def when(texts: Localizer, moment: datetime) -> str:
    """Date and time as the locale writes them ("3 maart 2026 10:15")."""
    local = local_moment(texts, moment)
    return f"{texts.format_date(local.date(), 'long')} {texts.format_time(local.time(), 'short')}"


def percent(texts: Localizer, done: int, total: int) -> str:
    return format_percent(done / total, locale=texts.babel_locale) if total else "-"


def disposition_text(texts: Localizer, disposition: str | None) -> str:
    if disposition and texts.has(f"end.{disposition}.title"):
        return texts.text(f"end.{disposition}.title")
    return disposition or "-"


def activity_label(texts: Localizer, plan: Plan, index: int) -> str:
    activity = plan.activities[index]
    own = activity.name.label(texts.language) if activity.name else None
    return own or texts.text(f"report.kind.{activity.kind}")


def done_text(texts: Localizer, value: str | None) -> str:
    return texts.text(f"report.done.{value or 'none'}")


def trend_text(texts: Localizer, value: str | None) -> str:
    key = f"report.trend.{value}"
    return texts.text(key) if value and texts.has(key) else texts.text("report.value.none")


def yes_no_text(texts: Localizer, value: bool | None) -> str:
    if value is None:
        return texts.text("report.value.none")
    return texts.text("report.value.yes" if value else "report.value.no")


# --- HTML ---------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: system-ui, "Segoe UI", Arial, sans-serif; font-size: 11pt; line-height: 1.45;
       color: #111; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem;
  border-bottom: 1px solid #888; } h3 { font-size: 1rem; margin-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #999; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; }
.muted { color: #444; } .alert { border: 2px solid #a00; padding: .4rem .6rem; }
svg { max-width: 100%; height: auto; } .bar-done { fill: #1f5fa8; } .bar-partly { fill: #7aa6d6; }
.bar-outline { fill: none; stroke: #1f5fa8; stroke-width: 1.5; } .axis { stroke: #333; }
svg text { font-size: 10px; fill: #111; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } h2 { break-after: avoid; }
  table, figure, section.keep { break-inside: avoid; } th { background: #eee !important;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def esc(value: object) -> str:
    """Stored text for HTML: escaped, and no control or bidi character to reorder it."""
    return html.escape(visible(str(value)), quote=True)


def html_page(texts: Localizer, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(texts.locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[tuple[str, bool]]], id_: str) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if num else f"<td>{esc(c)}</td>" for c, num in row
        )
        + "</tr>\n"
        for row in rows
    )
    return (
        f'<table id="{esc(id_)}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>\n</table>\n"
    )


def quota_chart(data: ReportData, index: int) -> str:
    """Inline SVG bars: the quota at each check-in; filled when done, half when partly."""
    t = data.texts
    assert data.plan is not None
    points = [(c, c.quotas[index]) for c in data.checkins if len(c.quotas) > index]
    if not points:
        return ""
    width_each, height, top, bottom = 18, 120, 10, 22
    highest = max(q for _, q in points) or 1
    width = 30 + width_each * len(points)
    label = f"{activity_label(t, data.plan, index)}: {t.text('report.quota.chart')}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} '
        f'{height + top + bottom}" width="{width}" height="{height + top + bottom}" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>',
        f'<line class="axis" x1="28" y1="{top + height}" x2="{width}" y2="{top + height}"/>',
        f'<text x="0" y="{top + 8}">{esc(t.format_number(highest))}</text>',
    ]
    for n, (checkin, quota) in enumerate(points):
        x = 30 + n * width_each
        h = round(height * quota / highest)
        y = top + height - h
        parts.append(
            f'<rect class="bar-outline" x="{x}" y="{y}" width="{width_each - 4}" height="{h}">'
            f"<title>{esc(t.format_date(checkin.at.date(), 'short'))}: "
            f"{esc(t.format_number(quota))} - {esc(done_text(t, checkin.quota_done))}"
            "</title></rect>"
        )
        if checkin.quota_done == "done":
            parts.append(
                f'<rect class="bar-done" x="{x}" y="{y}" width="{width_each - 4}" height="{h}"/>'
            )
        elif checkin.quota_done == "partly":
            parts.append(
                f'<rect class="bar-partly" x="{x}" y="{y + h - h // 2}" width="{width_each - 4}" '
                f'height="{h // 2}"/>'
            )
        if checkin.day is not None:
            parts.append(
                f'<text x="{x}" y="{top + height + 14}">{esc(t.format_number(checkin.day))}</text>'
            )
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>\n"


def _answers_table(t: Localizer, answers: Sequence[ShownAnswer], id_: str) -> str:
    return _table(
        [t.text("report.col.question"), t.text("report.col.answer")],
        [[(a.question, False), (a.shown, False)] for a in answers],
        id_,
    )


def render_html(data: ReportData) -> str:
    t = data.texts
    out: list[str] = [
        f"<h1>{esc(t.text('report.title'))}</h1>\n",
        f'<p class="muted">{esc(t.text("report.made_on", date=t.format_date(data.made_on)))}</p>\n',
        f"<p>{esc(t.text('report.about'))}</p>\n",
    ]
    out.append(f'<section id="plan"><h2>{esc(t.text("report.plan.heading"))}</h2>\n')
    out += [f"<p>{esc(line)}</p>\n" for line in plan_lines(data)[:1]]
    if data.plan is not None:
        out += [f"<p>{esc(line)}</p>\n" for line in plan_lines(data)[1:]]
        for index in range(len(data.plan.activities)):
            out.append(f"<h3>{esc(activity_label(t, data.plan, index))}</h3>\n")
            out += [f"<p>{esc(line)}</p>\n" for line in activity_lines(t, data.plan, index)]
    out.append("</section>\n")

    out.append(f'<section id="quota"><h2>{esc(t.text("report.quota.heading"))}</h2>\n')
    out.append(
        '<p id="checkin-count">'
        f"{esc(t.text('report.checkins.count', count=t.format_number(len(data.checkins))))}</p>\n"
    )
    if data.plan is not None:
        for index in range(len(data.plan.activities)):
            out.append(f"<h3>{esc(activity_label(t, data.plan, index))}</h3>\n")
            out.append(quota_chart(data, index))
            out.append(_table(*quota_table(data, index), f"quota-{index + 1}"))
    out.append("</section>\n")

    out.append(f'<section id="adherence"><h2>{esc(t.text("report.adherence.heading"))}</h2>\n')
    out.append(f'<p id="adherence-text">{esc(adherence_line(data))}</p>\n</section>\n')

    out.append(f'<section id="pain"><h2>{esc(t.text("report.pain.heading"))}</h2>\n')
    out.append(_table(*pain_table(data), "pain-table"))
    out.append("</section>\n")

    out.append(f'<section id="answers"><h2>{esc(t.text("report.answers.heading"))}</h2>\n')
    for n, checkin in enumerate(data.checkins, 1):
        out.append(f"<h3>{esc(checkin_title(t, checkin))}</h3>\n")
        out.append(_answers_table(t, checkin.answers, f"checkin-{n}"))
    out.append("</section>\n")

    out.append(f'<section id="milestones"><h2>{esc(t.text("report.milestones.heading"))}</h2>\n')
    out.append(f"<p>{esc(t.text('report.milestones.about'))}</p>\n<ul>\n")
    out += [f"<li>{esc(line)}</li>\n" for line in milestone_lines(data)]
    out.append("</ul>\n")
    given = [c for c in data.checkins if c.advice]
    if not given:
        out.append(f"<p>{esc(t.text('report.advice.none'))}</p>\n")
    for checkin in given:
        out.append(
            "<h3>"
            f"{esc(t.text('report.advice.given', date=t.format_date(checkin.at.date())))}</h3>\n"
        )
        for advice in checkin.advice:
            out.append(f'<div class="advice" data-rule="{esc(advice.rule)}">\n')
            out += [f"<p>{esc(m)}</p>\n" for m in advice.messages]
            out.append("</div>\n")
    out.append("</section>\n")

    out.append(f'<section id="screens"><h2>{esc(t.text("report.screens.heading"))}</h2>\n')
    if not data.screens:
        out.append(f"<p>{esc(t.text('report.screens.none'))}</p>\n")
    for n, screen in enumerate(data.screens, 1):
        out.append(f'<section class="keep screen" data-flow="{esc(screen.flow_id)}">\n')
        out.append(f"<h3>{esc(screen_title(t, screen))}</h3>\n")
        out.append(
            "<p>"
            + esc(
                t.text("report.screen.result", disposition=disposition_text(t, screen.disposition))
            )
            + "</p>\n"
        )
        out.append(_answers_table(t, screen.answers, f"screen-{n}"))
        out.append("</section>\n")
    out.append("</section>\n")

    out.append(f'<section id="escalations"><h2>{esc(t.text("report.escalations.heading"))}</h2>\n')
    if not data.escalations:
        out.append(f"<p>{esc(t.text('report.escalations.none'))}</p>\n")
    else:
        out.append('<ul class="alert">\n')
        out += [
            f'<li class="escalation" data-disposition="{esc(e.disposition)}">'
            f"{esc(escalation_line(t, e))}</li>\n"
            for e in data.escalations
        ]
        out.append("</ul>\n")
    out.append("</section>\n")
    return html_page(t, t.text("report.title"), "".join(out))


# --- the texts both formats share -----------------------------------------------------------------


def plan_lines(data: ReportData) -> list[str]:
    t, plan = data.texts, data.plan
    if plan is None:
        return [t.text("report.plan.none")]
    lines = [
        t.text("report.plan.principle"),
        t.text("report.plan.start", date=t.format_date(plan.start)),
    ]
    if plan.review:
        lines.append(t.text("report.plan.review", date=t.format_date(plan.review)))
    if plan.therapist:
        lines.append(t.text("report.plan.therapist", name=plan.therapist.name))
        if plan.therapist.contact:
            lines.append(t.text("report.plan.contact", contact=plan.therapist.contact))
    return lines


def activity_lines(t: Localizer, plan: Plan, index: int) -> list[str]:
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
        lines.append(
            t.text("report.plan.times_per_day", count=t.format_number(activity.times_per_day))
        )
    lines.append(t.text("report.plan.goal_day", date=t.format_date(goal_day(plan, index))))
    instruction = activity.instruction.label(t.language) if activity.instruction else None
    if instruction:
        lines.append(instruction)
    return lines


Rows = list[list[tuple[str, bool]]]


def quota_table(data: ReportData, index: int) -> tuple[list[str], Rows]:
    t = data.texts
    headers = [
        t.text(k)
        for k in ("report.col.date", "report.col.day", "report.col.quota", "report.col.done")
    ]
    rows: Rows = [
        [
            (t.format_date(c.at.date(), "medium"), False),
            (t.format_number(c.day) if c.day is not None else "-", True),
            (t.format_number(c.quotas[index]), True),
            (done_text(t, c.quota_done), False),
        ]
        for c in data.checkins
        if len(c.quotas) > index
    ]
    return headers, rows


def pain_table(data: ReportData) -> tuple[list[str], Rows]:
    t = data.texts
    headers = [
        t.text(k)
        for k in (
            "report.col.date",
            "report.col.day",
            "report.col.pain",
            "report.col.trend",
            "report.col.daily",
        )
    ]
    rows: Rows = [
        [
            (t.format_date(c.at.date(), "medium"), False),
            (t.format_number(c.day) if c.day is not None else "-", True),
            (t.format_number(c.pain_now) if c.pain_now is not None else "-", True),
            (trend_text(t, c.pain_trend), False),
            (yes_no_text(t, c.daily_activities_resumed), False),
        ]
        for c in data.checkins
    ]
    return headers, rows


def adherence_line(data: ReportData) -> str:
    t = data.texts
    done, total = data.adherence
    if not total:
        return t.text("report.adherence.none")
    return t.text(
        "report.adherence.text",
        done=t.format_number(done),
        total=t.format_number(total),
        percent=percent(t, done, total),
    )


def milestone_lines(data: ReportData) -> list[str]:
    t = data.texts
    if not data.milestones:
        return [t.text("report.milestone.none")]
    return [
        t.text("report.milestone.passed", day=t.format_number(day), date=t.format_date(on))
        for day, on in data.milestones
    ]


def checkin_title(t: Localizer, checkin: CheckIn) -> str:
    day = t.format_number(checkin.day) if checkin.day is not None else "-"
    return t.text("report.checkin.title", datetime=when(t, checkin.at), day=day)


def screen_title(t: Localizer, screen: Screen) -> str:
    key = "report.screen.triage" if screen.flow_id == TRIAGE else "report.screen.checkin"
    return t.text(key, datetime=when(t, screen.at))


def escalation_line(t: Localizer, screen: Screen) -> str:
    return t.text(
        "report.escalation.item",
        datetime=when(t, screen.at),
        disposition=disposition_text(t, screen.disposition),
    )


# --- Markdown ----------------------------------------------------------------------


def md(value: object) -> str:
    """A stored string made safe for Markdown: HTML-escaped, table pipes and markup escaped."""
    text = html.escape(visible(str(value)), quote=False).replace("\n", " ")
    for char in "\\`*_[]|#":
        text = text.replace(char, "\\" + char)
    return text


def md_table(headers: Sequence[str], rows: Rows) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headers) + " |"]
    lines.append(
        "|"
        + "|".join("---:" if rows and rows[0][i][1] else "---" for i in range(len(headers)))
        + "|"
    )
    lines += ["| " + " | ".join(md(c) for c, _ in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(data: ReportData) -> str:
    t = data.texts
    out = [
        f"# {md(t.text('report.title'))}",
        "",
        md(t.text("report.made_on", date=t.format_date(data.made_on))),
        "",
    ]
    out += [md(t.text("report.about")), "", f"## {md(t.text('report.plan.heading'))}", ""]
    out += [line for text in plan_lines(data) for line in (md(text), "")]
    if data.plan is not None:
        for index in range(len(data.plan.activities)):
            out += [f"### {md(activity_label(t, data.plan, index))}", ""]
            out += [line for text in activity_lines(t, data.plan, index) for line in (md(text), "")]
    out += [f"## {md(t.text('report.quota.heading'))}", ""]
    out += [md(t.text("report.checkins.count", count=t.format_number(len(data.checkins)))), ""]
    if data.plan is not None:
        for index in range(len(data.plan.activities)):
            out += [f"### {md(activity_label(t, data.plan, index))}", ""]
            out += md_table(*quota_table(data, index))
    out += [f"## {md(t.text('report.adherence.heading'))}", "", md(adherence_line(data)), ""]
    out += [f"## {md(t.text('report.pain.heading'))}", ""]
    out += md_table(*pain_table(data))
    out += [f"## {md(t.text('report.answers.heading'))}", ""]
    cols = [t.text("report.col.question"), t.text("report.col.answer")]
    for checkin in data.checkins:
        out += [f"### {md(checkin_title(t, checkin))}", ""]
        out += md_table(cols, [[(a.question, False), (a.shown, False)] for a in checkin.answers])
    out += [
        f"## {md(t.text('report.milestones.heading'))}",
        "",
        md(t.text("report.milestones.about")),
        "",
    ]
    out += [f"- {md(line)}" for line in milestone_lines(data)] + [""]
    given = [c for c in data.checkins if c.advice]
    if not given:
        out += [md(t.text("report.advice.none")), ""]
    for checkin in given:
        out += [
            f"### {md(t.text('report.advice.given', date=t.format_date(checkin.at.date())))}",
            "",
        ]
        out += [line for advice in checkin.advice for m in advice.messages for line in (md(m), "")]
    out += [f"## {md(t.text('report.screens.heading'))}", ""]
    if not data.screens:
        out += [md(t.text("report.screens.none")), ""]
    for screen in data.screens:
        out += [f"### {md(screen_title(t, screen))}", ""]
        out += [
            md(t.text("report.screen.result", disposition=disposition_text(t, screen.disposition))),
            "",
        ]
        out += md_table(cols, [[(a.question, False), (a.shown, False)] for a in screen.answers])
    out += [f"## {md(t.text('report.escalations.heading'))}", ""]
    if not data.escalations:
        out += [md(t.text("report.escalations.none")), ""]
    out += [f"- **{md(escalation_line(t, e))}**" for e in data.escalations]
    return "\n".join(out).rstrip() + "\n"


# --- the command line --------------------------------------------------------------


def add_report_command(commands: Any, add_data_dir: Callable[[Any], None]) -> None:
    """``companion report`` (called by :func:`companion.cli.build_parser`)."""
    report = commands.add_parser(
        "report", help="write a progress report (HTML or Markdown), or a summary for the GP"
    )
    report.add_argument("--out", type=Path, metavar="FILE", required=True, help="the file to write")
    report.add_argument(
        "--format", choices=("html", "md"), default=None, help="html (default) or md (Markdown)"
    )
    report.add_argument(
        "--lang", dest="report_lang", metavar="LANG", help="nl or fr (default: your language)"
    )
    report.add_argument(
        "--gp-summary", action="store_true", help="one page for the GP after an urgent advice"
    )
    add_data_dir(report)


def open_texts(
    library: Library, store: Store, language: str | None, region: str | None = None
) -> Localizer:
    """The report's language: ``language``, else the patient's; the region given, else the
    patient's when the language is theirs."""
    settings = store.settings()
    language = language or settings.get("language") or "nl"
    if region is None and settings.get("language") == language:
        region = settings.get("region")
    return library.content.localizer(language, region)


def write_report(
    store: Store,
    library: Library,
    out: Path,
    language: str | None = None,
    fmt: str | None = None,
    gp_summary: bool = False,
    region: str | None = None,
) -> bool:
    """Writes the report (or the GP summary) to ``out`` (0600); False when there is nothing
    to summarise for the GP."""
    from companion.store.storage import write_private

    texts = open_texts(library, store, language, region)
    fmt = fmt or ("md" if out.suffix.lower() in (".md", ".markdown") else "html")
    today = store.clock.today()
    if gp_summary:
        from companion.reports.gp_summary import collect_summary, summary_html, summary_markdown

        summary = collect_summary(store, library, texts, today)
        if summary is None:
            return False
        text = summary_markdown(summary) if fmt == "md" else summary_html(summary)
    else:
        data = collect(store, library, texts, today)
        text = render_markdown(data) if fmt == "md" else render_html(data)
    write_private(out, text)
    return True


def run_report_command(args: Any) -> int:
    import sys

    from companion.clock import Clock, FixedClock, SystemClock
    from companion.commands.messages import message_languages, say, say_failure
    from companion.resources import load_library
    from companion.store import open_store
    from companion.store.storage import CANNOT_WRITE, StorageError

    try:
        library = load_library(args.flows, args.content)
    except Exception as err:  # flows or content that do not load
        print(f"companion report: {err}", file=sys.stderr)
        return 2
    clock: Clock = SystemClock() if args.today is None else FixedClock(args.today)
    languages = message_languages(args.report_lang, args.data_dir)
    try:
        store = open_store(args.data_dir, clock=clock, for_reading=True)
    except StorageError as err:
        say_failure(languages, "companion report", err)
        return 1
    with store:
        try:
            texts = open_texts(library, store, args.report_lang, args.region)
            written = write_report(
                store, library, args.out, texts.language, args.format, args.gp_summary, texts.region
            )
        except ContentError as err:
            print(f"companion report: {err}", file=sys.stderr)
            return 1
        except OSError as err:
            reason = err.strerror or str(err)
            say_failure(
                languages,
                "companion report",
                StorageError(CANNOT_WRITE, path=args.out, reason=reason),
            )
            return 1
        if not written:
            print(texts.text("gp.none"))
            return 1
    say([texts.language], WROTE, error=True, path=args.out)
    return 0
