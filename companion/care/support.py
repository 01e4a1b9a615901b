"""Stratified support: low, medium or high, from one conversation's answers.

The sources size care by the risk that back pain lasts (003:660-678, 003:778-784): low
risk, self-management with reassurance; a higher risk, physiotherapy with reassurance and
activation; a high risk, more intensive care, psychologically informed or multidisciplinary.
The rule is ours (not the licensed STarT Back or Örebro instruments, 003:630-636) and is
data: ``flows/rules/support.yaml`` names the answers that score a point and the counts that
place each level, each with its source lines. This module only counts.

Pure: answers in (by concept id, as a check-in or the risk questions stored them), a
:class:`Support` out, or None when the answers hold no yellow-flag answer at all (the
questions were not asked). The journey reads the stored answers
(:mod:`companion.journey.support_level`); reports and the practice server call that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.flow import FlowError, format_validation_error
from companion.files.bundled import default_flows_dir
from companion.files.yamlfiles import read_yaml

Level = Literal["low", "medium", "high"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")
"""From the least support to the most."""
YELLOW_FLAG = "yellow_flag"
ANY_GROUP = "any"
RULE_FILE = Path("rules") / "support.yaml"
"""Beside the flows (not a flow itself: the flow loader reads only the top folder)."""

SUPPORT_TEXT_KEYS = tuple(f"support.level.{level}" for level in LEVELS) + tuple(
    f"checkin.advice.yellow_flags_{level}" for level in LEVELS[1:]
)
"""Content keys the program words a level with (``companion check`` needs them): what each
level means, and the ``yellow_flags`` advice per level it can come with."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AtLeast(_Strict):
    at_least: int = Field(ge=0)


class Sign(_Strict):
    """One answer that scores a point: a yes, a no, or a number at least as high as given."""

    group: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    counts: Literal["yes", "no"] | AtLeast
    source: list[str] = Field(min_length=1)

    def shown_by(self, value: AnswerValue, unknown_counts: bool) -> bool:
        if value == UNKNOWN:
            return unknown_counts
        if isinstance(self.counts, AtLeast):
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (value >= self.counts.at_least)
            )
        return value is (self.counts == "yes")


class Count(_Strict):
    """``{group: yellow_flag, at_least: 4}``: that many points in the group (``any``: all)."""

    group: str
    at_least: int = Field(ge=1)


class LevelRule(_Strict):
    level: Level
    when_any: list[Count] = Field(default_factory=list)
    """Empty for the last level: it is where everyone else is placed."""
    source: list[str] = Field(min_length=1)


class SupportRule(_Strict):
    unknown_counts: bool
    signs: dict[str, Sign] = Field(min_length=1)
    levels: list[LevelRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_make_sense(self) -> SupportRule:
        groups = {sign.group for sign in self.signs.values()} | {ANY_GROUP}
        if YELLOW_FLAG not in groups:
            raise ValueError(f"no sign is in the group '{YELLOW_FLAG}'")
        for rule in self.levels:
            for count in rule.when_any:
                if count.group not in groups:
                    raise ValueError(f"level {rule.level}: no sign is in group '{count.group}'")
        named = [rule.level for rule in self.levels]
        if sorted(named, key=LEVELS.index, reverse=True) != named or len(set(named)) != len(named):
            raise ValueError("levels: each level once, from the most support to the least")
        if self.levels[-1].when_any:
            raise ValueError(f"levels: the last one ({named[-1]}) takes everyone else: no when_any")
        return self

    def yellow_flags(self) -> list[str]:
        return [concept for concept, sign in self.signs.items() if sign.group == YELLOW_FLAG]


@dataclass(frozen=True)
class Reason:
    """An answer that scored a point."""

    concept: str
    value: AnswerValue
    group: str


@dataclass(frozen=True)
class Support:
    level: Level
    reasons: tuple[Reason, ...]
    """The answers that scored, in the rule's order."""
    because: str
    """Which count placed the level (``yellow_flag >= 4``); "" for the level of everyone else."""
    source: tuple[str, ...]
    """The source lines of the level."""

    def points(self, group: str = ANY_GROUP) -> int:
        return sum(1 for r in self.reasons if group == ANY_GROUP or r.group == group)


def place_support(
    answers: Mapping[str, AnswerValue], rule: SupportRule | None = None
) -> Support | None:
    """The support level these answers place the patient in; None without any yellow-flag
    answer (a conversation that did not ask them places nobody)."""
    rule = rule or builtin_support_rule()
    if not any(concept in answers for concept in rule.yellow_flags()):
        return None
    reasons = tuple(
        Reason(concept, answers[concept], sign.group)
        for concept, sign in rule.signs.items()
        if concept in answers and sign.shown_by(answers[concept], rule.unknown_counts)
    )
    for level in rule.levels:
        for count in level.when_any:
            scored = sum(1 for r in reasons if count.group in (ANY_GROUP, r.group))
            if scored >= count.at_least:
                because = f"{count.group} >= {count.at_least}"
                return Support(level.level, reasons, because, tuple(level.source))
    last = rule.levels[-1]
    return Support(last.level, reasons, "", tuple(last.source))


def load_support_rule(path: Path) -> SupportRule:
    """Reads and validates the rule; FlowError names the file and what is wrong."""
    try:
        return SupportRule.model_validate(read_yaml(path, FlowError))
    except ValidationError as err:
        raise FlowError(format_validation_error(path, err)) from err


def support_rule_in(flows_dir: Path | None) -> SupportRule:
    """The rule beside ``flows_dir`` (``--flows DIR``) when it has one, else the built-in."""
    if flows_dir is not None and (flows_dir / RULE_FILE).is_file():
        return load_support_rule(flows_dir / RULE_FILE)
    return builtin_support_rule()


@cache
def builtin_support_rule() -> SupportRule:
    return load_support_rule(default_flows_dir() / RULE_FILE)
