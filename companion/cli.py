"""Command line: `companion [--plain]`, `simulate`, `check`, `export`, `erase`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from companion import __version__
from companion.check import check
from companion.content import ContentError, parse_locale
from companion.flow import FlowError
from companion.resources import default_content_dir, default_flows_dir, load_library
from companion.storage import ENV_DATA_DIR

EXIT_BAD_INPUT = 2


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
        help="content folder (default: the built-in content packs)",
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

    exporter = commands.add_parser("export", help="write all stored data as JSON")
    exporter.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (readable by you only)"
    )
    _add_data_dir(exporter, argparse.SUPPRESS)
    eraser = commands.add_parser("erase", help="delete all stored data")
    eraser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_data_dir(eraser, argparse.SUPPRESS)
    return parser


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
    if args.command == "check":
        return run_check(args)
    if args.command == "simulate":
        return run_simulate(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "erase":
        return run_erase(args)
    return run_conversation(args)


def run_export(args: argparse.Namespace) -> int:
    from companion.storage import StorageError, export_data, write_private

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


CONFIRM_WORDS = frozenset({"yes", "ja", "oui"})


def run_erase(args: argparse.Namespace) -> int:
    from companion.storage import StorageError, data_files, erase_data, resolve_data_dir

    folder = resolve_data_dir(args.data_dir)
    files = data_files(folder)
    if not files:
        print(f"No companion data in {folder}; nothing to delete.")
        return 0
    if not args.yes:
        try:
            reply = input(
                f"This deletes all companion data in {folder} ({len(files)} files) and cannot "
                "be undone. Type yes / ja / oui to go on: "
            )
        except EOFError:
            reply = ""
        if reply.strip().lower() not in CONFIRM_WORDS:
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
    report = check(args.flows or default_flows_dir(), args.content or default_content_dir())
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


def run_simulate(args: argparse.Namespace) -> int:
    from companion.simulate import format_table, simulate

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
        return run_plain(library, language, region, ask=input, say=print)
    except KeyboardInterrupt:
        print()
        return 130


if __name__ == "__main__":
    sys.exit(main())
