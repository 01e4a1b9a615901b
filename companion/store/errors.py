"""What every store raises when stored data cannot be used, whatever the backend."""

from __future__ import annotations

from companion.texts.i18n import TranslatableError


class StorageError(TranslatableError):
    """Stored data cannot be used; the message says which file or folder and what to do.

    ``message`` is a gettext msgid with ``{placeholders}`` filled from ``params``: ``str()``
    gives it in English, :meth:`translated` in the person's language.
    """


class AlreadyOpen(StorageError):
    """Another window has a conversation open on this data folder."""
