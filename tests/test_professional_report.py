"""The professional's report (``companion report --for professional``): a summary for a
physiotherapist or GP first, open escalations above everything, red-flag screens condensed to
what was not a plain "no", about the patient in the third person, in nl and fr."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from companion.cli import main
from companion.clock import FixedClock
from companion.commands.homework import check_plan_file
from companion.dialogue.engine import Turn
from companion.journey.journey import CHECKIN, EDUCATION, TRIAGE, Conversation, Journey
from companion.reports.data import collect
from companion.reports.professional import collect_professional, professional_document
from companion.reports.professional_summary import (
    AdviceGiven,
    Point,
    Trend,
    nhg_step,
)
from companion.reports.report import open_texts, professional_report, write_report
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from companion.texts.content import Localizer
from tests.patients import answer_like_patient, given_plan_function_part
from tests.test_report import EXAMPLES, parse, simulate_episode

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Facts = Mapping[str, bool | int | str]
FINE: Facts = {
    "quota_done": "done",
    "pain_now": 4,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}
HOSTILE = "<script>alert(1)</script> **vet** [klik](javascript:x) `code` | # kop"


@pytest.fixture(params=["nl", "fr"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def talk(conversation: Conversation, facts: Facts, unknown: Iterable[str] = ()) -> Turn:
    turn = conversation.start()
    while turn.outcome is None:
        turn = answer_like_patient(conversation, turn, facts, unknown)
    return turn


class Patient:
    """One person's data folder, walked through triage, education and a plan."""

    def __init__(self, tmp_path: Path, language: str) -> None:
        self.library: Library = builtin_library()
        self.clock = FixedClock(START)
        self.store = Store.open(tmp_path / "data", clock=self.clock)
        self.store.set_setting("language", language)
        self.store.set_setting("region", "BE")
        self.journey = Journey(self.library, self.store, self.clock, language, "BE")
        triage = self.journey.next()
        assert triage is not None and triage.flow_id == TRIAGE
        turn = talk(triage, {"age": 41, "sex": "male", "pain_duration_days": 3})
        assert turn.outcome is not None and turn.outcome.disposition == "self_care"
        education = self.journey.next()
        assert education is not None and education.flow_id == EDUCATION
        talk(education, {})
        plan, problems = check_plan_file(EXAMPLES / "rug-wandelen.nl.toml")
        assert plan is not None, problems
        self.store.save_plan(plan)
        given_plan_function_part(self.journey)

    def check_in(self, facts: Facts, unknown: Iterable[str] = (), days: int = 2) -> str | None:
        """A check-in ``days`` later; returns its disposition."""
        self.clock.advance(days=days)
        conversation = self.journey.next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        outcome = talk(conversation, facts, unknown).outcome
        assert outcome is not None
        return outcome.disposition

    def texts(self, language: str) -> Localizer:
        return open_texts(self.library, self.store, language)


def section(html: str, id_: str) -> str:
    """The HTML of the element with this id, nested elements included."""
    start = html.rindex("<", 0, html.index(f' id="{id_}"'))
    tag = re.match(r"<(\w+)", html[start:]).group(1)  # type: ignore[union-attr]
    depth = 0
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return html[start : start + found.end()]
    raise AssertionError(f"{id_}: no end tag")


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


# --- the summary comes first ------------------------------------------------------------------


