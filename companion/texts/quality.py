"""Is every message fit for a patient? Plain language, harmful phrasing, sources.

Used by ``companion check`` (which fails past the targets) and by
``companion content report`` (which shows the numbers, worst first).

- **Plain language (B1, 004:729).** Per message: the average and the longest
  sentence in words, and a readability score: Flesch-Douma for Dutch
  (206.835 - 0.93 * words/sentences - 77 * syllables/words), Kandel-Moles for
  French (207 - 1.015 * words/sentences - 73.6 * syllables/words). Syllables
  come from the pyphen hyphenation dictionaries. The formula of a language is
  data (``readability`` in its ``pack.yaml``), the targets are
  :data:`TARGETS`.
- **Harmful phrasing (KCE Kader 2, 003:492-526).** The patterns are data per
  language (``<lang>/harmful.yaml``), matched as whole words.
- **Sources.** Every medical message names at least one source, and every
  reference ``NNN:a-b`` points at lines that exist in the seed file
  ``NNN_*.txt``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from statistics import mean

import pyphen
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as BabelMessage
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from pydantic import BaseModel, ConfigDict

from companion.texts.content import (
    REGION_PREFIX,
    Content,
    HarmfulPattern,
    LanguagePack,
    ReadabilityFormula,
    TextEntry,
    placeholders_of,
)
from companion.texts.i18n import DOMAIN, catalog_file, template_file

# --- targets ---------------------------------------------------------------------


class ReadabilityTargets(BaseModel):
    """The plain-language targets, in one place."""

    model_config = ConfigDict(frozen=True)

    max_average_sentence_words: float = 12
    """Per message: average sentence length, in words."""
    max_sentence_words: int = 20
    """Per message: no sentence longer than this."""
    min_message_score: float = 60
    """Per message: the language's readability score."""
    min_language_average: float = 70
    """Per language: the average score over all its scored messages."""
    min_words_for_score: int = 5
    """Texts shorter than this (buttons, answer labels, headings) are too short for a
    readability formula ("Hetzelfde" alone scores -25): only their sentence length
    counts, and they are left out of the language average."""


TARGETS = ReadabilityTargets()

FORMULAS: dict[ReadabilityFormula, tuple[float, float, float]] = {
    # base, per word of sentence length, per syllable of word length
    "flesch_douma": (206.835, 0.93, 77.0),
    "kandel_moles": (207.0, 1.015, 73.6),
    "flesch": (206.835, 1.015, 84.6),
}

# --- measuring -------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][»”\"'])\s+")
_VOWELS = set("aeiouyàâäéèêëïîíôöóùûüúÿæœ")


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    syllables: int
    average_sentence_words: float
    longest_sentence_words: int
    longest_sentence: str
    score: float


def sentences_of(text: str) -> list[str]:
    """Sentences: split at . ! ? followed by a space, and at line ends (list items)."""
    found = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        found += [part.strip() for part in _SENTENCE_END.split(line) if _WORD.search(part)]
    return found


@cache
def _hyphenator(dictionary: str) -> pyphen.Pyphen:
    # left/right 1: every syllable counts, also a one-letter one ("a-larm").
    return pyphen.Pyphen(lang=dictionary, left=1, right=1)


@lru_cache(maxsize=65536)
def syllables(word: str, dictionary: str) -> int:
    """Syllables of one word: pyphen's hyphenation points, counting only parts
    with a vowel ("pied-s" is one); a number counts one per digit. Kept per word:
    the same words come back in every text and at every check."""
    if word.isdigit():
        return len(word)
    total = 0
    for part in re.split(r"['\u2019-]", word):
        if not part:
            continue
        pieces = _hyphenator(dictionary).inserted(part.lower()).split("-")
        total += sum(1 for piece in pieces if _VOWELS & set(piece))
    return max(total, 1)


