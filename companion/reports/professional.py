"""The professional's report (``companion report --for professional``): for a physiotherapist
or GP, about the patient in the third person.

A summary first (open escalations above everything else, then where the patient stands, adherence
per activity, pain and function trends, advice given), then the details
(:mod:`companion.reports.professional_details`). Texts are ``pro.*`` keys in
``content/<lang>/professional.yaml``; every string goes through the renderers' escaping.

:func:`collect_professional` gives the data and the typed summary; :func:`professional_document`
lays them out. The front door for a practice server is
:func:`companion.reports.report.professional_report` (one store, no command line).
"""

from __future__ import annotations

from datetime import date

from companion.journey.journey import SCREENS, Journey
from companion.journey.standing import contacted_sessions, standing_escalation
from companion.journey.support_level import current_support
from companion.reports.blocks import (
    Block,
    BulletList,
    Cell,
    Document,
    Heading,
    Item,
    Paragraph,
    Row,
    Section,
    Table,
)
from companion.reports.data import MILESTONE_RULE, ReportData, collect
from companion.reports.professional_details import (
    detail_sections,
    escalation_group,
)
from companion.reports.professional_summary import (
    AdherenceRow,
    JourneyFacts,
    ProfessionalSummary,
    Trend,
    current_episode,
    summarise,
)
from companion.reports.sections import painkillers_text
from companion.reports.support_summary import support_lines
from companion.reports.wording import activity_label, number_or_dash, percent
from companion.resources import Library
from companion.store.protocol import Store
from companion.texts.content import Localizer


def collect_professional(
    store: Store, library: Library, texts: Localizer, today: date
) -> tuple[ReportData, ProfessionalSummary]:
    """The latest episode's data (:func:`current_episode`) and the summary, from the store."""
    data = collect(store, library, texts, today)
    summary = summarise(data, library, journey_facts(store, library, texts))
    return current_episode(data), summary


def journey_facts(store: Store, library: Library, texts: Localizer) -> JourneyFacts:
    """What the journey knows that the stored screens do not say by themselves."""
    journey = Journey(library, store, store.clock, texts.language, texts.region)
    standing = standing_escalation(store, store.latest_finished(SCREENS))
    placed = current_support(store)
    return JourneyFacts(
        onset=journey.onset(),
        plan_paused=journey.today().paused,
        contacted=frozenset(contacted_sessions(store)),
        standing=standing.session_key if standing is not None else None,
        support_level=placed.support.level if placed is not None else None,
        support_lines=tuple(support_lines(placed, library, texts)) if placed else (),
    )


def professional_document(data: ReportData, summary: ProfessionalSummary) -> Document:
    t = data.texts
    blocks: list[Block] = [
        Heading(1, t.text("pro.title")),
        Paragraph(
            t.text("report.made_on", date=t.format_date(summary.made_on)), (("class", "muted"),)
        ),
        Paragraph(t.text("pro.about")),
        summary_section(t, summary),
        *detail_sections(data, summary),
    ]
    return Document(t.text("pro.title"), t.locale, blocks)


def summary_section(t: Localizer, summary: ProfessionalSummary) -> Section:
    blocks: list[Block] = [
        *open_escalations(t, summary),
        *current_step(t, summary),
        *adherence(t, summary),
        *pain_and_function(t, summary),
        *support(summary),
        *advice(t, summary),
    ]
    return Section(blocks, t.text("pro.summary.heading"), (("id", "summary"),))


# --- open escalations ---------------------------------------------------------------------


