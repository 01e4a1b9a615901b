"""First start and settings (F6): language and region, each in its own words."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Button

from companion.app.widgets import Plain, plain
from companion.texts.content import Content
from companion.texts.i18n import N_

CHOOSE_LANGUAGE = N_("Choose your language.")
REGION_NAMES = {"NL": N_("the Netherlands"), "BE": N_("Belgium")}


class LanguageScreen(ModalScreen[tuple[str, str | None] | None]):
    """Dismissed with the chosen (language, region); with None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(self, content: Content, cancel: bool) -> None:
        super().__init__()
        self.content = content
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        content = self.content
        with Vertical(id="language-box"):
            for lang in sorted(content.languages):
                yield Plain(content.localizer(lang).ui(CHOOSE_LANGUAGE), classes="heading")
            for lang in sorted(content.languages):
                pack = content.languages[lang]
                texts = content.localizer(lang)
                others = sorted(r for r in content.regions if r != pack.info.default_region)
                regions = [pack.info.default_region, *others]
                for region in regions:
                    name = texts.ui(REGION_NAMES[region]) if region in REGION_NAMES else region
                    label = plain(f"{pack.info.name} ({name})")
                    button = Button(label, id=f"lang-{lang}-{region}")
                    yield button

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        _, lang, region = (event.button.id or "").split("-", 2)
        self.dismiss((lang, region))

    def action_cancel(self) -> None:
        if self.cancel:
            self.dismiss(None)

    def on_key(self, event: Key) -> None:
        if event.key in ("down", "right"):
            self.focus_next()
            event.stop()
        elif event.key in ("up", "left"):
            self.focus_previous()
            event.stop()
