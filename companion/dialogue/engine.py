"""The dialogue engine: a session takes an answer and returns the next turn.

The engine is pure: no printing, no files, no clock, no globals. One
:class:`CompiledFlow` wraps one ``transitions`` machine per flow, shared by
every session of that flow (sessions are the machine's models, stepped
through ``Event.trigger``), so thousands of sessions cost little memory.

User input never raises: text that is not understood is answered with a
re-ask turn; after :data:`MAX_ATTEMPTS` failed tries the question is recorded
as "I don't know", which the flows treat conservatively (an unanswered
emergency question never leads to self-care). An answer that leaves a doubt
("nee, maar het tintelt") gets one follow-up question that names it; a number
converted from another unit is shown back ("3 weken = 21 dagen") and the next
input may correct it ("nee, 2 weken") without an extra question.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from transitions import EventData, Machine

from companion.dialogue.answers import (
    REASK_CHOICE,
    REASK_EMPTY,
    REASK_TOO_LONG,
    REASK_YES_NO_ONLY,
    Accepted,
    FollowUp,
    Interpretation,
    NumberRead,
    Rejected,
    Vocabulary,
    YesNoWords,
    interpret_choice,
    interpret_number,
    interpret_yes_no,
    unknown_vocabulary,
    yes_no_words,
)
from companion.dialogue.conditions import UNKNOWN, AnswerValue, Condition
from companion.dialogue.flow import (
    ChoiceAnswer,
    EndState,
    Flow,
    FlowError,
    ListItem,
    NumberAnswer,
    QuestionState,
    TextAnswer,
    YesNoAnswer,
    graph_problems,
)
from companion.dialogue.numbers import NumberReader
from companion.dialogue.yes_no import Reading
from companion.texts.content import Localizer
from companion.texts.i18n import N_, N_plural

MAX_ATTEMPTS = 3
"""Failed tries at one question before it is recorded as "I don't know"."""
MAX_TYPED_CHARACTERS = 300
"""A typed answer longer than this is asked again in short: an answer is a few words, and
reading thousands of characters word by word would let one message hold up a served app."""

ADVANCE = "advance"

# Interface texts the engine shows (gettext msgids, see companion/texts/i18n.py); the
# re-ask messages are in companion/dialogue/answers.py. `companion check` makes sure every
# language's catalog translates them.
ANSWER_LABELS = {"yes": N_("Yes"), "no": N_("No"), UNKNOWN: N_("I don't know")}
RECORDED_AS_UNKNOWN = N_(
    "I could not understand your answer. That is all right. "
    "I will note 'I don't know' for this question and go on."
)
STILL_UNSURE = N_(
    "You are still not sure. That is all right: "
    "I will note 'I don't know' for this question and go on."
)
REASK_TEXT_TOO_LONG = N_("Please keep it short: at most {max} letters.")
CONVERTED = N_("{typed} = {converted}. Not right? Then type no and the right answer now.")
CORRECTED = N_("I have changed your answer to: {answer}.")
NUMBER_UNITS = {
    "days": N_plural("{count} day", "{count} days"),
    "weeks": N_plural("{count} week", "{count} weeks"),
    "years": N_plural("{count} year", "{count} years"),
}
"""How a number answer with a ``unit`` (flows: ``{type: number, unit: days}``) is shown."""

ENGINE_TEXT_KEYS: tuple[str, ...] = ()
"""Content keys the engine shows besides the flows' own: none. Its buttons and
re-ask messages are the gettext msgids above (and in answers.py)."""


# --- turns --------------------------------------------------------------------


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ChoiceView(_View):
    value: str
    label: str


class QuestionView(_View):
    id: str
    concept: str
    text: str
    help: str | None = None
    answer_type: str
    choices: list[ChoiceView]
    min: int | None = None
    max: int | None = None
    covers: list[str] = []
    """For a list question: the concepts of the signs it shows, in order; for a choice
    question with items: the concept of what it asks about (e.g. one plan activity)."""


class AnswerView(_View):
    question: str
    concept: str
    question_text: str
    value: AnswerValue
    shown: str
    """The answer as the patient saw it ("Ja", "Je ne sais pas", "42")."""


class AdviceView(_View):
    rule: str
    advice: str
    flags: list[str]
    messages: list[str]
    message_keys: list[str] = []
    """The content key of each of ``messages`` (parallel list)."""


class Outcome(_View):
    disposition: str | None
    end_state: str
    flags: list[str]
    """Concept ids whose answers drove the disposition."""
    reasons: list[AnswerView]
    """The answers behind ``flags``, in the order they were given."""
    answers: list[AnswerView]
    """Every answer given, for the summary the patient can show a doctor."""
    unknown: list[str]
    """Concepts answered with "I don't know": the GP should ask about these."""
    messages: list[str]
    """What to do now, whom to contact and how fast."""
    advice: list[AdviceView] = []
    """Advice rules of the flow that fired at this session's end."""
    message_keys: list[str] = []
    """The content key of each of ``messages`` (parallel list), so a driver can show
    its source; "" for an interface note."""


