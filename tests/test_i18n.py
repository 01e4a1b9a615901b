"""Interface texts through gettext (Babel): complete catalogs that cannot drift
from the code or from their compiled .mo, and dates, numbers and plurals as CLDR
writes them for nl_NL, nl_BE and fr_BE."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from companion.clock import FixedClock
from companion.dialogue.answers import REASK_NUMBER_RANGE, REASK_YES_NO
from companion.dialogue.engine import ANSWER_LABELS, NUMBER_UNITS
from companion.plain import CHOOSE_LANGUAGE, run_plain
from companion.present import ADVICE_GIVEN, GOODBYE
from companion.resources import builtin_library
from companion.texts.content import Localizer
from companion.texts.i18n import LOCALE_DIR, babel_locale, catalog_file, load_translations
from companion.texts.quality import check_catalog, compiled_translations, msgid_of

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = ["nl", "fr"]


def texts(language: str, region: str | None = None) -> Localizer:
    return builtin_library().content.localizer(language, region)


def template() -> dict[str, tuple[str, ...]]:
    """msgid -> the English text(s): (msgid,) or (singular, plural)."""
    with (LOCALE_DIR / "companion.pot").open("rb") as handle:
        return {
            msgid_of(m): (m.id,) if isinstance(m.id, str) else tuple(m.id)
            for m in read_po(handle)
            if m.id
        }


def template_ids() -> set[str]:
    return set(template())


# --- the catalogs ---------------------------------------------------------------------


def test_template_holds_exactly_the_msgids_in_the_code() -> None:
    """`pybabel extract -F babel.cfg` over the package finds what companion.pot holds:
    a msgid added to the code without updating the catalogs fails here."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            REPO / "companion", method_map=method_map, options_map=options_map
        )
    }
    assert found == template_ids()
    for msgid in (REASK_YES_NO, GOODBYE, CHOOSE_LANGUAGE, ANSWER_LABELS["yes"]):
        assert msgid in found
    assert NUMBER_UNITS["days"][0] in found


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    result = check_catalog(language, LOCALE_DIR)
    assert result.problems == []
    assert result.catalog is not None
    translated = compiled_translations(result.catalog)
    assert set(translated) == template_ids()
    english = template()
    for msgid, strings in translated.items():
        assert all(s.strip() for s in strings), msgid
        assert strings != english[msgid], f"{language}: '{msgid}' is left in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_the_po(language: str, tmp_path: Path) -> None:
    """Compiling the .po anew gives the same translations as the committed .mo."""
    with catalog_file(language, LOCALE_DIR).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    fresh = tmp_path / "companion.mo"
    with fresh.open("wb") as handle:
        write_mo(handle, catalog)
    with fresh.open("rb") as handle:
        compiled_now = compiled_translations(read_mo(handle))
    with catalog_file(language, LOCALE_DIR, ".mo").open("rb") as handle:
        committed = compiled_translations(read_mo(handle))
    assert committed == compiled_now
    assert len(committed) == len(template_ids())


def test_existing_wording_is_kept() -> None:
    nl, fr = texts("nl"), texts("fr")
    assert nl.ui(ANSWER_LABELS["unknown"]) == "Weet ik niet"
    assert fr.ui(ANSWER_LABELS["unknown"]) == "Je ne sais pas"
    assert nl.ui(REASK_NUMBER_RANGE, min=0, max=120) == (
        "Dat getal past hier niet. Typ een getal van 0 tot en met 120."
    )
    assert fr.ui(CHOOSE_LANGUAGE) == "Choisissez votre langue."


def test_a_language_without_catalog_falls_back_to_english(tmp_path: Path) -> None:
    translations = load_translations("de", tmp_path)
    assert translations.gettext(GOODBYE) == GOODBYE


# --- broken catalogs: `companion check` names the file and the msgid ---------------------


@pytest.fixture
def locale_copy(tmp_path: Path) -> Path:
    target = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, target)
    return target


def edit_po(locale_dir: Path, language: str, change: dict[str, str | tuple[str, ...]]) -> Path:
    path = catalog_file(language, locale_dir)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for msgid, value in change.items():
        catalog[msgid].string = value
    with path.open("wb") as handle:
        write_po(handle, catalog)
    with catalog_file(language, locale_dir, ".mo").open("wb") as handle:
        write_mo(handle, catalog)
    return path


def test_untranslated_msgid_is_a_problem(locale_copy: Path) -> None:
    po = edit_po(locale_copy, "fr", {GOODBYE: ""})
    problems = check_catalog("fr", locale_copy).problems
    assert (str(po), f"msgid '{GOODBYE}' is not translated") in problems


def test_fuzzy_translation_is_a_problem(locale_copy: Path) -> None:
    path = catalog_file("nl", locale_copy)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    catalog[GOODBYE].flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    problems = [p for _, p in check_catalog("nl", locale_copy).problems]
    assert f"msgid '{GOODBYE}': the translation is fuzzy" in problems
    # pybabel compile leaves a fuzzy text out: the committed .mo now differs
    assert any("pybabel compile" in p for p in problems)


