"""A small form for homework with one activity: it writes the plan file's text for the
Homework screen, where the professional reads it and assigns it (the practice API checks
it as ``companion plan check`` does; the form checks nothing itself)."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar, get_args

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from companion.app.widgets import Plain, plain
from companion.care.plan import ActivityKind, Unit
from companion.texts.content import Localizer
from companion.texts.i18n import N_

FORM_HEADING = N_("Homework with one activity")
FORM_KIND = N_("Activity")
FORM_UNIT = N_("Counted in")
FORM_BASELINE = N_("Day goal at the start")
FORM_GOAL = N_("Day goal at the end")
FORM_STEP = N_("Raise the day goal every ... days")
FORM_WEEKS = N_("Weeks to reach the goal")
KEY_FILL_IN = N_("Fill in the plan file")
KEY_CANCEL = N_("Cancel")
DEFAULTS = {"baseline": "10", "goal": "30", "step": "3", "weeks": "8"}
WHOLE = re.compile(r"[0-9]{1,4}")


def plan_text(today: date, kind: str, unit: str, numbers: dict[str, str]) -> str:
    """The plan file for one activity, starting today. Whole numbers only (anything else
    becomes 0, which the practice API then refuses with its reason); it checks the ranges."""
    whole = {key: value if WHOLE.fullmatch(value) else "0" for key, value in numbers.items()}
    return "\n".join(
        [
            "version = 1",
            f"start = {today.isoformat()}",
            'created_by = "physiotherapist"',
            "",
            "[[activities]]",
            f'kind = "{kind}"',
            f'unit = "{unit}"',
            f"baseline = {whole['baseline']}",
            f"goal = {whole['goal']}",
            f"step_every_days = {whole['step']}",
            f"weeks = {whole['weeks']}",
            "",
        ]
    )


class PlanFormScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, texts: Localizer, today: date) -> None:
        super().__init__()
        self.texts = texts
        self.today = today

    def _label(self, prefix: str, value: str) -> Text:
        key = f"{prefix}.{value}"
        return Text(self.texts.text(key) if self.texts.has(key) else value)

    def compose(self) -> ComposeResult:
        ui = self.texts.ui
        with VerticalScroll(classes="page"):
            yield Plain(ui(FORM_HEADING), classes="heading")
            yield Label(plain(ui(FORM_KIND)))
            kinds = [(self._label("report.kind", k), k) for k in get_args(ActivityKind)]
            yield Select(kinds, value="walking", allow_blank=False, id="form-kind", compact=True)
            yield Label(plain(ui(FORM_UNIT)))
            units = [(self._label("report.unit", u), u) for u in get_args(Unit)]
            yield Select(units, value="minutes", allow_blank=False, id="form-unit", compact=True)
            for field, msgid in (
                ("baseline", FORM_BASELINE),
                ("goal", FORM_GOAL),
                ("step", FORM_STEP),
                ("weeks", FORM_WEEKS),
            ):
                yield Label(plain(ui(msgid)))
                yield Input(
                    DEFAULTS[field], type="integer", max_length=4, id=f"form-{field}", compact=True
                )
            with Horizontal(id="form-actions"):
                yield Button(plain(ui(KEY_FILL_IN)), id="fill-in", compact=True)
                yield Button(plain(ui(KEY_CANCEL)), id="cancel", compact=True)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#fill-in")
    def _fill_in(self) -> None:
        numbers = {
            field: self.query_one(f"#form-{field}", Input).value
            for field in ("baseline", "goal", "step", "weeks")
        }
        kind = str(self.query_one("#form-kind", Select).value)
        unit = str(self.query_one("#form-unit", Select).value)
        self.dismiss(plan_text(self.today, kind, unit, numbers))
