"""Plan set-up (clinical brief section 4): the flow asks the activity, three ordinary days
now and the usual level in the activity's unit; ``plan_from_answers`` turns the answers
into a time-contingent plan from the baseline to the goal in 8 weeks; "I don't know" is
handled as companion/care/plan_setup.py documents; pain is never an input; the texts are
plain, sourced and free of harmful wording."""

from __future__ import annotations

import inspect
import itertools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyphen
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.care.plan import Plan, goal_day, quota_on
from companion.care.plan_setup import (
    ACTIVITY_QUESTION,
    ACTIVITY_UNITS,
    DEFAULT_KIND,
    FUNCTION_QUESTIONS,
    SMALLEST_BASELINE,
    STEP_EVERY_DAYS,
    UNIT_QUESTIONS,
    WEEKS,
    plan_from_answers,
    plan_setup_result,
)
from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.engine import Outcome
from companion.dialogue.flow import ChoiceAnswer, EndState, Flow, NumberAnswer
from companion.resources import Library
from companion.texts.content import Localizer

FLOW = "plan_setup"
LANGUAGES = ("nl", "fr")
LOCALES = (("nl", "NL"), ("nl", "BE"), ("fr", "BE"), ("fr", "NL"))
START = date(2025, 3, 3)
ONSET = date(2025, 2, 27)
ONE_PER_UNIT = {"minutes": "walking", "repetitions": "exercises", "hours": "work_hours"}


def plan_flow(library: Library) -> Flow:
    return library.flows[FLOW].flow


# --- running the flow through the engine ---------------------------------------------------


@dataclass
class Run:
    shown: list[str]
    """Every message and question text, and the outcome's messages, in order."""
    asked: list[str]
    outcome: Outcome
    texts: Localizer

    def has(self, key: str) -> bool:
        return self.texts.text(key) in self.shown

    @property
    def answers(self) -> dict[str, AnswerValue]:
        """What the driver hands to plan_from_answers: the answers by question id."""
        return {a.question: a.value for a in self.outcome.answers}


def run_setup(
    library: Library, language: str, region: str | None, answers: Mapping[str, AnswerValue]
) -> Run:
    """Answers each question by its id, as a patient would: numbers typed, choices pressed.

    A question missing from ``answers`` is answered "I don't know".
    """
    session = library.session(FLOW, language, region)
    turn = session.start()
    shown: list[str] = []
    for _ in range(30):
        shown += turn.messages
        if turn.outcome is not None:
            shown += turn.outcome.messages
            # The function questions (tests/test_function.py) come first; left out here.
            asked = [q for q in session.asked if not q.startswith("function_")]
            return Run(shown, asked, turn.outcome, session.texts)
        assert turn.question is not None
        assert turn.problem is None, turn.problem
        shown.append(turn.question.text)
        value = answers.get(turn.question.id, UNKNOWN)
        if isinstance(value, int) and not isinstance(value, bool):
            turn = session.answer(str(value))
        else:
            turn = session.choose(str(value))
    raise AssertionError("the plan set-up did not end within 30 turns")


def answers_for(
    kind: str, days: tuple[AnswerValue, ...], goal: AnswerValue
) -> dict[str, AnswerValue]:
    """The set-up answers by question id for one activity, three days and a goal."""
    questions = UNIT_QUESTIONS[ACTIVITY_UNITS[kind]]  # type: ignore[index]
    return {
        ACTIVITY_QUESTION: kind,
        **dict(zip(questions.baselines, days, strict=True)),
        questions.goal: goal,
    }


# --- the flow ---------------------------------------------------------------------------------


def test_the_flow_is_a_plan_flow_without_dispositions_or_inputs(library: Library) -> None:
    """Its one input says a plan is given already (tests/test_function_with_plan.py)."""
    flow = plan_flow(library)
    assert flow.purpose == "plan"
    assert {name: spec.answer for name, spec in flow.inputs.items()} == {"plan_given": "yes_no"}
    ends = [s for s in flow.states.values() if isinstance(s, EndState)]
    assert ends and all(end.disposition is None for end in ends)
    assert flow.advice == []


