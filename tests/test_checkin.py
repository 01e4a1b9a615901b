"""The check-in flow (flows/checkin.yaml) and its texts.

Clinical brief sections 2, 4, 5 and 6: the six emergency-level questions at
every check-in, the full red-flag screen with the triage rules when it is due,
the follow-up milestones as advice rules that fire once per episode, yellow
flags from day 14, and a plan that pain never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.commands.timeline import (
    CheckinSpec,
    FactValue,
    TriageFacts,
    answer_from_facts,
    run_checkins,
)
from companion.dialogue.conditions import UNKNOWN, AnswerValue, Condition
from companion.dialogue.engine import Outcome, Session
from companion.dialogue.flow import EndState, Flow, QuestionState
from companion.resources import Library, builtin_library
from tests.patients import EMERGENCY, ROUTINE, YELLOW, concepts_in

LANGUAGES = ["nl", "fr"]
PAIN_AND_QUOTA = {"pain_now", "pain_trend", "quota_done"}
# A check-in of someone doing well: no rule should fire.
WELL: dict[str, FactValue] = {
    "quota_done": "done",
    "pain_now": 2,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def checkin_flow() -> Flow:
    return builtin_library().flows["checkin"].flow


def triage_flow() -> Flow:
    return builtin_library().flows["triage"].flow


def red_flag_concepts() -> list[str]:
    """The full screen (brief section 5): every concept of the triage screen except
    the modifiers (age, sex, duration) and leg_pain_dominant."""
    left_out = {"age", "sex", "pain_duration_days", "leg_pain_dominant"}
    return [q.concept for q in triage_flow().questions().values() if q.concept not in left_out]


def list_items() -> dict[str, list[str]]:
    """The check-in's list questions and the signs each may show."""
    return {
        q.concept: [item.concept for item in q.items]
        for q in checkin_flow().questions().values()
        if q.items
    }


EMERGENCY_LIST = "emergency_signs"
SAME_DAY_LIST = "same_day_signs"
ORDINARY = [EMERGENCY_LIST, SAME_DAY_LIST]
"""An ordinary check-in's red-flag questions: two lists."""


def screened(run: Run) -> set[str]:
    """The signs a check-in asked about, one by one or in a list."""
    lists = list_items()
    signs = {c for c in run.asked if c not in lists and c not in ROUTINE} | run.listed
    return signs - set(concepts_in("function"))  # function and painkillers: no signs


@dataclass
class Run:
    outcome: Outcome
    asked: list[str]
    session: Session
    listed: set[str]
    """The signs shown in the list questions asked."""

    @property
    def disposition(self) -> str | None:
        return self.outcome.disposition

    @property
    def rules(self) -> list[str]:
        return [a.rule for a in self.outcome.advice]

    @property
    def advice(self) -> list[str]:
        raised = {a.advice for a in self.outcome.advice}
        if self.disposition != "self_care":
            raised.add(str(self.disposition))
        return sorted(raised)


def run_flow(
    flow_id: str,
    answers: Mapping[str, FactValue],
    inputs: Mapping[str, AnswerValue] | None = None,
    fired_before: frozenset[str] = frozenset(),
    language: str = "nl",
    region: str | None = None,
) -> Run:
    """Answers by concept, like a vignette; "unknown" means "I don't know"; unlisted
    yes/no questions are answered no, other unlisted questions "I don't know"."""
    library = builtin_library()
    session = Session(
        library.flows[flow_id],
        library.content.localizer(language, region),
        inputs=inputs,
        fired_before=fired_before,
    )
    facts = {k: v for k, v in answers.items() if v != UNKNOWN}
    unknown = [k for k, v in answers.items() if v == UNKNOWN]
    notes: list[str] = []
    turn = session.start()
    listed: set[str] = set()
    for _ in range(100):
        if turn.outcome is not None:
            questions = session.flow.questions()
            asked = [questions[q].concept for q in session.asked]
            return Run(turn.outcome, asked, session, listed)
        assert turn.question is not None
        listed.update(turn.question.covers)
        turn = answer_from_facts(session, turn.question, facts, unknown, "no", notes)
        assert turn.problem is None, turn.problem
    raise AssertionError("no outcome")


