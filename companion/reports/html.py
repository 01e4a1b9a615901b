"""A :class:`~companion.reports.blocks.Document` as one HTML page (A4 when printed).

Every string of the document is escaped by :func:`esc`: stored text (names, answers, advice) is
shown as text, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import assert_never

from companion.files.untrusted import visible
from companion.reports.blocks import (
    Attrs,
    Bar,
    BarChart,
    Block,
    BulletList,
    Document,
    Group,
    Heading,
    Paragraph,
    Section,
    Table,
)

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
BAR_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 18, 120, 10, 22


def esc(value: object) -> str:
    """Stored text for HTML: escaped, and no control or bidi character to reorder it."""
    return html.escape(visible(str(value)), quote=True)


def render(document: Document) -> str:
    """The whole page."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(document.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(document.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{_blocks(document.blocks)}</main>\n</body>\n</html>\n"
    )


def _attrs(attrs: Attrs) -> str:
    return "".join(f' {name}="{esc(value)}"' for name, value in attrs)


def _blocks(blocks: Sequence[Block]) -> str:
    return "".join(_block(block) for block in blocks)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{esc(block.text)}</h{block.level}>\n"
    if isinstance(block, Paragraph):
        text = f"<strong>{esc(block.text)}</strong>" if block.strong else esc(block.text)
        return f"<p{_attrs(block.attrs)}>{text}</p>\n"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, BulletList):
        items = "".join(f"<li{_attrs(i.attrs)}>{esc(i.text)}</li>\n" for i in block.items)
        return f"<ul{_attrs((('class', 'alert'),) if block.alert else ())}>\n{items}</ul>\n"
    if isinstance(block, BarChart):
        return _chart(block)
    if isinstance(block, Group):
        return f"<div{_attrs(block.attrs)}>\n{_blocks(block.blocks)}</div>\n"
    if isinstance(block, Section):
        heading = f"<h2>{esc(block.heading)}</h2>\n" if block.heading is not None else "\n"
        return f"<section{_attrs(block.attrs)}>{heading}{_blocks(block.blocks)}</section>\n"
    assert_never(block)


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in table.headers)
    body = "".join(
        f"<tr{_attrs(row.attrs)}>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if num else f"<td>{esc(c)}</td>"
            for c, num in row.cells
        )
        + "</tr>\n"
        for row in table.rows
    )
    return (
        f"<table{_attrs(table.attrs)}>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n</table>\n"
    )


def _chart(chart: BarChart) -> str:
    """Inline SVG bars: filled when done, half when partly, an outline otherwise."""
    if not chart.bars:
        return ""
    height, top, bottom = CHART_HEIGHT, CHART_TOP, CHART_BOTTOM
    highest = max(bar.quota for bar in chart.bars) or 1
    width = 30 + BAR_WIDTH * len(chart.bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} '
        f'{height + top + bottom}" width="{width}" height="{height + top + bottom}" '
        f'aria-label="{esc(chart.label)}"><title>{esc(chart.label)}</title>',
        f'<line class="axis" x1="28" y1="{top + height}" x2="{width}" y2="{top + height}"/>',
        f'<text x="0" y="{top + 8}">{esc(chart.highest_label)}</text>',
    ]
    for n, bar in enumerate(chart.bars):
        parts += _bar(bar, 30 + n * BAR_WIDTH, round(height * bar.quota / highest))
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>\n"


def _bar(bar: Bar, x: int, h: int) -> list[str]:
    y = CHART_TOP + CHART_HEIGHT - h
    width = BAR_WIDTH - 4
    parts = [
        f'<rect class="bar-outline" x="{x}" y="{y}" width="{width}" height="{h}">'
        f"<title>{esc(bar.title)}</title></rect>"
    ]
    if bar.done == "done":
        parts.append(f'<rect class="bar-done" x="{x}" y="{y}" width="{width}" height="{h}"/>')
    elif bar.done == "partly":
        parts.append(
            f'<rect class="bar-partly" x="{x}" y="{y + h - h // 2}" width="{width}" '
            f'height="{h // 2}"/>'
        )
    if bar.label is not None:
        parts.append(f'<text x="{x}" y="{CHART_TOP + CHART_HEIGHT + 14}">{esc(bar.label)}</text>')
    return parts
