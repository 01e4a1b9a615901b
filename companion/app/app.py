"""The Textual app: chat, escalation, today, plan, sources, about and settings screens.

A thin driver of the journey, like :func:`companion.plain.run_journey`: the
engine decides within a conversation, the journey decides which conversation
comes next; this module shows turns and passes answers and button presses on.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Click, Key, Paste
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from companion import __version__
from companion.app.sources import SEED_TITLES, source_lines
from companion.care.plan import schedule
from companion.care.plan_setup import plan_from_answers
from companion.clock import Clock, SystemClock
from companion.dialogue.engine import Outcome, QuestionView, Turn
from companion.files.untrusted import visible
from companion.journey.journey import CHECKIN, TRIAGE, Conversation, Journey
from companion.plain import (
    ADVICE_GIVEN,
    ANSWERS_HEADING,
    ASSOCIATION,
    GOODBYE,
    REASONS_HEADING,
    UNKNOWN_HEADING,
    show_today,
)
from companion.reports.report import (
    activity_label,
    collect,
    done_text,
    trend_text,
)
from companion.resources import Library
from companion.store import open_store
from companion.store.errors import StorageError
from companion.texts.content import Localizer
from companion.texts.i18n import N_, load_translations

# Interface texts of the app (gettext msgids, companion/texts/i18n.py).
TITLE = N_("Your back pain companion")
CHOOSE_LANGUAGE = N_("Choose your language.")
REGION_NAMES = {"NL": N_("the Netherlands"), "BE": N_("Belgium")}
ANSWER_PLACEHOLDER = N_("Type your answer here and press Enter")
NUMBER_PLACEHOLDER = N_("Type a number and press Enter")
NOTHING_TO_ANSWER = N_("There is nothing to answer now.")
KEY_TODAY = N_("Today")
KEY_PLAN = N_("My plan")
KEY_SOURCES = N_("Source list")
KEY_SETTINGS = N_("Language")
KEY_ABOUT = N_("About")
KEY_ADVICE = N_("Advice")
KEY_BACK = N_("Back")
KEY_QUIT = N_("Quit")
ALERT_BANNER = N_("Important advice for you. Press F8 to read it again.")
ACKNOWLEDGE = N_("I have read this")
CONTACTED_GP = N_("I have contacted my doctor")
CONTACTED_NOTED = N_("Noted: you contacted your doctor.")
NO_PLAN = N_("You have no activity plan yet.")
PLAN_HEADING = N_("Your plan, week by week")
WEEK = N_("Week no.")
CHART_HEADING = N_("Day goal and what you did")
CHART_LEGEND = N_("Top bar: day goal. Bottom bar: what you did.")
PAIN_HEADING = N_("Your pain (0 to 10)")
NO_CHECKINS = N_("No daily questions answered yet.")
TODAY_ASK = N_("Did you do your day goal today? Press D, P or N.")
TODAY_NOTED = N_("Noted for today: {answer}")
NO_SOURCES = N_("No sources for these messages.")
SOURCES_HEADING = N_("Where this information comes from")
SOURCES_HINT = N_("Click a message to see its source. F4 shows all sources.")
ABOUT_GUIDELINES = N_("Based on these guidelines:")
ABOUT_PACK = N_("Texts: {name}, version {version}, checked on {date}.")
ABOUT_BUILT_IN = N_("the built-in texts")
ABOUT_ADVICE_ONLY = N_("This companion gives advice. It does not replace your doctor.")

ESCALATING = ("emergency", "gp_today", "gp_soon")
"""Dispositions that get the escalation screen; ``gp_soon`` a calmer one."""
DONE_KEYS = {"d": "done", "p": "partly", "n": "not"}
"""Keys of the today screen and the check-in's quota_done options they record."""


# --- small widgets ------------------------------------------------------------------------


def plain(text: str) -> Content:
    """Text from content packs, plan files and the patient as it is: never Textual
    markup (``[@click=app.quit]`` stays those characters), no control characters."""
    return Content(visible(text))


class Plain(Static):
    """Every text of the app is shown through this widget (or :func:`plain`), so that
    no string from a file or a patient is ever read as markup."""

    def __init__(self, text: str | Text = "", **options: Any) -> None:
        super().__init__(plain(text) if isinstance(text, str) else text, markup=False, **options)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(plain(content) if isinstance(content, str) else content, layout=layout)


