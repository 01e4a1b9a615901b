"""Understanding what a patient types, with the shipped Dutch and French lexicons.

The rule (clinical brief, unknown answers): forgive case, accents, punctuation,
stretched letters and small typos, but never guess. Input that could mean
more than one thing, or nothing, is asked again; after three failed tries
the answer is recorded as "I don't know", which for an emergency question
never leads to self-care.
"""

from __future__ import annotations

import re

import pytest

from companion.dialogue.answers import (
    REASK_CHOICE,
    REASK_EMPTY,
    REASK_NUMBER,
    REASK_NUMBER_RANGE,
    REASK_NUMBER_YEARS,
    REASK_YES_NO,
    REASK_YES_NO_ONLY,
    Accepted,
    Rejected,
    Vocabulary,
    YesNoWords,
    interpret_number,
    interpret_yes_no,
    unknown_vocabulary,
    yes_no_words,
)
from companion.dialogue.conditions import UNKNOWN
from companion.dialogue.engine import MAX_ATTEMPTS, RECORDED_AS_UNKNOWN, Session, Turn
from companion.resources import builtin_library
from tests.patients import EMERGENCY

EMERGENCY_CONCEPTS = EMERGENCY


def vocabulary(language: str) -> YesNoWords:
    return yes_no_words(builtin_library().content.languages[language].lexicon)


def unknown_words(language: str) -> Vocabulary:
    return unknown_vocabulary(builtin_library().content.languages[language].lexicon)


def meaning(language: str, text: str) -> object:
    """The accepted value, or the re-ask reason when it was not understood."""
    result = interpret_yes_no(text, vocabulary(language), unknown_allowed=True)
    return result.value if isinstance(result, Accepted) else result


def session(language: str = "nl", region: str | None = None) -> Session:
    return builtin_library().session("triage", language, region)


def advance_to(s: Session, concept: str, turn: Turn | None = None) -> Turn:
    """Answers "no" (or a plain adult value) until the question about ``concept``."""
    turn = turn or s.start()
    plain = {"age": "38", "pain_duration_days": "3"}
    for _ in range(60):
        question = turn.question
        assert question is not None, f"conversation ended before {concept}: {turn}"
        if question.concept == concept:
            return turn
        if question.concept in plain:
            turn = s.answer(plain[question.concept])
        elif question.answer_type == "choice":
            turn = s.choose(question.choices[0].value)
        else:
            turn = s.choose("no")
    raise AssertionError(f"never reached {concept}")


# --- yes / no / don't know ----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["ja", "Ja!", "JA", "jaaa", "ja hoor", "jazeker", "klopt", " ja ", "Jawel.", "zekker"]
)
def test_dutch_yes(text: str) -> None:
    assert meaning("nl", text) is True


@pytest.mark.parametrize("text", ["nee", "neen", "nee hoor", "Nee.", "NEE!", "neeee", "nooit"])
def test_dutch_no(text: str) -> None:
    assert meaning("nl", text) is False


@pytest.mark.parametrize(
    "text",
    ["weet ik niet", "geen idee", "weet niet", "Ik weet het niet.", "misschien", "geen idee!"],
)
def test_dutch_dont_know(text: str) -> None:
    assert meaning("nl", text) == UNKNOWN


def test_dutch_typo_in_dont_know_is_forgiven() -> None:
    assert meaning("nl", "weet ik neit") == UNKNOWN
    assert meaning("nl", "gen idee") == UNKNOWN


@pytest.mark.parametrize("text", ["nea", "jo", "ok"])
def test_dutch_unclear_words_are_asked_again(text: str) -> None:
    # "nea" is one letter from "nee" but also from "ja"-like words: too short
    # to guess. ("niet" alone is a no, "wel" and "soms" a yes: clinical brief
    # section 2, see tests/test_typed_answers.py.)
    result = meaning("nl", text)
    assert isinstance(result, Rejected)
    assert result.reason == REASK_YES_NO


@pytest.mark.parametrize("text", ["oui", "Oui.", "OUI !", "ouais", "ouiii", "si", "bien sûr"])
def test_french_yes(text: str) -> None:
    assert meaning("fr", text) is True


