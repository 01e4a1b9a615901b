"""Flows: declarative dialogue graphs loaded from YAML and validated by pydantic.

A flow is a set of named states. A ``question`` state asks one question about
one clinical concept; ``message`` states show texts; ``branch`` states decide
silently; ``end`` states close the conversation with a disposition. States
name the next state through ordered transitions whose ``when`` conditions are
declarative (see :mod:`companion.dialogue.conditions`). Every patient-facing text is a
key into the content packs; flows never hold sentences.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from companion.dialogue.conditions import Condition
from companion.files.yamlfiles import read_yaml

Disposition = Literal["emergency", "gp_today", "gp_soon", "self_care"]
DISPOSITIONS: tuple[Disposition, ...] = ("emergency", "gp_today", "gp_soon", "self_care")
"""Most urgent first."""

AnswerType = Literal["yes_no", "number", "choice", "text"]
TextKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class FlowError(Exception):
    """A flow or concept file that cannot be used; the message names file and place."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- concepts -----------------------------------------------------------------


class Concept(_Strict):
    """One entry of the concept contract (clinical brief section 2 and 5)."""

    answer: AnswerType
    meaning: str
    source: list[str] = Field(default_factory=list)
    required_in: list[Identifier] = Field(default_factory=list)
    options: list[Identifier] = Field(default_factory=list)
    red_flag: bool = False
    """A sign of the red-flag table (clinical brief section 2): its yes/no questions
    must be worded positively, so that "no" can only mean the sign is absent."""
    group: Identifier | None = None
    """The part of the contract the concept belongs to (``emergency``, ``same_day``,
    ``radicular``, ``routine``, ``yellow_flag``): read by reviewers and
    the tests' concept lists, never by a flow, so it decides nothing."""


class ConceptRegistry(_Strict):
    concepts: dict[Identifier, Concept]

    def required_by(self, flow_id: str) -> list[str]:
        return [name for name, c in self.concepts.items() if flow_id in c.required_in]


# --- answers ------------------------------------------------------------------


class YesNoAnswer(_Strict):
    type: Literal["yes_no"]
    unknown_allowed: bool = True
    alarm: Literal["yes", "no"] = "yes"
    """The answer that means the sign is there. "no" for a question such as "Do you
    move well?": typed answers are then read mirrored (only a whole yes is yes;
    clinical brief section 2, "Understanding typed answers")."""

    @field_validator("alarm", mode="before")
    @classmethod
    def _alarm_word(cls, value: Any) -> Any:
        # A YAML boolean (alarm: false) would otherwise be refused with a puzzling message.
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class NumberAnswer(_Strict):
    type: Literal["number"]
    min: int
    max: int
    unknown_allowed: bool = True
    unit: Literal["days", "weeks", "years"] | None = None
    """Shown with the answer in the summary ("12 days"), in the patient's language."""
    out_of: int | None = None
    """A score on a scale to this number: "7/10" is read as 7 when ``out_of`` is 10."""

    @model_validator(mode="after")
    def _range_is_sane(self) -> NumberAnswer:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class ChoiceAnswer(_Strict):
    type: Literal["choice"]
    options: dict[Identifier, TextKey] = Field(min_length=2)
    unknown_allowed: bool = True


class TextAnswer(_Strict):
    """A few words in the patient's own wording (the name of a daily activity).

    Kept as typed (spaces tidied), at most ``max_length`` characters, and always shown
    as text. The button (``none_label``) or an empty, "no" or "I don't know" answer
    records "I don't know": nothing (more) to name."""

    type: Literal["text"]
    max_length: int = Field(default=60, ge=1, le=200)
    unknown_allowed: bool = True
    none_label: TextKey | None = None
    """The label of the "nothing (more)" button; default "I don't know"."""


AnswerSpec = Annotated[
    YesNoAnswer | NumberAnswer | ChoiceAnswer | TextAnswer, Field(discriminator="type")
]


# --- states -------------------------------------------------------------------


class Say(_Strict):
    """A text to show, optionally only when a condition holds."""

    text: TextKey
    when: Condition | None = None


def _plain_keys_become_say(value: Any) -> Any:
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


class Transition(_Strict):
    to: Identifier
    when: Condition | None = None


class _State(_Strict):
    say: list[Say] = Field(default_factory=list)

    @field_validator("say", mode="before")
    @classmethod
    def _accept_plain_keys(cls, value: Any) -> Any:
        return _plain_keys_become_say(value)

    def targets(self) -> list[str]:
        return []