class Bubble(Plain):
    """One message in the chat; a companion message remembers its content key."""

    def __init__(self, text: str | Text, who: str, key: str = "") -> None:
        super().__init__(text, classes=f"bubble {who}")
        self.key = key

    def on_click(self, event: Click) -> None:
        if self.key:
            app = self.app
            assert isinstance(app, CompanionApp)
            app.push_screen(SourcesScreen(app.texts, [(str(self.render()), self.key)]))


class ChoiceButton(Button):
    def __init__(self, label: str, value: str, index: int) -> None:
        super().__init__(plain(f"{index}. {label}"), id=f"choice-{value}", compact=True)
        self.value = value
        self.label_text = label


def _button_number(character: str | None, buttons: int) -> bool:
    """The digit of a button's label ("2. Nee")."""
    return character is not None and len(character) == 1 and character in "123456789"[:buttons]


def one_line(pasted: str) -> str:
    """Every line of a paste, joined by spaces: "nee\nmaar het tintelt" must never
    shrink to its first line, "nee"."""
    return " ".join(line.strip() for line in pasted.splitlines() if line.strip())


class AnswerInput(Input):
    """The line where the patient types; a paste keeps all its lines."""

    def _on_paste(self, event: Paste) -> None:
        text = one_line(event.text)
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.prevent_default()  # Input's own handler would add the first line again
        event.stop()


# --- the app ------------------------------------------------------------------------------


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
    ) -> None:
        super().__init__()
        self.library = library
        self.clock: Clock = clock or SystemClock()
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        if no_save:
            # The same journey on a folder that is deleted when the app ends.
            self._temporary = tempfile.TemporaryDirectory(prefix="companion-")
            data_dir = Path(self._temporary.name)
        self.store = open_store(data_dir, clock=self.clock)
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
            self.push_screen(LanguageScreen(self.library, cancel=False), self._chosen)
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
        self.switch_screen(ChatScreen()) if self._has_chat() else self.push_screen(ChatScreen())

    def _has_chat(self) -> bool:
        return any(isinstance(screen, ChatScreen) for screen in self.screen_stack)

    def _update_binding_labels(self) -> None:
        labels = {
            "today": KEY_TODAY,
            "plan": KEY_PLAN,
            "sources": KEY_SOURCES,
            "settings": KEY_SETTINGS,
            "about": KEY_ABOUT,
            "advice": KEY_ADVICE,
            "quit": KEY_QUIT,
        }
        # Footer labels in the patient's language (Textual keeps them on the bindings).
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=self.texts.ui(labels[b.action])) if b.action in labels else b
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
            return self.pending_escalation() is not None
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
            self.push_screen(TodayScreen())

    def action_plan(self) -> None:
        if self.journey is not None and self._on_chat():
            self.push_screen(PlanScreen())

    def action_sources(self) -> None:
        chat = self._chat()
        if chat is not None and self._on_chat():
            self.push_screen(SourcesScreen(self.texts, chat.shown_messages()))

    def action_settings(self) -> None:
        if self._on_chat():
            self.push_screen(LanguageScreen(self.library, cancel=True), self._chosen)

    def action_about(self) -> None:
        if self._on_chat():
            self.push_screen(AboutScreen())

    def action_advice(self) -> None:
        pending = self.pending_escalation()
        if pending is not None and self._on_chat():
            self.push_screen(EscalationScreen(pending[1], pending[0]))

    # what the store says (no decisions: the journey names the escalation) --------------

    def pending_escalation(self) -> tuple[str, Outcome] | None:
        """The session key and outcome of the journey's last escalation, until the
        patient reports having contacted the doctor about it."""
        if self.journey is None:
            return None
        outcome = self.journey.last_escalation()
        if outcome is None:
            return None
        key = next(
            (
                s.key
                for s in reversed(self.store.sessions())
                if s.flow_id in (TRIAGE, CHECKIN) and s.outcome == outcome
            ),
            "",
        )
        contacted = {  # reported by the patient, stored as events
            e.payload.get("session")
            for e in self.store.events("contacted_gp")
            if isinstance(e.payload, dict)
        }
        return None if key in contacted else (key, outcome)

    def contacted_gp(self, session_key: str, disposition: str | None) -> None:
        self.store.append("contacted_gp", {"session": session_key, "disposition": disposition})
        chat = self._chat()
        if chat is not None:
            chat.refresh_alert()
            chat.say(self.texts.ui(CONTACTED_NOTED), "note")


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


