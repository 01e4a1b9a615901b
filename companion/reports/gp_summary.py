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
from companion.reports.report import (
    ESCALATIONS,
    Screen,
    ShownAnswer,
    collect,
    disposition_text,
    esc,
    html_page,
    md,
    md_table,
    when,
)
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


def _sections(summary: GpSummary) -> list[tuple[str, str, list[ShownAnswer]]]:
    e = summary.escalation
    return [
        ("reasons", "gp.reasons.heading", e.reasons),
        ("red-flags", "gp.flags.heading", e.red_flags),
        ("unknown", "gp.unknown.heading", e.unknown),
        ("history", "gp.history.heading", summary.history),
    ]


def summary_html(summary: GpSummary) -> str:
    t, e = summary.texts, summary.escalation
    cols = [t.text("report.col.question"), t.text("report.col.answer")]
    out = [
        f"<h1>{esc(t.text('gp.title'))}</h1>\n",
        f"<p>{esc(t.text('gp.intro'))}</p>\n",
        f'<p class="alert" id="disposition" data-disposition="{esc(e.disposition)}">'
        f"<strong>{esc(t.text('gp.disposition', disposition=disposition_text(t, e.disposition)))}"
        "</strong></p>\n",
        f'<p id="when">{esc(t.text("gp.when", datetime=when(t, e.at)))}</p>\n',
        f'<p id="duration">{esc(_duration(summary))}</p>\n',
    ]
    for id_, heading, answers in _sections(summary):
        if not answers:
            continue
        out.append(f'<section id="{id_}"><h2>{esc(t.text(heading))}</h2>\n')
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
        rows = "".join(
            f'<tr data-concept="{esc(a.concept)}">'
            f"<td>{esc(a.question)}</td><td>{esc(a.shown)}</td></tr>\n"
            for a in answers
        )
        out.append(
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n"
        )
    return html_page(t, t.text("gp.title"), "".join(out))


def summary_markdown(summary: GpSummary) -> str:
    t, e = summary.texts, summary.escalation
    cols = [t.text("report.col.question"), t.text("report.col.answer")]
    out = [
        f"# {md(t.text('gp.title'))}",
        "",
        md(t.text("gp.intro")),
        "",
        f"**{md(t.text('gp.disposition', disposition=disposition_text(t, e.disposition)))}**",
        "",
        md(t.text("gp.when", datetime=when(t, e.at))),
        "",
        md(_duration(summary)),
        "",
    ]
    for _, heading, answers in _sections(summary):
        if answers:
            out += [f"## {md(t.text(heading))}", ""]
            out += md_table(cols, [[(a.question, False), (a.shown, False)] for a in answers])
    return "\n".join(out).rstrip() + "\n"
