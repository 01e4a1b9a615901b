"""`companion export --fhir`: a FHIR R4 Bundle, validated with a maintained FHIR library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.cli import main
from companion.dialogue.flow import QuestionState
from companion.reports.fhir import CONCEPT_SYSTEM, fhir_bundle, questionnaire
from companion.reports.report import open_texts
from companion.resources import builtin_library
from tests.test_report import simulate_episode

fhir_r4b = pytest.importorskip("fhir.resources.R4B.bundle", reason="pip install -e '.[test]'")


def resources(bundle: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_questionnaire_has_one_item_per_triage_question() -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire

    library = builtin_library()
    form = questionnaire(library, library.content.localizer("nl", "BE"))
    Questionnaire.model_validate(form)
    states = library.flows["triage"].flow.states
    questions = {n: s for n, s in states.items() if isinstance(s, QuestionState)}
    assert [i["linkId"] for i in form["item"]] == list(questions)
    for item in form["item"]:
        state = questions[item["linkId"]]
        assert item["code"] == [{"system": CONCEPT_SYSTEM, "code": state.concept}]
    types = {i["linkId"]: i["type"] for i in form["item"]}
    assert types["saddle_numbness"] == "boolean"
    assert types["age"] == "integer"
    assert types["sex"] == "choice"


def test_bundle_is_valid_fhir_with_screens_and_care_plan(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "fr")
    with episode.store as store:
        bundle = fhir_bundle(store, episode.library, open_texts(episode.library, store, None))
        sessions = [s for s in store.sessions() if s.flow_id in ("triage", "checkin")]
    parsed = fhir_r4b.Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    responses = resources(bundle, "QuestionnaireResponse")
    assert len(responses) == len(sessions) == 15
    triage = responses[0]
    answers = {i["linkId"]: i.get("answer") for i in triage["item"]}
    assert answers["saddle_numbness"] == [{"valueBoolean": False}]
    assert answers["age"] == [{"valueInteger": 41}]
    assert answers["sex"][0]["valueCoding"]["code"] == "male"
    emergency = [
        r
        for r in responses
        if any(
            i["linkId"] == "saddle_numbness" and i.get("answer") == [{"valueBoolean": True}]
            for i in r["item"]
        )
    ]
    assert len(emergency) == 1
    forms = {q["url"]: q for q in resources(bundle, "Questionnaire")}
    assert set(forms) == {
        "urn:companion:questionnaire:triage",
        "urn:companion:questionnaire:checkin",
    }
    checkin_links = {i["linkId"] for i in forms["urn:companion:questionnaire:checkin"]["item"]}
    for response in responses[1:]:
        assert response["questionnaire"].startswith("urn:companion:questionnaire:checkin|")
        assert {i["linkId"] for i in response["item"]} <= checkin_links
    (plan,) = resources(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert len(plan["activity"]) == 2
    timing = plan["activity"][1]["detail"]["scheduledTiming"]["repeat"]
    assert timing["frequency"] == 3 and timing["periodUnit"] == "d"
    (practitioner,) = resources(bundle, "Practitioner")
    assert practitioner["name"][0]["text"] == "M. de Vries"


def test_unknown_answers_are_marked_absent(tmp_path: Path) -> None:
    from companion.clock import FixedClock
    from companion.journey.journey import Journey
    from companion.store.storage import Store
    from tests.test_report import START, talk

    library = builtin_library()
    clock = FixedClock(START)
    with Store.open(tmp_path / "data", clock=clock) as store:
        journey = Journey(library, store, clock, "nl", "NL")
        conversation = journey.next()
        assert conversation is not None
        talk(conversation, {"saddle_numbness": "unknown"})
        bundle = fhir_bundle(store, library, library.content.localizer("nl", "NL"))
    fhir_r4b.Bundle.model_validate(bundle)
    (response,) = resources(bundle, "QuestionnaireResponse")
    item = response["item"][0]
    assert item["linkId"] == "saddle_numbness" and "answer" not in item
    assert item["extension"][0]["valueCode"] == "asked-unknown"
    assert resources(bundle, "CarePlan") == []


def test_export_fhir_command(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "nl")
    episode.store.close()
    out = tmp_path / "bundle.json"
    assert main(["export", "--fhir", "--out", str(out), "--data-dir", str(tmp_path / "data")]) == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    fhir_r4b.Bundle.model_validate(bundle)
    assert (out.stat().st_mode & 0o777) == 0o600