def test_the_flow_matches_the_mapping_in_plan_setup(library: Library) -> None:
    """Options, question ids and number ranges in the flow are the ones the module reads."""
    flow = plan_flow(library)
    questions = flow.questions()
    activity = questions[ACTIVITY_QUESTION].answer
    assert isinstance(activity, ChoiceAnswer)
    assert list(activity.options) == list(ACTIVITY_UNITS)
    expected = {ACTIVITY_QUESTION}
    for unit_questions in UNIT_QUESTIONS.values():
        for question in unit_questions.baselines:
            spec = questions[question].answer
            assert isinstance(spec, NumberAnswer) and spec.unknown_allowed
            assert (spec.min, spec.max) == unit_questions.baseline_range, question
        spec = questions[unit_questions.goal].answer
        assert isinstance(spec, NumberAnswer) and spec.unknown_allowed
        assert (spec.min, spec.max) == unit_questions.goal_range
        expected |= {*unit_questions.baselines, unit_questions.goal}
    expected |= {question for pair in FUNCTION_QUESTIONS for question in pair}
    assert set(questions) == expected
    assert all(q.concept == name for name, q in questions.items())
    assert set(ACTIVITY_UNITS.values()) == set(UNIT_QUESTIONS)


def test_every_plan_concept_is_required_in_the_flow(library: Library) -> None:
    flow = plan_flow(library)
    required = set(library.concepts.required_by(FLOW))
    assert required == {q.concept for q in flow.questions().values()}
    assert library.concepts.concepts[ACTIVITY_QUESTION].options == list(ACTIVITY_UNITS)


def test_no_question_asks_about_pain(library: Library) -> None:
    """The quota never depends on pain: the set-up does not even ask about it."""
    for name, question in plan_flow(library).questions().items():
        assert "pain" not in question.concept, name


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(ACTIVITY_UNITS))
def test_each_activity_asks_its_unit_and_makes_its_plan(
    library: Library, language: str, kind: str
) -> None:
    unit = ACTIVITY_UNITS[kind]  # type: ignore[index]
    questions = UNIT_QUESTIONS[unit]
    run = run_setup(library, language, None, answers_for(kind, (4, 6, 5), 10))
    assert run.asked == [ACTIVITY_QUESTION, *questions.baselines, questions.goal]
    assert run.outcome.disposition is None
    assert run.outcome.end_state == "end_plan"
    assert run.outcome.unknown == []
    for key in ("plan.intro", "plan.principle.calendar", "plan.principle.pain"):
        assert run.has(key), key
    assert run.has(f"plan.baseline.{unit}")
    for key in ("plan.start", "plan.bad_day", "plan.alarm"):
        assert run.has(key), key
    for key in ("plan.start_small", "plan.goal_unknown", "plan.none", "plan.activity.unknown"):
        assert not run.has(key), key
    plan = plan_from_answers(run.answers, START, ONSET)
    assert plan is not None
    (activity,) = plan.activities
    assert (activity.kind, activity.unit) == (kind, unit)
    assert (activity.baseline, activity.goal) == (5, 10)
    assert plan.onset == ONSET and plan.created_by == "patient"


@pytest.mark.parametrize("language", LANGUAGES)
def test_i_dont_know_the_activity_goes_on_as_walking(library: Library, language: str) -> None:
    questions = UNIT_QUESTIONS["minutes"]
    answers = {ACTIVITY_QUESTION: UNKNOWN, questions.baselines[0]: 10, questions.goal: 30}
    run = run_setup(library, language, None, answers)
    assert run.asked == [ACTIVITY_QUESTION, *questions.baselines, questions.goal]
    assert run.has("plan.activity.unknown")
    plan = plan_from_answers(run.answers, START, None)
    assert plan is not None
    assert (plan.activities[0].kind, plan.activities[0].unit) == (DEFAULT_KIND, "minutes")
    assert plan.activities[0].baseline == 10


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(ACTIVITY_UNITS))
def test_posture_and_work_advice_only_where_they_belong(
    library: Library, language: str, kind: str
) -> None:
    run = run_setup(library, language, "BE", answers_for(kind, (2, 2, 2), 8))
    assert run.has("plan.posture") == (kind in ("sitting", "standing"))
    assert run.has("plan.work") == (kind == "work_hours")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_work_advice_names_the_region_s_occupational_physician(
    library: Library, language: str
) -> None:
    for region in ("NL", "BE"):
        run = run_setup(library, language, region, answers_for("work_hours", (0, 0, 0), 8))
        word = run.texts.variables["occupational_physician"]
        assert any(word in text for text in run.shown), region


AMOUNTS: tuple[AnswerValue, ...] = (UNKNOWN, 0, 5)
GOALS: tuple[AnswerValue, ...] = (UNKNOWN, 3, 12)


