"""`companion check`: are the flows and content packs fit to put before a patient?

Every problem names the file, the state or key, and what is wrong. The check
goes on after a problem so that one run lists them all. Besides the flows and
the keys it checks, for every language: the interface catalog (gettext), the
plain-language targets, harmful phrasing and the sources (see quality.py).
"""

from __future__ import annotations

import gettext
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from companion.care.support import RULE_FILE, SUPPORT_TEXT_KEYS, support_rule_in
from companion.commands.given_plan_check import given_plan_problems
from companion.dialogue.flow import (
    CONCEPTS_FILE,
    ChoiceAnswer,
    ConceptRegistry,
    Flow,
    FlowError,
    QuestionState,
    YesNoAnswer,
    flow_files,
    graph_problems,
    load_concepts,
    load_flow,
)
from companion.files.untrusted import Message, character_problem, strings_in, visible
from companion.files.yamlfiles import key_line, read_yaml
from companion.journey.journey import JOURNEY_PLACEHOLDERS, JOURNEY_TEXT_KEYS
from companion.present import INPUT_CLOSED
from companion.reports.reminders import REMINDER_TEXT_KEYS
from companion.reports.support_summary import PRO_TEXT_KEYS
from companion.reports.wording import REPORT_PLACEHOLDERS
from companion.resources import default_content_dir, default_flows_dir, default_seeds_dir
from companion.texts.content import (
    RESERVED_FILES,
    Content,
    ContentError,
    TextEntry,
    is_overlay,
    load_content,
    load_overlay,
    pack_yaml_files,
)
from companion.texts.locked import locked_problems, pack_number_problems
from companion.texts.quality import QualityReport, assess_content, sentences_of
from companion.texts.wording import wording_problems

# Content texts the drivers (plain terminal, simulate) show besides the flows' own.
# Interface texts (buttons, headings) are gettext msgids, checked in the catalogs.
DRIVER_TEXT_KEYS = (INPUT_CLOSED,)

ENV_SEEDS = "COMPANION_SEEDS"


@dataclass(frozen=True)
class SeedsChoice:
    """Where the source documents are, and who said so."""

    folder: Path
    origin: str
    """'--seeds', '$COMPANION_SEEDS' or 'default'."""

    @property
    def explicit(self) -> bool:
        return self.origin != "default"


def choose_seeds(option: Path | None, environ: Mapping[str, str] | None = None) -> SeedsChoice:
    """``--seeds DIR``, else ``$COMPANION_SEEDS``, else ``<repo>/../shared/seeds``."""
    environ = os.environ if environ is None else environ
    if option is not None:
        return SeedsChoice(option, "--seeds")
    if environ.get(ENV_SEEDS):
        return SeedsChoice(Path(environ[ENV_SEEDS]), f"${ENV_SEEDS}")
    return SeedsChoice(default_seeds_dir(), "default")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    """English; a :class:`companion.files.untrusted.Message` can also be said in nl or fr."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def said(self, translations: gettext.NullTranslations | None = None) -> str:
        """The problem in the reader's language (English without a catalog)."""
        message = self.message
        text = message.told(translations) if isinstance(message, Message) else message
        return visible(f"{self.where}: {text}")  # keys from a file cannot steer the terminal


def _placed(message: Message) -> Problem:
    """A message that knows its file and line, as a problem there."""
    return Problem(message.where, message.placed(""))


