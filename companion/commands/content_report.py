"""`companion content report`: how readable, safe and sourced the content is.

Per language: the worst messages first (score, average and longest sentence,
file, key), the averages against the targets, a summary of the sources and the
harmful phrasing found. ``--json`` gives the same as one JSON object. Exit
status 0 when every target is met (plain language, no harmful phrasing, every
medical text sourced, a complete catalog), 1 otherwise, 2 when the content or
flows cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.commands.check import choose_seeds, interface_keys, seeds_folder
from companion.dialogue.flow import FlowError, load_flows
from companion.resources import default_flows_dir, load_content_dir
from companion.texts.content import Content, ContentError
from companion.texts.quality import LanguageQuality, Measured, QualityReport, assess_content

EXIT_BAD_INPUT = 2
WORST = 10

AddOptions = Callable[[argparse.ArgumentParser], None]


def add_content_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_sources: AddOptions,
    add_seeds: AddOptions,
) -> None:
    content = commands.add_parser("content", help="content packs: readability report")
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    report = actions.add_parser(
        "report",
        help="readability, harmful phrasing and sources per language, worst messages first",
    )
    report.add_argument("--json", action="store_true", help="one JSON object")
    report.add_argument(
        "--worst",
        type=int,
        default=WORST,
        metavar="N",
        help=f"how many of the worst messages to list per language (default {WORST}); "
        "messages that miss a target are always listed",
    )
    add_sources(report)
    add_seeds(report)


def run_content_command(args: argparse.Namespace) -> int:
    try:
        content = load_content_dir(args.content)
        _, flows = load_flows(args.flows or default_flows_dir())
    except (ContentError, FlowError) as err:
        print(f"companion content report: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    problems: list[Any] = []
    notes: list[str] = []
    seeds = seeds_folder(choose_seeds(args.seeds), problems, notes)
    for problem in problems:
        print(f"companion content report: {problem}", file=sys.stderr)
    report = assess_content(content, interface_keys(flows), seeds)
    if args.json:
        print(json.dumps(as_json(report, content, notes), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, content, notes, args.worst))
    return 0 if report.targets_met() and not problems else 1


# --- text -------------------------------------------------------------------------


def format_report(report: QualityReport, content: Content, notes: list[str], worst: int) -> str:
    t = report.targets
    lines = [
        f"Content report: {_pack_line(content)}",
        f"Targets: average sentence <= {t.max_average_sentence_words:g} words, no sentence over "
        f"{t.max_sentence_words} words, score >= {t.min_message_score:g} per message "
        f"(texts of {t.min_words_for_score} words or more), average >= "
        f"{t.min_language_average:g} per language.",
    ]
    lines += [f"Note: {note}" for note in notes]
    for quality in report.languages.values():
        lines += ["", *_language_lines(quality, report, worst)]
    if content.association is not None:
        lines += ["", *_deviation_lines(content)]
    lines += ["", "All targets met." if report.targets_met() else "Targets NOT met."]
    return "\n".join(lines)


def _pack_line(content: Content) -> str:
    if content.association is not None:
        about = content.association
        return (
            f"{about.association} ({about.website}), version {about.version}, reviewed "
            f"{about.reviewed.isoformat()}, over the built-in content"
        )
    return (
        f"{content.name}, version {content.version}, reviewed {content.reviewed.isoformat()} "
        f"({_short(content.folder)})"
    )


def _language_lines(quality: LanguageQuality, report: QualityReport, worst: int) -> list[str]:
    t = report.targets
    pack_lines = [f"== {quality.language} ({quality.formula or 'no formula'}) =="]
    for where, message in quality.settings_problems:
        pack_lines.append(f"  problem: {_short(where)}: {message}")
    scored = [m for m in quality.measured if m.scored]
    met = "met" if quality.average >= t.min_language_average else "NOT met"
    pack_lines.append(
        f"Average score {quality.average} over {len(scored)} messages "
        f"(target >= {t.min_language_average:g}): {met}; "
        f"{len(quality.failing)} of {len(quality.measured)} messages miss a target."
    )
    shown = _worst(quality.measured, worst)
    if shown:
        pack_lines.append("Worst messages:")
        pack_lines.append(f"  {'score':>6} {'avg':>5} {'max':>4}  file  key")
        for measured in shown:
            r = measured.readability
            score = f"{r.score:6.1f}" if measured.scored else f"({r.score:4.0f})"
            region = f" (region {measured.message.region})" if measured.message.region else ""
            pack_lines.append(
                f"  {score} {r.average_sentence_words:5.1f} {r.longest_sentence_words:4d}  "
                f"{_short(measured.message.where)}  {measured.message.key}{region}"
            )
            pack_lines += [f"         ! {failure}" for failure in measured.failures]
    verified = (
        f"verified against {_short(report.seeds)}"
        if report.seeds is not None
        else "NOT verified against the seeds"
    )
    pack_lines.append(
        f"Sources: {quality.medical_texts} medical texts, {quality.references} references, "
        f"{verified}: {len(quality.sources)} problem(s)."
    )
    pack_lines += [f"  {_short(f)}: key '{k}': {p}" for f, k, p in quality.sources]
    if quality.harmful:
        pack_lines.append(f"Harmful phrasing (KCE Kader 2): {len(quality.harmful)} found.")
        for hit in quality.harmful:
            where = _short(hit.message.where)
            pack_lines.append(f"  {where}: {hit.message.key}: '{hit.found}': {hit.pattern.why}")
    else:
        pack_lines.append("Harmful phrasing (KCE Kader 2): none found.")
    catalog = quality.catalog
    state = "complete" if not catalog.problems else f"{len(catalog.problems)} problem(s)"
    pack_lines.append(f"Interface catalog {_short(catalog.po)}: {state}.")
    pack_lines += [f"  {_short(where)}: {message}" for where, message in catalog.problems]
    return pack_lines


def deviations(content: Content) -> dict[str, list[dict[str, str]]]:
    """Per language, every message the overlay replaced: key, file, shared and overlay text
    (001:966-992: a deviation from the shared information is stated, and reviewed)."""
    return {
        language: [
            {
                "key": key,
                "file": pack.texts[key].where,
                "shared": shared.text,
                "overlay": pack.texts[key].text,
            }
            for key, shared in sorted(pack.replaced.items())
        ]
        for language, pack in content.languages.items()
    }


def _deviation_lines(content: Content) -> list[str]:
    found = deviations(content)
    total = sum(len(items) for items in found.values())
    lines = [f"Deviations from the shared texts: {total} (each is marked for the patient)."]
    for language, items in found.items():
        for item in items:
            lines += [
                f"  {language}  {item['key']}  ({_short(item['file'])})",
                f"    shared:  {item['shared']!r}",
                f"    overlay: {item['overlay']!r}",
            ]
    return lines


def _worst(measured: list[Measured], count: int) -> list[Measured]:
    """Messages that miss a target, then the lowest scores, up to ``count`` (at least
    all that miss a target)."""
    ordered = sorted(measured, key=lambda m: (m.ok, not m.scored, m.readability.score))
    failing = [m for m in ordered if not m.ok]
    return failing + [m for m in ordered if m.ok][: max(count - len(failing), 0)]


def _short(path: Path | str | None) -> str:
    """A path below the current folder as a relative one, others in full."""
    if path is None:
        return "-"
    full = Path(path).resolve()
    try:
        return str(full.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- JSON -------------------------------------------------------------------------


def as_json(report: QualityReport, content: Content, notes: list[str]) -> dict[str, Any]:
    about = content.association
    return {
        "content": str(content.folder),
        "name": content.name,
        "version": content.version,
        "reviewed": content.reviewed.isoformat(),
        "association": about.model_dump(mode="json") if about else None,
        "targets": report.targets.model_dump(),
        "targets_met": report.targets_met(),
        "sources_verified": report.sources_verified,
        "seeds": str(report.seeds) if report.seeds else None,
        "notes": notes,
        "deviations": deviations(content),
        "languages": {
            language: _language_json(quality, report)
            for language, quality in report.languages.items()
        },
    }


def _language_json(quality: LanguageQuality, report: QualityReport) -> dict[str, Any]:
    return {
        "formula": quality.formula,
        "average_score": quality.average,
        "average_met": quality.average >= report.targets.min_language_average,
        "messages": [
            {
                "file": m.message.where,
                "key": m.message.key,
                "region": m.message.region,
                "interface": m.message.interface,
                "score": m.readability.score,
                "scored": m.scored,
                "average_sentence_words": m.readability.average_sentence_words,
                "longest_sentence_words": m.readability.longest_sentence_words,
                "sentences": m.readability.sentences,
                "words": m.readability.words,
                "failures": list(m.failures),
            }
            for m in _worst(quality.measured, len(quality.measured))
        ],
        "sources": {
            "medical_texts": quality.medical_texts,
            "references": quality.references,
            "problems": [{"file": f, "key": k, "problem": p} for f, k, p in quality.sources],
        },
        "harmful": [
            {
                "file": hit.message.where,
                "key": hit.message.key,
                "found": hit.found,
                "pattern": hit.pattern.pattern,
                "why": hit.pattern.why,
            }
            for hit in quality.harmful
        ],
        "catalog": {
            "file": str(quality.catalog.po),
            "problems": [{"file": w, "problem": p} for w, p in quality.catalog.problems],
        },
        "settings_problems": [{"file": w, "problem": p} for w, p in quality.settings_problems],
    }
