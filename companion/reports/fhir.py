"""`companion export --fhir [--out FILE]`: a FHIR R4 Bundle of the red-flag screens and the plan.

Plain dicts (no FHIR library at run time; the tests validate the output with ``fhir.resources``):

- a ``Questionnaire`` generated from each screening flow (``flows/triage.yaml``,
  ``flows/checkin.yaml``): one item per question state (a check-in's list question names its
  signs in its text),
  ``linkId`` = the question id, ``code`` = the concept id (system :data:`CONCEPT_SYSTEM`), type
  ``boolean`` (yes/no), ``integer`` (number, with min/max extensions) or ``choice`` (its options);
- one ``QuestionnaireResponse`` per finished triage and per check-in (its red-flag answers), an
  "I don't know" answer as an item without answer carrying the ``data-absent-reason``
  extension ``asked-unknown``;
- the current plan as a ``CarePlan``: one activity per plan activity, with its quota rising from
  the baseline to the goal (``scheduledTiming``: how many times a day, between the start and the
  goal day) and the step schedule in words; the physiotherapist as ``Practitioner``;
- one ``EpisodeOfCare`` per episode of back pain (period: the day the pain began to the day
  the back was fine again; ``active`` while it runs), which each response and the care plan
  name with the ``workflow-episodeOfCare`` extension (R4B has no element for it there);
- a ``Patient`` without any identifying data, as the subject the resources need.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from companion.care.plan import Plan, goal_day
from companion.dialogue.flow import ChoiceAnswer, NumberAnswer, QuestionState, YesNoAnswer
from companion.journey.journey import CHECKIN, SCREENS, TRIAGE
from companion.reports.data import StoredAnswer, finished_screens
from companion.resources import Library
from companion.store.protocol import Store
from companion.store.records import Episode
from companion.texts.content import ContentError, Localizer

CONCEPT_SYSTEM = "urn:companion:concept"
"""Code system of the concept ids of ``flows/concepts.yaml``."""
OPTION_SYSTEM = "urn:companion:option"
QUESTIONNAIRE_URL = "urn:companion:questionnaire:"
"""Followed by the flow id: one Questionnaire per screening flow."""
TITLES = {
    TRIAGE: ("CompanionTriage", "Red-flag screen for acute low back pain"),
    CHECKIN: ("CompanionCheckin", "Check-in during an episode of low back pain"),
}
ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
EPISODE_OF_CARE = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"
UNITS_UCUM = {"minutes": "min", "hours": "h", "repetitions": "{repetitions}"}


def _text(texts: Localizer, key: str) -> str:
    try:
        return texts.text(key)
    except ContentError:
        return key


def questionnaire(library: Library, texts: Localizer, flow_id: str = TRIAGE) -> dict[str, Any]:
    """A screening flow as a Questionnaire (one item per question state, in flow order)."""
    flow = library.flows[flow_id].flow
    items = []
    for name, state in flow.states.items():
        if not isinstance(state, QuestionState):
            continue
        item: dict[str, Any] = {
            "linkId": name,
            "code": [{"system": CONCEPT_SYSTEM, "code": state.concept}],
            "text": " ".join(
                [_text(texts, state.text), *(_text(texts, i.text) for i in state.items)]
            ),
        }
        answer = state.answer
        if isinstance(answer, YesNoAnswer):
            item["type"] = "boolean"
        elif isinstance(answer, NumberAnswer):
            item["type"] = "integer"
            item["extension"] = [
                {"url": MIN_VALUE, "valueInteger": answer.min},
                {"url": MAX_VALUE, "valueInteger": answer.max},
            ]
        elif isinstance(answer, ChoiceAnswer):
            item["type"] = "choice"
            item["answerOption"] = [
                {
                    "valueCoding": {
                        "system": OPTION_SYSTEM,
                        "code": option,
                        "display": _text(texts, key),
                    }
                }
                for option, key in answer.options.items()
            ]
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": f"companion-{flow_id.replace('_', '-')}",
        "url": QUESTIONNAIRE_URL + flow_id,
        "version": str(flow.version),
        "name": TITLES.get(flow_id, (flow_id, flow_id))[0],
        "title": TITLES.get(flow_id, (flow_id, flow_id))[1],
        "status": "active",
        "language": texts.language,
        "item": items,
    }


def _answer_item(stored: StoredAnswer, states: dict[str, Any]) -> dict[str, Any] | None:
    question = stored.question
    state = states.get(question)
    if not isinstance(state, QuestionState):
        return None
    value = stored.value
    item: dict[str, Any] = {"linkId": question, "text": stored.question_text or ""}
    if value == "unknown":
        item["extension"] = [{"url": ABSENT, "valueCode": "asked-unknown"}]
    elif isinstance(state.answer, YesNoAnswer) and isinstance(value, bool):
        item["answer"] = [{"valueBoolean": value}]
    elif isinstance(state.answer, NumberAnswer) and isinstance(value, int):
        item["answer"] = [{"valueInteger": value}]
    elif isinstance(state.answer, ChoiceAnswer) and isinstance(value, str):
        item["answer"] = [
            {
                "valueCoding": {
                    "system": OPTION_SYSTEM,
                    "code": value,
                    "display": stored.shown if stored.shown is not None else str(value),
                }
            }
        ]
    else:
        return None
    return item


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def care_plan(
    plan: Plan, texts: Localizer, patient: str, practitioner: str | None
) -> dict[str, Any]:
    activities = []
    for index, activity in enumerate(plan.activities):
        name = activity.name.label(texts.language) if activity.name else None
        label = name or _text(texts, f"report.kind.{activity.kind}")
        schedule = (
            f"{activity.baseline} -> {activity.goal} {activity.unit}/day, "
            f"+ every {activity.step_every_days} days, {activity.weeks} weeks"
        )
        instruction = activity.instruction.label(texts.language) if activity.instruction else None
        detail: dict[str, Any] = {
            "kind": "Task",
            "code": {
                "coding": [{"system": "urn:companion:activity-kind", "code": activity.kind}],
                "text": label,
            },
            "status": "in-progress",
            "description": f"{instruction} ({schedule})" if instruction else schedule,
            "scheduledTiming": {
                "repeat": {
                    "boundsPeriod": {
                        "start": plan.start.isoformat(),
                        "end": goal_day(plan, index).isoformat(),
                    },
                    "frequency": activity.times_per_day or 1,
                    "period": 1,
                    "periodUnit": "d",
                }
            },
            "quantity": {
                "value": activity.baseline,
                "unit": activity.unit,
                "system": "http://unitsofmeasure.org",
                "code": UNITS_UCUM[activity.unit],
            },
        }
        detail["performer"] = [{"reference": patient}]
        activities.append({"detail": detail})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": "Time-contingent activity plan",
        "description": (
            "Activities built up by time, not by pain, to the previous level in 6-12 weeks."
        ),
        "subject": {"reference": patient},
        "period": {"start": plan.start.isoformat(), "end": plan.end.isoformat()},
        "activity": activities,
    }
    if practitioner:
        resource["author"] = {"reference": practitioner}
    if plan.review:
        resource["note"] = [
            {"text": f"Review with the physiotherapist on {plan.review.isoformat()}."}
        ]
    return resource


def episode_of_care(episode: Episode, patient: str) -> dict[str, Any]:
    """One episode of back pain: from the day the pain began to the day it was fine again."""
    period = {"start": episode.onset.isoformat()}
    if episode.ended is not None:
        period["end"] = episode.ended.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "status": "finished" if episode.ended is not None else "active",
        "type": [{"text": "Acute low back pain, self-management"}],
        "patient": {"reference": patient},
        "period": period,
    }


def _in_episode(reference: str) -> dict[str, Any]:
    return {"url": EPISODE_OF_CARE, "valueReference": {"reference": reference}}


def fhir_bundle(store: Store, library: Library, texts: Localizer) -> dict[str, Any]:
    """Everything as one FHIR R4 ``collection`` Bundle (plain JSON-ready dicts)."""
    entries: list[dict[str, Any]] = []

    def add(resource: dict[str, Any]) -> str:
        full_url = f"urn:uuid:{uuid.uuid4()}"
        entries.append({"fullUrl": full_url, "resource": resource})
        return full_url

    patient = add(
        {
            "resourceType": "Patient",
            "communication": [
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": texts.locale}]}}
            ],
        }
    )
    episodes = {e.id: add(episode_of_care(e, patient)) for e in store.episodes()}
    forms = {flow_id: questionnaire(library, texts, flow_id) for flow_id in SCREENS}
    for form in forms.values():
        add(form)
    for screen in finished_screens(store):
        form = forms[screen.flow_id]
        states = library.flows[screen.flow_id].flow.states
        items = [
            item for stored in screen.answers if (item := _answer_item(stored, states)) is not None
        ]
        if not items:
            continue
        response = {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": f"{form['url']}|{form['version']}",
            "status": "completed",
            "subject": {"reference": patient},
            "authored": _instant(screen.at),
            "language": screen.language,
            "item": items,
        }
        if screen.episode in episodes:
            response["extension"] = [_in_episode(episodes[screen.episode])]
        add(response)
    plan = store.current_plan()
    if plan is not None:
        practitioner = None
        if plan.therapist is not None:
            therapist: dict[str, Any] = {
                "resourceType": "Practitioner",
                "name": [{"text": plan.therapist.name}],
            }
            if plan.therapist.contact:
                system = "email" if "@" in plan.therapist.contact else "phone"
                therapist["telecom"] = [{"system": system, "value": plan.therapist.contact}]
            practitioner = add(therapist)
        resource = care_plan(plan, texts, patient, practitioner)
        current = store.current_episode()
        if current is not None and current.id in episodes:
            resource["extension"] = [_in_episode(episodes[current.id])]
        add(resource)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(store.clock.now()),
        "entry": entries,
    }
