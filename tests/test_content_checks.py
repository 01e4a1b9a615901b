"""`companion check` on content: sources, parity, harmful phrasing (KCE Kader 2)
and plain language (B1). Each broken copy of the shipped packs fails with a
problem naming the file, the key and what is wrong; `companion content report`
shows the numbers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import companion.commands.check
from companion.cli import main
from companion.commands.check import CheckReport, SeedsChoice, check, choose_seeds
from companion.files.yamlfiles import read_yaml
from companion.resources import default_content_dir, default_flows_dir, default_seeds_dir
from companion.texts.content import load_content
from companion.texts.quality import TARGETS, measure, sentences_of, syllables

SEED_NUMBERS = ("000", "001", "002", "003", "004")
SEED_LINES = 6000


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """Stand-in seed files with enough lines for every shipped reference, so these
    tests do not depend on ../shared (the real seeds are checked separately)."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for number in SEED_NUMBERS:
        (folder / f"{number}_stand_in.txt").write_text("line\n" * SEED_LINES, encoding="utf-8")
    return folder


class Pack:
    """An editable copy of the shipped content, checked with the stand-in seeds."""

    def __init__(self, root: Path, seeds: Path) -> None:
        self.root = root / "content"
        shutil.copytree(default_content_dir(), self.root)
        self.seeds = seeds

    def file_with(self, language: str, key: str) -> Path:
        for path in sorted((self.root / language).glob("*.yaml")):
            data = read_yaml(path, RuntimeError)
            if isinstance(data, dict) and key in data:
                return path
        raise AssertionError(f"no file in content/{language} defines {key}")

    def edit(self, language: str, key: str, change: Callable[[dict[str, Any]], None]) -> Path:
        path = self.file_with(language, key)
        data = read_yaml(path, RuntimeError)
        entry = data[key]
        data[key] = entry = {"text": entry} if isinstance(entry, str) else entry
        change(entry)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    def set_text(self, language: str, key: str, text: str) -> Path:
        return self.edit(language, key, lambda entry: entry.update(text=text))

    def report(self) -> CheckReport:
        return check(default_flows_dir(), self.root, seeds=SeedsChoice(self.seeds, "--seeds"))

    def cli(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
        status = main(["check", "--content", str(self.root), "--seeds", str(self.seeds)])
        out, err = capsys.readouterr()
        return status, (out + err).splitlines()


@pytest.fixture
def pack(tmp_path: Path, seeds: Path) -> Pack:
    return Pack(tmp_path, seeds)


def problem_with(report: CheckReport, *words: str) -> str:
    found = [str(p) for p in report.problems if all(w in str(p) for w in words)]
    assert found, f"no problem mentions {words}; problems:\n" + "\n".join(map(str, report.problems))
    return found[0]


def assert_cli_names(pack: Pack, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    status, lines = pack.cli(capsys)
    assert status == 1
    assert any(all(w in line for w in words) for line in lines), "\n".join(lines)


# --- the shipped content -----------------------------------------------------------------


def test_shipped_sources_point_at_real_seed_lines() -> None:
    seeds = default_seeds_dir()
    assert seeds.is_dir(), (
        f"no seeds at {seeds}: clone ../shared beside the repository (CI has it there)"
    )
    report = check(default_flows_dir(), default_content_dir(), seeds=SeedsChoice(seeds, "--seeds"))
    assert report.sources_verified
    references = [str(p) for p in report.problems if "source '" in p.message]
    assert references == []


def test_shipped_content_meets_the_plain_language_targets() -> None:
    report = check(default_flows_dir(), default_content_dir())
    assert report.quality is not None
    for language, quality in report.quality.languages.items():
        assert quality.average >= TARGETS.min_language_average, language
        assert quality.harmful == [], language
        assert [str(m.message.key) for m in quality.failing] == [], language


def test_shipped_texts_are_measured_per_region() -> None:
    report = check(default_flows_dir(), default_content_dir())
    assert report.quality is not None
    nl = report.quality.languages["nl"].measured
    regions = {m.message.region for m in nl if m.message.key == "end.emergency.action"}
    assert regions == {"NL", "BE"}, "region words are filled in before measuring"
    assert any(m.message.where.endswith("companion.po") for m in nl), "catalog texts count too"
    assert not any(m.message.key.startswith("region.") for m in nl)


# --- parity -----------------------------------------------------------------------------


def test_missing_key(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack.file_with("fr", "edu.back.strong")
    data = read_yaml(path, RuntimeError)
    del data["edu.back.strong"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    problem = problem_with(pack.report(), "edu.back.strong", "missing")
    assert str(pack.root / "fr") in problem
    assert_cli_names(pack, capsys, str(pack.root / "fr"), "edu.back.strong", "missing")


def test_wrong_placeholder(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack.set_text(
        "fr",
        "end.emergency.action",
        "Appelez tout de suite {gp}. Le cabinet est fermé ? Appelez {out_of_hours}. "
        "Vous ne joignez personne ? Appelez le {numero_urgence}.",
    )
    problem = problem_with(pack.report(), "end.emergency.action", "placeholders")
    assert str(path) in problem
    assert "{numero_urgence}" in problem and "{emergency_number}" in problem
    assert_cli_names(pack, capsys, "triage.yaml", "end.emergency.action", "placeholders")


# --- harmful phrasing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "key", "text", "found"),
    [
        ("nl", "edu.back.strong", "Uw rug is niet versleten. Hij is alleen gevoelig.", "versleten"),
        ("nl", "edu.moving.fear", "Beweeg gerust. Stop als het pijn doet.", "Stop als het pijn"),
        ("nl", "edu.keep_moving", "Blijf bewegen, maar wees voorzichtig.", "voorzichtig"),
        ("nl", "edu.get_up.fine", "Mooi zo. Laat de pijn u leiden.", "Laat de pijn u leiden"),
        ("fr", "edu.back.strong", "Votre dos n'est pas abîmé. Il est juste sensible.", "abîmé"),
        ("fr", "edu.moving.fear", "Bougez, mais arrêtez si ça fait mal.", "arrêtez si ça fait mal"),
        ("fr", "edu.keep_moving", "Restez actif, mais faites attention.", "faites attention"),
        ("fr", "edu.get_up.fine", "Très bien. Ne soulevez pas de charges.", "Ne soulevez pas"),
    ],
)
def test_harmful_phrase(
    pack: Pack,
    capsys: pytest.CaptureFixture[str],
    language: str,
    key: str,
    text: str,
    found: str,
) -> None:
    path = pack.set_text(language, key, text)
    problem = problem_with(pack.report(), key, "harmful phrasing")
    assert str(path) in problem
    assert f"'{found}'" in problem
    assert "Kader 2" in problem
    assert_cli_names(pack, capsys, path.name, key, "harmful")


def test_harmful_patterns_match_whole_words_only() -> None:
    content = load_content(default_content_dir())
    french = content.languages["fr"].harmful
    nausea = "Il peut donner mal à l'estomac ou des nausées."
    assert not [p.pattern for p in french if p.regex.search(nausea)]
    assert [p.pattern for p in french if p.regex.search("Votre dos est usé.")]
    assert "nausées" in content.languages["fr"].texts["edu.painkillers.which"].text


def test_harmful_phrase_in_the_interface_catalog(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    from companion.present import GOODBYE
    from companion.texts.i18n import LOCALE_DIR, catalog_file
    from companion.texts.quality import assess_content

    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale)
    po = catalog_file("nl", locale)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    catalog[GOODBYE].string = "Bedankt. Pas op met tillen."
    with po.open("wb") as handle:
        write_po(handle, catalog)
    content = load_content(default_content_dir(), locale)
    report = assess_content(content, frozenset(), None)
    hits = report.languages["nl"].harmful
    assert [(h.message.where, h.message.key, h.found) for h in hits] == [
        (str(po), GOODBYE, "Pas op")
    ]


# --- plain language ------------------------------------------------------------------------

THIRTY_WORDS = (
    "Als u merkt dat de pijn in uw rug na een paar dagen nog steeds even erg is als "
    "in het begin, bel dan zelf meteen even {gp} op."
)


def test_thirty_word_sentence(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(sentences_of(THIRTY_WORDS)) == 1
    path = pack.set_text("nl", "edu.when.gp_soon", THIRTY_WORDS)
    problem = problem_with(pack.report(), "edu.when.gp_soon", "sentence of 30 words")
    assert str(path) in problem
    assert "target <= 20" in problem
    assert_cli_names(pack, capsys, "education.yaml", "edu.when.gp_soon", "30 words")


def test_low_readability_score(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "Radiologische beeldvormingsonderzoeken veroorzaken regelmatig onnodige ongerustheid. "
        "Diagnostische bevindingen correleren nauwelijks met klachtenpatronen."
    )
    result = measure(text, "flesch_douma", "nl_NL")
    assert result.average_sentence_words <= TARGETS.max_average_sentence_words
    assert result.score < TARGETS.min_message_score
    path = pack.set_text("nl", "edu.imaging.when_useful", text)
    problem = problem_with(pack.report(), "edu.imaging.when_useful", "readability score")
    assert str(path) in problem
    assert_cli_names(pack, capsys, "education.yaml", "edu.imaging.when_useful", "score")


def test_low_french_score(pack: Pack) -> None:
    text = (
        "Les investigations radiologiques complémentaires occasionnent fréquemment "
        "des inquiétudes injustifiées."
    )
    assert measure(text, "kandel_moles", "fr").score < TARGETS.min_message_score
    path = pack.set_text("fr", "edu.imaging.when_useful", text)
    assert str(path) in problem_with(pack.report(), "edu.imaging.when_useful", "score")


def test_language_average_below_target(pack: Pack) -> None:
    report = check(
        default_flows_dir(),
        pack.root,
        seeds=SeedsChoice(pack.seeds, "--seeds"),
    )
    assert report.quality is not None
    assert report.quality.languages["nl"].average >= TARGETS.min_language_average
    heavy = "Multidisciplinaire revalidatieprogramma's optimaliseren functionele mogelijkheden."
    for key in [k for k in read_yaml(pack.file_with("nl", "edu.course"), RuntimeError)]:
        if key.startswith("edu.") and not key.startswith("edu.q."):
            pack.edit("nl", key, lambda entry: entry.update(text=heavy))
    problem_with(pack.report(), "language 'nl'", "average readability score")


def test_readability_numbers() -> None:
    assert syllables("beweging", "nl_NL") == 3
    assert syllables("pieds", "fr") == 1, "a part without a vowel is no syllable"
    assert syllables("1733", "nl_NL") == 4
    text = "Bel nu. Wacht niet tot morgen.\n- Een been wordt zwak."
    assert sentences_of(text) == ["Bel nu.", "Wacht niet tot morgen.", "Een been wordt zwak."]
    result = measure(text, "flesch_douma", "nl_NL")
    assert (result.sentences, result.words, result.longest_sentence_words) == (3, 10, 4)
    expected = 206.835 - 0.93 * (10 / 3) - 77 * (result.syllables / 10)
    assert result.score == round(expected, 1)


def test_short_labels_count_for_sentence_length_only(pack: Pack) -> None:
    # "Hetzelfde" alone would score -25: too short for a formula.
    report = pack.report()
    assert report.quality is not None
    labels = [m for m in report.quality.languages["nl"].measured if not m.scored]
    assert labels and all(m.readability.words < TARGETS.min_words_for_score for m in labels)
    assert all(m.ok for m in labels if m.readability.longest_sentence_words <= 20)


# --- sources -----------------------------------------------------------------------------


def test_source_line_that_does_not_exist(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack.edit("nl", "edu.back.strong", lambda e: e.update(source=["003:523", "003:99999"]))
    problem = problem_with(pack.report(), "edu.back.strong", "003:99999")
    assert str(path) in problem
    assert f"has only {SEED_LINES} lines" in problem
    assert_cli_names(pack, capsys, "education.yaml", "edu.back.strong", "003:99999")


def test_source_seed_file_that_does_not_exist(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pack.edit("fr", "edu.back.strong", lambda e: e.update(source=["007:12"]))
    problem = problem_with(pack.report(), "edu.back.strong", "007:12")
    assert str(path) in problem
    assert "no seed file 007_*.txt" in problem
    assert_cli_names(pack, capsys, "education.yaml", "edu.back.strong", "007_*.txt")


def test_medical_text_without_source(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack.edit("nl", "end.emergency.action", lambda e: e.pop("source"))
    problem = problem_with(pack.report(), "end.emergency.action", "without a source")
    assert str(path) in problem
    assert_cli_names(pack, capsys, "triage.yaml", "end.emergency.action", "without a source")


def test_interface_text_needs_no_source(pack: Pack) -> None:
    pack.edit("nl", "edu.intro", lambda e: e.pop("interface"))
    problem_with(pack.report(), "edu.intro", "without a source")
    pack.edit("nl", "edu.intro", lambda e: e.update(interface=True))
    assert not [p for p in pack.report().problems if "edu.intro" in str(p)]


def test_explicit_seeds_folder_that_does_not_exist(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = pack.seeds.parent / "nowhere"
    report = check(default_flows_dir(), pack.root, seeds=SeedsChoice(missing, "--seeds"))
    problem_with(report, str(missing), "seeds folder (--seeds) not found")
    assert not report.sources_verified
    status = main(["check", "--content", str(pack.root), "--seeds", str(missing)])
    assert status == 1
    assert "not found" in capsys.readouterr().out


def test_no_seeds_folder_is_said_plainly(
    pack: Pack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = pack.seeds.parent / "no-shared" / "seeds"
    monkeypatch.delenv("COMPANION_SEEDS", raising=False)
    monkeypatch.setattr(companion.commands.check, "default_seeds_dir", lambda: nowhere)
    assert choose_seeds(None) == SeedsChoice(nowhere, "default")
    report = check(default_flows_dir(), pack.root)
    assert not report.sources_verified
    assert any("NOT verified against the seeds" in note for note in report.notes)
    assert not [p for p in report.problems if "seeds folder" in p.message], "not a failure"
    # the sources are still required, only not looked up
    pack.edit("nl", "end.emergency.action", lambda e: e.pop("source"))
    problem_with(check(default_flows_dir(), pack.root), "end.emergency.action", "without a source")
    main(["check", "--content", str(pack.root)])
    out = capsys.readouterr().out
    assert "note: sources were NOT verified against the seeds" in out


def test_seeds_from_the_environment(monkeypatch: pytest.MonkeyPatch, seeds: Path) -> None:
    monkeypatch.setenv("COMPANION_SEEDS", str(seeds))
    assert choose_seeds(None) == SeedsChoice(seeds, "$COMPANION_SEEDS")
    assert choose_seeds(Path("x")).origin == "--seeds"


# --- the report ------------------------------------------------------------------------------


def test_content_report_lists_the_worst_first(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    pack.set_text("nl", "edu.when.gp_soon", THIRTY_WORDS)
    status = main(["content", "report", "--content", str(pack.root), "--seeds", str(pack.seeds)])
    out = capsys.readouterr().out
    assert status == 1
    nl = out[out.index("== nl") :]
    lines = nl.splitlines()
    assert "Worst messages" in lines[2]
    at = next(i for i, line in enumerate(lines) if "edu.when.gp_soon" in line)
    assert "education.yaml" in lines[at]
    assert "average sentence 30.0 words" in lines[at + 1]
    assert "a sentence of 30 words" in lines[at + 2]
    assert "Average score" in nl and "(target >= 70)" in nl
    assert "Sources:" in nl and "Harmful phrasing" in nl
    assert "Targets NOT met." in out


def test_content_report_json(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    pack.set_text("fr", "edu.back.strong", "Votre dos n'est pas abîmé. Il est solide.")
    main(["content", "report", "--json", "--content", str(pack.root), "--seeds", str(pack.seeds)])
    data = json.loads(capsys.readouterr().out)
    assert data["targets_met"] is False
    assert data["sources_verified"] is True
    fr = data["languages"]["fr"]
    assert [h["key"] for h in fr["harmful"]] == ["edu.back.strong"]
    scores = [m["score"] for m in fr["messages"] if m["scored"] and not m["failures"]]
    assert scores == sorted(scores), "worst first"
    assert {"file", "key", "score", "average_sentence_words", "longest_sentence_words"} <= set(
        fr["messages"][0]
    )