def checkin_inputs(
    day: int = 10,
    due: bool = False,
    radicular: bool = False,
    age: AnswerValue | None = 40,
    **more: AnswerValue,
) -> dict[str, AnswerValue]:
    """The inputs of a check-in in an episode where nothing was reported before."""
    inputs: dict[str, AnswerValue] = {
        name: False for name in checkin_flow().inputs if name.startswith(("known_", "reported_"))
    }
    inputs.update(
        day=day,
        weekly_screen_due=due,
        onset_known=True,
        radicular=radicular,
        radicular_at_last_screen=radicular,
    )
    if age is not None:
        inputs["age"] = age
    inputs.update(more)
    return inputs


def checkin(
    answers: Mapping[str, FactValue],
    day: int = 10,
    due: bool = False,
    radicular: bool = False,
    age: AnswerValue | None = 40,
    fired_before: frozenset[str] = frozenset(),
    language: str = "nl",
    **more: AnswerValue,
) -> Run:
    return run_flow(
        "checkin",
        answers,
        checkin_inputs(day, due, radicular, age, **more),
        fired_before=fired_before,
        language=language,
    )


def conditions(flow: Flow) -> Iterator[tuple[str, Condition]]:
    """Every condition that routes a conversation or picks a text (not advice rules)."""
    for name, state in flow.states.items():
        for say in state.say:
            if say.when is not None:
                yield name, say.when
        for transition in getattr(state, "next", []):
            if transition.when is not None:
                yield name, transition.when


# --- shape of the flow ------------------------------------------------------------------


def test_flow_is_a_checkin_with_the_driver_inputs(library: Library) -> None:
    flow = library.flows["checkin"].flow
    assert flow.purpose == "checkin"
    expected = {
        "day": "number",
        "age": "number",
        "weekly_screen_due": "yes_no",
        "onset_known": "yes_no",
        "radicular": "yes_no",
        "radicular_at_last_screen": "yes_no",
    }
    assert {name: flow.inputs[name].answer for name in expected} == expected
    # Modifiers the check-in asks again when the care layer does not know them.
    assert flow.inputs["day"].asked_by == "pain_duration_days"
    assert flow.inputs["age"].asked_by == "age_now"


def test_every_end_has_a_disposition_and_red_flags_pause_the_plan(library: Library) -> None:
    flow = library.flows["checkin"].flow
    ends = {n: s for n, s in flow.states.items() if isinstance(s, EndState)}
    assert {s.disposition for s in ends.values()} == {
        "emergency",
        "gp_today",
        "gp_soon",
        "self_care",
    }
    for name, state in ends.items():
        keys = [say.text for say in state.say]
        if state.disposition == "self_care":
            assert "checkin.end.plan_paused" not in keys, name
            assert "checkin.end.self_care.plan_continues" in keys, name
        else:
            assert "checkin.end.plan_paused" in keys, name


def test_red_flag_questions_use_the_triage_wording_and_concept_ids(library: Library) -> None:
    checkin_questions = library.flows["checkin"].flow.questions()
    triage_questions = library.flows["triage"].flow.questions()
    for concept in red_flag_concepts():
        question = checkin_questions.get(concept)
        assert isinstance(question, QuestionState), f"{concept} is not asked at check-ins"
        assert question.concept == concept
        assert question.text == triage_questions[concept].text
        assert question.help == triage_questions[concept].help


def test_the_contract_requires_every_red_flag_and_checkin_concept(library: Library) -> None:
    required = set(library.concepts.required_by("checkin"))
    assert set(red_flag_concepts()) | set(ROUTINE) | set(YELLOW) == required


