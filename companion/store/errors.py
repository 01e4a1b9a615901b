"""What every store raises when stored data cannot be used, whatever the backend."""

from __future__ import annotations

import gettext


class StorageError(Exception):
    """Stored data cannot be used; the message says which file or folder and what to do.

    ``message`` is a gettext msgid with ``{placeholders}`` filled from ``params``: ``str()``
    gives it in English, :meth:`translated` in the person's language.
    """

    def __init__(self, message: str, /, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def translated(self, translations: gettext.NullTranslations) -> str:
        text = translations.gettext(self.message)
        return text.format(**self.params) if self.params else text


class AlreadyOpen(StorageError):
    """Another window has a conversation open on this data folder."""