class _Moving(_State):
    next: list[Transition] = Field(min_length=1)

    @field_validator("next", mode="before")
    @classmethod
    def _accept_single_target(cls, value: Any) -> Any:
        return [{"to": value}] if isinstance(value, str) else value

    def targets(self) -> list[str]:
        return [t.to for t in self.next]


class ListItem(_Strict):
    """One sign of a list question, in plain words; shown only when ``when`` holds."""

    concept: Identifier
    text: TextKey
    when: Condition | None = None


class QuestionState(_Moving):
    kind: Literal["question"]
    concept: Identifier
    text: TextKey
    help: TextKey | None = None
    answer: AnswerSpec
    ask_when: Condition | None = None
    """Asked only when this holds; otherwise the conversation moves on as if from a
    branch (the question stays unanswered, so conditions on it do not hold)."""
    items: list[ListItem] = Field(default_factory=list)
    """A list question ("any of these?"): a yes/no question about several signs at
    once. The shown items follow the question text; a list whose items are all
    hidden is not asked. A choice question may have items too: they name what it
    asks about (e.g. one plan activity), shown the same way; they make no list."""
    about: Identifier | None = None
    """A text answer or text input (an activity the patient named) that the question is
    about: shown as text below the question. Without such a text the question is not
    asked."""

    @property
    def is_list(self) -> bool:
        """A yes/no question about several signs at once ("any of these?")."""
        return bool(self.items) and isinstance(self.answer, YesNoAnswer)

    @property
    def may_be_skipped(self) -> bool:
        """Whether reaching this question may move on without asking it."""
        always_shown = any(item.when is None for item in self.items)
        return (
            self.ask_when is not None
            or self.about is not None
            or (bool(self.items) and not always_shown)
        )

    @model_validator(mode="after")
    def _items_need_yes_no(self) -> QuestionState:
        if self.items and isinstance(self.answer, NumberAnswer):
            raise ValueError(
                "a question with items is a list (answered yes or no) or a choice about them"
            )
        return self

    @field_validator("answer", mode="before")
    @classmethod
    def _accept_bare_type(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value


class MessageState(_Moving):
    kind: Literal["message"]


class BranchState(_Moving):
    kind: Literal["branch"]


class EndState(_State):
    kind: Literal["end"]
    disposition: Disposition | None = None
    """Required in triage and check-in flows; education and plan flows end without one."""


State = Annotated[
    QuestionState | MessageState | BranchState | EndState, Field(discriminator="kind")
]


class FlowInput(_Strict):
    """A value the driver supplies when a session starts (e.g. the day of the episode)."""

    answer: AnswerType
    meaning: str
    options: list[Identifier] = Field(default_factory=list)
    asked_by: Identifier | None = None
    """A question of the flow that asks this value again when the driver does not
    know it: once answered (not "I don't know"), the answer stands for the input."""


class AdviceRule(_Strict):
    """Advice raised when a session ends and ``when`` holds.

    ``once`` rules fire at most once per episode: the driver tells the session
    which rules fired before.
    """

    id: Identifier
    advice: Identifier
    when: Condition
    once: bool = True
    say: list[Say] = Field(default_factory=list)

    @field_validator("say", mode="before")
    @classmethod
    def _accept_plain_keys(cls, value: Any) -> Any:
        return _plain_keys_become_say(value)


Purpose = Literal["triage", "checkin", "education", "plan"]
"""Triage and check-in flows end in a disposition; education and plan set-up do not."""


class Flow(_Strict):
    id: Identifier
    version: int = Field(ge=1)
    purpose: Purpose = "triage"
    start: Identifier
    inputs: dict[Identifier, FlowInput] = Field(default_factory=dict)
    states: dict[Identifier, State] = Field(min_length=1)
    advice: list[AdviceRule] = Field(default_factory=list)
    definitions: dict[Identifier, Any] = Field(default_factory=dict)
    """Named pieces of YAML (anchors) that states reuse with aliases; not read otherwise."""

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Flow:
        problems = list(self._reference_problems(info.context or {}))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _reference_problems(self, context: dict[str, Any]) -> Iterator[str]:
        if self.start not in self.states:
            yield f"start state '{self.start}' does not exist"
        questions = self.questions()
        answer_types = self.answer_types()
        for name in set(self.inputs) & set(questions):
            yield f"input '{name}' has the same name as a question"
        for name, spec in self.inputs.items():
            asker = questions.get(spec.asked_by) if spec.asked_by else None
            if spec.asked_by and asker is None:
                yield f"input '{name}': asked_by '{spec.asked_by}' is not a question"
            elif asker is not None and asker.answer.type != spec.answer:
                yield f"input '{name}': asked_by '{spec.asked_by}' is not answered as {spec.answer}"
        for name, state in self.states.items():
            about = state.about if isinstance(state, QuestionState) else None
            if about is not None and answer_types.get(about) != "text":
                yield f"state '{name}': about '{about}' is no text question or input"
            for target in state.targets():
                if target not in self.states:
                    yield f"state '{name}': transition to unknown state '{target}'"
            for condition in _conditions_of(state):
                for ref, use in condition.references():
                    yield from _reference_problem(f"state '{name}'", ref, use, answer_types)
            needs_disposition = self.purpose in ("triage", "checkin")
            if isinstance(state, EndState) and needs_disposition and state.disposition is None:
                yield f"state '{name}': an end state of a {self.purpose} flow needs a disposition"
        seen_rules: set[str] = set()
        for rule in self.advice:
            if rule.id in seen_rules:
                yield f"advice rule '{rule.id}' is defined twice"
            seen_rules.add(rule.id)
            conditions = [rule.when, *(say.when for say in rule.say if say.when is not None)]
            for condition in conditions:
                for ref, use in condition.references():
                    yield from _reference_problem(
                        f"advice rule '{rule.id}'", ref, use, answer_types
                    )
        registry: ConceptRegistry | None = context.get("concepts")
        if registry is not None:
            for name, q in questions.items():
                concept = registry.concepts.get(q.concept)
                if concept is None:
                    yield f"state '{name}': concept '{q.concept}' is not in the concept list"
                elif concept.answer != q.answer.type:
                    yield (
                        f"state '{name}': concept '{q.concept}' is answered as "
                        f"{concept.answer}, not {q.answer.type}"
                    )
                elif isinstance(q.answer, ChoiceAnswer) and set(q.answer.options) != set(
                    concept.options
                ):
                    yield (
                        f"state '{name}': options {sorted(q.answer.options)} differ from "
                        f"concept '{q.concept}' options {sorted(concept.options)}"
                    )
        seen: dict[str, str] = {}
        for name, q in questions.items():
            if q.concept in seen:
                first = seen[q.concept]
                yield f"state '{name}': concept '{q.concept}' is already asked by '{first}'"
            seen[q.concept] = name

    def questions(self) -> dict[str, QuestionState]:
        return {n: s for n, s in self.states.items() if isinstance(s, QuestionState)}

    def answer_types(self) -> dict[str, str]:
        """How each question or input is answered: what conditions may test."""
        types: dict[str, str] = {name: spec.answer for name, spec in self.inputs.items()}
        types.update({name: q.answer.type for name, q in self.questions().items()})
        return types

    def text_keys(self) -> Iterator[tuple[str, str]]:
        """(state name, text key) for every text the flow can show."""
        for name, state in self.states.items():
            for say in state.say:
                yield name, say.text
            if isinstance(state, QuestionState):
                yield name, state.text
                if state.help:
                    yield name, state.help
                for item in state.items:
                    yield name, item.text
                if isinstance(state.answer, ChoiceAnswer):
                    for key in state.answer.options.values():
                        yield name, key
                if isinstance(state.answer, TextAnswer) and state.answer.none_label:
                    yield name, state.answer.none_label
        for rule in self.advice:
            for say in rule.say:
                yield f"advice rule {rule.id}", say.text


def _conditions_of(state: _State) -> Iterator[Condition]:
    for say in state.say:
        if say.when is not None:
            yield say.when
    if isinstance(state, QuestionState):
        if state.ask_when is not None:
            yield state.ask_when
        yield from (item.when for item in state.items if item.when is not None)
    if isinstance(state, _Moving):
        for t in state.next:
            if t.when is not None:
                yield t.when


def _reference_problem(
    where: str, ref: str, use: str, answer_types: dict[str, str]
) -> Iterator[str]:
    answered_as = answer_types.get(ref)
    if answered_as is None:
        yield f"{where}: condition refers to unknown question or input '{ref}'"
    elif use != "any" and answered_as != use:
        yield f"{where}: condition treats '{ref}' as {use}, but it is answered as {answered_as}"


# --- graph analysis -----------------------------------------------------------


def graph_problems(flow: Flow) -> list[str]:
    """Structural faults that would strand or loop a patient; empty when sound."""
    problems: list[str] = []
    reachable = _reachable(flow, [flow.start])
    for name in flow.states:
        if name not in reachable:
            problems.append(f"state '{name}': unreachable from start state '{flow.start}'")
    ends = [n for n, s in flow.states.items() if isinstance(s, EndState)]
    if not ends:
        problems.append("flow has no end state")
    can_finish = _can_reach(flow, set(ends))
    for name, state in flow.states.items():
        if isinstance(state, _Moving) and state.next[-1].when is not None:
            problems.append(
                f"state '{name}': dead end: its last transition has a condition, "
                "so the conversation stops when none holds (end with a transition without 'when')"
            )
        elif name not in can_finish:
            problems.append(f"state '{name}': dead end: no end state can be reached from here")
    problems.extend(_silent_cycles(flow))
    return problems


def _reachable(flow: Flow, roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in flow.states:
            continue
        seen.add(name)
        todo.extend(flow.states[name].targets())
    return seen


def _can_reach(flow: Flow, goals: set[str]) -> set[str]:
    good = set(goals)
    changed = True
    while changed:
        changed = False
        for name, state in flow.states.items():
            if name not in good and any(t in good for t in state.targets()):
                good.add(name)
                changed = True
    return good


def _silent_cycles(flow: Flow) -> list[str]:
    """Loops through states that need not ask anything (messages, branches, questions
    that may be skipped) would spin without asking anything."""
    silent = {
        n
        for n, s in flow.states.items()
        if isinstance(s, MessageState | BranchState)
        or (isinstance(s, QuestionState) and s.may_be_skipped)
    }
    problems = []
    for name in sorted(silent):
        onward = {t for t in flow.states[name].targets() if t in silent}
        if name in _reachable_within(flow, onward, silent):
            problems.append(f"state '{name}': loops back to itself without asking a question")
    return problems


def _reachable_within(flow: Flow, roots: set[str], allowed: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(t for t in flow.states[name].targets() if t in allowed)
    return seen


# --- loading ------------------------------------------------------------------


# --- includes -----------------------------------------------------------------

FRAGMENTS_DIR = "fragments"
"""Beside the flows: files of shared question definitions that flows include."""

SHARED_FIELDS = ("concept", "text", "help", "answer")
"""What a question state takes from a fragment with ``use``; its route (next,
ask_when, items, say) always stays in the flow."""


class SharedQuestion(_Strict):
    """A question defined once in a fragment, for every flow that includes it."""

    concept: Identifier
    text: TextKey
    help: TextKey | None = None
    answer: AnswerSpec

    @field_validator("answer", mode="before")
    @classmethod
    def _accept_bare_type(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value


class Fragment(_Strict):
    """A file in ``flows/fragments/``: shared questions, and the fragments it includes."""

    include: list[Identifier] = Field(default_factory=list)
    questions: dict[Identifier, SharedQuestion] = Field(default_factory=dict)
    definitions: dict[Identifier, Any] = Field(default_factory=dict)
    """Named pieces of YAML (anchors) for this file only; not read otherwise."""


class _Included(NamedTuple):
    fragment: str
    fields: dict[str, Any]


def resolve_includes(data: Any, path: Path) -> Any:
    """The flow's data with ``include`` gone and every ``use`` replaced by the fields
    of the shared question it names, so the flow model sees plain states.

    Raises FlowError naming the file and each state (or fragment) at fault.
    """
    if not isinstance(data, dict):
        return data
    names = data.get("include", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise FlowError(f"{path}: include: a list of fragment names, e.g. [red_flags]")
    problems: list[str] = []
    shared = _shared_questions(names, path.parent / FRAGMENTS_DIR, [], problems)
    states = data.get("states")
    resolved_states = states
    if isinstance(states, dict):
        resolved_states = {
            name: _resolved_state(name, state, names, shared, problems)
            for name, state in states.items()
        }
    if problems:
        raise FlowError(f"{path}: " + "; ".join(problems))
    resolved = {key: value for key, value in data.items() if key != "include"}
    if resolved_states is not None:
        resolved["states"] = resolved_states
    return resolved


def _shared_questions(
    names: list[str], folder: Path, chain: list[str], problems: list[str]
) -> dict[str, _Included]:
    """Every question the named fragments define, through their own includes."""
    found: dict[str, _Included] = {}
    for name in names:
        if name in chain:
            cycle = " -> ".join([*chain, name])
            problems.append(f"include '{name}': fragments include each other ({cycle})")
            continue
        fragment = _load_fragment(name, folder, problems)
        if fragment is None:
            continue
        inner = _shared_questions(fragment.include, folder, [*chain, name], problems)
        own = {
            question: _Included(name, definition.model_dump(exclude_unset=True))
            for question, definition in fragment.questions.items()
        }
        for question, included in [*inner.items(), *own.items()]:
            earlier = found.get(question)
            if earlier is not None and earlier.fragment != included.fragment:
                problems.append(
                    f"question '{question}' is defined in fragment '{earlier.fragment}' "
                    f"and in fragment '{included.fragment}'"
                )
            found.setdefault(question, included)
    return found


def _load_fragment(name: str, folder: Path, problems: list[str]) -> Fragment | None:
    path = folder / f"{name}.yaml"
    if not path.is_file():
        problems.append(f"include '{name}': no fragment file {path}")
        return None
    try:
        return Fragment.model_validate(read_yaml(path, FlowError))
    except ValidationError as err:
        problems.append(
            "; ".join(line.strip() for line in format_validation_error(path, err).splitlines())
        )
    except FlowError as err:
        problems.append(str(err))
    return None


def _resolved_state(
    name: str,
    state: Any,
    included: list[str],
    shared: dict[str, _Included],
    problems: list[str],
) -> Any:
    if not isinstance(state, dict) or "use" not in state:
        return state
    where = f"state '{name}'"
    question = state["use"]
    if state.get("kind") != "question":
        problems.append(f"{where}: 'use' is for question states (kind: question)")
        return state
    definition = shared.get(question) if isinstance(question, str) else None
    if definition is None:
        if not included:
            problems.append(
                f"{where}: uses question '{question}', but the flow includes no fragment "
                "(add include: [...])"
            )
        else:
            names = ", ".join(included)
            problems.append(f"{where}: uses unknown question '{question}' (not in {names})")
        return state
    twice = [field for field in SHARED_FIELDS if field in state and field in definition.fields]
    for field in twice:
        problems.append(
            f"{where}: '{field}' is given here and by question '{question}' of fragment "
            f"'{definition.fragment}'; give it in one place"
        )
    own = {key: value for key, value in state.items() if key != "use"}
    return {**definition.fields, **own}


def format_validation_error(path: Path, err: ValidationError) -> str:
    lines = [f"{path}: {err.error_count()} problem(s)"]
    for detail in err.errors():
        where = ".".join(str(part) for part in detail["loc"]) or "(top level)"
        lines.append(f"  {where}: {detail['msg']}")
    return "\n".join(lines)


def load_concepts(path: Path) -> ConceptRegistry:
    data = read_yaml(path, FlowError)
    try:
        return ConceptRegistry.model_validate(data)
    except ValidationError as err:
        raise FlowError(format_validation_error(path, err)) from err


def load_flow(path: Path, concepts: ConceptRegistry | None = None) -> Flow:
    data = resolve_includes(read_yaml(path, FlowError), path)
    try:
        return Flow.model_validate(data, context={"concepts": concepts})
    except ValidationError as err:
        raise FlowError(format_validation_error(path, err)) from err


CONCEPTS_FILE = "concepts.yaml"


def flow_files(flows_dir: Path) -> list[Path]:
    return sorted(p for p in flows_dir.glob("*.yaml") if p.name != CONCEPTS_FILE)


def load_flows(flows_dir: Path) -> tuple[ConceptRegistry, dict[str, Flow]]:
    """Loads every flow in the folder; raises FlowError on the first broken file."""
    concepts = load_concepts(flows_dir / CONCEPTS_FILE)
    flows: dict[str, Flow] = {}
    for path in flow_files(flows_dir):
        flow = load_flow(path, concepts)
        if flow.id in flows:
            raise FlowError(f"{path}: flow id '{flow.id}' is used by another file too")
        if path.stem != flow.id:
            raise FlowError(f"{path}: flow id '{flow.id}' differs from the file name")
        flows[flow.id] = flow
    return concepts, flows
