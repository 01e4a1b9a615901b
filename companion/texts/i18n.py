"""Interface texts through gettext, managed with Babel.

Buttons, headings and re-ask messages are not medical content: their msgids
are English sentences in the code, marked for ``pybabel extract`` (see
``babel.cfg``):

- ``N_("...")`` marks a text kept in a constant;
- ``N_plural("{count} day", "{count} days")`` marks a pair chosen by a count;
- ``texts.ui("...")`` / ``texts.ui_plural("...", "...", n)`` on a
  :class:`companion.texts.content.Localizer` translate at the call.

Translations live in ``companion/locale/<lang>/LC_MESSAGES/companion.po``,
compiled to ``companion.mo`` (committed, so a fresh install works).
``companion check`` makes sure every language with a content pack has a
complete catalog. Adding a language needs no Python: a content folder and a
``.po`` file (``pybabel init`` / ``pybabel compile``).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

DOMAIN = "companion"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
"""The catalogs shipped with the package."""


def N_(message: str) -> str:
    """Marks ``message`` for extraction; translated later, where it is shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular/plural pair for extraction (``Localizer.ui_plural``)."""
    return (singular, plural)


class TranslatableError(Exception):
    """An error a person reads. ``message`` is a gettext msgid with ``{placeholders}`` filled
    from ``params``: ``str()`` gives it in English, :meth:`translated` in the reader's
    language."""

    def __init__(self, message: str, /, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def translated(self, translations: gettext.NullTranslations) -> str:
        text = translations.gettext(self.message)
        return text.format(**self.params) if self.params else text


def catalog_file(language: str, locale_dir: Path = LOCALE_DIR, suffix: str = ".po") -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def template_file(locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / f"{DOMAIN}.pot"


def load_translations(language: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; without one, the English msgids.

    A missing catalog is a problem ``companion check`` reports; at run time the
    English interface is better than no conversation at all.
    """
    path = catalog_file(language, locale_dir, ".mo")
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


@cache
def babel_locale(language: str, region: str) -> Locale:
    """``nl`` + ``BE`` -> nl_BE. A pair CLDR does not know (``fr`` + ``NL``)
    falls back to the language alone (CLDR's default conventions for it)."""
    try:
        return Locale.parse(f"{language}_{region}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language)