@lru_cache(maxsize=8192)
def measure(text: str, formula: ReadabilityFormula, dictionary: str) -> Readability:
    """Kept per text (the result is frozen): every check measures every text again."""
    base, per_word, per_syllable = FORMULAS[formula]
    lengths: list[tuple[int, str]] = []
    word_count = syllable_count = 0
    for sentence in sentences_of(text):
        words = _WORD.findall(sentence)
        lengths.append((len(words), sentence))
        word_count += len(words)
        syllable_count += sum(syllables(w, dictionary) for w in words)
    if not word_count:
        return Readability(0, 0, 0, 0.0, 0, "", base)
    average = word_count / len(lengths)
    longest, longest_text = max(lengths, key=lambda item: item[0])
    score = base - per_word * average - per_syllable * syllable_count / word_count
    return Readability(
        sentences=len(lengths),
        words=word_count,
        syllables=syllable_count,
        average_sentence_words=round(average, 1),
        longest_sentence_words=longest,
        longest_sentence=longest_text,
        score=round(score, 1),
    )


def fill_sample(text: str) -> str:
    """Placeholders the program fills at run time ({min}, {count}, ...) read as one
    short word, so that a text can be measured."""
    return re.sub(r"\{[^{}]*\}", "1", text)


# --- what is measured ------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One patient-facing text as the patient reads it."""

    language: str
    where: str
    """File (content text) or catalog (interface text)."""
    key: str
    """Content key, or the msgid of an interface text."""
    text: str
    region: str | None = None
    """The region the words were filled in for; None when no region word is used."""
    interface: bool = False


@dataclass(frozen=True)
class Measured:
    message: Message
    readability: Readability
    failures: tuple[str, ...]
    scored: bool = True
    """False for texts too short for the formula (see ReadabilityTargets)."""

    @property
    def ok(self) -> bool:
        return not self.failures


def is_medical(key: str, entry: TextEntry, interface_keys: frozenset[str]) -> bool:
    """A medical message needs a source: every text except region words, texts
    marked ``interface: true`` and answer labels of choice questions."""
    return not (key.startswith(REGION_PREFIX) or entry.interface or key in interface_keys)


def content_messages(content: Content, language: str) -> Iterator[Message]:
    """Every text of a language as a patient sees it, per region when region words
    change it (region words are measured inside the texts that use them)."""
    pack = content.languages[language]
    localizers = [content.localizer(language, region) for region in sorted(content.regions)]
    for key, entry in sorted(pack.texts.items()):
        if key.startswith(REGION_PREFIX):
            continue
        seen: set[str] = set()
        uses_region = bool(entry.placeholders())
        for texts in localizers:
            try:
                text = entry.text.format_map(_Default(texts.variables))
            except (ValueError, IndexError):
                text = entry.text  # malformed braces: reported by the placeholder check
            filled = fill_sample(text)
            if filled in seen:
                continue
            seen.add(filled)
            yield Message(
                language=language,
                where=pack.path_of(entry),
                key=key,
                text=filled,
                region=texts.region if uses_region else None,
                interface=entry.interface,
            )


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def msgid_of(message: BabelMessage) -> str:
    """The msgid (the singular of a plural pair)."""
    return message.id if isinstance(message.id, str) else str(message.id[0])


def plural_id_of(message: BabelMessage) -> str | None:
    return None if isinstance(message.id, str) else str(message.id[1])


def strings_of(message: BabelMessage) -> list[str]:
    """The translation, one string per plural form; "" where untranslated."""
    raw = message.string
    values = list(raw) if isinstance(raw, tuple | list) else [raw]
    return [value or "" for value in values]


def catalog_messages(catalog: Catalog, language: str, where: str) -> Iterator[Message]:
    for message in catalog:
        if not message.id:
            continue
        msgid = msgid_of(message)
        for text in dict.fromkeys(s for s in strings_of(message) if s):
            yield Message(
                language=language,
                where=where,
                key=msgid,
                text=fill_sample(text),
                interface=True,
            )


