"""The progress report's sections, described once: :func:`report_document` turns the collected
:class:`~companion.reports.data.ReportData` into a :class:`~companion.reports.blocks.Document`
that :mod:`~companion.reports.html` and :mod:`~companion.reports.markdown` both render.

Sections, in order: the plan, the quota per check-in (chart and table, per plan and activity),
adherence (overall and per activity), pain, what the patient can do again (function ratings per
named activity) and painkillers per week, the check-in answers, milestones and advice, the
red-flag screens, and escalations. When the pain came back (more than one episode), an overview
of the episodes comes first, then these sections once per episode, oldest first, and last the
screens that belong to no episode yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from companion.journey.journey import TRIAGE
from companion.reports.blocks import (
    Bar,
    BarChart,
    Block,
    BulletList,
    Document,
    Group,
    Heading,
    Item,
    Paragraph,
    Row,
    Section,
    Table,
)
from companion.reports.data import (
    ActivityAdherence,
    CheckIn,
    EpisodePart,
    FunctionTrend,
    MedicineWeek,
    PlanPeriod,
    ReportData,
    Screen,
    ShownAnswer,
)
from companion.reports.wording import (
    activity_label,
    activity_lines,
    disposition_text,
    done_text,
    local_moment,
    number_or_dash,
    percent,
    plan_lines,
    trend_text,
    when,
    yes_no_text,
)
from companion.texts.content import Localizer


def report_document(data: ReportData) -> Document:
    t = data.texts
    blocks: list[Block] = [
        Heading(1, t.text("report.title")),
        Paragraph(
            t.text("report.made_on", date=t.format_date(data.made_on)), (("class", "muted"),)
        ),
        Paragraph(t.text("report.about")),
    ]
    if len(data.episodes) > 1:
        blocks += _by_episode(data)
    else:
        blocks += _progress(data)
    return Document(t.text("report.title"), t.locale, blocks)


def _progress(data: ReportData) -> list[Block]:
    return [
        _plan(data),
        _quota(data),
        _adherence(data),
        _pain(data),
        _function(data),
        _medicine(data),
        _answers(data),
        _milestones(data),
        _screens(data),
        _escalations(data),
    ]


def _by_episode(data: ReportData) -> list[Block]:
    """The overview, then each episode's own sections (ids made unique per episode)."""
    t = data.texts
    blocks: list[Block] = [_episode_overview(data)]
    for part in data.episodes:
        heading = t.text("report.episode.title", count=t.format_number(part.number))
        inner: list[Block] = [Paragraph(line) for line in _episode_lines(t, part)]
        inner += _progress(data.of_episode(part))
        attrs = (("id", f"episode-{part.number}"), ("class", "episode"))
        blocks.append(Section(_suffixed(inner, f"-{part.number}"), heading, attrs))
    pending = data.of_episode(None)
    if pending.screens:  # a screen after the pain came back that started no episode yet
        after = _suffixed([_screens(pending), _escalations(pending)], "-new")
        blocks.append(Section(after, t.text("report.episodes.after"), (("id", "episode-new"),)))
    return blocks


def _episode_overview(data: ReportData) -> Section:
    t = data.texts
    headers = [
        t.text(k)
        for k in ("report.col.episode", "report.col.onset", "report.col.ended", "report.col.helped")
    ]
    rows = [
        Row(
            [
                (t.format_number(part.number), True),
                (t.format_date(part.onset, "medium"), False),
                (t.format_date(part.ended, "medium") if part.ended else "-", False),
                (part.what_helped or "-", False),
            ]
        )
        for part in data.episodes
    ]
    blocks: list[Block] = [
        Paragraph(t.text("report.episodes.about")),
        Table(headers, rows, (("id", "episode-table"),)),
    ]
    return _section("episodes", t.text("report.episodes.heading"), blocks)


def _episode_lines(t: Localizer, part: EpisodePart) -> list[str]:
    lines = [t.text("report.episode.onset", date=t.format_date(part.onset))]
    if part.ended is not None:
        lines.append(t.text("report.episode.ended", date=t.format_date(part.ended)))
    else:
        lines.append(t.text("report.episode.running"))
    if part.what_helped is not None:
        lines.append(t.text("report.episode.helped", name=part.what_helped))
    return lines