def open_escalations(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    open_ = summary.open_escalations
    blocks: list[Block] = [Heading(3, t.text("pro.open.heading"))]
    if not open_:
        return [*blocks, Paragraph(t.text("pro.open.none"), (("id", "open-none"),))]
    groups = [escalation_group(t, e, f"open-{n}") for n, e in enumerate(open_, 1)]
    return [*blocks, Section(groups, None, (("id", "open-escalations"),))]


# --- where the patient stands -------------------------------------------------------------


def current_step(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    lines = [
        *episode_lines(t, summary),
        day_line(t, summary),
        *plan_step_lines(t, summary),
        *nhg_lines(t, summary),
    ]
    return [
        Heading(3, t.text("pro.step.heading")),
        Section([Paragraph(line) for line in lines], None, (("id", "current-step"),)),
    ]


def episode_lines(t: Localizer, summary: ProfessionalSummary) -> list[str]:
    """Which episode this is when the pain came back, and whether it has ended."""
    episode = summary.episode
    if episode is None:
        return []
    lines = []
    if episode.number > 1:
        lines.append(t.text("pro.episode.again", count=t.format_number(episode.number)))
    if episode.ended is not None:
        lines.append(t.text("pro.episode.ended", date=t.format_date(episode.ended)))
    return lines


def day_line(t: Localizer, summary: ProfessionalSummary) -> str:
    if summary.onset is None or summary.day is None:
        return t.text("pro.step.day_unknown")
    return t.text(
        "pro.step.day", day=t.format_number(summary.day), date=t.format_date(summary.onset)
    )


def plan_step_lines(t: Localizer, summary: ProfessionalSummary) -> list[str]:
    step = summary.plan_step
    if step is None:
        return [t.text("pro.step.plan_none")]
    start = t.format_date(step.plan.start)
    if step.week == 0:
        return [t.text("pro.step.plan_not_started", date=start)]
    lines = [t.text("pro.step.plan", week=t.format_number(step.week), date=start)]
    if step.paused:
        lines.append(t.text("pro.step.paused"))
    for activity in step.activities:
        lines.append(
            t.text(
                "pro.step.activity",
                activity=activity_label(t, step.plan, activity.index),
                step=t.format_number(activity.step),
                steps=t.format_number(activity.steps),
                quota=t.format_number(activity.quota),
                unit=t.text(f"report.unit.{activity.unit}"),
                goal=t.format_number(activity.goal),
            )
        )
    return lines


def nhg_lines(t: Localizer, summary: ProfessionalSummary) -> list[str]:
    nhg = summary.nhg
    lines = [t.text(f"pro.nhg.{nhg.step}")]
    if nhg.rule is not None and nhg.on is not None:
        milestone = MILESTONE_RULE.match(nhg.rule)
        day = t.format_number(int(milestone.group(1))) if milestone else "-"
        lines.append(t.text("pro.nhg.rule", date=t.format_date(nhg.on), day=day))
    elif nhg.step == 2:
        lines.append(t.text("pro.nhg.trend"))
    else:
        lines.append(t.text("pro.nhg.start"))
    return lines


# --- adherence, trends, advice ------------------------------------------------------------


def adherence(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    blocks: list[Block] = [Heading(3, t.text("pro.adherence.heading"))]
    rows = [row for row in summary.adherence if row.asked]
    if not rows:
        return [*blocks, Paragraph(t.text("report.adherence.none"), (("id", "adherence"),))]
    several_plans = any(row.plan is not None for row in rows)
    headers = [
        *([t.text("pro.col.plan")] if several_plans else []),
        t.text("report.col.activity"),
        t.text("pro.col.done_or_partly"),
        t.text("pro.col.asked"),
        t.text("pro.col.share"),
    ]
    table = Table(
        headers,
        [adherence_row(t, row, several_plans) for row in rows],
        (("id", "adherence-table"),),
    )
    blocks.append(Section([table], None, (("id", "adherence"),)))
    if any(row.label is None for row in rows):
        blocks.append(Paragraph(t.text("pro.adherence.whole_plan_note")))
    return blocks


def adherence_row(t: Localizer, row: AdherenceRow, several_plans: bool) -> Row:
    plan: list[Cell] = []
    if several_plans:
        since = t.format_date(row.since) if row.since is not None else "-"
        plan = [
            (t.text("report.quota.plan", number=number_or_dash(t, row.plan), date=since), False)
        ]
    return Row(
        [
            *plan,
            (row.label or t.text("pro.adherence.whole_plan"), False),
            (t.format_number(row.done), True),
            (t.format_number(row.asked), True),
            (percent(t, row.done, row.asked), True),
        ]
    )


def trend_lines(t: Localizer, trend: Trend, none_key: str = "pro.trend.none") -> list[str]:
    """The first and the latest score with date and day, and how many there are."""
    first, latest = trend.first, trend.latest
    if first is None or latest is None:
        return [t.text(none_key)]
    return [
        t.text(
            "pro.trend.first",
            value=t.format_number(first.value),
            date=t.format_date(first.on),
            day=number_or_dash(t, first.day),
        ),
        t.text(
            "pro.trend.latest",
            value=t.format_number(latest.value),
            date=t.format_date(latest.on),
            day=number_or_dash(t, latest.day),
        ),
        t.text("pro.trend.count", count=t.format_number(len(trend.points))),
    ]


def judgement_text(t: Localizer, judgement: str) -> str:
    key = f"report.trend.{judgement}"
    return t.text(key) if t.has(key) else t.text("pro.trend.unknown")


def pain_and_function(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    lines = trend_lines(t, summary.pain, "pro.pain.none")
    if summary.pain.judgement is not None:
        lines.append(
            t.text("pro.pain.judgement", trend=judgement_text(t, summary.pain.judgement).lower())
        )
    blocks: list[Block] = [
        Heading(3, t.text("pro.pain.heading")),
        Section([Paragraph(line) for line in lines], None, (("id", "pain-trend"),)),
    ]
    if summary.function:
        blocks.append(Heading(3, t.text("pro.function.heading")))
        for n, trend in enumerate(summary.function, 1):
            shown = [Paragraph(trend.label or "-", strong=True)]
            shown += [Paragraph(line) for line in trend_lines(t, trend)]
            blocks.append(Section(shown, None, (("id", f"function-trend-{n}"),)))
    return [*blocks, *medicine(t, summary)]


def support(summary: ProfessionalSummary) -> list[Block]:
    """The support level: its title, what it means, when it was placed, the answers."""
    if not summary.support_lines:
        return []
    title, *lines = summary.support_lines
    reasons = [Item(line.removeprefix("- ")) for line in lines if line.startswith("- ")]
    shown: list[Block] = [Paragraph(line) for line in lines if not line.startswith("- ")]
    if reasons:
        shown.append(BulletList(reasons))
    return [
        Heading(3, title.rstrip(" :")),
        Section(shown, None, (("id", "support"), ("data-level", str(summary.support_level)))),
    ]


def medicine(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    """The latest week's painkillers and how many weeks had any (never a dose)."""
    if not summary.medicine:
        return []
    latest = summary.medicine[-1]
    lines = [
        t.text(
            "pro.medicine.latest",
            date=t.format_date(latest.at.date()),
            kinds=painkillers_text(t, latest).lower(),
        )
    ]
    if latest.days is not None:
        lines.append(t.text("pro.medicine.days", count=t.format_number(latest.days)))
    known = [week for week in summary.medicine if week.took_any is not None]
    if known:
        taken = sum(week.took_any is True for week in known)
        lines.append(
            t.text(
                "pro.medicine.weeks",
                done=t.format_number(taken),
                total=t.format_number(len(known)),
            )
        )
    return [
        Heading(3, t.text("pro.medicine.heading")),
        Section([Paragraph(line) for line in lines], None, (("id", "medicine-summary"),)),
    ]


def advice_label(t: Localizer, advice_id: str) -> str:
    key = f"pro.advice.{advice_id}"
    return t.text(key) if t.has(key) else advice_id


def advice(t: Localizer, summary: ProfessionalSummary) -> list[Block]:
    blocks: list[Block] = [Heading(3, t.text("pro.advice.heading"))]
    if not summary.advice:
        return [*blocks, Paragraph(t.text("pro.advice.none"), (("id", "advice-summary"),))]
    items = [
        Item(
            t.text(
                "pro.advice.item",
                date=t.format_date(given.at.date()),
                day=number_or_dash(t, given.day),
                advice=advice_label(t, given.advice),
            ),
            (("data-rule", given.rule),),
        )
        for given in summary.advice
    ]
    return [*blocks, Section([BulletList(items)], None, (("id", "advice-summary"),))]
