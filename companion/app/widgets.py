"""The widgets every screen uses: text shown as text (never markup), chat bubbles,
choice buttons and the answer line."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.content import Content
from textual.events import Click, Paste
from textual.message import Message
from textual.widgets import Button, Input, Static

from companion.files.untrusted import visible
from companion.texts.content import Localizer


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


def with_deviation_note(text: str | Text, texts: Localizer, key: str) -> str | Text:
    """A message an association's overlay replaced, with the note that says so below it."""
    note = texts.deviation_note(key) if key else None
    if note is None:
        return text
    if isinstance(text, Text):
        return Text.assemble(text, "\n", Text(note, style="italic"))
    return f"{text}\n{note}"


class Bubble(Plain):
    """One message in the chat; a companion message remembers its content key."""

    class SourceWanted(Message):
        """The patient clicked a message: the app shows where it comes from."""

        def __init__(self, text: str, key: str) -> None:
            super().__init__()
            self.text = text
            self.key = key

    def __init__(self, text: str | Text, who: str, key: str = "") -> None:
        super().__init__(text, classes=f"bubble {who}")
        self.key = key

    def on_click(self, event: Click) -> None:
        if self.key:
            self.post_message(self.SourceWanted(str(self.render()), self.key))


class ChoiceButton(Button):
    def __init__(self, label: str, value: str, index: int) -> None:
        super().__init__(plain(f"{index}. {label}"), id=f"choice-{value}", compact=True)
        self.value = value
        self.label_text = label


def button_number(character: str | None, buttons: int) -> bool:
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