def _suffixed(blocks: Sequence[Block], suffix: str) -> list[Block]:
    """The same blocks with ``suffix`` after every ``id``: one page may hold several episodes."""
    return [_suffix_block(block, suffix) for block in blocks]


def _suffix_block(block: Block, suffix: str) -> Block:
    if isinstance(block, Section | Group):
        block = replace(block, blocks=_suffixed(block.blocks, suffix))
    if isinstance(block, Section | Group | Paragraph | Table):
        attrs = tuple((k, v + suffix if k == "id" else v) for k, v in block.attrs)
        block = replace(block, attrs=attrs)
    return block


def _section(id_: str, heading: str, blocks: Sequence[Block]) -> Section:
    return Section(blocks, heading, (("id", id_),))


def answers_table(t: Localizer, answers: Sequence[ShownAnswer], id_: str) -> Table:
    """Questions and answers in two columns."""
    return Table(
        [t.text("report.col.question"), t.text("report.col.answer")],
        [Row([(a.question, False), (a.shown, False)]) for a in answers],
        (("id", id_),),
    )


def _plan(data: ReportData) -> Section:
    t, plan = data.texts, data.plan
    blocks: list[Block] = [Paragraph(line) for line in plan_lines(t, plan)]
    if plan is not None:
        for index in range(len(plan.activities)):
            blocks.append(Heading(3, activity_label(t, plan, index)))
            blocks += [Paragraph(line) for line in activity_lines(t, plan, index)]
    return _section("plan", t.text("report.plan.heading"), blocks)


def _quota(data: ReportData) -> Section:
    """Per plan (each under its own heading), each activity's day goals at the check-ins made
    while that plan was current, with that activity's own "done?" answer."""
    t = data.texts
    count = t.text("report.checkins.count", count=t.format_number(len(data.checkins)))
    blocks: list[Block] = [Paragraph(count, (("id", "checkin-count"),))]
    for period in _periods_shown(data):
        checkins = data.checkins_under(period)
        blocks.append(Heading(3, plan_heading(t, period)))
        for index in range(len(period.plan.activities)):
            blocks += [
                Heading(4, activity_label(t, period.plan, index)),
                _quota_chart(t, period, checkins, index),
                _quota_table(t, checkins, index, _table_id(data, period, index)),
            ]
    return _section("quota", t.text("report.quota.heading"), blocks)


def _periods_shown(data: ReportData) -> list[PlanPeriod]:
    """The plans that had check-ins, and the current plan."""
    current = data.plans[-1] if data.plans else None
    return [p for p in data.plans if p is current or data.checkins_under(p)]


def _table_id(data: ReportData, period: PlanPeriod, index: int) -> str:
    """``quota-N`` for the current plan's activity N; ``quota-plan{P}-N`` for an earlier plan."""
    if period is data.plans[-1]:
        return f"quota-{index + 1}"
    return f"quota-plan{period.number}-{index + 1}"


def plan_heading(t: Localizer, period: PlanPeriod) -> str:
    """ "Plan 2, from 16 March 2026": which plan, from the day it became current."""
    return t.text(
        "report.quota.plan",
        number=t.format_number(period.number),
        date=t.format_date(local_moment(t, period.since).date(), "long"),
    )


def _quota_chart(
    t: Localizer, period: PlanPeriod, checkins: Sequence[CheckIn], index: int
) -> BarChart:
    """The quota at each check-in; the title of each bar says its date, quota and whether done."""
    points = [(c, c.quotas[index]) for c in checkins if len(c.quotas) > index]
    highest = max((q for _, q in points), default=0) or 1
    bars = [
        Bar(
            quota=quota,
            title=f"{t.format_date(c.at.date(), 'short')}: {t.format_number(quota)} - "
            f"{done_text(t, c.done_of(index))}",
            done=c.done_of(index) if c.done_of(index) in ("done", "partly") else None,
            label=t.format_number(c.day) if c.day is not None else None,
        )
        for c, quota in points
    ]
    label = f"{activity_label(t, period.plan, index)}: {t.text('report.quota.chart')}"
    return BarChart(label, t.format_number(highest), bars)