@dataclass
class CheckReport:
    problems: list[Problem]
    flows: dict[str, Flow]
    content: Content | None
    quality: QualityReport | None = None
    notes: list[str] = field(default_factory=list)
    """Said plainly but not failures: e.g. sources not verified against the seeds."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sources_verified(self) -> bool:
        return self.quality is not None and self.quality.sources_verified

    def summary(self) -> str:
        if self.problems:
            return f"companion check: {len(self.problems)} problem(s)"
        languages = ", ".join(sorted(self.content.languages)) if self.content else "-"
        texts = len(next(iter(self.content.languages.values())).texts) if self.content else 0
        sources = (
            "sources verified against the seeds"
            if self.sources_verified
            else "sources NOT verified against the seeds"
        )
        return (
            f"companion check: ok ({len(self.flows)} flow(s), languages {languages}, "
            f"{texts} texts per language, {sources})"
        )


def check(
    flows_dir: Path,
    content_dir: Path,
    seeds: SeedsChoice | None = None,
    verify_sources: bool = True,
) -> CheckReport:
    """Everything a patient could see. ``content_dir`` is a complete pack or an
    association's overlay (layered over the built-in content). ``seeds`` defaults
    to :func:`choose_seeds` (``$COMPANION_SEEDS`` or ``../shared/seeds``); with
    ``verify_sources`` false the references are not looked up in the seeds (every
    medical text still needs one)."""
    problems: list[Problem] = []
    notes: list[str] = []
    concepts, flows, files = _check_flows(flows_dir, problems)
    content = _check_content(content_dir, problems)
    quality = None
    if content is not None:
        _check_texts(flows, content, problems)
        _check_characters(content, problems)
        _check_overlay_placeholders(content, problems)
        _check_locked_values(content, problems)
        _check_wording(content, problems)
        quality = _check_quality(
            content, flows, seeds or choose_seeds(None), verify_sources, problems, notes
        )
    if concepts is not None:
        _check_concept_use(concepts, flows, files, flows_dir, problems)
        _check_support_rule(flows_dir, concepts, problems)
        if content is not None:
            _check_red_flag_wording(concepts, flows, content, problems)
    if content is not None:
        _check_given_plan(flows, files, content, problems)
    return CheckReport(
        problems=problems, flows=flows, content=content, quality=quality, notes=notes
    )


def overlay_problems(flows_dir: Path | None, content_dir: Path | None) -> list[Problem]:
    """The problems of an association's pack (none when ``content_dir`` is not one):
    the conversation refuses to start with a broken overlay."""
    if content_dir is None or not is_overlay(content_dir):
        return []
    report = check(flows_dir or default_flows_dir(), content_dir, verify_sources=False)
    return report.problems


def interface_keys(flows: Mapping[str, Flow]) -> frozenset[str]:
    """Answer labels of choice questions: interface text, no source needed."""
    return frozenset(
        key
        for flow in flows.values()
        for question in flow.questions().values()
        if isinstance(question.answer, ChoiceAnswer)
        for key in question.answer.options.values()
    )


def seeds_folder(seeds: SeedsChoice, problems: list[Problem], notes: list[str]) -> Path | None:
    """The seeds folder to verify sources against, or None (said plainly).

    A folder asked for (``--seeds``, ``$COMPANION_SEEDS``) that does not exist is
    a problem; the default ``../shared/seeds`` missing is a note: the check then
    says that the sources were not verified, and still checks that every medical
    text has a well-formed source."""
    if seeds.folder.is_dir():
        return seeds.folder
    if seeds.explicit:
        problems.append(Problem(str(seeds.folder), f"seeds folder ({seeds.origin}) not found"))
    else:
        notes.append(
            f"sources were NOT verified against the seeds: no seeds folder at {seeds.folder} "
            f"(give --seeds DIR or set ${ENV_SEEDS})"
        )
    return None


def _check_quality(
    content: Content,
    flows: Mapping[str, Flow],
    seeds: SeedsChoice,
    verify_sources: bool,
    problems: list[Problem],
    notes: list[str],
) -> QualityReport:
    folder = seeds_folder(seeds, problems, notes) if verify_sources else None
    report = assess_content(content, interface_keys(flows), folder)
    targets = report.targets
    for language, quality in report.languages.items():
        problems += [Problem(where, message) for where, message in quality.catalog.problems]
        problems += [Problem(where, message) for where, message in quality.settings_problems]
        for file, key, message in quality.sources:
            problems.append(Problem(file, f"key '{key}': {message}"))
        for hit in quality.harmful:
            label = _label(hit.message.key, hit.message.interface, hit.message.where)
            problems.append(
                Problem(
                    hit.message.where,
                    f"{label}: harmful phrasing '{hit.found}' (KCE Kader 2): {hit.pattern.why}",
                )
            )
        for measured in quality.failing:
            text = measured.message
            label = _label(text.key, text.interface, text.where)
            region = f" (region {text.region})" if text.region else ""
            for failure in measured.failures:
                problems.append(Problem(text.where, f"{label}{region}: {failure}"))
        if quality.measured and quality.average < targets.min_language_average:
            problems.append(
                Problem(
                    str(content.languages[language].folder),
                    f"language '{language}': average readability score {quality.average} "
                    f"(target >= {targets.min_language_average:g})",
                )
            )
    return report


def _label(key: str, interface: bool, where: str) -> str:
    """Content texts are named by key, catalog texts by msgid."""
    return f"msgid '{key}'" if interface and where.endswith(".po") else f"key '{key}'"


def _check_overlay_placeholders(content: Content, problems: list[Problem]) -> None:
    """An association's text may add placeholders, never drop one of the built-in
    text it replaces (an escalation text must keep {emergency_number})."""
    if content.overlay is None or content.base is None:
        return
    try:
        base = load_content(content.base, content.locale_dir)
    except ContentError:
        return
    for language, pack in content.languages.items():
        base_pack = base.languages.get(language)
        if base_pack is None:
            continue
        for key, entry in pack.texts.items():
            old = base_pack.texts.get(key)
            if old is None or old.origin == entry.origin:
                continue
            dropped = old.placeholders() - entry.placeholders()
            if dropped:
                problems.append(
                    Problem(
                        pack.path_of(entry),
                        f"key '{key}': drops {_braces(dropped)} that the built-in text has",
                    )
                )


def _check_characters(content: Content, problems: list[Problem]) -> None:
    """Control and bidirectional characters in any YAML file of the pack or overlay:
    refused by file, line and key (a text may have new lines and tabs)."""
    for path in sorted(pack_yaml_files(content.folder)):
        try:
            data = read_yaml(path, ContentError)
        except ContentError:
            continue  # loading reports what is wrong with the file
        texts = path.parent != content.folder and path.name not in RESERVED_FILES
        for where, value in strings_in(data):
            if not where:
                continue
            multi_line = texts and (len(where) == 1 or where[1:] == ("text",))
            field = f"key '{where[0]}'" if texts else ".".join(where)
            found = character_problem(value, multi_line, field)
            if found is not None:
                keys = list(where[:1]) if texts else list(where)
                line = key_line(path, keys)
                problems.append(Problem(f"{path}:{line}" if line else str(path), found))


def _check_locked_values(content: Content, problems: list[Problem]) -> None:
    """An overlay never changes 112, a region's locked number or an escalation text;
    a complete pack keeps the brief's numbers."""
    if content.overlay is None or content.base is None:
        problems.extend(_placed(message) for message in pack_number_problems(content))
        return
    try:
        base = load_content(content.base, content.locale_dir)
    except ContentError:
        return
    problems.extend(_placed(message) for message in locked_problems(content, base))


