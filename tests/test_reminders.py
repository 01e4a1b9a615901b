"""`companion reminders --out FILE.ics`: the daily check-in and the plan's step days as an
iCalendar file, read back with the icalendar library's own reader (issue 13, item 6)."""

from __future__ import annotations

import dataclasses
import stat
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from companion.care.plan import step_days
from companion.cli import main
from companion.clock import FixedClock
from companion.journey.journey import Journey
from companion.present import NEXT_CHECKIN, today_lines
from companion.reports.reminders import region_zone
from companion.resources import Library, builtin_library
from companion.store.storage import Store
from companion.texts.content import ContentError
from tests.patients import after_self_care_path

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The plan is made on this day; Europe's clocks go forward on 29 March 2026."""
PLACES = [("nl", "NL", "Europe/Amsterdam"), ("fr", "BE", "Europe/Brussels")]


@pytest.fixture
def library() -> Library:
    return builtin_library()


def write_reminders(
    capsys: pytest.CaptureFixture[str], folder: Path, out: Path, *options: str
) -> tuple[int, str]:
    status = main(["reminders", "--data-dir", str(folder), "--out", str(out), *options])
    return status, capsys.readouterr().err


def read_calendar(path: Path) -> Calendar:
    calendar = Calendar.from_ical(path.read_bytes())
    assert isinstance(calendar, Calendar)
    return calendar


def the_plan(folder: Path):  # type: ignore[no-untyped-def]
    with Store.open(folder, clock=FixedClock(START)) as store:
        plan = store.current_plan()
    assert plan is not None
    return plan


@pytest.mark.parametrize(("language", "region", "zone"), PLACES)
def test_the_file_holds_the_daily_checkin_and_every_step_day_in_the_regions_time_zone(
    library: Library,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    region: str,
    zone: str,
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, language, region)
    out = tmp_path / "reminders.ics"
    status, said = write_reminders(capsys, folder, out, "--today", "2026-03-03", "--at", "18:30")
    assert status == 0, said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "a health calendar is for the patient only"
    calendar = read_calendar(out)
    texts = library.content.localizer(language, region)
    local = ZoneInfo(zone)

    checkins = [e for e in calendar.events if e["summary"] == texts.text("reminders.checkin.title")]
    (checkin,) = checkins
    first = checkin.decoded("dtstart")
    assert first.tzinfo is not None and str(first.tzinfo) == zone
    assert first == datetime(2026, 3, 3, 18, 30, tzinfo=local)
    assert checkin["rrule"]["FREQ"] == ["DAILY"]
    plan = the_plan(folder)
    (until,) = checkin["rrule"]["UNTIL"]
    assert until.astimezone(local).date() >= plan.end
    assert str(checkin["description"]) == texts.text("reminders.checkin.description")

    steps = [e for e in calendar.events if e is not checkin]
    expected_days = [s.day for s in step_days(plan) if s.day >= date(2026, 3, 3)]
    assert expected_days, "the plan has step days after today"
    starts = [e.decoded("dtstart") for e in steps]
    assert [s.astimezone(local).date() for s in starts] == expected_days
    assert {s.astimezone(local).time() for s in starts} == {time(8, 0)}, "summer time included"
    assert {str(e["summary"]) for e in steps} == {texts.text("reminders.step.title")}
    assert all(
        str(e["description"]).startswith(texts.text("reminders.step.description")) for e in steps
    )
    assert str(calendar.timezones[0]["tzid"]) == zone
    assert str(len(steps)) in said


def test_a_step_description_names_the_new_day_goal(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "nl", "NL")
    out = tmp_path / "r.ics"
    assert write_reminders(capsys, folder, out, "--today", "2026-03-02")[0] == 0
    plan = the_plan(folder)
    first_step = step_days(plan)[0]
    event = next(
        e for e in read_calendar(out).events if e.decoded("dtstart").date() == first_step.day
    )
    texts = library.content.localizer("nl", "NL")
    minutes = texts.text("journey.unit.minutes", count=first_step.quotas[0])
    assert f"- {texts.text('plan.activity.walking')}: {minutes}" in str(event["description"])


def test_the_checkin_is_at_19_00_unless_the_patient_chooses(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "fr", "BE")
    out = tmp_path / "r.ics"
    assert write_reminders(capsys, folder, out, "--today", "2026-03-02")[0] == 0
    event = read_calendar(out).events[0]
    assert event.decoded("dtstart") == datetime(
        2026, 3, 2, 19, 0, tzinfo=ZoneInfo("Europe/Brussels")
    )


