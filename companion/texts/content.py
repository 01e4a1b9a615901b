"""Content packs: every patient-facing text, by key, per language, with its source.

Layout of a content folder::

    regions.yaml            numbers per region (NL, BE, ...), language-neutral
    <lang>/pack.yaml        language name, default region, review date, version,
                            readability formula
    <lang>/lexicon.yaml     words that mean yes / no / "I don't know"
    <lang>/harmful.yaml     phrasing that must never reach a patient (KCE Kader 2)
    <lang>/*.yaml           texts: key -> {text, source, reviewed, version, interface}

Region-specific words live under keys ``region.<code>.<name>`` and reach the
texts as ``{name}`` placeholders, so no sentence is copied per region.

An association's pack (an *overlay*) is a folder with an ``overlay.yaml`` at
its root; it is layered over the built-in content (:func:`load_overlay`).
Interface texts (buttons, headings) are not here: they are gettext catalogs
(:mod:`companion.texts.i18n`), reached through :meth:`Localizer.ui`.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
import re
import stat
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from companion.files.untrusted import (
    FOLDER_TOO_LARGE,
    OVERLAY_FILE_COUNT_LIMIT,
    OVERLAY_FILE_LIMIT,
    OVERLAY_TOTAL_LIMIT,
    TOO_MANY_FILES,
    Message,
    size_text,
)
from companion.files.yamlfiles import read_yaml
from companion.texts.i18n import LOCALE_DIR, N_, babel_locale, catalog_file, load_translations

SourceRef = Annotated[str, Field(pattern=r"^\d{3}:\d+(-\d+)?$")]
"""``001:3112`` or ``001:3097-3120``: seed file number and line range."""

SOURCES_FILE = "sources.yaml"
WORDS_FILE = "words.yaml"
LINKS_FILE = "links.yaml"
RESERVED_FILES = {
    "pack.yaml",
    "lexicon.yaml",
    "harmful.yaml",
    SOURCES_FILE,
    WORDS_FILE,
    LINKS_FILE,
}
REGION_PREFIX = "region."
OVERLAY_FILE = "overlay.yaml"
HARMFUL_FILE = "harmful.yaml"
DEVIATION_NOTE = N_("This text comes from {association} and differs from the shared text.")


class ContentError(Exception):
    """A content pack that cannot be used; each message names file and key."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems: list[str] = list(problems)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextEntry(_Strict):
    text: str = Field(min_length=1)
    source: list[SourceRef] = Field(default_factory=list)
    reviewed: dt.date | None = None
    version: int | None = Field(default=None, ge=1)
    interface: bool = False
    """Interface text, not a medical message: needs no source (``companion check``)."""
    file: str = ""
    """The file name inside its language folder."""
    origin: str = ""
    """The full path of the file (an overlay's own file for the texts it adds)."""

    def placeholders(self) -> set[str]:
        return placeholders_of(self.text)

    @property
    def where(self) -> str:
        return self.origin or self.file


ReadabilityFormula = Literal["flesch_douma", "kandel_moles", "flesch"]


class ReadabilitySettings(_Strict):
    """How ``companion check`` scores plain language for this language."""

    formula: ReadabilityFormula
    """flesch_douma (Dutch), kandel_moles (French), flesch (English original)."""
    hyphenation: str = Field(min_length=2)
    """The pyphen dictionary that counts syllables (nl_NL, fr, ...)."""


class HarmfulPattern(_Strict):
    """Phrasing that harms patients with back pain (KCE Kader 2, 003:492-526).

    ``pattern`` is a regular expression matched as whole words, ignoring case:
    "usé" does not match inside "nausées"."""

    pattern: str = Field(min_length=1)
    why: str = Field(min_length=1)
    source: list[SourceRef] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from err
        return value

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w)(?:{self.pattern})(?!\w)", re.IGNORECASE)


class SourceDocument(_Strict):
    """A source document as a patient reads its name: ``<lang>/sources.yaml`` maps the seed
    number (``"001"``) to the guideline's name and year. Names are names, not sentences:
    they are not scored for readability."""

    name: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)


DAY_GOAL_ANSWERS = ("done", "partly", "not")
"""The stored answers to "did you do your day goal?" (journey/quota.py), whatever the keys."""

