"""Messages of the command line (export, erase, report, plan import) in the person's language.

A conversation knows its language; a command such as `companion erase` does not, so it takes
``--lang``, else the language stored in the data folder, else says each line in every language
with a catalog. Texts are gettext msgids (see :mod:`companion.texts.i18n`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path

from companion.store.storage import StorageError, stored_language
from companion.texts.content import ContentError, parse_locale
from companion.texts.i18n import LOCALE_DIR, catalog_file, load_translations


def message_languages(locale: str | None, data_dir: Path | str | None = None) -> list[str]:
    """``locale`` (``--lang``), else the stored language, else every catalog's language."""
    if locale:
        with contextlib.suppress(ContentError):
            return [parse_locale(locale)[0]]
    if data_dir is not None:
        stored = stored_language(data_dir)
        if stored is not None:
            return [stored]
    return sorted(
        folder.name for folder in LOCALE_DIR.iterdir() if catalog_file(folder.name).is_file()
    )


def say(
    languages: Iterable[str],
    message: str | tuple[str, str],
    count: int | None = None,
    error: bool = False,
    **params: object,
) -> None:
    """One line per language, on stdout (or stderr with ``error``); a (singular, plural)
    pair is chosen by ``count``, which also fills ``{count}``."""
    lines = []
    for language in languages:
        translations = load_translations(language)
        if isinstance(message, tuple):
            text = translations.ngettext(message[0], message[1], count or 0)
            params["count"] = count
        else:
            text = translations.gettext(message)
        lines.append(text.format(**params))
    if lines:
        print("\n".join(lines), file=sys.stderr if error else sys.stdout, flush=True)


def say_failure(languages: Iterable[str], command: str, err: StorageError) -> None:
    """A storage problem (read-only folder, full disk...) in one line per language."""
    for language in languages:
        print(f"{command}: {err.translated(load_translations(language))}", file=sys.stderr)
