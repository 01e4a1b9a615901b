"""Understanding what a patient typed: the clinical brief's rules (section 2,
"Understanding typed answers"), with every word from the language's lexicon
(``content/<lang>/lexicon.yaml``); no words of any language live here.

A typed answer becomes one clear result:

- :class:`Accepted`: yes (``True``), no (``False``), "I don't know"
  (:data:`UNKNOWN`), a choice, or a number typed as plain digits;
- :class:`NumberRead`: a number converted to the question's unit, with what
  was typed and the unit understood (see :mod:`companion.dialogue.numbers`);
- :class:`FollowUp`: the answer leaves a doubt; a short question names it;
- :class:`Rejected`: not understood; the question is asked again.

A "no" is only read when the whole answer says no. Reading a yes/no answer is
:mod:`companion.dialogue.yes_no`, numbers with units and in words :mod:`companion.dialogue.numbers`,
the forgiving of case, accents, stretched letters and typos
:mod:`companion.dialogue.typed_words`; this module turns their readings into results and
holds the texts a patient sees when an answer is asked again or followed up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.numbers import NumberReader, converted, in_unit
from companion.dialogue.typed_words import normalise, phrase_key, typo_distance, words_close
from companion.dialogue.yes_no import Reading, YesNoWords, yes_no_words
from companion.texts.content import Lexicon
from companion.texts.i18n import N_

# Why an answer is asked again: interface texts (gettext msgids), translated by
# the engine through the session's Localizer. Worded for every driver: the plain
# conversation numbers its answers, the app shows them as buttons.
REASK_EMPTY = N_("You have not answered yet. Type your answer, or choose one of the answers.")
REASK_YES_NO = N_("I did not quite understand that. Answer yes, no or I don't know.")
REASK_YES_NO_ONLY = N_("I did not quite understand that. Answer yes or no.")
REASK_NUMBER = N_("I did not quite understand that. Type a whole number, for example 12.")
REASK_NUMBER_DAYS = N_(
    "I did not quite understand that. Type a number of days, for example 12. "
    "You may also type weeks, months or years, for example 3 weeks."
)
REASK_NUMBER_YEARS = N_(
    "I did not quite understand that. Type a whole number of years, for example 45."
)
REASK_TOO_LONG = N_("That is a long answer. Please answer in a few words.")
REASK_NUMBER_RANGE = N_("That number does not fit here. Type a number from {min} to {max}.")
REASK_CHOICE = N_(
    "I did not quite understand that. Choose one of the answers: type its number or its words."
)

# Follow-up questions: each names the doubt in plain words and offers the answers.
FOLLOW_UP_NO_WITH_MORE = N_(
    "You wrote “{answer}”. That is a no, but with something more. "
    "Do you notice this all the same, even a little or only now and then? "
    "Answer yes, no or I don't know."
)
FOLLOW_UP_YES_WITH_MORE = N_(
    "You wrote “{answer}”. That is a yes, but with something more. "
    "Is it a full yes, without any problem? Answer yes, no or I don't know."
)
FOLLOW_UP_HEDGED_NO = N_(
    "You do not sound quite sure that the answer is no. "
    "Think of the last few days: have you noticed this, even once? "
    "Answer yes or no. If you really cannot say, answer I don't know."
)
FOLLOW_UP_HEDGED_YES = N_(
    "You do not sound quite sure that the answer is yes. "
    "Is it a full yes, without any problem? "
    "Answer yes or no. If you really cannot say, answer I don't know."
)
FOLLOW_UP_UNSURE = N_(
    "I cannot tell from your answer whether it is yes or no. "
    "Please answer once more: yes, no or I don't know."
)

ANSWER_QUOTE_LIMIT = 80
"""A patient's answer quoted in a follow-up question is cut to this many characters."""


# --- results ------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    """Understood: yes (True), no (False), UNKNOWN, a choice or a plain number."""

    value: AnswerValue


@dataclass(frozen=True)
class NumberRead(Accepted):
    """A number converted to the question's unit ("3 weken" -> 21 for a question in days)."""

    typed: str
    """What the patient typed, tidied (spaces), for the note that shows the conversion."""
    amounts: tuple[tuple[int, str | None], ...]
    """What was understood: (count, unit) per part; unit None for a bare number."""
    unit: str | None
    """The question's unit."""


