"""Plan texts per language: a map from language code to text (issue 12 item 4).

Activity names and instructions may be given in any language a content pack
exists for; ``companion plan check`` refuses others and says which readers see a
text in another language.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.care.plan import ActivityName, PlanError, load_plan, parse_plan
from companion.cli import main
from companion.commands.homework import check_plan_file

FIXTURES = Path(__file__).parent / "fixtures" / "plans"

PLAN = """\
version = 1
start = 2026-03-02

[[activities]]
kind = "walking"
name = {names}
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 3
weeks = 6
"""


def write_plan(tmp_path: Path, names: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN.format(names=names), encoding="utf-8")
    return path


def test_plans_written_with_nl_and_fr_fields_still_load() -> None:
    plan = load_plan(FIXTURES / "physiotherapist.toml")
    name = plan.activities[0].name
    assert name is not None
    assert (name.label("nl"), name.label("fr")) == ("fietsen", "vélo")


def test_reader_without_a_text_in_their_language_sees_the_first_given() -> None:
    name = ActivityName({"fr": "marcher", "nl": "wandelen"})
    assert name.shown_in("de") == ("fr", "marcher")
    assert name.label("nl") == "wandelen"
    assert ActivityName({}).label("nl") is None


def test_a_language_code_is_checked_by_its_form(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, '{ NL = "wandelen" }'))
    (problem,) = caught.value.problems
    assert "activities.0.name.NL" in problem and "not a language code" in problem


def test_plan_check_refuses_a_language_without_a_content_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_plan(tmp_path, '{ nl = "wandelen", de = "spazieren" }')
    plan, problems = check_plan_file(path, languages=["fr", "nl"])
    assert plan is None
    assert [(p.line, p.field) for p in problems] == [(6, "activities.0.name.de")]
    assert main(["--today", "2026-03-02", "plan", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:6: activities.0.name.de: there is no content pack for language de" in out
    # The model alone (no content packs at hand) keeps any well-formed code.
    name = load_plan(path).activities[0].name
    assert name is not None and name.label("de") == "spazieren"


def test_plan_import_refuses_a_language_without_a_content_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_plan(tmp_path, '{ xx = "wandelen" }')
    data = tmp_path / "data"
    status = main(
        ["--today", "2026-03-02", "plan", "import", "--yes", "--data-dir", str(data), str(path)]
    )
    assert status == 1
    assert "no content pack for language xx" in capsys.readouterr().err


def test_plan_check_notes_readers_who_see_another_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_plan(tmp_path, '{ nl = "wandelen" }')
    assert main(["--today", "2026-03-02", "plan", "check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"note: {path}:6: activities.0.name: no fr text; a fr reader sees the nl text" in out
    assert out[-1].endswith("the plan is valid (1 activities, goal reached on 2026-04-13).")


def test_plans_stored_with_both_fixed_fields_still_load() -> None:
    """The store kept plans as the old model wrote them: an absent language was null."""
    stored = {
        "version": 1,
        "start": "2026-03-02",
        "activities": [
            {
                "kind": "walking",
                "name": {"nl": "wandelen", "fr": None},
                "instruction": {"nl": None, "fr": "Marchez à votre rythme."},
                "unit": "minutes",
                "baseline": 10,
                "goal": 30,
                "step_every_days": 3,
                "weeks": 6,
            }
        ],
    }
    activity = parse_plan(stored, "stored plan").activities[0]
    assert activity.name is not None and activity.name.root == {"nl": "wandelen"}
    assert activity.instruction is not None
    assert activity.instruction.label("nl") == "Marchez à votre rythme."
