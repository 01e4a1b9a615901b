"""The progress report and the GP summary, built from a simulated 4-week episode."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import format_date

from companion.care.plan import quota_on
from companion.cli import main
from companion.clock import FixedClock
from companion.commands.homework import check_plan_file
from companion.journey.journey import CHECKIN, EDUCATION, TRIAGE, Journey
from companion.reports.data import collect, milestone_days
from companion.reports.markdown import md
from companion.reports.report import open_texts, render_html, render_markdown, write_report
from companion.resources import Library, builtin_library, default_flows_dir, load_library
from companion.store.storage import Store
from tests.patients import given_plan_function_part
from tests.test_journey import talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "homework"
Facts = Mapping[str, bool | int | str]

QUOTA_DONE = ["done", "partly", "not", "done"]
ESCALATION_DAY = 20
"""The check-in on this day (days since the start of the episode) reports saddle numbness."""


@dataclass
class Episode:
    store: Store
    library: Library
    clock: FixedClock
    pains: list[int] = field(default_factory=list)
    quota_done: list[str] = field(default_factory=list)
    escalated_at: datetime | None = None


def simulate_episode(tmp_path: Path, language: str, region: str = "BE") -> Episode:
    """Triage, education, the physiotherapist's plan imported, then a check-in every 2 days
    for 4 weeks; the check-in on day 20 reports saddle numbness (emergency)."""
    library = builtin_library()
    clock = FixedClock(START)
    store = Store.open(tmp_path / "data", clock=clock)
    store.set_setting("language", language)
    store.set_setting("region", region)
    journey = Journey(library, store, clock, language, region)
    triage = journey.next()
    assert triage is not None and triage.flow_id == TRIAGE
    facts = {"age": 41, "sex": "male", "pain_duration_days": 3}
    assert talk(triage, facts).outcome.disposition == "self_care"  # type: ignore[union-attr]
    education = journey.next()
    assert education is not None and education.flow_id == EDUCATION
    talk(education, {})
    plan, problems = check_plan_file(EXAMPLES / "rug-wandelen.nl.toml")
    assert plan is not None, problems
    store.save_plan(plan)
    given_plan_function_part(journey)
    episode = Episode(store, library, clock)
    for n, days in enumerate(range(2, 29, 2)):
        clock.advance(days=2)
        conversation = journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        if days == ESCALATION_DAY:
            outcome = talk(conversation, {"saddle_numbness": True}).outcome
            assert outcome is not None and outcome.disposition == "emergency"
            episode.escalated_at = store.sessions()[-1].finished_at
            continue
        pain = max(1, 7 - n // 2)
        done = QUOTA_DONE[n % len(QUOTA_DONE)]
        outcome = talk(
            conversation,
            {
                "quota_done": done,
                "pain_now": pain,
                "pain_trend": "better",
                "daily_activities_resumed": days >= 14,
                "moving_ok": True,
                "work_affected": False,
            },
        ).outcome
        assert outcome is not None and outcome.disposition == "self_care"
        episode.pains.append(pain)
        episode.quota_done.append(done)
    return episode


class Page(HTMLParser):
    """Collects text per element id, table rows, and whether anything external is loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, list[str]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.escalations: list[str] = []
        self.external: list[str] = []
        self.scripts = 0
        self._open: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._escalation: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.external.append(str(attributes[name]))
        if tag == "script":
            self.scripts += 1
        if attributes.get("id"):
            self._open.append(str(attributes["id"]))
            self.ids.setdefault(str(attributes["id"]), [])
            if tag == "table":
                self._table = str(attributes["id"])
                self.tables[self._table] = []
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "li" and attributes.get("class") == "escalation":
            self._escalation = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        if tag == "table":
            self._table = None
        if tag == "li" and self._escalation is not None:
            self.escalations.append("".join(self._escalation))
            self._escalation = None

    def handle_data(self, data: str) -> None:
        for name in self._open:
            self.ids[name].append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._escalation is not None:
            self._escalation.append(data)

    def text(self, id_: str) -> str:
        return "".join(self.ids[id_]).strip()


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


