"""Asking the person at the keyboard to confirm a step that changes their data."""

from __future__ import annotations

from collections.abc import Callable

CONFIRM_WORDS = frozenset({"yes", "ja", "oui"})
"""Whole words only: deleting everything must not follow from a stray key."""


def confirmed(
    ask: Callable[[str], str], question: str, words: frozenset[str] = CONFIRM_WORDS
) -> bool:
    """True only for one of ``words``; no answer (end of input) means no."""
    try:
        reply = ask(question)
    except EOFError:
        return False
    return reply.strip().lower() in words