def test_placeholders_must_match_the_msgid(locale_copy: Path) -> None:
    po = edit_po(locale_copy, "nl", {REASK_NUMBER_RANGE: "Typ een getal van {min} tot {maximum}."})
    problems = check_catalog("nl", locale_copy).problems
    assert any(
        where == str(po) and REASK_NUMBER_RANGE in p and "{max}" in p and "{maximum}" in p
        for where, p in problems
    ), problems


def test_plural_forms_must_keep_the_count(locale_copy: Path) -> None:
    singular = NUMBER_UNITS["days"][0]
    edit_po(locale_copy, "fr", {singular: ("{count} jour", "plusieurs jours")})
    problems = [p for _, p in check_catalog("fr", locale_copy).problems]
    assert any(singular in p and "plural form 1" in p for p in problems), problems


def test_stale_mo_is_a_problem(locale_copy: Path) -> None:
    path = catalog_file("fr", locale_copy)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    catalog[GOODBYE].string = "Merci et à bientôt."
    with path.open("wb") as handle:
        write_po(handle, catalog)  # the .mo is not compiled again
    problems = check_catalog("fr", locale_copy).problems
    assert (
        str(catalog_file("fr", locale_copy, ".mo")),
        "differs from the .po: compile it again (pybabel compile)",
    ) in problems


def test_missing_catalog_is_a_problem(locale_copy: Path) -> None:
    shutil.rmtree(locale_copy / "fr")
    problems = check_catalog("fr", locale_copy).problems
    assert len(problems) == 1
    assert "no interface catalog for language 'fr'" in problems[0][1]


# --- dates, numbers, plurals ------------------------------------------------------------


def test_dates_follow_the_locale_as_babel_says() -> None:
    day = date(2026, 3, 5)
    shown = {
        locale: texts(language, region).format_date(day, "short")
        for locale, language, region in [
            ("nl_NL", "nl", "NL"),
            ("nl_BE", "nl", "BE"),
            ("fr_BE", "fr", "BE"),
        ]
    }
    for locale, text in shown.items():
        assert text == format_date(day, "short", locale=locale)
    assert len(set(shown.values())) == 3, shown
    assert texts("nl", "NL").format_date(day) == "5 maart 2026"
    assert texts("fr", "BE").format_date(day) == "5 mars 2026"


def test_locale_falls_back_for_pairs_cldr_does_not_know() -> None:
    assert str(babel_locale("fr", "NL")) == "fr"
    assert str(babel_locale("fr", "FR")) == "fr_FR"
    assert str(babel_locale("nl", "BE")) == "nl_BE"


def test_numbers_follow_the_locale() -> None:
    assert texts("nl", "NL").format_number(3650) == "3.650"
    assert texts("fr", "BE").format_number(1.5) == "1,5"


def test_times_keep_the_clock_timezone() -> None:
    brussels = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 5, 14, 7, tzinfo=brussels)
    assert texts("nl", "BE").format_time(moment) == "14:07"
    assert "14:07" in texts("fr", "BE").format_datetime(moment)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("nl", 0, "0 dagen"),
        ("nl", 1, "1 dag"),
        ("nl", 2, "2 dagen"),
        ("fr", 0, "0 jour"),  # French counts 0 as singular
        ("fr", 1, "1 jour"),
        ("fr", 2, "2 jours"),
    ],
)
def test_plurals(language: str, count: int, expected: str) -> None:
    assert texts(language).ui_plural(*NUMBER_UNITS["days"], count) == expected


def test_years_and_large_counts() -> None:
    assert texts("nl").ui_plural(*NUMBER_UNITS["years"], 38) == "38 jaar"
    assert texts("fr").ui_plural(*NUMBER_UNITS["years"], 38) == "38 ans"
    assert texts("nl", "NL").ui_plural(*NUMBER_UNITS["days"], 1200) == "1.200 dagen"


def test_answer_summary_shows_days_and_years_in_words() -> None:
    session = builtin_library().session("triage", "fr", "BE")
    turn = session.start()
    answers = {"age": "38", "pain_duration_days": "1"}
    while not turn.finished:
        assert turn.question is not None
        turn = session.answer(answers.get(turn.question.concept, "non"))
    assert turn.outcome is not None
    shown = {a.concept: a.shown for a in turn.outcome.answers}
    assert shown["age"] == "38 ans"
    assert shown["pain_duration_days"] == "1 jour"


# --- the plain conversation dates its advice --------------------------------------------


@pytest.mark.parametrize(("language", "region"), [("nl", "NL"), ("nl", "BE"), ("fr", "BE")])
def test_plain_conversation_dates_the_advice(language: str, region: str) -> None:
    clock = FixedClock(datetime(2026, 3, 5, 21, 30, tzinfo=UTC))
    lines: list[str] = []
    replies = iter(["1"])  # yes to the first emergency question

    def ask(prompt: str) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    assert run_plain(builtin_library(), language, region, ask, lines.append, clock=clock) == 0
    t = texts(language, region)
    dated = t.ui(ADVICE_GIVEN, date=t.format_date(clock.now(), "full"), time="21:30")
    assert dated in lines
    title = t.text("end.emergency.title")
    assert lines.index(dated) < lines.index(title), "the date stands above the advice"
    assert ("donderdag" if language == "nl" else "jeudi") in dated