@pytest.mark.parametrize("text", ["non", "nan", "Non.", "pas du tout", "jamais"])
def test_french_no(text: str) -> None:
    assert meaning("fr", text) is False


@pytest.mark.parametrize(
    "text",
    [
        "je ne sais pas",
        "je sais pas",
        "aucune idée",
        "aucune idee",  # accent dropped
        "AUCUNE IDÉE !",
        "jsais pas",
        "Je ne sais pas.",
        "peut-être",
        "peut etre",
    ],
)
def test_french_dont_know(text: str) -> None:
    assert meaning("fr", text) == UNKNOWN


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "ja nee"),
        ("nl", "nee ja"),
        ("nl", "Ja... nee."),
        ("nl", "ja nooit"),  # typo-matched to "nee nooit": guessed as no
        ("fr", "oui non"),
        ("fr", "non oui"),  # typo-matched to "ben oui": guessed as yes
        ("fr", "oui et non"),
    ],
)
def test_contradictory_answers_are_asked_again(language: str, text: str) -> None:
    result = meaning(language, text)
    assert isinstance(result, Rejected), f"{text!r} was guessed as {result!r}"
    assert result.reason == REASK_YES_NO


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "ja, weet ik niet"),
        ("nl", "ja ik weet het niet"),
        ("nl", "nee, ik weet het niet"),
        ("nl", "nee, geen idee"),
        ("fr", "non je ne sais pas"),
        ("fr", "oui je sais pas"),
    ],
)
def test_yes_or_no_mixed_with_dont_know_is_never_read_as_yes_or_no(
    language: str, text: str
) -> None:
    # Asking again or recording "don't know" are both safe; a plain yes or no
    # would be a guess.
    result = meaning(language, text)
    assert isinstance(result, Rejected) or result == UNKNOWN, f"{text!r} read as {result!r}"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "natuurlijk niet"),  # "of course not"
        ("nl", "uiteraard niet"),  # "of course not"
        ("nl", "niet correct"),
        ("nl", "nee inderdaad"),  # "no indeed", typo-matched to "ja inderdaad"
        ("fr", "évidemment pas"),  # "of course not"
        ("fr", "pas tout à fait"),  # "not quite"
        ("fr", "pas d'accord"),
    ],
)
def test_no_answer_with_a_yes_word_is_never_read_as_yes(language: str, text: str) -> None:
    # A yes-word with a negation means no (or is unclear); reading it as yes
    # would send someone who said "of course not" to 112.
    assert meaning(language, text) is not True


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_input_gets_the_empty_message(language: str, text: str) -> None:
    s = session(language)
    first = s.start()
    assert first.question is not None
    turn = s.answer(text)
    assert turn.question is not None and turn.question.id == first.question.id
    assert turn.problem == s.texts.ui(REASK_EMPTY)
    other = session(language)
    other.start()
    assert turn.problem != other.answer("blabla").problem, "empty input has its own message"


def test_dont_know_words_are_not_accepted_where_unknown_is_not_allowed() -> None:
    result = interpret_yes_no("weet ik niet", vocabulary("nl"), unknown_allowed=False)
    assert isinstance(result, Rejected)
    assert result.reason == REASK_YES_NO_ONLY


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("38", 38), (" 38 ", 38), ("0", 0), ("120", 120)])
def test_whole_numbers_in_range(text: str, value: int) -> None:
    assert interpret_number(text, 0, 120, unknown_words("nl")) == Accepted(value)


@pytest.mark.parametrize("text", ["38.5", "38,5", "3 weken", "veertig", "3 semaines", "1e2"])
def test_not_a_whole_number_is_refused_without_a_number_reader(text: str) -> None:
    result = interpret_number(text, 0, 3650, unknown_words("nl"))
    assert isinstance(result, Rejected)
    assert result.reason == REASK_NUMBER