def _check_wording(content: Content, problems: list[Problem]) -> None:
    """English words, medical words without a glossary entry, region words missing
    in a region, and trusted links that are not plain https on an allowed host."""
    problems.extend(Problem(where, message) for where, message in wording_problems(content))


def _split(error: Exception, fallback: str) -> Problem:
    first = error.args[0] if error.args else ""
    if isinstance(first, Message) and first.where:
        return _placed(first)
    where, _, message = str(error).partition(": ")
    return Problem(where, message) if message else Problem(fallback, str(error))


def _check_support_rule(
    flows_dir: Path, concepts: ConceptRegistry, problems: list[Problem]
) -> None:
    """The stratified-support rule beside the flows loads and counts only known concepts."""
    try:
        rule = support_rule_in(flows_dir)
    except FlowError as err:
        problems.append(_split(err, str(flows_dir / RULE_FILE)))
        return
    for concept in rule.signs:
        if concept not in concepts.concepts:
            problems.append(
                Problem(str(flows_dir / RULE_FILE), f"signs: '{concept}' is not a known concept")
            )


def _check_given_plan(
    flows: Mapping[str, Flow], files: Mapping[str, Path], content: Content, problems: list[Problem]
) -> None:
    # The route does not depend on the language: one language walks it.
    texts = content.localizer(sorted(content.languages)[0])
    for flow_id, flow in flows.items():
        where = str(files.get(flow_id, flow_id))
        problems.extend(Problem(where, problem) for problem in given_plan_problems(flow, texts))


