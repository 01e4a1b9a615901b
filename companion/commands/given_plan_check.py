"""`companion check`: a plan set-up told that a plan is given asks only its function part.

When a physiotherapist's plan (imported or assigned) or the previous episode's plan is
there, the journey starts the plan set-up with the input ``plan_given`` and keeps that plan
whatever the patient answers. A question about the patient's own plan on that route would
be asked in vain, so the check walks it as two patients would: one who names nothing and
one who names three activities and rates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from companion.care.plan_setup import FUNCTION_QUESTIONS
from companion.commands.timeline import FactValue, answer_from_facts
from companion.dialogue.engine import CompiledFlow, Session
from companion.dialogue.flow import Flow, FlowError
from companion.journey.journey import PLAN_GIVEN
from companion.texts.content import Localizer

GIVEN_PLAN_PATIENTS: tuple[Mapping[str, FactValue], ...] = (
    {},
    {
        "function_activity_1": "trap op",
        "function_score_1": 4,
        "function_activity_2": "tillen",
        "function_score_2": 5,
        "function_activity_3": "fietsen",
        "function_score_3": 6,
    },
)
FUNCTION_PART = frozenset(question for pair in FUNCTION_QUESTIONS for question in pair)
MOST_QUESTIONS = 50
"""More turns than the function part can take: a route that loops is reported, not run."""


def given_plan_problems(flow: Flow, texts: Localizer) -> Iterator[str]:
    """What is wrong with ``flow``'s route when a plan is given (nothing for other flows)."""
    if flow.purpose != "plan" or PLAN_GIVEN not in flow.inputs:
        return
    try:
        compiled = CompiledFlow(flow)
    except FlowError:
        return  # reported with the flow's graph problems
    for facts in GIVEN_PLAN_PATIENTS:
        session = Session(compiled, texts, inputs={PLAN_GIVEN: True})
        turn = session.start()
        while turn.outcome is None and turn.question is not None:
            if len(session.asked) > MOST_QUESTIONS:
                yield f"with {PLAN_GIVEN} the set-up does not end"
                return
            turn = answer_from_facts(session, turn.question, facts, (), "unknown", [])
        stray = [question for question in session.asked if question not in FUNCTION_PART]
        if stray:
            yield (
                f"with {PLAN_GIVEN} the set-up asks {', '.join(sorted(set(stray)))}: "
                "the given plan stays, so only the function part may be asked"
            )
            return
