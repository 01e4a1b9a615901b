"""The triage flow follows clinical brief section 2, checked against an independent oracle.

``triage_oracle.expected_disposition`` is written from the brief, not from
flows/triage.yaml. The engine is driven exactly as ``companion simulate``
drives it (buttons by concept id), in both languages, on the built-in library
(what patients get).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from companion.commands.check import DRIVER_TEXT_KEYS
from companion.dialogue.answers import normalise
from companion.dialogue.engine import MAX_ATTEMPTS
from companion.resources import Library, builtin_library
from tests.triage_oracle import (
    ALL_CONCEPTS,
    ALONE_GP_SOON,
    CANCER_PARTNERS,
    EMERGENCY,
    NEVER_ALONE,
    SAME_DAY,
    SEXES,
    SPA_QUESTIONS,
    UNKNOWN,
    YES_NO_CONCEPTS,
    TriageRun,
    expected_disposition,
    run_triage,
    urgency,
)

LANGUAGES = ("nl", "fr")
NON_EMERGENCY = tuple(c for c in YES_NO_CONCEPTS if c not in EMERGENCY)
NAMED_ONLY = ("sex", "leg_pain_dominant")
"""Asked for the summary the patient shows the GP; they never change the outcome."""


# --- the library under test -----------------------------------------------------


def _needed_text_keys(library: Library) -> set[str]:
    keys = set(DRIVER_TEXT_KEYS)
    for compiled in library.flows.values():
        keys |= {key for _, key in compiled.flow.text_keys()}
    return keys


def builtin_content_problem() -> str | None:
    """Why the built-in library cannot run a triage in nl and fr, or None."""
    try:
        library = builtin_library()
    except Exception as err:
        return f"builtin_library() fails: {type(err).__name__}: {err}"
    needed = _needed_text_keys(library)
    for language in LANGUAGES:
        pack = library.content.languages.get(language)
        if pack is None:
            return f"no built-in content for language '{language}'"
        missing = sorted(needed - set(pack.texts))
        if missing:
            return f"content/{language} misses {len(missing)} key(s), e.g. {missing[:5]}"
        for region in sorted(library.content.regions):
            texts = library.content.localizer(language, region)
            for key in sorted(needed):
                try:
                    texts.text(key, min=0, max=120)
                except Exception as err:
                    return f"content/{language} ({region}) key '{key}' cannot be shown: {err}"
    return None


class _BuiltinLibrary(Library):
    """The built-in library, with a short repr for hypothesis' failure reports."""

    def __repr__(self) -> str:
        return "<built-in library>"


@pytest.fixture(scope="session")
def library() -> Library:
    """The built-in library: flows and content exactly as patients get them."""
    problem = builtin_content_problem()
    if problem is not None:
        pytest.fail(f"patients would get no triage: {problem}")
    real = builtin_library()
    return _BuiltinLibrary(concepts=real.concepts, flows=real.flows, content=real.content)


def test_builtin_content_can_run_a_triage() -> None:
    problem = builtin_content_problem()
    assert problem is None, f"patients would get no triage: {problem}"


def test_flow_asks_about_every_concept_of_the_brief(library: Library) -> None:
    asked = {q.concept for q in library.flows["triage"].flow.questions().values()}
    missing = set(ALL_CONCEPTS) - asked
    assert not missing, f"brief section 2 concepts the triage flow never asks: {sorted(missing)}"


# --- helpers ------------------------------------------------------------------


def _describe(run: TriageRun, facts: Mapping[str, object], unknown: Iterable[str]) -> str:
    yes = sorted(c for c, v in facts.items() if v is True)
    numbers = {c: facts.get(c) for c in ("age", "sex", "pain_duration_days")}
    return (
        f"yes={yes} unknown={sorted(unknown)} {numbers}\n"
        f"asked={run.asked}\nflags={run.outcome.flags} end={run.outcome.end_state}"
    )


def _answers(run: TriageRun) -> dict[str, object]:
    return {a.concept: a.value for a in run.outcome.answers}


def _recorded(run: TriageRun) -> tuple[dict[str, object], set[str]]:
    """What the engine recorded, as oracle facts and unknowns."""
    facts: dict[str, object] = {}
    unknown: set[str] = set()
    for concept, value in _answers(run).items():
        if value == UNKNOWN:
            unknown.add(concept)
        else:
            facts[concept] = value
    return facts, unknown


