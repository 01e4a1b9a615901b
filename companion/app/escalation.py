"""The escalation screen: cannot be missed (colour, title, action, phone numbers, and why).

Dismissed with True when the patient reports having contacted the doctor; the app records
that through the journey, which then no longer counts the advice as standing."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Button

from companion.app.widgets import Bubble, Plain, plain, with_deviation_note
from companion.care.dispositions import urgent
from companion.journey.standing import StandingEscalation
from companion.present import REASONS_HEADING
from companion.texts.content import Localizer
from companion.texts.i18n import N_

ACKNOWLEDGE = N_("I have read this")
CONTACTED_GP = N_("I have contacted my doctor")


class EscalationScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "acknowledge", "Back")]

    def __init__(self, escalation: StandingEscalation, texts: Localizer) -> None:
        super().__init__(classes=escalation.disposition or "")
        self.escalation = escalation
        self.texts = texts

    def compose(self) -> ComposeResult:
        outcome = self.escalation.outcome
        messages = self.escalation.messages
        keys = list(outcome.message_keys)
        keys += [""] * (len(messages) - len(keys))
        title_at = next((i for i, k in enumerate(keys) if k.endswith(".title")), 0)
        with Vertical(id="escalation-box"):
            if messages:
                yield Plain(messages[title_at], id="escalation-title")
            with VerticalScroll(id="escalation-body"):
                for i, message in enumerate(messages):
                    if i != title_at:
                        shown = with_deviation_note(message, self.texts, keys[i])
                        yield Bubble(shown, "escalation", keys[i])
                reasons = outcome.reasons
                if reasons:
                    lines = [self.texts.ui(REASONS_HEADING)]
                    lines += [f"- {r.question_text} {r.shown}" for r in reasons]
                    yield Plain("\n".join(lines), id="escalation-why")
            with Grid(id="escalation-buttons"):
                yield Button(plain(self.texts.ui(ACKNOWLEDGE)), id="acknowledge", compact=True)
                if urgent(self.escalation.disposition):
                    yield Button(plain(self.texts.ui(CONTACTED_GP)), id="contacted", compact=True)

    def on_mount(self) -> None:
        self.query_one("#acknowledge", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "contacted")

    def action_acknowledge(self) -> None:
        self.dismiss(False)

    def on_key(self, event: Key) -> None:
        if event.key in ("down", "right", "up", "left"):
            self.focus_next() if event.key in ("down", "right") else self.focus_previous()
            event.stop()