def assess(
    messages: Iterable[Message],
    formula: ReadabilityFormula,
    dictionary: str,
    targets: ReadabilityTargets = TARGETS,
) -> list[Measured]:
    measured = []
    for message in messages:
        result = measure(message.text, formula, dictionary)
        failures = []
        if result.average_sentence_words > targets.max_average_sentence_words:
            failures.append(
                f"average sentence {result.average_sentence_words} words "
                f"(target <= {targets.max_average_sentence_words:g})"
            )
        if result.longest_sentence_words > targets.max_sentence_words:
            failures.append(
                f"a sentence of {result.longest_sentence_words} words "
                f"(target <= {targets.max_sentence_words}): '{result.longest_sentence}'"
            )
        scored = result.words >= targets.min_words_for_score
        if scored and result.score < targets.min_message_score:
            failures.append(
                f"readability score {result.score} (target >= {targets.min_message_score:g})"
            )
        measured.append(Measured(message, result, tuple(failures), scored))
    return measured


def language_average(measured: Iterable[Measured]) -> float:
    """The mean score of the messages long enough to score."""
    scores = [m.readability.score for m in measured if m.scored]
    return round(mean(scores), 1) if scores else 0.0


# --- harmful phrasing ------------------------------------------------------------


@dataclass(frozen=True)
class HarmfulHit:
    message: Message
    pattern: HarmfulPattern
    found: str


def harmful_hits(messages: Iterable[Message], pack: LanguagePack) -> Iterator[HarmfulHit]:
    for message in messages:
        for pattern in pack.harmful:
            match = pattern.regex.search(message.text)
            if match:
                yield HarmfulHit(message, pattern, match.group(0))


# --- sources ---------------------------------------------------------------------

_REF = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")


@dataclass
class Seeds:
    """The source documents (``NNN_*.txt``), read once for their line counts."""

    folder: Path
    _lines: dict[str, int | None] = field(default_factory=dict)
    _files: dict[str, list[Path]] = field(default_factory=dict)
    """Looked up once per number, as the line counts: a pack cites a file many times."""

    def files(self, number: str) -> list[Path]:
        if number not in self._files:
            self._files[number] = sorted(self.folder.glob(f"{number}_*.txt"))
        return list(self._files[number])

    def line_count(self, number: str) -> int | None:
        if number not in self._lines:
            files = self.files(number)
            if len(files) != 1:
                self._lines[number] = None
            else:
                with files[0].open(encoding="utf-8", errors="replace") as handle:
                    self._lines[number] = sum(1 for _ in handle)
        return self._lines[number]

    def problem(self, ref: str) -> str | None:
        """What is wrong with one reference, or None when it points at real lines."""
        match = _REF.match(ref)
        if match is None:
            return f"source '{ref}' is not NNN:line or NNN:first-last"
        number, first, last = match.group(1), int(match.group(2)), match.group(3)
        end = int(last) if last else first
        if first < 1 or end < first:
            return f"source '{ref}': the line range is empty or backwards"
        files = self.files(number)
        if not files:
            return f"source '{ref}': no seed file {number}_*.txt in {self.folder}"
        if len(files) > 1:
            return f"source '{ref}': more than one seed file {number}_*.txt in {self.folder}"
        count = self.line_count(number)
        if count is not None and end > count:
            return f"source '{ref}': {files[0].name} has only {count} lines"
        return None


def source_problems(
    pack: LanguagePack, interface_keys: frozenset[str], seeds: Seeds | None
) -> Iterator[tuple[str, str, str]]:
    """(file, key, problem) for medical texts without a source and for references
    that do not point at existing seed lines (only when ``seeds`` is known)."""
    for key, entry in sorted(pack.texts.items()):
        if is_medical(key, entry, interface_keys) and not entry.source:
            yield (
                pack.path_of(entry),
                key,
                "medical text without a source (add source: [NNN:lines], "
                "or interface: true for interface text)",
            )
        if seeds is not None:
            for ref in entry.source:
                problem = seeds.problem(ref)
                if problem:
                    yield pack.path_of(entry), key, problem


