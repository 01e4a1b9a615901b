"""The support level for the professional's report: which level, what it means in care
terms, when and from which answers it was placed (issue 13, item 4). The professional's
summary (branch proreport13) and the practice server lay these lines out."""

from __future__ import annotations

from companion.journey.support_level import PlacedSupport, current_support
from companion.reports.wording import answer_text, when
from companion.resources import Library
from companion.store.protocol import Store
from companion.texts.content import Localizer

PRO_TEXT_KEYS = (
    "support.pro.title",
    "support.pro.placed",
    "support.pro.reasons",
    "support.pro.no_reasons",
    "support.pro.low",
    "support.pro.medium",
    "support.pro.high",
)
"""Content keys of the professional's wording (``companion check`` needs them)."""


def support_summary(store: Store, library: Library, texts: Localizer) -> list[str]:
    """The level now, what it means, when it was placed and the answers that scored;
    empty when no conversation asked the yellow flags yet."""
    placed = current_support(store)
    return [] if placed is None else support_lines(placed, library, texts)


def support_lines(placed: PlacedSupport, library: Library, texts: Localizer) -> list[str]:
    support = placed.support
    lines = [
        texts.text("support.pro.title"),
        texts.text(f"support.pro.{support.level}"),
    ]
    if placed.at is not None:
        day = "-" if placed.day is None else texts.format_number(placed.day)
        lines.append(texts.text("support.pro.placed", datetime=when(texts, placed.at), day=day))
    if not support.reasons:
        lines.append(texts.text("support.pro.no_reasons"))
        return lines
    lines.append(texts.text("support.pro.reasons"))
    flow = library.flows.get(placed.flow_id)
    questions = {q.concept: q for q in flow.flow.questions().values()} if flow else {}
    for reason in support.reasons:
        question = questions.get(reason.concept)
        asked = texts.text(question.text) if question is not None else reason.concept
        lines.append(f"- {asked} {answer_text(texts, reason.value, question)}")
    return lines
