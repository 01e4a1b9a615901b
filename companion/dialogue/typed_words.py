"""Words as patients type them: case, accents, punctuation and stretched letters
set aside, and the typos that may be forgiven (shared by the answer readers)."""

from __future__ import annotations

import re
import unicodedata


def raw_words(text: str) -> list[str]:
    """Lower case, no accents, punctuation as spaces: the words as typed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]|_", " ", plain).split()


def squeeze(word: str) -> str:
    """ "neee" -> "ne", "jaaa" -> "ja": stretched letters (lexicon words get the same)."""
    return re.sub(r"([^\W\d_])\1+", r"\1", word)  # letters only: "100" stays 100


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, no stretched letters."""
    return " ".join(squeeze(word) for word in raw_words(text))


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


def allowed_typos(word: str) -> int:
    # Short words are too close to each other to forgive anything ("ja"/"je").
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 6 else 2


def phrase_key(text: str) -> str:
    # A lone "?" means "I don't know" in the lexicons; punctuation is otherwise noise.
    return normalise(text) or text.strip()


def words_close(typed: str, known: str) -> bool:
    """Typos are forgiven word by word, so "nee" can never drift into "ja"."""
    typed_words, known_words = typed.split(), known.split()
    if len(typed_words) != len(known_words):
        return False
    return all(
        typo_distance(a, b) <= allowed_typos(b)
        for a, b in zip(typed_words, known_words, strict=True)
    )
