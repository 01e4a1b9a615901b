"""Time-contingent activity plans: the model, the quota schedule, loading plan files.

Policy (clinical brief section 4):

- Activities are built up step by step **by time, independent of pain**; function, not pain,
  is the measure (002:1644-1650; recommendation 002:1664-1668: "de activiteiten
  tijdcontingent uit te breiden").
- From the acute phase, activity is expanded to the previous level over **6-12 weeks** on a
  fixed schedule (000:1689, 000:1718).
- The patient or the physiotherapist picks 1-3 activities; the baseline is what the patient
  can do on ordinary days now (the average of a few days, or the physiotherapist's figure);
  the goal is the patient's previous level; the quota rises in **equal steps on fixed days**
  (every ``step_every_days`` days from the plan's start) and reaches the goal exactly on the
  last step day. A bad-pain day does not change the quota: :func:`quota_on` does not take
  pain at all.

The schedule is derived from the plan, never stored, so it cannot disagree with it. With
``n = weeks * 7 // step_every_days`` steps, the quota after ``k`` steps is
``baseline + (goal - baseline) * k // n``: whole units, first the baseline, last the goal,
never decreasing, each step ``⌊Δ/n⌋`` or ``⌈Δ/n⌉`` units (as equal as whole units allow).
The goal is reached on day ``n * step_every_days`` after the start, within ``weeks`` weeks.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from companion.files.untrusted import (
    MAX_NESTING,
    NUMBER_TOO_LONG,
    PLAN_FILE_LIMIT,
    TOO_DEEP,
    Message,
    UnsafeFile,
    character_problem,
    nesting,
    read_text,
    strings_in,
)
from companion.texts.i18n import N_

PLAN_VERSION = 1
"""The plan format version this program reads and writes (``version`` in a plan file)."""

MIN_ACTIVITIES, MAX_ACTIVITIES = 1, 3
MIN_WEEKS, MAX_WEEKS = 6, 12
MAX_STEP_EVERY_DAYS = 14
MAX_TIMES_PER_DAY = 10
MAX_NOTE_LENGTH = 300

ActivityKind = Literal[
    "walking", "cycling", "housework", "standing", "sitting", "exercises", "work_hours", "other"
]
Unit = Literal["minutes", "repetitions", "hours"]

_PER_DAY_LIMIT: dict[str, int] = {"minutes": 24 * 60, "hours": 24}
"""A day has only so many minutes and hours: a quota above this is a typing mistake."""

WholeNumber = Annotated[int, Strict()]


class PlanError(ValueError):
    """A plan that cannot be used; ``problems`` lists every problem, by field."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"{source}: {self.problems[0]}"
        else:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            text = f"{source}: {len(self.problems)} problems:\n{listed}"
        super().__init__(text)


# --- the model ------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def _language_code(code: str) -> str:
    if not _LANGUAGE_CODE.fullmatch(code):
        raise PydanticCustomError(
            "language_code",
            "{code} is not a language code (a content pack's folder name, such as nl or fr)",
            {"code": _shown(code)},
        )
    return code


LanguageCode = Annotated[str, AfterValidator(_language_code)]
"""A content pack's folder name (``nl``, ``fr``, ...): which packs exist is known only
where the content is loaded, so ``companion plan check`` refuses codes without a pack."""


