"""Issue 14: region words, no English in patient text, a glossary for medical words and
trusted links per region; each is a `companion check` rule that names file, key and word."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from companion.resources import default_content_dir
from companion.texts.content import (
    Content,
    ContentError,
    PackInfo,
    load_content,
    load_overlay,
)
from companion.texts.i18n import LOCALE_DIR
from companion.texts.wording import (
    LINK_LENGTH_LIMIT,
    explanations_for,
    link_lines,
    url_problem,
    uses,
    wording_problems,
)
from tests.test_check import Copy, assert_cli_reports, problem_with
from tests.test_check import copy as copy  # the fixture

PHYSIO_KEYS = (
    "edu.when.physio",
    "end.self_care.physiotherapist",
    "checkin.advice.day14_activities",
    "checkin.advice.day42_not_better",
)


@pytest.fixture(scope="module")
def shipped() -> Content:
    return load_content(default_content_dir())


# --- region words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "region", "word", "never"),
    [
        ("nl", "NL", "fysiotherapeut", "kinesitherapeut"),
        ("nl", "BE", "kinesitherapeut", "fysiotherapeut"),
        ("fr", "BE", "kinésithérapeute", "fysiotherapeut"),
    ],
)
def test_each_region_names_its_own_physiotherapist(
    shipped: Content, language: str, region: str, word: str, never: str
) -> None:
    texts = shipped.localizer(language, region)
    for key in PHYSIO_KEYS:
        text = texts.text(key)
        assert word in text, key
        assert never not in text and "België" not in text, key


def test_the_advising_physician_differs_per_region(shipped: Content) -> None:
    assert "adviserend arts" in shipped.localizer("nl", "BE").text("region.be.advising_physician")
    assert "médecin-conseil" in shipped.localizer("fr", "BE").text("region.be.advising_physician")
    dutch = shipped.localizer("nl", "NL").variables["advising_physician"]
    assert "bedrijfsarts" in dutch and "adviserend" not in dutch


def test_a_region_word_missing_in_one_region_fails(copy: Copy) -> None:
    regions = copy.content / "nl" / "regions.yaml"

    def drop(words: dict[str, Any]) -> None:
        del words["region.be.physiotherapist"]

    copy.edit_yaml(regions, drop)
    problems = copy.run_check()
    problem_with(problems, "region word 'physiotherapist' is missing for region BE")
    problem_with(problems, "education.yaml", "edu.when.physio", "{physiotherapist}", "region BE")
    assert_cli_reports(copy, "physiotherapist", "BE")


# --- no English in patient text ------------------------------------------------------


def test_shipped_texts_pass_the_word_checks_and_the_lists_are_not_empty(
    shipped: Content,
) -> None:
    assert list(wording_problems(shipped)) == []
    for pack in shipped.languages.values():
        assert "check-in" in pack.words.english
        assert any("companion" in word for word in pack.words.english)
        assert pack.words.medical
        assert pack.links.links


@pytest.mark.parametrize(
    ("language", "sentence", "word"),
    [
        ("nl", "Tot de volgende check-in.", "check-in"),
        ("fr", "Le companion vous aide.", "le companion"),
    ],
)
def test_an_english_word_in_a_patient_text_fails(
    copy: Copy, language: str, sentence: str, word: str
) -> None:
    path = copy.text_file_with(language, "edu.when.physio")

    def add(texts: dict[str, Any]) -> None:
        texts["edu.when.physio"]["text"] += " " + sentence

    copy.edit_yaml(path, add)
    problems = copy.run_check()
    problem_with(problems, str(path), "key 'edu.when.physio'", f"English word '{word}'")
    assert_cli_reports(copy, "edu.when.physio", word)


def test_an_english_word_in_an_interface_translation_fails(copy: Copy) -> None:
    # A content folder with its own locale/ is checked with that catalog.
    shutil.copytree(LOCALE_DIR, copy.content / "locale")
    po = copy.content / "locale" / "nl" / "LC_MESSAGES" / "companion.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "Heeft u uw dagdoel vandaag gedaan?'
    assert text.count(old) == 1
    po.write_text(text.replace(old, 'msgstr "Deed u uw dagdoel bij de check-in?'), "utf-8")
    problems = copy.run_check()
    problem_with(problems, str(po), "day goal today", "English word 'check-in'")


def test_whole_words_only() -> None:
    assert uses("Tot de volgende Check-in!", "check-in")
    assert not uses("de checkinator", "check-in")
    assert not uses("een happy end", "app")


# --- glossary --------------------------------------------------------------------------


def test_a_medical_word_without_a_glossary_entry_fails(copy: Copy) -> None:
    glossary = copy.content / "fr" / "glossary.yaml"

    def drop(entries: dict[str, Any]) -> None:
        del entries["glossary.osteoporosis"]

    copy.edit_yaml(glossary, drop)
    problems = copy.run_check()
    problem_with(
        problems,
        "triage.yaml",
        "key 'triage.q.osteoporosis'",
        "medical word 'ostéoporose'",
        "glossary.osteoporosis",
    )
    # Dutch keeps its entry: only the French texts are flagged.
    assert not [p for p in problems if "medical word" in p and "/nl/" in p]


def test_every_medical_word_in_use_has_an_explanation(shipped: Content) -> None:
    for language, pack in shipped.languages.items():
        for name in pack.words.medical:
            entry = pack.texts.get(f"glossary.{name}")
            assert entry is not None and entry.source, (language, name)


# --- trusted links ---------------------------------------------------------------------

ALLOWED = {"www.thuisarts.nl"}


@pytest.mark.parametrize(
    ("url", "because"),
    [
        ("http://www.thuisarts.nl/lage-rugpijn", "https"),
        ("https://www.thuisarts.nl.evil.example/lage-rugpijn", "not allowed"),
        ("https://evil.example/lage-rugpijn", "not allowed"),
        ("https://user:secret@www.thuisarts.nl/lage-rugpijn", "user name or password"),
        ("https://www.thuisarts.nl@evil.example/", "user name or password"),
        ("https://www.thuisarts.nl/lage rugpijn", "space or control"),
        ("https://www.thuisarts.nl/lage-rugpijn\x1b[31m", "space or control"),
        ("https://www.thuisarts.nl/\u202elage", "space or control"),
        ("https://www.thuisarts.nl:8443/lage-rugpijn", "port"),
        ("https://www.thuisarts.nl/" + "a" * LINK_LENGTH_LIMIT, "longer than"),
        ("javascript:alert(1)", "https"),
    ],
)
def test_a_link_that_is_not_plain_https_on_an_allowed_host_is_refused(
    url: str, because: str
) -> None:
    problem = url_problem(url, ALLOWED)
    assert problem is not None and because in problem


def test_an_allowed_link_passes() -> None:
    assert url_problem("https://www.thuisarts.nl/lage-rugpijn", ALLOWED) is None
    assert url_problem("https://WWW.Thuisarts.nl/lage-rugpijn", ALLOWED) is None


def test_a_bad_link_in_the_pack_fails_the_check(copy: Copy) -> None:
    links = copy.content / "nl" / "links.yaml"

    def redirect(data: dict[str, Any]) -> None:
        data["links"]["NL"][0]["url"] = "https://www.thuisarts.nl.example.com/lage-rugpijn"

    copy.edit_yaml(links, redirect)
    problems = copy.run_check()
    problem_with(problems, str(links), "region NL, link 1", "not allowed")
    assert_cli_reports(copy, "links.yaml", "region NL")


def test_each_region_shows_its_own_links(shipped: Content) -> None:
    dutch = [link.url for link in shipped.localizer("nl", "NL").trusted_links()]
    flemish = [link.url for link in shipped.localizer("nl", "BE").trusted_links()]
    assert "https://www.thuisarts.nl/lage-rugpijn" in dutch
    assert flemish and not any("thuisarts" in url for url in flemish)


@pytest.mark.parametrize("name", ["links.yaml", "words.yaml"])
def test_an_overlay_cannot_replace_the_links_or_the_word_lists(
    shipped: Content, tmp_path: Path, name: str
) -> None:
    """The allow-list and the watched words are the shared pack's: an association's
    pack cannot widen them (its own links are in its overlay.yaml)."""
    root = tmp_path / "association"
    (root / "nl").mkdir(parents=True)
    (root / "overlay.yaml").write_text(
        "association: Rugvereniging Voorbeeld\nwebsite: https://rug.example.org\n"
        "version: 1\nreviewed: 2026-10-01\n",
        encoding="utf-8",
    )
    (root / "nl" / name).write_text("allowed_hosts: {NL: [evil.example]}\n", encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_overlay(root, shipped)
    assert any(str(root / "nl" / name) in problem for problem in refused.value.problems)


# --- day-goal keys ---------------------------------------------------------------------

PACK_INFO = {"language": "nl", "name": "Nederlands", "default_region": "NL"}


@pytest.mark.parametrize(
    ("keys", "because"),
    [
        ({"done": "j", "partly": "j", "not": "n"}, "its own key"),
        ({"done": "q", "partly": "d", "not": "n"}, "q closes the page"),
        ({"done": "ja", "partly": "d", "not": "n"}, "one letter or digit"),
        ({"done": "j", "partly": "d"}, "exactly the answers"),
    ],
)
def test_day_goal_keys_that_cannot_work_are_refused(keys: dict[str, str], because: str) -> None:
    with pytest.raises(ValidationError, match=because):
        PackInfo.model_validate(
            {**PACK_INFO, "reviewed": "2026-11-23", "version": 1, "day_goal_keys": keys}
        )


def test_a_pack_without_day_goal_keys_uses_numbers() -> None:
    info = PackInfo.model_validate({**PACK_INFO, "reviewed": "2026-11-23", "version": 1})
    assert info.day_goal_keys == {"done": "1", "partly": "2", "not": "3"}


def test_shipped_day_goal_keys_are_the_words_of_the_language(shipped: Content) -> None:
    assert shipped.localizer("nl").day_goal_keys == {"j": "done", "d": "partly", "n": "not"}
    assert shipped.localizer("fr").day_goal_keys == {"o": "done", "p": "partly", "n": "not"}


def test_links_are_lines_of_plain_text_with_the_address_to_copy(shipped: Content) -> None:
    lines = link_lines(shipped.localizer("nl", "NL"))
    assert "Thuisarts.nl: lage rugpijn: https://www.thuisarts.nl/lage-rugpijn" in lines


def test_a_text_with_a_medical_word_comes_with_its_explanation(shipped: Content) -> None:
    texts = shipped.localizer("fr", "BE")
    question = texts.text("triage.q.osteoporosis")
    (explanation,) = explanations_for(texts, question)
    assert explanation.startswith("Ostéoporose :")
    assert explanations_for(texts, "Bougez un peu chaque jour.") == []