PAGE_KEYS = {"q"}
"""Letters a page already uses (``q`` closes it): no day-goal key may take them."""


class PackInfo(_Strict):
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
    name: str
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    reviewed: dt.date
    version: int = Field(ge=1)
    readability: ReadabilitySettings | None = None
    day_goal_keys: dict[str, str] = Field(
        default_factory=lambda: {"done": "1", "partly": "2", "not": "3"}
    )
    """The key a patient presses for each day-goal answer, from the words of the language
    (nl: J for Ja, D for Deels; fr: O for Oui, P for Partiellement); numbers by default."""

    @field_validator("day_goal_keys")
    @classmethod
    def _one_key_per_answer(cls, value: dict[str, str]) -> dict[str, str]:
        if set(value) != set(DAY_GOAL_ANSWERS):
            raise ValueError(f"give exactly the answers {', '.join(DAY_GOAL_ANSWERS)}")
        keys = [key.lower() for key in value.values()]
        if any(not re.fullmatch(r"[a-z0-9]", key) or key in PAGE_KEYS for key in keys):
            raise ValueError("each key is one letter or digit, and not q (q closes the page)")
        if len(set(keys)) != len(keys):
            raise ValueError("each answer needs its own key")
        return {answer: value[answer].lower() for answer in DAY_GOAL_ANSWERS}


class PackWords(_Strict):
    """``<lang>/words.yaml``: words ``companion check`` watches for in this language."""

    english: list[str] = Field(default_factory=list)
    """English words that must not appear in a patient text of this language ("check-in")."""
    medical: dict[str, list[str]] = Field(default_factory=dict)
    """Medical words by glossary name: ``hernia: [hernia, hernia's]``. A text that uses one
    needs the entry ``glossary.<name>`` in this language (``glossary.yaml``)."""


class TrustedLink(_Strict):
    """A page a patient may read elsewhere: shown as text to copy, never fetched."""

    title: str = Field(min_length=1)
    url: str
    """Checked by ``companion check`` (https, an allowed host, no credentials)."""
    source: list[SourceRef] = Field(default_factory=list)


class PackLinks(_Strict):
    """``<lang>/links.yaml``: trusted links and the hosts allowed for them, per region."""

    allowed_hosts: dict[str, list[str]] = Field(default_factory=dict)
    links: dict[str, list[TrustedLink]] = Field(default_factory=dict)


class NumberWords(_Strict):
    """Words around a number a patient may type ("3 weken", "il y a deux jours")."""

    units: dict[Literal["days", "weeks", "months", "years"], list[str]] = Field(
        default_factory=dict
    )
    """Unit words per unit; a week is 7 days, a month 30, a year 365 (clinical brief)."""
    days_ago: dict[str, int] = Field(default_factory=dict)
    """Words that are a number of days by themselves: "gisteren" 1, "avant-hier" 2."""
    ignore: list[str] = Field(default_factory=list)
    """Words that change nothing ("ongeveer", "depuis", "il y a")."""
    respell: dict[str, str] = Field(default_factory=dict)
    """Spellings the number-word reader needs restored ("tweeen" -> "tweeën")."""


