"""Reading files that others wrote: a physiotherapist's plan, an association's pack.

Such a file may be a mistake or an attack: a link to ``/dev/zero``, a FIFO that
never ends, 48 MB of text, Latin-1 or UTF-16, characters that hide or reorder
what the reader sees. :func:`read_text` is the one way plans (TOML, JSON) and
content packs (YAML) are read; it refuses, with a message that says why:

- anything that is not a regular file (checked with ``os.stat`` before opening,
  opened without blocking, checked again on the open file);
- a file larger than its limit (at most ``limit + 1`` bytes are ever read);
- bytes that are not UTF-8 (a UTF-8 byte order mark is fine), naming the line.

:func:`forbidden_characters` finds control characters (C0 and C1, except a new
line or a tab where a text may have several lines) and the bidirectional
overrides U+202A-U+202E and U+2066-U+2069. Problems are :class:`Message`
objects: English when printed, and said in the reader's language with
:meth:`Message.said` (gettext msgids, :mod:`companion.texts.i18n`).
"""

from __future__ import annotations

import gettext
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from companion.texts.i18n import N_, catalog_file, load_translations

PLAN_FILE_LIMIT = 64 * 1024
"""A plan file: a few activities fit in 2 KiB; 64 KiB leaves room for comments."""
OVERLAY_FILE_LIMIT = 1024 * 1024
"""One YAML file of a content pack or overlay (the largest built-in file is 20 KiB)."""
OVERLAY_TOTAL_LIMIT = 8 * 1024 * 1024
"""All the YAML files of an overlay folder together."""
OVERLAY_FILE_COUNT_LIMIT = 200
"""YAML files in an overlay folder (the built-in content has 19)."""
MAX_NESTING = 32
"""Levels of lists and mappings in a plan or YAML file (the deepest built-in file has 8)."""
MAX_EXPANDED_VALUES = 100_000
"""Values of one YAML file with every alias written out (the largest built-in file,
flows/checkin.yaml, has about 2,700): a "billion laughs" file is refused before anything
is built."""

BOM = b"\xef\xbb\xbf"
MULTI_LINE_ALLOWED = frozenset("\n\t")
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_MAYBE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


class Message(str):
    """A problem in English (its ``str``) that can be said in the reader's language.

    ``msgid`` is the gettext msgid, filled in with ``values``. ``where`` (a file,
    ``file:line``), ``field`` (a dotted path such as ``activities.0.name.nl`` or a
    key) and ``line`` say where, when known; the ``str`` starts with them, as
    other problems do (``plan.toml: start: must be ...``)."""

    msgid: str
    values: Mapping[str, object]
    where: str
    field: str
    line: int | None

    def __new__(
        cls,
        msgid: str,
        *,
        where: str = "",
        field: str = "",
        line: int | None = None,
        **values: object,
    ) -> Message:
        english = msgid.format(**values)
        self = super().__new__(cls, ": ".join(part for part in (where, field, english) if part))
        self.msgid = msgid
        self.values = values
        self.where = where
        self.field = field
        self.line = line
        return self

    def said(self, translations: gettext.NullTranslations | None = None) -> str:
        """The message alone (without where and field), translated when given a catalog."""
        translations = translations or gettext.NullTranslations()
        values = {
            k: said(v, translations) if isinstance(v, str) else v for k, v in self.values.items()
        }
        return translations.gettext(self.msgid).format(**values)

    def placed(self, where: str) -> Message:
        """The same message, said to be in ``where`` (``file`` or ``file:line``)."""
        return Message(self.msgid, where=where, field=self.field, line=self.line, **self.values)

    def told(self, translations: gettext.NullTranslations | None) -> str:
        """Field and message (not where) in the reader's language."""
        text = self.said(translations)
        return f"{self.field}: {text}" if self.field else text


def said(text: str, translations: gettext.NullTranslations | None) -> str:
    """``text`` in the reader's language when it is a :class:`Message`, else as it is."""
    return text.said(translations) if isinstance(text, Message) else text


def reader_translations(language: str | None) -> gettext.NullTranslations:
    """The catalog for messages to a professional: ``--lang``, else the environment
    (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English."""
    candidates = [language] if language else []
    candidates += [
        os.environ.get(name, "") for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
    ]
    for candidate in candidates:
        code = (candidate or "").split(":")[0][:2].lower()
        # Any language whose catalog is installed, not a fixed list: a new language
        # needs no change here.
        if code.isalpha() and catalog_file(code, suffix=".mo").is_file():
            return load_translations(code)
        if candidate:
            break
    return gettext.NullTranslations()


