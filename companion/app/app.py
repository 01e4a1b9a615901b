"""The Textual app: key bindings, which screen shows, and the answers to the screens' messages.

A thin driver of the journey, like :func:`companion.plain.run_journey`: the engine decides
within a conversation, the journey decides which conversation comes next and whether an
escalation still stands. Each screen lives in its own module and gets what it needs when it
is made; screens tell the app what happened with messages.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType

from companion.app.about import AboutScreen
from companion.app.chat import ChatScreen
from companion.app.episode import EpisodeScreen
from companion.app.escalation import EscalationScreen
from companion.app.labels import ACTION_LABELS, KEY_QUIT, TITLE
from companion.app.language import LanguageScreen
from companion.app.library import LibraryScreen
from companion.app.plan_screen import PlanScreen
from companion.app.sources import SourcesScreen
from companion.app.today import ProfessionalNote, TodayScreen
from companion.app.widgets import Bubble
from companion.care.plan_setup import plan_from_answers
from companion.clock import Clock, SystemClock
from companion.journey.journey import Journey
from companion.journey.standing import StandingEscalation
from companion.reports.data import collect
from companion.resources import Library
from companion.store import open_store
from companion.store.errors import StorageError
from companion.store.protocol import Store
from companion.texts.content import Localizer
from companion.texts.i18n import N_, load_translations

__all__ = ["KEY_QUIT", "CompanionApp", "run_app"]

CONTACTED_NOTED = N_("Noted: you contacted your doctor.")


class CompanionApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "companion"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "today", "Today"),
        Binding("f3", "plan", "Plan"),
        Binding("f4", "sources", "Sources"),
        Binding("f6", "settings", "Language"),
        Binding("f7", "about", "About"),
        Binding("f8", "advice", "Advice"),
        Binding("f9", "library", "Library"),
        Binding("f10", "episode", "My back"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        library: Library,
        data_dir: Path | None = None,
        clock: Clock | None = None,
        language: str | None = None,
        region: str | None = None,
        no_save: bool = False,
        *,
        store: Store | None = None,
        notes: Callable[[], Sequence[ProfessionalNote]] | None = None,
    ) -> None:
        """``store``: a store opened already (a practice's patient) instead of ``data_dir``;
        ``notes``: the professional's notes to this patient, newest last (Today shows them)."""
        super().__init__()
        self.library = library
        self.clock: Clock = clock or SystemClock()
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        if no_save:
            # The same journey on a folder that is deleted when the app ends.
            self._temporary = tempfile.TemporaryDirectory(prefix="companion-")
            data_dir = Path(self._temporary.name)
        self.store = store if store is not None else open_store(data_dir, clock=self.clock)
        self.notes = notes
        settings = self.store.settings()
        self._language = language or settings.get("language")
        self._region = region or settings.get("region")
        if self._language not in library.content.languages:
            self._language = None
        self.texts: Localizer = library.content.localizer(
            self._language or sorted(library.content.languages)[0], self._region
        )
        self.journey: Journey | None = None
        self.storage_failure: str | None = None
        """Why the app closed early (a full disk...), in the patient's language."""

    # set-up -------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._language is None:
            self.push_screen(LanguageScreen(self.library.content, cancel=False), self._chosen)
        else:
            self._chosen((self._language, self._region))

    def _chosen(self, choice: tuple[str, str | None] | None) -> None:
        if choice is None:
            return
        language, region = choice
        self.texts = self.library.content.localizer(language, region)
        self.store.set_setting("language", language)
        self.store.set_setting("region", self.texts.region)
        self.journey = Journey(
            self.library, self.store, self.clock, language, self.texts.region, plan_from_answers
        )
        self.title = self.texts.ui(TITLE)
        self._update_binding_labels()
        chat = ChatScreen(self.journey, self.texts, self.library.content, self.clock)
        self.switch_screen(chat) if self._chat() is not None else self.push_screen(chat)

    def _update_binding_labels(self) -> None:
        # Footer labels in the patient's language (Textual keeps them on the bindings).
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=self.texts.ui(ACTION_LABELS[b.action]))
                if b.action in ACTION_LABELS
                else b
                for b in bindings
            ]
        self.refresh_bindings()

    def _handle_exception(self, error: Exception) -> None:
        """A full disk or a folder that became read-only while the app runs: close with one
        line in the patient's language instead of a traceback. Every answer stored before
        stays; the journey resumes from them at the next start."""
        if not isinstance(error, StorageError):
            super()._handle_exception(error)
            return
        self.storage_failure = error.translated(load_translations(self.texts.language))
        self.exit(1, 1)

    def on_unmount(self) -> None:
        self.store.close()
        if self._temporary is not None:
            self._temporary.cleanup()

    # actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "advice":
            return self.standing_escalation() is not None
        if action == "episode":
            return self.journey is not None and bool(self.journey.episode_actions())
        return True

    def _chat(self) -> ChatScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        return None

    def _on_chat(self) -> bool:
        return isinstance(self.screen, ChatScreen)

    def action_today(self) -> None:
        if self.journey is not None and self._on_chat():
            notes = self.notes() if self.notes is not None else ()
            today = TodayScreen(
                self.texts, self.journey.today(), self.journey.quota_reports(), notes
            )
            self.push_screen(today)

    def action_plan(self) -> None:
        if self.journey is not None and self._on_chat():
            data = collect(self.store, self.library, self.texts, self.clock.today())
            self.push_screen(PlanScreen(self.texts, self.store.current_plan(), data))

    def action_sources(self) -> None:
        chat = self._chat()
        if chat is not None and self._on_chat():
            self.push_screen(SourcesScreen(self.texts, chat.shown_messages()))

    def action_settings(self) -> None:
        if self._on_chat():
            self.push_screen(LanguageScreen(self.library.content, cancel=True), self._chosen)

    def action_about(self) -> None:
        if self._on_chat():
            self.push_screen(AboutScreen(self.texts, self.library.content))

    def action_library(self) -> None:
        if self.journey is not None and self._on_chat():
            modules = [self.journey.module(m) for m in self.journey.module_catalog().ids()]
            offered = self.journey.offered_modules()
            self.push_screen(LibraryScreen(self.texts, modules, offered))

    def action_episode(self) -> None:
        if self.journey is not None and self._on_chat():
            self.push_screen(EpisodeScreen(self.texts, self.journey.episode_actions()))

    def action_advice(self) -> None:
        standing = self.standing_escalation()
        if standing is not None and self._on_chat():
            self._show_escalation(standing)

    # what the screens say -----------------------------------------------------------

    @on(ChatScreen.Escalated)
    def _escalated(self, message: ChatScreen.Escalated) -> None:
        self._show_escalation(message.escalation)

    @on(ChatScreen.AdviceWanted)
    def _advice_wanted(self) -> None:
        self.action_advice()

    @on(EpisodeScreen.Chosen)
    async def _episode_action(self, message: EpisodeScreen.Chosen) -> None:
        chat = self._chat()
        if chat is not None:
            await chat.take_action(message.action)
        self.refresh_bindings()

    @on(Bubble.SourceWanted)
    def _source_wanted(self, message: Bubble.SourceWanted) -> None:
        self.push_screen(SourcesScreen(self.texts, [(message.text, message.key)]))

    def _show_escalation(self, escalation: StandingEscalation) -> None:
        def acted_on(contacted: bool | None) -> None:
            if contacted:
                self._contacted_gp(escalation)

        self.push_screen(EscalationScreen(escalation, self.texts), acted_on)

    def _contacted_gp(self, escalation: StandingEscalation) -> None:
        if self.journey is None:
            return
        self.journey.contacted_gp(escalation)
        chat = self._chat()
        if chat is not None:
            chat.refresh_alert()
            chat.say(self.texts.ui(CONTACTED_NOTED), "note")

    def standing_escalation(self) -> StandingEscalation | None:
        """The journey's urgent advice while it stands (none before a language is chosen)."""
        return self.journey.standing_escalation() if self.journey is not None else None


def run_app(
    library: Library,
    data_dir: Path | None,
    clock: Clock | None = None,
    language: str | None = None,
    region: str | None = None,
    no_save: bool = False,
) -> int:
    app = CompanionApp(library, data_dir, clock, language, region, no_save)
    result = app.run()
    if app.storage_failure is not None:
        print(f"companion: {app.storage_failure}", file=sys.stderr)  # one line, after the screen
    return result if isinstance(result, int) else 0