class Lexicon(_Strict):
    """Words a patient may type for each answer; matching is forgiving (see answers.py).

    The lists beyond yes / no / unknown carry the clinical brief's rules for typed
    answers (section 2): see the comments in ``content/<lang>/lexicon.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    yes: list[str] = Field(min_length=1)
    no: list[str] = Field(min_length=1)
    unknown: list[str] = Field(min_length=1)
    negations: list[str] = Field(default_factory=list)
    """Words that turn a sentence around ("niet", "pas")."""
    likely: list[str] = Field(default_factory=list)
    """Likelihood words, read as yes ("waarschijnlijk", "je crois")."""
    hedged_no: list[str] = Field(default_factory=list)
    """A no that is not sure ("waarschijnlijk niet"): one follow-up question."""
    hedge_markers: list[str] = Field(default_factory=list)
    """Words that make a yes likely and a no hedged ("denk ik", "je pense")."""
    hedges: list[str] = Field(default_factory=list)
    """Neither yes nor no ("mouais", "tja"): a follow-up question."""
    partial: list[str] = Field(default_factory=list)
    """"A little", "sometimes": the sign is there, even if not much."""
    contrast: list[str] = Field(default_factory=list)
    """ "maar", "mais", "juste": a no followed by one of these is never a whole no."""
    ability: list[str] = Field(default_factory=list)
    """Ability and feeling words ("lukt", "arrive", "gevoel"): negated, they describe a sign."""
    fillers: list[str] = Field(default_factory=list)
    """Words that add nothing to a yes or a no ("hoor", "merci", "heureusement")."""
    sentence: list[str] = Field(default_factory=list)
    """Pronouns and helper verbs of a sentence that repeats the question ("ik", "heb", "je")."""
    corrections: list[str] = Field(default_factory=list)
    """Words that start a correction of the number just given ("ik bedoel", "plutôt")."""
    spellings: dict[str, str] = Field(default_factory=dict)
    """SMS spellings and typos of a word, read as that word ("pa" -> "pas", "nn" -> "non")."""
    numbers: NumberWords = Field(default_factory=NumberWords)

    @field_validator(
        "yes",
        "no",
        "unknown",
        "negations",
        "likely",
        "hedged_no",
        "hedge_markers",
        "hedges",
        "partial",
        "contrast",
        "ability",
        "fillers",
        "sentence",
        "corrections",
        mode="before",
    )
    @classmethod
    def _strings(cls, value: Any) -> Any:
        # YAML reads bare yes/no/on/off as booleans; keep the patient's words as words.
        if isinstance(value, list):
            return [str(v) for v in value]
        return value


TIME_ZONE = r"^(?:UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+)$"
"""An IANA time zone name such as Europe/Brussels."""


class Region(_Strict):
    name: str
    values: dict[str, str] = Field(default_factory=dict)
    time_zone: str | None = Field(default=None, pattern=TIME_ZONE)
    """Where the region's clocks are (Europe/Amsterdam): reminders, report times."""


class RegionPatch(_Strict):
    """An overlay's change to a region: values added or replaced."""

    name: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    time_zone: str | None = Field(default=None, pattern=TIME_ZONE)


class Link(_Strict):
    title: str = Field(min_length=1)
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class OverlayInfo(_Strict):
    """``overlay.yaml``: who stands behind an association's pack."""

    association: str = Field(min_length=1)
    """The association's name, shown to the patient."""
    website: Annotated[str, Field(pattern=r"^https?://\S+$")]
    contact: str | None = None
    links: list[Link] = Field(default_factory=list)
    version: int = Field(ge=1)
    reviewed: dt.date


