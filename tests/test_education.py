"""The education flow (clinical brief section 3): every theme reaches the patient,
the answers really tailor what is shown, the flow always ends, and the plain
driver goes on from triage into education."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.dialogue.conditions import UNKNOWN, AnswerValue
from companion.dialogue.engine import ANSWER_LABELS, MAX_ATTEMPTS, Outcome, Session, Turn
from companion.plain import run_plain
from companion.present import ANSWERS_HEADING, GOODBYE, INPUT_CLOSED
from companion.resources import Library, builtin_library
from companion.texts.content import Localizer
from tests.patients import typed_patient

LANGUAGES = ("nl", "fr")
LOCALES = (("nl", "NL"), ("nl", "BE"), ("fr", "BE"), ("fr", "NL"))
FLOW = "education"


# --- running the flow ----------------------------------------------------------------


@dataclass
class Run:
    shown: list[str]
    """Every message, question and outcome message, in order."""
    outcome: Outcome
    answers_given: int
    texts: Localizer

    def has(self, key: str) -> bool:
        return self.texts.text(key) in self.shown


Answers = Mapping[str, str] | Callable[[Turn], str]


def run_education(
    library: Library,
    language: str,
    region: str | None,
    answers: Answers,
    inputs: Mapping[str, AnswerValue] | None = None,
    max_answers: int = 100,
) -> Run:
    """Answers each question by its state id (button values: yes, no, unknown, options).

    Questions missing from a mapping are answered "unknown".
    """
    texts = library.content.localizer(language, region)
    session = Session(library.flows[FLOW], texts, inputs=dict(inputs or {}))
    turn = session.start()
    shown: list[str] = []
    given_count = 0
    while True:
        shown += turn.messages
        if turn.outcome is not None:
            shown += turn.outcome.messages
            return Run(shown, turn.outcome, given_count, texts)
        question = turn.question
        assert question is not None
        shown.append(question.text)
        assert given_count < max_answers, "the education flow does not end"
        if callable(answers):
            turn = session.answer(answers(turn))
        else:
            turn = session.choose(answers.get(question.id, UNKNOWN))
        given_count += 1


YES_TO_ALL = {
    "had_back_pain_before": "yes",
    "worry_serious": "yes",
    "wants_imaging": "yes",
    "moving_harmful": "yes",
    "bed_rest_good": "yes",
    "hard_to_get_up": "yes",
    "painkillers": "when_needed",
    "work": "off_work",
    "long_sitting": "yes",
    "usually_active": "yes",
}
NO_TO_ALL = {
    "had_back_pain_before": "no",
    "worry_serious": "no",
    "wants_imaging": "no",
    "moving_harmful": "no",
    "bed_rest_good": "no",
    "hard_to_get_up": "no",
    "painkillers": "fixed_times",
    "work": "working",
    "long_sitting": "no",
    "usually_active": "no",
}
OTHERS = {"painkillers": "none", "work": "no_paid_work"}  # the rest: "I don't know"

# A few answer paths, with different triage inputs: together they must show every theme.
PATHS: tuple[tuple[Mapping[str, str], dict[str, AnswerValue]], ...] = (
    (YES_TO_ALL, {"disposition": "self_care", "pain_duration_days": 3}),
    (NO_TO_ALL, {"disposition": "gp_soon", "pain_duration_days": 30}),
    (OTHERS, {"disposition": "self_care"}),
)

# Clinical brief section 3, theme -> the text keys that carry it. Every key must be
# shown on at least one of PATHS, in every language and region.
THEMES: dict[str, tuple[str, ...]] = {
    "pain is real, rarely a sign of damage or disease": (
        "edu.pain.real",
        "edu.pain.worried",
        "edu.pain.not_worried",
    ),
    "movement is safe, pain while moving is no harm": ("edu.moving.fear", "edu.moving.confirm"),
    "keep moving, carry on with daily activities and work": (
        "edu.keep_moving",
        "edu.daily.no_work",
        "edu.work.stay",
    ),
    "bed rest does not speed recovery; a day or two if needed; getting up": (
        "edu.bed_rest.correct",
        "edu.bed_rest.confirm",
        "edu.bed_rest.if_needed",
        "edu.get_up",
    ),
    "no need to wait until the pain is gone": ("edu.keep_moving", "edu.work.return"),
    "X-rays and scans rarely help; changes are common without pain": (
        "edu.imaging.full",
        "edu.imaging.grey_hair",
        "edu.imaging.short",
        "edu.imaging.when_useful",
        "edu.imaging.gp_decides",
    ),
    "painkillers help to keep moving: fixed times, paracetamol first, limits": (
        "edu.painkillers.fixed_ok",
        "edu.painkillers.when_needed",
        "edu.painkillers.none",
        "edu.painkillers.which",
        "edu.painkillers.limits",
    ),
    "most recover within weeks; recurrences are common and not dangerous": (
        "edu.course",
        "edu.course.longer",
        "edu.before.yes",
        "edu.active.yes",
        "edu.active.no",
    ),
    "worry, stress and fear slow recovery; talking helps": ("edu.worry", "edu.worry.stress"),
    "staying at or returning to (adapted) work helps": (
        "edu.work.stay",
        "edu.work.return",
        "edu.work.contact",
    ),
    "KCE Kader 3: strong, sensitive, moving strengthens, sparing worsens": (
        "edu.back.strong",
        "edu.moving.stronger",
        "edu.imaging.grey_hair",
        "edu.closing",
    ),
    "what to do when: GP, alarm signs, physiotherapist, posture": (
        "edu.when.gp",
        "edu.when.gp_soon",
        "edu.when.alarm",
        "edu.when.physio",
        "edu.when.physio_ask_gp",
        "edu.posture",
    ),
}

# Facts each theme's texts must state, in the words of each language.
THEME_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "painkillers help to keep moving: fixed times, paracetamol first, limits": {
        "nl": ("paracetamol", "ibuprofen", "vaste tijden", "12 weken", "apotheker"),
        "fr": (
            "paracétamol",
            "ibuprofène",
            "anti-inflammatoire",
            "heures fixes",
            "12 semaines",
            "pharmacien",
        ),
    },
    "X-rays and scans rarely help; changes are common without pain": {
        "nl": ("grijze haren", "zonder rugpijn"),
        "fr": ("cheveux gris", "sans mal de dos"),
    },
    "what to do when: GP, alarm signs, physiotherapist, posture": {
        "nl": ("112", "20 tot 30 minuten", "therapeut"),  # fysio- (NL), kinesi- (BE)
        "fr": ("112", "20 à 30 minutes", "kinésithérapeute"),
    },
    "bed rest does not speed recovery; a day or two if needed; getting up": {
        "nl": ("twee dagen", "zij"),
        "fr": ("un jour ou deux", "côté"),
    },
}


def all_paths(library: Library, language: str, region: str | None) -> list[Run]:
    return [run_education(library, language, region, a, inputs) for a, inputs in PATHS]


# --- every theme is shown ---------------------------------------------------------------


@pytest.mark.parametrize(("language", "region"), LOCALES)
def test_every_theme_is_shown_on_some_path(library: Library, language: str, region: str) -> None:
    runs = all_paths(library, language, region)
    shown = {text for run in runs for text in run.shown}
    texts = runs[0].texts
    for theme, keys in THEMES.items():
        for key in keys:
            assert texts.text(key) in shown, f"{theme}: '{key}' is never shown"
        theme_text = " ".join(texts.text(key) for key in keys)
        for word in THEME_WORDS.get(theme, {}).get(language, ()):
            assert word in theme_text, f"{theme}: '{word}' missing in {language}"


def test_every_theme_key_is_a_key_of_the_flow(library: Library) -> None:
    used = {key for _, key in library.flows[FLOW].flow.text_keys()}
    assert {key for keys in THEMES.values() for key in keys} <= used


@pytest.mark.parametrize("language", LANGUAGES)
def test_safety_net_and_closing_on_every_path(library: Library, language: str) -> None:
    for run in all_paths(library, language, None):
        assert run.outcome.disposition is None
        assert run.has("edu.when.alarm")
        assert run.has("edu.closing")
        assert run.outcome.messages[-1] == run.texts.text("edu.closing")


# --- tailoring -------------------------------------------------------------------------


def _with(base: Mapping[str, str], **changes: str) -> dict[str, str]:
    return {**base, **changes}


@pytest.mark.parametrize("language", LANGUAGES)
def test_bed_rest_belief_yes_is_corrected_no_is_confirmed(library: Library, language: str) -> None:
    yes = run_education(library, language, None, _with(NO_TO_ALL, bed_rest_good="yes"))
    no = run_education(library, language, None, _with(NO_TO_ALL, bed_rest_good="no"))
    assert yes.has("edu.bed_rest.correct") and not yes.has("edu.bed_rest.confirm")
    assert no.has("edu.bed_rest.confirm") and not no.has("edu.bed_rest.correct")
    assert yes.shown != no.shown
    # "I don't know" gets the explanation too.
    unknown = run_education(library, language, None, _with(NO_TO_ALL, bed_rest_good=UNKNOWN))
    assert unknown.has("edu.bed_rest.correct")


@pytest.mark.parametrize("language", LANGUAGES)
def test_wanting_a_scan_shows_the_imaging_message_in_full(library: Library, language: str) -> None:
    wants = run_education(library, language, None, _with(NO_TO_ALL, wants_imaging="yes"))
    not_wanted = run_education(library, language, None, _with(NO_TO_ALL, wants_imaging="no"))
    for key in ("edu.imaging.full", "edu.imaging.grey_hair"):
        assert wants.has(key)
        assert not not_wanted.has(key)
    assert not_wanted.has("edu.imaging.short") and not wants.has("edu.imaging.short")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("situation", ["working", "off_work"])
def test_a_worker_sees_the_work_text_a_non_worker_does_not(
    library: Library, language: str, situation: str
) -> None:
    work_keys = ("edu.work.stay", "edu.work.return", "edu.work.contact")
    worker = run_education(library, language, None, _with(NO_TO_ALL, work=situation))
    assert any(worker.has(key) for key in work_keys)
    assert not worker.has("edu.daily.no_work")
    for other in ("no_paid_work", UNKNOWN):
        non_worker = run_education(library, language, None, _with(NO_TO_ALL, work=other))
        for key in work_keys:
            assert not non_worker.has(key), key
        assert non_worker.has("edu.daily.no_work")
    if situation == "off_work":
        assert worker.has("edu.work.return") and worker.has("edu.work.contact")
        occupational = worker.texts.variables["occupational_physician"]
        assert any(occupational in text for text in worker.shown)


@pytest.mark.parametrize("language", LANGUAGES)
def test_fear_of_moving_gets_the_fear_and_worry_messages(library: Library, language: str) -> None:
    afraid = run_education(library, language, None, _with(NO_TO_ALL, moving_harmful="yes"))
    at_ease = run_education(library, language, None, NO_TO_ALL)
    assert afraid.has("edu.moving.fear") and afraid.has("edu.worry")
    assert not at_ease.has("edu.moving.fear") and not at_ease.has("edu.worry")
    assert at_ease.has("edu.moving.confirm") and at_ease.has("edu.worry.stress")


@pytest.mark.parametrize("language", LANGUAGES)
def test_painkiller_answer_picks_the_message(library: Library, language: str) -> None:
    keys = {
        "fixed_times": "edu.painkillers.fixed_ok",
        "when_needed": "edu.painkillers.when_needed",
        "none": "edu.painkillers.none",
    }
    for option, key in keys.items():
        run = run_education(library, language, None, _with(NO_TO_ALL, painkillers=option))
        assert run.has(key)
        assert [other for other in keys.values() if run.has(other)] == [key]
        assert run.has("edu.painkillers.which"), "which painkillers: on every path"


@pytest.mark.parametrize("language", LANGUAGES)
def test_gp_soon_adds_until_you_see_your_gp(library: Library, language: str) -> None:
    soon = run_education(library, language, None, NO_TO_ALL, {"disposition": "gp_soon"})
    self_care = run_education(library, language, None, NO_TO_ALL, {"disposition": "self_care"})
    for key in ("edu.intro.gp_soon", "edu.when.gp_soon", "edu.imaging.gp_decides"):
        assert soon.has(key) and not self_care.has(key), key
    assert self_care.has("edu.when.gp") and not soon.has("edu.when.gp")
    assert soon.shown[0] == soon.texts.text("edu.intro")
    assert soon.shown[1] == soon.texts.text("edu.intro.gp_soon"), "framing comes first"


@pytest.mark.parametrize("language", LANGUAGES)
def test_pain_duration_changes_the_course_message(library: Library, language: str) -> None:
    def run(days: AnswerValue | None) -> Run:
        inputs: dict[str, AnswerValue] = {"disposition": "gp_soon"}
        if days is not None:
            inputs["pain_duration_days"] = days
        return run_education(library, language, None, NO_TO_ALL, inputs)

    fresh, weeks, chronic = run(3), run(30), run(100)
    assert fresh.has("edu.course") and not fresh.has("edu.course.longer")
    assert weeks.has("edu.course.longer") and weeks.has("edu.when.physio_ask_gp")
    assert not weeks.has("edu.when.physio")
    assert chronic.has("edu.course.chronic") and not chronic.has("edu.course")
    assert chronic.has("edu.painkillers.long") and not chronic.has("edu.painkillers.limits")
    for unknown in (run(None), run(UNKNOWN)):
        assert unknown.has("edu.course") and unknown.has("edu.when.physio")
        assert not unknown.has("edu.course.longer") and not unknown.has("edu.course.chronic")


# --- it always ends ----------------------------------------------------------------------

GARBAGE = st.text(alphabet="abcxyz?!# ", min_size=0, max_size=8)


@settings(deadline=None, max_examples=150)
@given(
    data=st.data(),
    language=st.sampled_from(LANGUAGES),
    region=st.sampled_from(["NL", "BE"]),
    disposition=st.sampled_from(["self_care", "gp_soon", None]),
    days=st.one_of(st.none(), st.just(UNKNOWN), st.integers(min_value=0, max_value=3650)),
)
def test_random_answers_end_without_disposition_in_bounded_turns(
    data: st.DataObject,
    language: str,
    region: str,
    disposition: str | None,
    days: AnswerValue | None,
) -> None:
    library = builtin_library()
    inputs: dict[str, AnswerValue] = {}
    if disposition is not None:
        inputs["disposition"] = disposition
    if days is not None:
        inputs["pain_duration_days"] = days

    def patient(turn: Turn) -> str:
        assert turn.question is not None
        buttons = [str(n) for n in range(1, len(turn.question.choices) + 1)]
        labels = [choice.label for choice in turn.question.choices]
        return data.draw(st.one_of(st.sampled_from(buttons + labels), GARBAGE))

    flow = library.flows[FLOW].flow
    bound = len(flow.questions()) * MAX_ATTEMPTS
    run = run_education(library, language, region, patient, inputs, max_answers=bound)
    assert run.outcome.disposition is None
    assert run.outcome.end_state in flow.states
    assert len(run.outcome.answers) <= len(flow.questions())
    assert run.has("edu.when.alarm") and run.has("edu.closing")
    assert all(text.strip() and "{" not in text for text in run.shown)


def test_a_conversation_is_8_to_15_turns(library: Library) -> None:
    for answers, inputs in PATHS:
        run = run_education(library, "nl", None, answers, inputs)
        assert 8 <= run.answers_given + 1 <= 15


# --- the texts themselves ------------------------------------------------------------

# KCE Kader 2 (003:492-516): messages that harm. Not even negated in education texts.
HARMFUL = {
    "nl": r"beschadig|schade|slijt|versleten|voorzichtig|kalm aan|rustig aan|verzwakt|"
    r"bukken|tillen|stop als|leiden door de pijn|rolstoel|artrose|hernia|degenerat|kapot",
    "fr": r"abîm|endommag|\busée?s?\b|\busure\b|prudent|doucement|affaibli|pencher|soulever|"
    r"arrêtez|guider par|fauteuil roulant|arthrose|hernie|dégénér|lésion",
}
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def education_texts(library: Library) -> Iterable[tuple[str, str, str, str]]:
    keys = sorted({key for _, key in library.flows[FLOW].flow.text_keys()})
    for language, region in LOCALES:
        texts = library.content.localizer(language, region)
        for key in keys:
            yield language, region, key, texts.text(key)


def test_no_harmful_kader_2_wording(library: Library) -> None:
    for language, region, key, text in education_texts(library):
        match = re.search(HARMFUL[language], text, re.IGNORECASE)
        assert match is None, f"{language}-{region} {key}: '{match.group(0)}' in {text!r}"


def test_short_sentences(library: Library) -> None:
    """B1 (004:729): no sentence over 20 words, on average at most 12 per message."""
    for language, region, key, text in education_texts(library):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if WORD.search(s)]
        lengths = [len(WORD.findall(s)) for s in sentences]
        assert max(lengths) <= 20, f"{language}-{region} {key}: a sentence of {max(lengths)}"
        average = sum(lengths) / len(lengths)
        assert average <= 12, f"{language}-{region} {key}: {average:.1f} words per sentence"


def test_medical_texts_name_their_source(library: Library) -> None:
    plain_keys = {"edu.intro"}
    flow = library.flows[FLOW].flow
    options = {
        key
        for q in flow.questions().values()
        if q.answer.type == "choice"
        for key in getattr(q.answer, "options", {}).values()
    }
    for language in LANGUAGES:
        texts = library.content.localizer(language)
        for _, key in flow.text_keys():
            if key in plain_keys or key in options:
                continue
            assert texts.entry(key).source, f"{language} {key} has no source"


# --- the plain driver goes on into education ----------------------------------------------


class Script:
    """``ask`` answers the last question shown, by its text; ``say`` collects lines."""

    def __init__(self, reply: Callable[[list[str]], str], limit: int = 80) -> None:
        self.reply = reply
        self.limit = limit
        self.lines: list[str] = []

    def ask(self, prompt: str) -> str:
        self.limit -= 1
        if self.limit < 0:
            raise EOFError
        return self.reply(self.lines)

    def say(self, line: str) -> None:
        self.lines.append(line)


def patient(
    library: Library, language: str, by_concept: Mapping[str, str]
) -> Callable[[list[str]], str]:
    """Replies as typed text to the last question shown: by concept, else the "no" word."""
    no = library.content.localizer(language).ui(ANSWER_LABELS["no"])
    return typed_patient(language, by_concept, no, ("triage", FLOW), library)


TRIAGE_SELF_CARE = {"age": "40", "sex": "1", "pain_duration_days": "4"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_goes_from_self_care_triage_into_education(library: Library, language: str) -> None:
    answers = {
        **TRIAGE_SELF_CARE,
        "belief_bed_rest": library.content.localizer(language).ui(ANSWER_LABELS["yes"]),
    }
    script = Script(patient(library, language, answers))
    assert run_plain(library, language, None, script.ask, script.say) == 0
    texts = library.content.localizer(language)
    lines = script.lines
    title = lines.index(texts.text("end.self_care.title"))
    intro = lines.index(texts.text("edu.intro"))
    assert title < intro, "education follows the triage advice"
    assert texts.text("edu.intro.gp_soon") not in lines
    assert texts.text("edu.bed_rest.correct") in lines[intro:], "typed answers tailor the text"
    assert texts.text("edu.closing") in lines[intro:]
    assert lines[-1] == texts.ui(GOODBYE)
    assert lines.count(texts.ui(GOODBYE)) == 1
    assert texts.ui(ANSWERS_HEADING) not in lines[intro:], (
        "education ends without a summary of answers"
    )


def test_plain_gp_soon_triage_frames_education_until_the_gp(library: Library) -> None:
    answers = {**TRIAGE_SELF_CARE, "leg_pain_below_knee": "ja"}
    script = Script(patient(library, "nl", answers))
    assert run_plain(library, "nl", "BE", script.ask, script.say) == 0
    texts = library.content.localizer("nl", "BE")
    lines = script.lines
    assert lines.index(texts.text("end.gp_soon.title")) < lines.index(texts.text("edu.intro"))
    assert texts.text("edu.intro.gp_soon") in lines
    assert texts.text("edu.when.gp_soon") in lines
    assert texts.text("edu.when.physio") in lines
    assert texts.text("edu.course.longer") not in lines


def test_plain_passes_the_pain_duration_on(library: Library) -> None:
    script = Script(patient(library, "fr", {**TRIAGE_SELF_CARE, "pain_duration_days": "20"}))
    assert run_plain(library, "fr", None, script.ask, script.say) == 0
    texts = library.content.localizer("fr")
    assert texts.text("edu.course.longer") in script.lines


def test_plain_emergency_gets_no_education(library: Library) -> None:
    script = Script(patient(library, "nl", {"saddle_numbness": "ja"}))
    assert run_plain(library, "nl", None, script.ask, script.say) == 0
    texts = library.content.localizer("nl")
    assert texts.text("end.emergency.title") in script.lines
    assert texts.text("edu.intro") not in script.lines
    assert script.lines[-1] == texts.ui(GOODBYE)


def test_plain_input_ending_during_education_still_says_goodbye(library: Library) -> None:
    counting = patient(library, "nl", TRIAGE_SELF_CARE)
    script = Script(counting)
    session = library.session("triage", "nl")
    turn = session.start()
    triage_answers = 0
    while not turn.finished:
        assert turn.question is not None
        turn = session.answer(TRIAGE_SELF_CARE.get(turn.question.concept, "nee"))
        triage_answers += 1
    script.limit = triage_answers + 2  # two education answers, then the input ends
    assert run_plain(library, "nl", None, script.ask, script.say) == 0
    texts = library.content.localizer("nl")
    assert texts.text("edu.intro") in script.lines
    assert texts.text("edu.closing") not in script.lines
    assert texts.text(INPUT_CLOSED) not in script.lines
    assert script.lines[-1] == texts.ui(GOODBYE)
