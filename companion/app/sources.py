"""Where a message comes from: its content entry's seed references, with the document title."""

from __future__ import annotations

from companion.texts.content import ContentError, Localizer

SEED_TITLES = {
    "000": "Gezondheidsraad, protocol lumbosacraal radiculair syndroom",
    "001": "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)",
    "002": "CBO richtlijn Aspecifieke lage rugklachten (2003)",
    "003": "KCE rapport 295A (2017)",
    "004": "Zorginstituut Nederland, Verbetersignalement (2021)",
}
"""The five source documents (``../shared/seeds/NNN_*.txt``) by number. Titles of
documents are names: shown as they are, in every language."""


def source_lines(texts: Localizer, key: str) -> list[str]:
    """``"seed 001:3112-3114 - Ketenzorgrichtlijn ..."`` per reference of ``key``;
    empty for an interface text or a key this language does not have."""
    if not key:
        return []
    try:
        entry = texts.entry(key)
    except ContentError:
        return []
    lines = []
    for ref in entry.source:
        seed = ref.split(":", 1)[0]
        title = SEED_TITLES.get(seed, "")
        lines.append(f"seed {ref}" + (f" - {title}" if title else ""))
    return lines
