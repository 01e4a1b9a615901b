"""Command line: `companion [--plain]`, `serve`, `simulate`, `check`, `export`, `erase`, `plan`,
`report`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion import __version__
from companion.clock import Clock, FixedClock, SystemClock
from companion.commands.confirm import confirmed
from companion.commands.messages import message_languages, say, say_failure
from companion.commands.serve_options import ENV_SESSION
from companion.dialogue.flow import FlowError
from companion.resources import Library, default_content_dir, default_flows_dir, load_library
from companion.store import ENV_PATIENT, ENV_STORE
from companion.store.storage import CANNOT_WRITE, ENV_DATA_DIR, StorageError
from companion.texts.content import ContentError, parse_locale
from companion.texts.i18n import N_, N_plural, load_translations

if TYPE_CHECKING:
    from companion.store.protocol import Store

EXIT_BAD_INPUT = 2
ENV_CONTENT = "COMPANION_CONTENT"
"""The content folder (a complete pack or an association's overlay) when --content is not given."""

# Messages of export, erase and plan import (gettext msgids, companion/texts/i18n.py).
EXPORTED = N_("Exported all stored data to {path}.")
EXPORTED_FHIR = N_("Exported a FHIR R4 Bundle to {path}.")
ERASE_IN_PRACTICE = N_(
    "companion erase deletes the data folder on this computer, not data in a practice's "
    "database. Nothing was deleted. Ask your practice to delete your data there."
)
ERASE_NOTHING = N_("No companion data in {folder}. Nothing to delete.")
ERASE_QUESTION = N_plural(
    "This deletes all companion data in {folder} ({count} file). It cannot be undone. "
    "Type yes, ja or oui to go on: ",
    "This deletes all companion data in {folder} ({count} files). It cannot be undone. "
    "Type yes, ja or oui to go on: ",
)
ERASE_KEPT = N_("Nothing was deleted.")
ERASED = N_plural(
    "Deleted all companion data in {folder} ({count} file).",
    "Deleted all companion data in {folder} ({count} files).",
)
NO_SAVE_IMPORT = N_("With --no-save nothing is stored, so no plan was imported.")


GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--plain",),
        {
            "action": "store_true",
            "help": "line-by-line conversation in the terminal (also for screen readers)",
        },
    ),
    (("--lang",), {"metavar": "LOCALE", "help": "nl, fr, or with a region: nl-NL, nl-BE, fr-BE"}),
    (("--region",), {"metavar": "CODE", "help": "NL or BE (default: by language)"}),
    (
        ("--today",),
        {
            "type": date.fromisoformat,
            "metavar": "YYYY-MM-DD",
            "help": "act as if today were this date (for demonstrations and tests)",
        },
    ),
    (
        ("--no-save",),
        {
            "action": "store_true",
            "help": "one triage and its advice without keeping any answer (nothing is stored)",
        },
    ),
    (
        ("--flows",),
        {
            "type": Path,
            "metavar": "DIR",
            "help": "folder with flow files (default: the built-in flows)",
        },
    ),
    (
        ("--content",),
        {
            "type": Path,
            "metavar": "DIR",
            "help": (
                "content folder: a complete pack, or an association's pack with an overlay.yaml "
                f"layered over the built-in one (default: ${ENV_CONTENT}, else the built-in packs)"
            ),
        },
    ),
    (
        ("--data-dir",),
        {
            "type": Path,
            "metavar": "DIR",
            "help": (
                f"where your data is stored (default: ${ENV_DATA_DIR} or your user data folder)"
            ),
        },
    ),
    (
        ("--store",),
        {
            "metavar": "URL",
            "help": (
                f"a practice's PostgreSQL database (postgresql://...) instead of the data folder "
                f"(default: ${ENV_STORE}); the patient is ${ENV_PATIENT}"
            ),
        },
    ),
)
"""Options of the whole program, accepted before and after every subcommand."""


def _add_global_options(parser: argparse.ArgumentParser, on_subcommand: bool) -> None:
    """On a subcommand an option defaults to SUPPRESS, so that leaving it out there keeps
    the value given before the subcommand (argparse would otherwise reset it to None).
    An option a subcommand defines itself (``report --lang``) is left to the subcommand."""
    for flags, options in GLOBAL_OPTIONS:
        if any(flag in parser._option_string_actions for flag in flags):
            continue
        settings = dict(options)
        if on_subcommand:
            settings["default"] = argparse.SUPPRESS
        parser.add_argument(*flags, **settings)


