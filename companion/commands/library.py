"""``companion library [MODULE]``: the education modules in a plain terminal.

Without MODULE it lists every module (id and title) in the patient's language;
with one it prints that module as plain text. ``--sources`` adds the seed line
references behind the module, for professionals who check the texts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from companion.journey.modules import (
    ModuleError,
    load_modules,
    render,
    render_all,
    trusted_pages,
)

HEADING_KEY = "module.library.heading"


def add_library_command(
    commands: Any, add_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    library = commands.add_parser(
        "library", help="list the education modules, or print one (plain text)"
    )
    library.add_argument("module", nargs="?", metavar="MODULE", help="the module to print")
    library.add_argument(
        "--sources",
        action="store_true",
        help="also print the source lines (seed file:lines) behind the module",
    )
    add_options(library)


def run_library_command(args: argparse.Namespace) -> int:
    from companion.commands.messages import message_languages
    from companion.dialogue.flow import FlowError
    from companion.resources import load_library
    from companion.texts.content import ContentError, parse_locale

    try:
        library = load_library(args.flows, args.content)
        catalog = load_modules()
        language = message_languages(args.lang, args.data_dir)[0]
        region = args.region or (parse_locale(args.lang)[1] if args.lang else None)
        texts = library.content.localizer(language, region)
    except (ContentError, FlowError, ModuleError, OSError) as err:
        print(f"companion library: {err}", file=sys.stderr)
        return 2
    module = catalog.get(args.module) if args.module is not None else None
    if module is None:
        # No module named, or an unknown one: the list, in the patient's language.
        out = sys.stdout if args.module is None else sys.stderr
        print(texts.text(HEADING_KEY), file=out)
        for each in render_all(catalog, texts):
            print(f"  {each.id:<16} {each.title}", file=out)
        pages = trusted_pages(texts)
        if pages:
            print("", file=out)
            print("\n".join(pages), file=out)
        return 0 if args.module is None else 2
    shown = render(module, texts)
    print(shown.as_text())
    if args.sources:
        print()
        print("sources: " + ", ".join(shown.sources))
    return 0
