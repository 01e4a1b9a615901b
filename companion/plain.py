"""The plain line-by-line conversation (`companion --plain`).

Text only, one line at a time, numbered choices: usable with a screen reader
and over any terminal. A thin driver: all decisions are the engine's.
"""

from __future__ import annotations

from collections.abc import Callable

from companion.conditions import AnswerValue
from companion.content import Content, Localizer
from companion.engine import Outcome, QuestionView, Session, Turn
from companion.resources import Library

Ask = Callable[[str], str]
"""Reads one line after showing a prompt; raises EOFError when input ends."""
Say = Callable[[str], None]


def choose_language(content: Content, ask: Ask, say: Say) -> str:
    """Asks for the language; raises EOFError when the input ends first."""
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
    if question.answer_type == "number":
        # Typed digits are the answer here, so the buttons get no numbers of their own.
        say("  " + "   ".join(f"[{c.label}]" for c in question.choices))
        return
    say("  " + "   ".join(f"{n}) {c.label}" for n, c in enumerate(question.choices, start=1)))


def show_outcome(outcome: Outcome, texts: Localizer, say: Say) -> None:
    say("")
    for message in outcome.messages:
        say(message)
    if outcome.disposition is None:
        return  # an education flow: no advice to justify, no answers to hand a doctor
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
    if language is None:
        try:
            language = choose_language(library.content, ask, say)
        except EOFError:
            return 1
    session = library.session("triage", language, region)
    outcome = converse(session, ask, say)
    if outcome is None:
        say("")
        say(session.texts.text("ui.input_closed"))
        return 1
    education = education_session(library, session, outcome)
    if education is not None:
        # The triage advice has been given: input ending here only ends the explanation.
        say("")
        converse(education, ask, say)
    say("")
    say(session.texts.text("ui.goodbye"))
    return 0


def converse(session: Session, ask: Ask, say: Say) -> Outcome | None:
    """Runs one session to its end; None when the input ends first."""
    turn = session.start()
    show_turn(turn, session, say)
    while turn.outcome is None:
        try:
            reply = ask("> ")
        except EOFError:
            return None
        turn = session.answer(reply)
        show_turn(turn, session, say)
    return turn.outcome


EDUCATION_FLOW = "education"
EDUCATION_AFTER = ("self_care", "gp_soon")
"""Triage outcomes followed by the education flow (clinical brief sections 2-3)."""


def education_session(library: Library, triage: Session, outcome: Outcome) -> Session | None:
    """The education flow in the triage's language and region, given what triage learnt."""
    compiled = library.flows.get(EDUCATION_FLOW)
    disposition = outcome.disposition
    if compiled is None or disposition is None or disposition not in EDUCATION_AFTER:
        return None
    known: dict[str, AnswerValue] = {"disposition": disposition}
    known.update({answer.concept: answer.value for answer in outcome.answers})
    inputs = {name: value for name, value in known.items() if name in compiled.flow.inputs}
    return library.session(EDUCATION_FLOW, triage.language, triage.region, inputs=inputs)
