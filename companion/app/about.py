"""About (F7): the version, that this is advice, the guidelines and the texts' origin."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button

from companion import __version__
from companion.app.page import Page
from companion.app.widgets import Plain
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_
from companion.texts.sources import source_name

ABOUT_GUIDELINES = N_("Based on these guidelines:")
ABOUT_PACK = N_("Texts: {name}, version {version}, checked on {date}.")
ABOUT_BUILT_IN = N_("the built-in texts")
ABOUT_ADVICE_ONLY = N_("This companion gives advice. It does not replace your doctor.")


class AboutScreen(Page):
    def __init__(self, texts: Localizer, content: Content) -> None:
        super().__init__(texts)
        self.content = content

    def compose(self) -> ComposeResult:
        t = self.texts
        content = self.content
        with VerticalScroll(classes="page"):
            yield Plain(f"companion {__version__}", classes="heading")
            yield Plain(t.ui(ABOUT_ADVICE_ONLY))
            yield Plain(t.ui(ABOUT_GUIDELINES), classes="heading")
            # The guidelines by name and year, as the Sources screen names them to patients.
            names = [source_name(t, seed) for seed in sorted(t.pack.sources)]
            yield Plain("\n".join(f"- {name}" for name in names if name))
            name = content.association.association if content.association else t.ui(ABOUT_BUILT_IN)
            yield Plain(
                t.ui(
                    ABOUT_PACK,
                    name=name,
                    version=content.version,
                    date=t.format_date(content.reviewed, "long"),
                )
            )
            if content.association is not None:
                yield Plain(content.association.website)
            yield self.back_button()

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
