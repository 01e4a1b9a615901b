"""The section model: what a report says, block by block, described once for every format.

:mod:`companion.reports.html` and :mod:`companion.reports.markdown` each walk a
:class:`Document`; neither decides what is said. Every string in a block is plain text (wording
or stored text): each renderer escapes it for its format. ``attrs`` are HTML attributes (``id``,
``class``, ``data-*``) in the order given; Markdown has no use for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Attrs = tuple[tuple[str, str], ...]
Cell = tuple[str, bool]
"""A table cell: its text, and whether it is a number (aligned right)."""


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    attrs: Attrs = ()
    strong: bool = False


@dataclass(frozen=True)
class Row:
    cells: Sequence[Cell]
    attrs: Attrs = ()


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Row]
    attrs: Attrs = ()


@dataclass(frozen=True)
class Item:
    text: str
    attrs: Attrs = ()


@dataclass(frozen=True)
class BulletList:
    items: Sequence[Item]
    alert: bool = False
    """Items that must stand out (escalations): framed in HTML, bold in Markdown."""


@dataclass(frozen=True)
class Bar:
    quota: int
    title: str
    done: str | None
    """``done``, ``partly`` or None (not done, or not asked)."""
    label: str | None
    """Written under the bar (the day), if any."""


@dataclass(frozen=True)
class BarChart:
    """A picture of the same figures a table beside it gives (so a text format may leave it out)."""

    label: str
    highest_label: str
    bars: Sequence[Bar]


@dataclass(frozen=True)
class Group:
    """Blocks that belong together (one advice), without a heading."""

    blocks: Sequence[Block]
    attrs: Attrs = ()


@dataclass(frozen=True)
class Section:
    """A part of the document, kept on one page when printed if it has no heading."""

    blocks: Sequence[Block]
    heading: str | None = None
    attrs: Attrs = ()


Block = Heading | Paragraph | Table | BulletList | BarChart | Group | Section


@dataclass(frozen=True)
class Document:
    title: str
    language: str
    """The locale (``nl-BE``) the document is written in."""
    blocks: list[Block] = field(default_factory=list)