def _quota_table(t: Localizer, checkins: Sequence[CheckIn], index: int, id_: str) -> Table:
    headers = [
        t.text(k)
        for k in ("report.col.date", "report.col.day", "report.col.quota", "report.col.done")
    ]
    rows = [
        Row(
            [
                (t.format_date(c.at.date(), "medium"), False),
                (number_or_dash(t, c.day), True),
                (t.format_number(c.quotas[index]), True),
                (done_text(t, c.done_of(index)), False),
            ]
        )
        for c in checkins
        if len(c.quotas) > index
    ]
    return Table(headers, rows, (("id", id_),))


def _adherence(data: ReportData) -> Section:
    t = data.texts
    done, total = data.adherence
    if not total:
        line = t.text("report.adherence.none")
    else:
        line = t.text(
            "report.adherence.text",
            done=t.format_number(done),
            total=t.format_number(total),
            percent=percent(t, done, total),
        )
    blocks: list[Block] = [Paragraph(line, (("id", "adherence-text"),))]
    records = data.activity_adherence()
    for period in data.plans:
        mine = [r for r in records if r.plan is period]
        if mine:
            blocks += [Heading(3, plan_heading(t, period)), _adherence_table(t, period, mine)]
    return _section("adherence", t.text("report.adherence.heading"), blocks)


def _adherence_table(
    t: Localizer, period: PlanPeriod, records: Sequence[ActivityAdherence]
) -> Table:
    """Per activity: on how many days it was asked, and how often done, partly or not."""
    headers = [
        t.text(k)
        for k in (
            "report.col.activity",
            "report.col.asked",
            "report.done.done",
            "report.done.partly",
            "report.done.not",
            "report.col.done_or_partly",
        )
    ]
    rows = [
        Row(
            [
                (r.name, False),
                (t.format_number(r.days_asked), True),
                (t.format_number(r.done), True),
                (t.format_number(r.partly), True),
                (t.format_number(r.not_done), True),
                (percent(t, r.done_or_partly, r.days_asked), True),
            ]
        )
        for r in records
    ]
    return Table(headers, rows, (("id", f"adherence-plan{period.number}"),))


def _pain(data: ReportData) -> Section:
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
    rows = [
        Row(
            [
                (t.format_date(c.at.date(), "medium"), False),
                (number_or_dash(t, c.day), True),
                (number_or_dash(t, c.pain_now), True),
                (trend_text(t, c.pain_trend), False),
                (yes_no_text(t, c.daily_activities_resumed), False),
            ]
        )
        for c in data.checkins
    ]
    table = Table(headers, rows, (("id", "pain-table"),))
    return _section("pain", t.text("report.pain.heading"), [table])


def _function(data: ReportData) -> Section:
    t = data.texts
    if not data.function:
        blocks: list[Block] = [Paragraph(t.text("report.function.none"))]
        return _section("function", t.text("report.function.heading"), blocks)
    blocks = [Paragraph(t.text("report.function.about"))]
    for trend in data.function:
        blocks += [Heading(3, trend.activity), _function_table(t, trend)]
        if trend.change is not None:
            first, latest = trend.scores[0], trend.scores[-1]
            blocks.append(Paragraph(t.text("report.function.change", first=first, latest=latest)))
    return _section("function", t.text("report.function.heading"), blocks)


def _function_table(t: Localizer, trend: FunctionTrend) -> Table:
    headers = [t.text(k) for k in ("report.col.date", "report.col.day", "report.col.score")]
    rows = [
        Row(
            [
                (t.format_date(r.at.date(), "medium"), False),
                (t.text("report.function.start") if n == 0 else number_or_dash(t, r.day), n > 0),
                (number_or_dash(t, r.score), True),
            ]
        )
        for n, r in enumerate(trend.ratings)
    ]
    return Table(headers, rows, (("id", f"function-{trend.slot}"),))


def _medicine(data: ReportData) -> Section:
    t = data.texts
    heading = t.text("report.medicine.heading")
    if not data.medicine:
        return _section("medicine", heading, [Paragraph(t.text("report.medicine.none"))])
    headers = [
        t.text(k)
        for k in (
            "report.col.date",
            "report.col.day",
            "report.col.painkillers",
            "report.col.painkiller_days",
        )
    ]
    rows = [
        Row(
            [
                (t.format_date(week.at.date(), "medium"), False),
                (number_or_dash(t, week.day), True),
                (painkillers_text(t, week), False),
                (number_or_dash(t, week.days), True),
            ]
        )
        for week in data.medicine
    ]
    table = Table(headers, rows, (("id", "medicine-table"),))
    return _section("medicine", heading, [Paragraph(t.text("report.medicine.about")), table])


