"""Stratified support (issue 13, item 4): the rule of flows/rules/support.yaml, counted by
companion/care/support.py. README "Stratified support" states the rule."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from companion.care.support import (
    LEVELS,
    RULE_FILE,
    SupportRule,
    builtin_support_rule,
    load_support_rule,
    place_support,
)
from companion.dialogue.conditions import UNKNOWN
from companion.dialogue.flow import FlowError
from companion.files.bundled import default_flows_dir, default_seeds_dir
from companion.resources import builtin_library
from companion.texts.quality import Seeds
from tests.patients import YELLOW

NONE_OF_THEM = dict.fromkeys(YELLOW, False)


def flags(*yes: str, **others: object) -> dict[str, object]:
    return {**NONE_OF_THEM, **dict.fromkeys(yes, True), **others}


def level(answers: dict[str, object]) -> str | None:
    placed = place_support(answers)  # type: ignore[arg-type]
    return None if placed is None else placed.level


def test_no_yellow_flag_answers_place_nobody() -> None:
    assert place_support({"pain_now": 9, "daily_activities_resumed": False}) is None


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (flags(), "low"),
        (flags("fear_of_movement"), "low"),
        (flags("fear_of_movement", "low_mood"), "medium"),
        (flags("worry_often", "expects_no_recovery", "rest_until_pain_gone"), "medium"),
        (flags("fear_of_movement", "worry_often", "low_mood", "expects_no_recovery"), "high"),
        # pain and function count with the flags (001:1721, 001:1740-1750)
        (flags(pain_now=7, daily_activities_resumed=False), "medium"),
        (flags("low_mood", pain_now=8), "medium"),
        (flags("low_mood", pain_now=6), "low"),
        (flags("low_mood", daily_activities_resumed=True), "low"),
        (flags("fear_of_movement", "low_mood", "worry_often", pain_now=7,
               daily_activities_resumed=False), "high"),
        (flags("fear_of_movement", "low_mood", "worry_often", pain_now=6,
               daily_activities_resumed=False), "medium"),
    ],
)  # fmt: skip
def test_levels(answers: dict[str, object], expected: str) -> None:
    assert level(answers) == expected


def test_i_dont_know_is_never_read_as_no() -> None:
    assert level(flags("fear_of_movement", low_mood=UNKNOWN)) == "medium"
    assert level(flags(worry_often=UNKNOWN, daily_activities_resumed=UNKNOWN)) == "medium"


def test_the_reasons_are_the_answers_that_scored_and_the_count_that_placed_the_level() -> None:
    placed = place_support(flags("low_mood", "fear_of_movement", pain_now=8))
    assert placed is not None
    assert [r.concept for r in placed.reasons] == ["fear_of_movement", "low_mood", "pain_now"]
    assert placed.points() == 3 and placed.points("yellow_flag") == 2
    assert placed.because == "any >= 2"
    assert "003:670-674" in placed.source


def test_the_yellow_flags_advice_never_comes_with_the_low_level() -> None:
    """The advice keeps firing as the brief says (two or more yes); its text follows the
    level, and the rule has texts for medium and high only."""
    rule = next(
        r for r in builtin_library().flows["checkin"].flow.advice if r.advice == "yellow_flags"
    )
    for yes in itertools.product([True, False], repeat=len(YELLOW)):
        answers = {**dict(zip(YELLOW, yes, strict=True)), "day": 14, "pain_trend": "same"}
        if rule.when.holds(answers):
            assert level(answers) in ("medium", "high"), answers


def test_the_rule_names_the_checkins_yellow_flags_and_real_concepts_and_sources() -> None:
    rule = builtin_support_rule()
    assert rule.yellow_flags() == YELLOW
    concepts = builtin_library().concepts.concepts
    assert set(rule.signs) <= set(concepts)
    seeds = Seeds(default_seeds_dir())
    refs = [ref for sign in rule.signs.values() for ref in sign.source]
    refs += [ref for each in rule.levels for ref in each.source]
    if not seeds.files("003"):
        pytest.skip("no seed documents beside the checkout")
    assert [seeds.problem(ref) for ref in refs if seeds.problem(ref)] == []
    assert [each.level for each in rule.levels] == list(reversed(LEVELS))


def test_a_broken_rule_file_names_the_file_and_the_problem(tmp_path: Path) -> None:
    text = (default_flows_dir() / RULE_FILE).read_text(encoding="utf-8")
    broken = tmp_path / "support.yaml"
    broken.write_text(text.replace("group: any, at_least: 2", "group: mood, at_least: 2"))
    with pytest.raises(FlowError, match=r"(?s)support\.yaml.*group 'mood'"):
        load_support_rule(broken)


def test_levels_must_run_from_most_support_to_least() -> None:
    data = builtin_support_rule().model_dump()
    data["levels"] = list(reversed(data["levels"]))
    with pytest.raises(ValueError, match="from the most support to the least"):
        SupportRule.model_validate(data)


def test_check_names_a_rule_that_counts_an_unknown_concept(tmp_path: Path) -> None:
    from companion.commands.check import check
    from companion.resources import default_content_dir

    flows = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), flows)
    rule = flows / RULE_FILE
    rule.write_text(rule.read_text(encoding="utf-8").replace("low_mood:", "sad_mood:"))
    report = check(flows, default_content_dir(), verify_sources=False)
    assert any("'sad_mood' is not a known concept" in str(p) for p in report.problems)


def test_every_level_has_its_words_in_every_language() -> None:
    from companion.care.support import SUPPORT_TEXT_KEYS

    content = builtin_library().content
    for language in content.languages:
        for region in content.regions:
            texts = content.localizer(language, region)
            for key in SUPPORT_TEXT_KEYS:
                said = texts.text(key)
                assert "{" not in said and "hoofd" not in said and "tête" not in said, key