Doubt = Literal["no_with_more", "yes_with_more", "hedged_no", "hedged_yes", "unsure"]


@dataclass(frozen=True)
class FollowUp:
    """The answer leaves a doubt: ask a follow-up question (``reason``, a msgid)."""

    doubt: Doubt
    reason: str
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    """Why an answer was not understood: an interface msgid and its placeholders."""

    reason: str
    details: Mapping[str, object] = field(default_factory=dict)


Interpretation = Accepted | FollowUp | Rejected

__all__ = [
    "Accepted",
    "FollowUp",
    "Interpretation",
    "NumberRead",
    "Reading",
    "Rejected",
    "Vocabulary",
    "YesNoWords",
    "interpret_choice",
    "interpret_number",
    "interpret_yes_no",
    "normalise",
    "typo_distance",
    "unknown_vocabulary",
    "yes_no_words",
]

_FOLLOW_UP_TEXTS: dict[Doubt, str] = {
    "no_with_more": FOLLOW_UP_NO_WITH_MORE,
    "yes_with_more": FOLLOW_UP_YES_WITH_MORE,
    "hedged_no": FOLLOW_UP_HEDGED_NO,
    "hedged_yes": FOLLOW_UP_HEDGED_YES,
    "unsure": FOLLOW_UP_UNSURE,
}


# --- choices and "I don't know" ------------------------------------------------


class Vocabulary:
    """Maps normalised words and phrases to answer values (choices, "I don't know")."""

    def __init__(self, words: Mapping[AnswerValue, Iterable[str]]) -> None:
        self._phrases: dict[str, set[AnswerValue]] = {}
        for value, variants in words.items():
            for variant in variants:
                key = phrase_key(variant)
                if key:
                    self._phrases.setdefault(key, set()).add(value)

    def match(self, text: str) -> set[AnswerValue]:
        """Every value the text could mean; one value means it is understood."""
        key = phrase_key(text)
        if not key:
            return set()
        if key in self._phrases:
            return set(self._phrases[key])
        return self._close_to(key) or self._by_parts(key)

    def _close_to(self, key: str) -> set[AnswerValue]:
        found: set[AnswerValue] = set()
        for phrase, values in self._phrases.items():
            if words_close(key, phrase):
                found |= values
        return found

    def _by_parts(self, key: str) -> set[AnswerValue]:
        """ "vrouw dus", "une femme" (a label among other words)."""
        padded = f" {key} "
        found: set[AnswerValue] = set()
        for phrase, values in self._phrases.items():
            if " " in phrase and f" {phrase} " in padded:
                found |= values
        for word in key.split():
            if word in self._phrases:
                found |= self._phrases[word]
        return found


def unknown_vocabulary(lexicon: Lexicon) -> Vocabulary:
    """The "I don't know" words, for number and choice questions."""
    return Vocabulary({UNKNOWN: lexicon.unknown})


# --- yes / no -----------------------------------------------------------------


Alarm = Literal["yes", "no"]

_ALARM_YES: dict[Reading, Interpretation | Doubt] = {
    Reading.WHOLE_YES: Accepted(True),
    Reading.YES_WITH_MORE: Accepted(True),
    Reading.SOME: Accepted(True),
    Reading.LIKELY_YES: Accepted(True),
    Reading.WHOLE_NO: Accepted(False),
    Reading.NO_WITH_MORE: "no_with_more",
    Reading.HEDGED_NO: "hedged_no",
    Reading.UNSURE: "unsure",
    Reading.UNKNOWN: Accepted(UNKNOWN),
}
# Mirrored (clinical brief): where "no" is the alarming answer, only a whole yes is yes.
_ALARM_NO: dict[Reading, Interpretation | Doubt] = {
    Reading.WHOLE_YES: Accepted(True),
    Reading.YES_WITH_MORE: "yes_with_more",
    Reading.SOME: Accepted(False),
    Reading.LIKELY_YES: "hedged_yes",
    Reading.WHOLE_NO: Accepted(False),
    Reading.NO_WITH_MORE: Accepted(False),
    Reading.HEDGED_NO: Accepted(False),
    Reading.UNSURE: "unsure",
    Reading.UNKNOWN: Accepted(UNKNOWN),
}