@pytest.mark.parametrize("unit", list(UNIT_QUESTIONS))
def test_the_closing_messages_agree_with_plan_from_answers(library: Library, unit: str) -> None:
    """For every kind of answer (unknown, 0, a number) the flow says what the module does."""
    kind = ONE_PER_UNIT[unit]
    for *days, goal in itertools.product(AMOUNTS, AMOUNTS, AMOUNTS, GOALS):
        run = run_setup(library, "nl", None, answers_for(kind, tuple(days), goal))
        plan = plan_from_answers(run.answers, START, None)
        case = f"{unit} days={days} goal={goal}"
        assert (plan is None) == (run.outcome.end_state == "end_no_plan"), case
        assert run.has("plan.none") == (plan is None), case
        assert run.has("plan.start") == (plan is not None), case
        assert run.has("plan.bad_day") == (plan is not None), case
        if plan is None:
            continue
        (activity,) = plan.activities
        some_day_done = any(isinstance(d, int) and d > 0 for d in days)
        assert run.has("plan.start_small") == (not some_day_done), case
        if not some_day_done:
            assert activity.baseline == SMALLEST_BASELINE, case
        assert run.has("plan.goal_unknown") == (goal == UNKNOWN), case
        if goal == UNKNOWN:
            assert set(activity.quotas()) == {activity.baseline}, case


def test_the_flow_always_ends_without_a_disposition(library: Library) -> None:
    """Random answers, typed as a patient might: the set-up ends, in few turns."""
    for seed, (language, region) in enumerate(LOCALES):
        session = library.session(FLOW, language, region)
        turn = session.start()
        replies = ["2", "abc", "", "999", "-1", "weet ik niet", "je ne sais pas", "7", "1"]
        for step in range(40):
            if turn.finished:
                break
            turn = session.answer(replies[(seed + step) % len(replies)])
        assert turn.outcome is not None and turn.outcome.disposition is None


# --- plan_from_answers ----------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(UNIT_QUESTIONS))
def test_first_quota_is_the_baseline_average_last_the_goal_at_8_weeks(unit: str) -> None:
    kind = ONE_PER_UNIT[unit]
    goal = 12 if unit == "hours" else 60
    plan = plan_from_answers(answers_for(kind, (2, 3, 5), goal), START, ONSET)
    assert plan is not None
    (activity,) = plan.activities
    assert activity.step_every_days == STEP_EVERY_DAYS == 3
    assert activity.weeks == WEEKS == 8
    assert quota_on(plan, 0, START) == math.floor((2 + 3 + 5) / 3) == 3
    assert activity.quotas()[0] == 3 and activity.quotas()[-1] == goal
    assert goal_day(plan, 0) <= START + timedelta(weeks=WEEKS)
    assert quota_on(plan, 0, START + timedelta(weeks=WEEKS)) == goal
    assert quota_on(plan, 0, START + timedelta(weeks=WEEKS) - timedelta(days=7)) < goal
    rises = [b - a for a, b in itertools.pairwise(activity.quotas())]
    assert all(r >= 0 for r in rises) and max(rises) - min(rises) <= 1


def test_the_average_is_rounded_down() -> None:
    plan = plan_from_answers(answers_for("walking", (10, 20, 31), 60), START, None)
    assert plan is not None and plan.activities[0].baseline == 20


def test_unknown_days_are_left_out_of_the_average_and_zero_days_kept() -> None:
    plan = plan_from_answers(answers_for("cycling", (UNKNOWN, 20, UNKNOWN), 40), START, None)
    assert plan is not None and plan.activities[0].baseline == 20
    plan = plan_from_answers(answers_for("cycling", (0, 20, UNKNOWN), 40), START, None)
    assert plan is not None and plan.activities[0].baseline == 10


@pytest.mark.parametrize("days", [(UNKNOWN, UNKNOWN, UNKNOWN), (0, 0, 0), (0, UNKNOWN, 0)])
def test_no_day_above_zero_starts_at_one_unit(days: tuple[AnswerValue, ...]) -> None:
    result = plan_setup_result(answers_for("work_hours", days, 8), START, None)
    assert result.plan is not None
    (activity,) = result.plan.activities
    assert (activity.baseline, activity.goal) == (SMALLEST_BASELINE, 8)
    assert any("starts at 1" in note for note in result.notes)