def test_advice_ids_are_those_of_the_contract(library: Library) -> None:
    flow = library.flows["checkin"].flow
    allowed = {
        "emergency",
        "gp_today",
        "gp_soon",
        "physiotherapist",
        "occupational_physician",
        "yellow_flags",
        "chronic_path",
    }
    assert {rule.advice for rule in flow.advice} <= allowed
    assert {rule.id: rule.once for rule in flow.advice} == {
        "getting_worse": False,
        "day7_still_severe": True,
        "day7_radicular_review": True,
        "day14_not_better": True,
        "day14_yellow_flags": True,
        "day14_work": True,
        "day14_activities": True,
        "day21_moving": True,
        "day42_not_better": True,
        "day42_radicular": True,
        "day84_chronic": True,
    }
    for rule in flow.advice:
        assert rule.say, f"rule {rule.id} says nothing"


# --- red flags: every check-in ----------------------------------------------------------------


@pytest.mark.parametrize("due", [True, False], ids=["screen-due", "not-due"])
@pytest.mark.parametrize("concept", EMERGENCY)
def test_an_emergency_sign_at_any_checkin_of_12_weeks_escalates_at_once(
    concept: str, due: bool
) -> None:
    stop = EMERGENCY.index(concept) + 1
    for day in range(0, 85):
        run = checkin({**WELL, concept: True}, day=day, due=due, radicular=day % 2 == 0)
        assert run.disposition == "emergency", (day, concept)
        assert run.asked == [EMERGENCY_LIST, *EMERGENCY[:stop]], "nothing after the sign"
        assert run.advice == ["emergency"], (day, run.rules)
        assert run.outcome.flags == [concept]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("concept", EMERGENCY)
def test_dont_know_to_an_emergency_question_gives_gp_today(concept: str, language: str) -> None:
    run = checkin({**WELL, concept: UNKNOWN}, day=20, due=False, language=language)
    assert run.disposition == "gp_today"
    # "Not sure" to the list asks all six; the same-day stage is completed, then it ends.
    assert run.asked == [EMERGENCY_LIST, *EMERGENCY, SAME_DAY_LIST]
    assert run.advice == ["gp_today"]
    assert concept in run.outcome.unknown


def test_a_yes_after_a_dont_know_is_still_an_emergency() -> None:
    run = checkin({"saddle_numbness": UNKNOWN, "leg_weakness_progressive": True})
    assert run.disposition == "emergency"


def test_without_the_weekly_screen_two_lists_of_urgent_signs_are_asked() -> None:
    run = checkin(WELL, day=10, due=False)
    assert run.asked == ORDINARY + ROUTINE
    assert run.disposition == "self_care"
    assert screened(run) == {*EMERGENCY, "significant_trauma", "fever", "pain_uncontrollable"}


@pytest.mark.parametrize("sign", ["significant_trauma", "fever", "pain_uncontrollable"])
def test_a_same_day_sign_at_an_ordinary_checkin_gives_gp_today(sign: str) -> None:
    run = checkin({**WELL, sign: True}, day=10, due=False)
    assert run.disposition == "gp_today"
    assert run.asked[-1] == "pain_uncontrollable", "the same-day stage is completed, then ends"
    assert not set(run.asked) & set(ROUTINE)


def test_the_partners_of_a_known_history_sign_are_asked_every_checkin() -> None:
    known_cancer = {"known_cancer_history": True}
    lists = checkin(WELL, day=10, **known_cancer)
    assert lists.asked == ORDINARY + ROUTINE
    assert {"night_pain", "unexplained_weight_loss"} <= screened(lists)
    run = checkin({**WELL, "night_pain": True}, day=10, **known_cancer)
    assert run.disposition == "gp_today", "a known cancer history with night pain"
    unwell = checkin({**WELL, "feeling_unwell": True}, day=10, known_iv_drug_use=True)
    assert unwell.disposition == "gp_today"


def test_the_weekly_screen_asks_the_rest_of_the_red_flags() -> None:
    run = checkin({**WELL, "morning_stiffness_over_1h": True}, day=10, due=True, age=UNKNOWN)
    assert screened(run) == set(red_flag_concepts())
    assert run.asked[0] == EMERGENCY_LIST
    weekly = set(concepts_in("function"))  # painkillers follow the routine questions
    assert [c for c in run.asked if c not in weekly][-len(ROUTINE) :] == ROUTINE


