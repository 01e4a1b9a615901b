"""`companion check`: are the flows and content packs fit to put before a patient?

Every problem names the file, the state or key, and what is wrong. The check
goes on after a problem so that one run lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.content import Content, ContentError, load_content
from companion.engine import ENGINE_PLACEHOLDERS, ENGINE_TEXT_KEYS
from companion.flow import (
    CONCEPTS_FILE,
    ConceptRegistry,
    Flow,
    FlowError,
    flow_files,
    graph_problems,
    load_concepts,
    load_flow,
)

# Texts the drivers (plain terminal, simulate) show besides the flows' own.
DRIVER_TEXT_KEYS = (
    "ui.choose_language",
    "ui.outcome.answers_heading",
    "ui.outcome.reasons_heading",
    "ui.outcome.unknown_heading",
    "ui.goodbye",
    "ui.input_closed",
)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class CheckReport:
    problems: list[Problem]
    flows: dict[str, Flow]
    content: Content | None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"companion check: {len(self.problems)} problem(s)"
        languages = ", ".join(sorted(self.content.languages)) if self.content else "-"
        texts = len(next(iter(self.content.languages.values())).texts) if self.content else 0
        return (
            f"companion check: ok ({len(self.flows)} flow(s), languages {languages}, "
            f"{texts} texts per language)"
        )


def check(flows_dir: Path, content_dir: Path) -> CheckReport:
    problems: list[Problem] = []
    concepts, flows, files = _check_flows(flows_dir, problems)
    content = _check_content(content_dir, problems)
    if content is not None:
        _check_texts(flows, content, problems)
    if concepts is not None:
        _check_concept_use(concepts, flows, files, flows_dir, problems)
    return CheckReport(problems=problems, flows=flows, content=content)


def _split(error: Exception, fallback: str) -> Problem:
    where, _, message = str(error).partition(": ")
    return Problem(where, message) if message else Problem(fallback, str(error))


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
        return load_content(content_dir)
    except ContentError as err:
        problems.append(_split(err, str(content_dir)))
        return None


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
        for key in (*ENGINE_TEXT_KEYS, *DRIVER_TEXT_KEYS):
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
                if lang < other and mine != theirs:
                    problems.append(
                        Problem(
                            f"{pack.folder / pack.texts[key].file}",
                            f"key '{key}': placeholders {_braces(mine)} differ from "
                            f"'{other}' {_braces(theirs)}",
                        )
                    )
        for region in content.regions:
            known = set(content.localizer(lang, region).variables) | ENGINE_PLACEHOLDERS
            for key, entry in pack.texts.items():
                missing = entry.placeholders() - known
                if missing:
                    problems.append(
                        Problem(
                            str(pack.folder / entry.file),
                            f"key '{key}': {_braces(missing)} is not defined for region {region}",
                        )
                    )


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