def test_an_unknown_goal_holds_the_plan_at_the_baseline() -> None:
    result = plan_setup_result(answers_for("walking", (10, 14, UNKNOWN), UNKNOWN), START, None)
    assert result.plan is not None
    assert set(result.plan.activities[0].quotas()) == {12}
    assert any("goal unknown" in note for note in result.notes)


def test_a_goal_below_the_baseline_holds_the_plan_at_the_baseline() -> None:
    result = plan_setup_result(answers_for("housework", (40, 40, 40), 20), START, None)
    assert result.plan is not None
    assert set(result.plan.activities[0].quotas()) == {40}
    assert any("below baseline" in note for note in result.notes)


@pytest.mark.parametrize("days", [(UNKNOWN, UNKNOWN, UNKNOWN), (0, 0, UNKNOWN), (0, 0, 0)])
def test_no_plan_when_nothing_is_known_to_build_on(days: tuple[AnswerValue, ...]) -> None:
    result = plan_setup_result(answers_for("exercises", days, UNKNOWN), START, None)
    assert result.plan is None
    assert any(note.startswith("no plan") for note in result.notes)
    assert plan_from_answers({}, START, None) is None


def test_answers_outside_the_range_count_as_unknown() -> None:
    answers = answers_for("work_hours", (30, 4, True), 40)
    result = plan_setup_result(answers, START, None)
    assert result.plan is not None
    (activity,) = result.plan.activities
    assert (activity.baseline, activity.goal) == (4, 4)
    assert any("outside" in note for note in result.notes)


def test_an_onset_after_the_start_is_left_out() -> None:
    plan = plan_from_answers(answers_for("walking", (5, 5, 5), 10), START, START + timedelta(1))
    assert plan is not None and plan.onset is None


def test_the_quota_never_depends_on_pain() -> None:
    """There is no pain input: pain answers beside the set-up answers change nothing."""
    assert list(inspect.signature(plan_from_answers).parameters) == ["answers", "start", "onset"]
    base = answers_for("walking", (10, 15, 20), 45)
    plan = plan_from_answers(base, START, None)
    for pain in ({"pain_now": 10, "pain_trend": "worse"}, {"pain_now": 0, "pain_trend": "better"}):
        assert plan_from_answers({**base, **pain}, START, None) == plan
    assert "pain" not in inspect.signature(quota_on).parameters


ANY_VALUE = st.one_of(
    st.integers(min_value=-5, max_value=2000),
    st.booleans(),
    st.sampled_from([UNKNOWN, "walking", "exercises", "work_hours", "other", ""]),
)
QUESTION_IDS = [ACTIVITY_QUESTION] + [
    q for u in UNIT_QUESTIONS.values() for q in (*u.baselines, u.goal)
]


@given(st.dictionaries(st.sampled_from(QUESTION_IDS), ANY_VALUE))
def test_any_answers_give_a_sound_plan_or_none(answers: dict[str, AnswerValue]) -> None:
    plan: Plan | None = plan_from_answers(answers, START, ONSET)
    if plan is None:
        return
    (activity,) = plan.activities
    questions = UNIT_QUESTIONS[activity.unit]
    assert activity.unit == ACTIVITY_UNITS[activity.kind]
    assert 1 <= activity.baseline <= activity.goal <= questions.goal_range[1]
    quotas = activity.quotas()
    assert quotas[0] == activity.baseline and quotas[-1] == activity.goal
    assert quotas == sorted(quotas)


# --- texts -------------------------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# KCE Kader 2 (003:492-516): messages that harm; not even negated.
HARMFUL = {
    "nl": r"beschadig|schade|slijt|versleten|voorzichtig|kalm aan|rustig aan|verzwakt|"
    r"bukken|tillen|stop als|stop met|leiden door|bepaalt de pijn|luister naar (?:uw|de) pijn|"
    r"rolstoel|artrose|hernia|degenerat|kapot",
    "fr": r"abîm|endommag|\busée?s?\b|\busure\b|prudent|doucement|affaibli|pencher|soulever|"
    r"arrêtez|guider par|écoutez (?:votre|la) douleur|fauteuil roulant|arthrose|hernie|"
    r"dégénér|lésion",
}
INFORMAL = {"nl": r"\b(?:je|jij|jou|jouw)\b", "fr": r"\b(?:tu|toi|ton|ta|tes)\b"}
HYPHENATION = {"nl": "nl_NL", "fr": "fr_FR"}


def text_keys(library: Library) -> list[str]:
    return sorted({key for _, key in plan_flow(library).text_keys()})


