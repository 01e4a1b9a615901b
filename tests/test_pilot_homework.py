"""Pilot (issue 13, "Done when"): a physiotherapist's homework reaches the patient and back.

A physiotherapist writes a two-activity plan as TOML and imports it with the real command.
For three weeks the patient checks in every morning in the plain terminal (the real driver,
flows and journey, with the injectable clock), typing answers as a patient would: the "done?"
of both activities as one list, and each activity in short when not all was done. Today shows
both activities with the instruction and how often a day. At the start of week 3 the
physiotherapist imports a revised plan. The report then shows each plan under its own heading,
each activity's own answers, and adherence per activity.
Function and painkillers: the plan came from the physiotherapist, yet on the first morning the
patient names two daily activities that are hard now and rates them; each weekly full-screen
check-in rates them again (rising) and asks which painkillers were taken on how many days. The
patient's report shows both trends; the professional's report (`--for professional`) has
adherence per activity under each plan's heading and both trends in its summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from companion.care.plan import load_plan, quota_on
from companion.cli import main
from companion.clock import FixedClock
from companion.dialogue.engine import ANSWER_LABELS
from companion.journey.journey import Journey
from companion.plain import run_journey
from companion.reports.data import collect
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from companion.texts.content import Localizer
from tests.patients import talk
from tests.test_professional_report import section, visible_text
from tests.test_report import Page, parse

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
"""Monday: triage in the morning; the physiotherapist imports the plan at 09:00."""
DAYS = 21
REVISED_ON = 14
"""The physiotherapist imports the revised plan on this day, after the morning check-in."""

PLAN = """
version = 1
start = 2026-03-02
review = 2026-03-30
created_by = "physiotherapist"
therapist = { name = "L. Janssens", contact = "+32 9 234 56 78" }

[[activities]]
kind = "walking"
name = { nl = "stevig wandelen", fr = "marche rapide" }
instruction.nl = "Wandel buiten, in een rustig tempo."
instruction.fr = "Marchez dehors, à un rythme calme."
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 2
weeks = 6

[[activities]]
kind = "exercises"
name = { nl = "bekken kantelen", fr = "bascule du bassin" }
instruction.nl = "Lig op uw rug, knieën gebogen. Kantel rustig."
instruction.fr = "Sur le dos, genoux pliés. Basculez doucement."
unit = "repetitions"
baseline = 5
goal = 12
step_every_days = 7
weeks = 6
times_per_day = 3
"""

REVISED = (
    PLAN.replace("start = 2026-03-02", "start = 2026-03-15")
    .replace('name = { nl = "bekken kantelen", fr = "bascule du bassin" }',
             'name = { nl = "brug maken", fr = "pont fessier" }')
    .replace("baseline = 5", "baseline = 6")
)  # fmt: skip


WALKING_NAMES = ("stevig wandelen", "marche rapide")

HARD = {
    "nl": ("sokken aantrekken", "boodschappen dragen"),
    "fr": ("mettre mes chaussettes", "porter les courses"),
}
"""The two daily activities the patient names as hard now, in the patient's own words."""
RATINGS = ((3, 4, 6, 7), (2, 3, 4, 6))
"""Each named activity's rating 0-10: at the set-up (week 0), then at the weekly check-ins."""
PAINKILLERS = {1: (True, True, 5), 2: (True, False, 2), 3: (False, False, None)}
"""Per week: paracetamol taken, an anti-inflammatory taken, on how many of the 7 days."""


def walked(day: int) -> str:
    """The patient walks every day, only partly on the third day of each week."""
    return "partly" if day % 7 == 3 else "done"


def exercised(day: int) -> str:
    """The exercise is harder to keep up: not done every fifth day, partly on odd days."""
    if day % 5 == 0:
        return "not"
    return "done" if day % 2 == 0 else "partly"


