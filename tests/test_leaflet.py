"""`companion leaflet`: the patient information on one printable page, per language and
region, from the same pack (and an association's overlay), escaped, without scripts."""

from __future__ import annotations

import os
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from companion.cli import main
from companion.commands.check import interface_keys
from companion.commands.leaflet import leaflet, printed_keys
from companion.dialogue.flow import load_flows
from companion.reports.html import render
from companion.resources import builtin_library, default_flows_dir, load_content_dir
from companion.texts.quality import assess_content

SNAPSHOTS = Path(__file__).parent / "fixtures" / "leaflet"
UPDATE = os.environ.get("UPDATE_LEAFLET_SNAPSHOTS") == "1"
"""Set to 1 to rewrite the outlines after looking at the leaflet that changed."""
LOCALES = ("nl-NL", "nl-BE", "fr-BE")
ASSOCIATION = "Rugvereniging Voorbeeld"
OVERLAY_YAML = f"""\
association: {ASSOCIATION}
website: https://rugvereniging.example.org
version: 3
reviewed: 2026-10-01
"""
OWN_CLOSING = (
    "Dat was de uitleg. Onthoud dit: uw rug is sterk. <script>alert(1)</script> Bewegen helpt."
)


class Outline(HTMLParser):
    """The leaflet's structure: headings, sections and the key of every text, one line each;
    the education modules (another pack file, growing) are left out of the snapshot."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.tags: list[str] = []
        self.in_modules = 0
        self.heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.in_modules += 1 if found.get("id") == "modules" or self.in_modules else 0
            if not self.in_modules:
                self.add(f"section {found.get('id')}")
        if self.in_modules:
            return
        if tag in {"h1", "h2", "h3"}:
            self.heading = tag
        elif found.get("data-key"):
            self.add(f"  {tag} {found['data-key']}")
        elif found.get("data-deviates"):
            self.add(f"  {tag} deviation note for {found['data-deviates']}")
        elif tag == "script":
            self.add("SCRIPT")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.in_modules:
            self.in_modules -= 1
        if tag == self.heading:
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.heading and not self.in_modules:
            self.add(f"{self.heading} {data}")

    def add(self, line: str) -> None:
        if not self.lines or self.lines[-1] != line:
            self.lines.append(line)


def outline(page: str) -> str:
    parser = Outline()
    parser.feed(page)
    return "\n".join(parser.lines) + "\n"


def run_leaflet(tmp_path: Path, locale: str, *options: str) -> str:
    out = tmp_path / f"leaflet-{locale}.html"
    language, region = locale.split("-")
    assert (
        main(["leaflet", "--lang", language, "--region", region, "--out", str(out), *options]) == 0
    )
    return out.read_text(encoding="utf-8")


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    root = tmp_path / "rugvereniging"
    (root / "nl").mkdir(parents=True)
    (root / "overlay.yaml").write_text(OVERLAY_YAML, encoding="utf-8")
    (root / "nl" / "education.yaml").write_text(
        f'edu.closing:\n  text: "{OWN_CLOSING}"\n  source: ["003:542"]\n', encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("locale", LOCALES)
def test_leaflet_structure_matches_its_snapshot(tmp_path: Path, locale: str) -> None:
    page = run_leaflet(tmp_path, locale)
    snapshot = SNAPSHOTS / f"{locale}.txt"
    if UPDATE:
        snapshot.write_text(outline(page), encoding="utf-8")
    assert outline(page) == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("locale", "numbers", "words"),
    [
        ("nl-NL", ["112"], ["huisartsenpost", "Rugpijn: wat u zelf kunt doen"]),
        ("nl-BE", ["112", "1733"], ["huisartsenwachtdienst", "Alarmsignalen"]),
        ("fr-BE", ["112", "1733"], ["Signes d'alarme", "dos"]),
    ],
)
def test_leaflet_is_a_printable_page_in_the_patients_language(
    tmp_path: Path, locale: str, numbers: list[str], words: list[str]
) -> None:
    page = run_leaflet(tmp_path, locale)
    assert f'<html lang="{locale}">' in page
    assert "@page { size: A4" in page
    assert "<script" not in page.lower() and "onclick" not in page.lower()
    assert "{" not in page.split("</style>", 1)[1], "every placeholder is filled in"
    for text in [*numbers, *words]:
        assert text in unescape(page)
    assert "Aspecifieke lage rugpijn" in page and "(2010)" in page, "guidelines by name and year"
    assert "seed" not in page.split("</style>", 1)[1]


def test_nl_be_and_nl_nl_differ_only_where_the_region_does(tmp_path: Path) -> None:
    netherlands, belgium = run_leaflet(tmp_path, "nl-NL"), run_leaflet(tmp_path, "nl-BE")
    assert "1733" in belgium and "1733" not in netherlands
    assert outline(netherlands) == outline(belgium).replace("nl-BE", "nl-NL")


def test_every_printed_text_passes_the_content_checks() -> None:
    content = builtin_library().content
    _, flows = load_flows(default_flows_dir())
    report = assess_content(content, interface_keys(flows), None)
    for language in ("nl", "fr"):
        texts = content.localizer(language)
        keys = set(printed_keys(texts))
        quality = report.languages[language]
        assert not [m.message.key for m in quality.failing if m.message.key in keys]
        assert not [h.message.key for h in quality.harmful if h.message.key in keys]
        assert not [k for _, k, _ in quality.sources if k in keys]
        assert all(texts.entry(k).source for k in keys), "every printed message is sourced"


def test_overlay_leaflet_prints_and_marks_the_associations_text(
    tmp_path: Path, overlay: Path
) -> None:
    page = run_leaflet(tmp_path, "nl-BE", "--content", str(overlay))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert "Dat was de uitleg. Onthoud vooral dit" not in page, "the shared text is replaced"
    note = f"Deze tekst komt van {ASSOCIATION} en wijkt af van de gedeelde tekst."
    assert page.count(note) == 1, "only the replaced text is marked"
    assert "  p deviation note for edu.closing" in outline(page)
    assert f"Deze teksten komen van {ASSOCIATION}. Versie 3" in page
    french = run_leaflet(tmp_path, "fr-BE", "--content", str(overlay))
    assert ASSOCIATION not in french.split("<main>", 1)[1].split('id="pack"')[0], (
        "the overlay replaced a Dutch text only: the French leaflet marks nothing"
    )


def test_modules_are_printed_under_their_titles_for_the_readers_region(
    tmp_path: Path,
) -> None:
    """The education modules (flows/library/modules.yaml), as the Library shows them: a
    paragraph written for one country is printed only in that country's leaflet."""
    content = load_content_dir()
    be = content.localizer("nl", "BE")
    nl = content.localizer("nl", "NL")
    belgian, dutch = render(leaflet(content, be)), render(leaflet(content, nl))
    title = be.text("module.access.title")
    assert f"<h3>{title}</h3>" in belgian
    assert "module.access.be.prescription" in printed_keys(be)
    assert "module.access.nl.direct" not in printed_keys(be)
    assert "module.access.nl.direct" in printed_keys(nl)
    assert 'data-key="module.access.nl.direct"' in dutch
    assert 'data-key="module.access.nl.direct"' not in belgian
    assert "module.library.heading" not in printed_keys(be), "a screen label is no module"


def test_unknown_language_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaflet", "--lang", "de", "--out", str(tmp_path / "x.html")]) == 2
    assert "no content for language 'de'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
