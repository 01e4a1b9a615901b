"""`companion leaflet`: the patient information on paper (issue 14, item 4).

One A4 HTML page, without scripts, in the patient's language and for the patient's region:
the alarm signs with the region's numbers, the education messages, the education modules
(when the pack has ``module.*`` texts), the principles of the movement plan, the guidelines
the texts come from and the pack's name, version and review date. Every text is a pack text
(so ``companion check`` checks it); headings are interface texts (gettext). A text an
association's overlay replaced carries the same note as in the app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from companion.journey.modules import (
    LINKS_HEADING_KEY,
    WORDS_HEADING_KEY,
    ModuleError,
    load_modules,
)
from companion.reports.blocks import (
    Block,
    BulletList,
    Document,
    Heading,
    Item,
    Paragraph,
    Section,
)
from companion.reports.html import render
from companion.resources import load_content_dir
from companion.texts.content import Content, ContentError, Localizer, parse_locale
from companion.texts.i18n import N_
from companion.texts.sources import seed_of, source_name
from companion.texts.wording import explanations_for, link_lines

EXIT_BAD_INPUT = 2

LEAFLET_TITLE = N_("Back pain: what you can do yourself")
ALARM_HEADING = N_("Alarm signs: call at once")
ABOUT_HEADING = N_("Good to know about back pain")
HELPS_HEADING = N_("What helps you recover")
MODULES_HEADING = N_("More about your back")
PLAN_HEADING = N_("Build up step by step")
SOURCES_HEADING = N_("Where this information comes from")
SHARED_PACK = N_("These texts are the same for everyone. Version {version}, checked on {date}.")
ASSOCIATION_PACK = N_("These texts come from {association}. Version {version}, checked on {date}.")
NOT_A_DOCTOR = N_("This leaflet does not replace a doctor. Your own doctor's advice comes first.")

ALARM_KEYS = ("end.safety_net",)
"""The alarm signs and whom to call, with the region's numbers filled in."""
ABOUT_KEYS = (
    "edu.before.no",
    "edu.course",
    "edu.pain.real",
    "edu.back.strong",
    "edu.imaging.grey_hair",
    "edu.imaging.when_useful",
    "edu.imaging.gp_decides",
)
HELPS_KEYS = (
    "edu.keep_moving",
    "edu.moving.stronger",
    "edu.bed_rest.if_needed",
    "edu.get_up",
    "edu.painkillers.when_needed",
    "edu.painkillers.which",
    "edu.painkillers.limits",
    "edu.work.return",
    "edu.worry",
    "edu.worry.stress",
    "edu.active.no",
    "edu.when.physio",
    "edu.when.gp",
    "edu.closing",
)
"""The education flow picks among texts by the patient's answers; on paper go the ones
that hold for every reader and read well alone (not the questions, not the replies that
start from the patient's answer, such as "Many people think so")."""
PLAN_KEYS = ("plan.principle.calendar", "plan.principle.pain", "plan.bad_day", "plan.alarm")
MODULE_PREFIX = "module."
MODULE_TITLE = "title"
OUT_OF_HOURS_HOW = "out_of_hours_how"
"""A region word that is a whole sentence: how to reach the out-of-hours service."""


def add_leaflet_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    leaflet = commands.add_parser(
        "leaflet", help="the patient information as a printable A4 page (HTML, no scripts)"
    )
    leaflet.add_argument(
        "--out", type=Path, metavar="FILE", help="write the page to FILE (default: print it)"
    )