@dataclass
class Terminal:
    """The plain terminal's lines and a patient typing replies to the last question."""

    texts: Localizer
    hard: tuple[str, str]
    day: int = 0
    lines: list[str] | None = None

    def say(self, line: str) -> None:
        assert self.lines is not None
        self.lines.append(line)

    def ask(self, prompt: str) -> str:
        assert self.lines is not None
        question = next(line for line in reversed(self.lines) if line and line[0] != " ")
        return self.reply(question)

    def reply(self, question: str) -> str:
        t = self.texts
        yes, no = t.ui(ANSWER_LABELS["yes"]), t.ui(ANSWER_LABELS["no"])
        said = {
            "done": t.text("checkin.quota.done"),
            "partly": t.text("checkin.quota.partly"),
            "not": t.text("checkin.quota.not"),
        }
        if question.startswith(t.text("checkin.q.activities_done")):
            all_done = walked(self.day) == exercised(self.day) == "done"
            return yes if all_done else no
        if question.startswith(t.text("checkin.q.activity_done")):
            activity = question.splitlines()[1]
            walking = any(activity.startswith(f"- {n}") for n in WALKING_NAMES)
            return said[walked(self.day) if walking else exercised(self.day)]
        weekly = self.function_and_painkillers(question)
        if weekly is not None:
            return weekly
        routine = {
            "checkin.q.pain_now": "3",
            "checkin.q.pain_trend": t.text("checkin.trend.better"),
            "checkin.q.daily_activities_resumed": yes,
            "checkin.q.moving_ok": yes,
        }
        for key, answer in routine.items():
            if question.startswith(t.text(key)):
                return answer
        return no  # no alarm signs, no worries, work not affected

    def function_and_painkillers(self, question: str) -> str | None:
        """The set-up's hard activities and ratings; each week's ratings and painkillers."""
        t = self.texts
        yes, no = t.ui(ANSWER_LABELS["yes"]), t.ui(ANSWER_LABELS["no"])
        week = self.day // 7  # the full screen comes on days 7, 14 and 21
        paracetamol, anti_inflammatory, days = PAINKILLERS.get(week, (False, False, None))
        replies = {
            "plan.q.function_activity.first": self.hard[0],
            "plan.q.function_activity.more": self.hard[1],
            "plan.q.function_activity.last": t.text("plan.function.no_more"),
            "checkin.q.painkillers_week": yes if paracetamol or anti_inflammatory else no,
            "checkin.q.took_paracetamol": yes if paracetamol else no,
            "checkin.q.took_anti_inflammatory": yes if anti_inflammatory else no,
            "checkin.q.took_other_painkiller": no,
            "checkin.q.painkiller_days": str(days),
        }
        for key, reply in replies.items():
            if question.startswith(t.text(key)):
                return reply
        for key in ("plan.q.function_score", "checkin.q.function_score"):
            if question.startswith(t.text(key)):
                activity = question.splitlines()[1].removeprefix("- ")
                return str(RATINGS[self.hard.index(activity)][week])
        return None


def run_days(
    data: Path, language: str, region: str, library: Library, on_day: Callable[[int], None]
) -> dict[int, list[str]]:
    """Every morning for three weeks: the stored conversation in the plain terminal."""
    terminal = Terminal(library.content.localizer(language, region), HARD[language])
    shown: dict[int, list[str]] = {}
    for day in range(1, DAYS + 1):
        clock = FixedClock(START + timedelta(days=day))
        terminal.day, terminal.lines = day, []
        with Store.open(data, clock=clock) as store:
            journey = Journey(library, store, clock, language, region)
            status = run_journey(journey, terminal.texts, terminal.ask, terminal.say, clock)
        assert status == 0, terminal.lines
        shown[day] = terminal.lines
        on_day(day)
    return shown


def physiotherapist_imports(file: Path, data: Path, on: date) -> None:
    assert main(["plan", "check", str(file)]) == 0
    today = ["--today", on.isoformat()]
    assert main([*today, "plan", "import", str(file), "--yes", "--data-dir", str(data)]) == 0