def test_importing_a_new_file_updates_the_same_events(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "nl", "NL")
    one, two = tmp_path / "1.ics", tmp_path / "2.ics"
    write_reminders(capsys, folder, one, "--today", "2026-03-02", "--at", "19:00")
    write_reminders(capsys, folder, two, "--today", "2026-03-02", "--at", "20:15")
    assert [str(e["uid"]) for e in read_calendar(one).events] == [
        str(e["uid"]) for e in read_calendar(two).events
    ]


def test_without_a_plan_it_says_so_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(tmp_path / "data", clock=FixedClock(START)) as store:
        store.set_setting("language", "nl")
    out = tmp_path / "r.ics"
    status, said = write_reminders(capsys, tmp_path / "data", out)
    assert status == 2
    assert "Er is nog geen beweegplan" in said
    assert not out.exists()


def test_without_any_data_it_says_so_in_the_language_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, said = write_reminders(capsys, tmp_path / "nothing", tmp_path / "r.ics", "--lang", "fr")
    assert status == 2
    assert "Il n'y a pas encore de plan" in said


def test_an_unwritable_place_is_a_clear_error(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "nl", "NL")
    out = tmp_path / "no such folder" / "r.ics"
    status, said = write_reminders(capsys, folder, out)
    assert status == 1
    assert str(out) in said and "companion reminders" in said


@pytest.mark.parametrize("wrong", ["7pm", "25:00", "19:7", "19:60"])
def test_a_time_that_is_not_hh_mm_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], wrong: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["reminders", "--out", str(tmp_path / "r.ics"), "--at", wrong])
    assert stopped.value.code == 2
    assert "HH:MM" in capsys.readouterr().err


def test_a_region_without_a_time_zone_cannot_place_reminders(library: Library) -> None:
    texts = dataclasses.replace(library.content.localizer("nl", "NL"), time_zone=None)
    with pytest.raises(ContentError, match="NL"):
        region_zone(texts)
    assert region_zone(library.content.localizer("fr", "BE")).key == "Europe/Brussels"


@pytest.mark.parametrize(("language", "region", "zone"), PLACES)
def test_today_says_when_the_next_checkin_and_the_next_step_are(
    library: Library, tmp_path: Path, language: str, region: str, zone: str
) -> None:
    folder = after_self_care_path(library, tmp_path, START, language, region)
    texts = library.content.localizer(language, region)
    with Store.open(folder, clock=FixedClock(START)) as store:
        today = Journey(library, store, FixedClock(START), language, region).today()
        plan = store.current_plan()
    assert plan is not None and today.next_step is not None
    assert today.next_checkin == START.date() + timedelta(days=1), "triage screened today"
    assert today.next_step.day == step_days(plan)[0].day
    lines = today_lines(today, texts)
    tomorrow = {"nl": "morgen", "fr": "demain"}[language]
    assert texts.ui(NEXT_CHECKIN, day=tomorrow) in lines
    step_date = texts.format_date(today.next_step.day, "full")
    assert any(step_date in line for line in lines)


def test_today_has_no_next_step_once_every_goal_is_reached(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path, START, "nl", "NL")
    with Store.open(folder, clock=FixedClock(START)) as store:
        plan = store.current_plan()
    assert plan is not None
    later = FixedClock(plan.end + timedelta(days=1))
    with Store.open(folder, clock=later) as store:
        today = Journey(library, store, later, "nl", "NL").today()
    assert today.next_step is None and today.next_checkin == later.today()


def test_the_time_zone_is_region_data_an_overlay_may_set(tmp_path: Path) -> None:
    from companion.resources import load_content_dir
    from tests.test_overlay import OVERLAY_YAML, write

    root = tmp_path / "pack"
    write(root / "overlay.yaml", OVERLAY_YAML)
    write(root / "regions.yaml", "BE:\n  time_zone: Europe/Luxembourg\n")
    content = load_content_dir(root)
    assert content.localizer("fr", "BE").time_zone == "Europe/Luxembourg"
    assert content.localizer("nl", "NL").time_zone == "Europe/Amsterdam"
    write(root / "regions.yaml", "BE:\n  time_zone: Brussels time\n")
    with pytest.raises(ContentError, match="time_zone"):
        load_content_dir(root)
