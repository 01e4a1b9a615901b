"""An association's own pack (`--content DIR` with an overlay.yaml): layered over
the built-in content without touching it, shown in a real conversation, checked
like the built-in packs, and refused with a clear list when broken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from companion.cli import main
from companion.commands.check import check, overlay_problems
from companion.plain import run_plain
from companion.present import ASSOCIATION
from companion.resources import (
    builtin_library,
    default_content_dir,
    default_flows_dir,
    load_content_dir,
    load_library,
)
from companion.texts.content import ContentError, load_content, load_overlay

PHONE = "03 555 12 12"
NL_CLOSING = (
    "Dat was de uitleg. Onthoud vooral dit: uw rug is sterk, en bewegen helpt u. "
    "Vragen? Bel de Rugvereniging op {association_phone}."
)
FR_CLOSING = (
    "Voilà pour les explications. Retenez ceci : votre dos est solide, et bouger vous aide. "
    "Des questions ? Appelez l'association au {association_phone}."
)
OVERLAY_YAML = """\
association: Rugvereniging Voorbeeld
website: https://rugvereniging.example.org
contact: "info@rugvereniging.example.org"
links:
  - {title: Onze folders, url: "https://rugvereniging.example.org/folders"}
version: 3
reviewed: 2026-10-01
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entry(key: str, text: str, source: str = '["003:542", "003:548-550"]') -> str:
    quoted = text.replace('"', '\\"')
    return f'{key}:\n  text: "{quoted}"\n  source: {source}\n'


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """A valid association pack: its phone number and one message of its own."""
    root = tmp_path / "rugvereniging"
    write(root / "overlay.yaml", OVERLAY_YAML)
    write(
        root / "regions.yaml",
        f'NL:\n  values:\n    association_phone: "{PHONE}"\n'
        f'BE:\n  values:\n    association_phone: "{PHONE}"\n',
    )
    write(root / "nl" / "education.yaml", entry("edu.closing", NL_CLOSING))
    write(root / "fr" / "education.yaml", entry("edu.closing", FR_CLOSING))
    return root


def overlay_problem_lines(root: Path) -> list[str]:
    report = check(default_flows_dir(), root)
    return [str(p) for p in report.problems if str(root) in str(p)]


# --- layering -----------------------------------------------------------------------


def test_overlay_layers_over_the_builtin_content(overlay: Path) -> None:
    content = load_content_dir(overlay)
    builtin = load_content(default_content_dir())
    assert content.association is not None
    assert content.name == "Rugvereniging Voorbeeld"
    assert content.version == 3
    assert content.reviewed == dt.date(2026, 10, 1)
    assert content.association.links[0].url.endswith("/folders")
    assert builtin.association is None and builtin.name == "companion"
    nl = content.languages["nl"]
    closing = nl.texts["edu.closing"]
    assert closing.origin == str(overlay / "nl" / "education.yaml")
    assert closing.version == 3 and closing.reviewed == dt.date(2026, 10, 1)
    assert nl.texts["edu.back.strong"] == builtin.languages["nl"].texts["edu.back.strong"]
    assert content.regions["BE"].values["association_phone"] == PHONE
    assert content.regions["BE"].values["out_of_hours_number"] == "1733", "built-in values stay"
    texts = content.localizer("nl", "BE")
    assert texts.text("edu.closing").endswith(f"{PHONE}.")


def test_overlay_passes_the_checks(overlay: Path) -> None:
    assert overlay_problem_lines(overlay) == []
    assert not [p for p in overlay_problems(None, overlay) if str(overlay) in str(p)]


def test_change_shows_in_a_real_conversation(overlay: Path) -> None:
    library = load_library(None, overlay)
    lines: list[str] = []
    answers = {"age": "40", "sex": "1", "pain_duration_days": "4"}
    session = library.session("triage", "nl", "BE")
    questions = {session.texts.text(q.text): q.concept for q in session.flow.questions().values()}

    def ask(prompt: str) -> str:
        for line in reversed(lines):
            if line in questions:
                return answers.get(questions[line], "nee")
        return "nee"

    assert run_plain(library, "nl", "BE", ask, lines.append) == 0
    texts = library.content.localizer("nl", "BE")
    first = texts.ui(
        ASSOCIATION,
        association="Rugvereniging Voorbeeld",
        website="https://rugvereniging.example.org",
    )
    assert lines[0] == first, "the association names itself first"
    assert "Rugvereniging Voorbeeld" in first and first != ASSOCIATION
    closing = texts.text("edu.closing")
    assert closing in lines and PHONE in closing
    assert builtin_library().content.localizer("nl", "BE").text("edu.closing") not in lines
    assert builtin_library().content.association is None


def test_builtin_conversation_has_no_association_line() -> None:
    lines: list[str] = []
    replies = iter(["ja"])
    run_plain(builtin_library(), "nl", None, lambda _: next(replies), lines.append)
    assert not any("Rugvereniging" in line for line in lines)