NOT_REGULAR = N_("This is not a regular file. A folder, device or pipe cannot be read.")
CANNOT_READ = N_("cannot read the file: {reason}")
TOO_LARGE = N_("The file is too large: at most {limit}, not {size}.")
NOT_UTF8 = N_("This is not a text file in UTF-8{encoding}. Save it as UTF-8.")
UTF16 = N_(" (it looks like UTF-16)")
TOO_DEEP = N_("Lists and tables are nested too deeply: at most {limit} levels.")
NUMBER_TOO_LONG = N_("A number is too long to be a real value.")
BAD_VALUE = N_("A date or number in the file does not exist, such as a 13th month.")
FORBIDDEN_CHARACTER = N_(
    "It contains the hidden or control character {character}. Remove it: it can hide or "
    "change what the reader sees."
)
TOO_MANY_ALIASED = N_(
    "With its YAML aliases (*name) written out, the file has more than {limit} values. "
    "Use fewer aliases."
)
TOO_MANY_FILES = N_("The folder has more than {limit} YAML files.")
FOLDER_TOO_LARGE = N_("The YAML files of the folder are larger than {limit} together.")


class UnsafeFile(Exception):
    """A file that is not read; ``message`` says why (and its ``line`` where, when known)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def size_text(size: int) -> str:
    """64 KiB, 1 MiB: limits are stated the way the README states them."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"


def read_text(path: Path, limit: int) -> str:
    """The text of a regular file of at most ``limit`` bytes, decoded as UTF-8.

    Raises :class:`UnsafeFile` with the reason; never blocks on a FIFO and never
    reads more than ``limit + 1`` bytes."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise UnsafeFile(Message(NOT_REGULAR))
        # O_NONBLOCK: a FIFO put in place after the stat above does not hang the open.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise UnsafeFile(Message(NOT_REGULAR))
            data = handle.read(limit + 1)
    except OSError as err:
        raise UnsafeFile(Message(CANNOT_READ, reason=err.strerror or str(err))) from None
    if len(data) > limit:
        seen = max(status.st_size, len(data))
        raise UnsafeFile(Message(TOO_LARGE, limit=size_text(limit), size=size_text(seen)))
    return decode(data)


def decode(data: bytes) -> str:
    """UTF-8, without a byte order mark; anything else names its first bad line."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:200]
        encoding = Message(UTF16) if utf16 else ""
        raise UnsafeFile(Message(NOT_UTF8, line=line, encoding=encoding)) from None


def forbidden_characters(text: str, multi_line: bool = False) -> list[str]:
    """Control and bidirectional characters in ``text``, as ``U+XXXX``, in order.

    A new line and a tab are fine where a text may have several lines."""
    if not _MAYBE_FORBIDDEN.search(text):  # nearly every text: no need to look per character
        return []
    found = []
    for char in text:
        code = ord(char)
        control = code < 0x20 or 0x7F <= code <= 0x9F
        if (control and not (multi_line and char in MULTI_LINE_ALLOWED)) or char in BIDI_CONTROLS:
            name = f"U+{code:04X}"
            if name not in found:
                found.append(name)
    return found


def character_problem(text: str, multi_line: bool = False, field: str = "") -> Message | None:
    """The message for the forbidden characters of ``text``, or None."""
    found = forbidden_characters(text, multi_line)
    if not found:
        return None
    return Message(FORBIDDEN_CHARACTER, field=field, character=", ".join(found))


def visible(text: str, multi_line: bool = True) -> str:
    """``text`` for a screen: control and bidirectional characters (other than a new
    line or a tab in a ``multi_line`` text) become U+FFFD, so a stored text cannot
    steer the terminal."""
    if not forbidden_characters(text, multi_line):
        return text
    return "".join("\ufffd" if forbidden_characters(char, multi_line) else char for char in text)


def strings_in(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string (keys included) in parsed data, with its dotted path; iterative."""
    stack: list[tuple[tuple[str, ...], Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, inner in reversed(value.items()):
                if isinstance(key, str):
                    yield (*where, key), key
                stack.append(((*where, str(key)), inner))
        elif isinstance(value, list):
            stack.extend(((*where, str(n)), inner) for n, inner in reversed(list(enumerate(value))))


def nesting(data: Any) -> int:
    """How deep lists and mappings go in parsed data (0 for a plain value); iterative."""
    deepest = 0
    stack: list[tuple[int, Any]] = [(0, data)]
    while stack:
        depth, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((depth + 1, inner) for inner in value.values())
        elif isinstance(value, list):
            stack.extend((depth + 1, inner) for inner in value)
        else:
            continue
        deepest = max(deepest, depth + 1)
    return deepest
