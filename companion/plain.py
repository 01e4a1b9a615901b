"""The plain line-by-line conversation (`companion`, `companion --plain`).

Text only, one line at a time, numbered choices: usable with a screen reader
and over any terminal. A thin driver: the engine decides within a
conversation, the journey decides which conversation comes next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from companion.clock import Clock, SystemClock
from companion.dialogue.engine import Outcome, QuestionView, Session, Turn
from companion.files.untrusted import visible
from companion.journey.journey import (
    EDUCATION,
    SELF_CARE_PATH,
    TRIAGE,
    Journey,
    Today,
    education_inputs,
)
from companion.resources import Library
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_

Ask = Callable[[str], str]
"""Reads one line after showing a prompt; raises EOFError when input ends."""
Say = Callable[[str], None]

# Interface texts of the plain conversation (gettext msgids, companion/texts/i18n.py).
CHOOSE_LANGUAGE = N_("Choose your language.")
ASSOCIATION = N_("This information comes from {association}: {website}")
ADVICE_GIVEN = N_("Advice of {date} at {time}")
REASONS_HEADING = N_("Why this advice")
UNKNOWN_HEADING = N_("You did not know these: tell the doctor")
ANSWERS_HEADING = N_("Your answers")
GOODBYE = N_("Thank you for your answers. Get well soon.")
INPUT_CLOSED = "end.input_closed"
"""Content key (a medical message, with sources): the alarm signs when the questions stop."""


class Talk(Protocol):
    """A session, or a stored conversation around one."""

    def start(self) -> Turn: ...

    def answer(self, text: str) -> Turn: ...


def choose_language(content: Content, ask: Ask, say: Say) -> str:
    """Asks for the language; raises EOFError when the input ends first."""
    languages = sorted(content.languages)
    if len(languages) == 1:
        return languages[0]
    for lang in languages:
        # Bilingual on purpose: each language asks in its own words.
        say(content.localizer(lang).ui(CHOOSE_LANGUAGE))
    for number, lang in enumerate(languages, start=1):
        say(f"  {number}) {content.languages[lang].info.name}")
    while True:
        reply = ask("> ").strip().lower()
        if reply.isdigit() and 1 <= int(reply) <= len(languages):
            return languages[int(reply) - 1]
        for lang in languages:
            if reply in (lang, content.languages[lang].info.name.lower()):
                return lang


def show_question(question: QuestionView, say: Say) -> None:
    say("")
    say(question.text)
    if question.help:
        say(f"  ({question.help})")
    if question.answer_type == "number":
        # Typed digits are the answer here, so the buttons get no numbers of their own.
        say("  " + "   ".join(f"[{c.label}]" for c in question.choices))
        return
    say("  " + "   ".join(f"{n}) {c.label}" for n, c in enumerate(question.choices, start=1)))


def show_outcome(
    outcome: Outcome, texts: Localizer, say: Say, when: datetime | None = None
) -> None:
    """The advice, why, what was not known and every answer; ``when`` (from the
    driver's clock) dates an advice so a doctor can see how old it is."""
    say("")
    if when is not None and outcome.disposition is not None:
        say(
            texts.ui(
                ADVICE_GIVEN, date=texts.format_date(when, "full"), time=texts.format_time(when)
            )
        )
    for message in outcome.messages:
        say(message)
    if outcome.disposition is None:
        return  # an education flow: no advice to justify, no answers to hand a doctor
    if outcome.reasons:
        say("")
        say(texts.ui(REASONS_HEADING))
        for answer in outcome.reasons:
            say(f"  - {answer.question_text} {answer.shown}")
    if outcome.unknown:
        say("")
        say(texts.ui(UNKNOWN_HEADING))
        for answer in outcome.answers:
            if answer.concept in outcome.unknown:
                say(f"  - {answer.question_text}")
    say("")
    say(texts.ui(ANSWERS_HEADING))
    for answer in outcome.answers:
        say(f"  - {answer.question_text} {answer.shown}")


def show_turn(turn: Turn, texts: Localizer, say: Say, when: datetime | None = None) -> None:
    for message in turn.messages:
        say(message)
    if turn.problem:
        say(turn.problem)
    if turn.question is not None:
        show_question(turn.question, say)
    if turn.outcome is not None:
        show_outcome(turn.outcome, texts, say, when)


def run_plain(
    library: Library,
    language: str | None,
    region: str | None,
    ask: Ask,
    say: Say,
    clock: Clock | None = None,
) -> int:
    """One triage (and education after it) without storing anything.

    ``clock`` dates the advice (default: the computer's clock)."""
    clock = clock or SystemClock()
    if language is None:
        try:
            language = choose_language(library.content, ask, say)
        except EOFError:
            return 1
    session = library.session("triage", language, region)
    show_association(library.content, session.texts, say)
    outcome = converse(session, session.texts, ask, say, clock)
    if outcome is None:
        say("")
        say(session.texts.text(INPUT_CLOSED))
        return 1
    education = education_session(library, session, outcome)
    if education is not None:
        # The triage advice has been given: input ending here only ends the explanation.
        say("")
        converse(education, education.texts, ask, say, clock)
    say("")
    say(session.texts.ui(GOODBYE))
    return 0


def show_association(content: Content, texts: Localizer, say: Say) -> None:
    """An association's pack names itself and its website before anything else."""
    if content.association is not None:
        say(
            texts.ui(
                ASSOCIATION,
                association=visible(content.association.association),
                website=visible(content.association.website),
            )
        )
        say("")


def converse(
    talk: Talk, texts: Localizer, ask: Ask, say: Say, clock: Clock | None = None
) -> Outcome | None:
    """Runs one conversation to its end; None when the input ends first.

    With a ``clock`` the advice at the end is dated."""
    turn = talk.start()
    show_turn(turn, texts, say, _now(turn, clock))
    while turn.outcome is None:
        try:
            reply = ask("> ")
        except EOFError:
            return None
        turn = talk.answer(reply)
        show_turn(turn, texts, say, _now(turn, clock))
    return turn.outcome


def _now(turn: Turn, clock: Clock | None) -> datetime | None:
    return clock.now() if clock is not None and turn.outcome is not None else None


def education_session(library: Library, triage: Session, outcome: Outcome) -> Session | None:
    """The education flow in the triage's language and region, given what triage learnt."""
    compiled = library.flows.get(EDUCATION)
    disposition = outcome.disposition
    if compiled is None or disposition not in SELF_CARE_PATH:
        return None
    answers = {answer.concept: answer.value for answer in outcome.answers}
    inputs = education_inputs(compiled.flow, disposition, answers)
    return library.session(EDUCATION, triage.language, triage.region, inputs=inputs)


def run_journey(
    journey: Journey, texts: Localizer, ask: Ask, say: Say, clock: Clock | None = None
) -> int:
    """The stored conversation: resumes, then goes on until nothing more is due today.

    With a ``clock`` (the journey's) every advice is dated."""
    previous = journey.last_escalation()
    conversation = journey.next()
    if previous and conversation and conversation.flow_id == TRIAGE and not conversation.resumed:
        say(texts.text("journey.previous_advice"))
        for message in previous.messages:
            say(f"  {message}")
        say(texts.text("journey.screen_again"))
        say("")
    while conversation is not None:
        if conversation.resumed:
            say(texts.text("journey.resumed"))
        outcome = converse(conversation, texts, ask, say, clock)
        if outcome is None:
            say("")
            say(texts.text("journey.saved"))
            say(texts.text(INPUT_CLOSED))
            return 1
        if not Journey.goes_on_after(outcome):
            return 0
        say("")
        conversation = journey.next()
    show_today(journey.today(), texts, say)
    say(texts.ui(GOODBYE))
    return 0


def show_today(today: Today, texts: Localizer, say: Say) -> None:
    say("")
    if today.day is not None:
        say(texts.text("journey.day", day=today.day))
    if today.paused:
        say(texts.text("journey.plan_paused"))
    elif today.quotas:
        say(texts.text("journey.today_heading"))
        for quota in today.quotas:
            activity = visible(quota.name or _activity_label(texts, quota.kind))
            amount = texts.text(f"journey.unit.{quota.unit}", count=quota.amount)
            say(f"  - {activity}: {amount}")
    say(texts.text("journey.done_today"))


def _activity_label(texts: Localizer, kind: str) -> str:
    key = f"plan.activity.{kind}"
    return texts.text(key) if texts.has(key) else kind