@pytest.mark.parametrize("text", ["-1", "121", "999"])
def test_age_out_of_range_is_refused(text: str) -> None:
    result = interpret_number(text, 0, 120, unknown_words("nl"))
    assert isinstance(result, Rejected)
    assert result.reason == REASK_NUMBER_RANGE


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("text", ["-1", "121"])
def test_age_out_of_range_message_names_the_range(language: str, text: str) -> None:
    s = session(language)
    advance_to(s, "age")
    turn = s.answer(text)
    assert turn.question is not None and turn.question.concept == "age"
    assert turn.problem is not None
    assert re.search(r"(?<!\d)0(?!\d)", turn.problem), turn.problem
    assert re.search(r"(?<!\d)120(?!\d)", turn.problem), turn.problem
    assert turn.problem == s.texts.ui(REASK_NUMBER_RANGE, min=0, max=120)
    assert "age" not in s.answers


def test_range_message_is_in_the_patients_language() -> None:
    problems = {}
    for language in ("nl", "fr"):
        s = session(language)
        advance_to(s, "age")
        problems[language] = s.answer("121").problem
    assert problems["nl"] != problems["fr"]


@pytest.mark.parametrize("text", ["38.5", "3 weken", "achtendertig of zo", "een paar jaar"])
def test_age_not_a_number_is_asked_again(text: str) -> None:
    # "3 weken" is no age in whole years: asked again, never rounded to 0.
    s = session("nl")
    advance_to(s, "age")
    turn = s.answer(text)
    assert turn.question is not None and turn.question.concept == "age"
    assert turn.problem == s.texts.ui(REASK_NUMBER_YEARS)
    assert "age" not in s.answers


@pytest.mark.parametrize(("language", "text"), [("nl", "weet ik niet"), ("fr", "je ne sais pas")])
def test_dont_know_to_a_number_question(language: str, text: str) -> None:
    s = session(language)
    advance_to(s, "age")
    turn = s.answer(text)
    assert turn.problem is None
    assert s.answers["age"] == UNKNOWN
    assert turn.question is not None and turn.question.concept != "age"


def test_number_answer_is_stored_as_number() -> None:
    s = session("nl")
    advance_to(s, "age")
    turn = s.answer(" 38 ")
    assert s.answers["age"] == 38
    assert turn.question is not None and turn.question.concept == "sex"


# --- choices --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("nl", "vrouw", "female"),
        ("nl", "Vrouw.", "female"),
        ("nl", "man", "male"),
        ("fr", "Homme", "male"),
        ("fr", "femme", "female"),
    ],
)
def test_choice_by_label(language: str, text: str, value: str) -> None:
    s = session(language)
    advance_to(s, "sex")
    turn = s.answer(text)
    assert turn.problem is None
    assert s.answers["sex"] == value


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_choice_by_button_number(language: str) -> None:
    s = session(language)
    turn = advance_to(s, "sex")
    assert turn.question is not None
    for number, choice in enumerate(turn.question.choices, start=1):
        other = session(language)
        advance_to(other, "sex")
        other.answer(str(number))
        assert other.answers["sex"] == choice.value


@pytest.mark.parametrize("text", ["banaan", "5", "0", "vrouw man"])
def test_choice_nonsense_is_asked_again(text: str) -> None:
    s = session("nl")
    advance_to(s, "sex")
    turn = s.answer(text)
    assert turn.question is not None and turn.question.concept == "sex"
    assert turn.problem == s.texts.ui(REASK_CHOICE)
    assert "sex" not in s.answers


def test_yes_no_by_button_number() -> None:
    s = session("nl")
    first = s.start()
    assert first.question is not None
    labels = [c.value for c in first.question.choices]
    yes_number = labels.index("yes") + 1
    turn = s.answer(str(yes_number))
    assert turn.outcome is not None and turn.outcome.disposition == "emergency"


# --- the session: re-asking, giving up safely, buttons -------------------------------


@pytest.mark.parametrize(("language", "text"), [("nl", "blabla"), ("fr", "oui non")])
def test_reask_turn_repeats_the_question(language: str, text: str) -> None:
    s = session(language)
    first = s.start()
    assert first.question is not None
    turn = s.answer(text)
    assert turn.problem
    assert turn.question == first.question, "the same question, asked again"
    assert turn.outcome is None
    assert turn.messages == [], "the introduction is not shown again"
    assert s.asked == [] and s.answers == {}


