"""A third language needs no Python: a content pack and its catalog (issue 12 item 4).

A German test pack (``de``) is made in a temporary folder from the Dutch one, with a
few texts in German, its own region words and an interface catalog in the content
folder's ``locale/``. Triage, a check-in and a report then run in it, and a plan with
a German activity name is shown in German.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.care.plan import load_plan, parse_plan
from companion.cli import main
from companion.clock import FixedClock
from companion.commands.check import check
from companion.commands.homework import run_plan_command
from companion.commands.timeline import answer_from_facts
from companion.dialogue.engine import Turn
from companion.journey.journey import CHECKIN, EDUCATION, TRIAGE, Conversation, Journey
from companion.resources import default_content_dir, default_flows_dir, load_library
from companion.store.storage import Store
from companion.texts.i18n import LOCALE_DIR
from tests.patients import given_plan_function_part

GERMAN = {
    ("triage.yaml", "triage.q.fever"): (
        "Heeft u koorts (38 °C of hoger) of koude rillingen?",
        "Haben Sie Fieber (38 °C oder mehr) oder Schüttelfrost?",
    ),
    ("report.yaml", "report.title"): (
        "Verslag over uw rugpijn",
        "Bericht über Ihre Rückenschmerzen",
    ),
    ("regions.yaml", "region.be.gp"): ("uw huisarts", "Ihr Hausarzt"),
    ("checkin.yaml", "checkin.q.signs_now"): (
        "Heeft u nu een van deze klachten? Of had u er een sinds de vorige keer?",
        "Haben Sie jetzt eine dieser Beschwerden? Oder hatten Sie eine seit dem letzten Mal?",
    ),
}
WALK_NAME = "Spaziergang im Park"
SELF_CARE_TRIAGE = {"age": 38, "sex": "female", "pain_duration_days": 2}
CALM_CHECKIN = {
    "quota_done": "done",
    "pain_now": 3,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def talk(conversation: Conversation, facts: dict[str, bool | int | str]) -> tuple[Turn, list[str]]:
    """Answers like a patient (facts by concept, else no); the last turn and the questions."""
    asked: list[str] = []
    turn = conversation.start()
    while turn.outcome is None:
        assert turn.question is not None
        asked.append(turn.question.text)
        turn = answer_from_facts(conversation, turn.question, facts, (), "no", [])
    return turn, asked


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The built-in content plus a ``de`` pack and the catalogs, all in one folder."""
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    german = folder / "de"
    shutil.copytree(folder / "nl", german)
    pack = german / "pack.yaml"
    pack.write_text(
        pack.read_text("utf-8")
        .replace("language: nl", "language: de")
        .replace("name: Nederlands", "name: Deutsch (test)"),
        "utf-8",
    )
    for (file, key), (dutch, words) in GERMAN.items():
        path = german / file
        text = path.read_text("utf-8")
        start = text.index(f"{key}:")
        at = text.index(dutch, start)
        path.write_text(text[:at] + words + text[at + len(dutch) :], "utf-8")
    shutil.copytree(LOCALE_DIR, folder / "locale")
    shutil.copytree(folder / "locale" / "nl", folder / "locale" / "de")
    return folder


def test_check_accepts_the_third_language(content: Path) -> None:
    report = check(default_flows_dir(), content)
    assert [str(problem) for problem in report.problems] == []
    assert report.content is not None
    assert set(report.content.languages) == {"de", "fr", "nl"}


def test_check_wants_a_catalog_for_the_third_language(content: Path) -> None:
    shutil.rmtree(content / "locale" / "de")
    problems = [str(problem) for problem in check(default_flows_dir(), content).problems]
    assert any("catalog" in problem and "'de'" in problem for problem in problems), problems


def test_triage_checkin_and_report_in_the_third_language(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = load_library(content_dir=content)
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    data = tmp_path / "data"
    store = Store.open(data, clock=clock)
    store.set_setting("language", "de")
    store.set_setting("region", "BE")
    journey = Journey(library, store, clock, "de", "BE")

    triage = journey.next()
    assert triage is not None and triage.flow_id == TRIAGE
    turn, asked = talk(triage, SELF_CARE_TRIAGE)
    assert GERMAN["triage.yaml", "triage.q.fever"][1] in asked
    assert turn.outcome is not None and turn.outcome.disposition == "self_care"

    education = journey.next()
    assert education is not None and education.flow_id == EDUCATION
    talk(education, {})
    plan = parse_plan(
        {
            "start": "2026-03-02",
            "activities": [
                {
                    "kind": "walking",
                    "name": {"nl": "wandelen in het park", "de": WALK_NAME},
                    "unit": "minutes",
                    "baseline": 10,
                    "goal": 30,
                    "step_every_days": 3,
                    "weeks": 6,
                }
            ],
        },
        "test plan",
    )
    store.save_plan(plan)
    given_plan_function_part(journey)

    clock.advance(days=2)
    checkin = journey.next()
    assert checkin is not None and checkin.flow_id == CHECKIN
    turn, asked = talk(checkin, CALM_CHECKIN)
    signs_now = GERMAN["checkin.yaml", "checkin.q.signs_now"][1]
    assert any(question.startswith(signs_now) for question in asked), asked
    outcome = turn.outcome
    assert outcome is not None and outcome.disposition == "self_care"
    store.close()

    out = tmp_path / "bericht.md"
    arguments = ["report", "--out", str(out), "--format", "md", "--lang", "de"]
    status = main([*arguments, "--content", str(content), "--data-dir", str(data)])
    assert status == 0, capsys.readouterr()
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# " + GERMAN["report.yaml", "report.title"][1])
    assert WALK_NAME in report
    assert "wandelen in het park" not in report


def test_plan_new_asks_names_in_every_language_of_the_packs(content: Path, tmp_path: Path) -> None:
    prompts: list[str] = []
    replies = {
        "Start date": "2026-03-02",
        "Your name": "C. Dubois",
        "How many": "1",
        "kind": "walking",
        "name in German": WALK_NAME,
        "unit": "minutes",
        "baseline": "10",
        "goal per day": "30",
        "raise the quota": "3",
        "weeks": "6",
    }

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next((reply for start, reply in replies.items() if start in prompt), "")

    out = tmp_path / "plan.toml"
    args = argparse.Namespace(plan_command="new", out=out, content=content)
    assert run_plan_command(args, ask=ask, say=lambda _: None, today=date(2026, 3, 2)) == 0
    names = [p for p in prompts if "name in" in p]
    assert names == [
        "Activity 1: name in Dutch (empty for none): ",
        "Activity 1: name in French (empty for none): ",
        "Activity 1: name in German (empty for none): ",
    ]
    name = load_plan(out).activities[0].name
    assert name is not None and name.root == {"de": WALK_NAME}