# --- language and region ----------------------------------------------------------------


class LanguageScreen(ModalScreen[tuple[str, str | None] | None]):
    """First start and settings: language and region, each in its own words."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(self, library: Library, cancel: bool) -> None:
        super().__init__()
        self.library = library
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        content = self.library.content
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


# --- the chat -------------------------------------------------------------------------------


class _OfTheCompanion:
    """Screens reach the running app and its texts the same way."""

    app: Any

    @property
    def companion(self) -> CompanionApp:
        app = self.app
        assert isinstance(app, CompanionApp)
        return app

    @property
    def texts(self) -> Localizer:
        return self.companion.texts


class ChatScreen(_OfTheCompanion, Screen[None]):
    """The conversation: messages, quick reply buttons, an input."""

    def __init__(self) -> None:
        super().__init__()
        self.conversation: Conversation | None = None
        self.question: QuestionView | None = None

    def compose(self) -> ComposeResult:
        yield Plain(id="title")
        yield Plain(id="alert")
        yield VerticalScroll(id="log")
        yield Grid(id="choices")
        yield AnswerInput(id="answer", select_on_focus=False)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#title", Static).update(self.texts.ui(TITLE))
        self.refresh_alert()
        content = self.companion.library.content
        if content.association is not None:
            self.say(
                self.texts.ui(
                    ASSOCIATION,
                    association=content.association.association,
                    website=content.association.website,
                ),
                "note",
            )
        journey = self.companion.journey
        assert journey is not None
        previous = journey.last_escalation()
        self.conversation = journey.next()
        conversation = self.conversation
        if (
            previous
            and conversation
            and conversation.flow_id == TRIAGE
            and not conversation.resumed
        ):
            self.say_key("journey.previous_advice")
            for message in previous.messages:
                self.say(str(message), "companion old")
            self.say_key("journey.screen_again")
        await self._begin()

    # showing -------------------------------------------------------------------------------

    def say(self, text: str | Text, who: str = "companion", key: str = "") -> None:
        log = self.query_one("#log", VerticalScroll)
        if who == "patient":
            log.mount(Horizontal(Bubble(text, who, key), classes="patient-row"))
        else:
            log.mount(Bubble(text, who, key))
        log.scroll_end(animate=False)

    def say_key(self, key: str) -> None:
        self.say(self.texts.text(key), "companion", key)

    def shown_messages(self) -> list[tuple[str, str]]:
        return [(str(b.render()), b.key) for b in self.query(Bubble) if b.key]

    def refresh_alert(self) -> None:
        alert = self.query_one("#alert", Static)
        pending = self.companion.pending_escalation()
        alert.display = pending is not None
        if pending is not None:
            alert.update(self.texts.ui(ALERT_BANNER))
        self.app.refresh_bindings()  # F8 shows only while an escalation stands

    def on_click(self, event: Click) -> None:
        if event.widget is not None and event.widget.id == "alert":
            self.companion.action_advice()

    async def _begin(self) -> None:
        if self.conversation is None:
            lines: list[str] = []
            journey = self.companion.journey
            assert journey is not None
            show_today(journey.today(), self.texts, lines.append)
            self.say("\n".join(line for line in lines if line))
            self.say(self.texts.ui(GOODBYE))
            await self._ask(None)
            return
        if self.conversation.resumed:
            self.say_key("journey.resumed")
        await self._show(self.conversation.start())

    async def _show(self, turn: Turn) -> None:
        keys = turn.message_keys or [""] * len(turn.messages)
        for message, key in zip(turn.messages, keys, strict=False):
            self.say(message, "companion", key)
        if turn.problem:
            self.say(turn.problem, "problem")
        if turn.question is not None:
            text = turn.question.text
            if turn.question.help:
                text += f"\n({turn.question.help})"
            self.say(text, "companion question")
            await self._ask(turn.question)
        if turn.outcome is not None:
            await self._finish(turn.outcome)

    async def _finish(self, outcome: Outcome) -> None:
        t = self.texts
        if outcome.disposition is not None:
            now = self.companion.clock.now()
            self.say(t.ui(ADVICE_GIVEN, date=t.format_date(now, "full"), time=t.format_time(now)))
        keys = outcome.message_keys or [""] * len(outcome.messages)
        who = (
            f"companion {outcome.disposition}" if outcome.disposition in ESCALATING else "companion"
        )
        for message, key in zip(outcome.messages, keys, strict=False):
            self.say(message, who, key)
        for advice in outcome.advice:
            advice_keys = advice.message_keys or [""] * len(advice.messages)
            for message, key in zip(advice.messages, advice_keys, strict=False):
                self.say(message, "companion", key)
        if outcome.disposition is not None:
            if outcome.reasons:
                lines = [t.ui(REASONS_HEADING)]
                lines += [f"- {a.question_text} {a.shown}" for a in outcome.reasons]
                self.say("\n".join(lines), "summary")
            if outcome.unknown:
                lines = [t.ui(UNKNOWN_HEADING)]
                lines += [
                    f"- {a.question_text}" for a in outcome.answers if a.concept in outcome.unknown
                ]
                self.say("\n".join(lines), "summary")
            lines = [t.ui(ANSWERS_HEADING)]
            lines += [f"- {a.question_text} {a.shown}" for a in outcome.answers]
            self.say("\n".join(lines), "summary")
        if outcome.disposition in ESCALATING:
            assert self.conversation is not None
            self.refresh_alert()
            self.app.push_screen(EscalationScreen(outcome, self.conversation.key))
        journey = self.companion.journey
        assert journey is not None
        if not Journey.goes_on_after(outcome):
            self.conversation = None
            await self._ask(None)
            return
        self.conversation = journey.next()
        await self._begin()

    async def _ask(self, question: QuestionView | None) -> None:
        """Buttons for every choice; focus where the next answer goes."""
        self.question = question
        choices = self.query_one("#choices", Grid)
        await choices.remove_children()
        answer = self.query_one("#answer", Input)
        answer.value = ""
        if question is None:
            answer.disabled = True
            answer.placeholder = self.texts.ui(NOTHING_TO_ANSWER)
            return
        answer.disabled = False
        buttons = [
            ChoiceButton(c.label, c.value, n) for n, c in enumerate(question.choices, start=1)
        ]
        await choices.mount_all(buttons)
        is_number = question.answer_type == "number"
        answer.placeholder = self.texts.ui(NUMBER_PLACEHOLDER if is_number else ANSWER_PLACEHOLDER)
        # The focus starts in the input, never on a button: a key the patient did not
        # aim at a choice (Enter, the first letters typed) must not answer the question.
        answer.focus()
        self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    # answering -----------------------------------------------------------------------------

    @on(Button.Pressed, "ChoiceButton")
    async def _chosen(self, event: Button.Pressed) -> None:
        button = event.button
        assert isinstance(button, ChoiceButton)
        await self.choose(button)

    async def choose(self, button: ChoiceButton) -> None:
        if self.conversation is None or self.question is None:
            return
        self.say(button.label_text, "patient")
        await self._show(self.conversation.choose(button.value))

    @on(Input.Submitted, "#answer")
    async def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.conversation is None or self.question is None:
            return
        event.input.value = ""
        buttons = list(self.query(ChoiceButton))
        if self.question.answer_type != "number" and _button_number(text, len(buttons)):
            await self.choose(buttons[int(text) - 1])  # "2" + Enter is the button "2. Nee"
            return
        self.say(text, "patient")
        await self._show(self.conversation.answer(text))

    async def on_key(self, event: Key) -> None:
        focused = self.focused
        if not isinstance(focused, ChoiceButton):
            return
        answer = self.query_one("#answer", Input)
        # Keys typed fast reach the button until the input has the focus: once the
        # input holds text, every key belongs to that text, Enter included.
        typing = bool(answer.value)
        buttons = list(self.query(ChoiceButton))
        if event.key == "enter" and typing:
            event.stop()
            event.prevent_default()
            answer.focus()
            await answer.action_submit()
        elif event.key in ("right", "down"):
            buttons[(buttons.index(focused) + 1) % len(buttons)].focus()
            event.stop()
        elif event.key in ("left", "up"):
            buttons[(buttons.index(focused) - 1) % len(buttons)].focus()
            event.stop()
        elif not typing and _button_number(event.character, len(buttons)):
            event.stop()
            await self.choose(buttons[int(event.character or "") - 1])
        elif event.character and event.character.isprintable():
            # Typing starts a free answer: the input takes over, spaces included.
            answer.focus()
            answer.insert_text_at_cursor(event.character)
            event.stop()

    def on_paste(self, event: Paste) -> None:
        """A paste while a button has the focus goes to the input, whole."""
        answer = self.query_one("#answer", Input)
        if self.question is None or answer.disabled:
            return
        answer.focus()
        answer.insert_text_at_cursor(one_line(event.text))
        event.stop()


# --- escalation ----------------------------------------------------------------------------


class EscalationScreen(ModalScreen[None]):
    """Cannot be missed: colour, the title, the action, the phone numbers, and why."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "acknowledge", "Back")]

    def __init__(self, outcome: Outcome, session_key: str) -> None:
        super().__init__(classes=outcome.disposition or "")
        self.outcome = outcome
        self.session_key = session_key

    @property
    def texts(self) -> Localizer:
        app = self.app
        assert isinstance(app, CompanionApp)
        return app.texts

    def compose(self) -> ComposeResult:
        messages = list(self.outcome.messages)
        keys = list(self.outcome.message_keys)
        keys += [""] * (len(messages) - len(keys))
        title_at = next((i for i, k in enumerate(keys) if k.endswith(".title")), 0)
        with Vertical(id="escalation-box"):
            if messages:
                yield Plain(messages[title_at], id="escalation-title")
            with VerticalScroll(id="escalation-body"):
                for i, message in enumerate(messages):
                    if i != title_at:
                        yield Bubble(message, "escalation", keys[i])
                reasons = self.outcome.reasons
                if reasons:
                    lines = [self.texts.ui(REASONS_HEADING)]
                    lines += [f"- {r.question_text} {r.shown}" for r in reasons]
                    yield Plain("\n".join(lines), id="escalation-why")
            with Grid(id="escalation-buttons"):
                yield Button(plain(self.texts.ui(ACKNOWLEDGE)), id="acknowledge", compact=True)
                if self.outcome.disposition in ("emergency", "gp_today"):
                    yield Button(plain(self.texts.ui(CONTACTED_GP)), id="contacted", compact=True)

    def on_mount(self) -> None:
        self.query_one("#acknowledge", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "contacted":
            app = self.app
            assert isinstance(app, CompanionApp)
            app.contacted_gp(self.session_key, self.outcome.disposition)
        self.dismiss(None)

    def action_acknowledge(self) -> None:
        self.dismiss(None)

    def on_key(self, event: Key) -> None:
        if event.key in ("down", "right", "up", "left"):
            self.focus_next() if event.key in ("down", "right") else self.focus_previous()
            event.stop()


# --- today, plan, sources, about -----------------------------------------------------------


class _Page(_OfTheCompanion, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
    ]

    def action_back(self) -> None:
        self.dismiss(None)

    def back_button(self) -> Button:
        return Button(plain(self.texts.ui(KEY_BACK)), id="back", compact=True)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)