def test_three_failed_tries_record_dont_know_and_move_on() -> None:
    s = session("nl")
    s.start()
    for _ in range(MAX_ATTEMPTS - 1):
        turn = s.answer("blabla")
        assert turn.question is not None and turn.question.concept == "saddle_numbness"
    turn = s.answer("blabla")
    assert turn.problem is None
    assert s.answers["saddle_numbness"] == UNKNOWN
    assert turn.question is not None and turn.question.concept == "bladder_retention"
    assert s.texts.ui(RECORDED_AS_UNKNOWN) in turn.messages


def test_failed_tries_do_not_carry_over_to_the_next_question() -> None:
    s = session("nl")
    s.start()
    s.answer("blabla")
    s.answer("blabla")
    turn = s.answer("nee")
    assert s.answers["saddle_numbness"] is False
    assert turn.question is not None and turn.question.concept == "bladder_retention"
    turn = s.answer("blabla")
    assert turn.problem, "one failure on a new question is only a re-ask"
    assert turn.question is not None and turn.question.concept == "bladder_retention"


@pytest.mark.parametrize("concept", EMERGENCY_CONCEPTS)
def test_not_understood_emergency_question_never_ends_in_self_care(concept: str) -> None:
    s = session("nl")
    advance_to(s, concept)
    for _ in range(MAX_ATTEMPTS):
        turn = s.answer("qwerty")
    # Everything else the calmest possible answer.
    for _ in range(60):
        if turn.outcome is not None:
            break
        assert turn.question is not None
        turn = (
            s.answer("38")
            if turn.question.answer_type == "number"
            else s.choose(
                "no" if turn.question.answer_type == "yes_no" else turn.question.choices[0].value
            )
        )
    assert turn.outcome is not None
    assert turn.outcome.disposition == "gp_today"
    assert concept in turn.outcome.unknown
    assert concept in turn.outcome.flags


def test_choose_a_value_that_is_not_a_choice_is_asked_again() -> None:
    s = session("fr")
    s.start()
    turn = s.choose("maybe")
    assert turn.problem == s.texts.ui(REASK_CHOICE)
    assert turn.question is not None and turn.question.concept == "saddle_numbness"
    assert s.answers == {}
    turn = s.choose("yes")
    assert turn.outcome is not None and turn.outcome.disposition == "emergency"


def test_choose_a_number_button_on_age_is_asked_again() -> None:
    s = session("nl")
    advance_to(s, "age")
    turn = s.choose("42")
    assert turn.problem is not None
    assert "age" not in s.answers
    turn = s.choose(UNKNOWN)
    assert s.answers["age"] == UNKNOWN


PATHS: dict[str, dict[str, str]] = {
    # concept -> answer; everything else "no" / first choice.
    "young": {"age": "30", "pain_duration_days": "3", "morning_stiffness_over_1h": "yes"},
    "older": {"age": "60", "pain_duration_days": "3"},
    "age unknown": {"age": UNKNOWN, "pain_duration_days": UNKNOWN},
    "cancer": {"cancer_history": "yes", "immunosuppression": "yes"},
}


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("path", list(PATHS))
def test_every_question_offers_buttons_including_dont_know(language: str, path: str) -> None:
    answers = PATHS[path]
    s = session(language)
    turn = s.start()
    questions = 0
    while turn.outcome is None:
        question = turn.question
        assert question is not None
        questions += 1
        values = [c.value for c in question.choices]
        assert UNKNOWN in values, f"{question.concept}: no 'don't know' button"
        assert all(c.label.strip() for c in question.choices)
        assert len(set(c.label for c in question.choices)) == len(values), "labels are distinct"
        if question.answer_type == "yes_no":
            assert {"yes", "no"} <= set(values)
        reply = answers.get(question.concept)
        if reply is None:
            turn = s.choose("no" if question.answer_type == "yes_no" else values[0])
        elif reply in values:
            turn = s.choose(reply)
        else:
            turn = s.answer(reply)
        assert turn.problem is None
    assert questions > len(EMERGENCY_CONCEPTS)
