"""Headless runs of clinical vignettes through the real engine and flows.

Format: ../shared/vignettes/README.md. Every question the flow asks is
answered from the vignette through the question's concept id, as a patient
pressing the buttons would; ``expect`` is only compared afterwards.
Vignettes with ``checkins`` (timeline vignettes) go on with check-ins after
triage: see :mod:`companion.commands.timeline`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from companion.commands.timeline import (
    CHECKIN,
    TimelineEntry,
    TimelineError,
    TimelineResult,
    TriageFacts,
    answer_from_facts,
    checkin_problems,
    fact_problems,
    run_checkins,
    table_rows,
)
from companion.dialogue.conditions import AnswerValue
from companion.dialogue.engine import QuestionView, Session, Turn
from companion.dialogue.flow import DISPOSITIONS, ConceptRegistry
from companion.resources import Library
from companion.texts.content import ContentError, parse_locale

TRIAGE = "triage"
MAX_TURNS = 200


class VignetteError(Exception):
    """A vignette that cannot be run as written (exit status 2)."""


class Expectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    disposition: Literal[DISPOSITIONS] | None = None  # type: ignore[valid-type]


class Vignette(BaseModel):
    # Unknown top-level keys are tolerated so that vignettes can carry notes.
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    locale: str
    story: str = ""
    facts: dict[str, bool | int | str] = Field(default_factory=dict)
    unknown: list[str] = Field(default_factory=list)
    unspecified: Literal["no", "unknown"] = "no"
    expect: Expectation | None = None
    checkins: list[TimelineEntry] = Field(default_factory=list)


@dataclass
class SimulationResult:
    vignette: Vignette
    file: Path
    disposition: str
    flags: list[str]
    asked: list[str]
    unknown: list[str]
    region: str
    notes: list[str] = field(default_factory=list)
    checkins: list[TimelineResult] = field(default_factory=list)

    @property
    def expected(self) -> str | None:
        return self.vignette.expect.disposition if self.vignette.expect else None

    @property
    def triage_matched(self) -> bool | None:
        return None if self.expected is None else self.expected == self.disposition

    @property
    def matched(self) -> bool | None:
        """Triage and every check-in that has an expectation; None when none has one."""
        checks = (self.triage_matched, *(c.matched for c in self.checkins))
        known = [m for m in checks if m is not None]
        return None if not known else all(known)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.vignette.id,
            "locale": self.vignette.locale,
            "region": self.region,
            "disposition": self.disposition,
            "flags": self.flags,
            "asked": self.asked,
            "unknown": self.unknown,
            "expected": self.expected,
            "matched": self.matched,
            "notes": self.notes,
            "file": str(self.file),
        } | ({"checkins": [c.as_json() for c in self.checkins]} if self.vignette.checkins else {})


def vignette_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.json"))
    if path.is_file():
        return [path]
    raise VignetteError(f"{path}: no such file or folder")


def read_vignette(path: Path, concepts: ConceptRegistry) -> Vignette:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise VignetteError(f"{path}: cannot read: {err.strerror or err}") from err
    except json.JSONDecodeError as err:
        raise VignetteError(f"{path}: not valid JSON: {err}") from err
    try:
        vignette = Vignette.model_validate(raw)
    except ValidationError as err:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise VignetteError(f"{path}: {details}") from err
    problems = list(_fact_problems(vignette, concepts))
    problems += checkin_problems(vignette.checkins, concepts)
    if problems:
        raise VignetteError(f"{path}: " + "; ".join(problems))
    return vignette


def _fact_problems(vignette: Vignette, concepts: ConceptRegistry) -> Iterator[str]:
    yield from fact_problems(vignette.facts, vignette.unknown, concepts)


def run_vignette(vignette: Vignette, library: Library, file: Path) -> SimulationResult:
    try:
        language, region = parse_locale(vignette.locale)
        session = library.session(TRIAGE, language, region)
    except (ContentError, KeyError) as err:
        raise VignetteError(f"{file}: locale '{vignette.locale}': {err}") from err
    notes: list[str] = []
    turn = session.start()
    for _ in range(MAX_TURNS):
        if turn.outcome is not None:
            if turn.outcome.disposition is None:
                raise VignetteError(f"{file}: the triage flow ended without a disposition")
            return SimulationResult(
                vignette=vignette,
                file=file,
                disposition=turn.outcome.disposition,
                flags=turn.outcome.flags,
                asked=[session.flow.questions()[q].concept for q in session.asked],
                unknown=turn.outcome.unknown,
                region=session.region,
                notes=notes,
                checkins=_run_checkins(vignette, library, session, file),
            )
        assert turn.question is not None
        turn = _reply(session, turn.question, vignette, notes)
        if turn.problem is not None and turn.question is not None:
            raise VignetteError(
                f"{file}: the answer for '{turn.question.concept}' was refused: {turn.problem}"
            )
    raise VignetteError(f"{file}: no outcome after {MAX_TURNS} turns")


def _reply(session: Session, question: QuestionView, vignette: Vignette, notes: list[str]) -> Turn:
    # "No" is no answer to "how old are you?": the patient does not know it.
    return answer_from_facts(
        session, question, vignette.facts, vignette.unknown, vignette.unspecified, notes
    )


def _run_checkins(
    vignette: Vignette, library: Library, triage: Session, file: Path
) -> list[TimelineResult]:
    if not vignette.checkins:
        return []
    compiled = library.flows.get(CHECKIN)
    if compiled is None:
        raise VignetteError(f"{file}: the vignette has check-ins but there is no check-in flow")
    outcome = triage.start().outcome
    facts = TriageFacts(
        answers={triage.flow.questions()[q].concept: v for q, v in triage.answers.items()},
        disposition=outcome.disposition if outcome and outcome.disposition else "self_care",
        facts=vignette.facts,
        unknown=frozenset(vignette.unknown),
    )

    def session_for(inputs: Mapping[str, AnswerValue], fired_before: frozenset[str]) -> Session:
        return Session(compiled, triage.texts, inputs=inputs, fired_before=fired_before)

    def other_flow(flow_id: str) -> Session | None:
        other = library.flows.get(flow_id)
        return Session(other, triage.texts) if other is not None else None

    try:
        return run_checkins(
            vignette.checkins,
            session_for,
            compiled.flow,
            facts,
            vignette.unspecified,
            other_flows=other_flow,
        )
    except TimelineError as err:
        raise VignetteError(f"{file}: {err}") from err


@dataclass
class SimulationRun:
    results: list[SimulationResult]
    errors: list[str]

    @property
    def exit_status(self) -> int:
        if self.errors:
            return 2
        return 1 if any(r.matched is False for r in self.results) else 0


def simulate(path: Path, library: Library) -> SimulationRun:
    results: list[SimulationResult] = []
    errors: list[str] = []
    try:
        files = vignette_files(path)
    except VignetteError as err:
        return SimulationRun([], [str(err)])
    if not files:
        return SimulationRun([], [f"{path}: no vignette files (*.json) found"])
    for file in files:
        try:
            vignette = read_vignette(file, library.concepts)
            results.append(run_vignette(vignette, library, file))
        except VignetteError as err:
            errors.append(str(err))
    return SimulationRun(results, errors)


def format_table(run: SimulationRun) -> str:
    header = ("id", "locale", "expected", "result", "", "flags")
    rows = [
        row
        for r in run.results
        for row in [
            (
                r.vignette.id,
                f"{r.vignette.locale} ({r.region})",
                r.expected or "-",
                r.disposition,
                {True: "ok", False: "MISMATCH", None: ""}[r.triage_matched],
                ", ".join(r.flags) or "-",
            ),
            *table_rows(r.checkins),
        ]
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    checked = [r for r in run.results if r.matched is not None]
    failed = sum(1 for r in checked if not r.matched)
    summary = (
        f"{len(run.results)} vignette(s) run: {len(checked) - failed} as expected, "
        f"{failed} not as expected, {len(run.results) - len(checked)} without expectation"
    )
    checkins = [c for r in run.results for c in r.checkins if c.matched is not None]
    if checkins:
        missed = sum(1 for c in checkins if not c.matched)
        summary += f" ({len(checkins) - missed} of {len(checkins)} check-in(s) as expected)"
    if run.errors:
        summary += f"; {len(run.errors)} could not be run"
    return "\n".join([*lines, "", summary])