class Turn(_View):
    messages: list[str] = []
    message_keys: list[str] = []
    """The content key of each of ``messages`` (parallel list); "" for an interface note."""
    question: QuestionView | None = None
    problem: str | None = None
    """Set when the last answer was not understood; the question is asked again."""
    outcome: Outcome | None = None
    accepted: AnswerView | None = None
    """The answer this turn accepted: drivers store it before showing the turn."""

    @property
    def finished(self) -> bool:
        return self.outcome is not None


# --- the compiled flow ----------------------------------------------------------


class CompiledFlow:
    """A validated flow and its ``transitions`` machine, shared by sessions."""

    def __init__(self, flow: Flow) -> None:
        problems = graph_problems(flow)
        if problems:
            raise FlowError(f"flow '{flow.id}' cannot run: " + "; ".join(problems))
        self.flow = flow
        self.machine = Machine(
            model=None,
            states=list(flow.states),
            initial=flow.start,
            auto_transitions=False,
            send_event=True,
            prepare_event=_forget_witness,
        )
        for name, state in flow.states.items():
            for transition in getattr(state, "next", ()):
                conditions: list[str | Callable[..., bool | None]] = (
                    [] if transition.when is None else [_Guard(transition.when)]
                )
                self.machine.add_transition(ADVANCE, name, transition.to, conditions=conditions)
        self.advance = self.machine.events[ADVANCE]
        self._texts_caches: dict[tuple[int, str, int], _TextsCache] = {}

    def texts_cache(self, texts: Localizer) -> _TextsCache:
        """What sessions of this flow in ``texts`` share: the yes/no vocabulary and
        the question views (the same for every session; built once, not per step)."""
        key = (id(texts.pack), texts.region, id(texts.translations))
        cache = self._texts_caches.get(key)
        if cache is None or not cache.serves(texts):
            cache = _TextsCache(texts)
            self._texts_caches[key] = cache
        return cache


class _TextsCache:
    """Per flow and per language/region; holds its pack and catalog, so the ids
    in its key cannot be reused by other objects while it exists."""

    __slots__ = (
        "answers",
        "choices",
        "numbers",
        "pack",
        "translations",
        "variables",
        "views",
        "vocabulary",
        "yes_no",
    )

    def __init__(self, texts: Localizer) -> None:
        self.pack = texts.pack
        self.translations = texts.translations
        self.variables = dict(texts.variables)
        self.vocabulary: Vocabulary = unknown_vocabulary(texts.pack.lexicon)
        self.yes_no: YesNoWords = yes_no_words(texts.pack.lexicon)
        self.numbers = NumberReader(texts.language, texts.pack.lexicon.numbers)
        self.views: dict[tuple[str, tuple[str, ...]], QuestionView] = {}
        self.choices: dict[str, list[ChoiceView]] = {}
        self.answers: dict[tuple[str, str, AnswerValue], AnswerView] = {}

    def serves(self, texts: Localizer) -> bool:
        return (
            texts.pack is self.pack
            and texts.translations is self.translations
            and texts.variables == self.variables
        )


def _forget_witness(event: EventData) -> None:
    session = event.model
    assert isinstance(session, Session)
    session._witness = ()


class _Guard:
    """A transition condition; remembers on the session which answers made it true."""

    __slots__ = ("condition",)

    def __init__(self, condition: Condition) -> None:
        self.condition = condition

    def __call__(self, event: EventData) -> bool:
        session = event.model
        assert isinstance(session, Session)
        witness = self.condition.witness(session.facts)
        if witness is None:
            return False
        session._witness = witness
        return True


# --- sessions -----------------------------------------------------------------