@pytest.fixture(params=["nl", "fr"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_html_report_numbers_match_the_stored_episode(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    out = tmp_path / "report.html"
    with episode.store as store:
        assert write_report(store, episode.library, out)
        texts = open_texts(episode.library, store, None)
        checkins = [s for s in store.sessions() if s.flow_id == CHECKIN]
    page = parse(out.read_text(encoding="utf-8"))
    # Self-contained: no scripts, no external resources; print-friendly for A4.
    assert page.scripts == 0 and page.external == []
    html = out.read_text(encoding="utf-8")
    assert "@page" in html and "size: A4" in html and "@media print" in html and "<svg" in html
    assert f'lang="{language}-BE"' in html
    # Every check-in is counted, including the one cut short by a red flag.
    assert str(len(checkins)) in page.text("checkin-count")
    assert len(checkins) == 14
    # Adherence: done or partly among the check-ins that asked about the plan.
    done = sum(d in ("done", "partly") for d in episode.quota_done)
    asked = len(episode.quota_done)
    assert (done, asked) == (10, 13)
    adherence = page.text("adherence-text")
    numbers = re.findall(r"\d+", adherence)
    assert numbers[:3] == ["10", "13", "77"], adherence
    # Pain per check-in, in order (the escalated check-in did not ask: "-").
    pain_rows = page.tables["pain-table"][1:]
    assert len(pain_rows) == 14
    shown = [row[2] for row in pain_rows]
    assert [int(v) for v in shown if v != "-"] == episode.pains
    assert shown.count("-") == 1
    # Quota per check-in for the walking activity: the plan's schedule on those dates.
    quota_rows = page.tables["quota-1"][1:]
    plan = check_plan_file(EXAMPLES / "rug-wandelen.nl.toml")[0]
    assert plan is not None
    expected = [str(quota_on(plan, 0, s.finished_at.date())) for s in checkins]  # type: ignore[union-attr]
    assert [row[2] for row in quota_rows] == expected
    assert expected[:3] == ["10", "11", "13"]  # +30 minutes in 18 steps of 3 days
    # The escalation, with its date and time as the locale writes them.
    assert episode.escalated_at is not None
    assert len(page.escalations) == 1
    expected_date = format_date(episode.escalated_at.date(), "long", locale=f"{language}_BE")
    assert expected_date in page.escalations[0]
    assert "10:00" in page.escalations[0]  # 09:00 UTC is 10:00 in Brussels in March
    # The red-flag screens: the triage and every check-in.
    assert html.count('data-flow="triage"') == 1 and html.count('data-flow="checkin"') == 14
    # In the patient's language.
    heading = {"nl": "Verslag over uw rugpijn", "fr": "Rapport sur votre mal de dos"}[language]
    assert f"<h1>{heading}</h1>" in html
    assert texts.text("report.plan.principle") in html


def test_markdown_report_has_the_same_numbers(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    with episode.store as store:
        texts = open_texts(episode.library, store, language)
        data = collect(store, episode.library, texts, store.clock.today())
        text = render_markdown(data)
    assert text.startswith("# ")
    assert data.adherence == (10, 13)
    lines = text.splitlines()
    heading = lines.index("## " + texts.text("report.adherence.heading").replace("?", "?"))
    adherence = lines[heading + 2]
    assert re.findall(r"\d+", adherence)[:3] == ["10", "13", "77"], adherence
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) > 14
    assert "<script" not in text
    expected_date = format_date(episode.escalated_at.date(), "long", locale=f"{language}_BE")  # type: ignore[union-attr]
    assert any(expected_date in line for line in text.splitlines() if line.startswith("- **"))


def test_report_in_the_other_language_translates_questions_and_answers(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "nl")
    with episode.store as store:
        texts = open_texts(episode.library, store, "fr")
        html = render_html(collect(store, episode.library, texts, store.clock.today()))
    assert 'lang="fr-' in html
    assert "Oui" in html and ">Ja<" not in html


def test_stored_strings_are_escaped(tmp_path: Path) -> None:
    library = builtin_library()
    clock = FixedClock(START)
    with Store.open(tmp_path / "data", clock=clock) as store:
        plan, _ = check_plan_file(EXAMPLES / "rug-wandelen.nl.toml")
        assert plan is not None
        hostile = plan.model_copy(
            update={"therapist": plan.therapist.model_copy(update={"name": "<script>x</script>"})}  # type: ignore[union-attr]
        )
        store.save_plan(hostile)
        html = render_html(collect(store, library, open_texts(library, store, "nl"), clock.today()))
        markdown = render_markdown(
            collect(store, library, open_texts(library, store, "nl"), clock.today())
        )
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in markdown


def test_gp_summary_after_an_escalation(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    out = tmp_path / "gp.html"
    with episode.store as store:
        assert write_report(store, episode.library, out, gp_summary=True)
        texts = open_texts(episode.library, store, language)
        onset = store.current_episode().onset  # type: ignore[union-attr]
        today = store.clock.today()
    page = parse(out.read_text(encoding="utf-8"))
    html = out.read_text(encoding="utf-8")
    assert 'data-disposition="emergency"' in html
    assert texts.text("end.emergency.title") in page.text("disposition")
    # Days since onset: 3 days of pain at triage, then 28 days.
    assert (today - onset).days == 31
    assert "31" in page.text("duration")
    assert format_date(onset, "long", locale=f"{language}_BE") in page.text("duration")
    # The answer that led to it, and the history from triage.
    assert 'data-concept="saddle_numbness"' in page.text("reasons") or (
        "saddle_numbness" in html.split('id="reasons"')[1].split("</section>")[0]
    )
    history = html.split('id="history"')[1]
    assert 'data-concept="age"' in history and 'data-concept="pain_duration_days"' in history
    assert page.scripts == 0 and page.external == []


def test_gp_summary_without_escalation_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with Store.open(data, clock=FixedClock(START)) as store:
        store.set_setting("language", "fr")
    out = tmp_path / "gp.html"
    assert main(["report", "--gp-summary", "--out", str(out), "--data-dir", str(data)]) == 1
    assert not out.exists()
    assert "pas eu de conseil urgent" in capsys.readouterr().out


def test_report_command_writes_markdown_in_the_chosen_language(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "nl")
    episode.store.close()
    out = tmp_path / "verslag.md"
    code = main(
        [
            "report",
            "--out",
            str(out),
            "--format",
            "md",
            "--lang",
            "fr",
            "--data-dir",
            str(tmp_path / "data"),
        ]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Rapport sur votre mal de dos")
    assert (out.stat().st_mode & 0o777) == 0o600


def test_milestones_follow_the_check_in_flow(tmp_path: Path) -> None:
    """The report's milestones are the days the check-in's advice rules start: moving a rule
    from day 21 to day 28 in a copy of the flows moves the milestone in the report."""
    assert milestone_days(builtin_library()) == (7, 14, 21, 42, 84)
    flows = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), flows)
    checkin = flows / "checkin.yaml"
    shipped_text = checkin.read_text(encoding="utf-8")
    assert shipped_text.count("{number: day, ge: 21}") == 1
    checkin.write_text(
        shipped_text.replace("{number: day, ge: 21}", "{number: day, ge: 28}"), encoding="utf-8"
    )
    moved = load_library(flows)
    episode = simulate_episode(tmp_path, "nl")
    with episode.store as store:
        texts = open_texts(moved, store, "nl")
        today = store.clock.today()
        shipped = collect(store, episode.library, texts, today)
        changed = collect(store, moved, texts, today)
        lines = render_markdown(changed).splitlines()
    assert [day for day, _ in shipped.milestones] == [7, 14, 21]
    assert [day for day, _ in changed.milestones] == [7, 14, 28]
    onset = changed.onset
    assert onset is not None

    def milestone_line(day: int) -> str:
        on = texts.format_date(onset + timedelta(days=day))
        return "- " + md(texts.text("report.milestone.passed", day=str(day), date=on))

    assert milestone_line(28) in lines
    assert milestone_line(21) not in lines