def test_a_history_sign_answered_yes_before_is_not_asked_again() -> None:
    run = checkin(WELL, day=10, due=True, known_osteoporosis=True, known_cancer_history=True)
    assert not {"osteoporosis", "cancer_history"} & screened(run)
    assert {"long_term_corticosteroids", "immunosuppression"} <= screened(run)


def test_a_sign_already_reported_raises_nothing_again() -> None:
    legs = {**WELL, "leg_pain_below_knee": True}
    assert checkin(legs, day=10, due=True).disposition == "gp_soon"
    again = checkin(legs, day=17, due=True, reported_leg_pain_below_knee=True)
    assert again.disposition == "self_care"
    assert "leg_pain_below_knee" in again.asked, "still asked: a no would make it new again"
    other = checkin(
        {**legs, "leg_weakness": True}, day=17, due=True, reported_leg_pain_below_knee=True
    )
    assert other.disposition == "gp_soon", "a new sign is raised"


def test_a_cluster_needs_a_sign_not_already_reported() -> None:
    old = checkin({**WELL, "night_pain": True}, day=10, due=True, age=60, reported_night_pain=True)
    assert old.disposition == "self_care"
    new = checkin(
        {**WELL, "night_pain": True, "feeling_unwell": True},
        day=10,
        due=True,
        age=60,
        reported_night_pain=True,
    )
    assert new.disposition == "gp_soon"


def test_gp_soon_does_not_end_the_checkin() -> None:
    run = checkin({**WELL, "thoracic_pain": True, "work_affected": True}, day=15, due=True)
    assert run.disposition == "gp_soon"
    assert run.asked[-len(YELLOW) :] == YELLOW
    assert set(run.advice) == {"gp_soon", "occupational_physician"}


def test_a_missing_or_unknown_screen_input_means_the_screen_is_due() -> None:
    inputs = checkin_inputs(day=10)
    del inputs["weekly_screen_due"]
    missing = run_flow("checkin", {**WELL, "thoracic_pain": True}, inputs)
    assert missing.disposition == "gp_soon"
    unknown = run_flow(
        "checkin", {**WELL, "thoracic_pain": True}, {**inputs, "weekly_screen_due": UNKNOWN}
    )
    assert unknown.disposition == "gp_soon"


def test_a_missing_age_is_asked_at_the_full_screen_and_counts_as_either() -> None:
    run = checkin(WELL, due=True, age=None)
    assert "age" in run.asked
    unknown = checkin({**WELL, "night_pain": True, "age": UNKNOWN}, due=True, age=None)
    assert unknown.disposition == "gp_soon", "an unknown age skips no cluster"
    young = checkin({**WELL, "night_pain": True, "age": 30}, due=True, age=None)
    assert young.disposition == "self_care"
    asked_before = checkin(WELL, due=True, age=UNKNOWN)
    assert "age" not in asked_before.asked, "asked again once only"


def test_an_unknown_onset_is_asked_at_the_checkin_and_sets_the_day() -> None:
    late = checkin({**WELL, "pain_duration_days": 20}, day=3, onset_known=False)
    assert "pain_duration_days" in late.asked
    assert "day14_not_better" not in late.rules
    assert (
        "day14_activities"
        in checkin(
            {**WELL, "pain_duration_days": 20, "daily_activities_resumed": False},
            day=3,
            onset_known=False,
        ).rules
    )
    unknown = checkin(
        {**WELL, "pain_duration_days": UNKNOWN, "daily_activities_resumed": False},
        day=15,
        onset_known=False,
    )
    assert "day14_activities" in unknown.rules, "without an answer the day counts from triage"


ANSWER = st.sampled_from([True, False, UNKNOWN])


