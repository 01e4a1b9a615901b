"""The chat: messages, quick reply buttons and the answer line.

Shows the journey's turns and passes answers on. An escalation it shows, and a click on
the alert banner, go up to the app as messages; the app opens the escalation screen."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.events import Click, Key, Paste
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from companion.app.labels import TITLE
from companion.app.widgets import (
    AnswerInput,
    Bubble,
    ChoiceButton,
    Plain,
    button_number,
    one_line,
    with_deviation_note,
)
from companion.care.dispositions import escalated
from companion.clock import Clock
from companion.dialogue.engine import Outcome, QuestionView, Turn
from companion.journey.journey import Conversation, Journey
from companion.journey.standing import StandingEscalation
from companion.present import (
    GOODBYE,
    PREVIOUS_ADVICE,
    SCREEN_AGAIN,
    advice_given,
    association_line,
    outcome_sections,
    today_lines,
)
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_

ANSWER_PLACEHOLDER = N_("Type your answer here and press Enter")
NUMBER_PLACEHOLDER = N_("Type a number and press Enter")
NOTHING_TO_ANSWER = N_("There is nothing to answer now.")
ALERT_BANNER = N_("Important advice for you. Press F8 to read it again.")


class ChatScreen(Screen[None]):
    """The conversation with the journey, in one language."""

    class Escalated(Message):
        """A conversation ended with advice to see a doctor: show it so it cannot be missed."""

        def __init__(self, escalation: StandingEscalation) -> None:
            super().__init__()
            self.escalation = escalation

    class AdviceWanted(Message):
        """The patient clicked the alert banner: show the standing advice again."""

    def __init__(self, journey: Journey, texts: Localizer, content: Content, clock: Clock) -> None:
        super().__init__()
        self.journey = journey
        self.texts = texts
        self.content = content
        self.clock = clock
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
        association = association_line(self.content, self.texts)
        if association is not None:
            self.say(association, "note")
        self.conversation = self.journey.next()
        recalled = self.journey.advice_to_recall(self.conversation)
        # An advice that stands without a new triage stays in the banner (F8) instead.
        if recalled is not None and recalled.screen_again:
            self.say_key(PREVIOUS_ADVICE)
            for message in recalled.messages:
                self.say(message, "companion old")
            self.say_key(SCREEN_AGAIN)
        await self._begin()

    # showing -------------------------------------------------------------------------------

    def say(self, text: str | Text, who: str = "companion", key: str = "") -> None:
        log = self.query_one("#log", VerticalScroll)
        if who == "patient":
            log.mount(Horizontal(Bubble(text, who, key), classes="patient-row"))
        else:
            log.mount(Bubble(with_deviation_note(text, self.texts, key), who, key))
        log.scroll_end(animate=False)

    def say_key(self, key: str) -> None:
        self.say(self.texts.text(key), "companion", key)

    def shown_messages(self) -> list[tuple[str, str]]:
        return [(str(b.render()), b.key) for b in self.query(Bubble) if b.key]

    def refresh_alert(self) -> None:
        alert = self.query_one("#alert", Static)
        standing = self.journey.standing_escalation()
        alert.display = standing is not None
        if standing is not None:
            alert.update(self.texts.ui(ALERT_BANNER))
        self.app.refresh_bindings()  # F8 shows only while an escalation stands

    def on_click(self, event: Click) -> None:
        if event.widget is not None and event.widget.id == "alert":
            self.post_message(self.AdviceWanted())

    async def take_action(self, action: str) -> None:
        """What the patient said about the episode: the journey picks the conversation."""
        if self.conversation is not None or action not in self.journey.episode_actions():
            return
        self.conversation = self.journey.take_action(action)
        await self._begin()

    async def _begin(self) -> None:
        if self.conversation is None:
            self.say("\n".join(today_lines(self.journey.today(), self.texts)))
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
        if outcome.disposition is not None:
            self.say(advice_given(self.texts, self.clock.now()))
        keys = outcome.message_keys or [""] * len(outcome.messages)
        who = f"companion {outcome.disposition}" if escalated(outcome.disposition) else "companion"
        for message, key in zip(outcome.messages, keys, strict=False):
            self.say(message, who, key)
        for advice in outcome.advice:
            advice_keys = advice.message_keys or [""] * len(advice.messages)
            for message, key in zip(advice.messages, advice_keys, strict=False):
                self.say(message, "companion", key)
        for section in outcome_sections(outcome, self.texts):
            self.say(
                "\n".join([section.heading, *(f"- {item}" for item in section.items)]), "summary"
            )
        if self.conversation is not None:
            for module in self.journey.modules_offered_by(self.conversation):
                self.say(module.as_text(), "companion module")
        if escalated(outcome.disposition):
            assert self.conversation is not None
            self.refresh_alert()
            escalation = StandingEscalation(self.conversation.key, outcome)
            self.post_message(self.Escalated(escalation))
        if not Journey.goes_on_after(outcome):
            self.conversation = None
            await self._ask(None)
            return
        self.conversation = self.journey.next()
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
        if self.question.answer_type != "number" and button_number(text, len(buttons)):
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
        elif not typing and button_number(event.character, len(buttons)):
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
