"""Where a message comes from (F4, or a click on a message): the guideline's name and year
in words; the seed file and lines only in the professional view (``p`` on this screen)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button

from companion.app.page import Page
from companion.app.widgets import Plain
from companion.texts.content import ContentError, Localizer
from companion.texts.i18n import N_
from companion.texts.sources import seed_of, source_name

NO_SOURCES = N_("No sources for these messages.")
SOURCES_HEADING = N_("Where this information comes from")
SOURCES_HINT = N_("Click a message to see its source. F4 shows all sources.")
PROFESSIONAL_HINT = N_("Are you a health professional? Press p to see the line numbers too.")
UNNAMED_SOURCE = N_("Source document {seed}")
LINE_REFERENCE = N_("lines {lines} of document {seed}")

"""Short titles of the five source documents for the About screen; patients see the
pack's names and years (``content/<lang>/sources.yaml``) on this screen."""


def source_lines(texts: Localizer, key: str, professional: bool = False) -> list[str]:
    """One line per reference of ``key``: the guideline in words ("Ketenzorgrichtlijn
    Aspecifieke lage rugpijn (2010)"), each document once; ``professional`` adds the
    file and lines of every reference. Empty for an interface text or an unknown key."""
    if not key:
        return []
    try:
        entry = texts.entry(key)
    except ContentError:
        return []
    lines: list[str] = []
    for ref in entry.source:
        seed = seed_of(ref)
        name = source_name(texts, seed) or texts.ui(UNNAMED_SOURCE, seed=seed)
        if professional:
            where = texts.ui(LINE_REFERENCE, seed=seed, lines=ref.split(":", 1)[1])
            lines.append(f"{name}: {where}")
        elif name not in lines:
            lines.append(name)
    return lines


class SourcesScreen(Page):
    """The sources of ``messages``: (text as shown, content key) pairs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *Page.BINDINGS,
        Binding("p", "toggle_professional", "Professional view", show=False),
    ]

    def __init__(
        self, texts: Localizer, messages: list[tuple[str, str]], professional: bool = False
    ) -> None:
        super().__init__(texts)
        self.messages = messages
        self.professional = professional

    def compose(self) -> ComposeResult:
        t = self.texts
        with VerticalScroll(classes="page"):
            yield Plain(t.ui(SOURCES_HEADING), classes="heading")
            shown = 0
            for text, key in self.messages:
                lines = source_lines(t, key, self.professional)
                if not lines:
                    continue
                shown += 1
                excerpt = text if len(text) <= 70 else text[:67] + "..."
                yield Plain(excerpt, classes="source-text")
                yield Plain("\n".join(f"  {line}" for line in lines), classes="source-refs")
            if not shown:
                yield Plain(t.ui(NO_SOURCES))
            yield Plain(t.ui(SOURCES_HINT), classes="legend")
            yield Plain(t.ui(PROFESSIONAL_HINT), classes="legend")
            yield self.back_button()

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    async def action_toggle_professional(self) -> None:
        self.professional = not self.professional
        await self.recompose()
        self.query_one("#back", Button).focus()
