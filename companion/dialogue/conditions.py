"""Declarative conditions over the answers a session has collected.

Flows state their decision rules as data, for example::

    when: {all: [{yes: cancer_history}, {any_yes: [night_pain, unexplained_weight_loss]}]}

Each condition is a small pydantic model; evaluation never uses ``eval``.
Evaluating returns the *witness*: the question ids whose answers made the
condition true. The engine reports the witness of the rule that ended the
conversation as the flags that drove the disposition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

UNKNOWN: Literal["unknown"] = "unknown"
"""The stored value of an "I don't know" answer, whatever the question type."""

AnswerValue = bool | int | str
Answers = Mapping[str, AnswerValue]
Witness = tuple[str, ...] | None
"""None when the condition is false; otherwise the question ids that made it true."""


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def witness(self, answers: Answers) -> Witness:
        raise NotImplementedError

    def holds(self, answers: Answers) -> bool:
        return self.witness(answers) is not None

    def references(self) -> Iterator[tuple[str, str]]:
        """(question id, how it is used) pairs, for validation against the flow."""
        raise NotImplementedError


class YesCondition(_Condition):
    yes: str

    def witness(self, answers: Answers) -> Witness:
        return (self.yes,) if answers.get(self.yes) is True else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.yes, "yes_no"


class NoCondition(_Condition):
    no: str

    def witness(self, answers: Answers) -> Witness:
        return (self.no,) if answers.get(self.no) is False else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.no, "yes_no"


class UnknownCondition(_Condition):
    unknown: str

    def witness(self, answers: Answers) -> Witness:
        return (self.unknown,) if answers.get(self.unknown) == UNKNOWN else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.unknown, "any"


class AnsweredCondition(_Condition):
    """True once the question has any answer, "I don't know" included."""

    answered: str

    def witness(self, answers: Answers) -> Witness:
        return () if self.answered in answers else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.answered, "any"


class AnyYesCondition(_Condition):
    any_yes: list[str] = Field(min_length=1)

    def witness(self, answers: Answers) -> Witness:
        hits = tuple(q for q in self.any_yes if answers.get(q) is True)
        return hits or None

    def references(self) -> Iterator[tuple[str, str]]:
        for q in self.any_yes:
            yield q, "yes_no"


class AnyUnknownCondition(_Condition):
    any_unknown: list[str] = Field(min_length=1)

    def witness(self, answers: Answers) -> Witness:
        hits = tuple(q for q in self.any_unknown if answers.get(q) == UNKNOWN)
        return hits or None

    def references(self) -> Iterator[tuple[str, str]]:
        for q in self.any_unknown:
            yield q, "any"


class NumberCondition(_Condition):
    """Compares a whole-number answer: ``{number: age, gt: 50}``.

    An unanswered or "I don't know" number satisfies no comparison; flows
    that must be conservative about a missing number say so with
    ``{unknown: age}``.
    """

    number: str
    gt: int | None = None
    ge: int | None = None
    lt: int | None = None
    le: int | None = None
    eq: int | None = None

    @model_validator(mode="after")
    def _needs_a_comparison(self) -> NumberCondition:
        if all(v is None for v in (self.gt, self.ge, self.lt, self.le, self.eq)):
            raise ValueError("a number condition needs at least one of gt, ge, lt, le, eq")
        return self

    def witness(self, answers: Answers) -> Witness:
        value = answers.get(self.number)
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        checks = (
            self.gt is None or value > self.gt,
            self.ge is None or value >= self.ge,
            self.lt is None or value < self.lt,
            self.le is None or value <= self.le,
            self.eq is None or value == self.eq,
        )
        return (self.number,) if all(checks) else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.number, "number"


class ChoiceCondition(_Condition):
    """True when a choice question was answered with one of the listed options."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    choice: str
    one_of: list[str] = Field(alias="in", min_length=1)

    def witness(self, answers: Answers) -> Witness:
        return (self.choice,) if answers.get(self.choice) in self.one_of else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield self.choice, "choice"


class AllCondition(_Condition):
    all: list[Condition] = Field(min_length=1)

    def witness(self, answers: Answers) -> Witness:
        found: list[str] = []
        for part in self.all:
            hit = part.witness(answers)
            if hit is None:
                return None
            found.extend(hit)
        return tuple(dict.fromkeys(found))

    def references(self) -> Iterator[tuple[str, str]]:
        for part in self.all:
            yield from part.references()


class AnyCondition(_Condition):
    any: list[Condition] = Field(min_length=1)

    def witness(self, answers: Answers) -> Witness:
        # Collect every true branch, not just the first: all of them are
        # reasons the GP should hear about.
        hits = [hit for part in self.any if (hit := part.witness(answers)) is not None]
        if not hits:
            return None
        return tuple(dict.fromkeys(q for hit in hits for q in hit))

    def references(self) -> Iterator[tuple[str, str]]:
        for part in self.any:
            yield from part.references()


class NotCondition(_Condition):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    negated: Condition = Field(alias="not")

    def witness(self, answers: Answers) -> Witness:
        # An absence drives nothing, so a true negation contributes no flags.
        return () if self.negated.witness(answers) is None else None

    def references(self) -> Iterator[tuple[str, str]]:
        yield from self.negated.references()


_TAGS = {
    "yes": "yes",
    "no": "no",
    "unknown": "unknown",
    "answered": "answered",
    "any_yes": "any_yes",
    "any_unknown": "any_unknown",
    "number": "number",
    "choice": "choice",
    "all": "all",
    "any": "any",
    "not": "not",
}


def _condition_tag(value: Any) -> str | None:
    """Picks the condition model from the one key that names it."""
    if isinstance(value, _Condition):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if not isinstance(value, dict):
        return None
    tags = [_TAGS[key] for key in value if key in _TAGS]
    return tags[0] if len(tags) == 1 else None


Condition = Annotated[
    Annotated[YesCondition, Tag("yes")]
    | Annotated[NoCondition, Tag("no")]
    | Annotated[UnknownCondition, Tag("unknown")]
    | Annotated[AnsweredCondition, Tag("answered")]
    | Annotated[AnyYesCondition, Tag("any_yes")]
    | Annotated[AnyUnknownCondition, Tag("any_unknown")]
    | Annotated[NumberCondition, Tag("number")]
    | Annotated[ChoiceCondition, Tag("choice")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "a condition is a mapping with exactly one of the keys "
            "yes, no, unknown, answered, any_yes, any_unknown, number, choice, all, any, not"
        ),
    ),
]

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()
