"""Reading the YAML files that clinicians and associations write.

PyYAML follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off`` are
booleans. In a flow ``{yes: fever}`` is a condition and in a lexicon "no" is
a word, so only ``true`` and ``false`` are booleans here, as in YAML 1.2.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from companion.files.bundled import default_content_dir, default_flows_dir
from companion.files.untrusted import (
    BAD_VALUE,
    MAX_EXPANDED_VALUES,
    MAX_NESTING,
    NUMBER_TOO_LONG,
    OVERLAY_FILE_LIMIT,
    TOO_DEEP,
    TOO_MANY_ALIASED,
    Message,
    UnsafeFile,
    read_text,
)

# libyaml's parser when PyYAML was built with it (the usual wheels are): the
# same safe constructor and the resolvers below, about ten times faster to load.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path, error: type[Exception], limit: int = OVERLAY_FILE_LIMIT) -> Any:
    """Parses one file; problems are raised as ``error`` with the path in front.

    The file is read through :func:`companion.files.untrusted.read_text` (a regular
    file of at most ``limit`` bytes, UTF-8). Before anything is built, the events
    of a file that is not the package's own are scanned: nesting deeper than
    :data:`MAX_NESTING`, aliases that write out to more than
    :data:`MAX_EXPANDED_VALUES` values (a "billion laughs" bomb) and numbers or
    dates Python cannot build are refused by line, so a hostile file costs at
    most a scan of its own size."""
    try:
        text = read_text(path, limit)
        if not _shipped(path):
            _scan(text)
        return _built(text)
    except UnsafeFile as err:
        where = f"{path}:{err.message.line}" if err.message.line else str(path)
        raise error(err.message.placed(where)) from None
    except yaml.YAMLError as err:
        if "nesting depth" in str(err):  # libyaml's own limit, met while scanning ahead
            raise error(Message(TOO_DEEP, where=str(path), limit=MAX_NESTING)) from None
        # One line per problem: PyYAML's own message spans several.
        raise error(f"{path}: not valid YAML: {' '.join(str(err).split())}") from err


def _shipped(path: Path) -> bool:
    """The package's own flows and content: written by us, so not scanned (the scan
    would add a third to the loading time at every start)."""
    resolved = path.resolve()
    return any(
        resolved.is_relative_to(folder.resolve())
        for folder in (default_flows_dir(), default_content_dir())
    )


_CACHED_TEXT_LIMIT = 256 * 1024
"""Texts up to this size have their values kept (the shipped files are all smaller)."""


def _built(text: str) -> Any:
    """The YAML's values; a number or date Python cannot build is a problem, not a crash.

    The same text gives the same values, so a text read before (the check reads
    every content file twice, and a long-running app or test run reads the packs
    again and again) is not parsed again; the caller gets its own copy to change."""
    if len(text) > _CACHED_TEXT_LIMIT:
        return _parsed(text)
    return pickle.loads(_parsed_before(text))  # three times faster than copy.deepcopy


@lru_cache(maxsize=256)
def _parsed_before(text: str) -> bytes:
    return pickle.dumps(_parsed(text))


def _parsed(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except ValueError as err:  # 5000 digits, a 13th month: raised by the constructors
        found = re.search(r"line (\d+)", str(err))
        line = int(found.group(1)) if found else None
        if "digits" in str(err):
            raise UnsafeFile(Message(NUMBER_TOO_LONG, line=line)) from None
        raise UnsafeFile(Message(BAD_VALUE, line=line)) from None


def _scan(text: str) -> None:
    """:func:`_refuse_bombs`; a text found fine before is not scanned again (a refused
    one is: its exception is not kept)."""
    if len(text) > _CACHED_TEXT_LIMIT:
        _refuse_bombs(text)
    else:
        _found_fine(text)


@lru_cache(maxsize=256)
def _found_fine(text: str) -> bool:
    _refuse_bombs(text)
    return True


def _refuse_bombs(text: str) -> None:
    """Scans the events: nesting, plain scalars Python cannot build, and aliases.

    An alias (``*name``) repeats its anchor's whole value; the file's values are
    counted with every alias written out, so a "billion laughs" file is refused
    from its events, while a few shared conditions (as in the flows) are fine."""
    open_collections: list[tuple[str | None, int]] = []  # (anchor, values inside)
    sizes: dict[str, int] = {}
    total = 0

    def counted(size: int, line: int | None) -> None:
        nonlocal total
        total += size
        if total > MAX_EXPANDED_VALUES:
            raise UnsafeFile(Message(TOO_MANY_ALIASED, line=line, limit=MAX_EXPANDED_VALUES))
        if open_collections:
            anchor, inside = open_collections[-1]
            open_collections[-1] = (anchor, inside + size)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_collections) >= MAX_NESTING:
                raise UnsafeFile(Message(TOO_DEEP, line=_line(event), limit=MAX_NESTING))
            open_collections.append((event.anchor, 0))
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, inside = open_collections.pop()
            total -= inside  # counted again below, inside its own collection
            if anchor is not None:
                sizes[anchor] = inside + 1
            counted(inside + 1, _line(event))
        elif isinstance(event, yaml.AliasEvent):
            counted(sizes.get(event.anchor or "", 1), _line(event))
        elif isinstance(event, yaml.ScalarEvent):
            if not event.style:  # plain: no quotes
                _refuse_unbuildable(event)
            if event.anchor is not None:
                sizes[event.anchor] = 1
            counted(1, _line(event))


_LONG_NUMBER = re.compile(r"[-+]?[0-9_]{1000,}")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?")


def _refuse_unbuildable(event: yaml.ScalarEvent) -> None:
    """A plain scalar Python cannot build (5000 digits, a 13th month), named by line."""
    if _LONG_NUMBER.fullmatch(event.value):
        raise UnsafeFile(Message(NUMBER_TOO_LONG, line=_line(event)))
    if _DATE_LIKE.fullmatch(event.value):
        try:
            yaml.load(event.value, Loader=_Loader)
        except (ValueError, yaml.YAMLError):
            raise UnsafeFile(Message(BAD_VALUE, line=_line(event))) from None


def _line(event: yaml.Event) -> int | None:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else None


def key_line(path: Path, keys: Sequence[str]) -> int | None:
    """The 1-based line of the key at ``keys`` (``["BE", "values", "emergency_number"]``)
    in a YAML file of mappings, or None. Only asked when a problem is found."""
    try:
        node = yaml.compose(read_text(path, OVERLAY_FILE_LIMIT), Loader=_Loader)
    except (UnsafeFile, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        found = next(
            ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key),
            None,
        )
        if found is None:
            return line
        line = found[0].start_mark.line + 1
        node = found[1]
    return line
