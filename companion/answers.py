"""Understanding what a patient typed: yes / no / "I don't know", numbers, choices.

Matching forgives case, accents, punctuation, stretched letters ("jaaa") and
one or two typos, but never guesses: when the words point to more than one
answer, or to none, the patient is asked again. Numbers must be typed as
digits; "3 weeks" for a question in days is refused rather than misread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from companion.conditions import UNKNOWN, AnswerValue
from companion.content import Lexicon
from companion.i18n import N_

# Why an answer is asked again: interface texts (gettext msgids), translated by
# the engine through the session's Localizer.
REASK_EMPTY = N_("You have not typed anything yet. Choose a button, or type your answer.")
REASK_YES_NO = N_(
    "I did not quite understand that. Type yes, no or I don't know. You can also choose a button."
)
REASK_YES_NO_ONLY = N_(
    "I did not quite understand that. Type yes or no. You can also choose a button."
)
REASK_NUMBER = N_(
    "I did not quite understand that. Type only a whole number in digits, for example 12. "
    "Do not add words such as days or years."
)
REASK_NUMBER_RANGE = N_("That number does not fit here. Type a number from {min} to {max}.")
REASK_CHOICE = N_(
    "I did not quite understand that. Choose one of the buttons. "
    "You can also type the number or the word of a button."
)


@dataclass(frozen=True)
class Accepted:
    value: AnswerValue


@dataclass(frozen=True)
class Rejected:
    """Why an answer was not understood: an interface msgid and its placeholders."""

    reason: str
    details: Mapping[str, object] = field(default_factory=dict)


Interpretation = Accepted | Rejected


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, no stretched letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w\s]|_", " ", plain)
    squeezed = re.sub(r"(\w)\1+", r"\1", words)
    return " ".join(squeezed.split())


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


NEGATED = "negated"
"""Marks a yes-word next to a negation ("natuurlijk niet"): never read as yes."""


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
    """Maps normalised words and phrases to answer values."""

    def __init__(
        self, words: Mapping[AnswerValue, Iterable[str]], negations: Iterable[str] = ()
    ) -> None:
        self._phrases: dict[str, set[AnswerValue]] = {}
        for value, variants in words.items():
            for variant in variants:
                key = _key(variant)
                if key:
                    self._phrases.setdefault(key, set()).add(value)
        self._negations = {normalise(word) for word in negations} - {""}

    def match(self, text: str) -> set[AnswerValue]:
        """Every value the text could mean; one value means it is understood."""
        key = _key(text)
        if not key:
            return set()
        if key in self._phrases:
            return set(self._phrases[key])
        found = self._close_to(key) or self._by_parts(key)
        if True in found and self._negations & set(key.split()):
            found.add(NEGATED)
        return found

    def _close_to(self, key: str) -> set[AnswerValue]:
        found: set[AnswerValue] = set()
        for phrase, values in self._phrases.items():
            if _words_close(key, phrase):
                found |= values
        return found

    def _by_parts(self, key: str) -> set[AnswerValue]:
        """ "nee hoor", "oui bien sûr", "non je ne sais pas" (the last is ambiguous)."""
        padded = f" {key} "
        found: set[AnswerValue] = set()
        for phrase, values in self._phrases.items():
            if " " in phrase and f" {phrase} " in padded:
                found |= values
        for word in key.split():
            if word in self._phrases:
                found |= self._phrases[word]
        return found


def yes_no_vocabulary(lexicon: Lexicon) -> Vocabulary:
    return Vocabulary(
        {True: lexicon.yes, False: lexicon.no, UNKNOWN: lexicon.unknown}, lexicon.negations
    )


def interpret_yes_no(text: str, vocabulary: Vocabulary, unknown_allowed: bool) -> Interpretation:
    if not text.strip():
        return Rejected(REASK_EMPTY)
    meanings = vocabulary.match(text)
    if not unknown_allowed:
        meanings.discard(UNKNOWN)
    if len(meanings) == 1:
        return Accepted(meanings.pop())
    return Rejected(REASK_YES_NO if unknown_allowed else REASK_YES_NO_ONLY)


def interpret_number(
    text: str, low: int, high: int, unknown_words: Vocabulary | None
) -> Interpretation:
    stripped = text.strip()
    if not stripped:
        return Rejected(REASK_EMPTY)
    if re.fullmatch(r"[+-]?\d+\.?", stripped):
        number = int(stripped.rstrip("."))
        if low <= number <= high:
            return Accepted(number)
        return Rejected(REASK_NUMBER_RANGE, {"min": low, "max": high})
    if unknown_words is not None and unknown_words.match(stripped) == {UNKNOWN}:
        return Accepted(UNKNOWN)
    return Rejected(REASK_NUMBER, {"min": low, "max": high})


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