@given(
    answers=st.dictionaries(st.sampled_from(red_flag_concepts()), ANSWER),
    age=st.one_of(st.integers(16, 100), st.just(UNKNOWN)),
)
def test_the_weekly_screen_decides_as_triage_does(
    answers: dict[str, AnswerValue], age: AnswerValue
) -> None:
    """Same answers, same age: the check-in screen gives triage's disposition
    (brief section 2), for adults with pain of less than 12 weeks."""
    triage = run_flow("triage", {**answers, "age": age, "sex": "female", "pain_duration_days": 5})
    screen = checkin({**answers, **WELL}, day=5, due=True, age=age)
    assert screen.disposition == triage.disposition, (triage.outcome.flags, screen.outcome.flags)


# --- the routine questions and the plan ------------------------------------------------------


def test_no_route_or_text_choice_looks_at_pain_or_the_quota(library: Library) -> None:
    """Brief section 4: the quota is time-contingent; pain feeds advice only."""
    flow = library.flows["checkin"].flow
    for state, condition in conditions(flow):
        used = {ref for ref, _ in condition.references()}
        assert not used & PAIN_AND_QUOTA, f"state '{state}' looks at {used & PAIN_AND_QUOTA}"
    for concept in PAIN_AND_QUOTA:
        question = flow.questions()[concept]
        assert len({t.to for t in question.next}) == 1, f"{concept} branches"


PAIN = st.integers(0, 10) | st.just(UNKNOWN)
TREND = st.sampled_from(["better", "same", "worse", UNKNOWN])
QUOTA = st.sampled_from(["done", "partly", "not", UNKNOWN])


@given(
    red_flags=st.dictionaries(st.sampled_from(red_flag_concepts()), ANSWER, max_size=4),
    day=st.integers(0, 120),
    due=st.booleans(),
    radicular=st.booleans(),
    first=st.tuples(PAIN, TREND, QUOTA),
    second=st.tuples(PAIN, TREND, QUOTA),
)
def test_pain_changes_nothing_but_advice(
    red_flags: dict[str, AnswerValue],
    day: int,
    due: bool,
    radicular: bool,
    first: tuple[AnswerValue, AnswerValue, AnswerValue],
    second: tuple[AnswerValue, AnswerValue, AnswerValue],
) -> None:
    runs = []
    for pain, trend, quota in (first, second):
        answers = {**WELL, **red_flags, "pain_now": pain, "pain_trend": trend, "quota_done": quota}
        runs.append(checkin(answers, day=day, due=due, radicular=radicular))
    a, b = runs
    assert a.disposition == b.disposition
    assert a.outcome.end_state == b.outcome.end_state
    assert a.asked == b.asked
    assert a.outcome.messages == b.outcome.messages
    assert a.outcome.flags == b.outcome.flags


# --- yellow flags -----------------------------------------------------------------------------


@given(
    day=st.integers(0, 13),
    due=st.booleans(),
    answers=st.dictionaries(st.sampled_from(YELLOW + ROUTINE[3:]), st.booleans()),
)
def test_yellow_flags_are_never_asked_before_day_14(
    day: int, due: bool, answers: dict[str, bool]
) -> None:
    run = checkin({**WELL, **answers}, day=day, due=due)
    assert not set(run.asked) & set(YELLOW)
    assert "yellow_flags" not in run.advice


@pytest.mark.parametrize("day", [14, 15, 30, 84, 120])
def test_yellow_flags_come_with_the_full_screen_from_day_14(day: int) -> None:
    run = checkin(WELL, day=day, due=True, fired_before=frozenset({"day14_yellow_flags"}))
    assert run.asked[-len(YELLOW) :] == YELLOW
    ordinary = checkin(WELL, day=day, due=False)
    assert not set(ordinary.asked) & set(YELLOW)


def test_yellow_flags_are_not_asked_when_a_red_flag_ends_the_checkin() -> None:
    run = checkin({**WELL, "fever": True}, day=20, due=True)
    assert not set(run.asked) & set(YELLOW)


