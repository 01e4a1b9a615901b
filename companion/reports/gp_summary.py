"""One page for the GP after an urgent advice: `companion report --gp-summary --out FILE`.

The latest triage or check-in that ended in ``emergency``, ``gp_today`` or ``gp_soon``: its
disposition and date and time, the answers that led to it, its red-flag answers, what the patient
did not know, how long the pain has lasted (days since onset: the episode's onset, else the triage
answer ``pain_duration_days``) and the triage answers as history. In the patient's language,
ready to show or print (A4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from companion.journey.journey import TRIAGE
from companion.reports import html, markdown
from companion.reports.blocks import Block, Document, Heading, Paragraph, Row, Section, Table
from companion.reports.data import ESCALATIONS, Screen, ShownAnswer, collect
from companion.reports.wording import disposition_text, when
from companion.resources import Library
from companion.store.protocol import Store
from companion.texts.content import Localizer


@dataclass(frozen=True)
class GpSummary:
    texts: Localizer
    escalation: Screen
    onset: date | None
    days: int | None
    history: list[ShownAnswer]
    """The answers of the triage that began this episode (or of the escalating triage)."""


def collect_summary(
    store: Store, library: Library, texts: Localizer, today: date
) -> GpSummary | None:
    """The summary of the latest escalation, or None when there was none."""
    data = collect(store, library, texts, today)
    escalations = [s for s in data.screens if s.disposition in ESCALATIONS]
    if not escalations:
        return None
    latest = escalations[-1]
    triages = [s for s in data.screens if s.flow_id == TRIAGE and s.at <= latest.at]
    triage = triages[-1] if triages else None
    onset = data.onset if latest.flow_id != TRIAGE else None
    if onset is None and triage is not None:
        duration = next(
            (a.value for a in triage.answers if a.concept == "pain_duration_days"), None
        )
        if isinstance(duration, int) and not isinstance(duration, bool):
            onset = triage.at.date() - timedelta(days=duration)
    return GpSummary(
        texts=texts,
        escalation=latest,
        onset=onset,
        days=(today - onset).days if onset is not None else None,
        history=triage.answers if triage is not None else [],
    )


def _duration(summary: GpSummary) -> str:
    t = summary.texts
    if summary.onset is None or summary.days is None:
        return t.text("gp.duration_unknown")
    return t.text(
        "gp.duration", date=t.format_date(summary.onset), days=t.format_number(summary.days)
    )


def _answer_sections(summary: GpSummary) -> list[Section]:
    """The answers behind the advice, one section per kind; a kind without answers is left out."""
    t, e = summary.texts, summary.escalation
    cols = [t.text("report.col.question"), t.text("report.col.answer")]
    kinds = [
        ("reasons", "gp.reasons.heading", e.reasons),
        ("red-flags", "gp.flags.heading", e.red_flags),
        ("unknown", "gp.unknown.heading", e.unknown),
        ("history", "gp.history.heading", summary.history),
    ]
    return [
        Section(
            [
                Table(
                    cols,
                    [
                        Row([(a.question, False), (a.shown, False)], (("data-concept", a.concept),))
                        for a in answers
                    ],
                )
            ],
            t.text(heading),
            (("id", id_),),
        )
        for id_, heading, answers in kinds
        if answers
    ]


def summary_document(summary: GpSummary) -> Document:
    t, e = summary.texts, summary.escalation
    advice = t.text("gp.disposition", disposition=disposition_text(t, e.disposition))
    blocks: list[Block] = [
        Heading(1, t.text("gp.title")),
        Paragraph(t.text("gp.intro")),
        Paragraph(
            advice,
            (("class", "alert"), ("id", "disposition"), ("data-disposition", str(e.disposition))),
            strong=True,
        ),
        Paragraph(t.text("gp.when", datetime=when(t, e.at)), (("id", "when"),)),
        Paragraph(_duration(summary), (("id", "duration"),)),
        *_answer_sections(summary),
    ]
    return Document(t.text("gp.title"), t.locale, blocks)


def summary_html(summary: GpSummary) -> str:
    return html.render(summary_document(summary))


def summary_markdown(summary: GpSummary) -> str:
    return markdown.render(summary_document(summary))
