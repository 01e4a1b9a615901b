"""Flow includes: shared question definitions in flows/fragments/ (issue 12 item 3).

The triage and the check-in ask the same red-flag questions in different routes;
each question's words are defined once and both flows take them with ``use``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from companion.cli import main
from companion.commands.check import check
from companion.dialogue.flow import FRAGMENTS_DIR, SHARED_FIELDS, load_flows
from companion.files.yamlfiles import read_yaml
from companion.resources import default_content_dir, default_flows_dir

SNAPSHOT = Path(__file__).parent / "fixtures" / "flows" / "loaded_flows.json"
"""``model_dump`` of every flow, taken on main before flows could include fragments."""


def test_loaded_flows_equal_those_before_includes() -> None:
    _, flows = load_flows(default_flows_dir())
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = {flow_id: flow.model_dump(mode="json") for flow_id, flow in flows.items()}
    assert sorted(now) == sorted(before)
    for flow_id, flow in before.items():
        for name, state in flow["states"].items():
            assert now[flow_id]["states"].get(name) == state, f"{flow_id}: state {name} changed"
    assert now == before


def test_checkin_asks_red_flags_in_the_triage_words() -> None:
    _, flows = load_flows(default_flows_dir())
    triage = {q.concept: q for q in flows["triage"].questions().values()}
    shared = 0
    for name, question in flows["checkin"].questions().items():
        if question.concept in triage:
            twin = triage[question.concept]
            assert (question.text, question.help, question.answer) == (
                twin.text,
                twin.help,
                twin.answer,
            ), name
            shared += 1
    assert shared >= 25


def test_no_flow_copies_a_shared_question() -> None:
    """A flow that writes out a shared question's words would drift from the fragment."""
    flows_dir = default_flows_dir()
    fragment = read_yaml(flows_dir / FRAGMENTS_DIR / "red_flags.yaml", RuntimeError)
    shared_concepts = {q["concept"] for q in fragment["questions"].values()}
    for path in sorted(flows_dir.glob("*.yaml")):
        states = read_yaml(path, RuntimeError).get("states", {})
        for name, state in states.items():
            if state.get("kind") == "question" and "use" not in state:
                assert state["concept"] not in shared_concepts, (
                    f"{path.name}: state {name} copies a question of fragments/red_flags.yaml"
                )


# --- `companion check` on broken includes ---------------------------------------------


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), target)
    return target


def edit(path: Path, change: Any) -> None:
    data = read_yaml(path, RuntimeError)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def problems_of(flows: Path) -> list[str]:
    report = check(flows, default_content_dir())
    assert not report.ok
    return [str(problem) for problem in report.problems]


def only_problem_with(problems: list[str], *words: str) -> str:
    hits = [p for p in problems if all(word in p for word in words)]
    assert hits, f"no problem mentions {words}; problems were:\n" + "\n".join(problems)
    return hits[0]


def test_unknown_fragment_is_named(flows: Path) -> None:
    edit(flows / "triage.yaml", lambda flow: flow.update(include=["red_flag"]))
    problem = only_problem_with(problems_of(flows), "triage.yaml", "red_flag", "no fragment")
    assert "state 'saddle_numbness'" in problem


def test_unknown_question_is_named_with_its_state(flows: Path) -> None:
    def misspell(flow: dict[str, Any]) -> None:
        flow["states"]["fever"]["use"] = "fevr"

    edit(flows / "checkin.yaml", misspell)
    only_problem_with(problems_of(flows), "checkin.yaml", "state 'fever'", "'fevr'")


def test_use_without_include(flows: Path) -> None:
    edit(flows / "triage.yaml", lambda flow: flow.pop("include"))
    only_problem_with(problems_of(flows), "triage.yaml", "state 'fever'", "includes no fragment")


@pytest.mark.parametrize("field", SHARED_FIELDS)
def test_field_given_and_included(field: str, flows: Path) -> None:
    values = {
        "concept": "saddle_numbness",
        "text": "triage.q.fever",
        "help": "triage.help.saddle_numbness",
        "answer": "yes_no",
    }

    def give_twice(flow: dict[str, Any]) -> None:
        flow["states"]["saddle_numbness"][field] = values[field]

    edit(flows / "checkin.yaml", give_twice)
    problem = only_problem_with(
        problems_of(flows), "checkin.yaml", "state 'saddle_numbness'", f"'{field}'"
    )
    assert "one place" in problem


def test_fragments_that_include_each_other(flows: Path) -> None:
    fragments = flows / FRAGMENTS_DIR
    edit(fragments / "red_flags.yaml", lambda data: data.update(include=["more"]))
    (fragments / "more.yaml").write_text("include: [red_flags]\n", "utf-8")
    problem = only_problem_with(problems_of(flows), "triage.yaml", "include each other")
    assert "red_flags -> more -> red_flags" in problem


def test_broken_shared_question_is_named_in_its_fragment(flows: Path) -> None:
    def drop_text(data: dict[str, Any]) -> None:
        del data["questions"]["fever"]["text"]

    edit(flows / FRAGMENTS_DIR / "red_flags.yaml", drop_text)
    only_problem_with(problems_of(flows), "red_flags.yaml", "questions.fever.text")


def test_wording_changed_once_changes_both_flows(flows: Path) -> None:
    def reword(data: dict[str, Any]) -> None:
        data["questions"]["fever"]["help"] = "triage.help.saddle_numbness"

    edit(flows / FRAGMENTS_DIR / "red_flags.yaml", reword)
    _, loaded = load_flows(flows)
    for flow_id in ("triage", "checkin"):
        assert loaded[flow_id].states["fever"].help == "triage.help.saddle_numbness"  # type: ignore[union-attr]


def test_check_command_prints_file_and_state(
    flows: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(flows / "triage.yaml", lambda flow: flow["states"]["fever"].update(use="fevr"))
    status = main(["check", "--flows", str(flows), "--content", str(default_content_dir())])
    output = "".join(capsys.readouterr())
    assert status == 1
    assert any(
        "triage.yaml" in line and "state 'fever'" in line and "fevr" in line
        for line in output.splitlines()
    ), output
