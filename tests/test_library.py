"""The Library: F9 in the app lists every module and opens one; `companion library`
does the same in a plain terminal. Texts are shown as text, never as markup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Button, Static

from companion.app import CompanionApp
from companion.app.library import LibraryScreen, ModuleScreen
from companion.cli import main
from companion.clock import FixedClock
from companion.journey.modules import ModuleText, load_modules, render
from companion.resources import Library
from tests.patients import after_self_care_path

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def after_education(library: Library, tmp_path: Path, language: str, region: str) -> Path:
    """A data folder after triage, education and plan set-up, answered in-process."""
    return after_self_care_path(library, tmp_path / "data", START, language, region)


def shown_text(screen: LibraryScreen | ModuleScreen) -> str:
    return " ".join(str(w.render()) for w in screen.query(Static))


async def test_f9_lists_every_module_and_opens_one(library: Library, tmp_path: Path) -> None:
    folder = after_education(library, tmp_path, "fr", "BE")
    app = CompanionApp(library, folder, clock=FixedClock(START))
    texts = library.content.localizer("fr", "BE")
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        labels = [str(b.label) for b in app.screen.query(Button)]
        for module_id in load_modules().ids():
            assert any(texts.text(f"module.{module_id}.title") in label for label in labels)
        offered = texts.text("module.library.offered")
        # painkillers were mentioned: the medicines module was set aside for this patient
        assert f"{texts.text('module.medicines.title')} ({offered})" in labels
        assert f"{texts.text('module.scans.title')} ({offered})" not in labels
        await pilot.click("#module-work")
        await pilot.pause()
        assert isinstance(app.screen, ModuleScreen)
        page = shown_text(app.screen)
        assert texts.text("module.work.be.adviser") in page  # Belgian rule, in French
        assert texts.text("module.work.nl.stay") not in page
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_a_module_is_shown_as_text_not_markup(library: Library, tmp_path: Path) -> None:
    folder = after_education(library, tmp_path, "nl", "NL")
    app = CompanionApp(library, folder, clock=FixedClock(START))
    hostile = ModuleText(
        id="x", title="[b]Titel[/b]", paragraphs=["[@click=app.quit]klik[/]"], sources=[]
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ModuleScreen(app.texts, hostile))
        await pilot.pause()
        page = shown_text(app.screen)  # type: ignore[arg-type]
        assert "[b]Titel[/b]" in page and "[@click=app.quit]klik[/]" in page


def test_library_command_lists_and_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "--lang", "nl", "--region", "NL"]) == 0
    listing = capsys.readouterr().out
    assert "Bibliotheek" in listing and "medicines" in listing and "Pijnstillers" in listing
    assert main(["library", "access", "--lang", "nl", "--region", "NL"]) == 0
    netherlands = capsys.readouterr().out
    assert "basispakket" in netherlands and "voorschrift" not in netherlands
    assert main(["library", "access", "--lang", "fr-BE", "--sources"]) == 0
    belgium = capsys.readouterr().out
    assert "prescription" in belgium and "003:1308-1311" in belgium


def test_library_command_unknown_module_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "nonsense", "--lang", "fr"]) == 2
    assert "Les antidouleurs" in capsys.readouterr().err


def test_plain_terminal_shows_the_offered_module_after_its_conversation(
    library: Library,
) -> None:
    from companion.plain import run_plain
    from tests.test_education import TRIAGE_SELF_CARE, Script, patient

    answers = {**TRIAGE_SELF_CARE, "leg_pain_below_knee": "ja"}  # gp_soon
    script = Script(patient(library, "nl", answers))
    assert run_plain(library, "nl", "BE", script.ask, script.say) == 0
    texts = library.content.localizer("nl", "BE")
    lines = script.lines
    consultation = next(
        i
        for i, line in enumerate(lines)
        if line.startswith(texts.text("module.consultation.title"))
    )
    assert lines.index(texts.text("end.gp_soon.title")) < consultation
    assert consultation < lines.index(texts.text("edu.intro")), "shown right after the triage"
    assert texts.text("module.consultation.ask") in lines[consultation]
    healthy = next(
        i
        for i, line in enumerate(lines)
        if line.startswith(texts.text("module.healthy_living.title"))
    )
    assert healthy > lines.index(texts.text("edu.closing")), "shown after the education talk"


async def test_the_app_shows_pain_science_after_the_day_14_checkin(
    library: Library, tmp_path: Path
) -> None:
    from datetime import timedelta

    from tests.test_app import CALM_CHECKIN, bubbles
    from tests.test_app import talk as talk_by_keys

    folder = after_education(library, tmp_path, "nl", "NL")
    clock = FixedClock(START + timedelta(days=12))  # the pain began 2 days before START
    app = CompanionApp(library, folder, clock=clock)
    texts = library.content.localizer("nl", "NL")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not any(texts.text("module.pain.title") in b for b in bubbles(app))
        await talk_by_keys(pilot, app, CALM_CHECKIN)
        await pilot.pause()
        shown = [b for b in bubbles(app) if b.startswith(texts.text("module.pain.title"))]
        assert len(shown) == 1 and texts.text("module.pain.amplifier") in shown[0]


@pytest.mark.parametrize(
    ("locale", "address"),
    [("nl-NL", "https://www.thuisarts.nl/lage-rugpijn"), ("fr-BE", "https://www.kce.fgov.be")],
)
def test_the_library_lists_the_regions_trusted_pages_as_text(
    capsys: pytest.CaptureFixture[str], locale: str, address: str
) -> None:
    """Issue 14 item 3: one reliable place per region, an address to copy, never fetched."""
    assert main(["library", "--lang", locale]) == 0
    listing = capsys.readouterr().out
    assert address in listing
    other = "thuisarts.nl" if locale == "fr-BE" else "kce.fgov.be"
    assert other not in listing


def test_a_module_explains_the_medical_words_it_uses(library: Library) -> None:
    """The glossary's entry follows a module that uses a word of it."""
    texts = library.content.localizer("nl", "NL")
    scans = next(m for m in load_modules().modules if m.id == "scans")
    shown = render(scans, texts)
    assert any("scan" in p.lower() for p in shown.paragraphs), "the scans module says scan"
    assert shown.words == [texts.text("glossary.scan")]
    assert texts.text("module.library.words") in shown.as_text()
    medicines = next(m for m in load_modules().modules if m.id == "medicines")
    assert render(medicines, texts).words == [], "no glossary word, no explanation"


async def test_the_library_screen_shows_the_trusted_pages(library: Library, tmp_path: Path) -> None:
    folder = after_education(library, tmp_path, "nl", "NL")
    app = CompanionApp(library, folder, clock=FixedClock(START))
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert "https://www.thuisarts.nl/lage-rugpijn" in shown_text(app.screen)
