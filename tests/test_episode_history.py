"""History per episode (issue 13, item 3): the report groups by episode, the export and the
FHIR bundle carry every episode (``EpisodeOfCare``, validated with fhir.resources)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.journey.episodes import BACK_FINE, PAIN_BACK, EpisodeIndex
from companion.journey.journey import Journey
from companion.reports.data import collect
from companion.reports.fhir import EPISODE_OF_CARE, fhir_bundle
from companion.reports.report import render_html, render_markdown
from companion.resources import Library, builtin_library
from companion.store.storage import SQLiteStore
from tests.patients import SELF_CARE_PATH, talk

fhir_r4b = pytest.importorskip("fhir.resources.R4B.bundle", reason="pip install -e '.[test]'")

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CALM = {"pain_now": 2, "pain_trend": "better", "quota_done": "done", "moving_ok": True,
        "daily_activities_resumed": True}  # fmt: skip


def hold_due(journey: Journey, facts: dict[str, bool | int | str]) -> None:
    while (conversation := journey.next()) is not None:
        talk(conversation, facts)


@pytest.fixture
def two_episodes(tmp_path: Path) -> Iterator[tuple[SQLiteStore, FixedClock]]:
    """Episode 1 from 2025-03-01 (two check-ins, fine again on 2025-03-13), the pain back on
    2025-05-02 with a triage that asked for a doctor today, then a self-care triage on
    2025-05-03 that started episode 2 (one check-in)."""
    clock = FixedClock(START)
    with SQLiteStore.open(tmp_path, clock) as store:
        journey = Journey(builtin_library(), store, clock, "nl", "BE", plan_from_answers)
        hold_due(journey, SELF_CARE_PATH)
        for _ in range(2):
            clock.advance(days=5)
            hold_due(journey, {**SELF_CARE_PATH, **CALM})
        closing = journey.take_action(BACK_FINE)
        assert closing is not None
        talk(closing, {"what_helped": "plan"})
        clock.advance(days=50)
        escalated = journey.take_action(PAIN_BACK)
        assert escalated is not None
        talk(escalated, {**SELF_CARE_PATH, "fever": True})
        clock.advance(days=1)
        hold_due(journey, {**SELF_CARE_PATH, "pain_duration_days": 1, "reuse_previous_plan": True})
        clock.advance(days=2)
        hold_due(journey, {**SELF_CARE_PATH, **CALM})
        yield store, clock


def test_every_conversation_belongs_to_the_episode_it_was_about(
    two_episodes: tuple[SQLiteStore, FixedClock],
) -> None:
    store, _ = two_episodes
    first, second = store.episodes()
    index = EpisodeIndex.of(store)
    flows_by_episode: dict[int | None, list[str]] = {}
    for session in store.sessions():
        flows_by_episode.setdefault(index.episode_of(session), []).append(session.flow_id)
    assert flows_by_episode == {
        first.id: ["triage", "education", "plan_setup", "checkin", "checkin", "episode_end"],
        # the escalated triage after the pain came back leads up to the second episode
        # the previous plan taken up again: the set-up asks only its function part
        second.id: ["triage", "triage", "risk", "education", "plan_reuse", "plan_setup", "checkin"],
    }


def test_the_report_shows_each_episode_with_its_own_check_ins_and_dates(
    two_episodes: tuple[SQLiteStore, FixedClock],
) -> None:
    store, clock = two_episodes
    library = builtin_library()
    texts = library.content.localizer("nl", "BE")
    data = collect(store, library, texts, clock.today())
    assert [(p.number, p.onset, p.ended) for p in data.episodes] == [
        (1, date(2025, 3, 1), date(2025, 3, 13)),
        (2, date(2025, 5, 2), None),
    ]
    assert data.episodes[0].what_helped == texts.text("episode_end.helped.plan")
    assert [len(data.of_episode(p).checkins) for p in data.episodes] == [2, 1]
    assert [c.day for c in data.of_episode(data.episodes[1]).checkins] == [3]
    # Milestones count from each episode's own onset and stop when it ended.
    assert [day for day, _ in data.episodes[0].milestones] == [7]
    assert data.episodes[1].milestones == []
    html = render_html(data)
    assert html.count('class="episode"') == 2
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # one page, two episodes: ids stay unique
    markdown = render_markdown(data)
    assert markdown.index("Periode 1") < markdown.index("Periode 2")
    assert "Weer in orde op" in markdown and texts.text("episode_end.helped.plan") in markdown
    escalations = html[html.index('id="escalations-2"') :]
    assert 'data-disposition="gp_today"' in escalations[: escalations.index("</section>")]


def test_the_escalated_triage_of_the_new_episode_is_listed_under_it(
    two_episodes: tuple[SQLiteStore, FixedClock],
) -> None:
    store, clock = two_episodes
    library = builtin_library()
    data = collect(store, library, library.content.localizer("nl", "BE"), clock.today())
    second = data.of_episode(data.episodes[1])
    assert [s.disposition for s in second.escalations] == ["gp_today"]
    assert data.of_episode(data.episodes[0]).escalations == []
    assert data.of_episode(None).screens == []


def test_a_triage_after_the_pain_came_back_that_started_nothing_yet_stays_in_the_report(
    tmp_path: Path,
) -> None:
    clock = FixedClock(START)
    library = builtin_library()
    texts = library.content.localizer("nl", "BE")
    with SQLiteStore.open(tmp_path, clock) as store:
        journey = Journey(library, store, clock, "nl", "BE", plan_from_answers)
        hold_due(journey, SELF_CARE_PATH)
        closing = journey.take_action(BACK_FINE)
        assert closing is not None
        talk(closing, {"what_helped": "time"})
        clock.advance(days=20)
        hold_due(journey, {**SELF_CARE_PATH, "pain_duration_days": 1})  # nothing due: no triage
        triage = journey.take_action(PAIN_BACK)
        assert triage is not None
        talk(triage, {**SELF_CARE_PATH, "fever": True})
        data = collect(store, library, texts, clock.today())
    assert len(data.episodes) == 1  # one episode: the report is laid out as before
    assert [s.disposition for s in data.escalations] == ["gp_today"]
    assert "gp_today" in render_html(data)


def test_the_export_carries_both_episodes_with_their_end(
    two_episodes: tuple[SQLiteStore, FixedClock],
) -> None:
    store, _ = two_episodes
    exported = json.loads(json.dumps(store.export()))
    assert [(e["onset"], e["ended"]) for e in exported["episodes"]] == [
        ("2025-03-01", "2025-03-13"),
        ("2025-05-02", None),
    ]


def test_the_fhir_bundle_has_one_episode_of_care_per_episode_named_by_the_responses(
    two_episodes: tuple[SQLiteStore, FixedClock],
) -> None:
    store, _ = two_episodes
    library: Library = builtin_library()
    bundle = fhir_bundle(store, library, library.content.localizer("nl", "BE"))
    fhir_r4b.Bundle.model_validate(bundle)
    entries = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    episodes = {u: r for u, r in entries.items() if r["resourceType"] == "EpisodeOfCare"}
    assert sorted(
        (r["status"], r["period"].get("start"), r["period"].get("end")) for r in episodes.values()
    ) == [
        ("active", "2025-05-02", None),
        ("finished", "2025-03-01", "2025-03-13"),
    ]
    by_period = {r["period"]["start"]: u for u, r in episodes.items()}
    named = [
        (r["authored"][:10], ext["valueReference"]["reference"])
        for r in entries.values()
        if r["resourceType"] == "QuestionnaireResponse"
        for ext in r.get("extension", [])
        if ext["url"] == EPISODE_OF_CARE
    ]
    first, second = by_period["2025-03-01"], by_period["2025-05-02"]
    assert named == [
        ("2025-03-03", first),
        ("2025-03-08", first),
        ("2025-03-13", first),
        ("2025-05-02", second),
        ("2025-05-03", second),
        ("2025-05-05", second),
    ]
    (plan,) = [r for r in entries.values() if r["resourceType"] == "CarePlan"]
    assert plan["extension"] == [{"url": EPISODE_OF_CARE, "valueReference": {"reference": second}}]
