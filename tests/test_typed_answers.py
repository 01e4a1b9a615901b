"""Typed answers read by the clinical brief's rules (section 2, "Understanding typed
answers"), per language: a table of real phrasings, properties, follow-up questions,
mirrored questions, numbers with units and their correction.

The safety rule behind every row: an answer that is not a plain "no" is never read
as "no"; an answer that says the sign is there, even a little, is yes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.clock import FixedClock
from companion.dialogue.answers import (
    FOLLOW_UP_HEDGED_NO,
    FOLLOW_UP_HEDGED_YES,
    FOLLOW_UP_NO_WITH_MORE,
    FOLLOW_UP_UNSURE,
    FOLLOW_UP_YES_WITH_MORE,
    REASK_CHOICE,
    REASK_EMPTY,
    REASK_NUMBER,
    REASK_NUMBER_DAYS,
    REASK_NUMBER_RANGE,
    REASK_NUMBER_YEARS,
    REASK_YES_NO,
    REASK_YES_NO_ONLY,
    Accepted,
    FollowUp,
    Interpretation,
    NumberRead,
    Rejected,
    YesNoWords,
    interpret_number,
    interpret_yes_no,
    yes_no_words,
)
from companion.dialogue.conditions import UNKNOWN
from companion.dialogue.engine import (
    CONVERTED,
    MAX_ATTEMPTS,
    STILL_UNSURE,
    CompiledFlow,
    Session,
    Turn,
)
from companion.dialogue.flow import Flow
from companion.dialogue.numbers import DAYS_PER_UNIT, NumberReader
from companion.journey.journey import Journey
from companion.plain import converse
from companion.resources import builtin_library
from companion.store.storage import Store

LANGUAGES = ("nl", "fr")
QUESTION = {
    # The patient's question, as a positive question (clinical brief): "repeats the
    # question" is judged against it.
    "nl": "Heeft u tintelingen of een doof gevoel in een voet of been?",
    "fr": "Avez-vous des fourmillements ou une sensation d'engourdissement dans un pied ?",
}
_WORDS: dict[str, YesNoWords] = {}


def words(language: str) -> YesNoWords:
    if language not in _WORDS:
        lexicon = builtin_library().content.languages[language].lexicon
        _WORDS[language] = yes_no_words(lexicon)
    return _WORDS[language]


def reader(language: str) -> NumberReader:
    lexicon = builtin_library().content.languages[language].lexicon
    return NumberReader(language, lexicon.numbers)


def kind(result: Interpretation) -> str:
    """yes / no / unknown / follow-up / re-ask: what the patient would notice."""
    if isinstance(result, FollowUp):
        return "follow-up"
    if isinstance(result, Rejected):
        return "re-ask"
    return {True: "yes", False: "no", UNKNOWN: "unknown"}[result.value]


def read(language: str, text: str, alarm: str = "yes") -> str:
    result = interpret_yes_no(
        text,
        words(language),
        alarm=alarm,
        question_text=QUESTION[language],  # type: ignore[arg-type]
    )
    return kind(result)


# --- the table: yes / no questions where "yes" is the alarm ---------------------------

NL_YES_NO = [
    # whole no: a no-word with at most fillers, or a full negative sentence
    ("nee", "no"),
    ("neen", "no"),
    ("Nee.", "no"),
    ("nee hoor", "no"),
    ("nee joh", "no"),
    ("nee, gelukkig niet", "no"),
    ("gelukkig niet", "no"),
    ("nooit", "no"),
    ("helemaal niet", "no"),
    ("nee, dat heb ik niet", "no"),
    ("nee, ik heb geen tintelingen", "no"),
    ("ik heb geen tintelingen", "no"),
    ("nee, geen tintelingen", "no"),
    ("nee, geen doof gevoel", "follow-up"),  # "geen gevoel" can be the sign: asked
    ("natuurlijk niet", "no"),
    ("nee, dank u", "no"),
    ("geen van allen", "no"),  # a list question: "any of these?"
    ("nee, alleen koorts", "follow-up"),
    # typos and SMS spellings of a no-word stay no, never yes
    ("neee", "no"),
    ("nn", "no"),
    ("nie", "no"),
    ("helemaal nie", "no"),
    ("nooit nie", "no"),
    # a no with more is never no
    ("nee, alleen af en toe", "yes"),
    ("nee maar wel een beetje", "yes"),
    ("nee, soms", "yes"),
    ("nee, een klein beetje", "yes"),
    ("nee, af en toe wel", "yes"),
    ("nee, heel soms 's nachts", "yes"),
    ("bijna niet", "yes"),
    ("een beetje", "yes"),
    ("soms", "yes"),
    ("wel", "yes"),
    ("nee, maar het tintelt", "follow-up"),
    ("nee, maar", "follow-up"),
    ("nee, het tintelt", "follow-up"),
    ("nee, dat lukt niet", "follow-up"),
    ("nee, ik voel niks meer", "follow-up"),
    ("nee, niet eens een beetje", "follow-up"),
    ("nee toch", "follow-up"),
    # likelihood words are yes
    ("ik denk het wel", "yes"),
    ("waarschijnlijk", "yes"),
    ("best wel", "yes"),
    ("volgens mij wel", "yes"),
    ("ja, denk ik", "yes"),
    # hedged negatives get a follow-up question
    ("waarschijnlijk niet", "follow-up"),
    ("nee, denk ik", "follow-up"),
    ("ik denk het niet", "follow-up"),
    ("niet echt", "follow-up"),
    ("volgens mij niet", "follow-up"),
    ("tja", "follow-up"),
    # yes
    ("ja", "yes"),
    ("Ja!", "yes"),
    ("jaaa", "yes"),
    ("jawel", "yes"),
    ("ja, in mijn linkervoet", "yes"),
    ("ja, maar alleen 's ochtends", "yes"),
    ("zeker", "yes"),
    # yes and a negation: asked, never yes
    ("niet correct", "follow-up"),
    ("ja, maar niet altijd", "follow-up"),
    # don't know
    ("weet ik niet", "unknown"),
    ("?", "unknown"),
    ("geen idee", "unknown"),
    ("misschien", "unknown"),
    ("nee, geen idee", "unknown"),
    # not understood
    ("ja nee", "re-ask"),
    ("blabla", "re-ask"),
    ("ok", "re-ask"),
]

FR_YES_NO = [
    ("non", "no"),
    ("Non.", "no"),
    ("non merci", "no"),
    ("non, heureusement", "no"),
    ("heureusement pas", "no"),
    ("jamais", "no"),
    ("pas du tout", "no"),
    ("certainement pas", "no"),
    ("certainement pa", "no"),
    ("non, je n'ai pas de fourmillements", "no"),
    ("je n'ai pas de fourmillements", "no"),
    ("non, je n'en ai pas", "no"),
    ("non non", "no"),
    ("nn", "no"),
    ("nan", "no"),
    ("nooon", "no"),
    ("pa du tout", "no"),
    ("non, rien", "no"),
    ("mais non", "no"),
    ("aucun de ceux-ci", "no"),  # a list question: "any of these?"
    ("non, sauf la fièvre", "follow-up"),
    # a no with more
    ("non, juste un peu", "yes"),
    ("non, parfois", "yes"),
    ("non, de temps en temps", "yes"),
    ("non, un petit peu le soir", "yes"),
    ("non, pas beaucoup", "yes"),
    ("un peu", "yes"),
    ("parfois", "yes"),
    ("rarement", "yes"),
    ("non, mais ça picote", "follow-up"),
    ("non, je n'arrive pas à uriner", "follow-up"),
    ("non, je ne sens plus rien", "follow-up"),
    ("non, pas même un peu", "follow-up"),
    ("non mais", "follow-up"),
    # likelihood words
    ("je crois", "yes"),
    ("probablement", "yes"),
    ("je pense que oui", "yes"),
    ("sans doute", "yes"),
    ("oui, je pense", "yes"),
    ("il me semble", "yes"),
    # hedged negatives and hedges
    ("je ne crois pas", "follow-up"),
    ("je crois pas", "follow-up"),
    ("probablement pas", "follow-up"),
    ("non, je crois", "follow-up"),
    ("je pense que non", "follow-up"),
    ("pas vraiment", "follow-up"),
    ("mouais", "follow-up"),
    ("bof", "follow-up"),
    # yes
    ("oui", "yes"),
    ("OUI !", "yes"),
    ("ouais", "yes"),
    ("oui, dans le pied gauche", "yes"),
    ("oui, mais seulement la nuit", "yes"),
    ("bien sûr", "yes"),
    ("tout à fait", "yes"),
    # a yes-word turned around: never yes
    ("évidemment pas", "no"),
    ("pas tout à fait", "follow-up"),
    ("pas d'accord", "follow-up"),
    # don't know
    ("je ne sais pas", "unknown"),
    ("jsp", "unknown"),
    ("?", "unknown"),
    ("aucune idée", "unknown"),
    ("non, je ne sais pas", "unknown"),
    # not understood
    ("oui non", "re-ask"),
    ("oui et non", "re-ask"),
    ("patati", "re-ask"),
]


@pytest.mark.parametrize(("text", "expected"), NL_YES_NO)
def test_dutch_typed_answers(text: str, expected: str) -> None:
    assert read("nl", text) == expected


@pytest.mark.parametrize(("text", "expected"), FR_YES_NO)
def test_french_typed_answers(text: str, expected: str) -> None:
    assert read("fr", text) == expected


def test_the_tables_are_large_enough() -> None:
    assert len(NL_YES_NO) >= 60 and len(FR_YES_NO) >= 60


# --- mirrored questions: "no" is the alarm ("Do you move well?") -----------------------

MIRRORED = [
    ("nl", "ja", "yes"),
    ("nl", "ja hoor", "yes"),
    ("nl", "jawel", "yes"),
    ("nl", "nee", "no"),
    ("nl", "een beetje", "no"),
    ("nl", "ja, een beetje", "no"),
    ("nl", "soms", "no"),
    ("nl", "nee, maar het gaat beter", "no"),
    ("nl", "waarschijnlijk niet", "no"),
    ("nl", "ik denk het wel", "follow-up"),
    ("nl", "ja, maar traplopen is zwaar", "follow-up"),
    ("nl", "weet ik niet", "unknown"),
    ("fr", "oui", "yes"),
    ("fr", "non", "no"),
    ("fr", "un peu", "no"),
    ("fr", "oui, parfois", "no"),
    ("fr", "je crois", "follow-up"),
    ("fr", "oui, mais l'escalier est difficile", "follow-up"),
    ("fr", "je ne crois pas", "no"),
    ("fr", "mouais", "follow-up"),
]


@pytest.mark.parametrize(("language", "text", "expected"), MIRRORED)
def test_mirrored_question_only_a_whole_yes_is_yes(language: str, text: str, expected: str) -> None:
    assert read(language, text, alarm="no") == expected


# --- properties -----------------------------------------------------------------------

NO_WORDS = {"nl": ["nee", "neen", "nee hoor", "nooit", "helemaal niet"], "fr": ["non", "jamais"]}
BUT = {"nl": "maar", "fr": "mais"}
some_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç'", min_size=1, max_size=10),
    min_size=0,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    index=st.integers(min_value=0, max_value=10),
    extra=some_words,
    separator=st.sampled_from([" ", ", ", "... ", " - "]),
)
def test_a_no_with_but_and_more_words_is_never_no(
    language: str, index: int, extra: list[str], separator: str
) -> None:
    no_word = NO_WORDS[language][index % len(NO_WORDS[language])]
    text = f"{no_word}{separator}{BUT[language]} {' '.join(extra)}"
    for alarm in ("yes",):
        assert read(language, text, alarm) != "no", text


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    count=st.integers(min_value=0, max_value=500),
    unit=st.sampled_from(sorted(DAYS_PER_UNIT)),
    plural=st.booleans(),
)
def test_a_number_with_a_unit_converts_exactly(
    language: str, count: int, unit: str, plural: bool
) -> None:
    names = builtin_library().content.languages[language].lexicon.numbers.units[unit]  # type: ignore[index]
    name = names[1 if plural and len(names) > 1 else 0]
    result = interpret_number(f"{count} {name}", 0, 10**6, None, "days", reader(language))
    assert isinstance(result, Accepted)
    assert result.value == count * DAYS_PER_UNIT[unit]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), language=st.sampled_from(LANGUAGES))
def test_random_text_never_raises(text: str, language: str) -> None:
    for alarm in ("yes", "no"):
        interpret_yes_no(text, words(language), alarm=alarm, question_text=QUESTION[language])  # type: ignore[arg-type]
    for unit in ("days", "years", None):
        interpret_number(text, 0, 3650, None, unit, reader(language))


# --- numbers --------------------------------------------------------------------------

NUMBERS = [
    ("nl", "90 dagen", "days", 90),
    ("nl", "4 maanden", "days", 120),
    ("nl", "3 weken", "days", 21),
    ("nl", "vier maanden", "days", 120),
    ("nl", "eergisteren", "days", 2),
    ("nl", "sinds gisteren", "days", 1),
    ("nl", "vandaag", "days", 0),
    ("nl", "een week", "days", 7),
    ("nl", "ongeveer 2 weken", "days", 14),
    ("nl", "2 weken en 3 dagen", "days", 17),
    ("nl", "zes", "days", 6),
    ("nl", "3 weken geleden", "days", 21),
    ("nl", "1 jaar", "days", 365),
    ("nl", "vijftig", "years", 50),
    ("nl", "52 jaar", "years", 52),
    ("nl", "ik ben 52", "years", 52),
    ("nl", "tweeenvijftig", "years", 52),
    ("nl", "drieënveertig jaar oud", "years", 43),
    ("fr", "52 ans", "years", 52),
    ("fr", "cinquante-deux", "years", 52),
    ("fr", "soixante-dix ans", "years", 70),
    ("fr", "une semaine", "days", 7),
    ("fr", "trois semaines", "days", 21),
    ("fr", "il y a deux jours", "days", 2),
    ("fr", "depuis hier", "days", 1),
    ("fr", "avant-hier", "days", 2),
    ("fr", "aujourd'hui", "days", 0),
    ("fr", "2 mois", "days", 60),
    ("fr", "environ 10 jours", "days", 10),
    ("fr", "un an", "days", 365),
]


@pytest.mark.parametrize(("language", "text", "unit", "value"), NUMBERS)
def test_numbers_with_units_and_in_words(language: str, text: str, unit: str, value: int) -> None:
    result = interpret_number(text, 0, 3650, None, unit, reader(language))
    assert isinstance(result, Accepted), result
    assert result.value == value


@pytest.mark.parametrize(
    ("language", "text", "unit", "shown_back"),
    [
        ("nl", "3 weken", "days", True),
        ("nl", "vier", "days", True),
        ("nl", "eergisteren", "days", True),
        ("nl", "52 jaar", "years", False),
        ("fr", "une semaine", "days", True),
        ("fr", "10 jours", "days", False),
    ],
)
def test_words_or_another_unit_are_shown_back(
    language: str, text: str, unit: str, shown_back: bool
) -> None:
    result = interpret_number(text, 0, 3650, None, unit, reader(language))
    assert isinstance(result, NumberRead) == shown_back
    if isinstance(result, NumberRead):
        assert result.typed == text and result.unit == unit


@pytest.mark.parametrize(
    ("language", "text", "unit"),
    [
        ("nl", "3 of 4 weken", "days"),
        ("nl", "niet 3 weken", "days"),
        ("nl", "een paar dagen", "days"),
        ("nl", "3 weken", "years"),  # no whole number of years: asked again, not 0
        ("nl", "10 dagen", "weeks"),
        ("nl", "3 weken", None),  # a question that counts in no unit
        ("fr", "deux ou trois jours", "days"),
        ("fr", "quelques semaines", "days"),
    ],
)
def test_numbers_that_cannot_be_read_exactly_are_asked_again(
    language: str, text: str, unit: str | None
) -> None:
    result = interpret_number(text, 0, 3650, None, unit, reader(language))
    assert isinstance(result, Rejected)


def test_a_converted_number_is_range_checked() -> None:
    result = interpret_number("11 jaar", 0, 3650, None, "days", reader("nl"))
    assert isinstance(result, Rejected) and result.reason == REASK_NUMBER_RANGE


# --- the engine: follow-ups, mirrored flows, conversions shown and corrected ----------


def mini_flow(alarm: str = "yes") -> Flow:
    """A sign question (its alarm side as given), then a duration in days, then the end."""
    return Flow.model_validate(
        {
            "id": "mini",
            "version": 1,
            "start": "sign",
            "states": {
                "sign": {
                    "kind": "question",
                    "concept": "leg_numbness_tingling",
                    "text": "triage.q.leg_numbness_tingling",
                    "answer": {"type": "yes_no", "alarm": alarm},
                    "next": "duration",
                },
                "duration": {
                    "kind": "question",
                    "concept": "pain_duration_days",
                    "text": "triage.q.pain_duration_days",
                    "answer": {"type": "number", "min": 0, "max": 3650, "unit": "days"},
                    "next": "sex",
                },
                "sex": {
                    "kind": "question",
                    "concept": "sex",
                    "text": "triage.q.sex",
                    "answer": {
                        "type": "choice",
                        "options": {
                            "female": "triage.sex.female",
                            "male": "triage.sex.male",
                            "other": "triage.sex.other",
                        },
                    },
                    "next": "done",
                },
                "done": {"kind": "end", "disposition": "self_care"},
            },
        }
    )


def mini_session(language: str = "nl", alarm: str = "yes") -> Session:
    library = builtin_library()
    return Session(CompiledFlow(mini_flow(alarm)), library.content.localizer(language, None))


def test_the_mini_flow_uses_existing_texts() -> None:
    s = mini_session()
    turn = s.start()
    assert turn.question is not None and turn.question.text.strip()


@pytest.mark.parametrize(
    ("language", "text"), [("nl", "nee, maar het tintelt"), ("fr", "non, mais ça picote")]
)
def test_a_no_with_more_gets_a_follow_up_that_names_the_doubt(language: str, text: str) -> None:
    s = mini_session(language)
    first = s.start()
    turn = s.answer(text)
    assert turn.question is not None and first.question is not None
    assert turn.question.id == "sign" and s.answers == {}
    assert turn.question.text != first.question.text, "not the same question word for word"
    assert turn.question.text == s.texts.ui(FOLLOW_UP_NO_WITH_MORE, answer=text)
    assert text in turn.question.text, "the doubt is named: what the patient wrote"
    assert [c.value for c in turn.question.choices] == ["yes", "no", UNKNOWN], "answers offered"
    turn = s.answer("ja" if language == "nl" else "oui")
    assert s.answers["sign"] is True


@pytest.mark.parametrize(
    ("language", "hedged"), [("nl", "waarschijnlijk niet"), ("fr", "je ne crois pas")]
)
def test_a_hedged_no_gets_one_follow_up_then_is_unknown(language: str, hedged: str) -> None:
    s = mini_session(language)
    s.start()
    turn = s.answer(hedged)
    assert turn.question is not None
    assert turn.question.text == s.texts.ui(FOLLOW_UP_HEDGED_NO, answer=hedged)
    turn = s.answer(hedged)
    assert s.answers["sign"] == UNKNOWN
    assert s.texts.ui(STILL_UNSURE) in turn.messages
    assert turn.question is not None and turn.question.id == "duration"


def test_a_follow_up_answered_no_is_no() -> None:
    s = mini_session("nl")
    s.start()
    s.answer("nee, denk ik")
    s.answer("nee")
    assert s.answers["sign"] is False


def test_failures_after_a_follow_up_still_end_in_dont_know() -> None:
    s = mini_session("nl")
    s.start()
    s.answer("nee, denk ik")
    for _ in range(MAX_ATTEMPTS - 1):
        turn = s.answer("qwerty")
    assert s.answers["sign"] == UNKNOWN
    assert turn.question is not None and turn.question.id == "duration"


@pytest.mark.parametrize(
    ("text", "value"), [("ja", True), ("ja, een beetje", False), ("ik denk het wel", None)]
)
def test_a_mirrored_flow_question_reads_only_a_whole_yes_as_yes(
    text: str, value: bool | None
) -> None:
    s = mini_session("nl", alarm="no")
    s.start()
    turn = s.answer(text)
    if value is None:
        assert "sign" not in s.answers and turn.question is not None
        assert turn.question.id == "sign", "a follow-up question"
    else:
        assert s.answers["sign"] is value


def test_alarm_defaults_to_yes_and_accepts_only_yes_or_no() -> None:
    flow = mini_flow()
    sign = flow.states["sign"]
    assert sign.answer.alarm == "yes"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        mini_flow(alarm="maybe")


def to_duration(s: Session) -> Turn:
    s.start()
    return s.answer("nee")


@pytest.mark.parametrize(
    ("language", "typed", "note"),
    [("nl", "3 weken", "3 weken = 21 dagen"), ("fr", "3 semaines", "3 semaines = 21 jours")],
)
def test_a_converted_number_is_shown_back(language: str, typed: str, note: str) -> None:
    s = mini_session(language)
    to_duration(s)
    turn = s.answer(typed)
    assert s.answers["duration"] == 21
    assert turn.accepted is not None and turn.accepted.value == 21
    assert turn.messages[0].startswith(note)
    assert turn.messages[0] == s.texts.ui(CONVERTED, typed=typed, converted=note.split(" = ")[1])


def test_plain_digits_are_not_shown_back() -> None:
    s = mini_session("nl")
    to_duration(s)
    turn = s.answer("21")
    assert s.answers["duration"] == 21
    assert not any(" = " in m for m in turn.messages)


@pytest.mark.parametrize(
    ("language", "typed", "correction", "value"),
    [
        ("nl", "3 weken", "nee, 2 weken", 14),
        ("nl", "3 weken", "nee 10", 10),
        ("nl", "3 weken", "ik bedoel 3 dagen", 3),
        ("nl", "3 weken", "2 weken", 14),  # a number with a unit where a choice is asked
        ("fr", "3 semaines", "non, 2 semaines", 14),
        ("fr", "trois semaines", "je voulais dire deux jours", 2),
    ],
)
def test_a_shown_back_number_is_corrected_without_an_extra_question(
    language: str, typed: str, correction: str, value: int
) -> None:
    s = mini_session(language)
    to_duration(s)
    after = s.answer(typed)
    assert after.question is not None and after.question.id == "sex"
    turn = s.answer(correction)
    assert s.answers["duration"] == value
    assert s.asked == ["sign", "duration"]
    assert turn.accepted is not None and turn.accepted.question == "duration"
    assert turn.question is not None and turn.question.id == "sex", "no extra question"


def test_a_correction_is_only_possible_right_after_the_note() -> None:
    s = mini_session("nl")
    to_duration(s)
    s.answer("3 weken")
    s.answer("blabla")  # not understood at the choice question
    turn = s.answer("nee, 2 weken")
    assert s.answers["duration"] == 21
    assert "sex" not in s.answers and turn.accepted is None


def test_a_no_at_the_next_question_is_not_taken_for_a_correction() -> None:
    s = mini_session("nl")
    to_duration(s)
    s.answer("3 weken")
    s.answer("1")  # the first choice of the next question, not a new duration
    assert s.answers["duration"] == 21 and s.answers["sex"] == "female"


def test_a_correction_survives_a_resume(tmp_path: Path) -> None:
    library = builtin_library()
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "data", clock=clock)
    conversation = Journey(library, store, clock, "nl", None).next()
    assert conversation is not None
    turn = conversation.start()
    plain: Mapping[str, Any] = {"age": "38"}
    while turn.question is not None and turn.question.concept != "pain_duration_days":
        question = turn.question
        if question.concept in plain:
            turn = conversation.answer(plain[question.concept])
        elif question.answer_type == "yes_no":
            turn = conversation.choose("no")
        else:
            turn = conversation.choose(question.choices[0].value)
    conversation.answer("3 weken")
    turn = conversation.answer("nee, 2 weken")
    assert turn.question is not None
    stored = [(a.question_id, a.value) for a in store.answers_of(conversation.key)]
    assert stored[-2:] == [("pain_duration_days", 21), ("pain_duration_days", 14)]

    again = Journey(library, Store.open(tmp_path / "data", clock=clock), clock, "nl", None).next()
    assert again is not None and again.resumed
    assert again.session.answers["pain_duration_days"] == 14
    resumed = again.start()
    assert resumed.question is not None and resumed.question.id == turn.question.id


@settings(max_examples=200, deadline=None)
@given(
    language=st.sampled_from(LANGUAGES),
    extra=some_words,
    separator=st.sampled_from([" ", ", ", "... "]),
)
def test_mirrored_a_yes_with_but_and_more_words_is_never_yes(
    language: str, extra: list[str], separator: str
) -> None:
    yes_word = {"nl": "ja", "fr": "oui"}[language]
    text = f"{yes_word}{separator}{BUT[language]} {' '.join(extra)}"
    assert read(language, text, alarm="no") != "yes", text


MEANINGS = ("yes", "no", "unknown", "likely", "hedged_no", "partial", "hedges")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_phrase_of_the_lexicon_has_two_meanings(language: str) -> None:
    # A phrase in two lists would silently count for the first: say which one it is.
    lexicon = builtin_library().content.languages[language].lexicon
    seen: dict[tuple[str, ...], str] = {}
    clashes = []
    for meaning in MEANINGS:
        for phrase in getattr(lexicon, meaning):
            key = tuple(words(language).words(phrase)) or (phrase,)
            if seen.setdefault(key, meaning) != meaning:
                clashes.append(f"{phrase!r}: {seen[key]} and {meaning}")
    assert clashes == []


ANSWER_TEXTS = [
    REASK_EMPTY,
    REASK_YES_NO,
    REASK_YES_NO_ONLY,
    REASK_NUMBER,
    REASK_NUMBER_DAYS,
    REASK_NUMBER_YEARS,
    REASK_CHOICE,
    FOLLOW_UP_NO_WITH_MORE,
    FOLLOW_UP_YES_WITH_MORE,
    FOLLOW_UP_HEDGED_NO,
    FOLLOW_UP_HEDGED_YES,
    FOLLOW_UP_UNSURE,
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_answer_texts_never_mention_buttons(language: str) -> None:
    # The plain conversation has no buttons: the texts speak of answers, for every driver.
    texts = builtin_library().content.localizer(language)
    for msgid in ANSWER_TEXTS:
        shown = texts.ui(msgid, answer="nee", min=0, max=120).casefold()
        assert shown != msgid.casefold(), f"{msgid!r} is not translated"
        assert not any(word in shown for word in ("knop", "bouton", "button")), shown


def test_the_plain_conversation_shows_a_follow_up_with_numbered_answers() -> None:
    s = mini_session("nl")
    lines: list[str] = []
    replies = iter(["nee, maar het tintelt", "ja", "weet ik niet", "1"])
    converse(s, s.texts, lambda _prompt: next(replies), lines.append)
    follow_up = s.texts.ui(FOLLOW_UP_NO_WITH_MORE, answer="nee, maar het tintelt")
    assert follow_up in lines
    after = lines[lines.index(follow_up) + 1]
    assert after.strip().startswith("1) Ja"), after
    assert s.answers["sign"] is True


def checkin_session(language: str) -> Session:
    library = builtin_library()
    flow = library.flows["checkin"].flow
    inputs: dict[str, Any] = {
        n: False for n in flow.inputs if n.startswith(("known_", "reported_"))
    }
    inputs.update(
        day=10,
        weekly_screen_due=False,
        onset_known=True,
        radicular=False,
        radicular_at_last_screen=False,
        age=40,
    )
    return library.session("checkin", language, inputs=inputs)


def to_list_question(s: Session) -> Turn:
    turn = s.start()
    for _ in range(20):
        assert turn.question is not None
        if turn.question.covers:
            return turn
        turn = s.choose("no" if turn.question.answer_type == "yes_no" else UNKNOWN)
    raise AssertionError("no list question")


@pytest.mark.parametrize(
    ("language", "text"), [("nl", "nee, maar mijn rug doet pijn"), ("fr", "non, mais bon")]
)
def test_a_follow_up_on_a_list_question_shows_the_list_again(language: str, text: str) -> None:
    s = checkin_session(language)
    asked = to_list_question(s)
    assert asked.question is not None
    turn = s.answer(text)
    assert turn.question is not None and turn.question.id == asked.question.id
    assert turn.question.text != asked.question.text
    listed = asked.question.text.removeprefix(
        s.texts.text(s.flow.states[asked.question.id].text)  # type: ignore[union-attr]
    )
    assert listed.strip() and turn.question.text.endswith(listed)


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("nl", "nee, alleen af en toe", True),
        ("nl", "geen van allen", False),
        ("fr", "non, juste un peu", True),
        ("fr", "aucun de ceux-ci", False),
    ],
)
def test_a_list_question_reads_typed_answers_by_the_same_rules(
    language: str, text: str, value: bool
) -> None:
    s = checkin_session(language)
    asked = to_list_question(s)
    assert asked.question is not None
    s.answer(text)
    assert s.answers[asked.question.id] is value


LAZY_PROBE = """
import sys
from companion.resources import builtin_library
session = builtin_library().session("triage", "nl")
turn = session.start()
while turn.question.answer_type != "number":
    yes_no = turn.question.answer_type == "yes_no"
    turn = session.choose("no" if yes_no else turn.question.choices[0].value)
session.answer(sys.argv[1])
print(turn.question.concept, "text_to_num" in sys.modules)
"""


@pytest.mark.parametrize(
    ("typed", "loaded"), [("weet ik niet", False), ("38", False), ("vier", True)]
)
def test_number_words_load_text2num_only_when_typed(typed: str, loaded: bool) -> None:
    # The start of the companion and of `companion simulate` does not pay for it.
    done = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE, typed],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == f"age {loaded}"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_very_long_answer_is_asked_again_in_short(language: str) -> None:
    """Thousands of characters are not read word by word (a served app stays responsive):
    even a long text that starts with "nee" is asked again, never read as no."""
    from companion.dialogue.engine import MAX_TYPED_CHARACTERS
    from companion.resources import builtin_library

    session = builtin_library().session("triage", language)
    first = session.start()
    assert first.question is not None
    long_no = ("nee " if language == "nl" else "non ") * (MAX_TYPED_CHARACTERS // 3)
    turn = session.answer(long_no)
    assert turn.problem is not None and turn.question is not None
    assert turn.question.id == first.question.id
    assert not session.answers, "nothing was recorded"
