"""Marked deviations (issue 14, item 5; 001:966-992): a message an association's overlay
replaced carries a short note in the app, the plain terminal and the leaflet, decided in
one place (the content layer); `companion content report` lists every deviation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.app import CompanionApp
from companion.app.chat import ChatScreen
from companion.app.escalation import EscalationScreen
from companion.app.sources import SourcesScreen
from companion.app.widgets import Bubble
from companion.cli import main
from companion.clock import FixedClock
from companion.dialogue.engine import Turn
from companion.plain import show_turn
from companion.resources import Library, load_content_dir, load_library
from companion.texts.content import ContentError
from companion.texts.sources import seed_of, source_name
from tests.test_app import SIZE, START

ASSOCIATION = "Rugvereniging Voorbeeld"
NL_NOTE = f"Deze tekst komt van {ASSOCIATION} en wijkt af van de gedeelde tekst."
FR_NOTE = f"Ce texte vient de {ASSOCIATION} et s'écarte du texte commun."
OWN_INTRO = "Eerst stel ik u een paar vragen over uw rug. Dat duurt een paar minuten."
OWN_WHY = "U noemde een teken waarvoor een arts snel moet kijken. Bel dus nu."
OWN_CLOSING = "Voilà. Votre dos est solide, et bouger vous aide à aller mieux."


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """Replaces one Dutch and one French message, repeats one shared text word for word,
    and adds a message of its own."""
    shared = load_content_dir().languages["nl"].texts["edu.back.strong"].text
    root = tmp_path / "rugvereniging"
    write(
        root / "overlay.yaml",
        f"association: {ASSOCIATION}\nwebsite: https://rugvereniging.example.org\n"
        "version: 2\nreviewed: 2026-10-01\n",
    )
    write(
        root / "nl" / "triage.yaml",
        f'triage.intro:\n  text: "{OWN_INTRO}"\n  source: ["003:427-428"]\n',
    )
    write(
        root / "nl" / "education.yaml",
        f'edu.back.strong:\n  text: "{shared}"\n  source: ["003:542"]\n'
        'edu.association.extra:\n  text: "Wij helpen u graag."\n  source: ["003:542"]\n',
    )
    write(
        root / "fr" / "education.yaml",
        f'edu.closing:\n  text: "{OWN_CLOSING}"\n  source: ["003:542"]\n',
    )
    return root


def test_the_content_layer_knows_which_texts_deviate(overlay: Path) -> None:
    content = load_content_dir(overlay)
    dutch, french = content.localizer("nl", "BE"), content.localizer("fr", "BE")
    assert dutch.deviates("triage.intro") and dutch.deviation_note("triage.intro") == NL_NOTE
    assert french.deviation_note("edu.closing") == FR_NOTE
    assert not dutch.deviates("edu.closing"), "only the French closing was replaced"
    assert not dutch.deviates("edu.back.strong"), "the same words are no deviation"
    assert not dutch.deviates("edu.association.extra"), "a new message replaces nothing"
    assert dutch.deviation_note("edu.course") is None
    shared = load_content_dir().localizer("nl", "BE")
    assert shared.deviation_note("triage.intro") is None
    assert dutch.pack.replaced["triage.intro"].text == shared.entry("triage.intro").text


def test_plain_terminal_shows_the_note_under_the_replaced_message(overlay: Path) -> None:
    texts = load_content_dir(overlay).localizer("nl", "BE")
    lines: list[str] = []
    turn = Turn(
        messages=[texts.text("triage.intro"), texts.text("edu.course")],
        message_keys=["triage.intro", "edu.course"],
    )
    show_turn(turn, texts, lines.append)
    assert lines == [OWN_INTRO, f"  ({NL_NOTE})", texts.text("edu.course")]


def make_app(library: Library, tmp_path: Path) -> CompanionApp:
    return CompanionApp(library, tmp_path / "data", clock=FixedClock(START), language="nl")


def chat_bubbles(app: CompanionApp) -> dict[str, str]:
    screen = next(s for s in app.screen_stack if isinstance(s, ChatScreen))
    return {b.key: str(b.render()) for b in screen.query(Bubble) if b.key}


async def test_app_bubble_carries_the_note(overlay: Path, tmp_path: Path) -> None:
    app = make_app(load_library(None, overlay), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = chat_bubbles(app)
        assert shown["triage.intro"] == f"{OWN_INTRO}\n{NL_NOTE}"
        assert all(NL_NOTE not in text for key, text in shown.items() if key != "triage.intro")


async def test_escalation_screen_marks_a_replaced_advice(overlay: Path, tmp_path: Path) -> None:
    write(
        overlay / "nl" / "triage.yaml",
        f'triage.intro:\n  text: "{OWN_INTRO}"\n  source: ["003:427-428"]\n'
        f'end.emergency.why:\n  text: "{OWN_WHY}"\n  source: ["000:1658-1660"]\n',
    )
    app = make_app(load_library(None, overlay), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")  # yes to the first emergency question
        await pilot.pause()
        assert isinstance(app.screen, EscalationScreen)
        shown = {b.key: str(b.render()) for b in app.screen.query(Bubble)}
        assert shown["end.emergency.why"] == f"{OWN_WHY}\n{NL_NOTE}"
        assert NL_NOTE not in shown["end.emergency.action"]


async def test_app_without_overlay_marks_nothing(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "triage.intro" in chat_bubbles(app)
        assert not [t for t in chat_bubbles(app).values() if "wijkt af" in t]


def test_content_report_lists_every_deviation(
    overlay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["content", "report", "--content", str(overlay), "--json"])
    report = json.loads(capsys.readouterr().out)
    shared = load_content_dir()
    assert [d["key"] for d in report["deviations"]["nl"]] == ["triage.intro"]
    (french,) = report["deviations"]["fr"]
    assert french["key"] == "edu.closing" and french["overlay"] == OWN_CLOSING
    assert french["shared"] == shared.languages["fr"].texts["edu.closing"].text
    assert french["file"] == str(overlay / "fr" / "education.yaml")
    main(["content", "report", "--content", str(overlay), "--worst", "0"])
    table = capsys.readouterr().out
    assert "Deviations from the shared texts: 2" in table
    assert "nl  triage.intro" in table and "fr  edu.closing" in table
    assert repr(OWN_CLOSING) in table


def test_content_report_without_overlay_has_no_deviations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["content", "report", "--json"])
    assert json.loads(capsys.readouterr().out)["deviations"] == {"nl": [], "fr": []}


# --- the Sources screen ------------------------------------------------------------------


def source_refs(app: CompanionApp) -> str:
    assert isinstance(app.screen, SourcesScreen)
    return " ".join(str(w.render()) for w in app.screen.query(".source-refs"))


async def test_sources_screen_names_guidelines_and_hides_line_references(
    library: Library, tmp_path: Path
) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        patient = source_refs(app)
        assert "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)" in patient
        assert "KCE-rapport 295A" in patient and "(2017)" in patient
        assert "seed" not in patient and "3097" not in patient, "no file:line for patients"
        await pilot.press("p")
        await pilot.pause()
        professional = source_refs(app)
        assert "regels 3097-3120 van document 001" in professional
        assert "Ketenzorgrichtlijn Aspecifieke lage rugpijn (2010)" in professional
        await pilot.press("p")
        await pilot.pause()
        assert source_refs(app) == patient


def test_every_cited_document_has_a_name_in_every_language() -> None:
    content = load_content_dir()
    cited = {
        seed_of(ref)
        for pack in content.languages.values()
        for entry in pack.texts.values()
        for ref in entry.source
    }
    for language, pack in content.languages.items():
        assert cited <= set(pack.sources), f"{language}: a cited document has no name"
        texts = content.localizer(language)
        assert source_name(texts, "001") == f"{pack.sources['001'].name} (2010)"
    assert load_content_dir().languages["nl"].texts.get("source.001.name") is None


def test_an_overlay_cannot_rename_the_sources(overlay: Path) -> None:
    write(overlay / "nl" / "sources.yaml", '"001":\n  name: "Onze eigen folder"\n')
    with pytest.raises(ContentError, match=r"sources\.yaml"):
        load_content_dir(overlay)
