"""One plan activity in the patient's words: its name and the day's amount.

Said the same way on the Today screen (``present.quota_lines``) and in the check-in's
"done?" list (the engine's item words), so the patient recognises what is asked about.
Names come from the plan file: they are made visible as plain text here
(control characters become U+FFFD), never read as markup.
"""

from __future__ import annotations

from companion.files.untrusted import visible
from companion.texts.content import Localizer
from companion.texts.i18n import N_plural

TIMES_PER_DAY = N_plural("{count} time a day", "{count} times a day")


def activity_called(texts: Localizer, kind: str, name: str | None) -> str:
    """The therapist's name for the activity, else the word for its kind."""
    if name:
        return visible(name)
    key = f"plan.activity.{kind}"
    return texts.text(key) if texts.has(key) else kind


def amount_words(texts: Localizer, unit: str, amount: int, times_per_day: int | None) -> str:
    """ "5 keer, 3 keer per dag": the amount is per time when the plan gives how often."""
    words = texts.text(f"journey.unit.{unit}", count=amount)
    if times_per_day is not None:
        words = f"{words}, {texts.ui_plural(*TIMES_PER_DAY, times_per_day)}"
    return words


def activity_words(
    texts: Localizer,
    kind: str,
    name: str | None,
    unit: str,
    amount: int,
    times_per_day: int | None,
) -> str:
    """ "bekken kantelen: 5 keer, 3 keer per dag"."""
    amount_said = amount_words(texts, unit, amount, times_per_day)
    return f"{activity_called(texts, kind, name)}: {amount_said}"
