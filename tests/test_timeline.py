"""Timeline vignettes: `companion simulate` runs triage, then the check-ins.

Clinical brief section 5 ("Check-in concepts and advice") is the contract:
each check-in reports the advice ids raised, compared with ``expect.advice``
as a set; one mismatch makes the vignette not matched (exit 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.care.screening import (
    Screen,
    checkin_inputs,
    full_screen_due,
    is_radicular,
    reported_signs,
    triage_screen,
)
from companion.cli import main
from companion.commands.simulate import Vignette, run_vignette
from companion.commands.timeline import CheckinSpec
from companion.resources import builtin_library
from tests.patients import EMERGENCY

TIMELINES = Path(__file__).resolve().parent / "timelines"
TRIAGE_FIELDS = {
    "id",
    "locale",
    "region",
    "disposition",
    "flags",
    "asked",
    "unknown",
    "expected",
    "matched",
    "notes",
    "file",
}
WELL: dict[str, Any] = {
    "quota_done": "done",
    "pain_now": 2,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def simulate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["simulate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def timeline(
    checkins: list[dict[str, Any]],
    facts: dict[str, Any] | None = None,
    locale: str = "nl",
    expect: str | None = "self_care",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "t-timeline",
        "locale": locale,
        "facts": facts
        if facts is not None
        else {"age": 40, "sex": "male", "pain_duration_days": 2},
        "unspecified": "no",
        "checkins": checkins,
    }
    if expect is not None:
        data["expect"] = {"disposition": expect}
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- the shipped timeline vignettes -------------------------------------------------------


def test_the_timeline_folder_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = simulate(capsys, str(TIMELINES), "--json")
    assert status == 0, err
    results = json_lines(out)
    assert len(results) == len(list(TIMELINES.glob("*.json")))
    for result in results:
        assert result["matched"] is True, result["id"]
        assert result["checkins"], result["id"]
        for entry in result["checkins"]:
            assert {"day", "advice", "expected", "matched", "asked"} <= entry.keys()
            assert entry["matched"] is True, (result["id"], entry["day"])


def test_the_timeline_folder_covers_every_rule_and_red_flags_in_both_languages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = simulate(capsys, str(TIMELINES), "--json")
    assert status == 0
    rules = {rule.id for rule in builtin_library().flows["checkin"].flow.advice}
    for language in ("nl", "fr"):
        results = [r for r in json_lines(out) if r["locale"].startswith(language)]
        entries = [c for r in results for c in r["checkins"]]
        fired = {rule for c in entries for rule in c["rules"]}
        assert fired == rules, f"{language}: no vignette fires {rules - fired}"
        dispositions = {c["disposition"] for c in entries}
        assert {"emergency", "gp_today", "gp_soon"} <= dispositions, f"{language}: red flags"
        long = [r for r in results if r["checkins"][-1]["day"] >= 84 and len(r["checkins"]) >= 24]
        assert long, f"{language}: no 12-week episode with several check-ins a week"


def test_the_table_lists_every_checkin(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = simulate(capsys, str(TIMELINES / "tl-05-nl-alarm-signs-at-check-ins.json"))
    assert status == 0
    lines = out.splitlines()
    assert any(line.startswith("tl-05") for line in lines)
    day_rows = [line for line in lines if line.strip().startswith("day ")]
    assert len(day_rows) == 9
    assert any("emergency" in row and "saddle_numbness" in row for row in day_rows)
    assert "check-in(s) as expected" in lines[-1]


# --- expectations -----------------------------------------------------------------------


def test_a_wrong_checkin_expectation_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((TIMELINES / "tl-01-nl-slow-recovery-12-weeks.json").read_text("utf-8"))
    day7 = next(c for c in data["checkins"] if c["day"] == 7)
    day7["expect"] = {"advice": []}
    path = write(tmp_path / "wrong.json", data)

    status, out, err = simulate(capsys, str(path), "--json")
    assert status == 1, err
    (result,) = json_lines(out)
    assert result["expected"] == result["disposition"] == "self_care"
    assert result["matched"] is False, "one check-in mismatch fails the vignette"
    (entry,) = [c for c in result["checkins"] if c["day"] == 7]
    assert entry == entry | {"advice": ["gp_soon"], "expected": [], "matched": False}
    assert all(c["matched"] for c in result["checkins"] if c["day"] != 7)

    status, out, _ = simulate(capsys, str(path))
    assert status == 1
    assert any("day 7" in line and "MISMATCH" in line for line in out.splitlines())


def test_advice_is_compared_as_a_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkins = [
        {
            "day": 14,
            "facts": {**WELL, "work_affected": True, "daily_activities_resumed": False},
            "expect": {"advice": ["physiotherapist", "occupational_physician", "physiotherapist"]},
        },
    ]
    path = write(tmp_path / "set.json", timeline(checkins))
    status, out, err = simulate(capsys, str(path), "--json")
    assert status == 0, err
    (result,) = json_lines(out)
    assert result["checkins"][0]["advice"] == ["occupational_physician", "physiotherapist"]


def test_a_checkin_without_expectation_is_reported_not_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "open.json", timeline([{"day": 3, "facts": {"fever": True}}]))
    status, out, _ = simulate(capsys, str(path), "--json")
    assert status == 0
    (result,) = json_lines(out)
    assert result["checkins"][0]["advice"] == ["gp_today"]
    assert result["checkins"][0]["matched"] is None
    assert result["matched"] is True


def test_triage_vignettes_keep_their_json_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = timeline([], expect="self_care")
    del data["checkins"]
    status, out, _ = simulate(capsys, str(write(tmp_path / "triage.json", data)), "--json")
    assert status == 0
    (result,) = json_lines(out)
    assert set(result) == TRIAGE_FIELDS


# --- bad input: exit 2 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checkins", "needle"),
    [
        ([{"day": 3, "facts": {"pain_level": 4}}], "pain_level"),
        ([{"day": 3, "facts": {"pain_trend": "awful"}}], "pain_trend"),
        ([{"day": 3, "facts": {"pain_now": "high"}}], "pain_now"),
        ([{"day": 3, "facts": {"pain_now": 11}}], "pain_now"),
        ([{"day": 3, "unknown": ["feverish"]}], "feverish"),
        ([{"day": 3, "expect": {"advice": ["physio"]}}], "physio"),
        ([{"day": 9}, {"day": 4}], "order"),
        ([{"day": -1}], "day"),
    ],
    ids=[
        "unknown-concept",
        "unknown-option",
        "wrong-type",
        "out-of-range",
        "unknown-list",
        "unknown-advice-id",
        "days-out-of-order",
        "negative-day",
    ],
)
def test_bad_checkins_exit_2(
    checkins: list[dict[str, Any]], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad-timeline.json", timeline(checkins))
    status, out, err = simulate(capsys, str(path), "--json")
    assert status == 2
    assert needle in err
    assert "bad-timeline.json" in err
    assert out.strip() == ""


# --- the driver's side ---------------------------------------------------------------------


def checkin_screen(day: int, disposition: str, full: bool, **answers: Any) -> Screen:
    return Screen(day=day, disposition=disposition, answers=answers, full=full)


def test_the_full_screen_is_due_a_week_after_the_last_completed_one() -> None:
    assert full_screen_due(0, [])
    self_care = [triage_screen({}, "self_care", 2)]
    assert not full_screen_due(8, self_care)
    assert full_screen_due(9, self_care)
    gp_soon = [triage_screen({}, "gp_soon", 2)]
    assert full_screen_due(3, gp_soon), "a triage that escalated is not a full screen"
    cut_short = [*self_care, checkin_screen(9, "gp_today", False)]
    assert full_screen_due(10, cut_short)


def test_a_radicular_sign_is_a_leg_sign_answered_yes() -> None:
    assert is_radicular(triage_screen({"leg_weakness": True}, "gp_soon", 1))
    assert not is_radicular(
        triage_screen({"leg_pain_below_knee": "unknown", "leg_pain_dominant": True}, "gp_soon", 1)
    )


def test_signs_reported_at_an_escalated_screen_until_a_full_screen_says_no() -> None:
    triage = triage_screen({"thoracic_pain": True, "leg_weakness": True}, "gp_soon", 1)
    assert reported_signs([triage]) == {"thoracic_pain", "leg_weakness"}
    cleared = checkin_screen(2, "self_care", True, thoracic_pain=False)
    assert reported_signs([triage, cleared]) == {"leg_weakness"}
    ordinary = checkin_screen(2, "self_care", False, thoracic_pain=False)
    assert reported_signs([triage, ordinary]) == {"thoracic_pain", "leg_weakness"}
    calm = triage_screen({"night_pain": True}, "self_care", 1)
    assert reported_signs([calm]) == set(), "a yes at a self_care screen was not reported"


def test_age_from_triage_is_passed_and_asked_again_once() -> None:
    flow = builtin_library().flows["checkin"].flow
    assert checkin_inputs(flow, 5, [triage_screen({"age": 52}, "self_care", 1)], True)["age"] == 52
    unknown = [triage_screen({"age": "unknown"}, "self_care", 1)]
    assert "age" not in checkin_inputs(flow, 5, unknown, True), "asked at the next full screen"
    asked = Screen(5, "self_care", {"age": "unknown"}, True, frozenset({"age"}))
    assert checkin_inputs(flow, 12, [*unknown, asked], True)["age"] == "unknown"


def run(data: dict[str, Any]) -> Any:
    library = builtin_library()
    return run_vignette(Vignette.model_validate(data), library, Path("inline.json"))


def test_the_screen_is_repeated_after_a_week_and_after_a_red_flag() -> None:
    """Triage (self_care) on day 2 is the first full screen."""
    days = [3, 7, 8, 9, 10, 16, 17]
    checkins = [{"day": d, "facts": dict(WELL)} for d in days]
    checkins[1]["facts"] = {"thoracic_pain": True}  # day 7 is not a screen day: not asked
    result = run(timeline(checkins))
    screens = {c.day: c.full_screen for c in result.checkins}
    assert screens == {3: False, 7: False, 8: False, 9: True, 10: False, 16: True, 17: False}
    assert result.checkins[1].advice == []

    checkins[3]["facts"] = {"fever": True}  # a red flag on day 9 cuts the screen short
    checkins[4]["facts"] = {"thoracic_pain": True}
    result = run(timeline(checkins))
    screens = {c.day: c.full_screen for c in result.checkins}
    assert screens == {3: False, 7: False, 8: False, 9: True, 10: True, 16: False, 17: True}
    assert result.checkins[3].advice == ["gp_today"]
    assert result.checkins[4].advice == ["gp_soon"], "the screen comes back on day 10"
    assert result.checkins[6].advice == [], "thoracic pain was reported on day 10"


def test_once_rules_are_remembered_across_checkins() -> None:
    checkins = [
        {"day": d, "facts": {**WELL, "pain_trend": "same", "pain_now": 8}} for d in (7, 8, 14, 15)
    ]
    result = run(timeline(checkins))
    assert [c.rules for c in result.checkins] == [
        ["day7_still_severe"],
        [],
        ["day14_not_better"],
        [],
    ]


def test_the_triage_answers_feed_the_checkins() -> None:
    facts = {"age": 40, "sex": "male", "pain_duration_days": 2, "leg_weakness": True}
    result = run(timeline([{"day": 7, "facts": dict(WELL)}], facts=facts, expect="gp_soon"))
    assert result.disposition == "gp_soon"
    assert result.checkins[0].rules == ["day7_radicular_review"]


@settings(max_examples=60, deadline=None)
@given(
    red_day=st.integers(0, 84),
    concept=st.sampled_from(EMERGENCY),
    language=st.sampled_from(["nl", "fr"]),
)
def test_a_red_flag_on_any_day_of_a_12_week_episode_escalates_at_once(
    red_day: int, concept: str, language: str
) -> None:
    days = sorted({*range(0, 85, 3), red_day})
    checkins = [
        {"day": d, "facts": {**WELL, concept: True} if d == red_day else dict(WELL)} for d in days
    ]
    result = run(timeline(checkins, locale=language))
    (alarm,) = [c for c in result.checkins if c.day == red_day]
    assert alarm.advice == ["emergency"]
    assert alarm.asked == ["emergency_signs", *EMERGENCY[: EMERGENCY.index(concept) + 1]]
    for other in result.checkins:
        if other.day != red_day:
            assert other.disposition == "self_care"


def test_checkin_spec_tolerates_notes() -> None:
    spec = CheckinSpec.model_validate({"day": 3, "note": "for humans", "facts": {}})
    assert spec.day == 3