# Every class of the oracle's number rules: <16, 16-44, 45-50, >50, unknown;
# <=84, >84, unknown. None stands for "I don't know".
_AGE_CLASSES = (10, 30, 47, 60, None)
_DURATION_CLASSES = (3, 85, None)


def _decided(facts: Mapping[str, object], unknown: set[str]) -> str | None:
    """The disposition if the given answers already fix it whatever comes next.

    The oracle never lowers urgency when a yes/no answer turns from no to yes
    ("I don't know" lies in between), so all-no and all-yes completions bound
    every completion; numbers are tried in each of their classes.
    """
    open_yes_no = [c for c in YES_NO_CONCEPTS if c not in facts and c not in unknown]
    results = set()
    ages = [facts["age"]] if "age" in facts else ["age"] if "age" in unknown else _AGE_CLASSES
    durations = (
        [facts["pain_duration_days"]]
        if "pain_duration_days" in facts
        else ["x"]
        if "pain_duration_days" in unknown
        else _DURATION_CLASSES
    )
    for age, duration, fill in itertools.product(ages, durations, (False, True)):
        completed = dict(facts)
        completed.update({c: fill for c in open_yes_no})
        if isinstance(age, int):
            completed["age"] = age
        if isinstance(duration, int):
            completed["pain_duration_days"] = duration
        results.add(expected_disposition(completed, unknown))
        if len(results) > 1:
            return None
    return results.pop()


# --- strategies ---------------------------------------------------------------


