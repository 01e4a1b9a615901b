"""What the patient is told at the end, per language and region.

Emergency advice names 112; in Belgium the out-of-hours GP number 1733 is
given for emergency and same-day advice; in the Netherlands there is no 1733
and the huisartsenpost is named instead. Every result lists the answers that
led to it, and no text shows a raw key or an unfilled {placeholder}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from companion.dialogue.conditions import UNKNOWN
from companion.dialogue.engine import ANSWER_LABELS, Outcome, Session, Turn
from companion.resources import builtin_library

LANGUAGES = ["nl", "fr"]
REGIONS = ["NL", "BE"]

# Answers per disposition, by concept; unlisted questions get "no" (yes/no),
# the first choice, or the numbers below.
ADULT = {"age": "38", "pain_duration_days": "3"}
STORIES: dict[str, dict[str, str]] = {
    "emergency": {"saddle_numbness": "yes"},
    "gp_today": {"fever": "yes"},
    "gp_soon": {**ADULT, "long_term_corticosteroids": "yes"},
    "self_care": ADULT,
}
DRIVER = {
    "emergency": "saddle_numbness",
    "gp_today": "fever",
    "gp_soon": "long_term_corticosteroids",
}
# What the French region words call the Dutch out-of-hours GP service.
NL_OUT_OF_HOURS = {"nl": "huisartsenpost", "fr": "poste de garde"}
PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")


@dataclass
class Conversation:
    session: Session
    outcome: Outcome
    shown: list[str] = field(default_factory=list)
    """Every text the patient saw, in order (questions, labels, messages)."""

    @property
    def text(self) -> str:
        return "\n".join(self.outcome.messages)


def converse(language: str, region: str, answers: dict[str, str]) -> Conversation:
    session = builtin_library().session("triage", language, region)
    shown: list[str] = []

    def see(turn: Turn) -> None:
        shown.extend(turn.messages)
        if turn.problem:
            shown.append(turn.problem)
        if turn.question:
            shown.append(turn.question.text)
            shown.extend(c.label for c in turn.question.choices)
            if turn.question.help:
                shown.append(turn.question.help)
        if turn.outcome:
            shown.extend(turn.outcome.messages)
            for answer in turn.outcome.answers:
                shown.extend([answer.question_text, answer.shown])

    turn = session.start()
    see(turn)
    for _ in range(60):
        if turn.outcome is not None:
            return Conversation(session, turn.outcome, shown)
        question = turn.question
        assert question is not None
        values = [c.value for c in question.choices]
        reply = answers.get(question.concept)
        if reply is None:
            turn = session.choose("no" if question.answer_type == "yes_no" else values[0])
        elif reply in values:
            turn = session.choose(reply)
        else:
            turn = session.answer(reply)
        assert turn.problem is None, f"{question.concept}: {reply!r} refused: {turn.problem}"
        see(turn)
    raise AssertionError("no outcome")


CASES = [
    pytest.param(lang, region, disposition, id=f"{lang}-{region}-{disposition}")
    for lang in LANGUAGES
    for region in REGIONS
    for disposition in STORIES
]


@pytest.mark.parametrize(("language", "region", "disposition"), CASES)
def test_outcome_texts(language: str, region: str, disposition: str) -> None:
    talk = converse(language, region, STORIES[disposition])
    outcome = talk.outcome
    assert outcome.disposition == disposition
    assert talk.session.region == region
    assert outcome.messages, "the patient must be told what to do"
    assert all(m.strip() for m in outcome.messages)

    if disposition == "emergency":
        assert "112" in talk.text
    if region == "BE" and disposition in ("emergency", "gp_today"):
        assert "1733" in talk.text
    if region == "NL":
        assert "1733" not in talk.text, "1733 is a Belgian number"
        if disposition in ("emergency", "gp_today"):
            assert NL_OUT_OF_HOURS[language] in talk.text


@pytest.mark.parametrize(("language", "region", "disposition"), CASES)
def test_outcome_lists_the_answers_behind_it(language: str, region: str, disposition: str) -> None:
    talk = converse(language, region, STORIES[disposition])
    outcome = talk.outcome
    session = talk.session
    assert [a.question for a in outcome.answers] == session.asked
    assert [a.concept for a in outcome.answers] == [
        session.flow.questions()[q].concept for q in session.asked
    ]
    assert all(a.question_text.strip() and a.shown.strip() for a in outcome.answers)

    if disposition == "self_care":
        assert outcome.reasons == []
        assert outcome.flags == []
        return
    concept = DRIVER[disposition]
    assert outcome.flags == [concept]
    (reason,) = outcome.reasons
    assert reason.concept == concept
    assert reason.value is True
    assert reason.shown == session.texts.ui(ANSWER_LABELS["yes"])
    question = session.flow.questions()[reason.question]
    assert reason.question_text == session.texts.text(question.text)


@pytest.mark.parametrize(("language", "region", "disposition"), CASES)
def test_no_raw_keys_or_unfilled_placeholders(language: str, region: str, disposition: str) -> None:
    talk = converse(language, region, STORIES[disposition])
    keys = set(builtin_library().content.languages[language].texts)
    for text in talk.shown:
        assert not PLACEHOLDER.search(text), f"unfilled placeholder in {text!r}"
        assert text not in keys, f"raw key shown: {text!r}"
        for key in keys:
            if key.startswith(("end.", "triage.", "ui.")):
                assert key not in text, f"raw key {key!r} in {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("region", REGIONS)
def test_dont_know_to_emergency_question_explains_why(language: str, region: str) -> None:
    unsure = converse(language, region, {"bowel_incontinence": UNKNOWN})
    fever = converse(language, region, STORIES["gp_today"])
    assert unsure.outcome.disposition == "gp_today"
    assert unsure.outcome.unknown[0] == "bowel_incontinence"
    assert unsure.outcome.flags == ["bowel_incontinence"]
    (reason,) = unsure.outcome.reasons
    assert reason.shown == unsure.session.texts.ui(ANSWER_LABELS[UNKNOWN])
    extra = set(unsure.outcome.messages) - set(fever.outcome.messages)
    assert extra, "the unsure result says why a same-day visit is advised"
    if region == "BE":
        assert "1733" in unsure.text
    else:
        assert "1733" not in unsure.text
        assert NL_OUT_OF_HOURS[language] in unsure.text


@pytest.mark.parametrize("disposition", list(STORIES))
def test_languages_and_regions_give_different_texts(disposition: str) -> None:
    texts = {
        (lang, region): converse(lang, region, STORIES[disposition]).outcome.messages
        for lang in LANGUAGES
        for region in REGIONS
    }
    assert texts[("nl", "NL")] != texts[("fr", "NL")]
    assert texts[("nl", "BE")] != texts[("fr", "BE")]
    if disposition in ("emergency", "gp_today"):
        assert texts[("nl", "NL")] != texts[("nl", "BE")]
        assert texts[("fr", "NL")] != texts[("fr", "BE")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_default_regions(language: str) -> None:
    session = builtin_library().session("triage", language)
    assert session.region == {"nl": "NL", "fr": "BE"}[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_physiotherapist_advice_after_three_weeks(language: str) -> None:
    short = converse(language, "BE", {**ADULT, "pain_duration_days": "3"}).outcome
    longer = converse(language, "BE", {**ADULT, "pain_duration_days": "30"}).outcome
    assert short.disposition == longer.disposition == "self_care"
    added = [m for m in longer.messages if m not in short.messages]
    assert len(added) == 1
    assert added[0] == builtin_library().content.localizer(language, "BE").text(
        "end.self_care.physiotherapist"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"age": "14"}, "end.gp_soon.under_16"),
        ({"pain_duration_days": "100"}, "end.gp_soon.long_lasting"),
    ],
    ids=["under-16", "over-12-weeks"],
)
def test_gp_soon_says_why_for_age_and_duration(
    language: str, answers: dict[str, str], key: str
) -> None:
    outcome = converse(language, "NL", {**ADULT, **answers}).outcome
    assert outcome.disposition == "gp_soon"
    texts = builtin_library().content.localizer(language, "NL")
    assert texts.text(key) in outcome.messages
    assert outcome.flags == [next(iter(answers))]
