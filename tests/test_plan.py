"""Activity plans: quotas rise by time in equal steps on fixed days; bad plan files explain
every problem (clinical brief section 4)."""

from __future__ import annotations

import inspect
import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.care.plan import (
    Activity,
    Plan,
    PlanError,
    baseline_from,
    generate_plan,
    goal_day,
    load_plan,
    parse_plan,
    quota_on,
    schedule,
    schema_text,
)
from companion.clock import FixedClock
from companion.store.storage import Store

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "plan.schema.json"
START = date(2025, 3, 3)


def one_activity(baseline: int, goal: int, step: int, weeks: int) -> Plan:
    return generate_plan(
        [baseline],
        goal,
        START,
        kind="walking",
        unit="minutes",
        step_every_days=step,
        weeks=weeks,
    )


def daily_quotas(plan: Plan, activity: int = 0, extra_days: int = 10) -> list[int]:
    """The quota on every day from the start until some days after the goal day."""
    last = (goal_day(plan, activity) - plan.start).days + extra_days
    return [quota_on(plan, activity, plan.start + timedelta(days=d)) for d in range(last + 1)]


# --- the schedule ---------------------------------------------------------------------


def test_walking_plan_from_file_rises_from_baseline_to_goal() -> None:
    plan = load_plan(FIXTURES / "walking.json")
    # 6 weeks, every 3 days: 14 steps of (40 - 10) / 14, reached on day 42.
    assert goal_day(plan, 0) == START + timedelta(days=42)
    assert quota_on(plan, 0, START - timedelta(days=5)) == 10
    assert quota_on(plan, 0, START) == 10
    assert quota_on(plan, 0, START + timedelta(days=41)) < 40
    assert quota_on(plan, 0, START + timedelta(days=42)) == 40
    assert quota_on(plan, 0, START + timedelta(days=400)) == 40
    assert plan.activities[0].name is not None
    assert plan.activities[0].name.label("fr") == "naar de bakker lopen"


@pytest.mark.parametrize(
    ("baseline", "goal", "step", "weeks", "goal_after_days"),
    [
        (10, 40, 3, 6, 42),  # 14 steps
        (10, 40, 2, 6, 42),  # 21 steps
        (5, 30, 2, 8, 56),  # 28 steps
        (20, 60, 3, 12, 84),  # 28 steps
        (2, 8, 7, 12, 84),  # weekly, 12 steps
        (10, 40, 4, 6, 40),  # 42 // 4 = 10 steps: the goal comes on the last step day
        (10, 11, 1, 6, 42),  # one unit to gain over 42 daily steps
    ],
)
def test_goal_is_reached_exactly_on_the_last_step_day(
    baseline: int, goal: int, step: int, weeks: int, goal_after_days: int
) -> None:
    plan = one_activity(baseline, goal, step, weeks)
    quotas = daily_quotas(plan)
    assert quotas[0] == baseline
    assert quotas[goal_after_days] == goal
    assert quotas[goal_after_days - 1] < goal
    assert all(q == goal for q in quotas[goal_after_days:])
    assert goal_after_days <= weeks * 7


@pytest.mark.parametrize(("baseline", "goal", "step", "weeks"), [(10, 38, 3, 6), (5, 61, 2, 8)])
def test_equal_steps_when_the_gain_divides_evenly(
    baseline: int, goal: int, step: int, weeks: int
) -> None:
    quotas = one_activity(baseline, goal, step, weeks).activities[0].quotas()
    steps = {b - a for a, b in itertools.pairwise(quotas)}
    assert steps == {2}


def test_uneven_gain_is_shared_out_as_equally_as_whole_units_allow() -> None:
    quotas = one_activity(10, 40, 3, 6).activities[0].quotas()  # 30 over 14 steps
    steps = [b - a for a, b in itertools.pairwise(quotas)]
    assert sorted(set(steps)) == [2, 3]
    assert sum(steps) == 30


def test_quota_changes_only_on_fixed_days() -> None:
    plan = one_activity(10, 40, 3, 6)
    quotas = daily_quotas(plan)
    changed_on = [d for d in range(1, len(quotas)) if quotas[d] != quotas[d - 1]]
    assert changed_on == list(range(3, 43, 3))