def _weighted(*pairs: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Picks a strategy by weight, then draws from it.

    (Repeating a strategy inside ``st.one_of`` does not weight it: identical
    branches are merged.)"""
    branches = [strategy for weight, strategy in pairs for _ in range(weight)]
    return st.sampled_from(branches).flatmap(lambda strategy: strategy)


ages = _weighted(
    (2, st.integers(14, 20)),  # around the under-16 rule
    (2, st.integers(21, 44)),
    (3, st.integers(40, 55)),  # around both cluster limits (45, 50)
    (2, st.integers(56, 120)),
    (1, st.integers(0, 120)),
    (2, st.sampled_from([0, 15, 16, 44, 45, 50, 51, 120])),
    (1, st.none()),  # "I don't know"
)
durations = _weighted(
    (2, st.integers(0, 20)),
    (2, st.integers(21, 84)),
    (2, st.integers(80, 90)),
    (1, st.integers(85, 3650)),
    (1, st.sampled_from([0, 20, 21, 84, 85, 3650])),
    (1, st.none()),
)
sexes = _weighted((3, st.sampled_from(SEXES)), (1, st.none()))
# Mostly non-emergency signs, so that lone flags and pairs are common.
signs = _weighted((5, st.sampled_from(NON_EMERGENCY)), (1, st.sampled_from(EMERGENCY)))
doubts_about = _weighted((5, st.sampled_from(NON_EMERGENCY)), (1, st.sampled_from(EMERGENCY)))


@st.composite
def patients(
    draw: st.DrawFn, with_unknown: bool = True, yes_pool: st.SearchStrategy[str] = signs
) -> tuple[dict[str, object], frozenset[str]]:
    """(facts, unknown): a complete set of answers, the unknown ones left out of facts."""
    facts: dict[str, object] = {}
    unknown: set[str] = set()
    if draw(st.integers(0, 3)) > 0:  # sparse: a few yes, maybe a few "don't know"
        yes = set(draw(st.lists(yes_pool, max_size=3, unique=True)))
        if with_unknown and draw(st.booleans()):
            unknown |= set(draw(st.lists(doubts_about, max_size=2)))
        facts.update({c: c in yes for c in YES_NO_CONCEPTS})
    else:  # dense: every answer random, "no" most often
        for concept in YES_NO_CONCEPTS:
            rare = concept in EMERGENCY
            choices = [False] * (15 if rare else 4) + [True] + ([UNKNOWN] if with_unknown else [])
            value = draw(st.sampled_from(choices))
            if value == UNKNOWN:
                unknown.add(concept)
            facts[concept] = value is True
    for concept, strategy in (("age", ages), ("sex", sexes), ("pain_duration_days", durations)):
        value = draw(strategy)
        if value is None and with_unknown:
            unknown.add(concept)
        elif value is not None:
            facts[concept] = value
        elif concept == "sex":
            facts[concept] = "other"
        else:
            facts[concept] = 30 if concept == "age" else 3
    for concept in unknown:
        facts.pop(concept, None)
    return facts, frozenset(unknown)


# --- 1. the engine decides as the brief says --------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@settings(deadline=None, max_examples=700, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients())
def test_disposition_matches_the_brief(
    library: Library, language: str, patient: tuple[dict[str, object], frozenset[str]]
) -> None:
    facts, unknown = patient
    run = run_triage(library, language, facts, unknown)
    expected = expected_disposition(facts, unknown)
    assert run.outcome.disposition == expected, _describe(run, facts, unknown)


@settings(deadline=None, max_examples=300)
@given(
    language=st.sampled_from(LANGUAGES),
    patient=patients(),
    sign=st.sampled_from(EMERGENCY),
)
def test_an_emergency_sign_is_an_emergency_and_ends_the_talk(
    library: Library,
    language: str,
    patient: tuple[dict[str, object], frozenset[str]],
    sign: str,
) -> None:
    facts, unknown = patient
    facts = {**facts, sign: True}
    unknown = unknown - {sign}
    run = run_triage(library, language, facts, unknown)
    note(_describe(run, facts, unknown))
    assert run.outcome.disposition == "emergency"
    first_yes = next(i for i, c in enumerate(run.asked) if c in EMERGENCY and facts.get(c) is True)
    assert first_yes == len(run.asked) - 1, "a question was asked after an emergency sign"
    assert run.asked[-1] in run.outcome.flags, "the emergency sign is not named as the reason"


@settings(deadline=None, max_examples=300)
@given(
    language=st.sampled_from(LANGUAGES),
    patient=patients(),
    doubts=st.lists(st.sampled_from(EMERGENCY), min_size=1, max_size=3, unique=True),
    unspecified=st.sampled_from(["no", "unknown"]),
)
def test_dont_know_to_an_emergency_sign_is_never_below_gp_today(
    library: Library,
    language: str,
    patient: tuple[dict[str, object], frozenset[str]],
    doubts: list[str],
    unspecified: str,
) -> None:
    facts, unknown = patient
    unknown = unknown | set(doubts)
    facts = {c: v for c, v in facts.items() if c not in unknown}
    if unspecified == "unknown":  # leave some answers to "I don't know" by omission too
        facts = {c: v for c, v in facts.items() if v is not False}
    run = run_triage(library, language, facts, unknown, unspecified=unspecified)
    note(_describe(run, facts, unknown))
    assert urgency(run.outcome.disposition) >= urgency("gp_today")
    doubted = [c for c in run.asked if c in EMERGENCY and _answers(run)[c] == UNKNOWN]
    if run.outcome.disposition != "emergency":
        assert doubted, "an emergency question answered 'I don't know' was not asked"
    assert set(doubted) <= set(run.outcome.unknown), "doubts missing from the GP summary"
    without_doubts = expected_disposition(facts, unknown - set(EMERGENCY))
    if urgency(without_doubts) < urgency("gp_today"):
        assert run.outcome.disposition == "gp_today"
        assert set(run.outcome.flags) & set(doubted), "the doubt is not named as the reason"


@pytest.mark.parametrize("language", LANGUAGES)
def test_unsure_about_an_emergency_sign_explains_why(library: Library, language: str) -> None:
    base = {"age": 35, "sex": "male", "pain_duration_days": 3}
    unsure = run_triage(library, language, base, {"bladder_retention"}).outcome
    fever = run_triage(library, language, {**base, "fever": True}).outcome
    assert unsure.disposition == fever.disposition == "gp_today"
    assert set(unsure.messages) - set(fever.messages), (
        "gp_today for an unanswered emergency question shows no message explaining why"
    )


# --- 2. typing anything never breaks the conversation ------------------------------

typed = st.one_of(
    st.text(),
    st.text(max_size=3),
    st.sampled_from(["", " ", "\n\t ", "😀", "🤷‍♀️", "👍", "?", "...", "ja nee", "oui non"]),
    st.text(alphabet=st.characters(categories=["So", "Zs", "Po", "Sm", "Cc"]), max_size=20),
    st.text(min_size=2000, max_size=4000),
)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(language=st.sampled_from(LANGUAGES), texts=st.lists(typed, min_size=1, max_size=8))
def test_any_typed_text_ends_the_talk_safely(
    library: Library, language: str, texts: list[str]
) -> None:
    session = library.session("triage", language)
    # Per question: up to MAX_ATTEMPTS tries and the one follow-up question a doubtful
    # answer gets (brief, "Understanding typed answers").
    bound = (MAX_ATTEMPTS + 1) * len(session.flow.questions()) + 5
    turn = session.start()
    typed_texts = itertools.cycle(texts)
    for _ in range(bound):
        if turn.outcome is not None:
            break
        assert turn.question is not None
        turn = session.answer(next(typed_texts))
    assert turn.outcome is not None, f"no outcome after {bound} turns"
    run = TriageRun(
        outcome=turn.outcome,
        asked=[session.flow.questions()[q].concept for q in session.asked],
        session=session,
    )
    facts, unknown = _recorded(run)
    note(_describe(run, facts, unknown))
    # Whatever was understood, the decision is the brief's decision on it;
    # unasked questions count as "no", which the flow may rely on only if
    # they could not have changed the outcome.
    assert run.outcome.disposition == expected_disposition(facts, unknown)
    if any(c in unknown for c in EMERGENCY):
        assert run.outcome.disposition != "self_care"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["²", "³", "①", "٣", "\uff11"])
def test_digits_from_other_scripts_never_crash(library: Library, language: str, typed: str) -> None:
    """A phone keyboard can produce "²" or "①": at every question such text is
    understood or asked again, never an exception (the engine promises that
    user input never raises)."""
    concepts = _concepts_asked_when_all_no(library, language)
    crashes = []
    for concept in concepts:
        session, _ = _session_at(library, language, concept)
        try:
            turn = session.answer(typed)
        except Exception as err:
            crashes.append(f"{concept}: {type(err).__name__}: {err}")
            continue
        assert turn.problem or turn.question is None or turn.question.concept != concept
    assert not crashes, f"typing {typed!r} crashes the conversation at: " + "; ".join(crashes)


def _concepts_asked_when_all_no(library: Library, language: str) -> list[str]:
    return run_triage(library, language, BASE).asked


@pytest.mark.parametrize("language", LANGUAGES)
@settings(deadline=None, max_examples=30)
@given(
    garbage=st.text(
        alphabet=st.characters(categories=["So", "Zs", "Po", "Sm"]).filter(
            lambda c: not normalise(c)  # nothing a word could be made of
        ),
        max_size=30,
    ).filter(lambda text: text.strip() != "?")  # a lone "?" is the lexicons' "I don't know"
)
def test_garbage_is_recorded_as_dont_know_and_leads_to_gp_today(
    library: Library, language: str, garbage: str
) -> None:
    """Emoji, spaces and punctuation are never understood: after three tries the
    question is recorded as "I don't know", which for an emergency sign is gp_today."""
    session = library.session("triage", language)
    turn = session.start()
    turns = 0
    while turn.outcome is None and turns < 100:
        turn = session.answer(garbage)
        turns += 1
    assert turn.outcome is not None
    assert turn.outcome.disposition == "gp_today"
    assert set(EMERGENCY) <= set(turn.outcome.unknown)
    # Every question the policy asks on a gp_today path, each after three tries.
    assert turns == MAX_ATTEMPTS * len(turn.outcome.answers)


# --- 3. partial information never under-triages ------------------------------------


@settings(deadline=None, max_examples=300)
@given(
    language=st.sampled_from(LANGUAGES),
    patient=patients(with_unknown=False),
    doubts=st.sets(st.sampled_from(ALL_CONCEPTS), max_size=6),
)
def test_dont_know_never_under_triages(
    library: Library,
    language: str,
    patient: tuple[dict[str, object], frozenset[str]],
    doubts: set[str],
) -> None:
    truth, _ = patient
    facts = {c: v for c, v in truth.items() if c not in doubts}
    run = run_triage(library, language, facts, doubts)
    note(_describe(run, facts, doubts))
    assert urgency(run.outcome.disposition) >= urgency(expected_disposition(facts, doubts))
    asked_doubts = [c for c in run.asked if c in doubts]
    assert run.outcome.unknown == asked_doubts, "'I don't know' answers missing from the summary"


@settings(deadline=None, max_examples=200)
@given(
    language=st.sampled_from(LANGUAGES),
    patient=patients(with_unknown=False),
    age=st.integers(16, 120),
)
def test_an_unknown_age_is_never_less_urgent_than_a_known_adult_age(
    library: Library, language: str, patient: tuple[dict[str, object], frozenset[str]], age: int
) -> None:
    """Flow policy: a missing age could be over 50 or under 45, so no cluster is lost."""
    truth, _ = patient
    truth = {**truth, "age": age}
    facts = {c: v for c, v in truth.items() if c != "age"}
    run = run_triage(library, language, facts, {"age"})
    note(_describe(run, facts, {"age"}))
    assert urgency(run.outcome.disposition) >= urgency(expected_disposition(truth))


# --- 4. questions that cannot change the outcome are not asked -----------------------


@settings(deadline=None, max_examples=300)
@given(language=st.sampled_from(LANGUAGES), patient=patients())
def test_no_question_is_asked_once_the_outcome_is_decided(
    library: Library, language: str, patient: tuple[dict[str, object], frozenset[str]]
) -> None:
    facts, unknown = patient
    run = run_triage(library, language, facts, unknown)
    note(_describe(run, facts, unknown))
    _assert_only_questions_that_matter(run)


COLLECTED = (
    "age",
    "pain_duration_days",
    "leg_pain_below_knee",
    "leg_numbness_tingling",
    "leg_weakness",
)
"""Brief, "What triage collects on every path": asked after a gp_today or gp_soon
result too, before the advice (they can only add to the summary)."""
HISTORY_PARTNERS = {
    "cancer_history": CANCER_PARTNERS,
    "immunosuppression": ("feeling_unwell",),
    "iv_drug_use": ("feeling_unwell",),
}


def _same_day_stage(facts: Mapping[str, object]) -> set[str]:
    """Brief, "Order of questions" stage 2: a gp_today result waits until it is done."""
    stage = {*SAME_DAY, *HISTORY_PARTNERS}
    for history, partners in HISTORY_PARTNERS.items():
        if facts.get(history) is True:
            stage.update(partners)
    return stage


def _assert_only_questions_that_matter(run: TriageRun) -> None:
    given_facts: dict[str, object] = {}
    given_unknown: set[str] = set()
    for answer in run.outcome.answers:
        decided = _decided(given_facts, given_unknown)
        if decided == "emergency":
            raise AssertionError(f"'{answer.concept}' was asked after an emergency answer")
        allowed = (
            decided is None
            or answer.concept in NAMED_ONLY
            or answer.concept in COLLECTED
            or answer.concept in _same_day_stage(given_facts)
        )
        assert allowed, (
            f"'{answer.concept}' was asked although the answers before it already "
            f"fix the outcome at {decided}; asked {run.asked}"
        )
        if answer.value == UNKNOWN:
            given_unknown.add(answer.concept)
        else:
            given_facts[answer.concept] = answer.value
    if run.outcome.disposition in ("gp_today", "gp_soon"):
        missing = [c for c in COLLECTED if c not in run.asked]
        assert not missing, f"{run.outcome.disposition} without asking {missing}; asked {run.asked}"


_CLUSTER_SIGNS = [
    (),
    *[(c,) for c in NEVER_ALONE],
    ("morning_stiffness_over_1h", "night_pain"),
    ("morning_stiffness_over_1h", "better_with_movement"),
    ("morning_stiffness_over_1h", "inflammatory_history"),
    ("night_pain", "feeling_unwell"),
]


@pytest.mark.parametrize("age", [*range(0, 121), None], ids=lambda a: f"age{a}")
def test_every_age_with_cluster_signs(library: Library, age: int | None) -> None:
    """Every age (and "I don't know") with each sign that counts only in a cluster:
    the brief's disposition, and no question that could not change it."""
    language = LANGUAGES[(age or 0) % 2]
    for signs_yes in _CLUSTER_SIGNS:
        facts: dict[str, object] = {**BASE, **{c: True for c in signs_yes}}
        unknown = set()
        if age is None:
            del facts["age"]
            unknown.add("age")
        else:
            facts["age"] = age
        run = run_triage(library, language, facts, unknown)
        assert run.outcome.disposition == expected_disposition(facts, unknown), _describe(
            run, facts, unknown
        )
        _assert_only_questions_that_matter(run)


@settings(deadline=None, max_examples=200)
@given(
    language=st.sampled_from(LANGUAGES),
    patient=patients(),
    age=st.one_of(st.integers(45, 50), st.integers(51, 120), st.just(60)),
)
def test_spondyloarthritis_questions_only_under_45(
    library: Library,
    language: str,
    patient: tuple[dict[str, object], frozenset[str]],
    age: int,
) -> None:
    facts, unknown = patient
    facts = {**facts, "age": age}
    unknown = unknown - {"age"}
    run = run_triage(library, language, facts, unknown)
    note(_describe(run, facts, unknown))
    assert not set(SPA_QUESTIONS) & set(run.asked)
    if age <= 50:  # no malignancy cluster at 45-50: these can only matter in combinations
        if "night_pain" in run.asked:
            assert facts.get("cancer_history") is True
        if "feeling_unwell" in run.asked:
            assert facts.get("immunosuppression") is True or facts.get("iv_drug_use") is True


# --- 5. flags name the reasons ----------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(language=st.sampled_from(LANGUAGES), patient=patients())
def test_flags_name_answers_that_drove_the_decision(
    library: Library, language: str, patient: tuple[dict[str, object], frozenset[str]]
) -> None:
    facts, unknown = patient
    run = run_triage(library, language, facts, unknown)
    note(_describe(run, facts, unknown))
    answers = _answers(run)
    could_drive = {
        c
        for c, v in answers.items()
        if v is True or v == UNKNOWN or (isinstance(v, int) and not isinstance(v, bool))
    }
    flags = run.outcome.flags
    assert set(flags) <= could_drive, f"flags {flags} include a 'no' or a named-only answer"
    assert not set(flags) & set(NAMED_ONLY)
    if run.outcome.disposition != "self_care":
        assert flags, "advice to see a doctor without naming any reason"
    if run.outcome.disposition == "emergency":
        assert [c for c in flags if c in EMERGENCY and answers[c] is True]
    for flag in flags:
        if flag == "age":
            assert answers["age"] == UNKNOWN or not 45 <= answers["age"] <= 50
        if flag == "pain_duration_days":
            assert answers[flag] == UNKNOWN or answers[flag] > 84


# --- 6. one example per rule line of the brief ---------------------------------------

BASE = {"age": 35, "sex": "female", "pain_duration_days": 3}


def _ex(rule: str, expected: str, flags: Iterable[str] = (), unknown: Iterable[str] = (), **facts):
    return pytest.param(
        {**BASE, **facts}, frozenset(unknown), expected, tuple(flags), id=rule.replace(" ", "_")
    )


# fmt: off
RULE_EXAMPLES = [
    # emergency: each sign alone, and ahead of anything else
    *[_ex(f"emergency {c}", "emergency", [c], **{c: True}) for c in EMERGENCY],
    _ex("emergency beats same day", "emergency", ["leg_weakness_progressive"],
        leg_weakness_progressive=True, fever=True, cancer_history=True, night_pain=True),
    _ex("emergency after a doubt", "emergency", ["bowel_incontinence"],
        unknown=["saddle_numbness"], bowel_incontinence=True),
    _ex("emergency at 15", "emergency", ["saddle_numbness"], saddle_numbness=True, age=15),
    # gp_today
    *[_ex(f"gp_today {c}", "gp_today", [c], **{c: True}) for c in SAME_DAY],
    _ex("gp_today cancer+weight loss", "gp_today",
        ["cancer_history", "unexplained_weight_loss"],
        cancer_history=True, unexplained_weight_loss=True),
    _ex("gp_today cancer+night pain", "gp_today", ["cancer_history", "night_pain"],
        cancer_history=True, night_pain=True, age=30),
    _ex("gp_today cancer+constant pain", "gp_today",
        ["cancer_history", "constant_progressive_pain"],
        cancer_history=True, constant_progressive_pain=True),
    _ex("gp_today immunosuppression+unwell", "gp_today",
        ["immunosuppression", "feeling_unwell"], immunosuppression=True, feeling_unwell=True),
    _ex("gp_today iv drugs+unwell", "gp_today", ["iv_drug_use", "feeling_unwell"],
        iv_drug_use=True, feeling_unwell=True, age=22),
    _ex("gp_today cancer+immunosuppression+unwell", "gp_today", ["feeling_unwell"],
        cancer_history=True, immunosuppression=True, feeling_unwell=True),
    *[_ex(f"gp_today dont know {c}", "gp_today", [c], unknown=[c]) for c in EMERGENCY],
    _ex("gp_today trauma at 15", "gp_today", ["significant_trauma"],
        significant_trauma=True, age=15),
    # gp_soon: flags that count alone
    *[_ex(f"gp_soon {c} alone", "gp_soon", [c], **{c: True}) for c in ALONE_GP_SOON],
    _ex("gp_soon cancer+unwell is no same-day pair", "gp_soon", ["cancer_history"],
        cancer_history=True, feeling_unwell=True),
    _ex("gp_soon immunosuppression+night pain is no pair", "gp_soon", ["immunosuppression"],
        immunosuppression=True, night_pain=True),
    _ex("gp_soon pub-08 radicular", "gp_soon", ["leg_pain_below_knee"], age=41, sex="female",
        pain_duration_days=6, leg_pain_below_knee=True, leg_numbness_tingling=True,
        leg_pain_dominant=True),
    # gp_soon: malignancy cluster over 50
    _ex("gp_soon night pain at 51", "gp_soon", ["night_pain"], age=51, night_pain=True),
    _ex("gp_soon unwell at 51", "gp_soon", ["feeling_unwell"], age=51, feeling_unwell=True),
    _ex("gp_soon night pain at 57", "gp_soon", ["night_pain"], age=57, night_pain=True),
    _ex("self_care night pain at 50", "self_care", age=50, night_pain=True),
    _ex("self_care unwell at 50", "self_care", age=50, feeling_unwell=True),
    # gp_soon: spondyloarthritis cluster under 45
    _ex("gp_soon SpA 44 stiffness+night pain", "gp_soon",
        ["morning_stiffness_over_1h", "night_pain"],
        age=44, morning_stiffness_over_1h=True, night_pain=True),
    _ex("gp_soon SpA stiffness+movement", "gp_soon",
        ["morning_stiffness_over_1h", "better_with_movement"],
        age=29, morning_stiffness_over_1h=True, better_with_movement=True),
    _ex("gp_soon SpA stiffness+inflammatory", "gp_soon",
        ["morning_stiffness_over_1h", "inflammatory_history"],
        age=20, morning_stiffness_over_1h=True, inflammatory_history=True),
    _ex("self_care SpA at 45", "self_care",
        age=45, morning_stiffness_over_1h=True, night_pain=True),
    _ex("self_care stiffness alone", "self_care", age=30, morning_stiffness_over_1h=True),
    _ex("self_care SpA partners without stiffness", "self_care", age=30,
        better_with_movement=True, inflammatory_history=True, night_pain=True),
    # gp_soon: chronic pain, children
    _ex("gp_soon duration 85", "gp_soon", ["pain_duration_days"], pain_duration_days=85),
    _ex("gp_soon duration 3650", "gp_soon", ["pain_duration_days"], pain_duration_days=3650),
    _ex("self_care duration 84", "self_care", pain_duration_days=84),
    _ex("gp_soon age 15", "gp_soon", ["age"], age=15),
    _ex("gp_soon age 0", "gp_soon", ["age"], age=0),
    _ex("self_care age 16", "self_care", age=16),
    _ex("self_care age 120", "self_care", age=120),
    # never alone
    *[_ex(f"self_care {c} alone at 33", "self_care", **{c: True, "age": 33})
      for c in NEVER_ALONE],
    _ex("self_care leg pain dominant alone", "self_care", age=60, leg_pain_dominant=True),
    # unknown answers
    _ex("self_care dont know cancer", "self_care", unknown=["cancer_history"]),
    _ex("self_care dont know non-emergency signs", "self_care",
        unknown=[c for c in ALONE_GP_SOON + SAME_DAY]),
    _ex("self_care dont know age", "self_care", unknown=["age"]),
    _ex("self_care dont know duration", "self_care", unknown=["pain_duration_days"]),
    _ex("gp_soon age unknown + night pain", "gp_soon", ["night_pain"], unknown=["age"],
        night_pain=True),
    _ex("gp_soon age unknown + unwell", "gp_soon", ["feeling_unwell"], unknown=["age"],
        feeling_unwell=True),
    _ex("gp_soon age unknown + SpA", "gp_soon", ["morning_stiffness_over_1h"], unknown=["age"],
        morning_stiffness_over_1h=True, better_with_movement=True),
    # public vignettes
    _ex("self_care pub-14 35 days", "self_care", age=36, sex="male", pain_duration_days=35),
    _ex("gp_soon pub-15 120 days", "gp_soon", ["pain_duration_days"], age=48, sex="male",
        pain_duration_days=120),
    _ex("gp_today pub-13", "gp_today", ["saddle_numbness"], unknown=["saddle_numbness"], age=50),
]
# fmt: on


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("facts", "unknown", "expected", "flags"), RULE_EXAMPLES)
def test_rule_example(
    library: Library,
    language: str,
    facts: dict[str, object],
    unknown: frozenset[str],
    expected: str,
    flags: tuple[str, ...],
) -> None:
    facts = {c: v for c, v in facts.items() if c not in unknown}
    assert expected_disposition(facts, unknown) == expected, "the oracle misreads the brief"
    run = run_triage(library, language, facts, unknown)
    assert run.outcome.disposition == expected, _describe(run, facts, unknown)
    missing = set(flags) - set(run.outcome.flags)
    assert not missing, f"reasons {sorted(missing)} not named; {_describe(run, facts, unknown)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_physiotherapist_advice_from_three_weeks_without_changing_disposition(
    library: Library, language: str
) -> None:
    def outcome(days: int):
        return run_triage(library, language, {**BASE, "pain_duration_days": days}).outcome

    early, three_weeks, late, chronic = outcome(20), outcome(21), outcome(84), outcome(85)
    assert early.disposition == three_weeks.disposition == late.disposition == "self_care"
    assert chronic.disposition == "gp_soon"
    assert set(three_weeks.messages) - set(early.messages), "no extra advice from day 21"
    assert three_weeks.messages == late.messages
    assert early.messages == outcome(3).messages


