"""Numbers a patient types: digits, words, with a unit ("3 weken", "cinquante-deux
ans", "il y a deux jours", "eergisteren"), converted to the question's unit.

The clinical brief (section 2): a week is 7 days, a month 30, a year 365; an
age is in whole years. Unit words, words for "yesterday" and words that change
nothing come from the language's lexicon (``numbers:``); number words
themselves are read by the ``text2num`` package, imported only when a
patient types letters at a number question, so that starting the companion
(and ``companion simulate``) does not pay for it.

Never guesses: a word that is neither a number, a unit nor a word that changes
nothing makes the whole answer not understood ("3 of 4 weken", "niet 3").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from companion.texts.content import NumberWords

DAYS_PER_UNIT = {"days": 1, "weeks": 7, "months": 30, "years": 365}
"""The brief's conversion: a week is 7 days, a month 30, a year 365."""

MAX_NUMBER_WORDS = 6
"""The longest run of words read as one number ("quatre vingt dix neuf")."""


@dataclass(frozen=True)
class Amount:
    count: int
    unit: str | None
    """A key of :data:`DAYS_PER_UNIT`, or None for a bare number."""
    in_words: bool = False
    """Typed in words ("vier", "eergisteren"), not in digits."""


class _WordsToNumber(Protocol):
    def __call__(self, text: str, language: str) -> int: ...


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _tokens(text: str) -> list[str]:
    """Digit runs and letter runs: "3weken" -> ["3", "weken"], "avant-hier" -> two words."""
    return re.findall(r"\d+|[^\W\d_]+", text)


class NumberReader:
    """A language's number words (lexicon ``numbers:``), compiled."""

    def __init__(self, language: str, words: NumberWords) -> None:
        self.language = language
        self.respell = {_plain(k): v.casefold() for k, v in words.respell.items()}
        self.units: dict[tuple[str, ...], str] = {}
        for unit, names in words.units.items():
            for name in names:
                self.units.setdefault(tuple(_tokens(_plain(name))), unit)
        self.days_ago = {tuple(_tokens(_plain(k))): v for k, v in words.days_ago.items()}
        self.ignore = {tuple(_tokens(_plain(k))) for k in words.ignore} - {()}
        self._longest = max(
            (len(k) for k in [*self.units, *self.days_ago, *self.ignore]), default=1
        )

    def amounts(self, text: str) -> list[Amount] | None:
        """Every amount in the text, or None when any word is not understood."""
        spelled = text.casefold()
        for typed, meant in self.respell.items():
            spelled = spelled.replace(typed, meant)
        raw = _tokens(spelled)
        plain = [_plain(word) for word in raw]
        found: list[Amount] = []
        i = 0
        while i < len(raw):
            step = self._step(raw, plain, i, found)
            if step == 0:
                return None
            i += step
        return found

    def _step(self, raw: list[str], plain: list[str], i: int, found: list[Amount]) -> int:
        """Reads what starts at ``i``; returns how many words it took (0: not understood)."""
        phrase = self._phrase(plain, i, self.ignore)
        if phrase:
            return phrase
        for length in range(min(self._longest, len(plain) - i), 0, -1):
            days = self.days_ago.get(tuple(plain[i : i + length]))
            if days is not None:
                found.append(Amount(days, "days", in_words=True))
                return length
        number, length, in_words = self._number(raw, i)
        if number is None:
            return 0
        unit, unit_length = self._unit(plain, i + length)
        found.append(Amount(number, unit, in_words))
        return length + unit_length

    def _phrase(self, plain: Sequence[str], i: int, phrases: set[tuple[str, ...]]) -> int:
        for length in range(min(self._longest, len(plain) - i), 0, -1):
            if tuple(plain[i : i + length]) in phrases:
                return length
        return 0

    def _unit(self, plain: Sequence[str], i: int) -> tuple[str | None, int]:
        for length in range(min(self._longest, len(plain) - i), 0, -1):
            unit = self.units.get(tuple(plain[i : i + length]))
            if unit is not None:
                return unit, length
        return None, 0

    def _number(self, raw: Sequence[str], i: int) -> tuple[int | None, int, bool]:
        if raw[i].isdigit():
            try:
                return int(raw[i]), 1, False
            except ValueError:  # a digit int() refuses
                return None, 0, False
        words_to_number = _text2num()
        for length in range(min(MAX_NUMBER_WORDS, len(raw) - i), 0, -1):
            words = raw[i : i + length]
            if any(word.isdigit() for word in words):
                continue
            try:
                return words_to_number(" ".join(words), self.language), length, True
            except Exception:
                continue
        return None, 0, False


def _text2num() -> _WordsToNumber:
    # Imported here, not at the top: only answers typed in words need it.
    from text_to_num import text2num

    reader: _WordsToNumber = text2num
    return reader


def in_unit(amounts: Sequence[Amount], unit: str | None) -> int | None:
    """The amounts in the question's unit; None when they cannot be converted exactly.

    Never rounded: "3 weken" for an age in years, or "10 dagen" for a question in
    weeks, is asked again rather than guessed."""
    if len(amounts) != 1 and any(a.unit is None for a in amounts):
        return None  # "3 4" or "2 weeks 3": not one amount
    if unit is None:
        if len(amounts) == 1 and amounts[0].unit is None:
            return amounts[0].count
        return None  # a unit the question does not count in
    days = sum(a.count * DAYS_PER_UNIT[a.unit or unit] for a in amounts)
    whole, rest = divmod(days, DAYS_PER_UNIT[unit])
    return whole if rest == 0 else None


def converted(amounts: Sequence[Amount], unit: str | None) -> bool:
    """Whether the patient should see the conversion: words, or another unit."""
    return any(a.in_words or (a.unit is not None and a.unit != unit) for a in amounts)
