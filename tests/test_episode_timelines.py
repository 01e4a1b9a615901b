"""Timeline vignettes with an episode's end and the pain coming back (issue 13, item 3):
the format grows backward-compatibly; `companion simulate` runs the closing talk, the new
triage and the risk questions, and counts the later check-ins per episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_timeline import TIMELINES, WELL, json_lines, simulate, timeline, write

EPISODES = sorted(TIMELINES.glob("tl-1[12]-*episode-end-and-recurrence.json"))


def run_json(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any], str]:
    status, out, err = simulate(capsys, str(path), "--json")
    lines = json_lines(out)
    return status, (lines[0] if lines else {}), err


def test_the_episode_vignettes_exist_in_both_languages_and_pass(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert {p.name.split("-")[2] for p in EPISODES} == {"nl", "fr"}
    for path in EPISODES:
        status, result, err = run_json(capsys, path)
        assert status == 0, err
        assert result["matched"] is True
        entries = result["checkins"]
        assert sum(e.get("ended_episode", False) for e in entries) == 1
        recurrences = [e for e in entries if e.get("recurrence")]
        assert recurrences and all(e["matched"] for e in recurrences)
        # Milestones count per episode: the day-7 review fires once in each.
        fired_day7 = [e["day"] for e in entries if "day7_still_severe" in e["rules"]]
        assert fired_day7 == [7, 7]


def test_a_recurrence_asks_the_risk_questions_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    nl = next(p for p in EPISODES if "-nl-" in p.name)
    _, result, _ = run_json(capsys, nl)
    (recurrence,) = [e for e in result["checkins"] if e.get("recurrence")]
    assert recurrence["disposition"] == "self_care"
    assert recurrence["advice"] == ["yellow_flags"]
    yellow = ["fear_of_movement", "worry_often", "low_mood", "expects_no_recovery",
              "work_harmful_belief", "rest_until_pain_gone"]  # fmt: skip
    assert recurrence["asked"][-6:] == yellow
    assert recurrence["asked"][0] == "saddle_numbness"  # the triage comes first


def test_a_triage_that_escalates_starts_no_episode_and_asks_no_risk_questions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fr = next(p for p in EPISODES if "-fr-" in p.name)
    _, result, _ = run_json(capsys, fr)
    escalated, calm = [e for e in result["checkins"] if e.get("recurrence")]
    assert escalated["disposition"] == "gp_today" and "fear_of_movement" not in escalated["asked"]
    assert "fear_of_movement" in calm["asked"]


def test_old_vignettes_print_what_they_always_did(capsys: pytest.CaptureFixture[str]) -> None:
    _, result, _ = run_json(capsys, TIMELINES / "tl-01-nl-slow-recovery-12-weeks.json")
    keys = {"day", "advice", "expected", "matched", "asked", "disposition", "flags", "rules",
            "full_screen", "unknown", "notes"}  # fmt: skip
    assert all(set(entry) == keys for entry in result["checkins"])


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([{"day": 3, "facts": WELL}, {"recurrence": True, "facts": {"pain_duration_days": 1}}],
         "only after a check-in with ends_episode"),
        ([{"day": 3, "facts": WELL, "ends_episode": True}, {"day": 5, "facts": WELL}],
         "add a recurrence entry first"),
        ([{"day": 3, "facts": WELL, "ends_episode": True},
          {"recurrence": True, "expect": {"disposition": "better"}}],
         "is not a disposition"),
        ([{"day": 3, "facts": {**WELL, "fever": True}, "ends_episode": True}],
         "cannot end when the check-in asked for a doctor"),
        ([{"day": 3, "facts": WELL, "ends_episode": True},
          {"recurrence": True, "facts": {"pain_duration_days": 1, "fever": True}},
          {"day": 2, "facts": WELL}],
         "no triage started a new one"),
    ],
)  # fmt: skip
def test_an_impossible_episode_story_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, entries: list[dict[str, Any]], problem: str
) -> None:
    status, _, err = simulate(capsys, str(write(tmp_path / "bad.json", timeline(entries))))
    assert status == 2
    assert problem in err


def test_the_closing_talk_is_answered_from_the_check_in_facts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entries = [{"day": 3, "facts": WELL, "ends_episode": True}]
    _, result, _ = run_json(capsys, write(tmp_path / "end.json", timeline(entries)))
    (ended,) = result["checkins"]
    assert ended["ended_episode"] is True
    assert any("what_helped" in note for note in ended["notes"])  # not given: "I don't know"
