"""The plain line-by-line conversation (`companion --plain`), driven by a script.

``ask`` replies from a list and raises EOFError when the list runs out, as
``input()`` does when the terminal closes; ``say`` collects the lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest

from companion.cli import main
from companion.dialogue.answers import REASK_EMPTY, REASK_YES_NO
from companion.dialogue.conditions import UNKNOWN
from companion.dialogue.engine import ANSWER_LABELS, RECORDED_AS_UNKNOWN
from companion.plain import CHOOSE_LANGUAGE, INPUT_CLOSED, run_plain
from companion.present import ANSWERS_HEADING, GOODBYE, REASONS_HEADING, UNKNOWN_HEADING
from companion.resources import builtin_library
from companion.texts.content import Localizer
from tests.patients import typed_patient


class Script:
    """Replies to prompts; a callable reply sees the lines said so far."""

    def __init__(self, replies: Iterable[str | Callable[[list[str]], str]] = ()) -> None:
        self.replies = list(replies)
        self.lines: list[str] = []
        self.prompts: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.replies:
            raise EOFError
        reply = self.replies.pop(0)
        return reply(self.lines) if callable(reply) else reply

    def say(self, line: str) -> None:
        self.lines.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def texts(language: str, region: str | None = None) -> Localizer:
    return builtin_library().content.localizer(language, region)


def question_text(language: str, concept: str) -> str:
    flow = builtin_library().flows["triage"].flow
    (question,) = [q for q in flow.questions().values() if q.concept == concept]
    return texts(language).text(question.text)


def patient(language: str, answers: dict[str, str], default: str) -> Callable[[list[str]], str]:
    return typed_patient(language, answers, default)


def run(script: Script, language: str | None, region: str | None = None) -> int:
    return run_plain(builtin_library(), language, region, ask=script.ask, say=script.say)


# --- a whole conversation -----------------------------------------------------------


def test_french_emergency_path() -> None:
    script = Script(["oui"])
    status = run(script, "fr")
    assert status == 0

    session = builtin_library().session("triage", "fr")
    first = session.start()
    outcome = session.choose("yes").outcome
    assert outcome is not None and outcome.disposition == "emergency"
    fr = texts("fr")

    lines = script.lines
    for message in first.messages:
        assert message in lines, "the introduction is shown"
    assert first.question is not None
    assert first.question.text in lines
    assert any(f"1) {fr.ui(ANSWER_LABELS['yes'])}" in line for line in lines), "numbered choices"
    for message in outcome.messages:
        assert message in lines
    assert "112" in script.text and "1733" in script.text
    heading = lines.index(fr.ui(REASONS_HEADING))
    assert first.question.text in lines[heading + 1]
    assert fr.ui(ANSWER_LABELS["yes"]) in lines[heading + 1]
    assert fr.ui(ANSWERS_HEADING) in lines
    assert lines[-1] == fr.ui(GOODBYE)
    assert script.prompts == ["> "], "one answer was enough"


def test_dutch_self_care_path_shows_all_answers() -> None:
    reply = patient("nl", {"age": "38", "sex": "vrouw", "pain_duration_days": "3"}, "nee")
    script = Script([reply] * 40)
    status = run(script, "nl", "NL")
    assert status == 0
    nl = texts("nl", "NL")
    assert nl.text("end.self_care.title") in script.lines
    assert nl.ui(REASONS_HEADING) not in script.lines
    answers_at = script.lines.index(nl.ui(ANSWERS_HEADING))
    summary = script.lines[answers_at + 1 :]
    assert any(question_text("nl", "age") in line and "38" in line for line in summary)
    female = nl.text("triage.sex.female")
    assert any(question_text("nl", "sex") in line and female in line for line in summary)
    assert "1733" not in script.text


def test_dont_know_is_listed_for_the_doctor() -> None:
    reply = patient("nl", {"bladder_retention": "weet ik niet"}, "nee")
    script = Script([reply] * 40)
    assert run(script, "nl") == 0
    nl = texts("nl")
    assert nl.text("end.gp_today.title") in script.lines
    heading = script.lines.index(nl.ui(UNKNOWN_HEADING))
    assert question_text("nl", "bladder_retention") in script.lines[heading + 1]


# --- choosing the language ------------------------------------------------------------


def test_language_prompt_in_every_language_then_french_by_code() -> None:
    script = Script(["fr", "oui"])
    assert run(script, None) == 0
    for language in ("nl", "fr"):
        assert texts(language).ui(CHOOSE_LANGUAGE) in script.lines
    assert question_text("fr", "saddle_numbness") in script.lines
    assert question_text("nl", "saddle_numbness") not in script.lines
    assert script.lines[-1] == texts("fr").ui(GOODBYE)


@pytest.mark.parametrize("number", ["1", "2"])
def test_language_by_number(number: str) -> None:
    script = Script([number, "1"])
    assert run(script, None) == 0
    names = {pack.info.name: lang for lang, pack in builtin_library().content.languages.items()}
    listed = {
        label: name
        for line in script.lines
        for label, _, name in [line.strip().partition(") ")]
        if name in names
    }
    assert sorted(listed) == ["1", "2"], "both languages are offered, numbered"
    chosen = names[listed[number]]
    assert question_text(chosen, "saddle_numbness") in script.lines
    assert script.lines[-1] == texts(chosen).ui(GOODBYE)


def test_language_prompt_repeats_after_nonsense() -> None:
    script = Script(["klingon", "7", "Français", "oui"])
    assert run(script, None) == 0
    assert script.prompts.count("> ") == 4
    assert question_text("fr", "saddle_numbness") in script.lines


def test_input_closed_at_language_prompt_ends_cleanly() -> None:
    # Ctrl-D (or an empty pipe) before choosing a language: a clean non-zero
    # exit, not a traceback.
    script = Script([])
    status = run(script, None)
    assert status != 0


# --- input closed, answers not understood --------------------------------------------


@pytest.mark.parametrize(("language", "first"), [("nl", "nee"), ("fr", "non")])
def test_input_closed_in_the_middle(language: str, first: str) -> None:
    script = Script([first])
    status = run(script, language)
    assert status != 0
    closed = texts(language).text(INPUT_CLOSED)
    assert closed in script.lines
    assert "112" in closed, "even without advice the alarm number is given"
    assert texts(language).ui(GOODBYE) not in script.lines
    assert question_text(language, "bladder_retention") in script.lines


@pytest.mark.parametrize(("language", "garbage"), [("nl", "blabla"), ("fr", "patati")])
def test_garbage_prints_the_reask_message_and_the_question_again(
    language: str, garbage: str
) -> None:
    script = Script([garbage])
    run(script, language)
    reask = texts(language).ui(REASK_YES_NO)
    assert reask in script.lines
    after = script.lines[script.lines.index(reask) :]
    assert question_text(language, "saddle_numbness") in after, "the question is asked again"


def test_three_garbage_answers_are_recorded_as_dont_know() -> None:
    script = Script(["blabla", "blabla", "blabla"])
    run(script, "nl")
    nl = texts("nl")
    assert script.lines.count(nl.ui(REASK_YES_NO)) == 2
    assert nl.ui(RECORDED_AS_UNKNOWN) in script.lines
    assert question_text("nl", "bladder_retention") in script.lines


def test_empty_line_prints_the_empty_message() -> None:
    script = Script([""])
    run(script, "fr")
    assert texts("fr").ui(REASK_EMPTY) in script.lines


def test_number_shown_next_to_dont_know_means_dont_know() -> None:
    # The plain terminal numbers every button, also "don't know" at a number
    # question. Typing the number shown next to it must choose it, not be read
    # as an age of 1 (which ends in the under-16 advice).
    nl = texts("nl")
    unknown = nl.ui(ANSWER_LABELS[UNKNOWN])
    shown_number: list[str] = []

    def at_age(lines: list[str]) -> str:
        choices = lines[-1]
        match = re.search(r"(\d+)\) " + re.escape(unknown), choices)
        if match is None:
            return "weet ik niet"  # not numbered: nothing to check
        shown_number.append(match.group(1))
        return match.group(1)

    reply = patient("nl", {}, "nee")

    reached_age: list[bool] = []

    def answer(lines: list[str]) -> str:
        if question_text("nl", "age") in lines[-3:]:
            reached_age.append(True)
            return at_age(lines)
        return reply(lines)

    script = Script([answer] * 40)
    run(script, "nl")
    assert reached_age, "the age question was asked"
    if not shown_number:
        return
    assert nl.text("end.gp_soon.under_16") not in script.lines
    age_question = question_text("nl", "age")
    age_line = next(line for line in script.lines if line.startswith(f"  - {age_question}"))
    assert age_line.endswith(unknown), age_line


# --- through the command line -------------------------------------------------------


def test_command_line_plain_conversation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = iter(["ja"])

    def fake_input(prompt: str = "") -> str:
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    status = main(["--plain", "--lang", "nl-BE"])
    out, _ = capsys.readouterr()
    assert status == 0
    assert texts("nl", "BE").text("end.emergency.action") in out
    assert "1733" in out


def test_command_line_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--plain", "--lang", "de"])
    _, err = capsys.readouterr()
    assert status == 2
    assert "de" in err


# --- the plain terminal has no buttons ------------------------------------------------

BUTTON_WORDS = re.compile(r"\b(knop\w*|klik\w*|button\w*|bouton\w*|cliqu\w*)\b", re.IGNORECASE)


@pytest.mark.parametrize(
    ("language", "facts", "no"),
    [
        ("nl", {"age": "38", "sex": "vrouw", "pain_duration_days": "3"}, "nee"),
        ("fr", {"age": "38", "sex": "femme", "pain_duration_days": "3"}, "non"),
    ],
)
def test_the_plain_conversation_never_mentions_buttons(
    language: str, facts: dict[str, str], no: str
) -> None:
    # Understood answers only: the re-ask messages are the answer reader's own texts.
    script = Script([patient(language, facts, no)] * 60)
    assert run(script, language) == 0
    assert texts(language).ui(GOODBYE) in script.lines
    mentions = [line for line in script.lines if BUTTON_WORDS.search(line)]
    assert mentions == []