def run_leaflet_command(args: argparse.Namespace) -> int:
    try:
        content = load_content_dir(args.content)
        language, region = parse_locale(args.lang) if args.lang else (None, None)
        region = (args.region or region or "").upper() or None
        texts = content.localizer(language or "nl", region)
        page = render(leaflet(content, texts))
    except ContentError as err:
        print(f"companion leaflet: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.out is None:
        sys.stdout.write(page)
        return 0
    try:
        args.out.write_text(page, encoding="utf-8")
    except OSError as err:
        print(f"companion leaflet: {args.out}: {err.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


# --- the document -------------------------------------------------------------------


def leaflet(content: Content, texts: Localizer) -> Document:
    """The leaflet for one language and region, block by block."""
    keys = printed_keys(texts)
    blocks: list[Block] = [
        Heading(1, texts.ui(LEAFLET_TITLE)),
        Paragraph(texts.ui(NOT_A_DOCTOR), attrs=(("class", "muted"),)),
        Section(_alarm_blocks(texts), texts.ui(ALARM_HEADING), (("id", "alarm"),)),
        _section(texts, ABOUT_KEYS, ABOUT_HEADING, "about"),
        _section(texts, HELPS_KEYS, HELPS_HEADING, "helps"),
    ]
    modules = list(_module_blocks(texts))
    if modules:
        blocks.append(Section(modules, texts.ui(MODULES_HEADING), (("id", "modules"),)))
    blocks.append(_section(texts, PLAN_KEYS, PLAN_HEADING, "plan"))
    words = explanations_for(texts, *(texts.text(k) for k in keys))
    if words:
        heading = texts.text(WORDS_HEADING_KEY)
        blocks.append(Section([Paragraph(w) for w in words], heading, (("id", "words"),)))
    pages = link_lines(texts)
    if pages:
        heading = texts.text(LINKS_HEADING_KEY)
        blocks.append(Section([Paragraph(p) for p in pages], heading, (("id", "links"),)))
    blocks += [
        Section(_source_blocks(texts, keys), texts.ui(SOURCES_HEADING), (("id", "sources"),)),
        Paragraph(_pack_line(content, texts), attrs=(("class", "muted"), ("id", "pack"))),
    ]
    return Document(title=texts.ui(LEAFLET_TITLE), language=texts.locale, blocks=blocks)


def printed_keys(texts: Localizer) -> list[str]:
    """Every content message the leaflet prints, in order (for its sources and its checks);
    the module titles are headings."""
    fixed = [*ALARM_KEYS, *ABOUT_KEYS, *HELPS_KEYS, *PLAN_KEYS]
    modules = [k for k, _ in _module_keys(texts) if not k.endswith(f".{MODULE_TITLE}")]
    return [k for k in fixed if texts.has(k)] + modules


def _section(texts: Localizer, keys: tuple[str, ...], heading: str, name: str) -> Section:
    blocks: list[Block] = []
    for key in keys:
        if texts.has(key):
            blocks += _message(texts, key)
    return Section(blocks, texts.ui(heading), (("id", name),))


def _message(texts: Localizer, key: str) -> list[Block]:
    """One text, and below a text an association's overlay replaced, the note that says so."""
    blocks: list[Block] = [Paragraph(texts.text(key), attrs=(("data-key", key),))]
    return blocks + _deviation(texts, key)


def _deviation(texts: Localizer, key: str) -> list[Block]:
    note = texts.deviation_note(key)
    if note is None:
        return []
    return [Paragraph(note, attrs=(("class", "deviation"), ("data-deviates", key)))]


def _alarm_blocks(texts: Localizer) -> list[Block]:
    """The safety-net text with its "- " lines as a framed list, so the signs stand out."""
    blocks: list[Block] = []
    for key in ALARM_KEYS:
        if not texts.has(key):
            continue
        lines = texts.text(key).splitlines()
        signs = [line[2:].strip() for line in lines if line.startswith("- ")]
        before = [line for line in lines[: _first_sign(lines)] if line.strip()]
        after = [line for line in lines[_first_sign(lines) + len(signs) :] if line.strip()]
        blocks += [Paragraph(line, attrs=(("data-key", key),)) for line in before]
        if signs:
            items = [Item(sign, attrs=(("data-key", key),)) for sign in signs]
            blocks.append(BulletList(items, alert=True))
        blocks += [Paragraph(line, attrs=(("data-key", key),), strong=True) for line in after]
        blocks += _deviation(texts, key)
    how = texts.variables.get(OUT_OF_HOURS_HOW)
    if how:
        blocks.append(Paragraph(how, attrs=(("data-key", f"region.{OUT_OF_HOURS_HOW}"),)))
    return blocks


def _first_sign(lines: list[str]) -> int:
    return next((n for n, line in enumerate(lines) if line.startswith("- ")), len(lines))


def _module_keys(texts: Localizer) -> Iterator[tuple[str, str]]:
    """(key, module id) of every module's title and of the paragraphs shown in the reader's
    region, in the catalog's order (``flows/library/modules.yaml``, as the Library shows)."""
    try:
        catalog = load_modules()
    except ModuleError:
        return
    for module in catalog.modules:
        if not texts.has(module.title_key):
            continue
        yield module.title_key, module.id
        for paragraph in module.paragraphs:
            if paragraph.shown_in(texts.region) and texts.has(paragraph.text):
                yield paragraph.text, module.id


def _module_blocks(texts: Localizer) -> Iterator[Block]:
    """Each module under its title, then its paragraphs for the reader's region."""
    for key, _ in _module_keys(texts):
        if key.endswith(f".{MODULE_TITLE}"):
            yield Heading(3, texts.text(key))
            yield from _deviation(texts, key)
        else:
            yield from _message(texts, key)


def _source_blocks(texts: Localizer, keys: list[str]) -> list[Block]:
    """The guidelines the printed texts come from, by name and year, each once."""
    seeds: list[str] = []
    for key in keys:
        for ref in texts.entry(key).source:
            if seed_of(ref) not in seeds:
                seeds.append(seed_of(ref))
    items = []
    for seed in sorted(seeds):
        name = source_name(texts, seed)
        if name is not None:
            items.append(Item(name, attrs=(("data-key", f"source.{seed}"),)))
    return [BulletList(items)] if items else []


def _pack_line(content: Content, texts: Localizer) -> str:
    date = texts.format_date(content.reviewed)
    if content.association is not None:
        return texts.ui(
            ASSOCIATION_PACK,
            association=content.association.association,
            version=content.version,
            date=date,
        )
    return texts.ui(SHARED_PACK, version=content.version, date=date)