class Session:
    """One conversation through one flow, in one language and region."""

    def __init__(
        self,
        compiled: CompiledFlow,
        texts: Localizer,
        inputs: Mapping[str, AnswerValue] | None = None,
        fired_before: Iterable[str] = (),
        item_words: Mapping[str, str] | None = None,
    ) -> None:
        """``inputs`` are the flow's declared inputs (e.g. the day of the episode);
        ``fired_before`` names the once-per-episode advice rules that already fired;
        ``item_words`` are the program's own words for list items, by item concept (e.g. a
        plan activity with today's amount): such an item shows them instead of its flow
        text. They are shown as plain text, never as markup."""
        self._compiled = compiled
        self._flow = compiled.flow
        self._texts = texts
        self._shared = compiled.texts_cache(texts)
        self._vocabulary: Vocabulary = self._shared.vocabulary
        self._inputs = _checked_inputs(compiled.flow, inputs or {})
        self._fired_before = frozenset(fired_before)
        self._item_words = dict(item_words or {})
        self.state: str = compiled.flow.start
        self.answers: dict[str, AnswerValue] = {}
        self.facts: Mapping[str, AnswerValue] = _Facts(self.answers, self._inputs, compiled.flow)
        """Answers and inputs together: what the flow's conditions look at."""
        self.asked: list[str] = []
        self._witness: tuple[str, ...] = ()
        self._attempts = 0
        self._following_up = False
        self._before_last: _Snapshot | None = None
        """Where the session stood before the last accepted answer: a correction goes back."""
        self._correctable: str | None = None
        """The number question whose conversion was just shown: the next input may correct it."""
        self._last: Turn | None = None

    # public API ---------------------------------------------------------------

    @property
    def flow(self) -> Flow:
        return self._flow

    @property
    def region(self) -> str:
        return self._texts.region

    @property
    def language(self) -> str:
        return self._texts.language

    @property
    def texts(self) -> Localizer:
        return self._texts

    @property
    def finished(self) -> bool:
        return isinstance(self._flow.states[self.state], EndState)

    @property
    def current_question(self) -> QuestionState | None:
        state = self._flow.states[self.state]
        return state if isinstance(state, QuestionState) else None

    def start(self) -> Turn:
        if self._last is None:
            self._last = self._settle([])
        return self._last

    @property
    def last_answered(self) -> str | None:
        """The question answered last (a correction re-answers it)."""
        return self.asked[-1] if self.asked else None

    def answer(self, text: str) -> Turn:
        """Free text as typed by the patient.

        Right after a number was converted and shown back ("3 weken = 21 dagen"),
        "nee, 2 weken" (or a number with a unit, at a question that takes no number)
        corrects that answer instead of answering the question now asked."""
        question = self.current_question
        if question is None:
            return self.start()
        if len(text) > MAX_TYPED_CHARACTERS:
            # Not read word by word: a short answer is asked for, never guessed.
            self._correctable = None
            return self._take(question, Rejected(REASK_TOO_LONG))
        correction = self._correction(question, text)
        self._correctable = None
        if correction is not None:
            return self._redo(correction)
        return self._take(question, self._interpret(question, text))

    def amend(self, value: AnswerValue) -> Turn:
        """Gives the question answered last a new stored value: replays a correction."""
        if self._before_last is None or self.finished:
            return self.start()
        self._restore(self._before_last)
        return self.give(value)

    def give(self, value: AnswerValue) -> Turn:
        """A typed value, as stored earlier: replays a saved conversation.

        A value the current question cannot take is re-asked, like typed text.
        """
        question = self.current_question
        if question is None:
            return self.start()
        if value == UNKNOWN or isinstance(value, bool):
            return self.choose(UNKNOWN if value == UNKNOWN else ("yes" if value else "no"))
        if isinstance(value, int):
            return self.answer(str(value))
        if isinstance(question.answer, TextAnswer):
            return self._take(question, self._text(question, question.answer, value))
        return self.choose(value)

    def choose(self, value: str) -> Turn:
        """A button press: ``value`` is one of the current question's choice values."""
        question = self.current_question
        if question is None:
            return self.start()
        allowed = {c.value for c in self._choices(question)}
        if value not in allowed:
            return self._take(question, Rejected(REASK_CHOICE))
        if isinstance(question.answer, YesNoAnswer):
            return self._take(question, Accepted(_YES_NO_VALUES[value]))
        if isinstance(question.answer, NumberAnswer) and value != UNKNOWN:
            return self._take(question, Rejected(REASK_CHOICE))
        return self._take(question, Accepted(value))

    # internals ----------------------------------------------------------------

    def _interpret(self, question: QuestionState, text: str) -> Interpretation:
        spec = question.answer
        unknown_words = self._vocabulary if spec.unknown_allowed else None
        by_number = _choice_by_number(text, self._choices(question))
        if by_number is not None and not isinstance(spec, NumberAnswer):
            if isinstance(spec, YesNoAnswer):
                return Accepted(_YES_NO_VALUES[by_number])
            return Accepted(by_number)
        if isinstance(spec, YesNoAnswer):
            return interpret_yes_no(
                text,
                self._shared.yes_no,
                spec.unknown_allowed,
                alarm=spec.alarm,
                question_text=self._question_view(question).text,
            )
        if isinstance(spec, NumberAnswer):
            return self._number(spec, text)
        if isinstance(spec, TextAnswer):
            return self._text(question, spec, text)
        labels = {option: self._texts.text(key) for option, key in spec.options.items()}
        return interpret_choice(text, labels, unknown_words)

    def _number(self, spec: NumberAnswer, text: str) -> Interpretation:
        unknown_words = self._vocabulary if spec.unknown_allowed else None
        return interpret_number(
            text, spec.min, spec.max, unknown_words, spec.unit, self._shared.numbers, spec.out_of
        )

    def _text(self, question: QuestionState, spec: TextAnswer, text: str) -> Interpretation:
        """The patient's own words, tidied; nothing, the button's words, "no" or "I don't
        know" name nothing."""
        tidy = tidy_text(text)
        labels = {choice.label.casefold() for choice in self._choices(question)}
        says_nothing = (
            not tidy
            or tidy == UNKNOWN
            or tidy.casefold().rstrip(".!") in labels
            or self._vocabulary.match(tidy) == {UNKNOWN}
            or self._shared.yes_no.read(tidy, "") is Reading.WHOLE_NO
        )
        if says_nothing:
            return Accepted(UNKNOWN) if spec.unknown_allowed else Rejected(REASK_EMPTY)
        if len(tidy) > spec.max_length:
            return Rejected(REASK_TEXT_TOO_LONG, {"max": spec.max_length})
        return Accepted(tidy)

    def _correction(self, asking: QuestionState, text: str) -> Interpretation | None:
        """A new number for the question whose conversion was just shown, or None."""
        if self._correctable is None or self._before_last is None:
            return None
        previous = self._flow.states[self._correctable]
        assert isinstance(previous, QuestionState) and isinstance(previous.answer, NumberAnswer)
        rest = self._shared.yes_no.strip_correction(text)
        if rest is None and isinstance(asking.answer, NumberAnswer):
            return None  # a number typed here answers the question now asked
        result = self._number(previous.answer, text if rest is None else rest)
        if rest is None and not isinstance(result, NumberRead):
            return None  # plain digits pick a numbered answer of the question now asked
        if isinstance(result, Accepted) and isinstance(result.value, int):
            return result
        return None

    def _redo(self, result: Interpretation) -> Turn:
        assert self._before_last is not None
        self._restore(self._before_last)
        question = self.current_question
        assert question is not None
        turn = self._take(question, result)
        if isinstance(result, NumberRead) or turn.accepted is None:
            return turn
        note = self._texts.ui(CORRECTED, answer=turn.accepted.shown)
        self._last = turn.model_copy(
            update={"messages": [note, *turn.messages], "message_keys": ["", *turn.message_keys]}
        )
        return self._last

    def _restore(self, snapshot: _Snapshot) -> None:
        self.state = snapshot.state
        if snapshot.previous is None:
            self.answers.pop(snapshot.state, None)
        else:
            self.answers[snapshot.state] = snapshot.previous
        del self.asked[snapshot.asked :]
        self._attempts = 0
        self._following_up = False
        self._correctable = None

    def _take(self, question: QuestionState, result: Interpretation) -> Turn:
        notes: list[str] = []
        if isinstance(result, FollowUp):
            if not self._following_up:
                # One follow-up question that names the doubt; what it gets is final.
                self._following_up = True
                self._attempts += 1
                self._last = Turn(question=self._follow_up_view(question, result))
                return self._last
            if question.answer.unknown_allowed:
                result = Accepted(UNKNOWN)
                notes.append(self._texts.ui(STILL_UNSURE))
            else:
                result = Rejected(REASK_YES_NO_ONLY)
        if isinstance(result, Rejected):
            self._attempts += 1
            if self._attempts < MAX_ATTEMPTS:
                self._last = Turn(
                    question=self._question_view(question),
                    problem=self._texts.ui(result.reason, **result.details),
                )
                return self._last
            # Never guess, never loop forever: an answer we cannot understand
            # is recorded as "I don't know", which the flows treat cautiously.
            result = Accepted(UNKNOWN)
            notes.append(self._texts.ui(RECORDED_AS_UNKNOWN))
        self._attempts = 0
        self._following_up = False
        answered = self.state
        self._before_last = _Snapshot(answered, self.answers.get(answered), len(self.asked))
        self.answers[answered] = result.value
        self.asked.append(answered)
        if isinstance(result, NumberRead):
            shown = self._shown(question, result.value)
            notes.append(self._texts.ui(CONVERTED, typed=result.typed, converted=shown))
            self._correctable = answered
        self._advance()
        self._last = self._settle(notes, accepted=self._answer_view(answered))
        return self._last

    def _follow_up_view(self, question: QuestionState, follow_up: FollowUp) -> QuestionView:
        """The question again, in other words: the follow-up names the doubt."""
        view = self._question_view(question)
        # A list question keeps its list: the follow-up asks about those signs.
        items = view.text.removeprefix(self._texts.text(question.text))
        text = self._texts.ui(follow_up.reason, **follow_up.details) + items
        return view.model_copy(update={"text": text, "help": None})

    def _advance(self) -> None:
        if not self._compiled.advance.trigger(self):
            raise FlowError(f"flow '{self._flow.id}': no transition out of state '{self.state}'")

    def _settle(self, messages: list[str], accepted: AnswerView | None = None) -> Turn:
        """Moves through message and branch states until a question or the end."""
        keys = [""] * len(messages)  # notes before the flow's own texts have no key
        for _ in range(len(self._flow.states) + 1):
            state = self._flow.states[self.state]
            shown_keys = self._say_keys(state.say)
            shown = [self._texts.text(key) for key in shown_keys]
            if isinstance(state, QuestionState) and not self._to_ask(state):
                self._advance()
                continue
            if isinstance(state, QuestionState):
                return Turn(
                    messages=messages + shown,
                    message_keys=keys + shown_keys,
                    question=self._question_view(state),
                    accepted=accepted,
                )
            if isinstance(state, EndState):
                return Turn(
                    messages=messages,
                    message_keys=keys,
                    outcome=self._outcome(state, shown, shown_keys),
                    accepted=accepted,
                )
            messages = messages + shown
            keys = keys + shown_keys
            self._advance()
        raise FlowError(f"flow '{self._flow.id}': loops without asking from '{self.state}'")

    def _to_ask(self, question: QuestionState) -> bool:
        if question.ask_when is not None and not question.ask_when.holds(self.facts):
            return False
        if question.about is not None and self._about(question) is None:
            return False
        return not question.items or bool(self._shown_items(question))

    def _about(self, question: QuestionState) -> str | None:
        """The named text the question is about, or None when there is none."""
        if question.about is None:
            return None
        value = self.facts.get(question.about)
        return value if isinstance(value, str) and value not in ("", UNKNOWN) else None

    def _shown_items(self, question: QuestionState) -> list[ListItem]:
        return [i for i in question.items if i.when is None or i.when.holds(self.facts)]

    def _says(self, says: Iterable[Any]) -> list[str]:
        return [self._texts.text(key) for key in self._say_keys(says)]

    def _say_keys(self, says: Iterable[Any]) -> list[str]:
        return [say.text for say in says if say.when is None or say.when.holds(self.facts)]

    def _choices(self, question: QuestionState) -> list[ChoiceView]:
        if self._flow.states.get(self.state) is not question:
            return self._make_choices(question)
        choices = self._shared.choices.get(self.state)
        if choices is None:
            choices = self._shared.choices[self.state] = self._make_choices(question)
        return choices

    def _make_choices(self, question: QuestionState) -> list[ChoiceView]:
        spec = question.answer
        choices: list[ChoiceView] = []
        if isinstance(spec, YesNoAnswer):
            choices += [self._choice("yes"), self._choice("no")]
        elif isinstance(spec, ChoiceAnswer):
            choices += [
                ChoiceView(value=option, label=self._texts.text(key))
                for option, key in spec.options.items()
            ]
        elif isinstance(spec, TextAnswer) and spec.unknown_allowed and spec.none_label:
            return [ChoiceView(value=UNKNOWN, label=self._texts.text(spec.none_label))]
        if spec.unknown_allowed:
            choices.append(self._choice(UNKNOWN))
        return choices

    def _choice(self, value: str) -> ChoiceView:
        return ChoiceView(value=value, label=self._texts.ui(ANSWER_LABELS[value]))

    def _question_view(self, question: QuestionState) -> QuestionView:
        if self._flow.states.get(self.state) is not question:
            return self._make_question_view(question)
        if question.about is not None:
            return self._make_question_view(question)  # the patient's own words: not shared
        # A list question's items may depend on earlier answers: cached per item set.
        items = tuple(item.concept for item in self._shown_items(question))
        if any(concept in self._item_words for concept in items):
            # This session's own words (a patient's plan) are never shared with others.
            return self._make_question_view(question)
        view = self._shared.views.get((self.state, items))
        if view is None:
            view = self._shared.views[(self.state, items)] = self._make_question_view(question)
        return view

    def _make_question_view(self, question: QuestionState) -> QuestionView:
        spec = question.answer
        items = self._shown_items(question)
        text = self._texts.text(question.text)
        if items:
            text += "".join(f"\n- {self._item_text(item)}" for item in items)
        about = self._about(question)
        if about is not None:
            text += f"\n- {about}"
        return QuestionView(
            id=self.state,
            concept=question.concept,
            covers=[item.concept for item in items],
            text=text,
            help=self._texts.text(question.help) if question.help else None,
            answer_type=spec.type,
            choices=self._choices(question),
            min=spec.min if isinstance(spec, NumberAnswer) else None,
            max=spec.max if isinstance(spec, NumberAnswer) else None,
        )

    @staticmethod
    def _about_items(question: QuestionState) -> list[ListItem]:
        """What a choice question asks about ("did you do this?": one activity), so that
        its answer says which; a list's answer is about the list as a whole."""
        return [] if question.is_list else question.items

    def _item_text(self, item: ListItem) -> str:
        words = self._item_words.get(item.concept)
        return words if words else self._texts.text(item.text)

    def _answer_view(self, question_id: str) -> AnswerView:
        value = self.answers[question_id]
        question = self._flow.states[question_id]
        assert isinstance(question, QuestionState)
        if (
            isinstance(question.answer, TextAnswer)
            or question.about is not None
            or any(item.concept in self._item_words for item in self._about_items(question))
        ):
            # The patient's own words are this session's only: never kept in a shared cache.
            return self._make_answer_view(question_id, value)
        # The same for every session: shared, keyed by type too (True == 1 in a dict).
        key = (question_id, type(value).__name__, value)
        view = self._shared.answers.get(key)
        if view is None:
            view = self._shared.answers[key] = self._make_answer_view(question_id, value)
        return view

    def _make_answer_view(self, question_id: str, value: AnswerValue) -> AnswerView:
        question = self._flow.states[question_id]
        assert isinstance(question, QuestionState)
        about = "".join(f" ({self._item_text(item)})" for item in self._about_items(question))
        named = self._about(question)
        if named is not None:
            about += f" ({named})"
        return AnswerView(
            question=question_id,
            concept=question.concept,
            question_text=self._texts.text(question.text) + about,
            value=value,
            shown=self._shown(question, value),
        )

    def _shown(self, question: QuestionState, value: AnswerValue) -> str:
        spec = question.answer
        if value == UNKNOWN and isinstance(spec, TextAnswer) and spec.none_label:
            return self._texts.text(spec.none_label)
        if value == UNKNOWN:
            return self._texts.ui(ANSWER_LABELS[UNKNOWN])
        if isinstance(value, bool):
            label = ANSWER_LABELS["yes"] if value else ANSWER_LABELS["no"]
            return self._texts.ui(label)
        if isinstance(question.answer, ChoiceAnswer):
            return self._texts.text(question.answer.options[str(value)])
        if isinstance(question.answer, NumberAnswer) and question.answer.unit is not None:
            return self._texts.ui_plural(*NUMBER_UNITS[question.answer.unit], int(value))
        return str(value)

    def _outcome(self, state: EndState, messages: list[str], keys: list[str]) -> Outcome:
        questions = self._flow.questions()
        drivers = [q for q in self.asked if q in self._witness]
        return Outcome(
            disposition=state.disposition,
            end_state=self.state,
            flags=self._flag_names(self._witness),
            reasons=[self._answer_view(q) for q in drivers],
            answers=[self._answer_view(q) for q in self.asked],
            # "Nothing (more) to name" is an answer, not a doubt for the GP to ask about.
            unknown=[
                questions[q].concept
                for q in self.asked
                if self.answers[q] == UNKNOWN and not isinstance(questions[q].answer, TextAnswer)
            ],
            messages=messages,
            advice=self._fired_advice(),
            message_keys=keys,
        )

    def _fired_advice(self) -> list[AdviceView]:
        fired = []
        for rule in self._flow.advice:
            if rule.once and rule.id in self._fired_before:
                continue
            witness = rule.when.witness(self.facts)
            if witness is not None:
                fired.append(
                    AdviceView(
                        rule=rule.id,
                        advice=rule.advice,
                        flags=self._flag_names(witness),
                        messages=self._says(rule.say),
                        message_keys=self._say_keys(rule.say),
                    )
                )
        return fired

    def _flag_names(self, witness: Iterable[str]) -> list[str]:
        """Concept ids for questions, names for inputs, in the order they were given."""
        questions = self._flow.questions()
        hits = set(witness)
        ordered = [q for q in self.asked if q in hits]
        ordered += [name for name in self._inputs if name in hits]
        return [questions[q].concept if q in questions else q for q in ordered]


