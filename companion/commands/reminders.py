"""``companion reminders --out FILE.ics [--at HH:MM]``: the daily check-in and the plan's step
days as an iCalendar file to import in a phone's calendar, in the patient's language and the
region's time zone (the calendar is :mod:`companion.reports.reminders`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

from companion.texts.i18n import N_, N_plural

EXIT_NO_PLAN = 2
NO_PLAN = N_(
    "There is no activity plan yet, so there is nothing to remind you of. Make your plan "
    "first: start the companion, or import your physiotherapist's plan with "
    "companion plan import FILE."
)
WROTE_REMINDERS = N_plural(
    "Wrote {path}: the daily check-in at {time} and {count} day on which your plan takes a "
    "step. Open the file with your phone's or computer's calendar to add them.",
    "Wrote {path}: the daily check-in at {time} and {count} days on which your plan takes a "
    "step. Open the file with your phone's or computer's calendar to add them.",
)


def checkin_time(text: str) -> time:
    """``--at 19:00``: hours and minutes on a 24-hour clock."""
    hours, colon, minutes = text.strip().partition(":")
    digits = colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
    if digits and int(hours) < 24 and int(minutes) < 60:
        return time(int(hours), int(minutes))
    raise argparse.ArgumentTypeError(f"'{text}' is not a time: use HH:MM, for example 19:00")


def add_reminders_command(commands: Any, add_data_dir: Callable[[Any], None]) -> None:
    """``companion reminders`` (called by :func:`companion.cli.build_parser`)."""
    from companion.reports.reminders import DEFAULT_CHECKIN_TIME

    reminders = commands.add_parser(
        "reminders", help="write the check-ins and plan steps as a calendar file (.ics)"
    )
    reminders.add_argument(
        "--out", type=Path, metavar="FILE", required=True, help="the .ics file to write"
    )
    reminders.add_argument(
        "--at",
        type=checkin_time,
        default=DEFAULT_CHECKIN_TIME,
        metavar="HH:MM",
        help="the time of the daily check-in reminder (default 19:00)",
    )
    add_data_dir(reminders)


def run_reminders_command(args: Any) -> int:
    from companion.clock import Clock, FixedClock, SystemClock
    from companion.commands.messages import message_languages, say, say_failure
    from companion.reports.reminders import calendar_text, reminder_calendar
    from companion.reports.report import open_texts
    from companion.resources import load_library
    from companion.store import open_store, store_url
    from companion.store.storage import (
        CANNOT_WRITE,
        StorageError,
        data_files,
        resolve_data_dir,
        write_private,
    )
    from companion.texts.content import ContentError, parse_locale

    try:
        library = load_library(args.flows, args.content)
        language, region = parse_locale(args.lang) if args.lang else (None, None)
    except Exception as err:  # flows, content or --lang that do not load
        print(f"companion reminders: {err}", file=sys.stderr)
        return 2
    clock: Clock = SystemClock() if args.today is None else FixedClock(args.today)
    folder = resolve_data_dir(args.data_dir)
    languages = message_languages(language, folder)
    try:
        if store_url() is None and not data_files(folder):  # a practice's database: asked below
            say(languages, NO_PLAN, error=True)
            return EXIT_NO_PLAN
        with open_store(folder, clock=clock, for_reading=True) as store:
            plan = store.current_plan()
            texts = open_texts(library, store, language, args.region or region)
    except StorageError as err:
        say_failure(languages, "companion reminders", err)
        return 1
    except ContentError as err:
        print(f"companion reminders: {err}", file=sys.stderr)
        return 2
    if plan is None:
        say([texts.language], NO_PLAN, error=True)
        return EXIT_NO_PLAN
    try:
        calendar = reminder_calendar(plan, texts, args.at, clock.today(), clock.now())
        write_private(args.out, calendar_text(calendar))
    except ContentError as err:
        print(f"companion reminders: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        failure = StorageError(CANNOT_WRITE, path=args.out, reason=err.strerror or str(err))
        say_failure([texts.language], "companion reminders", failure)
        return 1
    steps = len(calendar.events) - 1
    at = texts.format_time(args.at)
    say([texts.language], WROTE_REMINDERS, count=steps, error=True, path=args.out, time=at)
    return 0
