"""Library (F9): every education module in the patient's language; one opens when chosen.

The modules the journey offered are listed first and marked. Texts are shown as
text (:class:`Plain`, :func:`plain`), never as markup. Line references to the
source documents are for professionals (``companion library --sources``), not here.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button

from companion.app.page import Page
from companion.app.widgets import Plain, plain
from companion.journey.modules import ModuleText, trusted_pages
from companion.texts.content import Localizer

HEADING_KEY = "module.library.heading"
OFFERED_KEY = "module.library.offered"
BUTTON_PREFIX = "module-"


class LibraryScreen(Page):
    def __init__(self, texts: Localizer, modules: list[ModuleText], offered: list[str]) -> None:
        super().__init__(texts)
        offered_first = sorted(modules, key=lambda m: m.id not in offered)
        self.modules = {m.id: m for m in offered_first}
        self.offered = set(offered)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.text(HEADING_KEY), classes="heading")
            for module in self.modules.values():
                yield Button(
                    plain(self._label(module)),
                    id=BUTTON_PREFIX + module.id,
                    compact=True,
                    classes="choice",
                )
            pages = trusted_pages(self.texts)
            if pages:
                yield Plain("\n".join(pages), classes="paragraph", id="trusted-pages")
            yield self.back_button()

    def _label(self, module: ModuleText) -> str:
        if module.id in self.offered:
            return f"{module.title} ({self.texts.text(OFFERED_KEY)})"
        return module.title

    def on_mount(self) -> None:
        first = self.query(Button).first()
        first.focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith(BUTTON_PREFIX):
            event.stop()
            module = self.modules[button_id.removeprefix(BUTTON_PREFIX)]
            self.app.push_screen(ModuleScreen(self.texts, module))


class ModuleScreen(Page):
    def __init__(self, texts: Localizer, module: ModuleText) -> None:
        super().__init__(texts)
        self.module = module

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.module.title, classes="heading")
            for paragraph in self.module.paragraphs:
                yield Plain(paragraph, classes="paragraph")
            if self.module.words:
                words = [self.module.words_heading, *(f"- {w}" for w in self.module.words)]
                yield Plain("\n".join(words), classes="paragraph", id="module-words")
            yield self.back_button()

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
