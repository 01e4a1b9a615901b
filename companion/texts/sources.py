"""The source documents in words a patient can read: the guideline's name and year from
the pack (``content/<lang>/sources.yaml``), never only "seed 002:1644-1648"."""

from __future__ import annotations

from companion.texts.content import Localizer

SOURCE_KEY = "source.{seed}.{part}"


def seed_of(ref: str) -> str:
    """``002:1644-1648`` -> ``002``."""
    return ref.split(":", 1)[0]


def source_name(texts: Localizer, seed: str) -> str | None:
    """ "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)"; None when the pack does not
    name this document (a reference is then shown to professionals only)."""
    name_key = SOURCE_KEY.format(seed=seed, part="name")
    if not texts.has(name_key):
        return None
    name = texts.text(name_key)
    year_key = SOURCE_KEY.format(seed=seed, part="year")
    return f"{name} ({texts.text(year_key)})" if texts.has(year_key) else name


def source_names(texts: Localizer, refs: list[str]) -> list[str]:
    """The named documents of ``refs``, each once, in the order first cited."""
    names: list[str] = []
    for ref in refs:
        name = source_name(texts, seed_of(ref))
        if name is not None and name not in names:
            names.append(name)
    return names
