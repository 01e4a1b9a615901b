"""The app shows the support level after the check-in that placed it (issue 13, item 4)."""

from __future__ import annotations

from pathlib import Path

from companion.clock import FixedClock
from companion.resources import Library
from tests.patients import after_self_care_path
from tests.test_app import CALM_CHECKIN, SIZE, START, bubbles, chat, make_app, talk

TWO_FLAGS = {**CALM_CHECKIN, "fear_of_movement": True, "rest_until_pain_gone": True}


async def test_the_day_14_checkin_ends_with_the_level_and_its_advice(
    library: Library, tmp_path: Path
) -> None:
    after_self_care_path(library, tmp_path / "data", START, "nl", "NL")
    clock = FixedClock(START)
    clock.advance(days=12)  # triage was on day 2 of the pain: this is day 14
    app = make_app(library, tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await talk(pilot, app, TWO_FLAGS)
        assert chat(app).conversation is None
        shown = bubbles(app)
        texts = app.texts
        advice = texts.text("checkin.advice.yellow_flags_medium")
        level = texts.text("support.level.medium")
        assert advice in shown and level in shown
        assert shown.index(advice) < shown.index(level)
        assert texts.text("checkin.advice.day14_yellow_flags") not in shown