def placeholders_of(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError:
        return {"<malformed braces>"}


@dataclass(frozen=True)
class LanguagePack:
    info: PackInfo
    lexicon: Lexicon
    texts: Mapping[str, TextEntry]
    folder: Path
    harmful: tuple[HarmfulPattern, ...] = ()
    harmful_files: tuple[Path, ...] = ()
    replaced: Mapping[str, TextEntry] = field(default_factory=dict)
    """The shared (built-in) entry of every key an overlay replaced with its own text:
    the one place that knows which messages deviate (issue 14, item 5)."""
    association: str = ""
    """The name of the association whose overlay replaced them."""
    sources: Mapping[str, SourceDocument] = field(default_factory=dict)
    """The source documents by seed number (``sources.yaml``), for the patient's eyes."""
    words: PackWords = field(default_factory=PackWords)
    links: PackLinks = field(default_factory=PackLinks)

    def path_of(self, entry: TextEntry) -> str:
        """Where an entry was written, for problems: file and folder."""
        return entry.origin or str(self.folder / entry.file)

    def region_words(self, region: str) -> dict[str, str]:
        prefix = f"{REGION_PREFIX}{region.lower()}."
        return {k[len(prefix) :]: e.text for k, e in self.texts.items() if k.startswith(prefix)}


@dataclass(frozen=True)
class Content:
    folder: Path
    regions: Mapping[str, Region]
    languages: Mapping[str, LanguagePack]
    translations: Mapping[str, gettext.NullTranslations] = field(default_factory=dict)
    """Compiled interface catalogs by language (see :mod:`companion.texts.i18n`)."""
    locale_dir: Path = LOCALE_DIR
    overlay: OverlayInfo | None = None
    """The association's ``overlay.yaml`` when this is a layered pack."""
    base: Path | None = None
    """The built-in folder an overlay is layered over."""

    @property
    def association(self) -> OverlayInfo | None:
        return self.overlay

    @property
    def name(self) -> str:
        return self.overlay.association if self.overlay else "companion"

    @property
    def version(self) -> int:
        if self.overlay:
            return self.overlay.version
        return max(pack.info.version for pack in self.languages.values())

    @property
    def reviewed(self) -> dt.date:
        """The overlay's review date, else the oldest review of the languages."""
        if self.overlay:
            return self.overlay.reviewed
        return min(pack.info.reviewed for pack in self.languages.values())

    def localizer(self, language: str, region: str | None = None) -> Localizer:
        pack = self.languages.get(language)
        if pack is None:
            known = ", ".join(sorted(self.languages)) or "none"
            raise ContentError(f"no content for language '{language}' (available: {known})")
        region = region or pack.info.default_region
        if region not in self.regions:
            known = ", ".join(sorted(self.regions))
            raise ContentError(f"unknown region '{region}' (available: {known})")
        variables = {**self.regions[region].values, **pack.region_words(region)}
        translations = self.translations.get(language) or gettext.NullTranslations()
        return Localizer(
            pack=pack,
            region=region,
            variables=variables,
            translations=translations,
            catalog=str(catalog_file(language, self.locale_dir)),
            time_zone=self.regions[region].time_zone,
        )


@dataclass(frozen=True)
class Localizer:
    """Texts of one language, filled in for one region; dates and numbers as
    the locale writes them (nl_NL, nl_BE, fr_BE)."""

    pack: LanguagePack
    region: str
    variables: Mapping[str, str]
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)
    catalog: str = "(no catalog)"
    time_zone: str | None = None
    """The region's IANA time zone (``regions.yaml``), when it gives one."""

    @property
    def language(self) -> str:
        return self.pack.info.language

    @property
    def locale(self) -> str:
        return f"{self.language}-{self.region}"

    @property
    def babel_locale(self) -> Locale:
        return babel_locale(self.language, self.region)

    # interface texts (gettext) ---------------------------------------------------

    def ui(self, msgid: str, **values: object) -> str:
        """An interface text (an English msgid) in this language, filled in."""
        return self._fill(msgid, self.translations.gettext(msgid), values)

    def ui_plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """ngettext: the form for ``n``; ``{count}`` is ``n`` as the locale writes it."""
        text = self.translations.ngettext(singular, plural, n)
        return self._fill(singular, text, {"count": self.format_number(n), **values})

    def _fill(self, msgid: str, text: str, values: Mapping[str, object]) -> str:
        filled = {**self.variables, **{k: str(v) for k, v in values.items()}}
        try:
            return text.format_map(filled)
        except (KeyError, ValueError, IndexError) as err:
            raise ContentError(
                f"{self.catalog}: interface text {msgid!r} cannot be filled in: {err}"
            ) from err

    # dates and numbers (Babel, CLDR) -------------------------------------------------

    def format_number(self, number: float) -> str:
        return format_decimal(number, locale=self.babel_locale)

    def format_date(self, day: dt.date, format: str = "long") -> str:
        return format_date(day, format=format, locale=self.babel_locale)

    def format_time(self, moment: dt.datetime | dt.time, format: str = "short") -> str:
        return format_time(moment, format=format, locale=self.babel_locale)

    def format_datetime(self, moment: dt.datetime, format: str = "medium") -> str:
        return format_datetime(moment, format=format, locale=self.babel_locale)

    def has(self, key: str) -> bool:
        return key in self.pack.texts

    def deviates(self, key: str) -> bool:
        """Whether an association's overlay replaced the shared text of ``key``."""
        return key in self.pack.replaced

    def deviation_note(self, key: str) -> str | None:
        """The short note every driver shows under a message an overlay replaced;
        None for a shared text (001:966-992 asks that deviations be stated)."""
        if not self.deviates(key):
            return None
        return self.ui(DEVIATION_NOTE, association=self.pack.association)

    def trusted_links(self) -> list[TrustedLink]:
        """This region's trusted pages, to show as text (``companion check`` vets them)."""
        return list(self.pack.links.links.get(self.region, []))

    @property
    def day_goal_keys(self) -> dict[str, str]:
        """Key -> stored answer ("j" -> "done" in Dutch)."""
        return {key: answer for answer, key in self.pack.info.day_goal_keys.items()}

    def entry(self, key: str) -> TextEntry:
        try:
            return self.pack.texts[key]
        except KeyError:
            raise ContentError(
                f"{self.pack.folder}: text key '{key}' is missing for language '{self.language}'"
            ) from None

    def text(self, key: str, **extra: object) -> str:
        entry = self.entry(key)
        values = {**self.variables, **{k: str(v) for k, v in extra.items()}}
        try:
            return entry.text.format_map(values)
        except (KeyError, ValueError, IndexError) as err:
            raise ContentError(
                f"{self.pack.path_of(entry)}: text '{key}' cannot be filled in: {err}"
            ) from err