def _check_flows(
    flows_dir: Path, problems: list[Problem]
) -> tuple[ConceptRegistry | None, dict[str, Flow], dict[str, Path]]:
    concepts: ConceptRegistry | None = None
    try:
        concepts = load_concepts(flows_dir / CONCEPTS_FILE)
    except FlowError as err:
        problems.append(_split(err, str(flows_dir / CONCEPTS_FILE)))
    flows: dict[str, Flow] = {}
    files: dict[str, Path] = {}
    if not flow_files(flows_dir):
        problems.append(Problem(str(flows_dir), "no flow files (*.yaml)"))
    for path in flow_files(flows_dir):
        try:
            flow = load_flow(path, concepts)
        except FlowError as err:
            problems.append(_split(err, str(path)))
            continue
        if path.stem != flow.id:
            problems.append(Problem(str(path), f"flow id '{flow.id}' differs from the file name"))
        problems.extend(Problem(str(path), p) for p in graph_problems(flow))
        flows[flow.id] = flow
        files[flow.id] = path
    return concepts, flows, files


def _check_content(content_dir: Path, problems: list[Problem]) -> Content | None:
    try:
        if is_overlay(content_dir):
            return load_overlay(content_dir, load_content(default_content_dir()))
        return load_content(content_dir)
    except ContentError as err:
        problems.extend(_split_message(message, str(content_dir)) for message in err.problems)
        return None


def _split_message(message: str, fallback: str) -> Problem:
    if isinstance(message, Message) and message.where:
        return _placed(message)
    where, _, text = message.partition(": ")
    return Problem(where, text) if text else Problem(fallback, message)


def _check_texts(flows: dict[str, Flow], content: Content, problems: list[Problem]) -> None:
    languages = content.languages
    for lang, pack in languages.items():
        where = str(pack.folder)
        for flow_id, flow in flows.items():
            for state, key in flow.text_keys():
                if key not in pack.texts:
                    problems.append(
                        Problem(
                            where, f"key '{key}' (flow '{flow_id}', state '{state}') is missing"
                        )
                    )
        for key in (
            *DRIVER_TEXT_KEYS,
            *JOURNEY_TEXT_KEYS,
            *SUPPORT_TEXT_KEYS,
            *REMINDER_TEXT_KEYS,
            *PRO_TEXT_KEYS,
        ):
            if key not in pack.texts:
                problems.append(Problem(where, f"key '{key}' (used by the program) is missing"))
        for other, other_pack in languages.items():
            if other == lang:
                continue
            for key in sorted(set(other_pack.texts) - set(pack.texts)):
                if not _is_flow_key(key, flows):
                    problems.append(Problem(where, f"key '{key}' exists in '{other}' but not here"))
            for key in sorted(set(other_pack.texts) & set(pack.texts)):
                mine, theirs = pack.texts[key].placeholders(), other_pack.texts[key].placeholders()
                if mine != theirs and _reported_here(
                    content, pack.texts[key], other_pack.texts[key], lang < other
                ):
                    problems.append(
                        Problem(
                            pack.path_of(pack.texts[key]),
                            f"key '{key}': placeholders {_braces(mine)} differ from "
                            f"'{other}' {_braces(theirs)}",
                        )
                    )
        for region in content.regions:
            known = (
                set(content.localizer(lang, region).variables)
                | JOURNEY_PLACEHOLDERS
                | REPORT_PLACEHOLDERS
            )
            for key, entry in pack.texts.items():
                missing = entry.placeholders() - known
                if missing:
                    problems.append(
                        Problem(
                            pack.path_of(entry),
                            f"key '{key}': {_braces(missing)} is not defined for region {region}",
                        )
                    )


def _reported_here(content: Content, mine: TextEntry, theirs: TextEntry, first: bool) -> bool:
    """A difference between two languages is reported once: at an overlay's text
    when only one of the two comes from the overlay, else at the first language."""
    mine_new, theirs_new = _from_overlay(content, mine), _from_overlay(content, theirs)
    return mine_new if mine_new != theirs_new else first


def _from_overlay(content: Content, entry: TextEntry) -> bool:
    return content.overlay is not None and Path(entry.origin).is_relative_to(content.folder)


