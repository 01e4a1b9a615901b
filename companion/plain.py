"""The plain line-by-line conversation (`companion`, `companion --plain`).

Text only, one line at a time, numbered choices: usable with a screen reader
and over any terminal. A thin driver: the engine decides within a
conversation, the journey decides which conversation comes next.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from companion.clock import Clock, SystemClock
from companion.dialogue.engine import Outcome, QuestionView, Turn
from companion.journey.journey import EDUCATION, TRIAGE, Conversation, Journey, Today
from companion.present import (
    EPISODE_ACTIONS_ASK,
    GOODBYE,
    INPUT_CLOSED,
    PREVIOUS_ADVICE,
    SCREEN_AGAIN,
    advice_given,
    association_line,
    episode_action_label,
    outcome_sections,
    today_lines,
)
from companion.resources import Library
from companion.store import open_store
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_

Ask = Callable[[str], str]
"""Reads one line after showing a prompt; raises EOFError when input ends."""
Say = Callable[[str], None]

# Interface texts of the plain conversation (gettext msgids, companion/texts/i18n.py).
CHOOSE_LANGUAGE = N_("Choose your language.")
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
        say(advice_given(texts, when))
    say_messages(outcome.messages, outcome.message_keys, texts, say)
    for section in outcome_sections(outcome, texts):
        say("")
        say(section.heading)
        for item in section.items:
            say(f"  - {item}")


def say_messages(messages: list[str], keys: list[str], texts: Localizer, say: Say) -> None:
    """Each message, and below one an association's overlay replaced, the note that says so."""
    for message, key in zip(messages, keys or [""] * len(messages), strict=False):
        say(message)
        note = texts.deviation_note(key) if key else None
        if note is not None:
            say(f"  ({note})")


def show_turn(turn: Turn, texts: Localizer, say: Say, when: datetime | None = None) -> None:
    say_messages(turn.messages, turn.message_keys, texts, say)
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
    """One triage (and education after it) without keeping anything (`--no-save`).

    The journey leads, as in the stored conversation, on a folder deleted at the end;
    the conversation stops where the journey would go on to the plan.
    ``clock`` dates the advice (default: the computer's clock)."""
    clock = clock or SystemClock()
    if language is None:
        try:
            language = choose_language(library.content, ask, say)
        except EOFError:
            return 1
    texts = library.content.localizer(language, region)
    show_association(library.content, texts, say)
    with (
        tempfile.TemporaryDirectory(prefix="companion-") as folder,
        open_store(Path(folder), clock=clock) as store,
    ):
        journey = Journey(library, store, clock, language, region)
        return _triage_then_education(journey, texts, ask, say, clock)


def _triage_then_education(
    journey: Journey, texts: Localizer, ask: Ask, say: Say, clock: Clock
) -> int:
    conversation = journey.next()
    while conversation is not None and conversation.flow_id in (TRIAGE, EDUCATION):
        outcome = converse(conversation, texts, ask, say, clock)
        if outcome is None and conversation.flow_id == TRIAGE:
            say("")
            say(texts.text(INPUT_CLOSED))
            return 1
        if outcome is None or not Journey.goes_on_after(outcome):
            break  # after the advice, input ending only ends the explanation
        show_offered_modules(journey, conversation, say)
        conversation = journey.next()
        if conversation is not None and conversation.flow_id == EDUCATION:
            say("")
    say("")
    say(texts.ui(GOODBYE))
    return 0


def show_offered_modules(journey: Journey, conversation: Conversation, say: Say) -> None:
    """The education modules this conversation offered (the journey decides which)."""
    for module in journey.modules_offered_by(conversation):
        say("")
        say(module.as_text())


def show_association(content: Content, texts: Localizer, say: Say) -> None:
    """An association's pack names itself and its website before anything else."""
    line = association_line(content, texts)
    if line is not None:
        say(line)
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


def run_journey(
    journey: Journey, texts: Localizer, ask: Ask, say: Say, clock: Clock | None = None
) -> int:
    """The stored conversation: resumes, then goes on until nothing more is due today, and
    offers what the patient may say about the episode ("my back is fine again").

    With a ``clock`` (the journey's) every advice is dated. An urgent advice that still
    stands is repeated first, as the app's banner keeps it in view."""
    conversation = journey.next()
    recalled = journey.advice_to_recall(conversation)
    if recalled is not None:
        say(texts.text(PREVIOUS_ADVICE))
        for message in recalled.messages:
            say(f"  {message}")
        if recalled.screen_again:
            say(texts.text(SCREEN_AGAIN))
        say("")
    stopped = _hold_due(journey, conversation, texts, ask, say, clock)
    if stopped is not None:
        return stopped
    show_today(journey.today(), texts, say)
    # Offered once a run: right after "fine again", "the pain is back" would only confuse.
    action = choose_episode_action(journey, texts, ask, say)
    if action is not None:
        say("")
        stopped = _hold_due(journey, journey.take_action(action), texts, ask, say, clock)
        if stopped is not None:
            return stopped
        show_today(journey.today(), texts, say)
    say(texts.ui(GOODBYE))
    return 0


def _hold_due(
    journey: Journey,
    conversation: Conversation | None,
    texts: Localizer,
    ask: Ask,
    say: Say,
    clock: Clock | None,
) -> int | None:
    """Holds ``conversation`` and every one due after it; an exit status when it stopped
    early (input closed, or an escalation to act on first)."""
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
        show_offered_modules(journey, conversation, say)
        say("")
        conversation = journey.next()
    return None


def choose_episode_action(journey: Journey, texts: Localizer, ask: Ask, say: Say) -> str | None:
    """What the journey offers about the episode ("my back is fine again", "the pain is
    back"), as numbered choices; None when nothing is offered or the patient stops."""
    actions = journey.episode_actions()
    if not actions:
        return None
    say("")
    for number, action in enumerate(actions, start=1):
        say(f"  {number}) {episode_action_label(texts, action)}")
    say(texts.ui(EPISODE_ACTIONS_ASK))
    try:
        reply = ask("> ").strip()
    except EOFError:
        return None
    if reply.isdigit() and 1 <= int(reply) <= len(actions):
        return actions[int(reply) - 1]
    return None


def show_today(today: Today, texts: Localizer, say: Say) -> None:
    say("")
    for line in today_lines(today, texts):
        say(line)