def placeholder_problems(msgid: str, forms: Mapping[int, str], plural_id: str | None) -> list[str]:
    """A translation must use exactly the msgid's {placeholders} (form 0 the
    singular's, other plural forms the plural's)."""
    problems = []
    for index, text in forms.items():
        expected = placeholders_of(plural_id if index and plural_id is not None else msgid)
        found = placeholders_of(text)
        if found != expected:
            problems.append(
                f"placeholders {_braces(found)} differ from the msgid's {_braces(expected)}"
                + (f" (plural form {index})" if plural_id is not None else "")
            )
    return problems


def _braces(names: set[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "none"


# --- interface catalogs ----------------------------------------------------------


@dataclass
class CatalogCheck:
    """One language's gettext catalog: what is wrong with it, and the catalog."""

    language: str
    po: Path
    catalog: Catalog | None
    problems: list[tuple[str, str]]
    """(file, problem)."""


def check_catalog(language: str, locale_dir: Path) -> CatalogCheck:
    """Exists, translates every msgid of the template (non-empty, not fuzzy) with
    the msgid's {placeholders}, and the compiled .mo says the same as the .po.

    Kept per contents of the three files (read again every time; parsing them is
    what takes long), so a changed catalog is checked again."""
    po, pot, mo = _catalog_files(language, locale_dir)
    contents = (_contents(po), _contents(pot), _contents(mo))
    checked = _catalog_checked(language, locale_dir, contents)
    return replace(checked, problems=list(checked.problems))


def _catalog_files(language: str, locale_dir: Path) -> tuple[Path, Path, Path]:
    po = catalog_file(language, locale_dir)
    return po, template_file(locale_dir), catalog_file(language, locale_dir, ".mo")


def _contents(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@lru_cache(maxsize=16)
def _catalog_checked(
    language: str, locale_dir: Path, contents: tuple[bytes | None, bytes | None, bytes | None]
) -> CatalogCheck:
    po, pot, mo = _catalog_files(language, locale_dir)
    po_data, pot_data, mo_data = contents
    result = CatalogCheck(language, po, None, [])
    if po_data is None:
        result.problems.append(
            (
                str(po),
                f"no interface catalog for language '{language}' (pybabel init -i {pot} "
                f"-d {locale_dir} -D {DOMAIN} -l {language}, then translate and compile)",
            )
        )
        return result
    try:
        catalog = read_po(io.BytesIO(po_data), locale=language)
    except Exception as err:  # babel raises several kinds for a broken file
        result.problems.append((str(po), f"cannot read the catalog: {err}"))
        return result
    result.catalog = catalog
    wanted: list[tuple[str, str | None]] = []
    if pot_data is not None:
        wanted = [(msgid_of(m), plural_id_of(m)) for m in read_po(io.BytesIO(pot_data)) if m.id]
    else:
        result.problems.append((str(pot), "the catalog template is missing (pybabel extract)"))
    for key, plural_id in wanted:
        message = catalog.get(key)
        if message is None:
            result.problems.append(
                (str(po), f"msgid '{key}' is not in the catalog (run pybabel update)")
            )
            continue
        strings = strings_of(message)
        if message.fuzzy:
            result.problems.append((str(po), f"msgid '{key}': the translation is fuzzy"))
        if not all(strings):
            result.problems.append((str(po), f"msgid '{key}' is not translated"))
            continue
        forms = dict(enumerate(strings))
        for problem in placeholder_problems(key, forms, plural_id):
            result.problems.append((str(po), f"msgid '{key}': {problem}"))
    result.problems += _compiled_problems(catalog, mo, mo_data)
    return result


def _compiled_problems(catalog: Catalog, mo: Path, mo_data: bytes | None) -> list[tuple[str, str]]:
    if mo_data is None:
        return [(str(mo), "the compiled catalog is missing (pybabel compile)")]
    compiled = read_mo(io.BytesIO(mo_data))
    if _translations(compiled) != _translations(catalog):
        return [(str(mo), "differs from the .po: compile it again (pybabel compile)")]
    return []


def _translations(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """What a catalog would show: translated, non-fuzzy messages (as pybabel compiles)."""
    found = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = strings_of(message)
        if all(strings):
            found[msgid_of(message)] = tuple(strings)
    return found


def compiled_translations(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    return _translations(catalog)


# --- everything, per language ----------------------------------------------------


@dataclass
class LanguageQuality:
    language: str
    formula: str | None
    measured: list[Measured]
    average: float
    harmful: list[HarmfulHit]
    sources: list[tuple[str, str, str]]
    """(file, key, problem)."""
    catalog: CatalogCheck
    settings_problems: list[tuple[str, str]]
    medical_texts: int
    references: int

    @property
    def failing(self) -> list[Measured]:
        return [m for m in self.measured if not m.ok]


@dataclass
class QualityReport:
    languages: dict[str, LanguageQuality]
    seeds: Path | None
    targets: ReadabilityTargets

    @property
    def sources_verified(self) -> bool:
        return self.seeds is not None

    def targets_met(self) -> bool:
        return all(
            not q.failing
            and q.average >= self.targets.min_language_average
            and not q.harmful
            and not q.sources
            and not q.settings_problems
            and not q.catalog.problems
            for q in self.languages.values()
        )


def assess_content(
    content: Content,
    interface_keys: frozenset[str],
    seeds: Path | None,
    targets: ReadabilityTargets = TARGETS,
) -> QualityReport:
    """Plain language, harmful phrasing and sources of every language, with the
    interface catalogs (``interface_keys``: answer labels of the flows)."""
    seed_files = Seeds(seeds) if seeds is not None else None
    languages = {}
    for language, pack in sorted(content.languages.items()):
        catalog = check_catalog(language, content.locale_dir)
        messages = list(content_messages(content, language))
        if catalog.catalog is not None:
            messages += catalog_messages(catalog.catalog, language, str(catalog.po))
        settings = pack.info.readability
        settings_problems = []
        measured: list[Measured] = []
        if settings is None:
            settings_problems.append(
                (
                    str(pack.folder / "pack.yaml"),
                    "no readability formula: add readability: {formula: flesch_douma | "
                    "kandel_moles | flesch, hyphenation: <pyphen dictionary>}",
                )
            )
        elif settings.hyphenation not in pyphen.LANGUAGES:
            settings_problems.append(
                (
                    str(pack.folder / "pack.yaml"),
                    f"readability.hyphenation: pyphen has no dictionary '{settings.hyphenation}'",
                )
            )
        else:
            measured = assess(messages, settings.formula, settings.hyphenation, targets)
        medical = [
            entry for key, entry in pack.texts.items() if is_medical(key, entry, interface_keys)
        ]
        languages[language] = LanguageQuality(
            language=language,
            formula=settings.formula if settings else None,
            measured=measured,
            average=language_average(measured),
            harmful=_unique_hits(harmful_hits(messages, pack)),
            sources=list(source_problems(pack, interface_keys, seed_files)),
            catalog=catalog,
            settings_problems=settings_problems,
            medical_texts=len(medical),
            references=sum(len(entry.source) for entry in pack.texts.values()),
        )
    return QualityReport(languages=languages, seeds=seeds, targets=targets)


def _unique_hits(hits: Iterable[HarmfulHit]) -> list[HarmfulHit]:
    seen: dict[tuple[str, str, str], HarmfulHit] = {}
    for hit in hits:
        seen.setdefault((hit.message.where, hit.message.key, hit.found.lower()), hit)
    return list(seen.values())
