"""Command line: `companion [--plain]`, `serve`, `simulate`, `check`, `export`, `erase`, `plan`,
`report`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from companion import __version__
from companion.confirm import confirmed
from companion.content import ContentError, parse_locale
from companion.flow import FlowError
from companion.resources import Library, default_content_dir, default_flows_dir, load_library
from companion.storage import ENV_DATA_DIR

EXIT_BAD_INPUT = 2
ENV_CONTENT = "COMPANION_CONTENT"
"""The content folder (a complete pack or an association's overlay) when --content is not given."""


def _add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flows",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with flow files (default: the built-in flows)",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help=(
            "content folder: a complete pack, or an association's pack with an overlay.yaml "
            f"layered over the built-in one (default: ${ENV_CONTENT}, else the built-in packs)"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="companion",
        description="Self-management companion for acute low back pain (Dutch and French).",
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="line-by-line conversation in the terminal (also for screen readers)",
    )
    parser.add_argument(
        "--lang", metavar="LOCALE", help="nl, fr, or with a region: nl-NL, nl-BE, fr-BE"
    )
    parser.add_argument("--region", metavar="CODE", help="NL or BE (default: by language)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="act as if today were this date (for demonstrations and tests)",
    )
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="one triage and its advice without keeping any answer (nothing is stored)",
    )
    _add_sources(parser)
    _add_data_dir(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    simulate = commands.add_parser(
        "simulate", help="run clinical vignettes headless through the real engine"
    )
    simulate.add_argument("path", type=Path, help="a vignette file or a folder of them")
    simulate.add_argument("--json", action="store_true", help="one JSON object per vignette")
    _add_sources(simulate)

    checker = commands.add_parser("check", help="validate flows and content packs")
    _add_sources(checker)
    _add_seeds(checker)
    from companion.content_report import add_content_command

    add_content_command(commands, _add_sources, _add_seeds)

    exporter = commands.add_parser("export", help="write all stored data as JSON")
    exporter.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (readable by you only)"
    )
    _add_data_dir(exporter, argparse.SUPPRESS)
    eraser = commands.add_parser("erase", help="delete all stored data")
    eraser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_data_dir(eraser, argparse.SUPPRESS)
    exporter.add_argument(
        "--fhir", action="store_true", help="a FHIR R4 Bundle (red-flag screen and care plan)"
    )
    from companion.homework import add_plan_commands
    from companion.report import add_report_command

    add_plan_commands(commands, lambda p: _add_data_dir(p, argparse.SUPPRESS))
    add_report_command(commands, lambda p: _add_data_dir(p, argparse.SUPPRESS))
    from companion.serve import add_serve_command

    add_serve_command(commands)
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


def _add_data_dir(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        metavar="DIR",
        help=f"where your data is stored (default: ${ENV_DATA_DIR} or your user data folder)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "content", None) is None and os.environ.get(ENV_CONTENT):
        args.content = Path(os.environ[ENV_CONTENT])
    if args.command == "check":
        return run_check(args)
    if args.command == "content":
        from companion.content_report import run_content_command

        return run_content_command(args)
    if args.command == "simulate":
        return run_simulate(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "erase":
        return run_erase(args)
    if args.command == "plan":
        from companion.homework import run_plan_command

        return run_plan_command(args)
    if args.command == "report":
        from companion.report import run_report_command

        return run_report_command(args)
    if args.command == "serve":
        from companion.serve import run_serve_command

        return run_serve_command(args)
    return run_conversation(args)


def run_export(args: argparse.Namespace) -> int:
    from companion.storage import StorageError, export_data, write_private

    if getattr(args, "fhir", False):
        from companion.fhir import run_fhir_export

        return run_fhir_export(args)
    try:
        text = json.dumps(export_data(args.data_dir), ensure_ascii=False, indent=2) + "\n"
        if args.out is None:
            sys.stdout.write(text)
        else:
            write_private(args.out, text)
            print(f"Exported all stored data to {args.out}.", file=sys.stderr)
    except (StorageError, OSError) as err:
        print(f"companion export: {err}", file=sys.stderr)
        return 1
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from companion.storage import StorageError, data_files, erase_data, resolve_data_dir

    folder = resolve_data_dir(args.data_dir)
    files = data_files(folder)
    if not files:
        print(f"No companion data in {folder}; nothing to delete.")
        return 0
    question = (
        f"This deletes all companion data in {folder} ({len(files)} files) and cannot "
        "be undone. Type yes / ja / oui to go on: "
    )
    if not args.yes and not confirmed(input, question):
        print("Nothing was deleted.")
        return 1
    try:
        deleted = erase_data(folder)
    except StorageError as err:
        print(f"companion erase: {err}", file=sys.stderr)
        return 1
    print(f"Deleted all companion data in {folder} ({len(deleted)} files).")
    return 0


def run_check(args: argparse.Namespace) -> int:
    # Imported here, not at the top: `companion check` needs the whole program
    # (drivers, storage, quality rules); a conversation or `simulate` starts faster.
    from companion.check import check, choose_seeds
    from companion.untrusted import reader_translations

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
    from companion.check import overlay_problems
    from companion.untrusted import reader_translations

    problems = overlay_problems(args.flows, args.content)
    if problems:
        translations = reader_translations(args.lang)
        print(f"{command}: the content pack {args.content} cannot be used:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem.said(translations)}", file=sys.stderr)
    return bool(problems)


def run_simulate(args: argparse.Namespace) -> int:
    from companion.simulate import format_table, simulate

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
        if not args.plain and _can_run_app():
            return run_app_conversation(library, language, region, args)
        if args.no_save:
            return run_plain(library, language, region, ask=input, say=print)
        return run_stored_conversation(library, language, region, args.data_dir, args.today)
    except KeyboardInterrupt:
        print()
        return 130


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
    from companion.clock import Clock, FixedClock, SystemClock
    from companion.storage import StorageError

    clock: Clock = SystemClock() if args.today is None else FixedClock(args.today)
    try:
        return run_app(library, args.data_dir, clock, language, region, no_save=args.no_save)
    except StorageError as err:
        print(f"companion: {err}", file=sys.stderr)
        return 1


def run_stored_conversation(
    library: Library,
    language: str | None,
    region: str | None,
    data_dir: Path | None,
    today: date | None = None,
) -> int:
    """Opens the person's data, settles language and region, and lets the journey lead."""
    from companion.clock import Clock, FixedClock, SystemClock
    from companion.journey import Journey
    from companion.plain import choose_language, run_journey, show_association
    from companion.plan_setup import plan_from_answers
    from companion.storage import StorageError, Store

    clock: Clock = SystemClock() if today is None else FixedClock(today)
    try:
        store = Store.open(data_dir, clock=clock)
    except StorageError as err:
        print(f"companion: {err}", file=sys.stderr)
        return 1
    with store:
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
        store.set_setting("language", language)
        store.set_setting("region", texts.region)
        journey = Journey(library, store, clock, language, texts.region, plan_from_answers)
        show_association(library.content, texts, say=print)
        return run_journey(journey, texts, ask=input, say=print, clock=clock)


if __name__ == "__main__":
    sys.exit(main())
