"""Today (F2): the day of the episode, today's day goals, and a key to report them.

The keys come from the language (``day_goal_keys`` in ``<lang>/pack.yaml``: J / D / N in
Dutch, O / P / N in French), so a Dutch reader's D is "Deels"; the stored answer stays
done / partly / not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Button, Static

from companion.app.labels import KEY_TODAY
from companion.app.page import Page
from companion.app.widgets import Plain, plain
from companion.journey.journey import Today
from companion.journey.quota import QuotaReports
from companion.present import day_goal_answer, today_lines
from companion.texts.content import Localizer
from companion.texts.i18n import N_

TODAY_ASK = N_("Did you do your day goal today? Press {done}, {partly} or {not}.")
TODAY_NOTED = N_("Noted for today: {answer}")
TODAY_NOTES = N_("From your care provider:")
NOTE_FROM = N_("{sender}, {date}:")


class ProfessionalNote(Protocol):
    """A note from the patient's professional (a practice: companion/practice/notes.py)."""

    @property
    def at(self) -> datetime: ...
    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...


class TodayScreen(Page):
    def __init__(
        self,
        texts: Localizer,
        today: Today,
        reports: QuotaReports,
        notes: Sequence[ProfessionalNote] = (),
    ) -> None:
        super().__init__(texts)
        self.notes = list(notes)
        """A practice's notes from the professional, newest last (text, never markup)."""
        self.today = today
        self.reports = reports
        self.done_keys = texts.day_goal_keys
        """Key -> stored answer, in the patient's language."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Plain(self.texts.ui(KEY_TODAY), classes="heading")
            yield Plain("\n".join(today_lines(self.today, self.texts)))
            if self.notes:
                yield Plain(self.texts.ui(TODAY_NOTES), classes="heading")
                yield Plain("\n\n".join(map(self._note, self.notes)), id="today-notes")
            if self.today.quotas:
                yield Plain(self._ask(), id="today-ask")
                with Grid(id="done-buttons"):
                    for key, value in self.done_keys.items():
                        label = f"{key.upper()}. {day_goal_answer(self.texts, value)}"
                        yield Button(plain(label), id=f"done-{value}", compact=True)
                yield Plain(self._noted(), id="today-noted")
            yield self.back_button()

    def _note(self, note: ProfessionalNote) -> str:
        date = self.texts.format_date(note.at.date(), "long")
        return f"{self.texts.ui(NOTE_FROM, sender=note.sender, date=date)}\n{note.text}"

    def _ask(self) -> str:
        keys = {value: key.upper() for key, value in self.done_keys.items()}
        return self.texts.ui(TODAY_ASK, **keys)

    def _noted(self) -> str:
        value = self.reports.today()
        if value is None:
            return ""
        return self.texts.ui(TODAY_NOTED, answer=day_goal_answer(self.texts, value))

    def on_mount(self) -> None:
        buttons = self.query(Button)
        if buttons:
            buttons.first().focus()

    def on_key(self, event: events.Key) -> None:
        value = self.done_keys.get(event.key)
        if value is not None:
            event.stop()
            self.action_done(value)

    def action_done(self, value: str) -> None:
        if not self.today.quotas:
            return
        self.reports.report(value)
        self.query_one("#today-noted", Static).update(self._noted())

    @on(Button.Pressed, "#done-buttons Button")
    def _done_button(self, event: Button.Pressed) -> None:
        self.action_done((event.button.id or "done-done").removeprefix("done-"))
