"""Content packs: every patient-facing text, by key, per language, with its source.

Layout of a content folder::

    regions.yaml            numbers per region (NL, BE, ...), language-neutral
    <lang>/pack.yaml        language name, default region, review date, version
    <lang>/lexicon.yaml     words that mean yes / no / "I don't know"
    <lang>/*.yaml           texts: key -> {text, source, reviewed, version}

Region-specific words live under keys ``region.<code>.<name>`` and reach the
texts as ``{name}`` placeholders, so no sentence is copied per region.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from companion.yamlfiles import read_yaml

SourceRef = Annotated[str, Field(pattern=r"^\d{3}:\d+(-\d+)?$")]
"""``001:3112`` or ``001:3097-3120``: seed file number and line range."""

RESERVED_FILES = {"pack.yaml", "lexicon.yaml"}
REGION_PREFIX = "region."


class ContentError(Exception):
    """A content pack that cannot be used; the message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextEntry(_Strict):
    text: str = Field(min_length=1)
    source: list[SourceRef] = Field(default_factory=list)
    reviewed: dt.date | None = None
    version: int | None = Field(default=None, ge=1)
    file: str = ""

    def placeholders(self) -> set[str]:
        return placeholders_of(self.text)


class PackInfo(_Strict):
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
    name: str
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    reviewed: dt.date
    version: int = Field(ge=1)


class Lexicon(_Strict):
    """Words a patient may type for each answer; matching is forgiving (see answers.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    yes: list[str] = Field(min_length=1)
    no: list[str] = Field(min_length=1)
    unknown: list[str] = Field(min_length=1)
    negations: list[str] = Field(default_factory=list)
    """Words that turn a yes-word around ("niet", "pas"): such answers are asked again."""

    @field_validator("yes", "no", "unknown", "negations", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        # YAML reads bare yes/no/on/off as booleans; keep the patient's words as words.
        if isinstance(value, list):
            return [str(v) for v in value]
        return value


class Region(_Strict):
    name: str
    values: dict[str, str] = Field(default_factory=dict)


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

    def region_words(self, region: str) -> dict[str, str]:
        prefix = f"{REGION_PREFIX}{region.lower()}."
        return {k[len(prefix) :]: e.text for k, e in self.texts.items() if k.startswith(prefix)}


@dataclass(frozen=True)
class Content:
    folder: Path
    regions: Mapping[str, Region]
    languages: Mapping[str, LanguagePack]

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
        return Localizer(pack=pack, region=region, variables=variables)


@dataclass(frozen=True)
class Localizer:
    """Texts of one language, filled in for one region."""

    pack: LanguagePack
    region: str
    variables: Mapping[str, str]

    @property
    def language(self) -> str:
        return self.pack.info.language

    @property
    def locale(self) -> str:
        return f"{self.language}-{self.region}"

    def has(self, key: str) -> bool:
        return key in self.pack.texts

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
                f"{self.pack.folder / entry.file}: text '{key}' cannot be filled in: {err}"
            ) from err


# --- loading ------------------------------------------------------------------


def _validation_message(path: Path, err: ValidationError, prefix: str = "") -> str:
    lines = [f"{path}: {err.error_count()} problem(s)"]
    for detail in err.errors():
        where = ".".join(str(p) for p in detail["loc"]) or "(top level)"
        lines.append(f"  {prefix}{where}: {detail['msg']}")
    return "\n".join(lines)


def _load_texts(path: Path, info: PackInfo) -> Iterator[tuple[str, TextEntry]]:
    data = read_yaml(path, ContentError)
    if data is None:
        return
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of text keys to entries")
    for key, raw in data.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ContentError(f"{path}: key {key!r}: keys are dotted lower-case words")
        raw = {"text": raw} if isinstance(raw, str) else raw
        if not isinstance(raw, dict):
            raise ContentError(f"{path}: key '{key}': expected text or a mapping with 'text'")
        try:
            entry = TextEntry.model_validate({**raw, "file": path.name})
        except ValidationError as err:
            raise ContentError(_validation_message(path, err, prefix=f"{key}.")) from err
        yield (
            key,
            entry.model_copy(
                update={
                    "reviewed": entry.reviewed or info.reviewed,
                    "version": entry.version or info.version,
                }
            ),
        )


_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


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
        for key, entry in _load_texts(path, info):
            if key in texts:
                raise ContentError(f"{path}: key '{key}' is also defined in {texts[key].file}")
            texts[key] = entry
    return LanguagePack(info=info, lexicon=lexicon, texts=texts, folder=folder)


def load_regions(path: Path) -> dict[str, Region]:
    data = read_yaml(path, ContentError)
    if not isinstance(data, dict) or not data:
        raise ContentError(f"{path}: expected a mapping of region codes (NL, BE, ...)")
    regions: dict[str, Region] = {}
    for code, raw in data.items():
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            raise ContentError(f"{path}: region {code!r}: use a two-letter upper-case code")
        try:
            regions[code] = Region.model_validate(raw)
        except ValidationError as err:
            raise ContentError(_validation_message(path, err, prefix=f"{code}.")) from err
    return regions


def load_content(folder: Path) -> Content:
    if not folder.is_dir():
        raise ContentError(f"{folder}: content folder not found")
    regions = load_regions(folder / "regions.yaml")
    languages = {
        sub.name: load_language(sub)
        for sub in sorted(folder.iterdir())
        if sub.is_dir() and (sub / "pack.yaml").exists()
    }
    if not languages:
        raise ContentError(f"{folder}: no language folders (each needs a pack.yaml)")
    return Content(folder=folder, regions=regions, languages=languages)


def parse_locale(value: str) -> tuple[str, str | None]:
    """``nl`` -> (nl, None); ``fr-BE`` or ``fr_BE`` -> (fr, BE)."""
    match = re.fullmatch(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?", value.strip())
    if not match:
        raise ContentError(f"'{value}' is not a locale such as nl, fr, nl-BE or fr-BE")
    language, region = match.groups()
    return language.lower(), region.upper() if region else None