# --- loading ------------------------------------------------------------------


def _validation_message(path: Path, err: ValidationError, prefix: str = "") -> str:
    lines = [f"{path}: {err.error_count()} problem(s)"]
    for detail in err.errors():
        where = ".".join(str(p) for p in detail["loc"]) or "(top level)"
        lines.append(f"  {prefix}{where}: {detail['msg']}")
    return "\n".join(lines)


def _load_texts(
    path: Path, reviewed: dt.date, version: int, errors: list[str] | None = None
) -> Iterator[tuple[str, TextEntry]]:
    """Entries of one text file, with the pack's (or overlay's) defaults filled in.

    With ``errors`` every bad entry is listed there and the rest still load;
    without, the first problem raises ContentError."""

    def problem(message: str) -> None:
        if errors is None:
            raise ContentError(message)
        errors.append(message)

    try:
        data = read_yaml(path, ContentError)
    except ContentError as err:
        problem(str(err))
        return
    if data is None:
        return
    if not isinstance(data, dict):
        problem(f"{path}: expected a mapping of text keys to entries")
        return
    for key, raw in data.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problem(f"{path}: key {key!r}: keys are dotted lower-case words")
            continue
        raw = {"text": raw} if isinstance(raw, str) else raw
        if not isinstance(raw, dict):
            problem(f"{path}: key '{key}': expected text or a mapping with 'text'")
            continue
        try:
            entry = TextEntry.model_validate(raw)
        except ValidationError as err:
            problem(_validation_message(path, err, prefix=f"{key}."))
            continue
        yield (
            key,
            entry.model_copy(
                update={
                    "reviewed": entry.reviewed or reviewed,
                    "version": entry.version or version,
                    "file": path.name,
                    "origin": str(path),
                }
            ),
        )


_Model = TypeVar("_Model", bound=BaseModel)

_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def load_harmful(path: Path) -> tuple[HarmfulPattern, ...]:
    """``harmful.yaml``: a list of ``{pattern, why, source}``."""
    data = read_yaml(path, ContentError)
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ContentError(f"{path}: expected a list of {{pattern, why, source}} entries")
    patterns = []
    for number, raw in enumerate(data, start=1):
        try:
            patterns.append(HarmfulPattern.model_validate(raw))
        except ValidationError as err:
            raise ContentError(_validation_message(path, err, prefix=f"entry {number}: ")) from err
    return tuple(patterns)