def interpret_yes_no(
    text: str,
    words: YesNoWords,
    unknown_allowed: bool = True,
    alarm: Alarm = "yes",
    question_text: str = "",
) -> Interpretation:
    """Reads a yes/no answer by the brief's rules; ``alarm`` is the answer that means the
    sign is there ("no" for a question such as "Do you move well?")."""
    if not text.strip():
        return Rejected(REASK_EMPTY)
    reading = words.read(text, question_text)
    result = (_ALARM_YES if alarm == "yes" else _ALARM_NO).get(reading)
    if isinstance(result, str):
        return FollowUp(result, _FOLLOW_UP_TEXTS[result], {"answer": _quoted(text)})
    if result is None or (result == Accepted(UNKNOWN) and not unknown_allowed):
        return Rejected(REASK_YES_NO if unknown_allowed else REASK_YES_NO_ONLY)
    return result


def _quoted(text: str) -> str:
    tidy = " ".join(text.split())
    if len(tidy) > ANSWER_QUOTE_LIMIT:
        tidy = tidy[: ANSWER_QUOTE_LIMIT - 1].rstrip() + "…"
    return tidy


# --- numbers ------------------------------------------------------------------


def interpret_number(
    text: str,
    low: int,
    high: int,
    unknown_words: Vocabulary | None,
    unit: str | None = None,
    reader: NumberReader | None = None,
    out_of: int | None = None,
) -> Interpretation:
    """A whole number in the question's ``unit``; with a ``reader``, also in words or
    with another unit ("3 weken" is 21 for a question in days); on a scale ``out_of``
    10, "7/10" is 7."""
    stripped = text.strip()
    if not stripped:
        return Rejected(REASK_EMPTY)
    score = re.fullmatch(r"(\d+)\s*/\s*(\d+)", stripped)
    if out_of is not None and score is not None and int(score.group(2)) == out_of:
        return _in_range(int(score.group(1)), low, high, Accepted(int(score.group(1))))
    if re.fullmatch(r"[+-]?\d+\.?", stripped):
        number = int(stripped.rstrip("."))
        return _in_range(number, low, high, Accepted(number))
    if unknown_words is not None and unknown_words.match(stripped) == {UNKNOWN}:
        return Accepted(UNKNOWN)
    amounts = reader.amounts(stripped) if reader is not None else None
    value = in_unit(amounts, unit) if amounts else None
    if amounts is None or value is None:
        return Rejected(_REASK_NUMBER_FOR.get(unit or "", REASK_NUMBER))
    if not converted(amounts, unit):
        return _in_range(value, low, high, Accepted(value))
    parts = tuple((a.count, a.unit) for a in amounts)
    return _in_range(value, low, high, NumberRead(value, " ".join(stripped.split()), parts, unit))


_REASK_NUMBER_FOR = {
    "days": REASK_NUMBER_DAYS,
    "weeks": REASK_NUMBER_DAYS,
    "years": REASK_NUMBER_YEARS,
}


def _in_range(value: int, low: int, high: int, result: Accepted) -> Interpretation:
    if low <= value <= high:
        return result
    return Rejected(REASK_NUMBER_RANGE, {"min": low, "max": high})


# --- choices ------------------------------------------------------------------


def interpret_choice(
    text: str, options: Mapping[str, str], unknown_words: Vocabulary | None
) -> Interpretation:
    """``options`` maps option ids to their labels in the patient's language."""
    if not text.strip():
        return Rejected(REASK_EMPTY)
    by_label = Vocabulary({option: [option, label] for option, label in options.items()})
    if unknown_words is not None:
        meanings = by_label.match(text) | (unknown_words.match(text) & {UNKNOWN})
    else:
        meanings = by_label.match(text)
    if len(meanings) == 1:
        return Accepted(meanings.pop())
    return Rejected(REASK_CHOICE)