@pytest.mark.parametrize("count", range(len(YELLOW) + 1))
def test_two_or_more_yellow_flags_raise_yellow_flags(count: int) -> None:
    for start in range(len(YELLOW)):
        chosen = [YELLOW[(start + i) % len(YELLOW)] for i in range(count)]
        run = checkin({**WELL, **dict.fromkeys(chosen, True)}, day=14, due=True)
        assert ("yellow_flags" in run.advice) == (count >= 2), chosen
        if count >= 2:
            (rule,) = [a for a in run.outcome.advice if a.rule == "day14_yellow_flags"]
            assert set(rule.flags) - {"day"} == set(chosen)


# --- milestones -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    rule: str
    advice: str
    day: int
    facts: dict[str, FactValue]
    radicular: bool = False


MILESTONES = [
    Milestone("day7_still_severe", "gp_soon", 7, {"pain_now": 8, "pain_trend": "same"}),
    Milestone("day7_radicular_review", "gp_soon", 7, {}, radicular=True),
    Milestone("day14_not_better", "gp_soon", 14, {"pain_trend": "same"}),
    Milestone("day14_yellow_flags", "yellow_flags", 14, {"low_mood": True, "worry_often": True}),
    Milestone("day14_work", "occupational_physician", 14, {"work_affected": True}),
    Milestone("day14_activities", "physiotherapist", 14, {"daily_activities_resumed": False}),
    Milestone("day21_moving", "gp_soon", 21, {"moving_ok": False}),
    Milestone("day42_not_better", "physiotherapist", 42, {"pain_trend": "same"}),
    Milestone(
        "day42_radicular",
        "gp_soon",
        42,
        {"pain_trend": "same", "leg_numbness_tingling": True},
        radicular=True,
    ),
    Milestone("day84_chronic", "chronic_path", 84, {"pain_now": 4}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("milestone", MILESTONES, ids=lambda m: m.rule)
def test_a_milestone_fires_from_its_day_on(milestone: Milestone, language: str) -> None:
    answers = {**WELL, **milestone.facts}
    due = milestone.advice == "yellow_flags"
    before = checkin(answers, day=milestone.day - 1, radicular=milestone.radicular, due=due)
    assert milestone.rule not in before.rules
    on = checkin(
        answers, day=milestone.day, radicular=milestone.radicular, language=language, due=due
    )
    assert milestone.rule in on.rules
    assert milestone.advice in on.advice
    assert on.disposition == "self_care", "advice never changes the disposition"
    (fired,) = [a for a in on.outcome.advice if a.rule == milestone.rule]
    assert fired.messages and all(fired.messages)
    again = checkin(
        answers,
        day=milestone.day + 3,
        radicular=milestone.radicular,
        fired_before=frozenset({milestone.rule}),
        due=due,
    )
    assert milestone.rule not in again.rules


@pytest.mark.parametrize("milestone", MILESTONES, ids=lambda m: m.rule)
def test_a_milestone_fires_once_in_an_episode_of_daily_checkins(
    library: Library, milestone: Milestone
) -> None:
    checkins = [CheckinSpec(day=day, facts={**WELL, **milestone.facts}) for day in range(0, 100)]
    compiled = library.flows["checkin"]
    texts = library.content.localizer("nl")

    def session_for(inputs: Mapping[str, AnswerValue], fired: frozenset[str]) -> Session:
        return Session(compiled, texts, inputs=inputs, fired_before=fired)

    answers: dict[str, AnswerValue] = {"age": 40, "leg_pain_below_knee": milestone.radicular}
    triage = TriageFacts(
        answers=answers,
        disposition="gp_soon" if milestone.radicular else "self_care",
        facts={"age": 40},
        unknown=frozenset(),
    )
    results = run_checkins(checkins, session_for, compiled.flow, triage, "no")
    fired_on = [r.day for r in results if milestone.rule in r.rules]
    assert fired_on == [milestone.day]


def test_getting_worse_fires_at_every_checkin() -> None:
    for day in range(0, 90, 3):
        run = checkin(
            {**WELL, "pain_trend": "worse"},
            day=day,
            fired_before=frozenset({"getting_worse"}),
        )
        assert "getting_worse" in run.rules
        assert "gp_soon" in run.advice


def test_dont_know_to_the_trend_counts_as_not_better() -> None:
    run = checkin({**WELL, "pain_trend": UNKNOWN}, day=14)
    assert "day14_not_better" in run.rules
    assert "getting_worse" not in run.rules


def test_dont_know_to_pain_is_not_severe_pain() -> None:
    run = checkin({**WELL, "pain_now": UNKNOWN, "pain_trend": "same"}, day=7)
    assert "day7_still_severe" not in run.rules


def test_chronic_path_at_12_weeks_when_not_better_or_pain_4() -> None:
    assert "day84_chronic" in checkin({**WELL, "pain_trend": "same"}, day=84).rules
    assert "day84_chronic" in checkin({**WELL, "pain_now": 4}, day=84).rules
    assert "day84_chronic" not in checkin({**WELL, "pain_now": 3}, day=84).rules


def test_radicular_review_needs_a_radicular_sign() -> None:
    assert "day7_radicular_review" not in checkin(WELL, day=7, radicular=False).rules
    assert "day42_radicular" not in checkin({**WELL, "pain_trend": "same"}, day=42).rules
    assert "day42_radicular" not in checkin(WELL, day=42, radicular=True).rules
    # A leg sign found at this check-in's full screen counts from this check-in on.
    found = checkin({**WELL, "leg_numbness_tingling": True}, day=8, due=True)
    assert "day7_radicular_review" in found.rules


def test_day42_radicular_looks_at_the_latest_full_screen() -> None:
    not_better = {**WELL, "pain_trend": "same"}
    gone = checkin(not_better, day=42, due=True, radicular=True)
    assert "day42_radicular" not in gone.rules, "no leg sign at this full screen"
    still = checkin({**not_better, "leg_weakness": True}, day=42, due=True, radicular=True)
    assert "day42_radicular" in still.rules
    earlier = checkin(not_better, day=44, due=False, radicular=True)
    assert "day42_radicular" in earlier.rules


@pytest.mark.parametrize(
    "sign",
    [
        {"fever": True},
        {"leg_weakness": True},
        {"saddle_numbness": True},
        {"bladder_retention": UNKNOWN},
    ],
    ids=["gp_today", "gp_soon", "emergency", "unsure"],
)
def test_a_checkin_cut_short_or_not_by_a_red_flag(
    sign: dict[str, AnswerValue],
) -> None:
    """Milestones wait for a check-in that reaches the routine questions."""
    answers = {**WELL, "pain_trend": "same", "work_affected": True, **sign}
    run = checkin(answers, day=84, due=True, radicular=True)
    assert run.disposition != "self_care"
    if run.disposition == "gp_soon":
        # gp_soon does not end the check-in: the milestones fire with it.
        assert {"day14_work", "day84_chronic"} <= set(run.rules)
    else:
        assert run.rules == []
        assert run.advice == [run.disposition]


# --- texts ----------------------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# KCE Kader 2 (003:492-516): messages that harm; not even negated.
HARMFUL = {
    "nl": r"beschadig|schade|slijt|versleten|voorzichtig|kalm aan|rustig aan|verzwakt|"
    r"bukken|tillen|stop als|leiden door de pijn|rolstoel|artrose|hernia|degenerat|kapot|"
    r"tussen de oren|psychisch",
    "fr": r"abîm|endommag|\busée?s?\b|\busure\b|prudent|doucement|affaibli|pencher|soulever|"
    r"arrêtez|guider par|fauteuil roulant|arthrose|hernie|dégénér|lésion|dans (?:votre|la) tête",
}
INFORMAL = {"nl": r"\b(?:je|jij|jou|jouw)\b", "fr": r"\b(?:tu|toi|ton|ta|tes)\b"}
PLAIN_KEYS = {"checkin.plan_intro"}


def checkin_keys() -> list[str]:
    return sorted({k for _, k in checkin_flow().text_keys() if k.startswith("checkin.")})


def option_keys() -> set[str]:
    return {
        key
        for q in checkin_flow().questions().values()
        for key in getattr(q.answer, "options", {}).values()
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_checkin_text_exists_with_the_same_placeholders(
    library: Library, language: str
) -> None:
    other = "fr" if language == "nl" else "nl"
    mine, theirs = library.content.languages[language], library.content.languages[other]
    for key in checkin_keys():
        assert key in mine.texts, f"{language}: {key} missing"
        assert mine.texts[key].placeholders() == theirs.texts[key].placeholders(), key
        assert mine.texts[key].file == "checkin.yaml"


@pytest.mark.parametrize("language", LANGUAGES)
def test_medical_texts_name_their_source(library: Library, language: str) -> None:
    texts = library.content.languages[language].texts
    for key in checkin_keys():
        if key in PLAIN_KEYS or key in option_keys():
            continue
        assert texts[key].source, f"{language} {key} has no source"


def seed_lines(number: str) -> list[str]:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seed files in {SEEDS}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_sources_point_at_real_seed_lines(library: Library, language: str) -> None:
    texts = library.content.languages[language].texts
    for key in checkin_keys():
        for ref in texts[key].source:
            number, _, span = ref.partition(":")
            first, _, last = span.partition("-")
            lines = seed_lines(number)
            start, end = int(first), int(last or first)
            assert 1 <= start <= end <= len(lines), f"{key}: {ref} is outside the file"
            assert any(line.strip() for line in lines[start - 1 : end]), f"{key}: {ref} is blank"


def rendered(library: Library) -> Iterator[tuple[str, str, str]]:
    for language in LANGUAGES:
        for region in ("NL", "BE"):
            texts = library.content.localizer(language, region)
            for key in checkin_keys():
                yield f"{language}-{region}", key, texts.text(key)


def test_plain_language_b1(library: Library) -> None:
    """004:729: no sentence over 20 words, on average at most 12 per message."""
    for locale, key, text in rendered(library):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if WORD.search(s)]
        lengths = [len(WORD.findall(s)) for s in sentences]
        assert max(lengths) <= 20, f"{locale} {key}: a sentence of {max(lengths)} words"
        assert sum(lengths) / len(lengths) <= 12, f"{locale} {key}: {lengths}"


def test_no_harmful_or_informal_wording(library: Library) -> None:
    for locale, key, text in rendered(library):
        language = locale[:2]
        harmful = re.search(HARMFUL[language], text, re.IGNORECASE)
        assert harmful is None, f"{locale} {key}: '{harmful.group(0)}' in {text!r}"
        informal = re.search(INFORMAL[language], text, re.IGNORECASE)
        assert informal is None, f"{locale} {key}: '{informal.group(0)}' in {text!r}"


def test_belgian_french_names_the_kinesitherapeute(library: Library) -> None:
    texts = library.content.localizer("fr", "BE")
    for key in ("checkin.advice.day14_activities", "checkin.advice.day42_not_better"):
        assert "kinésithérapeute" in texts.text(key)
    for _, key, text in rendered(library):
        assert "physiothérapeute" not in text, key


@pytest.mark.parametrize(
    ("language", "region", "word"),
    [("nl", "NL", "bedrijfsarts"), ("nl", "BE", "arbeidsarts"), ("fr", "BE", "médecin du travail")],
)
def test_the_occupational_physician_is_named_per_region(
    library: Library, language: str, region: str, word: str
) -> None:
    text = library.content.localizer(language, region).text("checkin.advice.day14_work")
    assert word in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_advice_is_shown_in_the_patients_language(language: str) -> None:
    run = checkin({**WELL, "work_affected": True}, day=14, language=language)
    (work,) = [a for a in run.outcome.advice if a.rule == "day14_work"]
    other = "fr" if language == "nl" else "nl"
    assert work.messages == [
        builtin_library().content.localizer(language).text("checkin.advice.day14_work")
    ]
    assert work.messages != [
        builtin_library().content.localizer(other).text("checkin.advice.day14_work")
    ]