def test_summary_comes_before_the_details(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    with episode.store as store:
        html = professional_report(store, episode.library)
        texts = open_texts(episode.library, store, None)
    order = [
        html.index(f'id="{id_}"')
        for id_ in (
            "summary",
            "current-step",
            "adherence",
            "pain-trend",
            "advice-summary",
            "escalations",
            "red-flags",
            "plan",
            "quota",
            "pain-table",
        )
    ]
    assert order == sorted(order), order
    summary = visible_text(section(html, "summary"))
    # Where the patient stands: day since onset (3 days of pain at triage, then 28 days).
    assert re.search(r"\b31\b", visible_text(section(html, "current-step")))
    assert texts.text("pro.nhg.1") in summary
    # Adherence of the plan as a whole: 10 of the 13 check-ins that asked.
    adherence = section(html, "adherence")
    assert ">10<" in adherence and ">13<" in adherence and "77" in adherence
    # Pain trend: the first and the latest score of the episode.
    pain = visible_text(section(html, "pain-trend"))
    assert texts.text("pro.trend.first", value="7", date=texts.format_date(date(2026, 3, 4)),
                      day="5") in pain  # fmt: skip
    assert "1" in pain and texts.text("pro.trend.count", count="13") in pain
    # The advice given at the day-14 milestone, with its date.
    advice = visible_text(section(html, "advice-summary"))
    assert texts.format_date(date(2026, 3, 14)) in advice
    assert texts.text("pro.advice.physiotherapist") in advice


def test_open_escalation_is_the_first_thing_after_the_title(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)  # saddle numbness on day 20, never acted on
    with episode.store as store:
        html = professional_report(store, episode.library)
        markdown = professional_report(store, episode.library, fmt="md")
        texts = open_texts(episode.library, store, None)
    summary = section(html, "summary")
    first_block = summary.index('id="open-1"')
    assert first_block < summary.index('id="current-step"')
    opened = summary[first_block : summary.index("</div>", first_block)]
    assert 'class="alert escalation"' in opened and 'data-disposition="emergency"' in opened
    assert texts.text("pro.disposition.emergency") in visible_text(opened)
    assert 'data-concept="saddle_numbness"' in opened
    assert texts.text("pro.escalation.no_contact") in visible_text(opened)
    # Markdown: the first heading of the summary is the open escalations, in bold.
    lines = markdown.splitlines()
    start = lines.index("## " + texts.text("pro.summary.heading"))
    headings = [line for line in lines[start + 1 :] if line.startswith("#")]
    assert headings[0].startswith("### ") and texts.text("pro.open.heading") in headings[0]
    bold = next(line for line in lines[start:] if line.startswith("**"))
    assert "emergency" not in bold and bold.startswith("**") and bold.endswith("**")


def test_escalation_acted_on_is_no_longer_open(tmp_path: Path, language: str) -> None:
    patient = Patient(tmp_path, language)
    with patient.store:
        assert patient.check_in(FINE) == "self_care"
        assert patient.check_in({**FINE, "fever": True}) == "gp_today"
        standing = patient.journey.standing_escalation()
        assert standing is not None
        before = professional_report(patient.store, patient.library)
        patient.journey.contacted_gp(standing)
        after = professional_report(patient.store, patient.library)
        texts = patient.texts(language)
    assert 'id="open-1"' in before
    assert texts.text("pro.escalation.standing") in visible_text(section(before, "summary"))
    assert 'id="open-1"' not in after
    assert texts.text("pro.open.none") in visible_text(section(after, "summary"))
    # The details still list it, with what the patient reported.
    details = section(after, "escalations")
    assert 'data-disposition="gp_today"' in details
    assert texts.text("pro.escalation.contacted") in visible_text(details)


def test_escalations_are_not_last_in_the_details(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "nl")
    with episode.store as store:
        html = professional_report(store, episode.library)
    assert html.index('id="escalations"') < html.index('id="red-flags"')
    assert html.index('id="escalations"') < html.index('id="answers"')


# --- red flags, condensed -----------------------------------------------------------------


def test_condensed_red_flags_show_only_yes_and_unknown(tmp_path: Path, language: str) -> None:
    patient = Patient(tmp_path, language)
    with patient.store:
        assert patient.check_in(FINE) == "self_care"
        # "I don't know" to an emergency-level sign: at least gp_today.
        assert patient.check_in(FINE, unknown=["saddle_numbness"]) == "gp_today"
        assert patient.check_in(FINE) == "self_care"
        assert patient.check_in({**FINE, "leg_pain_below_knee": True}, days=7) == "gp_soon"
        html = professional_report(patient.store, patient.library)
        texts = patient.texts(language)
        data = collect(patient.store, patient.library, texts, patient.clock.today())
    red_flags = section(html, "red-flags")
    page = parse(red_flags)
    flagged = {id_: rows[1:] for id_, rows in page.tables.items()}
    answers = [row[1] for rows in flagged.values() for row in rows]
    yes, unknown = texts.text("report.value.yes"), texts.text("report.value.unknown")
    assert answers and set(answers) <= {yes, unknown}, answers
    assert unknown in answers and yes in answers
    assert 'data-concept="saddle_numbness"' in red_flags
    assert 'data-concept="leg_pain_below_knee"' in red_flags
    # A "no" is never shown in the condensed screens.
    assert f"<td>{texts.text('report.value.no')}</td>" not in red_flags
    # The screens with nothing to show are counted, not shown: triage and two check-ins.
    assert len(data.screens) == 5
    clear = visible_text(red_flags.split('id="clear-screens"')[1])
    assert re.search(r"\b3\b", clear), clear
    # The per-check-in answers no longer repeat the red-flag lists.
    answers_html = section(html, "answers")
    list_question = texts.text("checkin.q.signs_now")
    assert list_question not in answers_html


# --- about the patient, in both languages ----------------------------------------------------


SECOND_PERSON = {"nl": r"\b(u|uw|U|Uw)\b", "fr": r"\b(vous|votre|vos|Vous|Votre|Vos)\b"}
THIRD_PERSON = {"nl": "de patiënt", "fr": "le patient"}


def test_speaks_about_the_patient_in_each_language(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    with episode.store as store:
        html = professional_report(store, episode.library)
    assert f'lang="{language}-BE"' in html
    summary = visible_text(section(html, "summary"))
    assert THIRD_PERSON[language] in summary.lower()
    headings = re.findall(r"<h[123]>(.*?)</h[123]>", html)
    own_words = [
        h for h in headings if re.search(SECOND_PERSON[language], h)
    ]  # the patient's own questions are in tables, never in headings
    assert not own_words, own_words
    # The summary's own sentences (not the answers the patient gave) are third person.
    summary_without_tables = re.sub(r"<table.*?</table>", "", section(html, "summary"), flags=re.S)
    assert not re.search(SECOND_PERSON[language], visible_text(summary_without_tables))


def test_report_in_the_other_language(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "nl")
    with episode.store as store:
        html = professional_report(store, episode.library, language="fr")
        texts = open_texts(episode.library, store, "fr")
    assert 'lang="fr-' in html
    assert f"<h1>{texts.text('pro.title')}</h1>" in html
    assert texts.text("pro.disposition.emergency") in html


# --- the NHG step the milestones point to -------------------------------------------------------


def advice(rule: str, on: date) -> AdviceGiven:
    return AdviceGiven(datetime(on.year, on.month, on.day, tzinfo=UTC), 42, rule, "x", ())


def pain(judgement: str | None) -> Trend:
    return Trend(None, (Point(date(2026, 3, 1), 3, 5),), judgement)


def test_nhg_step_follows_the_milestones() -> None:
    on = date(2026, 4, 20)
    assert nhg_step(10, [], pain("same")).step == 1
    assert nhg_step(25, [], pain("better")).step == 1
    assert nhg_step(25, [], pain("same")).step == 2
    assert nhg_step(25, [], pain("unknown")).step == 2
    assert nhg_step(25, [], pain(None)).step == 2  # not asked counts as not better
    step = nhg_step(45, [advice("day42_not_better", on)], pain("same"))
    assert (step.step, step.rule, step.on) == (3, "day42_not_better", on)
    both = [advice("day42_not_better", on), advice("day84_chronic", on)]
    assert nhg_step(90, both, pain("better")).step == 4


# --- the command line and a practice server --------------------------------------------------


def test_for_professional_on_the_command_line(tmp_path: Path, language: str) -> None:
    episode = simulate_episode(tmp_path, language)
    with episode.store as store:
        texts = open_texts(episode.library, store, None)
    data = str(tmp_path / "data")
    out = tmp_path / "pro.md"
    today = "2026-03-30"
    assert main(["report", "--for", "professional", "--out", str(out), "--data-dir", data,
                 "--today", today]) == 0  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# {texts.text('pro.title')}")
    patient = tmp_path / "patient.md"
    assert main(["report", "--out", str(patient), "--data-dir", data, "--today", today]) == 0
    assert patient.read_text(encoding="utf-8").startswith(f"# {texts.text('report.title')}")
    assert (patient.stat().st_mode & 0o777) == (out.stat().st_mode & 0o777) == 0o600


def test_for_with_a_bad_value_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--for", "doctor", "--out", str(out), "--data-dir", str(tmp_path)])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "--for" in error and "patient" in error and "professional" in error
    assert not out.exists()


def test_gp_summary_is_not_for_the_professional_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    code = main(["report", "--for", "professional", "--gp-summary", "--out", str(out),
                 "--data-dir", str(tmp_path)])  # fmt: skip
    assert code == 2 and not out.exists()
    assert "--gp-summary" in capsys.readouterr().err


def test_a_practice_server_builds_it_from_a_store(tmp_path: Path) -> None:
    episode = simulate_episode(tmp_path, "fr")
    with episode.store as store:
        markdown = professional_report(store, episode.library, fmt="md")
        out = tmp_path / "pro.html"
        assert write_report(store, episode.library, out, audience="professional")
        with pytest.raises(ValueError):
            professional_report(store, episode.library, fmt="pdf")
        with pytest.raises(ValueError):
            write_report(store, episode.library, out, audience="doctor")
    assert markdown.startswith("# Rapport pour")
    assert "<h1>Rapport pour" in out.read_text(encoding="utf-8")


# --- text is text ----------------------------------------------------------------------------


def test_stored_and_patient_text_is_never_markup(tmp_path: Path) -> None:
    patient = Patient(tmp_path, "nl")
    with patient.store as store:
        plan = store.current_plan()
        assert plan is not None and plan.therapist is not None
        walking = plan.activities[0]
        hostile_name = walking.name.model_copy(update={"root": {"nl": HOSTILE}})  # type: ignore[union-attr]
        store.save_plan(
            plan.model_copy(
                update={
                    "therapist": plan.therapist.model_copy(update={"name": HOSTILE}),
                    "activities": [
                        walking.model_copy(update={"name": hostile_name}),
                        *plan.activities[1:],
                    ],
                }
            )
        )
        patient.check_in(FINE)
        texts = patient.texts("nl")
        data, summary = collect_professional(store, patient.library, texts, patient.clock.today())
    # A function activity in the patient's own words (issue 13, item 5) is shown as text too.
    own_words = Trend(HOSTILE, (Point(date(2026, 3, 4), 5, 3), Point(date(2026, 3, 6), 7, 5)))
    summary = dataclasses.replace(summary, function=(own_words,))
    from companion.reports import html as html_renderer
    from companion.reports import markdown as markdown_renderer

    document = professional_document(data, summary)
    html = html_renderer.render(document)
    markdown = markdown_renderer.render(document)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "<script>" not in markdown and "[klik](javascript:x)" not in markdown
    assert "**vet**" not in markdown and "\\*\\*vet\\*\\*" in markdown
    assert "\\[klik\\]" in markdown and "\\`code\\`" in markdown


# --- adherence per activity, under the plan current each day --------------------------------


def test_adherence_per_activity_and_per_plan(tmp_path: Path, language: str) -> None:
    patient = Patient(tmp_path, language)  # a plan of two activities: walking, exercises
    per_activity = {"activities_done": False, "activity_1_done": "done", "activity_2_done": "not"}
    with patient.store as store:
        for _ in range(3):
            assert patient.check_in({**FINE, **per_activity}) == "self_care"
        plan = store.current_plan()
        assert plan is not None and len(plan.activities) == 2
        patient.clock.advance(hours=1)  # the physiotherapist changes the plan after that check-in
        store.save_plan(plan.model_copy(update={"activities": plan.activities[:1]}))
        assert patient.check_in({**FINE, "quota_done": "partly"}) == "self_care"
        html = professional_report(store, patient.library)
        texts = patient.texts(language)
    table = parse(section(html, "adherence")).tables
    rows = [row for rows in table.values() for row in rows[1:]]
    walking, exercises = plan.activities[0].name, plan.activities[1].name
    assert walking is not None and exercises is not None
    first, second = texts.format_date(START.date()), texts.format_date(date(2026, 3, 8))
    plan_1 = texts.text("report.quota.plan", number="1", date=first)
    plan_2 = texts.text("report.quota.plan", number="2", date=second)
    assert [row[:4] for row in rows] == [
        [plan_1, walking.label(language), "3", "3"],
        [plan_1, exercises.label(language), "0", "3"],
        [plan_2, walking.label(language), "1", "1"],
    ]
    assert texts.text("pro.adherence.whole_plan_note") not in html
    # The list over the plan's activities is no red-flag screen: it stays with the answers.
    list_question = texts.text("checkin.q.activities_done")
    assert list_question not in visible_text(section(html, "red-flags"))
    assert list_question in visible_text(section(html, "answers"))


# --- function and painkillers ------------------------------------------------------------------


def test_function_trend_and_painkillers_in_the_summary(tmp_path: Path, language: str) -> None:
    from tests.test_function import SETUP, person

    # Two named activities rated 3 and 2 at set-up, one point better each week; ibuprofen in
    # the first week, none in the second.
    someone = person(tmp_path, builtin_library(), language, 15, SETUP)
    with someone.store as store:
        html = professional_report(store, someone.library)
        texts = open_texts(someone.library, store, language)
    summary = section(html, "summary")
    socks = visible_text(section(summary, "function-trend-1"))
    assert "sokken aantrekken" in socks
    assert texts.text("pro.trend.first", value="3", date=texts.format_date(date(2026, 3, 2)),
                      day="2") in socks  # fmt: skip
    assert texts.text("pro.trend.latest", value="5", date=texts.format_date(date(2026, 3, 16)),
                      day="16") in socks  # fmt: skip
    # The patient's own words stay text.
    lifting = section(summary, "function-trend-2")
    assert "&lt;script&gt;" in lifting and "<script>" not in html
    medicine = visible_text(section(summary, "medicine-summary"))
    assert texts.text("report.painkiller.none").lower() in medicine
    assert texts.text("pro.medicine.weeks", done="1", total="2") in medicine
    # The details keep the tables per week.
    assert 'id="function"' in html and 'id="medicine-table"' in html
    assert html.index('id="summary"') < html.index('id="function"')
    # The summary's trends and the details' tables each have their own id (links work).
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# --- the support level ------------------------------------------------------------------------


def test_support_level_in_the_summary(tmp_path: Path, language: str) -> None:
    from tests.patients import after_self_care_path
    from tests.test_support_journey import HIGH, START, checkin_on

    library = builtin_library()
    folder = after_self_care_path(library, tmp_path, START, language, "BE")
    with Store.open(folder, clock=FixedClock(START)) as store:
        before = professional_report(store, library)
    checkin_on(library, folder, 14, HIGH, language)
    with Store.open(folder, clock=FixedClock(START + timedelta(days=12))) as store:
        html = professional_report(store, library)
        texts = open_texts(library, store, language)
    assert 'id="support"' not in before  # no yellow-flag questions asked yet
    support = section(section(html, "summary"), "support")
    assert 'data-level="high"' in support
    shown = visible_text(support)
    assert texts.text("support.pro.high") in shown
    # The answers that placed the level (four yellow flags yes), as the patient read them.
    assert support.count("<li>") == 4
    assert shown.count(texts.text("report.value.yes")) == 4


def test_nothing_stored_yet(tmp_path: Path) -> None:
    library = builtin_library()
    with Store.open(tmp_path / "data", clock=FixedClock(START)) as store:
        store.set_setting("language", "fr")
        html = professional_report(store, library)
        texts = open_texts(library, store, None)
    summary = visible_text(section(html, "summary"))
    for key in ("pro.open.none", "pro.step.day_unknown", "pro.step.plan_none", "pro.pain.none"):
        assert texts.text(key) in summary
    assert texts.text("pro.redflags.none") in visible_text(section(html, "red-flags"))


# --- episodes -----------------------------------------------------------------------------------


def test_the_summary_follows_the_latest_episode(tmp_path: Path) -> None:
    from companion.care.plan_setup import plan_from_answers
    from companion.journey.episodes import PAIN_BACK
    from tests.patients import SELF_CARE_PATH
    from tests.test_episodes import SEVERE, first_episode_ended, run_due
    from tests.test_episodes import START as EPISODES_START

    library = builtin_library()
    clock = FixedClock(EPISODES_START)
    with Store.open(tmp_path / "data", clock=clock) as store:
        store.set_setting("language", "nl")
        journey = Journey(library, store, clock, "nl", "BE", plan_from_answers)
        first_episode_ended(journey, clock)  # one check-in (pain 1), then "fine again"
        clock.advance(days=20)
        triage = journey.take_action(PAIN_BACK)
        assert triage is not None
        outcome = talk(triage, {**SELF_CARE_PATH, "fever": True})
        assert outcome.outcome is not None and outcome.outcome.disposition == "gp_today"
        between = professional_report(store, library)  # the new triage started no episode
        clock.advance(days=1)
        run_due(journey, {**SELF_CARE_PATH, "pain_duration_days": 1, "reuse_previous_plan": True})
        clock.advance(days=3)
        run_due(journey, {**SELF_CARE_PATH, **SEVERE})
        after = professional_report(store, library)
        texts = open_texts(library, store, "nl")
    # Between the episodes: the doctor advice after the pain came back is open, first.
    summary = section(between, "summary")
    assert 'data-disposition="gp_today"' in section(summary, "open-1")
    assert texts.text("pro.episode.ended", date=texts.format_date(date(2025, 3, 11))) in (
        visible_text(summary)
    )
    # In the second episode: its own pain scores only, and the advice still open.
    summary = section(after, "summary")
    assert texts.text("pro.episode.again", count="2") in visible_text(summary)
    pain = visible_text(section(summary, "pain-trend"))
    assert texts.text("pro.trend.count", count="1") in pain and "8" in pain
    assert 'data-disposition="gp_today"' in section(summary, "open-1")
    assert 'data-concept="fever"' in section(after, "red-flags")