class TodayScreen(_Page):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done('done')", "done"),
        Binding("p", "done('partly')", "partly"),
        Binding("n", "done('not')", "not"),
    ]

    def compose(self) -> ComposeResult:
        journey = self.companion.journey
        assert journey is not None
        today = journey.today()
        lines: list[str] = []
        show_today(today, self.texts, lines.append)
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.ui(KEY_TODAY), classes="heading")
            yield Plain("\n".join(line for line in lines if line))
            if today.quotas:
                yield Plain(self.texts.ui(TODAY_ASK), id="today-ask")
                with Grid(id="done-buttons"):
                    for key, value in DONE_KEYS.items():
                        label = f"{key.upper()}. {self.texts.text(f'checkin.quota.{value}')}"
                        yield Button(plain(label), id=f"done-{value}", compact=True)
                yield Plain(self._noted(), id="today-noted")
            yield self.back_button()

    def _noted(self) -> str:
        day = self.companion.clock.today().isoformat()
        reports = [
            e.payload
            for e in self.companion.store.events("quota_report")
            if isinstance(e.payload, dict) and e.payload.get("date") == day
        ]
        if not reports:
            return ""
        value = str(reports[-1].get("value"))
        return self.texts.ui(TODAY_NOTED, answer=self.texts.text(f"checkin.quota.{value}"))

    def on_mount(self) -> None:
        buttons = self.query(Button)
        if buttons:
            buttons.first().focus()

    def action_done(self, value: str) -> None:
        journey = self.companion.journey
        if journey is None or not journey.today().quotas:
            return
        self.companion.store.append(
            "quota_report", {"date": self.companion.clock.today().isoformat(), "value": value}
        )
        self.query_one("#today-noted", Static).update(self._noted())

    @on(Button.Pressed, "#done-buttons Button")
    def _done_button(self, event: Button.Pressed) -> None:
        self.action_done((event.button.id or "done-done").removeprefix("done-"))