def load_language(folder: Path) -> LanguagePack:
    try:
        info = PackInfo.model_validate(read_yaml(folder / "pack.yaml", ContentError))
    except ValidationError as err:
        raise ContentError(_validation_message(folder / "pack.yaml", err)) from err
    if info.language != folder.name:
        raise ContentError(
            f"{folder / 'pack.yaml'}: language '{info.language}' "
            f"differs from folder '{folder.name}'"
        )
    try:
        lexicon = Lexicon.model_validate(read_yaml(folder / "lexicon.yaml", ContentError))
    except ValidationError as err:
        raise ContentError(_validation_message(folder / "lexicon.yaml", err)) from err
    texts: dict[str, TextEntry] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in RESERVED_FILES:
            continue
        for key, entry in _load_texts(path, info.reviewed, info.version):
            if key in texts:
                raise ContentError(f"{path}: key '{key}' is also defined in {texts[key].file}")
            texts[key] = entry
    harmful_file = folder / HARMFUL_FILE
    harmful = load_harmful(harmful_file) if harmful_file.exists() else ()
    sources_file = folder / SOURCES_FILE
    return LanguagePack(
        info=info,
        lexicon=lexicon,
        texts=texts,
        folder=folder,
        harmful=harmful,
        harmful_files=(harmful_file,) if harmful_file.exists() else (),
        sources=load_sources(sources_file) if sources_file.exists() else {},
        words=_optional_model(folder / WORDS_FILE, PackWords),
        links=_optional_model(folder / LINKS_FILE, PackLinks),
    )


def load_sources(path: Path) -> dict[str, SourceDocument]:
    """``sources.yaml``: seed number (``"001"``) -> ``{name, year}``."""
    return _models_by_code(
        path,
        SourceDocument,
        code=r"\d{3}",
        not_a_mapping='expected a mapping of seed numbers ("001") to documents',
        bad_code='{code!r}: a seed number of three digits, quoted ("001")',
        empty_allowed=True,
    )


def _optional_model(path: Path, model: type[_Model]) -> _Model:
    """A language file that may be absent (a third language need not have one)."""
    if not path.exists():
        return model()
    try:
        return model.model_validate(read_yaml(path, ContentError) or {})
    except ValidationError as err:
        raise ContentError(_validation_message(path, err)) from err


def load_regions(path: Path) -> dict[str, Region]:
    return _models_by_code(
        path,
        Region,
        code=r"[A-Z]{2}",
        not_a_mapping="expected a mapping of region codes (NL, BE, ...)",
        bad_code="region {code!r}: use a two-letter upper-case code",
        empty_allowed=False,
    )


def _models_by_code(
    path: Path,
    model: type[_Model],
    code: str,
    not_a_mapping: str,
    bad_code: str,
    empty_allowed: bool,
) -> dict[str, _Model]:
    """A YAML mapping of codes (matching ``code``) to entries validated as ``model``; every
    problem is one ``ContentError`` naming the file and the code."""
    data = read_yaml(path, ContentError)
    if data is None and empty_allowed:
        return {}
    if not isinstance(data, dict) or not (data or empty_allowed):
        raise ContentError(f"{path}: {not_a_mapping}")
    entries: dict[str, _Model] = {}
    for key, raw in data.items():
        if not isinstance(key, str) or not re.fullmatch(code, key):
            raise ContentError(f"{path}: " + bad_code.format(code=key))
        try:
            entries[key] = model.model_validate(raw)
        except ValidationError as err:
            raise ContentError(_validation_message(path, err, prefix=f"{key}.")) from err
    return entries


def is_overlay(folder: Path) -> bool:
    """An association's pack: a folder with ``overlay.yaml`` at its root."""
    return (folder / OVERLAY_FILE).is_file()


CONTENT_LOCALE_DIR = "locale"
"""A complete content folder may carry its own interface catalogs (``locale/``, laid
out as the package's): a language added outside the package brings its catalog along."""


def load_content(folder: Path, locale_dir: Path | None = None) -> Content:
    """A complete content folder (for an overlay, see :func:`load_overlay`); its
    catalogs are ``locale_dir``, else the folder's own ``locale/``, else the package's.

    Folders whose files have the same contents as at a load before (read again and
    compared, not trusted by date) give the Content built then: nothing changes a
    Content after loading (frozen; an overlay layers over copies), so it is shared
    as :func:`companion.resources.builtin_library` shares its own."""
    contents = _contents_of(folder, locale_dir)
    if contents is None:
        return _load_content(folder, locale_dir)
    return _content_loaded_before(folder, locale_dir, contents)


_Contents = tuple[tuple[str, bytes], ...]


@lru_cache(maxsize=8)
def _content_loaded_before(folder: Path, locale_dir: Path | None, contents: _Contents) -> Content:
    return _load_content(folder, locale_dir)


