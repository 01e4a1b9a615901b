"""``companion report --out FILE [--for patient|professional] [--format html|md] [--lang nl|fr]
[--gp-summary]``: its options,
and running it with messages in the patient's language (the report is
:mod:`companion.reports.report`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.texts.i18n import N_

AUDIENCES = ("patient", "professional")
"""``--for``: who the report is for (as :data:`companion.reports.report.AUDIENCES`; kept here so
that the parser does not load the reports)."""

WROTE = N_("Wrote {path}.")
"""Said after the report is written (gettext msgid, companion/texts/i18n.py)."""


def add_report_command(commands: Any, add_data_dir: Callable[[Any], None]) -> None:
    """``companion report`` (called by :func:`companion.cli.build_parser`)."""
    report = commands.add_parser(
        "report", help="write a progress report (HTML or Markdown), or a summary for the GP"
    )
    report.add_argument("--out", type=Path, metavar="FILE", required=True, help="the file to write")
    report.add_argument(
        "--format", choices=("html", "md"), default=None, help="html (default) or md (Markdown)"
    )
    report.add_argument(
        "--lang", dest="report_lang", metavar="LANG", help="nl or fr (default: your language)"
    )
    report.add_argument(
        "--gp-summary", action="store_true", help="one page for the GP after an urgent advice"
    )
    report.add_argument(
        "--for",
        dest="audience",
        choices=AUDIENCES,
        default="patient",
        help="patient (default: the patient's own report) or professional (for a "
        "physiotherapist or GP: a summary first, then the details)",
    )
    add_data_dir(report)


def run_report_command(args: Any) -> int:
    from companion.clock import Clock, FixedClock, SystemClock
    from companion.commands.messages import message_languages, say, say_failure
    from companion.reports.report import open_texts, write_report
    from companion.resources import load_library
    from companion.store import open_store
    from companion.store.storage import CANNOT_WRITE, StorageError
    from companion.texts.content import ContentError

    if args.gp_summary and args.audience != "patient":
        print(
            "companion report: --gp-summary is the patient's page for the GP; "
            "leave out --for professional, or leave out --gp-summary",
            file=sys.stderr,
        )
        return 2
    try:
        library = load_library(args.flows, args.content)
    except Exception as err:  # flows or content that do not load
        print(f"companion report: {err}", file=sys.stderr)
        return 2
    clock: Clock = SystemClock() if args.today is None else FixedClock(args.today)
    languages = message_languages(args.report_lang, args.data_dir)
    try:
        store = open_store(args.data_dir, clock=clock, for_reading=True)
    except StorageError as err:
        say_failure(languages, "companion report", err)
        return 1
    with store:
        try:
            texts = open_texts(library, store, args.report_lang, args.region)
            written = write_report(
                store,
                library,
                args.out,
                texts.language,
                args.format,
                args.gp_summary,
                texts.region,
                audience=args.audience,
            )
        except ContentError as err:
            print(f"companion report: {err}", file=sys.stderr)
            return 1
        except OSError as err:
            reason = err.strerror or str(err)
            say_failure(
                languages,
                "companion report",
                StorageError(CANNOT_WRITE, path=args.out, reason=reason),
            )
            return 1
        if not written:
            print(texts.text("gp.none"))
            return 1
    say([texts.language], WROTE, error=True, path=args.out)
    return 0