# --- 7. numbers are asked again, never guessed -------------------------------------


def _session_at(library: Library, language: str, concept: str):
    session = library.session("triage", language)
    turn = session.start()
    answers = {"age": "35", "sex": "female", "pain_duration_days": "3"}
    while turn.question is not None and turn.question.concept != concept:
        if turn.question.answer_type == "yes_no":
            turn = session.choose("no")
        elif turn.question.answer_type == "choice":
            turn = session.choose(answers[turn.question.concept])
        else:
            turn = session.answer(answers[turn.question.concept])
    assert turn.question is not None, f"never asked about {concept}"
    return session, turn


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("concept", "typed"),
    [
        ("age", "-1"),
        ("age", "121"),
        ("age", "abc"),
        ("age", "35.5"),
        ("age", "1e2"),
        ("pain_duration_days", "3651"),
        ("pain_duration_days", "-3"),
        ("pain_duration_days", "3 weeks"),
    ],
)
def test_bad_number_is_asked_again(
    library: Library, language: str, concept: str, typed: str
) -> None:
    session, _ = _session_at(library, language, concept)
    turn = session.answer(typed)
    assert turn.problem, f"{typed!r} for {concept} was accepted"
    assert turn.question is not None and turn.question.concept == concept
    assert concept not in {session.flow.questions()[q].concept for q in session.asked}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("120", 120), (" 51 ", 51), ("51.", 51)])
