"""Driver-neutral wording around the conversations: what both the plain terminal and the
app say, built once here and laid out by each driver (lines there, bubbles here).

Nothing here decides: the engine and the journey do; this only words what they decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.dialogue.engine import Outcome
from companion.files.untrusted import visible
from companion.journey.episodes import BACK_FINE, PAIN_BACK
from companion.journey.journey import Quota, Today
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_, N_plural

# Interface texts shown by every driver (gettext msgids, companion/texts/i18n.py).
ASSOCIATION = N_("This information comes from {association}: {website}")
ADVICE_GIVEN = N_("Advice of {date} at {time}")
REASONS_HEADING = N_("Why this advice")
UNKNOWN_HEADING = N_("You did not know these: tell the doctor")
ANSWERS_HEADING = N_("Your answers")
GOODBYE = N_("Thank you for your answers. Get well soon.")
TIMES_PER_DAY = N_plural("{count} time a day", "{count} times a day")
SET_BY = N_("Plan set by {name}")
WEEK_NOTE = N_("Note for this week: {note}")

EPISODE_ACTIONS = {
    BACK_FINE: N_("My back is fine again"),
    PAIN_BACK: N_("The pain is back"),
}
"""What the patient may say about the episode (the journey offers them); the content texts
name the second one in quotes, so its translation and theirs must agree."""
EPISODE_ACTIONS_ASK = N_(
    "Type the number of your choice and press Enter. Press Enter alone to stop."
)

PREVIOUS_ADVICE = "journey.previous_advice"
SCREEN_AGAIN = "journey.screen_again"
"""Content keys around a recalled advice (the second one has sources)."""


@dataclass(frozen=True)
class Section:
    """A heading and its items, e.g. "Why this advice" and one line per reason."""

    heading: str
    items: list[str]


def association_line(content: Content, texts: Localizer) -> str | None:
    """An association's pack names itself and its website before anything else."""
    if content.association is None:
        return None
    return texts.ui(
        ASSOCIATION,
        association=visible(content.association.association),
        website=visible(content.association.website),
    )


def advice_given(texts: Localizer, when: datetime) -> str:
    """Dates an advice, so a doctor can see how old it is."""
    return texts.ui(
        ADVICE_GIVEN, date=texts.format_date(when, "full"), time=texts.format_time(when)
    )


def outcome_sections(outcome: Outcome, texts: Localizer) -> list[Section]:
    """Why the advice, what was not known, and every answer: for the patient and the doctor.

    None for an education flow: it has no advice to justify and no answers to hand on."""
    if outcome.disposition is None:
        return []
    sections: list[Section] = []
    if outcome.reasons:
        reasons = [f"{a.question_text} {a.shown}" for a in outcome.reasons]
        sections.append(Section(texts.ui(REASONS_HEADING), reasons))
    if outcome.unknown:
        unknown = [a.question_text for a in outcome.answers if a.concept in outcome.unknown]
        sections.append(Section(texts.ui(UNKNOWN_HEADING), unknown))
    answers = [f"{a.question_text} {a.shown}" for a in outcome.answers]
    sections.append(Section(texts.ui(ANSWERS_HEADING), answers))
    return sections


def today_lines(today: Today, texts: Localizer) -> list[str]:
    """The day of the episode, today's day goals (or the pause), and that today is done."""
    if today.ended is not None:
        return [texts.text("journey.episode_ended")]
    lines: list[str] = []
    if today.day is not None:
        lines.append(texts.text("journey.day", day=today.day))
    if today.paused:
        lines.append(texts.text("journey.plan_paused"))
    elif today.quotas:
        lines.append(texts.text("journey.today_heading"))
        for quota in today.quotas:
            lines.extend(quota_lines(quota, texts))
        if today.week_note:
            lines.append(texts.ui(WEEK_NOTE, note=visible(today.week_note)))
        if today.set_by:
            lines.append(texts.ui(SET_BY, name=visible(today.set_by)))
    lines.append(texts.text("journey.done_today"))
    return lines


def episode_action_label(texts: Localizer, action: str) -> str:
    return texts.ui(EPISODE_ACTIONS[action])


def quota_lines(quota: Quota, texts: Localizer) -> list[str]:
    """One activity: its day's amount and how often a day, then the therapist's instruction."""
    activity = visible(quota.name or activity_label(texts, quota.kind))
    amount = texts.text(f"journey.unit.{quota.unit}", count=quota.amount)
    if quota.times_per_day is not None:
        how_often = texts.ui_plural(*TIMES_PER_DAY, quota.times_per_day)
        amount = f"{amount}, {how_often}"
    lines = [f"  - {activity}: {amount}"]
    if quota.instruction:
        lines.extend(f"    {line}" for line in visible(quota.instruction).splitlines())
    return lines


def activity_label(texts: Localizer, kind: str) -> str:
    key = f"plan.activity.{kind}"
    return texts.text(key) if texts.has(key) else kind


def day_goal_answer(texts: Localizer, value: str) -> str:
    """The answer "done", "partly" or "not" in the patient's words (the check-in's options)."""
    return texts.text(f"checkin.quota.{value}")


INPUT_CLOSED = "end.input_closed"
"""Content key: what a driver says when input ends before the advice (checked by `check`)."""