def _contents_of(folder: Path, locale_dir: Path | None) -> _Contents | None:
    """Every file of the folder and of the catalogs it is loaded with, by path; None
    (so not kept) when something is not a plain file or the whole is too large to
    keep: such a folder is loaded, and refused, as before."""
    found: list[tuple[str, bytes]] = []
    total = 0
    try:
        for top in (folder, locale_dir or LOCALE_DIR):
            if not top.is_dir() or top.is_symlink():
                continue
            for path in sorted(top.rglob("*")):
                info = os.lstat(path)
                if stat.S_ISDIR(info.st_mode):
                    continue
                total += info.st_size
                if not stat.S_ISREG(info.st_mode) or total > OVERLAY_TOTAL_LIMIT:
                    return None
                found.append((str(path), path.read_bytes()))
    except OSError:
        return None
    return tuple(found) if folder.is_dir() else None


def _load_content(folder: Path, locale_dir: Path | None) -> Content:
    if not folder.is_dir():
        raise ContentError(f"{folder}: content folder not found")
    if locale_dir is None:
        own = folder / CONTENT_LOCALE_DIR
        locale_dir = own if own.is_dir() else LOCALE_DIR
    _refuse_oversized(folder)
    regions = load_regions(folder / "regions.yaml")
    languages = {
        sub.name: load_language(sub)
        for sub in sorted(folder.iterdir())
        if sub.is_dir() and (sub / "pack.yaml").exists()
    }
    if not languages:
        raise ContentError(f"{folder}: no language folders (each needs a pack.yaml)")
    return Content(
        folder=folder,
        regions=regions,
        languages=languages,
        translations={lang: load_translations(lang, locale_dir) for lang in languages},
        locale_dir=locale_dir,
    )


# --- an association's pack over the built-in one ---------------------------------------

OVERLAY_LANGUAGE_FILES_REFUSED = {"pack.yaml", "lexicon.yaml", SOURCES_FILE, WORDS_FILE, LINKS_FILE}


def load_overlay(folder: Path, base: Content) -> Content:
    """``base`` with an association's pack layered over it.

    The overlay folder holds ``overlay.yaml`` (association, website, contact,
    links, version, reviewed), optionally ``regions.yaml`` (values added or
    replaced per region) and ``<lang>/*.yaml`` texts that replace or add
    messages by key (``<lang>/regions.yaml`` for region words, and
    ``<lang>/harmful.yaml`` to add patterns). Every problem in every file is
    listed in one ContentError; the built-in folder is never touched.
    """
    _refuse_oversized(folder)
    errors: list[str] = []
    info = _overlay_info(folder / OVERLAY_FILE, errors)
    regions = dict(base.regions)
    if os.path.lexists(folder / "regions.yaml"):  # a dangling link is said, not skipped
        regions = _patched_regions(folder / "regions.yaml", regions, errors)
    languages = dict(base.languages)
    for item in sorted(folder.iterdir()):
        if not item.is_dir():
            if item.suffix in {".yaml", ".yml"} and item.name not in {OVERLAY_FILE, "regions.yaml"}:
                errors.append(
                    f"{item}: unknown file in an overlay (expected {OVERLAY_FILE}, "
                    "regions.yaml and language folders)"
                )
            continue
        if item.name.startswith("."):
            continue
        if item.name not in base.languages:
            known = ", ".join(sorted(base.languages))
            errors.append(
                f"{item}: '{item.name}' is not a language of the built-in content ({known}); "
                "an overlay changes existing languages only"
            )
            continue
        languages[item.name] = _layered_language(item, base.languages[item.name], info, errors)
    if errors:
        raise ContentError(*errors)
    assert info is not None
    return Content(
        folder=folder,
        regions=regions,
        languages=languages,
        translations=base.translations,
        locale_dir=base.locale_dir,
        overlay=info,
        base=base.folder,
    )


def pack_yaml_files(folder: Path) -> Iterator[Path]:
    """The YAML files of a pack or overlay: at its root and in its language folders."""
    for item in folder.iterdir():
        if item.is_dir() and not item.is_symlink():
            yield from (path for path in item.iterdir() if path.suffix in {".yaml", ".yml"})
        elif item.suffix in {".yaml", ".yml"}:
            yield item