def painkillers_text(t: Localizer, week: MedicineWeek) -> str:
    """Which painkillers, in words: the kinds taken, those not sure, or none."""
    parts = [t.text(f"report.painkiller.{kind}") for kind in week.kinds]
    if week.unsure:
        kinds = ", ".join(t.text(f"report.painkiller.{kind}") for kind in week.unsure)
        parts.append(t.text("report.painkiller.unsure", kinds=kinds))
    if parts:
        return ", ".join(parts)
    if week.took_any is False:
        return t.text("report.painkiller.none")
    return t.text("report.value.unknown")


def checkin_title(t: Localizer, checkin: CheckIn) -> str:
    return t.text(
        "report.checkin.title", datetime=when(t, checkin.at), day=number_or_dash(t, checkin.day)
    )


def _answers(data: ReportData) -> Section:
    t = data.texts
    blocks: list[Block] = []
    for n, checkin in enumerate(data.checkins, 1):
        blocks += [
            Heading(3, checkin_title(t, checkin)),
            answers_table(t, checkin.answers, f"checkin-{n}"),
        ]
    return _section("answers", t.text("report.answers.heading"), blocks)


def _milestones(data: ReportData) -> Section:
    t = data.texts
    if data.milestones:
        lines = [
            t.text("report.milestone.passed", day=t.format_number(day), date=t.format_date(on))
            for day, on in data.milestones
        ]
    else:
        lines = [t.text("report.milestone.none")]
    blocks: list[Block] = [
        Paragraph(t.text("report.milestones.about")),
        BulletList([Item(line) for line in lines]),
    ]
    blocks += advice_blocks(data, "report.advice.none", "report.advice.given")
    return _section("milestones", t.text("report.milestones.heading"), blocks)


def advice_blocks(data: ReportData, none_key: str, given_key: str) -> list[Block]:
    """The advice of each check-in under its date, in the words the patient read (or
    ``none_key`` when there was none); the two reports word the headings their own way."""
    t = data.texts
    given = [c for c in data.checkins if c.advice]
    if not given:
        return [Paragraph(t.text(none_key))]
    blocks: list[Block] = []
    for checkin in given:
        blocks.append(Heading(3, t.text(given_key, date=t.format_date(checkin.at.date()))))
        blocks += [
            Group(
                [Paragraph(m) for m in advice.messages],
                (("class", "advice"), ("data-rule", advice.rule)),
            )
            for advice in checkin.advice
        ]
    return blocks


def screen_title(t: Localizer, screen: Screen) -> str:
    key = "report.screen.triage" if screen.flow_id == TRIAGE else "report.screen.checkin"
    return t.text(key, datetime=when(t, screen.at))


def _screens(data: ReportData) -> Section:
    t = data.texts
    blocks: list[Block] = []
    if not data.screens:
        blocks.append(Paragraph(t.text("report.screens.none")))
    for n, screen in enumerate(data.screens, 1):
        result = t.text("report.screen.result", disposition=disposition_text(t, screen.disposition))
        shown: list[Block] = [
            Heading(3, screen_title(t, screen)),
            Paragraph(result),
            answers_table(t, screen.answers, f"screen-{n}"),
        ]
        blocks.append(
            Section(shown, None, (("class", "keep screen"), ("data-flow", screen.flow_id)))
        )
    return _section("screens", t.text("report.screens.heading"), blocks)


def escalation_line(t: Localizer, screen: Screen) -> str:
    return t.text(
        "report.escalation.item",
        datetime=when(t, screen.at),
        disposition=disposition_text(t, screen.disposition),
    )


def _escalations(data: ReportData) -> Section:
    t = data.texts
    blocks: list[Block]
    if not data.escalations:
        blocks = [Paragraph(t.text("report.escalations.none"))]
    else:
        items = [
            Item(
                escalation_line(t, e),
                (("class", "escalation"), ("data-disposition", str(e.disposition))),
            )
            for e in data.escalations
        ]
        blocks = [BulletList(items, alert=True)]
    return _section("escalations", t.text("report.escalations.heading"), blocks)
