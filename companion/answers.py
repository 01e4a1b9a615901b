"""Understanding what a patient typed: the clinical brief's rules (section 2,
"Understanding typed answers"), with every word from the language's lexicon
(``content/<lang>/lexicon.yaml``); no words of any language live here.

A typed answer becomes one clear result:

- :class:`Accepted`: yes (``True``), no (``False``), "I don't know"
  (:data:`UNKNOWN`), a choice, or a number typed as plain digits;
- :class:`NumberRead`: a number converted to the question's unit, with what
  was typed and the unit understood (see :mod:`companion.numbers`);
- :class:`FollowUp`: the answer leaves a doubt; a short question names it;
- :class:`Rejected`: not understood; the question is asked again.

A "no" is only read when the whole answer says no. Matching forgives case,
accents, punctuation, stretched letters ("neee") and small typos, word by word
so that a no-word can never drift into a yes-word; SMS spellings ("pa", "nie")
are read as the word they stand for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from companion.conditions import UNKNOWN, AnswerValue
from companion.content import Lexicon
from companion.i18n import N_
from companion.numbers import NumberReader, converted, in_unit

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

_FOLLOW_UP_TEXTS: dict[Doubt, str] = {
    "no_with_more": FOLLOW_UP_NO_WITH_MORE,
    "yes_with_more": FOLLOW_UP_YES_WITH_MORE,
    "hedged_no": FOLLOW_UP_HEDGED_NO,
    "hedged_yes": FOLLOW_UP_HEDGED_YES,
    "unsure": FOLLOW_UP_UNSURE,
}


# --- words --------------------------------------------------------------------


def _raw_words(text: str) -> list[str]:
    """Lower case, no accents, punctuation as spaces: the words as typed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]|_", " ", plain).split()


def _squeeze(word: str) -> str:
    """ "neee" -> "ne", "jaaa" -> "ja": stretched letters (lexicon words get the same)."""
    return re.sub(r"([^\W\d_])\1+", r"\1", word)  # letters only: "100" stays 100


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, no stretched letters."""
    return " ".join(_squeeze(word) for word in _raw_words(text))


def typo_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one typo."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _allowed_typos(word: str) -> int:
    # Short words are too close to each other to forgive anything ("ja"/"je").
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 6 else 2


def _key(text: str) -> str:
    # A lone "?" means "I don't know" in the lexicons; punctuation is otherwise noise.
    return normalise(text) or text.strip()


def _words_close(typed: str, known: str) -> bool:
    """Typos are forgiven word by word, so "nee" can never drift into "ja"."""
    typed_words, known_words = typed.split(), known.split()
    if len(typed_words) != len(known_words):
        return False
    return all(
        typo_distance(a, b) <= _allowed_typos(b)
        for a, b in zip(typed_words, known_words, strict=True)
    )


class Vocabulary:
    """Maps normalised words and phrases to answer values (choices, "I don't know")."""

    def __init__(self, words: Mapping[AnswerValue, Iterable[str]]) -> None:
        self._phrases: dict[str, set[AnswerValue]] = {}
        for value, variants in words.items():
            for variant in variants:
                key = _key(variant)
                if key:
                    self._phrases.setdefault(key, set()).add(value)

    def match(self, text: str) -> set[AnswerValue]:
        """Every value the text could mean; one value means it is understood."""
        key = _key(text)
        if not key:
            return set()
        if key in self._phrases:
            return set(self._phrases[key])
        return self._close_to(key) or self._by_parts(key)

    def _close_to(self, key: str) -> set[AnswerValue]:
        found: set[AnswerValue] = set()
        for phrase, values in self._phrases.items():
            if _words_close(key, phrase):
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


# --- reading a yes/no answer --------------------------------------------------


class Reading(Enum):
    """What a yes/no answer says, before the question's alarm side is applied."""

    WHOLE_YES = "whole_yes"
    YES_WITH_MORE = "yes_with_more"
    SOME = "some"
    """The sign is there, if only a little or sometimes."""
    LIKELY_YES = "likely_yes"
    WHOLE_NO = "whole_no"
    NO_WITH_MORE = "no_with_more"
    HEDGED_NO = "hedged_no"
    UNSURE = "unsure"
    UNKNOWN = "unknown"
    CONTRADICTION = "contradiction"
    NOTHING = "nothing"


