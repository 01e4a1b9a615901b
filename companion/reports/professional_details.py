"""The details of the professional's report, after its summary: every escalation and what the
patient reported doing about it, the red-flag screens condensed to what was not a plain "no",
the advice with the texts the patient read, the milestones, the plan, and per check-in the daily
goal, pain and answers.

The per-check-in tables are the patient report's own (:mod:`companion.reports.sections`) under
headings that speak about the patient, so a change to those tables shows in both reports.
"""

from __future__ import annotations

from collections.abc import Sequence

from companion.journey.journey import TRIAGE
from companion.reports import sections
from companion.reports.blocks import (
    Block,
    BulletList,
    Group,
    Heading,
    Item,
    Paragraph,
    Row,
    Section,
    Table,
)
from companion.reports.data import ReportData, ShownAnswer
from companion.reports.professional_summary import Escalation, ProfessionalSummary
from companion.reports.sections import advice_blocks
from companion.reports.wording import (
    PROFESSIONAL_PLAN_WORDS,
    activity_label,
    activity_lines,
    plan_lines,
    when,
)
from companion.texts.content import Localizer


def detail_sections(data: ReportData, summary: ProfessionalSummary) -> list[Section]:
    return [
        escalations_section(data.texts, summary),
        red_flags_section(data.texts, summary),
        advice_texts_section(data),
        milestones_section(data),
        plan_section(data),
        # The patient report's tables, under headings about the patient.
        _retitled(sections._quota(data), data.texts.text("pro.quota.heading")),
        _retitled(sections._pain(data), data.texts.text("pro.pain_table.heading")),
        *function_sections(data),
        answers_section(data, summary),
    ]


def _retitled(section: Section, heading: str) -> Section:
    return Section(section.blocks, heading, section.attrs)


def _section(id_: str, heading: str, blocks: Sequence[Block]) -> Section:
    return Section(blocks, heading, (("id", id_),))


# --- escalations ----------------------------------------------------------------------------


def disposition_label(t: Localizer, disposition: str | None) -> str:
    key = f"pro.disposition.{disposition}"
    return t.text(key) if disposition and t.has(key) else disposition or "-"


def screen_label(t: Localizer, flow_id: str) -> str:
    return t.text("pro.screen.triage" if flow_id == TRIAGE else "pro.screen.checkin")


def escalation_line(t: Localizer, escalation: Escalation) -> str:
    screen = escalation.screen
    return t.text(
        "pro.escalation.item",
        datetime=when(t, screen.at),
        screen=screen_label(t, screen.flow_id),
        disposition=disposition_label(t, screen.disposition),
    )


def answers_rows(answers: list[ShownAnswer]) -> list[Row]:
    return [
        Row([(a.question, False), (a.shown, False)], (("data-concept", a.concept),))
        for a in answers
    ]


def escalation_group(t: Localizer, escalation: Escalation, id_: str) -> Group:
    """One escalation: what and when, the answers behind it, and what the patient reported."""
    blocks: list[Block] = [Paragraph(escalation_line(t, escalation), strong=True)]
    if escalation.screen.reasons:
        cols = [t.text("report.col.question"), t.text("report.col.answer")]
        blocks.append(Table(cols, answers_rows(escalation.screen.reasons)))
    status = "pro.escalation.contacted" if escalation.contacted else "pro.escalation.no_contact"
    blocks.append(Paragraph(t.text(status)))
    if escalation.standing:
        blocks.append(Paragraph(t.text("pro.escalation.standing")))
    css = "alert escalation" if escalation.open else "escalation"
    return Group(
        blocks,
        (
            ("id", id_),
            ("class", css),
            ("data-disposition", str(escalation.screen.disposition)),
        ),
    )


def escalations_section(t: Localizer, summary: ProfessionalSummary) -> Section:
    """Every escalation, newest first, each with what the patient reported doing about it."""
    if not summary.escalations:
        return _section(
            "escalations",
            t.text("pro.escalations.heading"),
            [Paragraph(t.text("pro.escalations.none"))],
        )
    groups: list[Block] = [
        escalation_group(t, e, f"escalation-{n}")
        for n, e in enumerate(reversed(summary.escalations), 1)
    ]
    return _section("escalations", t.text("pro.escalations.heading"), groups)