def option_keys(library: Library) -> set[str]:
    return {
        key
        for q in plan_flow(library).questions().values()
        if isinstance(q.answer, ChoiceAnswer)
        for key in q.answer.options.values()
    }


def rendered(library: Library) -> Iterator[tuple[str, str, str, str]]:
    """(language, locale, key, text) for every text but the choice labels."""
    options = option_keys(library)
    for language, region in LOCALES:
        texts = library.content.localizer(language, region)
        for key in text_keys(library):
            if key not in options:
                yield language, f"{language}-{region}", key, texts.text(key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_in_plan_yaml_with_the_same_placeholders(
    library: Library, language: str
) -> None:
    other = "fr" if language == "nl" else "nl"
    mine, theirs = library.content.languages[language], library.content.languages[other]
    for key in text_keys(library):
        assert key.startswith("plan."), key
        assert key in mine.texts, f"{language}: {key} missing"
        assert mine.texts[key].file == "plan.yaml", key
        assert mine.texts[key].placeholders() == theirs.texts[key].placeholders(), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_medical_texts_name_their_source(library: Library, language: str) -> None:
    texts = library.content.languages[language].texts
    options = option_keys(library)
    for key in text_keys(library):
        if key not in options:
            assert texts[key].source, f"{language} {key} has no source"


def seed_lines(number: str) -> list[str]:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seed files in {SEEDS}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_sources_point_at_real_seed_lines(library: Library, language: str) -> None:
    texts = library.content.languages[language].texts
    for key in text_keys(library):
        for ref in texts[key].source:
            number, _, span = ref.partition(":")
            first, _, last = span.partition("-")
            lines = seed_lines(number)
            start, end = int(first), int(last or first)
            assert 1 <= start <= end <= len(lines), f"{key}: {ref} is outside the file"
            assert any(line.strip() for line in lines[start - 1 : end]), f"{key}: {ref} is blank"


def sentences(text: str) -> list[list[str]]:
    return [WORD.findall(s) for s in SENTENCE.split(text) if WORD.search(s)]


def test_plain_language_b1(library: Library) -> None:
    """004:729: no sentence over 20 words, on average at most 12 per message."""
    for _, locale, key, text in rendered(library):
        lengths = [len(words) for words in sentences(text)]
        assert max(lengths) <= 20, f"{locale} {key}: a sentence of {max(lengths)} words"
        assert sum(lengths) / len(lengths) <= 12, f"{locale} {key}: {lengths}"


def readability(language: str, text: str) -> float:
    """Flesch-Douma (nl) or Kandel-Moles (fr); syllables from pyphen's hyphenation points."""
    dic = pyphen.Pyphen(lang=HYPHENATION[language])
    split = sentences(text)
    words = [word for sentence in split for word in sentence]
    syllables = sum(len(dic.positions(word)) + 1 for word in words)
    per_sentence, per_word = len(words) / len(split), syllables / len(words)
    if language == "nl":
        return 206.835 - 0.93 * per_sentence - 77 * per_word
    return 207 - 1.015 * per_sentence - 73.6 * per_word


def test_readability_at_least_60(library: Library) -> None:
    for language, locale, key, text in rendered(library):
        score = readability(language, text)
        assert score >= 60, f"{locale} {key}: readability {score:.1f} in {text!r}"


def test_no_harmful_or_informal_wording(library: Library) -> None:
    for language, locale, key, text in rendered(library):
        harmful = re.search(HARMFUL[language], text, re.IGNORECASE)
        assert harmful is None, f"{locale} {key}: '{harmful.group(0)}' in {text!r}"
        informal = re.search(INFORMAL[language], text, re.IGNORECASE)
        assert informal is None, f"{locale} {key}: '{informal.group(0)}' in {text!r}"


@pytest.mark.parametrize(
    ("language", "every", "weeks"),
    [
        ("nl", f"Elke {STEP_EVERY_DAYS} dagen", f"{WEEKS} weken"),
        ("fr", f"Tous les {STEP_EVERY_DAYS} jours", f"{WEEKS} semaines"),
    ],
)
def test_the_texts_tell_the_schedule_the_module_uses(
    library: Library, language: str, every: str, weeks: str
) -> None:
    texts = library.content.localizer(language)
    assert every in texts.text("plan.principle.calendar")
    assert weeks in texts.text("plan.principle.pain")
    assert weeks in texts.text("plan.help.goal")
