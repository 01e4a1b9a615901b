"""`companion check` refuses a negation word in a yes/no red-flag question
(clinical brief section 2, "Understanding typed answers"): "nee" / "non" must
only ever mean that the sign is absent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from companion.commands.check import check
from companion.dialogue.flow import load_concepts
from companion.resources import default_content_dir, default_flows_dir, default_seeds_dir
from tests.test_check import Copy, assert_cli_reports, problem_with


@pytest.fixture
def copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Copy:
    return Copy(tmp_path, monkeypatch, capsys)


def set_text(copy: Copy, language: str, key: str, text: str) -> Path:
    path = copy.text_file_with(language, key)

    def change(texts: dict[str, Any]) -> None:
        texts[key]["text"] = text

    copy.edit_yaml(path, change)
    return path


def wording_problems(problems: list[str]) -> list[str]:
    return [p for p in problems if "negation word" in p]


def test_shipped_red_flag_questions_are_positive() -> None:
    report = check(default_flows_dir(), default_content_dir())
    assert wording_problems([str(p) for p in report.problems]) == []


def test_negative_dutch_question_names_file_key_and_word(copy: Copy) -> None:
    path = set_text(
        copy, "nl", "triage.q.bladder_retention", "Lukt plassen sinds kort plotseling niet meer?"
    )
    problems = copy.run_check()
    problem = problem_with(problems, str(path), "triage.q.bladder_retention", "'niet'")
    assert "bladder_retention" in problem
    assert len(wording_problems(problems)) == 1, "one problem, though triage and check-in ask it"
    assert_cli_reports(copy, str(path), "triage.q.bladder_retention", "'niet'")


def test_french_elided_and_two_part_negations_are_found(copy: Copy) -> None:
    path = set_text(
        copy, "fr", "triage.q.bladder_retention", "Depuis peu, n'arrivez-vous plus à uriner\u00a0?"
    )
    problem = problem_with(copy.run_check(), str(path), "triage.q.bladder_retention")
    assert "'n'" in problem
    assert "'plus'" in problem


@pytest.mark.parametrize(
    ("language", "text", "word"),
    [
        ("nl", "Bent u de laatste tijd afgevallen, zonder dat u dat wilde?", "zonder"),
        ("nl", "Voelt u zich ziek of niet lekker?", "niet"),
        ("fr", "Avez-vous perdu du poids sans le vouloir\u00a0?", "sans"),
        ("fr", "Vous sentez-vous malade ou pas bien\u00a0?", "pas"),
        ("fr", "Avez-vous jamais eu un cancer\u00a0?", "jamais"),
    ],
)
def test_every_kind_of_negation_word_is_refused(
    copy: Copy, language: str, text: str, word: str
) -> None:
    set_text(copy, language, "triage.q.feeling_unwell", text)
    problem_with(copy.run_check(), "triage.q.feeling_unwell", f"'{word}'")


def test_questions_in_a_help_text_count_but_its_statements_may_say_no(copy: Copy) -> None:
    path = set_text(
        copy,
        "nl",
        "triage.help.saddle_numbness",
        "Denk aan de plek waarmee u op een fietszadel zit. Pijn alleen telt niet mee. "
        "Voelt u daar niets meer?",
    )
    problems = copy.run_check()
    problem = problem_with(problems, str(path), "triage.help.saddle_numbness", "help text")
    assert "'niets'" in problem
    assert "'niet'" not in problem, "the statement 'telt niet mee' is not a question"


def test_the_concept_marker_decides_which_questions_are_checked(copy: Copy) -> None:
    set_text(copy, "nl", "triage.q.feeling_unwell", "Voelt u zich ziek of niet lekker?")
    problem_with(copy.run_check(), "triage.q.feeling_unwell", "'niet'")

    def unmark(data: dict[str, Any]) -> None:
        del data["concepts"]["feeling_unwell"]["red_flag"]

    copy.edit_yaml(copy.flows / "concepts.yaml", unmark)
    status, output = copy.run_cli()
    assert status == 0, output


def test_a_language_without_negation_words_cannot_be_checked(copy: Copy) -> None:
    def drop_negations(lexicon: dict[str, Any]) -> None:
        del lexicon["negations"]

    lexicon = copy.content / "fr" / "lexicon.yaml"
    copy.edit_yaml(lexicon, drop_negations)
    problem_with(copy.run_check(), str(lexicon), "negations")


def test_every_concept_of_the_brief_red_flag_table_is_marked() -> None:
    concepts = load_concepts(default_flows_dir() / "concepts.yaml").concepts
    brief = default_seeds_dir().parent / "clinical-brief.md"
    if brief.is_file():
        section = brief.read_text("utf-8").split("## 2.", 1)[1].split("\n## ", 1)[0]
        table = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
    else:  # an installed copy without the brief: the triage contract stands in for it
        table = {name for name, c in concepts.items() if "triage" in c.required_in}
    yes_no = {name for name in table if concepts[name].answer == "yes_no"}
    assert len(yes_no) >= 26
    marked = {name for name, concept in concepts.items() if concept.red_flag}
    assert marked == yes_no


@pytest.mark.parametrize(
    ("language", "text", "word"),
    [
        ("nl", "Plassen lukt opeens niet meer.", "niet"),
        ("fr", "Vous n'arrivez plus à uriner.", "plus"),
    ],
)
def test_a_sign_listed_in_a_checkin_list_question_is_checked_too(
    copy: Copy, language: str, text: str, word: str
) -> None:
    """The check-in's "any of these?" questions ask about each sign they list."""
    path = set_text(copy, language, "checkin.item.bladder_retention", text)
    problem = problem_with(copy.run_check(), str(path), "checkin.item.bladder_retention")
    assert f"'{word}'" in problem
    assert "emergency_signs" in problem
