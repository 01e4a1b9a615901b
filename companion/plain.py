"""The plain line-by-line conversation (`companion --plain`).

Text only, one line at a time, numbered choices: usable with a screen reader
and over any terminal. A thin driver: all decisions are the engine's.
"""

from __future__ import annotations

from collections.abc import Callable

from companion.content import Content, Localizer
from companion.engine import Outcome, QuestionView, Session, Turn
from companion.resources import Library

Ask = Callable[[str], str]
"""Reads one line after showing a prompt; raises EOFError when input ends."""
Say = Callable[[str], None]


def choose_language(content: Content, ask: Ask, say: Say) -> str:
    languages = sorted(content.languages)
    if len(languages) == 1:
        return languages[0]
    for lang in languages:
        say(content.localizer(lang).text("ui.choose_language"))
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
    say("  " + "   ".join(f"{n}) {c.label}" for n, c in enumerate(question.choices, start=1)))


def show_outcome(outcome: Outcome, texts: Localizer, say: Say) -> None:
    say("")
    for message in outcome.messages:
        say(message)
    if outcome.reasons:
        say("")
        say(texts.text("ui.outcome.reasons_heading"))
        for answer in outcome.reasons:
            say(f"  - {answer.question_text} {answer.shown}")
    if outcome.unknown:
        say("")
        say(texts.text("ui.outcome.unknown_heading"))
        for answer in outcome.answers:
            if answer.concept in outcome.unknown:
                say(f"  - {answer.question_text}")
    say("")
    say(texts.text("ui.outcome.answers_heading"))
    for answer in outcome.answers:
        say(f"  - {answer.question_text} {answer.shown}")


def show_turn(turn: Turn, session: Session, say: Say) -> None:
    for message in turn.messages:
        say(message)
    if turn.problem:
        say(turn.problem)
    if turn.question is not None:
        show_question(turn.question, say)
    if turn.outcome is not None:
        show_outcome(turn.outcome, session.texts, say)


def run_plain(
    library: Library, language: str | None, region: str | None, ask: Ask, say: Say
) -> int:
    language = language or choose_language(library.content, ask, say)
    session = library.session("triage", language, region)
    turn = session.start()
    show_turn(turn, session, say)
    while not turn.finished:
        try:
            reply = ask("> ")
        except EOFError:
            say("")
            say(session.texts.text("ui.input_closed"))
            return 1
        turn = session.answer(reply)
        show_turn(turn, session, say)
    say("")
    say(session.texts.text("ui.goodbye"))
    return 0