def _refuse_oversized(folder: Path) -> None:
    """Limits on the whole folder, before any file is parsed (each file has its own)."""
    count = total = 0
    for path in pack_yaml_files(folder):
        count += 1
        if count > OVERLAY_FILE_COUNT_LIMIT:
            raise ContentError(Message(TOO_MANY_FILES, where=str(folder), limit=count - 1))
        try:
            info = os.stat(path)
        except OSError:
            continue  # read_yaml says what is wrong with it
        if stat.S_ISREG(info.st_mode) and info.st_size <= OVERLAY_FILE_LIMIT:
            total += info.st_size  # a larger file is refused by name when it is read
    if total > OVERLAY_TOTAL_LIMIT:
        limit = size_text(OVERLAY_TOTAL_LIMIT)
        raise ContentError(Message(FOLDER_TOO_LARGE, where=str(folder), limit=limit))


def _overlay_info(path: Path, errors: list[str]) -> OverlayInfo | None:
    try:
        return OverlayInfo.model_validate(read_yaml(path, ContentError))
    except ContentError as err:
        errors.extend(err.problems)
    except ValidationError as err:
        errors.append(_validation_message(path, err))
    return None


def _patched_regions(
    path: Path, regions: dict[str, Region], errors: list[str]
) -> dict[str, Region]:
    try:
        data = read_yaml(path, ContentError)
    except ContentError as err:
        errors.extend(err.problems)
        return regions
    if not isinstance(data, dict):
        errors.append(f"{path}: expected a mapping of region codes (NL, BE, ...)")
        return regions
    patched = dict(regions)
    for code, raw in data.items():
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            errors.append(f"{path}: region {code!r}: use a two-letter upper-case code")
            continue
        try:
            patch = RegionPatch.model_validate(raw)
        except ValidationError as err:
            errors.append(_validation_message(path, err, prefix=f"{code}."))
            continue
        old = patched.get(code)
        if old is None and patch.name is None:
            errors.append(f"{path}: region {code}: a new region needs a name")
            continue
        patched[code] = Region(
            name=patch.name or (old.name if old else code),
            values={**(old.values if old else {}), **patch.values},
            time_zone=patch.time_zone or (old.time_zone if old else None),
        )
    return patched


def _layered_language(
    folder: Path, pack: LanguagePack, info: OverlayInfo | None, errors: list[str]
) -> LanguagePack:
    texts = dict(pack.texts)
    reviewed = info.reviewed if info else pack.info.reviewed
    version = info.version if info else pack.info.version
    harmful = pack.harmful
    harmful_files = pack.harmful_files
    replaced: dict[str, TextEntry] = {}
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in {".yaml", ".yml"}:
            continue  # a folder or special file named *.yaml is refused by read_yaml
        if path.name in OVERLAY_LANGUAGE_FILES_REFUSED:
            errors.append(
                f"{path}: an overlay cannot replace {path.name}; it changes texts, "
                "region words and values only"
            )
            continue
        if path.name == HARMFUL_FILE:
            try:
                harmful = harmful + load_harmful(path)  # patterns are only ever added
                harmful_files = (*harmful_files, path)
            except ContentError as err:
                errors.extend(err.problems)
            continue
        for key, entry in _load_texts(path, reviewed, version, errors):
            if key in seen:
                errors.append(f"{path}: key '{key}' is also defined in {seen[key]}")
                continue
            seen[key] = path.name
            shared = pack.texts.get(key)
            if shared is not None and shared.text != entry.text:
                replaced[key] = shared
            texts[key] = entry
    return LanguagePack(
        info=pack.info,
        lexicon=pack.lexicon,
        texts=texts,
        folder=folder,
        harmful=harmful,
        harmful_files=harmful_files,
        replaced=replaced,
        association=info.association if info else "",
        sources=pack.sources,
        words=pack.words,
        links=pack.links,
    )


def parse_locale(value: str) -> tuple[str, str | None]:
    """``nl`` -> (nl, None); ``fr-BE`` or ``fr_BE`` -> (fr, BE)."""
    match = re.fullmatch(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?", value.strip())
    if not match:
        raise ContentError(f"'{value}' is not a locale such as nl, fr, nl-BE or fr-BE")
    language, region = match.groups()
    return language.lower(), region.upper() if region else None