# --- red flags, condensed -------------------------------------------------------------------


def red_flags_section(t: Localizer, summary: ProfessionalSummary) -> Section:
    blocks: list[Block] = [Paragraph(t.text("pro.redflags.about"))]
    if not summary.flagged and not summary.clear:
        blocks.append(Paragraph(t.text("pro.redflags.none")))
    cols = [t.text("report.col.question"), t.text("report.col.answer")]
    for n, flagged in enumerate(summary.flagged, 1):
        screen = flagged.screen
        title = t.text(
            "pro.redflags.screen",
            datetime=when(t, screen.at),
            screen=screen_label(t, screen.flow_id),
            disposition=disposition_label(t, screen.disposition),
        )
        blocks.append(
            Section(
                [
                    Heading(3, title),
                    Table(
                        cols,
                        answers_rows(list(flagged.answers)),
                        (("id", f"flagged-{n}-answers"),),
                    ),
                ],
                None,
                (("id", f"flagged-{n}"), ("class", "keep screen"), ("data-flow", screen.flow_id)),
            )
        )
    if summary.clear:
        latest = max(s.at for s in summary.clear)
        line = t.text(
            "pro.redflags.clear",
            count=t.format_number(len(summary.clear)),
            date=t.format_date(latest.date()),
        )
        blocks.append(Paragraph(line, (("id", "clear-screens"),)))
    return _section("red-flags", t.text("pro.redflags.heading"), blocks)


# --- advice and milestones ------------------------------------------------------------------


def advice_texts_section(data: ReportData) -> Section:
    t = data.texts
    blocks = advice_blocks(data, "pro.advice.none", "pro.advice_texts.given")
    return _section("advice-texts", t.text("pro.advice_texts.heading"), blocks)


def milestones_section(data: ReportData) -> Section:
    t = data.texts
    lines = [
        t.text("report.milestone.passed", day=t.format_number(day), date=t.format_date(on))
        for day, on in data.milestones
    ] or [t.text("report.milestone.none")]
    return _section(
        "milestones",
        t.text("pro.milestones.heading"),
        [BulletList([Item(line) for line in lines])],
    )


# --- the plan, about the patient ------------------------------------------------------------


def plan_section(data: ReportData) -> Section:
    t, plan = data.texts, data.plan
    lines = plan_lines(t, plan, PROFESSIONAL_PLAN_WORDS)
    blocks: list[Block] = [Paragraph(line) for line in lines]
    if plan is None:
        return _section("plan", t.text("pro.plan.heading"), blocks)
    for index in range(len(plan.activities)):
        blocks.append(Heading(3, activity_label(t, plan, index)))
        blocks += [
            Paragraph(line)
            for line in activity_lines(t, plan, index, times_key="pro.plan.times_per_day")
        ]
    return _section("plan", t.text("pro.plan.heading"), blocks)


def answers_section(data: ReportData, summary: ProfessionalSummary) -> Section:
    """The check-in answers without the red-flag questions (condensed above)."""
    t = data.texts
    blocks: list[Block] = []
    for n, checkin in enumerate(data.checkins, 1):
        answers = [a for a in checkin.answers if a.question_id not in summary.screening_questions]
        if answers:
            blocks += [
                Heading(3, sections.checkin_title(t, checkin)),
                sections.answers_table(t, answers, f"checkin-{n}"),
            ]
    return _section("answers", t.text("pro.answers.heading"), blocks)


def function_sections(data: ReportData) -> list[Section]:
    """The function ratings and the painkillers per week, when the patient gave any."""
    t = data.texts
    found = []
    if data.function:
        blocks: list[Block] = []
        for trend in data.function:
            blocks += [Heading(3, trend.activity), sections._function_table(t, trend)]
        found.append(_section("function", t.text("pro.function_table.heading"), blocks))
    if data.medicine:
        medicine = sections._medicine(data)
        # The patient's section opens with a note to the patient; the table is the same.
        tables = [block for block in medicine.blocks if isinstance(block, Table)]
        found.append(_section("medicine", t.text("report.medicine.heading"), tables))
    return found
