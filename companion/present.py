"""Driver-neutral wording around the conversations: what both the plain terminal and the
app say, built once here and laid out by each driver (lines there, bubbles here).

Nothing here decides: the engine and the journey do; this only words what they decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from companion.care.plan import Activity, Plan
from companion.care.support import Support
from companion.dialogue.engine import Outcome
from companion.files.untrusted import visible
from companion.journey.activity_words import activity_called, activity_words
from companion.journey.episodes import BACK_FINE, PAIN_BACK
from companion.journey.journey import Quota, Today
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_

# Interface texts shown by every driver (gettext msgids, companion/texts/i18n.py).
ASSOCIATION = N_("This information comes from {association}: {website}")
ADVICE_GIVEN = N_("Advice of {date} at {time}")
REASONS_HEADING = N_("Why this advice")
UNKNOWN_HEADING = N_("You did not know these: tell the doctor")
ANSWERS_HEADING = N_("Your answers")
GOODBYE = N_("Thank you for your answers. Get well soon.")
SET_BY = N_("Plan set by {name}")
WEEK_NOTE = N_("Note for this week: {note}")
NEXT_CHECKIN = N_("Next check-in: {day}.")
NEXT_STEP = N_("Next step of your plan: {day}. New day goals: {goals}.")
TODAY = N_("today")
TOMORROW = N_("tomorrow")

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


def support_message(support: Support | None) -> str | None:
    """Content key of what the support level a conversation placed means, if it placed one."""
    return None if support is None else f"support.level.{support.level}"


def advice_messages(outcome: Outcome) -> tuple[list[str], list[str]]:
    """The texts of the milestone advice that fired, with their content keys (parallel)."""
    messages: list[str] = []
    keys: list[str] = []
    for advice in outcome.advice:
        messages.extend(advice.messages)
        keys.extend(advice.message_keys or [""] * len(advice.messages))
    return messages, keys


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
    lines.extend(coming_lines(today, texts))
    lines.append(texts.text("journey.done_today"))
    return lines


def coming_lines(today: Today, texts: Localizer) -> list[str]:
    """When the next check-in is, and the next day the plan's day goals rise."""
    lines = []
    if today.next_checkin is not None:
        lines.append(texts.ui(NEXT_CHECKIN, day=day_words(texts, today.next_checkin, today.on)))
    if today.next_step is not None and today.plan is not None:
        goals = goal_words(today.plan, today.next_step.quotas, texts)
        day = day_words(texts, today.next_step.day, today.on)
        lines.append(texts.ui(NEXT_STEP, day=day, goals=goals))
    return lines


def day_words(texts: Localizer, day: date, today: date | None) -> str:
    """ "today", "tomorrow", else the date in full ("donderdag 3 december 2026")."""
    if day == today:
        return texts.ui(TODAY)
    if today is not None and day == today + timedelta(days=1):
        return texts.ui(TOMORROW)
    return texts.format_date(day, "full")


def goal_words(plan: Plan, quotas: tuple[int, ...], texts: Localizer) -> str:
    """ "wandelen: 20 minuten, fietsen: 15 minuten": each activity's day goal."""
    return ", ".join(
        f"{visible(activity_name(activity, texts))}: "
        + texts.text(f"journey.unit.{activity.unit}", count=amount)
        for activity, amount in zip(plan.activities, quotas, strict=True)
    )


def activity_name(activity: Activity, texts: Localizer) -> str:
    """The plan's own name in the reader's language, else the kind of activity."""
    named = activity.name.label(texts.language) if activity.name else None
    return named or activity_label(texts, activity.kind)


def episode_action_label(texts: Localizer, action: str) -> str:
    return texts.ui(EPISODE_ACTIONS[action])


def quota_lines(quota: Quota, texts: Localizer) -> list[str]:
    """One activity: its day's amount and how often a day, then the therapist's instruction."""
    words = activity_words(
        texts, quota.kind, quota.name, quota.unit, quota.amount, quota.times_per_day
    )
    lines = [f"  - {words}"]
    if quota.instruction:
        lines.extend(f"    {line}" for line in visible(quota.instruction).splitlines())
    return lines


def activity_label(texts: Localizer, kind: str) -> str:
    return activity_called(texts, kind, None)


def day_goal_answer(texts: Localizer, value: str) -> str:
    """The answer "done", "partly" or "not" in the patient's words (the check-in's options)."""
    return texts.text(f"checkin.quota.{value}")


INPUT_CLOSED = "end.input_closed"
"""Content key: what a driver says when input ends before the advice (checked by `check`)."""