def test_environment_setting_selects_the_overlay(
    overlay: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMPANION_CONTENT", str(overlay))
    replies = iter(["ja"])

    def fake_input(prompt: str = "") -> str:
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    assert main(["--plain", "--no-save", "--lang", "nl-BE"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Deze informatie komt van Rugvereniging Voorbeeld")


def test_folder_without_overlay_is_a_complete_pack(tmp_path: Path) -> None:
    # Today's meaning of --content: a complete pack; an empty one is refused.
    (tmp_path / "pack").mkdir()
    with pytest.raises(ContentError, match=r"regions\.yaml"):
        load_content_dir(tmp_path / "pack")


# --- broken overlays ------------------------------------------------------------------


def test_bad_yaml_is_refused(overlay: Path) -> None:
    bad = write(overlay / "fr" / "education.yaml", 'edu.closing:\n  text: "Voilà\n  source: [\n')
    problems = overlay_problem_lines(overlay)
    assert any(str(bad) in p and "not valid YAML" in p for p in problems), problems


def test_unknown_key_types_are_refused(overlay: Path) -> None:
    write(overlay / "overlay.yaml", OVERLAY_YAML + "colour: blue\n")
    write(
        overlay / "nl" / "education.yaml",
        entry("edu.closing", NL_CLOSING) + 'edu.back.strong:\n  txt: "Uw rug is sterk."\n',
    )
    write(overlay / "nl" / "extra.yaml", "edu.extra:\n  - een\n  - lijst\n")
    write(overlay / "de" / "education.yaml", entry("edu.closing", "Ihr Rücken ist stark."))
    write(overlay / "nl" / "lexicon.yaml", '"yes": ["jawohl"]\n')
    problems = overlay_problem_lines(overlay)
    expected = [
        (str(overlay / "overlay.yaml"), "colour"),
        (str(overlay / "nl" / "education.yaml"), "edu.back.strong.txt"),
        (str(overlay / "nl" / "extra.yaml"), "key 'edu.extra'"),
        (str(overlay / "de"), "not a language of the built-in content"),
        (str(overlay / "nl" / "lexicon.yaml"), "cannot replace lexicon.yaml"),
    ]
    for where, words in expected:
        assert any(where in p and words in p for p in problems), (where, words, problems)


def test_harmful_phrase_in_overlay(overlay: Path) -> None:
    path = write(
        overlay / "fr" / "education.yaml",
        entry(
            "edu.closing", "Voilà. Votre dos n'est pas usé. Appelez-nous au {association_phone}."
        ),
    )
    problems = overlay_problem_lines(overlay)
    assert any(
        str(path) in p and "edu.closing" in p and "harmful phrasing 'usé'" in p for p in problems
    ), problems


def test_placeholder_mismatch_in_overlay(overlay: Path) -> None:
    path = write(
        overlay / "nl" / "triage.yaml",
        entry(
            "end.emergency.action",
            "Bel nu meteen {gp}. Is de praktijk dicht? Bel dan {out_of_hours}. "
            "{out_of_hours_how} Wacht niet tot morgen.",
            '["000:1658-1660"]',
        ),
    )
    problems = overlay_problem_lines(overlay)
    dropped = [p for p in problems if "drops {emergency_number}" in p]
    assert dropped and str(path) in dropped[0] and "end.emergency.action" in dropped[0]
    assert any(str(path) in p and "placeholders" in p and "'fr'" in p for p in problems)


def test_all_problems_listed_in_one_refusal(
    overlay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(overlay / "overlay.yaml", OVERLAY_YAML + "colour: blue\n")
    write(overlay / "regions.yaml", "BE:\n  values: [geen, mapping]\n")
    write(overlay / "nl" / "broken.yaml", "edu.x: [unclosed\n")
    with pytest.raises(ContentError) as raised:
        load_overlay(overlay, load_content(default_content_dir()))
    problems = raised.value.problems
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == [
        str(overlay / "overlay.yaml"),
        str(overlay / "regions.yaml"),
        str(overlay / "nl" / "broken.yaml"),
    ]
    status = main(["check", "--content", str(overlay)])
    out = capsys.readouterr().out
    assert status == 1
    for name in ("overlay.yaml", "regions.yaml", "broken.yaml"):
        assert name in out


def test_conversation_refuses_a_broken_overlay(
    overlay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        overlay / "nl" / "education.yaml",
        entry("edu.closing", "Dat was het. Wees voorzichtig met bukken. Bel {association_phone}."),
    )
    status = main(["--no-save", "--content", str(overlay), "--lang", "nl"])
    _, err = capsys.readouterr()
    assert status == 2
    assert "cannot be used" in err
    assert "edu.closing" in err and "voorzichtig" in err
    status = main(["simulate", "--content", str(overlay), str(overlay)])
    assert status == 2


def test_builtin_folder_is_not_touched(overlay: Path) -> None:
    before = {p: p.read_bytes() for p in default_content_dir().rglob("*.yaml") if "/nl/" in str(p)}
    load_content_dir(overlay)
    check(default_flows_dir(), overlay)
    after = {p: p.read_bytes() for p in before}
    assert before == after
