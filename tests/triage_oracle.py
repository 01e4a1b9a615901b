"""An independent oracle for the triage rules, and a driver that answers the flow.

``expected_disposition`` is written from ../shared/clinical-brief.md section 2
("Decision rules" and "Unknown answers"), NOT from flows/triage.yaml: if the
flow and this module disagree, one of them misreads the brief. The only
product policy taken from elsewhere is the handling of an unknown age or pain
duration (documented in the header of flows/triage.yaml):

* an unknown age counts as possibly over 50 AND possibly under 45, so both
  clusters can fire, but never as under 16;
* an unknown pain duration never counts as more than 84 days.

``run_triage`` answers every question the flow asks through the question's
concept id, exactly as ``companion simulate`` does (buttons for yes/no and
choices, typed digits for numbers), and nothing bypasses the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from companion.dialogue.engine import Outcome, Session
from companion.resources import Library

UNKNOWN = "unknown"  # the button value of "I don't know"

# --- the concept contract of the brief (section 2 table) ------------------------

EMERGENCY = (
    "saddle_numbness",
    "bladder_retention",
    "bladder_incontinence",
    "bowel_incontinence",
    "leg_weakness_severe",
    "leg_weakness_progressive",
)
SAME_DAY = ("significant_trauma", "fever", "pain_uncontrollable")
ALONE_GP_SOON = (
    "cancer_history",
    "unexplained_weight_loss",
    "constant_progressive_pain",
    "long_term_corticosteroids",
    "osteoporosis",
    "immunosuppression",
    "iv_drug_use",
    "thoracic_pain",
    "leg_pain_below_knee",
    "leg_numbness_tingling",
    "leg_weakness",
)
CANCER_PARTNERS = ("unexplained_weight_loss", "night_pain", "constant_progressive_pain")
INFECTION_RISK = ("immunosuppression", "iv_drug_use")
SPA_PARTNERS = ("better_with_movement", "inflammatory_history", "night_pain")
NEVER_ALONE = (
    "night_pain",
    "feeling_unwell",
    "morning_stiffness_over_1h",
    "better_with_movement",
    "inflammatory_history",
    "leg_pain_dominant",
)
SPA_QUESTIONS = ("morning_stiffness_over_1h", "better_with_movement", "inflammatory_history")

YES_NO_CONCEPTS: tuple[str, ...] = tuple(
    dict.fromkeys((*EMERGENCY, *SAME_DAY, *ALONE_GP_SOON, *NEVER_ALONE))
)
NUMBER_CONCEPTS = ("age", "pain_duration_days")
SEXES = ("female", "male", "other")
ALL_CONCEPTS: tuple[str, ...] = (*YES_NO_CONCEPTS, "age", "sex", "pain_duration_days")

DISPOSITIONS = ("emergency", "gp_today", "gp_soon", "self_care")
"""Most urgent first."""


def urgency(disposition: str) -> int:
    """Higher is more urgent: self_care 0 ... emergency 3."""
    return len(DISPOSITIONS) - 1 - DISPOSITIONS.index(disposition)


# --- the oracle ---------------------------------------------------------------


def expected_disposition(facts: Mapping[str, object], unknown: Iterable[str] = ()) -> str:
    """The disposition brief section 2 prescribes.

    ``facts`` maps concept ids to True/False (yes/no questions), whole numbers
    (``age``, ``pain_duration_days``) or a string (``sex``). ``unknown`` lists
    concepts answered "I don't know"; they override ``facts``. A yes/no concept
    in neither counts as "no"; a number in neither is unknown (a patient who is
    not asked for, or does not give, a number has not given one).
    """
    unknown = set(unknown)

    def yes(concept: str) -> bool:
        return concept not in unknown and facts.get(concept) is True

    def number(concept: str) -> int | None:
        value = facts.get(concept)
        if concept in unknown or isinstance(value, bool) or not isinstance(value, int):
            return None
        return value

    age = number("age")
    duration = number("pain_duration_days")
    # Policy for an unknown age: possibly both over 50 and under 45, never under 16.
    over_50 = age is None or age > 50
    under_45 = age is None or age < 45
    under_16 = age is not None and age < 16
    # Policy for an unknown duration: never counts as more than 84 days.
    chronic = duration is not None and duration > 84

    # emergency: any emergency-level sign on its own.
    if any(yes(c) for c in EMERGENCY):
        return "emergency"

    # gp_today
    if any(yes(c) for c in SAME_DAY):
        return "gp_today"
    if yes("cancer_history") and any(yes(c) for c in CANCER_PARTNERS):
        return "gp_today"
    if any(yes(c) for c in INFECTION_RISK) and yes("feeling_unwell"):
        return "gp_today"
    if any(c in unknown for c in EMERGENCY):
        return "gp_today"

    # gp_soon: flags that count alone
    if any(yes(c) for c in ALONE_GP_SOON):
        return "gp_soon"
    # gp_soon: clusters
    if over_50 and (yes("night_pain") or yes("feeling_unwell")):
        return "gp_soon"
    if under_45 and yes("morning_stiffness_over_1h") and any(yes(c) for c in SPA_PARTNERS):
        return "gp_soon"
    if chronic:
        return "gp_soon"
    if under_16:
        return "gp_soon"

    return "self_care"


# --- the driver ---------------------------------------------------------------


@dataclass(frozen=True)
class TriageRun:
    outcome: Outcome
    asked: list[str]
    """Concept ids in the order they were asked."""
    session: Session


class RefusedAnswer(AssertionError):
    """The engine refused an answer the simulator would give: a driver or flow bug."""


def run_triage(
    library: Library,
    language: str,
    facts: Mapping[str, object],
    unknown: Iterable[str] = (),
    unspecified: str = "no",
    region: str | None = None,
    max_turns: int = 200,
) -> TriageRun:
    """Answers the triage flow the way ``companion simulate`` answers a vignette."""
    unknown = set(unknown)
    session = library.session("triage", language, region)
    turn = session.start()
    for _ in range(max_turns):
        if turn.outcome is not None:
            concepts = session.flow.questions()
            return TriageRun(
                outcome=turn.outcome,
                asked=[concepts[q].concept for q in session.asked],
                session=session,
            )
        question = turn.question
        assert question is not None, "a turn without outcome must ask a question"
        concept = question.concept
        if concept in facts and concept not in unknown:
            value = facts[concept]
            if isinstance(value, bool):
                turn = session.choose("yes" if value else "no")
            elif isinstance(value, int):
                turn = session.answer(str(value))
            else:
                turn = session.choose(str(value))
        elif concept in unknown or unspecified == "unknown":
            turn = session.choose(UNKNOWN)
        elif question.answer_type == "yes_no":
            turn = session.choose("no")
        else:
            turn = session.choose(UNKNOWN)
        if turn.problem is not None:
            raise RefusedAnswer(
                f"answer for '{concept}' ({facts.get(concept)!r}) was refused: {turn.problem}"
            )
    raise AssertionError(f"no outcome after {max_turns} turns; asked {session.asked}")
