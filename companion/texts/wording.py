"""Words per language and region that ``companion check`` watches (issue 14).

- English words in a Dutch or French patient text ("check-in", "companion"):
  the list is the pack's own (``<lang>/words.yaml``, ``english``).
- Medical words that need a plain explanation: a text that uses one needs the
  entry ``glossary.<name>`` in the same language (``words.yaml``, ``medical``;
  the entries live in ``<lang>/glossary.yaml``).
- Region words: a word given for one region is given for every region, so a
  text that uses it reads right everywhere.
- Trusted links (``<lang>/links.yaml``): shown as text, never fetched; each is
  an https address on a host the pack allows for its region, without user
  name, password, spaces or control characters, and not too long.

Every problem is ``(where, message)``: the file, then key or region and word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from urllib.parse import urlsplit

from babel.messages.pofile import read_po

from companion.texts.content import (
    LINKS_FILE,
    REGION_PREFIX,
    WORDS_FILE,
    Content,
    LanguagePack,
    Localizer,
)
from companion.texts.i18n import catalog_file

GLOSSARY_PREFIX = "glossary."
LINK_LENGTH_LIMIT = 200
"""Long enough for a page address, short enough to copy by hand."""


@cache
def word_pattern(word: str) -> re.Pattern[str]:
    """``word`` as a whole word (a hyphen joins words: "check-in" is not in "check-inner")."""
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)


def uses(text: str, word: str) -> bool:
    return word_pattern(word).search(text) is not None


@cache
def any_word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as a whole word: one search instead of one per word."""
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def uses_any(text: str, words: Sequence[str]) -> bool:
    """Whether ``uses(text, word)`` for some word (a regex alternation finds a match
    wherever one of its words would)."""
    return bool(words) and any_word_pattern(tuple(words)).search(text) is not None


def link_lines(texts: Localizer) -> list[str]:
    """The region's trusted pages as lines to show as plain text (title, then the address
    to copy); the program never opens them."""
    return [f"{link.title}: {link.url}" for link in texts.trusted_links()]


def explanations_for(texts: Localizer, *shown: str) -> list[str]:
    """The glossary entries of the medical words in ``shown``, once each, in list order:
    a screen or leaflet can put them under the texts that use the words."""
    medical = texts.pack.words.medical
    return [
        texts.text(GLOSSARY_PREFIX + name)
        for name, forms in medical.items()
        if texts.has(GLOSSARY_PREFIX + name)
        and any(uses(text, form) for text in shown for form in forms)
    ]


def wording_problems(content: Content) -> Iterator[tuple[str, str]]:
    for language, pack in sorted(content.languages.items()):
        yield from english_problems(language, pack)
        yield from catalog_english_problems(language, pack, content)
        yield from glossary_problems(pack)
        yield from region_word_problems(content, pack)
        yield from link_problems(content, pack)


def english_problems(language: str, pack: LanguagePack) -> Iterator[tuple[str, str]]:
    for key, entry in sorted(pack.texts.items()):
        if not uses_any(entry.text, pack.words.english):
            continue  # nearly every text: no need to look per word
        for word in pack.words.english:
            if uses(entry.text, word):
                yield (
                    pack.path_of(entry),
                    f"key '{key}': English word '{word}' in a '{language}' text "
                    f"(listed in {WORDS_FILE}); say it in '{language}'",
                )


def catalog_english_problems(
    language: str, pack: LanguagePack, content: Content
) -> Iterator[tuple[str, str]]:
    """Buttons and headings are patient text too: the interface catalog's translations."""
    po = catalog_file(language, content.locale_dir)
    if not pack.words.english or not po.is_file():
        return  # a missing catalog is reported by the catalog check
    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    except Exception:  # babel raises several kinds; the catalog check names the problem
        return
    for message in catalog:
        if not message.id:
            continue  # the catalog's header, not a text
        raw = message.string
        translations = list(raw) if isinstance(raw, tuple | list) else [raw]
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if not any(text and uses_any(text, pack.words.english) for text in translations):
            continue
        for word in pack.words.english:
            if any(text and uses(text, word) for text in translations):
                yield (
                    str(po),
                    f"msgid {msgid!r}: English word '{word}' in the '{language}' "
                    f"translation (listed in {WORDS_FILE}); say it in '{language}'",
                )


def glossary_problems(pack: LanguagePack) -> Iterator[tuple[str, str]]:
    for key, entry in sorted(pack.texts.items()):
        if key.startswith(GLOSSARY_PREFIX):
            continue
        for name, forms in sorted(pack.words.medical.items()):
            if GLOSSARY_PREFIX + name in pack.texts:
                continue
            for form in forms:
                if uses(entry.text, form):
                    yield (
                        pack.path_of(entry),
                        f"key '{key}': medical word '{form}' has no glossary entry "
                        f"'{GLOSSARY_PREFIX}{name}' in this language (glossary.yaml)",
                    )
                    break


def region_word_problems(content: Content, pack: LanguagePack) -> Iterator[tuple[str, str]]:
    words = {region: set(pack.region_words(region)) for region in content.regions}
    every = set().union(*words.values())
    for region, given in sorted(words.items()):
        for word in sorted(every - given - set(content.regions[region].values)):
            yield (
                str(pack.folder),
                f"region word '{word}' is missing for region {region} "
                f"(add '{REGION_PREFIX}{region.lower()}.{word}' to regions.yaml)",
            )


def link_problems(content: Content, pack: LanguagePack) -> Iterator[tuple[str, str]]:
    where = str(pack.folder / LINKS_FILE)
    for region, links in sorted(pack.links.links.items()):
        if region not in content.regions:
            yield where, f"links for unknown region '{region}'"
            continue
        allowed = {host.lower() for host in pack.links.allowed_hosts.get(region, [])}
        for number, link in enumerate(links, start=1):
            problem = url_problem(link.url, allowed)
            if problem is not None:
                yield where, f"region {region}, link {number} ({link.title!r}): {problem}"


def url_problem(url: str, allowed_hosts: set[str]) -> str | None:
    """Why ``url`` may not be shown to a patient, or None."""
    if len(url) > LINK_LENGTH_LIMIT:
        return f"longer than {LINK_LENGTH_LIMIT} characters"
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in url):
        return "contains a space or control character"
    if not url.isascii():
        return "contains a character that is not plain ASCII (write the address as ASCII)"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "is not an https address"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "contains a user name or password"
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        return "names a port; use the plain https address"
    if host not in allowed_hosts:
        allowed = ", ".join(sorted(allowed_hosts)) or "none"
        return f"host '{host}' is not allowed for this region (allowed: {allowed})"
    return None