def _checked_inputs(flow: Flow, inputs: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """Inputs come from the program, not the patient: a wrong one is a programming error."""
    unknown = set(inputs) - set(flow.inputs)
    if unknown:
        raise ValueError(f"flow '{flow.id}' has no input(s) {sorted(unknown)}")
    for name, value in inputs.items():
        expected = flow.inputs[name].answer
        fits = (
            value == UNKNOWN
            or (expected == "yes_no" and isinstance(value, bool))
            or (expected == "number" and isinstance(value, int) and not isinstance(value, bool))
            or (expected == "choice" and value in flow.inputs[name].options)
            or (expected == "text" and isinstance(value, str))
        )
        if not fits:
            raise ValueError(f"flow '{flow.id}': input '{name}' must be {expected}, not {value!r}")
    return dict(inputs)


@dataclass(frozen=True)
class _Snapshot:
    """Enough to take back the last answer (cheap: kept at every step)."""

    state: str
    """The question answered."""
    previous: AnswerValue | None
    """Its answer before (None: it had none)."""
    asked: int
    """How many questions had been asked before."""


class _Facts(Mapping[str, AnswerValue]):
    """Answers over inputs; an input a question asks again (``asked_by``) takes that
    question's answer once it is known, so the flow's rules read one name."""

    __slots__ = ("_answers", "_asked_by", "_inputs")

    def __init__(
        self, answers: dict[str, AnswerValue], inputs: dict[str, AnswerValue], flow: Flow
    ) -> None:
        self._answers = answers
        self._inputs = inputs
        self._asked_by = {n: s.asked_by for n, s in flow.inputs.items() if s.asked_by}

    def __getitem__(self, name: str) -> AnswerValue:
        question = self._asked_by.get(name)
        if question is not None:
            asked = self._answers.get(question)
            if asked is not None and (asked != UNKNOWN or name not in self._inputs):
                return asked
        if name in self._answers:
            return self._answers[name]
        return self._inputs[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._answers
        yield from (n for n in self._inputs if n not in self._answers)
        yield from (
            n
            for n, q in self._asked_by.items()
            if n not in self._inputs and n not in self._answers and q in self._answers
        )

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        question = self._asked_by.get(name)
        return (
            name in self._answers
            or name in self._inputs
            or (question is not None and question in self._answers)
        )


def tidy_text(text: str) -> str:
    """Typed words on one line: control and format characters dropped, spaces tidied."""
    kept = "".join(c for c in text if c.isspace() or unicodedata.category(c)[0] != "C")
    return " ".join(kept.split())


_YES_NO_VALUES: dict[str, AnswerValue] = {"yes": True, "no": False, UNKNOWN: UNKNOWN}


def _choice_by_number(text: str, choices: list[ChoiceView]) -> str | None:
    """ "2" picks the second button, as the plain terminal numbers them."""
    stripped = text.strip().rstrip(".")
    # isdigit() alone accepts "²", which int() refuses: only plain digits pick a button.
    if stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return choices[int(stripped) - 1].value
    return None