def _is_flow_key(key: str, flows: dict[str, Flow]) -> bool:
    # Missing flow keys are already reported once, with the state that needs them.
    return any(key == k for flow in flows.values() for _, k in flow.text_keys())


def _braces(names: set[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "none"


def _check_concept_use(
    concepts: ConceptRegistry,
    flows: dict[str, Flow],
    files: dict[str, Path],
    flows_dir: Path,
    problems: list[Problem],
) -> None:
    needed: dict[str, list[str]] = {}
    for name, concept in concepts.concepts.items():
        for flow_id in concept.required_in:
            needed.setdefault(flow_id, []).append(name)
    for flow_id, names in needed.items():
        flow = flows.get(flow_id)
        if flow is None:
            problems.append(
                Problem(
                    str(flows_dir / f"{flow_id}.yaml"), "flow is missing or could not be loaded"
                )
            )
            continue
        asked = {q.concept for q in flow.questions().values()}
        for name in names:
            if name not in asked:
                problems.append(
                    Problem(
                        str(files[flow_id]),
                        f"concept '{name}' is required in flow '{flow_id}' but no question asks it",
                    )
                )


# --- red-flag questions are worded positively (clinical brief section 2) ----------


def _check_red_flag_wording(
    concepts: ConceptRegistry, flows: Mapping[str, Flow], content: Content, problems: list[Problem]
) -> None:
    """A yes/no question about a red flag holds no negation word of its language,
    so that "nee" / "non" can only mean that the sign is absent. The questions a
    help text asks count too; its plain statements ("buttock pain does not count
    here") may say no."""
    for language, pack in content.languages.items():
        negations = {_plain_word(word) for word in pack.lexicon.negations} - {""}
        if not negations:
            problems.append(
                Problem(
                    str(pack.folder / "lexicon.yaml"),
                    f"language '{language}': no 'negations' listed, so red-flag questions "
                    "cannot be checked for negative wording",
                )
            )
            continue
        reported: set[str] = set()
        for flow_id, state, question in _red_flag_questions(concepts, flows):
            for key, text in _question_texts(question, pack.texts):
                words = _negation_words(text, negations)
                if not words or key in reported:
                    continue  # a key shared by triage and check-in is named once
                reported.add(key)
                part = "a question of the help text" if key == question.help else "the question"
                problems.append(
                    Problem(
                        pack.path_of(pack.texts[key]),
                        f"key '{key}' (flow '{flow_id}', state '{state}', red-flag concept "
                        f"'{question.concept}'): negation {_quoted(words)} in {part}; ask "
                        "positively, so that 'no' can only mean the sign is absent",
                    )
                )


def _red_flag_questions(
    concepts: ConceptRegistry, flows: Mapping[str, Flow]
) -> Iterator[tuple[str, str, QuestionState]]:
    for flow_id, flow in flows.items():
        for state, question in flow.questions().items():
            # A list question ("any of these?") asks about each sign it lists.
            asked = [question.concept, *(item.concept for item in question.items)]
            red_flag = any(
                (concept := concepts.concepts.get(name)) is not None and concept.red_flag
                for name in asked
            )
            if red_flag and isinstance(question.answer, YesNoAnswer):
                yield flow_id, state, question


def _question_texts(
    question: QuestionState, texts: Mapping[str, TextEntry]
) -> Iterator[tuple[str, str]]:
    """The question itself with the signs it lists, and each question its help text asks."""
    if question.text in texts:
        yield question.text, texts[question.text].text
    for item in question.items:
        if item.text in texts:
            yield item.text, texts[item.text].text
    if question.help and question.help in texts:
        for sentence in sentences_of(texts[question.help].text):
            if sentence.endswith("?"):
                yield question.help, sentence


def _negation_words(text: str, negations: set[str]) -> list[str]:
    """The negation words of ``text`` in the order written, each once; words are
    compared without case or accents, and "n'" counts as the word "n"."""
    found: list[str] = []
    for word in re.findall(r"[^\W\d_]+", text):
        plain = _plain_word(word)
        if plain in negations and plain not in found:
            found.append(plain)
    return found


def _quoted(words: list[str]) -> str:
    label = "word" if len(words) == 1 else "words"
    return f"{label} " + ", ".join(f"'{word}'" for word in words)


def _plain_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