@pytest.mark.parametrize(("language", "region"), [("nl", "BE"), ("fr", "BE")])
def test_pilot_two_activity_homework_for_three_weeks(
    tmp_path: Path, language: str, region: str
) -> None:
    library = builtin_library()
    data = tmp_path / "data"
    clock = FixedClock(START)
    with Store.open(data, clock=clock) as store:
        store.set_setting("language", language)
        store.set_setting("region", region)
        journey = Journey(library, store, clock, language, region)
        for facts in ({"age": 44, "sex": "male", "pain_duration_days": 2}, {}):
            conversation = journey.next()  # triage (self-care), then the education
            assert conversation is not None
            talk(conversation, facts)
    (tmp_path / "plan.toml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "revised.toml").write_text(REVISED, encoding="utf-8")
    physiotherapist_imports(tmp_path / "plan.toml", data, START.date())

    def revise(day: int) -> None:
        if day == REVISED_ON:
            revised_on = START.date() + timedelta(days=day)
            physiotherapist_imports(tmp_path / "revised.toml", data, revised_on)

    shown = run_days(data, language, region, library, revise)
    t = library.content.localizer(language, region)
    words = {
        "nl": ("stevig wandelen", "bekken kantelen", "brug maken", "minuten", "keer",
               "3 keer per dag", "Wandel buiten, in een rustig tempo.",
               "Lig op uw rug, knieën gebogen. Kantel rustig.", "Plan opgesteld door L. Janssens"),
        "fr": ("marche rapide", "bascule du bassin", "pont fessier", "minutes", "fois",
               "3 fois par jour", "Marchez dehors, à un rythme calme.",
               "Sur le dos, genoux pliés. Basculez doucement.", "Plan établi par L. Janssens"),
    }[language]  # fmt: skip
    walking, tilting, bridge, minutes, times, thrice, walk_how, tilt_how, set_by = words

    # Day 1: the check-in asks "done?" once for both, each with today's amount; then Today
    # shows both with the instruction under each, how often a day, and who set the plan.
    first = shown[1]
    asked = next(line for line in first if line.startswith(t.text("checkin.q.activities_done")))
    assert asked.splitlines()[1:] == [
        f"- {walking}: 10 {minutes}",
        f"- {tilting}: 5 {times}, {thrice}",
    ]
    today = first[first.index(t.text("journey.today_heading")) :]
    assert today[1:6] == [
        f"  - {walking}: 10 {minutes}",
        f"    {walk_how}",
        f"  - {tilting}: 5 {times}, {thrice}",
        f"    {tilt_how}",
        set_by,
    ]
    # Every morning Today shows the day's amounts of the plan current that day: the walking
    # time rises step by step, and from day 15 the revised plan's exercise replaces the old.
    plans = load_plan(tmp_path / "plan.toml"), load_plan(tmp_path / "revised.toml")
    for day in range(1, DAYS + 1):
        plan = plans[day > REVISED_ON]
        on = START.date() + timedelta(days=day)
        exercise = tilting if day <= REVISED_ON else bridge
        assert f"  - {walking}: {quota_on(plan, 0, on)} {minutes}" in shown[day], day
        assert f"  - {exercise}: {quota_on(plan, 1, on)} {times}, {thrice}" in shown[day], day
    assert quota_on(plans[0], 0, START.date() + timedelta(days=REVISED_ON)) > 10
    assert not any(tilting in line for line in shown[REVISED_ON + 1])

    # Each morning one "done?" list and, when not all was done, one short question each.
    for day in range(1, DAYS + 1):
        short = t.text("checkin.q.activity_done")
        per_activity = [line for line in shown[day] if line.startswith(short)]
        all_done = walked(day) == exercised(day) == "done"
        assert len(per_activity) == (0 if all_done else 2), day

    # The report: each plan under its own heading, each activity with its own answers.
    out = tmp_path / "report.html"
    end = (START + timedelta(days=DAYS)).date().isoformat()
    assert main(["--today", end, "report", "--out", str(out), "--data-dir", str(data)]) == 0
    page = parse(out.read_text(encoding="utf-8"))
    html = out.read_text(encoding="utf-8")
    first_plan = t.text("report.quota.plan", number="1", date=t.format_date(START.date(), "long"))
    revised_from = START.date() + timedelta(days=REVISED_ON)
    second_plan = t.text("report.quota.plan", number="2", date=t.format_date(revised_from, "long"))
    assert html.index(first_plan) < html.index('id="quota-plan1-2"') < html.index(second_plan)
    assert html.index(second_plan) < html.index('id="quota-2"')
    said = {answer: t.text(f"report.done.{answer}") for answer in ("done", "partly", "not")}
    old_days = range(1, REVISED_ON + 1)
    new_days = range(REVISED_ON + 1, DAYS + 1)
    for table, days, answer_of in [
        ("quota-plan1-1", old_days, walked),
        ("quota-plan1-2", old_days, exercised),
        ("quota-1", new_days, walked),
        ("quota-2", new_days, exercised),
    ]:
        rows = page.tables[table][1:]
        assert [row[3] for row in rows] == [said[answer_of(day)] for day in days], table

    # Adherence per activity, per plan: days asked, done, partly, not.
    def counts(answer_of: Callable[[int], str], days: range) -> list[str]:
        answers = [answer_of(day) for day in days]
        return [str(len(answers)), *(str(answers.count(a)) for a in ("done", "partly", "not"))]

    assert [row[:5] for row in page.tables["adherence-plan1"][1:]] == [
        [walking, *counts(walked, old_days)],
        [tilting, *counts(exercised, old_days)],
    ]
    assert [row[:5] for row in page.tables["adherence-plan2"][1:]] == [
        [walking, *counts(walked, new_days)],
        [bridge, *counts(exercised, new_days)],
    ]
    # The same numbers for the professional's summary, from the report data.
    with Store.open(data, clock=FixedClock(START + timedelta(days=DAYS))) as store:
        report = collect(store, library, t, store.clock.today())
    summary = [(r.plan.number, r.name, r.days_asked, r.done, r.partly, r.not_done)
               for r in report.activity_adherence()]  # fmt: skip
    assert summary[1] == (1, tilting, 14, *map(int, counts(exercised, old_days)[1:]))
    assert summary[3] == (2, bridge, 7, *map(int, counts(exercised, new_days)[1:]))

    # Function and painkillers: the report's trends.
    assert_function_and_painkillers(shown, t, language, page, html)

    # The professional's report (issue 13 item 2): its summary has adherence per activity
    # under each plan's heading, and the function and painkiller trends.
    pro = tmp_path / "professional.html"
    command = ["--today", end, "report", "--for", "professional", "--out", str(pro)]
    assert main([*command, "--data-dir", str(data)]) == 0
    assert_professional_summary(pro.read_text(encoding="utf-8"), t, language, words[:3])


def assert_function_and_painkillers(
    shown: dict[int, list[str]], t: Localizer, language: str, page: Page, html: str
) -> None:
    # The physiotherapist's plan came first: the first morning asks only the hard activities
    # (no plan of the patient's own), once; the weekly full screen rates them again.
    assert t.text("plan.given.intro") in shown[1]
    assert days_asking(shown, t.text("plan.q.activity")) == []
    assert days_asking(shown, t.text("plan.q.function_activity.first")) == [1]
    # (The set-up's rating question has the check-in's words; the check-in says why it asks.)
    rated = [day for day, lines in shown.items() if t.text("checkin.function_intro") in lines]
    assert rated == [7, 14, 21]
    for day in rated:
        scored = [
            line for line in shown[day] if line.startswith(t.text("checkin.q.function_score"))
        ]
        assert [line.splitlines()[1] for line in scored] == [f"- {name}" for name in HARD[language]]
    # In the report: each named activity with its ratings, from the set-up on, rising.
    for slot, name in enumerate(HARD[language], start=1):
        scores = [row[2] for row in page.tables[f"function-{slot}"][1:]]
        assert scores == [str(score) for score in RATINGS[slot - 1]], name
        assert html.index(name) < html.index(f'id="function-{slot}"')
    for ratings in RATINGS:
        assert t.text("report.function.change", first=ratings[0], latest=ratings[-1]) in html
    # Painkillers per week: which ones, on how many days; none in the third week.
    weeks = [(row[2], row[3]) for row in page.tables["medicine-table"][1:]]
    paracetamol, anti = (
        t.text(f"report.painkiller.{k}") for k in ("paracetamol", "anti_inflammatory")
    )
    assert weeks[0] == (f"{paracetamol}, {anti}", "5")
    assert weeks[1] == (paracetamol, "2")
    assert weeks[2][0] == t.text("report.painkiller.none") and len(weeks) == 3


def days_asking(shown: dict[int, list[str]], question: str) -> list[int]:
    """The days on which a question starting with these words was shown."""
    return [day for day, lines in shown.items() if any(ln.startswith(question) for ln in lines)]


def assert_professional_summary(
    html: str, t: Localizer, language: str, activities: tuple[str, ...]
) -> None:
    walking, tilting, bridge = activities
    summary = section(html, "summary")
    assert html.index('id="summary"') < html.index('id="quota"')  # the summary comes first
    revised_from = START.date() + timedelta(days=REVISED_ON)
    first_plan = t.text("report.quota.plan", number="1", date=t.format_date(START.date()))
    second_plan = t.text("report.quota.plan", number="2", date=t.format_date(revised_from))
    old_days, new_days = range(1, REVISED_ON + 1), range(REVISED_ON + 1, DAYS + 1)

    def done_or_partly(answer_of: Callable[[int], str], days: range) -> str:
        return str(sum(answer_of(day) != "not" for day in days))

    rows = [row[:4] for row in parse(summary).tables["adherence-table"][1:]]
    assert rows == [
        [first_plan, walking, done_or_partly(walked, old_days), str(len(old_days))],
        [first_plan, tilting, done_or_partly(exercised, old_days), str(len(old_days))],
        [second_plan, walking, done_or_partly(walked, new_days), str(len(new_days))],
        [second_plan, bridge, done_or_partly(exercised, new_days), str(len(new_days))],
    ]
    # Each named activity: the set-up's rating first, the latest week's last, four in all.
    onset = START.date() - timedelta(days=2)
    set_up_on, last_on = START.date() + timedelta(days=1), START.date() + timedelta(days=DAYS)
    for slot, name in enumerate(HARD[language], start=1):
        ratings = RATINGS[slot - 1]
        shown = visible_text(section(summary, f"function-trend-{slot}"))
        first = t.text(
            "pro.trend.first",
            value=str(ratings[0]),
            date=t.format_date(set_up_on),
            day=str((set_up_on - onset).days),
        )
        latest = t.text(
            "pro.trend.latest",
            value=str(ratings[-1]),
            date=t.format_date(last_on),
            day=str((last_on - onset).days),
        )
        assert name in shown and first in shown and latest in shown, shown
        assert t.text("pro.trend.count", count=str(len(ratings))) in shown
    # Painkillers: none in the latest week, some in two of the three weeks asked.
    medicine = visible_text(section(summary, "medicine-summary"))
    none = t.text("report.painkiller.none").lower()
    assert t.text("pro.medicine.latest", date=t.format_date(last_on), kinds=none) in medicine
    assert t.text("pro.medicine.weeks", done="2", total="3") in medicine