def test_schedule_lists_every_fixed_day_of_every_activity() -> None:
    plan = load_plan(FIXTURES / "physiotherapist.toml")
    days = schedule(plan)
    assert days[0].day == plan.start
    assert days[0].quotas == (5, 2)
    assert days[-1].quotas == (30, 8)
    assert days[-1].day == plan.start + timedelta(days=84)  # work hours: 12 weekly steps
    offsets = {(entry.day - plan.start).days for entry in days}
    assert offsets == {0} | set(range(2, 57, 2)) | set(range(7, 85, 7))
    for before, after in itertools.pairwise(days):
        assert all(b >= a for a, b in zip(before.quotas, after.quotas, strict=True))
    assert plan.therapist is not None and plan.therapist.name == "M. Janssens"


@given(
    baseline=st.integers(min_value=1, max_value=600),
    gain=st.integers(min_value=0, max_value=600),
    step=st.integers(min_value=1, max_value=14),
    weeks=st.integers(min_value=6, max_value=12),
)
def test_any_valid_plan_starts_at_baseline_ends_at_goal_and_never_shrinks(
    baseline: int, gain: int, step: int, weeks: int
) -> None:
    activity = Activity(
        kind="walking",
        unit="repetitions",
        baseline=baseline,
        goal=baseline + gain,
        step_every_days=step,
        weeks=weeks,
    )
    plan = Plan(start=START, activities=[activity])
    quotas = activity.quotas()
    assert quotas[0] == baseline
    assert quotas[-1] == baseline + gain
    steps = [b - a for a, b in itertools.pairwise(quotas)]
    assert all(s >= 0 for s in steps)
    assert max(steps) - min(steps) <= 1
    assert quota_on(plan, 0, goal_day(plan, 0)) == baseline + gain
    assert goal_day(plan, 0) <= START + timedelta(weeks=weeks)
    entries = schedule(plan)
    assert entries[-1].quotas == (baseline + gain,)
    assert [e.quotas[0] for e in entries] == sorted(e.quotas[0] for e in entries)


def test_quota_does_not_take_pain() -> None:
    assert list(inspect.signature(quota_on).parameters) == ["plan", "activity", "day"]


def test_quota_is_the_same_whatever_else_is_stored(tmp_path: Path) -> None:
    clock = FixedClock(START)
    with Store.open(tmp_path, clock) as store:
        store.save_plan(load_plan(FIXTURES / "walking.json"))
        day = START + timedelta(days=9)
        before = quota_on(store.current_plan() or pytest.fail("no plan"), 0, day)
        for _ in range(5):
            clock.advance(days=1)
            store.append("check_in", {"pain_now": 10, "pain_trend": "worse", "quota_done": "not"})
        after = quota_on(store.current_plan() or pytest.fail("no plan"), 0, day)
    assert before == after == 16


# --- making a plan from the patient's answers -----------------------------------------------


def test_baseline_is_the_average_of_ordinary_days_rounded_down() -> None:
    assert baseline_from([10, 12, 15]) == 12
    assert baseline_from([20]) == 20
    assert baseline_from([0, 1]) == 1  # never 0: a plan always starts somewhere


@pytest.mark.parametrize("answers", [[], [-5], [float("nan")]])
def test_impossible_baseline_answers_are_refused(answers: list[float]) -> None:
    with pytest.raises(PlanError):
        baseline_from(answers)


def test_generated_plan_with_goal_below_baseline_says_so() -> None:
    with pytest.raises(PlanError) as caught:
        generate_plan(
            [30, 30, 30], 20, START, kind="walking", unit="minutes", step_every_days=3, weeks=6
        )
    assert caught.value.problems == ["activities.0.goal: goal (20) is below baseline (30)"]


def test_a_plan_survives_a_round_trip_through_json() -> None:
    plan = load_plan(FIXTURES / "physiotherapist.toml")
    assert parse_plan(json.loads(plan.model_dump_json()), "copy") == plan


