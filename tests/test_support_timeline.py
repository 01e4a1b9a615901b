"""Timeline vignettes with an expected support level (``"expect": {"support": "medium"}``):
`companion simulate` checks the level a check-in places (issue 13, item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.test_timeline import TIMELINES, WELL, json_lines, simulate, timeline, write

SUPPORT_VIGNETTES = sorted(TIMELINES.glob("tl-s*-support-*.json"))
TWO_FLAGS = {**WELL, "pain_trend": "same", "fear_of_movement": True, "low_mood": True}


def test_the_support_vignettes_cover_every_level_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in SUPPORT_VIGNETTES:
        shutil.copy(path, tmp_path)
    status, out, err = simulate(capsys, str(tmp_path), "--json")
    assert status == 0, err
    covered = {
        (result["locale"], checkin["expected_support"])
        for result in json_lines(out)
        for checkin in result["checkins"]
        if checkin["expected_support"] is not None and checkin["matched"]
    }
    assert covered == {(lang, lvl) for lang in ("nl", "fr") for lvl in ("low", "medium", "high")}


def test_a_wrong_support_level_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkins = [{"day": 14, "facts": TWO_FLAGS, "expect": {"support": "high"}}]
    path = write(tmp_path / "wrong.json", timeline(checkins))
    status, out, _ = simulate(capsys, str(path), "--json")
    assert status == 1
    (result,) = json_lines(out)
    (checkin,) = result["checkins"]
    assert checkin | {"support": "medium", "expected_support": "high", "matched": False} == checkin
    status, out, _ = simulate(capsys, str(path))
    assert any("day 14" in line and "MISMATCH" in line for line in out.splitlines())
    assert any("support high" in line and "support medium" in line for line in out.splitlines())


def test_advice_and_level_must_both_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    right_level = {"advice": ["gp_soon"], "support": "medium"}  # yellow_flags is missing
    path = write(
        tmp_path / "half.json", timeline([{"day": 14, "facts": TWO_FLAGS, "expect": right_level}])
    )
    status, out, _ = simulate(capsys, str(path), "--json")
    assert status == 1
    assert json_lines(out)[0]["checkins"][0]["matched"] is False


def test_a_checkin_without_the_yellow_flags_places_no_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before day 14 the yellow flags are not asked: expecting a level there is a mismatch."""
    checkins = [{"day": 9, "facts": TWO_FLAGS, "expect": {"support": "low"}}]
    status, out, _ = simulate(
        capsys, str(write(tmp_path / "d9.json", timeline(checkins))), "--json"
    )
    assert status == 1
    (checkin,) = json_lines(out)[0]["checkins"]
    assert checkin["support"] is None and checkin["matched"] is False


def test_without_an_expected_level_the_level_is_reported_not_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkins: list[dict[str, Any]] = [
        {"day": 14, "facts": TWO_FLAGS, "expect": {"advice": ["gp_soon", "yellow_flags"]}}
    ]
    status, out, err = simulate(
        capsys, str(write(tmp_path / "old.json", timeline(checkins))), "--json"
    )
    assert status == 0, err
    (checkin,) = json_lines(out)[0]["checkins"]
    assert checkin | {"support": "medium", "expected_support": None, "matched": True} == checkin


def test_an_unknown_level_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkins = [{"day": 14, "facts": TWO_FLAGS, "expect": {"support": "moderate"}}]
    status, _, err = simulate(capsys, str(write(tmp_path / "bad.json", timeline(checkins))))
    assert status == 2
    assert "support" in err


def test_the_support_vignettes_are_valid_json_with_stories() -> None:
    assert len(SUPPORT_VIGNETTES) == 6
    for path in SUPPORT_VIGNETTES:
        data = json.loads(path.read_text("utf-8"))
        assert data["story"] and data["id"] == path.name[: len(data["id"])]
