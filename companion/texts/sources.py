"""The source documents in words a patient can read: the guideline's name and year from
the pack (``content/<lang>/sources.yaml``), never only "seed 002:1644-1648"."""

from __future__ import annotations

from companion.texts.content import Localizer


def seed_of(ref: str) -> str:
    """``002:1644-1648`` -> ``002``."""
    return ref.split(":", 1)[0]


def source_name(texts: Localizer, seed: str) -> str | None:
    """ "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)"; None when the pack does not
    name this document (its reference is then shown to professionals only)."""
    document = texts.pack.sources.get(seed)
    if document is None:
        return None
    if document.year is None:
        return document.name
    return f"{document.name} ({document.year})"  # a year is written without a separator
