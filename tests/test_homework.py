"""Physiotherapist plan files: checked by field and line, imported for the patient, written."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.care.plan import load_plan, quota_on
from companion.cli import main
from companion.clock import FixedClock
from companion.commands.homework import check_plan_file, plan_to_toml, run_plan_command
from companion.journey.journey import CHECKIN, Journey
from companion.present import today_lines
from companion.resources import builtin_library
from companion.store.storage import Store
from tests.patients import given_plan_function_part

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "homework"

BAD_TOML = """\
version = 1
start = 2026-03-02
review = 2026-02-01
therapist = { name = "X" }

[[activities]]
kind = "walking"
unit = "minutes"
baseline = 10
goal = 5
step_every_days = 3
weeks = 8

[[activities]]
kind = "flying"
name = { nl = "" }
unit = "minutes"
baseline = 10
goal = 20
step_every_days = 30
times_per_day = 0
colour = "red"
"""


@pytest.mark.parametrize("name", ["rug-wandelen.nl.toml", "dos-marche.fr.toml"])
def test_example_plans_are_valid(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    plan, problems = check_plan_file(EXAMPLES / name)
    assert problems == [] and plan is not None
    assert plan.created_by == "physiotherapist" and plan.therapist is not None
    exercise = plan.activities[1]
    assert exercise.times_per_day == 3 and exercise.instruction is not None
    assert main(["--today", "2026-03-02", "plan", "check", str(EXAMPLES / name)]) == 0
    assert "valid" in capsys.readouterr().out


def test_every_problem_is_listed_by_field_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(BAD_TOML, encoding="utf-8")
    assert main(["--today", "2026-03-02", "plan", "check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    expected = [
        f"{path}:3: review: review (2026-02-01) is before the plan's start (2026-03-02)",
        f"{path}:10: activities.0.goal: goal (5) is below baseline (10)",
        f"{path}:14: activities.1.weeks: required field is missing",
        f"{path}:15: activities.1.kind: 'flying' is not allowed; expected one of 'walking', "
        "'cycling', 'housework', 'standing', 'sitting', 'exercises', 'work_hours' or 'other'",
        f"{path}:16: activities.1.name.nl: String should have at least 1 character",
        f"{path}:20: activities.1.step_every_days: must be at most 14, not 30",
        f"{path}:21: activities.1.times_per_day: must be at least 1, not 0",
        f"{path}:22: activities.1.colour: unknown field (check the spelling)",
        f"8 problem(s) in {path}.",
    ]
    assert out == expected


def test_sub_tables_and_top_level_tables_are_located(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        'start = 2026-03-02\n\n[therapist]\nname = "A"\ncontact = ""\n\n'
        '[[activities]]\nkind = "walking"\nunit = "minutes"\nbaseline = 0\ngoal = 20\n'
        'step_every_days = 2\nweeks = 8\n\n[activities.name]\nnl = ""\n',
        encoding="utf-8",
    )
    _, problems = check_plan_file(path)
    lines = {p.field: p.line for p in problems}
    assert lines == {
        "therapist.contact": 5,
        "activities.0.baseline": 10,
        "activities.0.name.nl": 16,
    }


def test_toml_syntax_error_gives_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text("start = 2026-03-02\nbaseline = = 3\n", encoding="utf-8")
    _, problems = check_plan_file(path)
    assert len(problems) == 1 and problems[0].line == 2
    assert str(problems[0]).startswith(f"{path}:2: not valid TOML")


def test_json_problems_get_a_best_effort_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        '{\n  "start": "2026-03-02",\n  "activities": [\n'
        '    {"kind": "walking", "unit": "minutes", "baseline": 10,\n'
        '     "goal": 20, "step_every_days": 3, "weeks": 8},\n'
        '    {"kind": "walking", "unit": "minutes", "baseline": 10,\n'
        '     "goal": 5, "step_every_days": 3, "weeks": 8}\n  ]\n}\n',
        encoding="utf-8",
    )
    _, problems = check_plan_file(path)
    assert [(p.field, p.line) for p in problems] == [("activities.1.goal", 7)]


def _data_with_plan(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data, clock=FixedClock(datetime(2026, 3, 1, 9, tzinfo=UTC))) as store:
        plan = load_plan(Path(__file__).parent / "fixtures" / "plans" / "walking.json")
        assert plan.created_by == "patient"
        store.save_plan(plan)
    return data


class Args:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


def test_import_replaces_the_plan_after_confirmation_and_keeps_history(tmp_path: Path) -> None:
    data = _data_with_plan(tmp_path)
    said: list[str] = []
    file = EXAMPLES / "rug-wandelen.nl.toml"
    args = Args(plan_command="import", file=file, yes=False, data_dir=data)
    assert run_plan_command(args, ask=lambda _: "ja", say=said.append) == 0
    with Store.open(data) as store:
        history = store.plan_history()
        assert len(history) == 2
        current = store.current_plan()
        assert current == load_plan(file)
        assert history[0].plan.created_by == "patient"
        assert [e.kind for e in store.events()] == ["plan_imported"]


@pytest.mark.parametrize("reply", ["nee", "", "non"])
def test_import_is_refused_without_confirmation(tmp_path: Path, reply: str) -> None:
    data = _data_with_plan(tmp_path)
    said: list[str] = []
    args = Args(
        plan_command="import", file=EXAMPLES / "rug-wandelen.nl.toml", yes=False, data_dir=data
    )
    assert run_plan_command(args, ask=lambda _: reply, say=said.append) == 1
    assert any("Nothing was imported" in line for line in said)
    with Store.open(data) as store:
        assert len(store.plan_history()) == 1
        assert store.current_plan() is not None
        assert store.current_plan().created_by == "patient"  # type: ignore[union-attr]


def test_import_with_yes_and_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data_with_plan(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_TOML, encoding="utf-8")
    assert main(["plan", "import", str(bad), "--yes", "--data-dir", str(data)]) == 1
    assert "Nothing was imported" in capsys.readouterr().err
    file = EXAMPLES / "dos-marche.fr.toml"
    assert (
        main(
            ["--today", "2026-03-02", "plan", "import", str(file), "--yes", "--data-dir", str(data)]
        )
        == 0
    )
    with Store.open(data) as store:
        assert len(store.plan_history()) == 2
        assert store.current_plan() == load_plan(file)


def test_imported_plan_drives_the_checkins(tmp_path: Path) -> None:
    from tests.test_report import START, talk

    library = builtin_library()
    clock = FixedClock(START)
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "fr", "BE")
    triage = journey.next()
    assert triage is not None
    talk(triage, {"age": 40, "pain_duration_days": 2})
    education = journey.next()
    assert education is not None
    talk(education, {})
    store.close()
    file = EXAMPLES / "dos-marche.fr.toml"
    today = ["--today", "2026-03-02"]
    assert main([*today, "plan", "import", str(file), "--data-dir", str(tmp_path / "data")]) == 0
    store = Store.open(tmp_path / "data", clock=clock)
    journey = Journey(library, store, clock, "fr", "BE")
    given_plan_function_part(journey)
    clock.advance(days=7)
    checkin = journey.next()
    assert checkin is not None and checkin.flow_id == CHECKIN
    today = journey.today()
    plan = load_plan(file)
    assert [q.name for q in today.quotas] == ["marcher dans le quartier", "bascule du bassin"]
    assert [q.amount for q in today.quotas] == [
        quota_on(plan, 0, clock.today()),
        quota_on(plan, 1, clock.today()),
    ]
    lines = today_lines(today, library.content.localizer("fr"))
    amount = quota_on(plan, 1, clock.today())
    assert f"  - bascule du bassin: {amount} fois, 3 fois par jour" in lines
    assert plan.therapist is not None
    assert f"Plan établi par {plan.therapist.name}" in lines
    store.close()


def test_plan_new_asks_and_writes_a_toml_file_that_loads(tmp_path: Path) -> None:
    replies = iter(
        [
            "2026-03-02",
            "2026-04-13",
            "",
            "C. Dubois",
            "+32 81 12 34 56",
            "2",
            "walking",
            "",
            "marcher",
            "",
            "Marchez à votre rythme.",
            "minutes",
            "10",
            "5",
            "40",  # goal 5 < baseline: refused by the plan, not the prompt...
        ]
    )
    # A goal below the baseline is reported with every problem; nothing is written.
    said: list[str] = []
    out = tmp_path / "plan.toml"

    def ask(prompt: str) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    args = Args(plan_command="new", out=out)
    assert run_plan_command(args, ask=ask, say=said.append, today=date(2026, 3, 2)) == 1
    assert not out.exists()

    replies = iter(
        [
            "",
            "2026-04-13",
            "",
            "C. Dubois",
            "+32 81 12 34 56",
            "2",
            "walking",
            "",
            "marcher",
            "",
            "Marchez à votre rythme.",
            "minutes",
            "10",
            "40",
            "3",
            "8",
            "",
            "exercises",
            "",
            "bascule du bassin",
            "",
            "",
            "repetitions",
            "5",
            "15",
            "99",
            "4",
            "6",
            "3",
        ]
    )
    assert run_plan_command(args, ask=ask, say=said.append, today=date(2026, 3, 2)) == 0
    assert any("Not valid" in line for line in said)  # 99 days between steps was asked again
    plan = load_plan(out)
    assert plan.start == date(2026, 3, 2) and plan.created_by == "physiotherapist"
    assert plan.activities[1].times_per_day == 3
    assert plan.activities[0].instruction is not None
    assert plan.activities[0].instruction.root["fr"] == "Marchez à votre rythme."
    assert tomllib.loads(out.read_text(encoding="utf-8"))["therapist"]["name"] == "C. Dubois"


def test_plan_to_toml_round_trips_the_examples() -> None:
    for path in EXAMPLES.glob("*.toml"):
        plan = load_plan(path)
        assert tomllib.loads(plan_to_toml(plan)) == tomllib.loads(plan_to_toml(plan))
        assert plan == load_plan_from_text(plan_to_toml(plan))


def load_plan_from_text(text: str):  # type: ignore[no-untyped-def]
    from companion.care.plan import parse_plan

    return parse_plan(tomllib.loads(text), "text")


NOTED_PLAN = """\
start = 2026-03-02
created_by = "physiotherapist"
therapist = { name = "C. Dubois" }