BAR = "█"
BAR_WIDTH = 30


class PlanScreen(_Page):
    def compose(self) -> ComposeResult:
        t = self.texts
        store = self.companion.store
        plan = store.current_plan()
        with VerticalScroll(classes="page"):
            yield Plain(t.ui(PLAN_HEADING), classes="heading")
            if plan is None:
                yield Plain(t.ui(NO_PLAN))
            else:
                table: DataTable[str] = DataTable(id="plan-table", zebra_stripes=True)
                table.add_column(Text(t.ui(WEEK)))
                table.add_column(Text(t.text("report.col.date")))
                for index in range(len(plan.activities)):
                    table.add_column(Text(visible(activity_label(t, plan, index))))
                for step in schedule(plan):
                    week = (step.day - plan.start).days // 7 + 1
                    table.add_row(
                        t.format_number(week),
                        t.format_date(step.day, "medium"),
                        *(t.format_number(q) for q in step.quotas),
                    )
                yield table
            data = collect(store, self.companion.library, t, self.companion.clock.today())
            yield Plain(t.ui(CHART_HEADING), classes="heading")
            if plan is not None and any(c.quotas for c in data.checkins):
                yield Plain(t.ui(CHART_LEGEND), classes="legend")
                yield Plain(self._chart(data), id="quota-chart")
            else:
                yield Plain(t.ui(NO_CHECKINS))
            yield Plain(t.ui(PAIN_HEADING), classes="heading")
            pains = [c for c in data.checkins if c.pain_now is not None]
            if pains:
                chart = Text()
                for c in pains:
                    assert c.pain_now is not None
                    chart.append(f"{t.format_date(c.at.date(), 'short'):>10} ")
                    chart.append(BAR * (c.pain_now * 2), style="magenta")
                    chart.append(f" {c.pain_now}  {trend_text(t, c.pain_trend)}\n")
                yield Plain(chart, id="pain-chart")
            else:
                yield Plain(t.ui(NO_CHECKINS))
            yield self.back_button()

    def _chart(self, data: Any) -> Text:
        """Per check-in and activity: the day goal and what was done, as two bars."""
        t = self.texts
        plan = data.plan
        top = max((q for c in data.checkins for q in c.quotas), default=1) or 1
        share = {"done": 1.0, "partly": 0.5, "not": 0.0}
        chart = Text()
        for c in data.checkins:
            for index, quota in enumerate(c.quotas):
                name = visible(activity_label(t, plan, index)) if plan else ""
                goal = round(BAR_WIDTH * quota / top)
                did = round(goal * share.get(c.quota_done or "", 0.0))
                chart.append(f"{t.format_date(c.at.date(), 'short'):>10} {name[:10]:<10} ")
                chart.append(BAR * goal, style="blue")
                chart.append(f" {t.format_number(quota)}\n")
                chart.append(" " * 22)
                chart.append(BAR * did, style="green")
                chart.append(f" {done_text(t, c.quota_done)}\n")
        return chart


class SourcesScreen(_Page):
    def __init__(self, texts: Localizer, messages: list[tuple[str, str]]) -> None:
        super().__init__()
        self._texts = texts
        self.messages = messages

    def compose(self) -> ComposeResult:
        t = self._texts
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


class AboutScreen(_Page):
    def compose(self) -> ComposeResult:
        t = self.texts
        content = self.companion.library.content
        with VerticalScroll(classes="page"):
            yield Plain(f"companion {__version__}", classes="heading")
            yield Plain(t.ui(ABOUT_ADVICE_ONLY))
            yield Plain(t.ui(ABOUT_GUIDELINES), classes="heading")
            yield Plain("\n".join(f"- {seed}: {title}" for seed, title in SEED_TITLES.items()))
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