class _PerLanguage(RootModel[dict[LanguageCode, str]]):
    """A text per language, as a map from language code to text (``{ nl = "...", fr = "..." }``).

    Any language a content pack exists for may appear; shown in the reader's language,
    else in the first language the file gives (see :meth:`shown_in`)."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"propertyNames": {"pattern": "^[a-z]{2,3}$"}}
    )

    @model_validator(mode="before")
    @classmethod
    def _absent_is_not_given(cls, value: Any) -> Any:
        # Plans stored before the map wrote both fixed fields: {"nl": "...", "fr": null}.
        if isinstance(value, dict):
            return {code: text for code, text in value.items() if text is not None}
        return value

    @property
    def languages(self) -> list[str]:
        return list(self.root)

    def shown_in(self, language: str) -> tuple[str, str] | None:
        """(language, text) to show a reader of ``language``: their own, else the first
        the file gives (the language is returned so a caller can say so); None if empty."""
        if language in self.root:
            return language, self.root[language]
        return next(iter(self.root.items()), None)

    def label(self, language: str) -> str | None:
        """The text in ``language``, else in the first language the file gives, else None."""
        shown = self.shown_in(language)
        return shown[1] if shown is not None else None


class ActivityName(_PerLanguage):
    """The patient's own words for the activity, per language (e.g. "naar de bakker lopen")."""

    root: dict[LanguageCode, Annotated[str, Field(min_length=1, max_length=80)]]


class Instruction(_PerLanguage):
    """A physiotherapist's short instruction for an exercise, per language."""

    root: dict[LanguageCode, Annotated[str, Field(min_length=1, max_length=300)]]


class Activity(_Model):
    """One activity of the plan and how its daily quota rises."""

    kind: ActivityKind = Field(description="What sort of activity this is.")
    name: ActivityName | None = Field(
        default=None,
        description='Optional free label per language: { nl = "...", fr = "..." }.',
    )
    instruction: Instruction | None = Field(
        default=None,
        description="Optional short instruction from the physiotherapist, per language.",
    )
    times_per_day: WholeNumber | None = Field(
        default=None,
        ge=1,
        le=MAX_TIMES_PER_DAY,
        description="How many times a day (e.g. exercises 3 times a day); the quota is per time.",
    )
    unit: Unit = Field(description="What the quota counts.")
    baseline: WholeNumber = Field(
        gt=0,
        description=(
            "The quota at the start: what the patient can do on an ordinary day now (the "
            "average of a few days, or the physiotherapist's figure). Clinical brief section 4."
        ),
    )
    goal: WholeNumber = Field(
        gt=0,
        description=(
            "The quota at the end: the patient's previous level; at least the baseline. "
            "Reached in 6-12 weeks (000:1689, 000:1718)."
        ),
    )
    step_every_days: WholeNumber = Field(
        ge=1,
        le=MAX_STEP_EVERY_DAYS,
        description=(
            "The quota rises every this many days from the plan's start (e.g. 2-3), on fixed "
            "days whatever the pain: time-contingent (002:1644-1650, 002:1664-1668)."
        ),
    )
    weeks: WholeNumber = Field(
        ge=MIN_WEEKS,
        le=MAX_WEEKS,
        description=(
            "Weeks to reach the goal: 6 to 12 (000:1689, 000:1718). The goal is reached on the "
            "last step day within these weeks."
        ),
    )

    @field_validator("baseline", "goal")
    @classmethod
    def _fits_in_a_day(cls, value: int, info: ValidationInfo) -> int:
        unit = info.data.get("unit")
        limit = _PER_DAY_LIMIT.get(unit) if isinstance(unit, str) else None
        if limit is not None and value > limit:
            raise PydanticCustomError(
                "per_day_limit",
                "{value} {unit} do not fit in one day (at most {limit})",
                {"value": value, "unit": unit, "limit": limit},
            )
        return value

    @field_validator("goal")
    @classmethod
    def _goal_not_below_baseline(cls, goal: int, info: ValidationInfo) -> int:
        baseline = info.data.get("baseline")
        if isinstance(baseline, int) and goal < baseline:
            raise PydanticCustomError(
                "goal_below_baseline",
                "goal ({goal}) is below baseline ({baseline})",
                {"goal": goal, "baseline": baseline},
            )
        return goal

    @property
    def steps(self) -> int:
        """How many times the quota rises (some rises may be 0 units when Δ < steps)."""
        return self.weeks * 7 // self.step_every_days

    @property
    def days_to_goal(self) -> int:
        """Days from the plan's start to the day the goal is reached."""
        return self.steps * self.step_every_days

    def quota_after(self, steps: int) -> int:
        """The quota after ``steps`` rises: baseline at 0, goal from :attr:`steps` on."""
        done = min(max(steps, 0), self.steps)
        return self.baseline + (self.goal - self.baseline) * done // self.steps

    def quotas(self) -> list[int]:
        """Every quota in order, from the baseline to the goal."""
        return [self.quota_after(k) for k in range(self.steps + 1)]


