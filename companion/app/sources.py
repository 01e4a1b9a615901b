"""Where a message comes from (F4, or a click on a message): its content entry's seed
references, with the document title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button

from companion.app.page import Page
from companion.app.widgets import Plain
from companion.texts.content import ContentError, Localizer
from companion.texts.i18n import N_

NO_SOURCES = N_("No sources for these messages.")
SOURCES_HEADING = N_("Where this information comes from")
SOURCES_HINT = N_("Click a message to see its source. F4 shows all sources.")

SEED_TITLES = {
    "000": "Gezondheidsraad, protocol lumbosacraal radiculair syndroom",
    "001": "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)",
    "002": "CBO richtlijn Aspecifieke lage rugklachten (2003)",
    "003": "KCE rapport 295A (2017)",
    "004": "Zorginstituut Nederland, Verbetersignalement (2021)",
}
"""The five source documents (``../shared/seeds/NNN_*.txt``) by number. Titles of
documents are names: shown as they are, in every language."""


def source_lines(texts: Localizer, key: str) -> list[str]:
    """``"seed 001:3112-3114 - Ketenzorgrichtlijn ..."`` per reference of ``key``;
    empty for an interface text or a key this language does not have."""
    if not key:
        return []
    try:
        entry = texts.entry(key)
    except ContentError:
        return []
    lines = []
    for ref in entry.source:
        seed = ref.split(":", 1)[0]
        title = SEED_TITLES.get(seed, "")
        lines.append(f"seed {ref}" + (f" - {title}" if title else ""))
    return lines


class SourcesScreen(Page):
    """The sources of ``messages``: (text as shown, content key) pairs."""

    def __init__(self, texts: Localizer, messages: list[tuple[str, str]]) -> None:
        super().__init__(texts)
        self.messages = messages

    def compose(self) -> ComposeResult:
        t = self.texts
        with VerticalScroll(classes="page"):
            yield Plain(t.ui(SOURCES_HEADING), classes="heading")
            shown = 0
            for text, key in self.messages:
                lines = source_lines(t, key)
                if not lines:
                    continue
                shown += 1
                excerpt = text if len(text) <= 70 else text[:67] + "..."
                yield Plain(excerpt, classes="source-text")
                yield Plain("\n".join(f"  {line}" for line in lines), classes="source-refs")
            if not shown:
                yield Plain(t.ui(NO_SOURCES))
            yield Plain(t.ui(SOURCES_HINT), classes="legend")
            yield self.back_button()

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