[[activities]]
kind = "walking"
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 3
weeks = 8

[[notes]]
week = 2
text = { nl = "Deze week mag u iets sneller wandelen.", fr = "Marchez un peu plus vite." }
"""


def test_a_weekly_note_shows_on_today_in_its_week_only(tmp_path: Path) -> None:
    from tests.test_report import START, talk

    file = tmp_path / "plan.toml"
    file.write_text(NOTED_PLAN, encoding="utf-8")
    library = builtin_library()
    clock = FixedClock(START)
    with Store.open(tmp_path / "data", clock=clock) as store:
        journey = Journey(library, store, clock, "fr", "BE")
        for _ in ("triage", "education"):
            flow = journey.next()
            assert flow is not None
            talk(flow, {"age": 40, "pain_duration_days": 2})
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["--today", "2026-03-02", "plan", "import", str(file), "--yes", *data]) == 0
    texts = library.content.localizer("fr")
    note = "Note pour cette semaine : Marchez un peu plus vite."
    shown: dict[int, bool] = {}
    for days in (6, 7, 13, 14):
        day_clock = FixedClock(START)
        day_clock.advance(days=days)
        with Store.open(tmp_path / "data", clock=day_clock) as store:
            today = Journey(library, store, day_clock, "fr", "BE").today()
            shown[days] = note in today_lines(today, texts)
    assert shown == {6: False, 7: True, 13: True, 14: False}


def test_a_bad_weekly_note_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    bad = NOTED_PLAN + '\n[[notes]]\nweek = 20\ntext = { nl = "" }\n'
    path.write_text(bad, encoding="utf-8")
    _, problems = check_plan_file(path)
    lines = {p.field: p.line for p in problems}
    assert lines == {"notes.1.week": 18, "notes.1.text.nl": 19}


def test_a_weekly_note_with_a_control_character_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(NOTED_PLAN.replace("iets sneller", "iets\\u001b[31m sneller"), encoding="utf-8")
    _, problems = check_plan_file(path)
    assert [p.field for p in problems] == ["notes.0.text.nl"]
