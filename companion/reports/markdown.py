"""A :class:`~companion.reports.blocks.Document` as Markdown.

Every string is escaped by :func:`md`: HTML, links, emphasis, code, headings and table pipes in
stored text stay text. Charts are left out (the table beside each gives the same figures).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import assert_never

from companion.files.untrusted import visible
from companion.reports.blocks import (
    BarChart,
    Block,
    BulletList,
    Cell,
    Document,
    Group,
    Heading,
    Paragraph,
    Section,
    Table,
)


def md(value: object) -> str:
    """A stored string made safe for Markdown: HTML-escaped, table pipes and markup escaped."""
    text = html.escape(visible(str(value)), quote=False).replace("\n", " ")
    for char in "\\`*_[]|#":
        text = text.replace(char, "\\" + char)
    return text


def render(document: Document) -> str:
    """The whole document."""
    return "\n".join(_blocks(document.blocks)).rstrip() + "\n"


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headers) + " |"]
    lines.append(
        "|"
        + "|".join("---:" if rows and rows[0][i][1] else "---" for i in range(len(headers)))
        + "|"
    )
    lines += ["| " + " | ".join(md(c) for c, _ in row) + " |" for row in rows]
    return [*lines, ""]


def _blocks(blocks: Sequence[Block]) -> list[str]:
    return [line for block in blocks for line in _block(block)]


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {md(block.text)}", ""]
    if isinstance(block, Paragraph):
        return [f"**{md(block.text)}**" if block.strong else md(block.text), ""]
    if isinstance(block, Table):
        return md_table(block.headers, [row.cells for row in block.rows])
    if isinstance(block, BulletList):
        marked = "- **{}**" if block.alert else "- {}"
        return [marked.format(md(item.text)) for item in block.items] + [""]
    if isinstance(block, BarChart):
        return []
    if isinstance(block, Group):
        return _blocks(block.blocks)
    if isinstance(block, Section):
        heading = [f"## {md(block.heading)}", ""] if block.heading is not None else []
        return heading + _blocks(block.blocks)
    assert_never(block)
