"""My back (F10): what the patient may say about the episode, as buttons.

The journey decides what is offered ("my back is fine again" while an episode runs, "the
pain is back" once it ended); this screen only shows it and tells the app the choice with
an :class:`EpisodeScreen.Chosen` message. The conversation that follows runs in the chat."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.widgets import Button

from companion.app.labels import KEY_EPISODE
from companion.app.page import Page
from companion.app.widgets import Plain, plain
from companion.present import episode_action_label
from companion.texts.content import Localizer
from companion.texts.i18n import N_

NOTHING_TO_CHOOSE = N_("There is nothing to choose here now.")


class EpisodeScreen(Page):
    class Chosen(Message):
        """The patient chose an action the journey offered."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def __init__(self, texts: Localizer, actions: list[str]) -> None:
        super().__init__(texts)
        self.actions = actions

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.ui(KEY_EPISODE), classes="heading")
            if not self.actions:
                yield Plain(self.texts.ui(NOTHING_TO_CHOOSE))
            with Grid(id="episode-actions"):
                for number, action in enumerate(self.actions, start=1):
                    label = f"{number}. {episode_action_label(self.texts, action)}"
                    yield Button(plain(label), id=f"episode-{action}", compact=True)
            yield self.back_button()

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()  # Enter out of habit only goes back

    @on(Button.Pressed, "#episode-actions Button")
    def _chosen(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("episode-")
        self.app.post_message(self.Chosen(action))
        self.dismiss(None)