# Lexicon lists, most telling first: a phrase in two lists counts for the first.
_CATEGORIES = (
    "unknown",
    "hedged_no",
    "likely",
    "no",
    "yes",
    "partial",
    "hedges",
    "hedge_markers",
    "contrast",
    "ability",
    "negations",
    "fillers",
    "sentence",
)
_NEGATING = ("no", "negations")


@dataclass(frozen=True)
class _Segment:
    category: str | None
    """The lexicon list the words belong to; None for a word of no list."""
    words: tuple[str, ...]


class YesNoWords:
    """A language's lexicon, compiled to read yes/no answers."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.spellings = {
            " ".join(_raw_words(typed)): tuple(_squeeze(w) for w in _raw_words(meant))
            for typed, meant in lexicon.spellings.items()
        }
        self.phrases: dict[tuple[str, ...], str] = {}
        self.symbols: dict[str, str] = {}
        for category in _CATEGORIES:
            for phrase in getattr(lexicon, category):
                words = tuple(self.words(phrase))
                if words:
                    self.phrases.setdefault(words, category)
                elif phrase.strip():
                    self.symbols.setdefault(phrase.strip(), category)
        self.by_length: dict[int, list[tuple[tuple[str, ...], str]]] = {}
        for words, category in self.phrases.items():
            self.by_length.setdefault(len(words), []).append((words, category))
        self.longest = max(self.by_length, default=1)
        self.negative_words = frozenset(
            words[0]
            for words, category in self.phrases.items()
            if len(words) == 1 and category in _NEGATING and len(words[0]) >= 3
        )
        self.no_words = frozenset(w for w, c in self.phrases.items() if c == "no")
        self.corrections = frozenset(tuple(self.words(p)) for p in lexicon.corrections) - {()}

    def words(self, text: str) -> list[str]:
        """The words of a text, SMS spellings replaced by the word they stand for."""
        out: list[str] = []
        for raw in _raw_words(text):
            out.extend(self.spellings.get(raw) or (_squeeze(raw),))
        return out

    def segments(self, words: Sequence[str]) -> list[_Segment]:
        """Splits the words into lexicon phrases, longest first, exact before close."""
        found: list[_Segment] = []
        i = 0
        while i < len(words):
            segment = self._exact(words, i) or self._close(words, i)
            found.append(segment or _Segment(None, (words[i],)))
            i += len(segment.words) if segment else 1
        return found

    def _exact(self, words: Sequence[str], i: int) -> _Segment | None:
        for length in range(min(self.longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + length])
            category = self.phrases.get(key)
            if category is not None:
                return _Segment(category, key)
        return None

    def _close(self, words: Sequence[str], i: int) -> _Segment | None:
        for length in range(min(self.longest, len(words) - i), 0, -1):
            typed = words[i : i + length]
            if all(len(w) <= 3 for w in typed):
                continue  # nothing to forgive in short words
            categories = {
                category
                for known, category in self.by_length.get(length, ())
                if all(_typo_of(a, b) for a, b in zip(typed, known, strict=True))
            }
            if len(categories) == 1:
                return _Segment(categories.pop(), tuple(typed))
            if categories:
                return None  # close to words of different meanings: no guess
        return None

    def looks_negative(self, word: str) -> bool:
        """A word of no list that is a negation with a letter lost ("pa", "nie", "jamai"):
        never let it be read as yes."""
        return len(word) >= 2 and any(
            len(word) < len(n) and typo_distance(word, n) <= 1 for n in self.negative_words
        )

    def read(self, text: str, question_text: str = "") -> Reading:
        symbol = self.symbols.get(text.strip())
        if symbol is not None and not _raw_words(text):
            return _reading_of_category(symbol)
        segments = self.segments(self.words(text))
        question = _QuestionWords(self.words(question_text))
        return _reading(self, segments, question)

    def strip_correction(self, text: str) -> str | None:
        """The rest of "nee, 2 weken" / "je voulais dire 10": None without such a start."""
        words = self.words(text)
        for prefix in sorted(self.corrections | self.no_words, key=len, reverse=True):
            if tuple(words[: len(prefix)]) == prefix:
                rest = words[len(prefix) :]
                return " ".join(rest) if rest else None
        return None


def _typo_of(typed: str, known: str) -> bool:
    """Only words of five letters or more are forgiven a typo: "bien" is not "rien",
    "dans" is not "sans"."""
    if len(typed) < 5:
        return typed == known
    return typo_distance(typed, known) <= _allowed_typos(known)


def _reading_of_category(category: str) -> Reading:
    return {
        "yes": Reading.WHOLE_YES,
        "no": Reading.WHOLE_NO,
        "unknown": Reading.UNKNOWN,
        "likely": Reading.LIKELY_YES,
        "hedged_no": Reading.HEDGED_NO,
        "hedges": Reading.UNSURE,
        "partial": Reading.SOME,
    }.get(category, Reading.NOTHING)


class _QuestionWords:
    """The words of the question, to recognise an answer that repeats it."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)

    def __contains__(self, word: str) -> bool:
        if word in self.words:
            return True
        return any(_same_word(word, known) for known in self.words)