def test_valid_age_is_taken_as_typed(
    library: Library, language: str, typed: str, value: int
) -> None:
    session, _ = _session_at(library, language, "age")
    turn = session.answer(typed)
    assert turn.problem is None
    assert session.answers["age"] == value


# --- 8. the oracle agrees with the published vignettes -------------------------------

_VIGNETTES = Path(
    os.environ.get("COMPANION_VIGNETTES")
    or Path(__file__).resolve().parents[2] / "shared" / "vignettes" / "triage"
)
_VIGNETTE_FILES = sorted(_VIGNETTES.glob("*.json")) if _VIGNETTES.is_dir() else []


@pytest.mark.skipif(not _VIGNETTE_FILES, reason=f"no vignettes in {_VIGNETTES}")
def test_oracle_agrees_with_published_vignettes() -> None:
    wrong = []
    for path in _VIGNETTE_FILES:
        vignette = json.loads(path.read_text(encoding="utf-8"))
        expected = (vignette.get("expect") or {}).get("disposition")
        if expected is None:
            continue
        facts = dict(vignette.get("facts", {}))
        unknown = set(vignette.get("unknown", []))
        if vignette.get("unspecified") == "unknown":
            unknown |= {c for c in ALL_CONCEPTS if c not in facts}
        got = expected_disposition(facts, unknown)
        if got != expected:
            wrong.append(f"{vignette['id']}: oracle {got}, vignette {expected}")
    assert not wrong, "\n".join(wrong)