# --- bad plan files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("goal_below_baseline.json", ["activities.0.goal: goal (5) is below baseline (10)"]),
        ("no_activities.json", ["activities: a plan has 1 to 3 activities, not 0"]),
        ("four_activities.json", ["activities: a plan has 1 to 3 activities, not 4"]),
        (
            "unknown_unit.json",
            [
                "activities.0.unit: 'km' is not allowed; "
                "expected one of 'minutes', 'repetitions' or 'hours'"
            ],
        ),
        ("weeks_3.json", ["activities.0.weeks: must be at least 6, not 3"]),
        ("weeks_20.json", ["activities.0.weeks: must be at most 12, not 20"]),
        (
            "wrong_types.json",
            [
                "start: must be a date like 2025-03-14, not 'next monday'",
                "activities.0.baseline: must be a whole number, not 'ten'",
                "activities.0.goal: must be a whole number, not 7.5",
                "created_by: 'doctor' is not allowed; "
                "expected one of 'patient' or 'physiotherapist'",
            ],
        ),
    ],
)
def test_bad_plan_file_names_the_file_and_each_problem(name: str, problems: list[str]) -> None:
    path = FIXTURES / name
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == problems
    assert str(path) in str(caught.value)
    for problem in problems:
        assert problem in str(caught.value)


def test_every_problem_is_listed_not_only_the_first() -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(FIXTURES / "many_problems.json")
    assert caught.value.problems == [
        "activities.0.goal: goal (5) is below baseline (10)",
        "activities.1.unit: 'km' is not allowed; "
        "expected one of 'minutes', 'repetitions' or 'hours'",
        "activities.1.step_every_days: must be at least 1, not 0",
        "activities.1.weeks: must be at most 12, not 20",
        "activities.2.pace: unknown field (check the spelling)",
        "activities: a plan has 1 to 3 activities, not 4",
    ]
    assert "6 problems" in str(caught.value)


def test_a_file_that_is_not_json_gets_a_clear_message() -> None:
    path = FIXTURES / "not_json.json"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == f"{path}: not valid JSON: Expecting value (line 1, column 1)"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.json", b"  \n", "the file is empty"),
        ("binary.json", b"\xff\xfe\x00garbage\x81", "not a text file"),
        ("list.json", b"[1, 2]", "plan: must be an object with named fields, not list"),
        ("broken.toml", b"start = ", "not valid TOML"),
        ("plan.yaml", b"start: 2025-03-03", "unknown plan file type '.yaml'"),
    ],
)
def test_unusable_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(PlanError, match="cannot read the file") as caught:
        load_plan(path)
    assert str(path) in str(caught.value)


def test_unsupported_plan_version_is_refused(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "walking.json").read_text(encoding="utf-8"))
    data["version"] = 2
    with pytest.raises(PlanError) as caught:
        parse_plan(data, "future.json")
    assert caught.value.problems == [
        "version: plan format version 2 is not supported (this program reads 1)"
    ]


def test_onset_after_start_and_review_before_start_are_refused() -> None:
    data = json.loads((FIXTURES / "walking.json").read_text(encoding="utf-8"))
    data |= {"onset": "2025-03-10", "review": "2025-03-01"}
    with pytest.raises(PlanError) as caught:
        parse_plan(data, "dates.json")
    assert caught.value.problems == [
        "onset: onset (2025-03-10) is after the plan's start (2025-03-03)",
        "review: review (2025-03-01) is before the plan's start (2025-03-03)",
    ]


def test_a_quota_that_does_not_fit_in_a_day_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        generate_plan([2], 30, START, kind="work_hours", unit="hours", step_every_days=7, weeks=12)
    assert caught.value.problems == [
        "activities.0.goal: 30 hours do not fit in one day (at most 24)"
    ]


# --- the schema -----------------------------------------------------------------------------


def test_committed_schema_matches_the_model() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "schemas/plan.schema.json is out of date: run "
        "`.venv/bin/python -m companion.care.plan schemas/plan.schema.json`"
    )


def test_schema_states_the_limits_a_physiotherapist_must_respect() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    activity = schema["$defs"]["Activity"]["properties"]
    assert (activity["weeks"]["minimum"], activity["weeks"]["maximum"]) == (6, 12)
    assert activity["unit"]["enum"] == ["minutes", "repetitions", "hours"]
    assert (schema["properties"]["activities"]["minItems"], 3) == (
        1,
        schema["properties"]["activities"]["maxItems"],
    )
    assert "002:1644-1650" in json.dumps(schema)