def _same_word(typed: str, known: str) -> bool:
    """ "tintelt" repeats "tintelingen": the same stem, or a typo of the word."""
    if len(typed) >= 5 and len(known) >= 5 and typed[:5] == known[:5]:
        return True
    return len(known) > 3 and typo_distance(typed, known) <= _allowed_typos(known)


def _partial_negated(segments: Sequence[_Segment]) -> bool:
    """ "nee, niet eens een beetje", "pas même un peu": the little is denied."""
    for index, segment in enumerate(segments):
        if segment.category == "partial":
            before = segments[max(0, index - 2) : index]
            if not any(s.category == "negations" for s in before):
                return False
    return True


def _reading(words: YesNoWords, segments: Sequence[_Segment], question: _QuestionWords) -> Reading:
    categories = {s.category for s in segments if s.category is not None}
    loose = [s.words[0] for s in segments if s.category is None]
    content = [word for word in loose if word not in question]
    repeats = len(content) < len(loose)
    suspect = any(words.looks_negative(word) for word in loose)
    negated = "negations" in categories
    has_yes, has_no = "yes" in categories, "no" in categories
    if "partial" in categories and not _partial_negated(segments):
        return Reading.SOME
    if "unknown" in categories:
        return Reading.CONTRADICTION if has_yes or "likely" in categories else Reading.UNKNOWN
    if has_yes and has_no:
        return Reading.CONTRADICTION
    if "hedged_no" in categories:
        return Reading.CONTRADICTION if has_yes else Reading.HEDGED_NO
    if categories & {"likely", "hedge_markers"}:
        return Reading.HEDGED_NO if has_no or negated or suspect else Reading.LIKELY_YES
    if "hedges" in categories:
        return Reading.UNSURE
    if has_yes:
        if negated or suspect:
            return Reading.UNSURE
        # "oui, j'y arrive" repeats the question; "ja, maar 's nachts" says more.
        more = content or "contrast" in categories
        return Reading.YES_WITH_MORE if more else Reading.WHOLE_YES
    if categories & {"contrast", "ability", "partial"}:
        return Reading.NO_WITH_MORE if has_no or negated else Reading.NOTHING
    if has_no:
        if content or (repeats and not negated):
            return Reading.NO_WITH_MORE
        return Reading.WHOLE_NO
    if negated:
        return _negative_sentence(content)
    return Reading.NOTHING


def _negative_sentence(content: list[str]) -> Reading:
    """No no-word but a negation: "niet", "pa" (SMS for "pas"), "ik heb geen koorts"."""
    return Reading.NO_WITH_MORE if content else Reading.WHOLE_NO


def yes_no_words(lexicon: Lexicon) -> YesNoWords:
    return YesNoWords(lexicon)


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
) -> Interpretation:
    """A whole number in the question's ``unit``; with a ``reader``, also in words or
    with another unit ("3 weken" is 21 for a question in days)."""
    stripped = text.strip()
    if not stripped:
        return Rejected(REASK_EMPTY)
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