class Therapist(_Model):
    """The physiotherapist who made or reviews the plan."""

    name: str = Field(min_length=1, max_length=120)
    contact: str | None = Field(
        default=None, min_length=1, max_length=200, description="Phone or e-mail."
    )


class WeekNoteText(_PerLanguage):
    """A physiotherapist's short note for one week, per language."""

    root: dict[LanguageCode, Annotated[str, Field(min_length=1, max_length=MAX_NOTE_LENGTH)]]


class WeekNote(_Model):
    """A short note the patient reads on Today during one week of the plan."""

    week: WholeNumber = Field(
        ge=1, le=MAX_WEEKS, description="The plan's week (week 1 starts on the start date)."
    )
    text: WeekNoteText = Field(description='The note per language: { nl = "...", fr = "..." }.')


class Plan(_Model):
    """A time-contingent activity plan: 1-3 activities whose quotas rise on fixed days."""

    model_config = ConfigDict(
        title="Companion activity plan",
        json_schema_extra={
            "description": (
                "A time-contingent activity plan (clinical brief section 4): 1-3 activities whose "
                "daily quota rises in equal steps on fixed days, independent of pain "
                "(002:1644-1650, 002:1664-1668), from a baseline to the previous level in 6-12 "
                "weeks (000:1689, 000:1718). The quota schedule is derived from these fields."
            )
        },
    )

    version: WholeNumber = Field(
        default=PLAN_VERSION, description=f"Plan format version; this program reads {PLAN_VERSION}."
    )
    start: date = Field(description="The first day of the plan (quota = baseline).")
    onset: date | None = Field(
        default=None, description="The day the pain began (day 0), if known."
    )
    activities: list[Activity] = Field(
        description="One to three activities.",
        json_schema_extra={"minItems": MIN_ACTIVITIES, "maxItems": MAX_ACTIVITIES},
    )
    created_by: Literal["patient", "physiotherapist"] = Field(
        default="patient", description="Who made the plan."
    )
    therapist: Therapist | None = None
    review: date | None = Field(
        default=None, description="When to review the plan with the physiotherapist."
    )
    notes: list[WeekNote] = Field(
        default_factory=list,
        description="Optional short notes from the physiotherapist, at most one per week.",
        json_schema_extra={"maxItems": MAX_WEEKS},
    )

    @field_validator("notes")
    @classmethod
    def _one_note_per_week(cls, notes: list[WeekNote]) -> list[WeekNote]:
        weeks = [note.week for note in notes]
        doubled = sorted({week for week in weeks if weeks.count(week) > 1})
        if doubled:
            raise PydanticCustomError(
                "note_week_twice",
                "week {weeks} has more than one note: write one note per week",
                {"weeks": ", ".join(str(week) for week in doubled)},
            )
        return notes

    def note_on(self, day: date, language: str) -> str | None:
        """The note for the plan week ``day`` falls in, in ``language`` (else the file's first)."""
        if day < self.start:
            return None
        week = (day - self.start).days // 7 + 1
        note = next((note for note in self.notes if note.week == week), None)
        return note.text.label(language) if note is not None else None

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != PLAN_VERSION:
            raise PydanticCustomError(
                "plan_version",
                "plan format version {version} is not supported (this program reads {known})",
                {"version": version, "known": PLAN_VERSION},
            )
        return version

    @field_validator("onset")
    @classmethod
    def _onset_not_after_start(cls, onset: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if onset is not None and isinstance(start, date) and onset > start:
            raise PydanticCustomError(
                "onset_after_start",
                "onset ({onset}) is after the plan's start ({start})",
                {"onset": onset.isoformat(), "start": start.isoformat()},
            )
        return onset

    @field_validator("activities", mode="wrap")
    @classmethod
    def _one_to_three(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # A plain max_length would stop at the count and hide the activities' own
        # problems; a physiotherapist fixing a file wants every problem at once.
        problems: list[InitErrorDetails] = []
        result = None
        try:
            result = handler(value)
        except ValidationError as err:
            problems = [
                InitErrorDetails(
                    type=PydanticCustomError("activity_problem", _message(error)),
                    loc=error["loc"],
                    input=error["input"],
                )
                for error in err.errors()
            ]
        if isinstance(value, list) and not MIN_ACTIVITIES <= len(value) <= MAX_ACTIVITIES:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "activity_count",
                        "a plan has {low} to {high} activities, not {count}",
                        {"low": MIN_ACTIVITIES, "high": MAX_ACTIVITIES, "count": len(value)},
                    ),
                    loc=(),
                    input=value,
                )
            )
        if problems:
            raise ValidationError.from_exception_data("activities", problems)
        return result

    @field_validator("review")
    @classmethod
    def _review_not_before_start(cls, review: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if review is not None and isinstance(start, date) and review < start:
            raise PydanticCustomError(
                "review_before_start",
                "review ({review}) is before the plan's start ({start})",
                {"review": review.isoformat(), "start": start.isoformat()},
            )
        return review

    @property
    def end(self) -> date:
        """The day the last activity reaches its goal."""
        return self.start + timedelta(days=max(a.days_to_goal for a in self.activities))


def _texts_per_language(plan: Plan) -> list[tuple[str, _PerLanguage]]:
    found: list[tuple[str, _PerLanguage]] = []
    for index, activity in enumerate(plan.activities):
        for field, texts in (("name", activity.name), ("instruction", activity.instruction)):
            if texts is not None and texts.root:
                found.append((f"activities.{index}.{field}", texts))
    for index, note in enumerate(plan.notes):
        found.append((f"notes.{index}.text", note.text))
    return found


def language_problems(plan: Plan, packs: Collection[str]) -> list[str]:
    """A text in a language no content pack exists for: nobody could read it in the
    program, and a typo (``nl`` written ``ln``) would hide the text from its reader."""
    known = ", ".join(sorted(packs))
    return [
        f"{where}.{code}: there is no content pack for language {code} (packs: {known})"
        for where, texts in _texts_per_language(plan)
        for code in texts.languages
        if code not in packs
    ]


def language_fallbacks(plan: Plan, packs: Collection[str]) -> list[str]:
    """Languages a plan text lacks: readers of those see the file's first language."""
    return [
        f"{where}: no {code} text; a {code} reader sees the {texts.languages[0]} text"
        for where, texts in _texts_per_language(plan)
        for code in sorted(packs)
        if code not in texts.root
    ]


# --- quotas -----------------------------------------------------------------------


class ScheduleDay(NamedTuple):
    day: date
    quotas: tuple[int, ...]
    """One quota per activity, in the plan's order."""


def quota_on(plan: Plan, activity: Activity | int, day: date) -> int:
    """The quota of ``activity`` (or its index) on ``day``.

    Before the start: the baseline; after the goal day: the goal. Depends on the
    plan and the date only: pain, missed days or anything else stored cannot
    change it (time-contingent, 002:1644-1650).
    """
    chosen = plan.activities[activity] if isinstance(activity, int) else activity
    elapsed = (day - plan.start).days
    return chosen.quota_after(elapsed // chosen.step_every_days if elapsed > 0 else 0)


def goal_day(plan: Plan, activity: Activity | int) -> date:
    """The day ``activity`` reaches its goal."""
    chosen = plan.activities[activity] if isinstance(activity, int) else activity
    return plan.start + timedelta(days=chosen.days_to_goal)


def schedule(plan: Plan) -> list[ScheduleDay]:
    """The start and every fixed step day of any activity, with each activity's quota."""
    days = {plan.start}
    for activity in plan.activities:
        days.update(
            plan.start + timedelta(days=k * activity.step_every_days)
            for k in range(1, activity.steps + 1)
        )
    return [
        ScheduleDay(day, tuple(quota_on(plan, a, day) for a in plan.activities))
        for day in sorted(days)
    ]


def step_days(plan: Plan) -> list[ScheduleDay]:
    """The fixed days after the start on which a day goal rises, with the new quotas; a step
    that adds nothing (a goal close to its baseline) is no step for the patient."""
    days = schedule(plan)
    return [today for before, today in pairwise(days) if today.quotas != before.quotas]


def next_step(plan: Plan, after: date) -> ScheduleDay | None:
    """The first step day after ``after``, or None when every goal is reached by then."""
    return next((step for step in step_days(plan) if step.day > after), None)


# --- making plans -------------------------------------------------------------------


def baseline_from(answers: Sequence[float]) -> int:
    """The baseline from a few ordinary days: their average, rounded down, at least 1.

    Rounded down so the plan never starts above what the patient does on an
    ordinary day now.
    """
    if not answers:
        raise PlanError("baseline", ["give the amount of at least one ordinary day"])
    for value in answers:
        if isinstance(value, bool) or not math.isfinite(value) or value < 0:
            raise PlanError("baseline", [f"{value!r} is not an amount (0 or more)"])
    return max(1, math.floor(sum(answers) / len(answers)))


def generate_plan(
    baseline_answers: Sequence[float],
    goal: int,
    start: date,
    *,
    kind: ActivityKind,
    unit: Unit,
    step_every_days: int,
    weeks: int,
    name: ActivityName | None = None,
    onset: date | None = None,
    created_by: Literal["patient", "physiotherapist"] = "patient",
    therapist: Therapist | None = None,
    review: date | None = None,
) -> Plan:
    """A one-activity plan from the patient's answers about a few ordinary days.

    Raises :class:`PlanError` listing every problem (e.g. a goal below the baseline).
    More activities: build :class:`Activity` objects and a :class:`Plan` directly.
    """
    data: dict[str, Any] = {
        "start": start,
        "onset": onset,
        "created_by": created_by,
        "therapist": therapist,
        "review": review,
        "activities": [
            {
                "kind": kind,
                "name": name,
                "unit": unit,
                "baseline": baseline_from(baseline_answers),
                "goal": goal,
                "step_every_days": step_every_days,
                "weeks": weeks,
            }
        ],
    }
    return parse_plan(data, "new plan")


# --- plan files -----------------------------------------------------------------------


def parse_plan(data: Any, source: str) -> Plan:
    """Validates already-parsed data; :class:`PlanError` lists every problem by field."""
    try:
        return Plan.model_validate(data)
    except ValidationError as err:
        raise PlanError(source, [_problem(error) for error in err.errors()]) from None


def load_plan(path: Path | str, today: date | None = None) -> Plan:
    """Reads a plan file (``.json``; ``.toml`` for physiotherapists).

    Every failure is a :class:`PlanError` naming the file: unreadable, not
    JSON/TOML, or each field that is wrong. The file is someone else's: it is
    read through :func:`companion.files.untrusted.read_text` (a regular file of at most
    64 KiB, UTF-8), may not nest deeper than :data:`MAX_NESTING` levels nor hold
    control characters, and with ``today`` its dates must lie in
    :func:`date_window_problems`' window around it.
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise PlanError(source, [f"unknown plan file type '{path.suffix}': use .json or .toml"])
    try:
        text = read_text(path, PLAN_FILE_LIMIT)
    except UnsafeFile as err:
        raise PlanError(source, [err.message]) from None
    if not text.strip():
        raise PlanError(source, ["the file is empty"])
    data = _parsed(text, suffix, source)
    if nesting(data) > MAX_NESTING:
        raise PlanError(source, [Message(TOO_DEEP, limit=MAX_NESTING)])
    problems: list[str] = [
        found
        for where, value in strings_in(data)
        if (found := character_problem(value, _multi_line(where), ".".join(where))) is not None
    ]
    if today is not None:
        problems += date_window_problems(data, today)
    try:
        plan = parse_plan(data, source)
    except PlanError as err:
        problems += err.problems
        plan = None
    if problems or plan is None:
        raise PlanError(source, problems)
    return plan


def _parsed(text: str, suffix: str, source: str) -> Any:
    try:
        if suffix == ".json":
            return json.loads(text)
        return tomllib.loads(text)
    except json.JSONDecodeError as err:
        problem = f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        raise PlanError(source, [problem]) from None
    except tomllib.TOMLDecodeError as err:
        raise PlanError(source, [f"not valid TOML: {err}"]) from None
    except RecursionError:
        raise PlanError(source, [Message(TOO_DEEP, limit=MAX_NESTING)]) from None
    except ValueError:  # Python's limit on the digits of a number
        raise PlanError(source, [Message(NUMBER_TOO_LONG)]) from None


def _multi_line(where: tuple[str, ...]) -> bool:
    """Only a physiotherapist's instruction may have several lines (or a tab)."""
    return len(where) >= 2 and where[-2] == "instruction"


START_WINDOW = timedelta(days=366)
"""A plan starts at most a year before or after today (``--today`` counts)."""
ONSET_WINDOW = timedelta(days=10 * 366)
"""The pain began at most ten years before the plan's start."""
REVIEW_WINDOW = timedelta(days=366)
"""The review is at most a year after the plan's start."""

START_OUT_OF_WINDOW = N_("This date must be within a year of today ({today}), not {value}.")
ONSET_OUT_OF_WINDOW = N_("This date must be at most ten years before the start, not {value}.")
REVIEW_OUT_OF_WINDOW = N_("This date must be at most a year after the start, not {value}.")


def date_window_problems(data: Any, today: date) -> list[str]:
    """Dates far from today are typing mistakes (9999-12-31, 0001-01-01) and would
    overflow date arithmetic in reports and exports later: refused by field."""
    if not isinstance(data, dict):
        return []
    start = _as_date(data.get("start"))
    problems: list[str] = []
    if start is not None and abs(start - today) > START_WINDOW:
        problems.append(
            Message(START_OUT_OF_WINDOW, field="start", today=today.isoformat(), value=start)
        )
        return problems
    onset, review = _as_date(data.get("onset")), _as_date(data.get("review"))
    if start is not None and onset is not None and start - onset > ONSET_WINDOW:
        problems.append(Message(ONSET_OUT_OF_WINDOW, field="onset", value=onset))
    if start is not None and review is not None and review - start > REVIEW_WINDOW:
        problems.append(Message(REVIEW_OUT_OF_WINDOW, field="review", value=review))
    return problems


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def plan_json_schema() -> dict[str, Any]:
    schema = Plan.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_schema(path: Path | str) -> None:
    """Writes the plan JSON Schema (``schemas/plan.schema.json`` is this output)."""
    Path(path).write_text(schema_text(), encoding="utf-8")


def schema_text() -> str:
    return json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n"


# --- error messages --------------------------------------------------------------------


def _problem(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "plan"
    return f"{where}: {_message(error)}"


def _shown(value: Any) -> str:
    """A value as the file wrote it, cut short: a 4000-digit number is not repeated."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "literal_error":
        return f"{_shown(value)} is not allowed; expected one of {ctx.get('expected')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {_shown(value)}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, not {_shown(value)}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, not {_shown(value)}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}, not {_shown(value)}"
    if kind.startswith("date"):
        return f"must be a date like 2025-03-14, not {_shown(value)}"
    if kind == "string_type":
        return f"must be text, not {_shown(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object with named fields, not {type(value).__name__}"
    if kind == "list_type":
        return f"must be a list, not {type(value).__name__}"
    return str(error["msg"])


if __name__ == "__main__":  # python -m companion.care.plan schemas/plan.schema.json
    import sys

    write_schema(sys.argv[1] if len(sys.argv) > 1 else "schemas/plan.schema.json")
