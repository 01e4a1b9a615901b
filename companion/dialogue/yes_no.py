"""Reading a typed yes/no answer by the clinical brief's rules (section 2,
"Understanding typed answers"), with the words of the language's lexicon.

The answer is split into lexicon phrases (longest first, exact before a forgiven
typo) and read into a :class:`Reading`: a whole yes or no, a no with more, "a
little or sometimes", a likely yes, a hedged no, unsure, unknown. Which answer
that is depends on the question's alarm side (``companion.dialogue.answers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from companion.dialogue.typed_words import allowed_typos, raw_words, squeeze, typo_distance
from companion.texts.content import Lexicon


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
            " ".join(raw_words(typed)): tuple(squeeze(w) for w in raw_words(meant))
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
        for raw in raw_words(text):
            out.extend(self.spellings.get(raw) or (squeeze(raw),))
        return out

    def segments(self, words: Sequence[str]) -> list[_Segment]:
        """Splits the words into lexicon phrases, leaving as few words unread as possible
        ("non, rien de tout ça": "non" + "rien de tout ça", not "non rien" + ...); a
        forgiven typo only where no phrase matches exactly."""
        # best[i]: (words left unread, segments) for the words from i on.
        best: list[tuple[int, int, list[_Segment]]] = [(0, 0, [])] * (len(words) + 1)
        for i in range(len(words) - 1, -1, -1):
            options = self._exact(words, i) or [
                s for s in (self._close(words, i),) if s is not None
            ]
            unread, count, rest = best[i + 1]
            choice = (unread + 1, count + 1, [_Segment(None, (words[i],)), *rest])
            for segment in options:
                unread, count, rest = best[i + len(segment.words)]
                if (unread, count + 1) < choice[:2]:
                    choice = (unread, count + 1, [segment, *rest])
            best[i] = choice
        return best[0][2]

    def _exact(self, words: Sequence[str], i: int) -> list[_Segment]:
        found = []
        for length in range(min(self.longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + length])
            category = self.phrases.get(key)
            if category is not None:
                found.append(_Segment(category, key))
        return found

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
        if symbol is not None and not raw_words(text):
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
    return typo_distance(typed, known) <= allowed_typos(known)


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
    return len(known) > 3 and typo_distance(typed, known) <= allowed_typos(known)


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