def _subcommand_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every subcommand's parser, nested ones (``plan import``) included, each once."""
    found: dict[int, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for each in (sub, *_subcommand_parsers(sub)):
                    found.setdefault(id(each), each)
    return list(found.values())


def _no_options(parser: argparse.ArgumentParser) -> None:
    """For the subcommand builders that take an option adder: the global options are
    added to every subcommand at the end of :func:`build_parser`."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="companion",
        description="Self-management companion for acute low back pain (Dutch and French).",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    _add_global_options(parser, on_subcommand=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    simulate = commands.add_parser(
        "simulate", help="run clinical vignettes headless through the real engine"
    )
    simulate.add_argument("path", type=Path, help="a vignette file or a folder of them")
    simulate.add_argument("--json", action="store_true", help="one JSON object per vignette")

    checker = commands.add_parser("check", help="validate flows and content packs")
    _add_seeds(checker)
    from companion.commands.content_report import add_content_command

    add_content_command(commands, _no_options, _add_seeds)
    from companion.commands.leaflet import add_leaflet_command

    add_leaflet_command(commands)

    exporter = commands.add_parser("export", help="write all stored data as JSON")
    exporter.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (readable by you only)"
    )
    exporter.add_argument(
        "--fhir", action="store_true", help="a FHIR R4 Bundle (red-flag screen and care plan)"
    )
    eraser = commands.add_parser("erase", help="delete all stored data")
    eraser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    from companion.commands.homework import add_plan_commands
    from companion.commands.report import add_report_command

    add_plan_commands(commands, _no_options)
    add_report_command(commands, _no_options)
    from companion.commands.library import add_library_command

    add_library_command(commands, _no_options)
    from companion.commands.reminders import add_reminders_command

    add_reminders_command(commands, _no_options)
    from companion.commands.serve_options import add_serve_command

    add_serve_command(commands)
    from companion.commands.practice import add_practice_command

    add_practice_command(commands)
    for subcommand in _subcommand_parsers(parser):
        _add_global_options(subcommand, on_subcommand=True)
    return parser


def _add_seeds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds",
        type=Path,
        default=None,
        metavar="DIR",
        help="the source documents NNN_*.txt to verify sources against "
        "(default: $COMPANION_SEEDS, else ../shared/seeds beside the repository)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "store", None):
        # Every store this process (and the app processes `serve` starts) opens is that
        # database: the same as setting COMPANION_STORE.
        os.environ[ENV_STORE] = args.store
    if getattr(args, "content", None) is None and os.environ.get(ENV_CONTENT):
        args.content = Path(os.environ[ENV_CONTENT])
    if args.command == "check":
        return run_check(args)
    if args.command == "leaflet":
        from companion.commands.leaflet import run_leaflet_command

        return run_leaflet_command(args)
    if args.command == "content":
        from companion.commands.content_report import run_content_command

        return run_content_command(args)
    if args.command == "simulate":
        return run_simulate(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "erase":
        return run_erase(args)
    if args.command == "plan":
        return run_plan(args)
    if args.command == "report":
        from companion.commands.report import run_report_command

        _settle_report_locale(args)
        return run_report_command(args)
    if args.command == "library":
        from companion.commands.library import run_library_command

        return run_library_command(args)
    if args.command == "reminders":
        from companion.commands.reminders import run_reminders_command

        return run_reminders_command(args)
    if args.command == "serve":
        from companion.serve import run_serve_command

        return run_serve_command(args)
    if args.command == "practice":
        from companion.commands.practice import run_practice_command

        return run_practice_command(args)
    return run_conversation(args)


def _ui(args: argparse.Namespace, message: str) -> str:
    language = message_languages(args.lang, args.data_dir)[0]
    return load_translations(language).gettext(message)


def _clock(args: argparse.Namespace) -> Clock:
    """The computer's clock, or ``--today`` standing still at 09:00 UTC that day."""
    return SystemClock() if args.today is None else FixedClock(args.today)


def _settle_report_locale(args: argparse.Namespace) -> None:
    """``report --lang`` is the report's language; without it the global ``--lang`` (given
    before ``report``) is. A locale such as ``fr-BE`` also gives the region."""
    chosen = args.report_lang or args.lang
    if chosen is None:
        return
    try:
        language, region = parse_locale(chosen)
    except ContentError:
        return  # the report names a language it does not know
    args.report_lang = language
    args.region = args.region or region


def run_plan(args: argparse.Namespace) -> int:
    from companion.commands.homework import run_plan_command

    if args.plan_command == "import" and args.no_save:
        print(f"companion plan import: {_ui(args, NO_SAVE_IMPORT)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return run_plan_command(args, today=args.today)


def run_export(args: argparse.Namespace) -> int:
    """All stored data as JSON (or a FHIR Bundle); works on a read-only data folder."""
    from companion.store.storage import resolve_data_dir, write_private

    languages = message_languages(args.lang, resolve_data_dir(args.data_dir))
    try:
        data = _fhir_bundle(args) if args.fhir else _exported(args)
    except StorageError as err:
        say_failure(languages, "companion export", err)
        return 1
    except (ContentError, FlowError) as err:
        print(f"companion export: {err}", file=sys.stderr)
        return 1
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        write_private(args.out, text)
    except OSError as err:
        failure = StorageError(CANNOT_WRITE, path=args.out, reason=err.strerror or str(err))
        say_failure(languages, "companion export", failure)
        return 1
    say(languages, EXPORTED_FHIR if args.fhir else EXPORTED, error=True, path=args.out)
    return 0


def _exported(args: argparse.Namespace) -> dict[str, Any]:
    """The data folder's export, or the patient's in the practice's database (--store)."""
    from companion.store import open_store, store_url
    from companion.store.storage import export_data

    if store_url() is None:
        return export_data(args.data_dir, _clock(args))
    with open_store(clock=_clock(args)) as store:
        return store.export()


def _fhir_bundle(args: argparse.Namespace) -> dict[str, Any]:
    from companion.reports.fhir import fhir_bundle
    from companion.reports.report import open_texts
    from companion.store import open_store

    library = load_library(args.flows, args.content)
    with open_store(args.data_dir, _clock(args), for_reading=True) as store:
        texts = open_texts(library, store, _language_only(args.lang), args.region)
        return fhir_bundle(store, library, texts)


def _language_only(locale: str | None) -> str | None:
    if locale is None:
        return None
    with contextlib.suppress(ContentError):
        return parse_locale(locale)[0]
    return locale


def run_erase(args: argparse.Namespace) -> int:
    from companion.store.storage import data_files, erase_data, resolve_data_dir

    folder = resolve_data_dir(args.data_dir)
    languages = message_languages(args.lang, folder)
    if os.environ.get(ENV_STORE):
        # Never the data folder instead of what was meant: the practice erases its patients.
        say(languages, ERASE_IN_PRACTICE, error=True)
        return EXIT_BAD_INPUT
    files = data_files(folder)
    if not files:
        say(languages, ERASE_NOTHING, folder=folder)
        return 0
    if not args.yes:
        say(languages[:-1], ERASE_QUESTION, count=len(files), folder=folder)
        last = load_translations(languages[-1])
        question = last.ngettext(*ERASE_QUESTION, len(files))
        if not confirmed(input, question.format(folder=folder, count=len(files))):
            say(languages, ERASE_KEPT)
            return 1
    try:
        deleted = erase_data(folder)
    except StorageError as err:
        say_failure(languages, "companion erase", err)
        return 1
    say(languages, ERASED, count=len(deleted), folder=folder)
    return 0


def run_check(args: argparse.Namespace) -> int:
    # Imported here, not at the top: `companion check` needs the whole program
    # (drivers, storage, quality rules); a conversation or `simulate` starts faster.
    from companion.commands.check import check, choose_seeds
    from companion.files.untrusted import reader_translations

    report = check(
        args.flows or default_flows_dir(),
        args.content or default_content_dir(),
        seeds=choose_seeds(args.seeds),
    )
    translations = reader_translations(args.lang)
    for problem in report.problems:
        print(problem.said(translations))
    for note in report.notes:
        print(f"note: {note}")
    print(report.summary())
    return 0 if report.ok else 1


def _refuse_broken_overlay(args: argparse.Namespace, command: str) -> bool:
    """An association's pack is checked every time it is loaded: a broken one is
    refused with the list of what is wrong (True)."""
    from companion.commands.check import overlay_problems
    from companion.files.untrusted import reader_translations

    problems = overlay_problems(args.flows, args.content)
    if problems:
        translations = reader_translations(args.lang)
        print(f"{command}: the content pack {args.content} cannot be used:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem.said(translations)}", file=sys.stderr)
    return bool(problems)


def run_simulate(args: argparse.Namespace) -> int:
    from companion.commands.simulate import format_table, simulate

    if _refuse_broken_overlay(args, "companion simulate"):
        return EXIT_BAD_INPUT
    try:
        library = load_library(args.flows, args.content)
    except (FlowError, ContentError) as err:
        print(f"companion simulate: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    run = simulate(args.path, library)
    for error in run.errors:
        print(f"companion simulate: {error}", file=sys.stderr)
    if args.json:
        for result in run.results:
            print(json.dumps(result.as_json(), ensure_ascii=False))
    elif run.results:
        print(format_table(run))
    return run.exit_status


def run_conversation(args: argparse.Namespace) -> int:
    from companion.plain import run_plain

    if _refuse_broken_overlay(args, "companion"):
        return EXIT_BAD_INPUT
    try:
        library = load_library(args.flows, args.content)
        language, region = parse_locale(args.lang) if args.lang else (None, None)
        region = (args.region or region or "").upper() or None
        if language is not None:
            library.content.localizer(language, region)
    except (FlowError, ContentError) as err:
        print(f"companion: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if ENV_SESSION in os.environ:  # a practice's browser tab (`companion serve`)
            return run_practice_tab(library, language, region, args)
        if not args.plain and _can_run_app():
            return run_app_conversation(library, language, region, args)
        if args.no_save:
            return run_plain(library, language, region, ask=input, say=print)
        return run_stored_conversation(library, language, region, args.data_dir, args.today)
    except KeyboardInterrupt:
        print()
        return 130


def run_practice_tab(
    library: Library, language: str | None, region: str | None, args: argparse.Namespace
) -> int:
    """A practice's tab: the session token (taken out of the environment) decides whose
    data opens, or the professional's view; never a patient named by anyone else."""
    from companion.app.practice_app import run_practice_app
    from companion.store import store_url

    token = os.environ.pop(ENV_SESSION)
    os.environ.pop(ENV_PATIENT, None)
    url = store_url(getattr(args, "store", None))
    if url is None or not _can_run_app():
        print("companion: a practice's session needs its database and the browser", file=sys.stderr)
        return EXIT_BAD_INPUT
    return run_practice_app(library, url, token, _clock(args), language, region)


def _can_run_app() -> bool:
    """The app needs a terminal, or the browser (`companion serve` sets TEXTUAL_DRIVER);
    with piped input and output `companion` is the plain conversation."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app_conversation(
    library: Library, language: str | None, region: str | None, args: argparse.Namespace
) -> int:
    """The Textual app (`companion` without --plain); --no-save keeps nothing after it ends."""
    from companion.app import run_app
    from companion.store import hold_conversation
    from companion.store.errors import AlreadyOpen

    languages = message_languages(language, args.data_dir)
    try:
        with contextlib.ExitStack() as held:
            if not args.no_save:  # --no-save runs in a folder of its own
                held.enter_context(hold_conversation(args.data_dir))
            return run_app(library, args.data_dir, _clock(args), language, region, args.no_save)
    except AlreadyOpen as err:
        # Said in a window too: in the browser nothing printed here reaches the patient.
        say_failure(languages, "companion", err)
        from companion.app.app import KEY_QUIT
        from companion.app.notice import show_notice

        lines = [err.translated(load_translations(lang)) for lang in languages]
        close = " / ".join(load_translations(lang).gettext(KEY_QUIT) for lang in languages)
        return show_notice(lines, close)
    except StorageError as err:
        say_failure(languages, "companion", err)
        return 1


def run_stored_conversation(
    library: Library,
    language: str | None,
    region: str | None,
    data_dir: Path | None,
    today: date | None = None,
) -> int:
    """Opens the person's data, settles language and region, and lets the journey lead.

    One conversation at a time per data folder: a second window says so and stops."""
    from companion.store import hold_conversation, open_store

    clock: Clock = SystemClock() if today is None else FixedClock(today)
    try:
        with hold_conversation(data_dir), open_store(data_dir, clock=clock) as store:
            return _stored_journey(library, store, clock, language, region)
    except StorageError as err:
        say_failure(message_languages(language, data_dir), "companion", err)
        return 1


def _stored_journey(
    library: Library, store: Store, clock: Clock, language: str | None, region: str | None
) -> int:
    from companion.care.plan_setup import plan_from_answers
    from companion.journey.journey import Journey
    from companion.plain import choose_language, run_journey, show_association

    settings = store.settings()
    language = language or settings.get("language")
    region = region or settings.get("region")
    if language is None or language not in library.content.languages:
        try:
            language = choose_language(library.content, ask=input, say=print)
        except EOFError:
            return 1
    try:
        texts = library.content.localizer(language, region)
    except ContentError as err:
        print(f"companion: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        store.set_setting("language", language)
        store.set_setting("region", texts.region)
        journey = Journey(library, store, clock, language, texts.region, plan_from_answers)
        show_association(library.content, texts, say=print)
        return run_journey(journey, texts, ask=input, say=print, clock=clock)
    except StorageError as err:
        # A full disk or a folder that became read-only: what was stored before stays.
        print(file=sys.stdout)
        say_failure([language], "companion", err)
        return 1


if __name__ == "__main__":
    sys.exit(main())
