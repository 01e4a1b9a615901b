"""`companion check`: passes on the shipped flows and content, and names the
file, the state or key, and the problem for every kind of broken copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import companion.cli
import companion.commands.check
from companion.cli import main
from companion.commands.check import CheckReport, check
from companion.files.yamlfiles import read_yaml
from companion.resources import default_content_dir, default_flows_dir

# --- helpers ----------------------------------------------------------------------


class Copy:
    """Editable copies of the shipped flows/ and content/ folders."""

    def __init__(
        self, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.flows = root / "flows"
        self.content = root / "content"
        shutil.copytree(default_flows_dir(), self.flows)
        shutil.copytree(default_content_dir(), self.content)
        self._capsys = capsys
        self._result: tuple[int, str, CheckReport] | None = None
        # One `companion check` run serves both the command-line assertions
        # and the structured report (the checker is slow enough to count).
        reports: list[CheckReport] = []

        def spy(flows_dir: Path, content_dir: Path, **options: Any) -> CheckReport:
            report = check(flows_dir, content_dir, **options)
            reports.append(report)
            return report

        self._reports = reports
        # `companion check` looks the checker up when it runs (companion.commands.check.check).
        monkeypatch.setattr(companion.commands.check, "check", spy)
        monkeypatch.setattr(companion.cli, "check", spy, raising=False)

    @property
    def triage(self) -> Path:
        return self.flows / "triage.yaml"

    def edit_yaml(self, path: Path, change: Callable[[Any], None]) -> None:
        """Changes the parsed file in place and writes it back."""
        # Read as the product does (yes/no stay words); safe_dump quotes them.
        self._result = None
        data = read_yaml(path, RuntimeError)
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    def edit_triage(self, change: Callable[[dict[str, Any]], Any]) -> None:
        self.edit_yaml(self.triage, lambda flow: change(flow["states"]))

    def drop_text(self, language: str, key: str) -> Path:
        path = self.text_file_with(language, key)

        def drop(texts: dict[str, Any]) -> None:
            del texts[key]

        self.edit_yaml(path, drop)
        return path

    def text_file_with(self, language: str, key: str) -> Path:
        """The file of a language pack that defines ``key``."""
        for path in sorted((self.content / language).glob("*.yaml")):
            if path.name in {"pack.yaml", "lexicon.yaml", "harmful.yaml"}:
                continue
            data = read_yaml(path, RuntimeError)
            if isinstance(data, dict) and key in data:
                return path
        raise AssertionError(f"no file in content/{language} defines {key}")

    def _run(self) -> tuple[int, str, CheckReport]:
        if self._result is None:
            self._reports.clear()
            status = main(["check", "--flows", str(self.flows), "--content", str(self.content)])
            out, err = self._capsys.readouterr()
            (report,) = self._reports
            self._result = (status, out + err, report)
        return self._result

    def run_check(self) -> list[str]:
        """The problems `companion.commands.check.check` reports (there must be some)."""
        report = self._run()[2]
        assert not report.ok
        return [str(problem) for problem in report.problems]

    def run_cli(self) -> tuple[int, str]:
        """Exit status and output of `companion check --flows ... --content ...`."""
        status, output, _ = self._run()
        return status, output


@pytest.fixture
def copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Copy:
    return Copy(tmp_path, monkeypatch, capsys)


def problem_with(problems: list[str], *words: str) -> str:
    """The one problem that mentions every word; fails listing all problems otherwise."""
    hits = [p for p in problems if all(word in p for word in words)]
    assert hits, f"no problem mentions {words}; problems were:\n" + "\n".join(problems)
    return hits[0]


def assert_cli_reports(copy: Copy, *words: str) -> None:
    status, output = copy.run_cli()
    assert status == 1
    lines = output.splitlines()
    assert any(all(word in line for word in words) for line in lines), (
        f"no output line mentions {words}:\n{output}"
    )


# --- the shipped product ------------------------------------------------------------


def test_shipped_flows_and_content_pass() -> None:
    report = check(default_flows_dir(), default_content_dir())
    assert [str(p) for p in report.problems] == []
    assert report.ok
    assert report.content is not None
    assert {"nl", "fr"} <= set(report.content.languages)
    assert "triage" in report.flows


def test_check_command_passes_on_shipped_product(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check"])
    out, _ = capsys.readouterr()
    assert status == 0, out
    assert "ok" in out.splitlines()[-1]


def test_unchanged_copies_pass(copy: Copy) -> None:
    # The helpers themselves must not break anything: a round trip through
    # yaml.safe_dump of an unchanged flow still passes.
    copy.edit_triage(lambda states: None)
    status, output = copy.run_cli()
    assert status == 0, output


# --- broken flows -------------------------------------------------------------------


def test_unreachable_state(copy: Copy) -> None:
    def add_orphan(states: dict[str, Any]) -> None:
        states["orphan_note"] = {
            "kind": "message",
            "say": ["triage.intro"],
            "next": "end_self_care",
        }

    copy.edit_triage(add_orphan)
    problem = problem_with(copy.run_check(), "orphan_note", "unreachable")
    assert str(copy.triage) in problem
    assert_cli_reports(copy, str(copy.triage), "orphan_note", "unreachable")


def test_dead_end_last_transition_has_condition(copy: Copy) -> None:
    def only_conditional(states: dict[str, Any]) -> None:
        states["cancer_history"]["next"] = [
            {"when": {"yes": "cancer_history"}, "to": "immunosuppression"}
        ]

    copy.edit_triage(only_conditional)
    problem = problem_with(copy.run_check(), "cancer_history", "dead end")
    assert str(copy.triage) in problem
    assert_cli_reports(copy, str(copy.triage), "cancer_history", "dead end")


def test_dead_end_message_loop_without_way_out(copy: Copy) -> None:
    def add_loop(states: dict[str, Any]) -> None:
        states["limbo"] = {"kind": "message", "say": ["triage.intro"], "next": "limbo"}
        states["saddle_numbness"]["next"].insert(
            1, {"when": {"unknown": "saddle_numbness"}, "to": "limbo"}
        )

    copy.edit_triage(add_loop)
    problems = copy.run_check()
    problem = problem_with(problems, "limbo", "dead end")
    assert str(copy.triage) in problem
    assert_cli_reports(copy, str(copy.triage), "limbo", "dead end")


def test_question_loop_without_way_to_an_end(copy: Copy) -> None:
    # Two states that send the patient round and round: the question is
    # asked, then the message, then the question again; never an end.
    def add_loop(states: dict[str, Any]) -> None:
        states["osteoporosis"]["next"] = "osteoporosis_note"
        states["osteoporosis_note"] = {
            "kind": "message",
            "say": ["triage.intro"],
            "next": "osteoporosis",
        }

    copy.edit_triage(add_loop)
    problems = copy.run_check()
    for state in ("osteoporosis", "osteoporosis_note"):
        problem = problem_with(problems, f"'{state}'", "dead end")
        assert str(copy.triage) in problem


def test_required_concept_not_asked(copy: Copy) -> None:
    def drop_osteoporosis(flow: dict[str, Any]) -> None:
        states = flow["states"]
        del states["osteoporosis"]
        states["long_term_corticosteroids"]["next"] = "thoracic_pain"
        # The decision rules name it too (one shared list: YAML aliases load as one object).
        flow["definitions"]["gp_soon_found"]["any"][0]["any_yes"].remove("osteoporosis")

    copy.edit_yaml(copy.triage, drop_osteoporosis)
    problems = copy.run_check()
    problem = problem_with(problems, "osteoporosis", "no question asks it")
    assert str(copy.triage) in problem
    assert_cli_reports(copy, str(copy.triage), "osteoporosis")


def test_condition_refers_to_unknown_question(copy: Copy) -> None:
    def misspell(states: dict[str, Any]) -> None:
        states["fever"]["next"] = [
            {"when": {"yes": "fevre"}, "to": "end_gp_today"},
            {"to": "pain_uncontrollable"},
        ]

    copy.edit_triage(misspell)
    problem = problem_with(copy.run_check(), "fevre")
    assert str(copy.triage) in problem
    assert "'fever'" in problem, "the state with the broken condition is named"
    assert "unknown" in problem
    status, output = copy.run_cli()
    assert status == 1
    assert str(copy.triage) in output and "fevre" in output


@pytest.mark.parametrize("disposition", ["urgent", "Emergency", None], ids=str)
def test_end_state_with_unknown_disposition(disposition: str | None, copy: Copy) -> None:
    def change(states: dict[str, Any]) -> None:
        if disposition is None:
            del states["end_emergency"]["disposition"]
        else:
            states["end_emergency"]["disposition"] = disposition

    copy.edit_triage(change)
    problem = problem_with(copy.run_check(), "end_emergency", "disposition")
    assert str(copy.triage) in problem
    status, output = copy.run_cli()
    assert status == 1
    assert str(copy.triage) in output and "end_emergency" in output


def test_invalid_yaml_in_flow(copy: Copy) -> None:
    with copy.triage.open("a", encoding="utf-8") as handle:
        handle.write("\n  broken: [unclosed\n")
    problem = problem_with(copy.run_check(), str(copy.triage))
    assert "YAML" in problem
    assert_cli_reports(copy, str(copy.triage), "YAML")


def test_invalid_yaml_in_content(copy: Copy) -> None:
    lexicon = copy.content / "nl" / "lexicon.yaml"
    lexicon.write_text("yes: [ja\nno: nee: nee\n", encoding="utf-8")
    problem = problem_with(copy.run_check(), str(lexicon))
    assert "YAML" in problem
    assert_cli_reports(copy, str(lexicon), "YAML")


# --- broken content -----------------------------------------------------------------


def test_missing_french_text(copy: Copy) -> None:
    copy.drop_text("fr", "triage.q.fever")
    problems = copy.run_check()
    problem = problem_with(problems, "triage.q.fever", "missing")
    assert str(copy.content / "fr") in problem, "names the French pack"
    assert "'fever'" in problem, "names the state that shows the text"
    assert not [p for p in problems if str(copy.content / "nl") in p and "triage.q.fever" in p]
    assert_cli_reports(copy, str(copy.content / "fr"), "triage.q.fever")


def test_missing_program_text(copy: Copy) -> None:
    copy.drop_text("nl", "end.input_closed")
    problem = problem_with(copy.run_check(), "end.input_closed", "missing")
    assert str(copy.content / "nl") in problem


def test_placeholders_differ_between_languages(copy: Copy) -> None:
    (copy.content / "nl" / "zz_extra.yaml").write_text(
        'test.extra.call: "Bel {emergency_number}."\n', encoding="utf-8"
    )
    fr_file = copy.content / "fr" / "zz_extra.yaml"
    fr_file.write_text('test.extra.call: "Appelez le 112."\n', encoding="utf-8")
    problem = problem_with(copy.run_check(), "test.extra.call", "placeholder")
    assert "zz_extra.yaml" in problem
    assert "emergency_number" in problem
    assert_cli_reports(copy, "zz_extra.yaml", "test.extra.call")


def test_placeholder_a_region_does_not_define(copy: Copy) -> None:
    # regions.yaml gives BE an out-of-hours number; the Netherlands have none.
    regions = read_yaml(copy.content / "regions.yaml", RuntimeError)
    assert "out_of_hours_number" in regions["BE"]["values"]
    assert "out_of_hours_number" not in regions["NL"]["values"]
    for lang, text in (
        ("nl", "Bel {out_of_hours_number}."),
        ("fr", "Appelez le {out_of_hours_number}."),
    ):
        (copy.content / lang / "zz_extra.yaml").write_text(
            f'test.extra.night: "{text}"\n', encoding="utf-8"
        )
    problems = copy.run_check()
    for lang in ("nl", "fr"):
        file = str(copy.content / lang / "zz_extra.yaml")
        problem = problem_with(problems, file, "test.extra.night", "out_of_hours_number")
        assert "NL" in problem
    assert not [p for p in problems if "test.extra.night" in p and "region BE" in p]
    assert_cli_reports(copy, "zz_extra.yaml", "out_of_hours_number", "NL")


def test_all_problems_are_listed_in_one_run(copy: Copy) -> None:
    def two_faults(states: dict[str, Any]) -> None:
        states["orphan_note"] = {
            "kind": "message",
            "say": ["triage.intro"],
            "next": "end_self_care",
        }
        states["cancer_history"]["next"] = [
            {"when": {"yes": "cancer_history"}, "to": "immunosuppression"}
        ]

    copy.edit_triage(two_faults)
    copy.drop_text("fr", "triage.q.fever")
    problems = copy.run_check()
    problem_with(problems, "orphan_note")
    problem_with(problems, "cancer_history", "dead end")
    problem_with(problems, "triage.q.fever")
