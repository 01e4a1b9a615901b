"""`companion simulate`: exit statuses, error messages and output formats.

The contract is ../shared/vignettes/README.md: exit 0 when every expectation
is met, 1 when one is not, 2 on bad input; ``--json`` prints one object per
vignette, one per line; without it a table and a summary line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import companion.cli
from companion.cli import main
from companion.resources import Library, builtin_library, default_flows_dir, load_library
from tests.patients import EMERGENCY

EMERGENCY_CONCEPTS = EMERGENCY


def vignette(
    vid: str = "t-01",
    locale: str = "nl",
    facts: dict[str, Any] | None = None,
    unknown: list[str] | None = None,
    unspecified: str = "no",
    expect: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": vid,
        "locale": locale,
        "story": "test",
        "facts": facts if facts is not None else {"age": 38, "sex": "female"},
        "unknown": unknown or [],
        "unspecified": unspecified,
    }
    if expect is not None:
        data["expect"] = {"disposition": expect}
    return data


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["simulate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


SELF_CARE_STORY = {"age": 38, "sex": "female", "pain_duration_days": 2}


@pytest.fixture(autouse=True)
def reuse_builtin_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --flows/--content the command loads the built-in library: load it once."""
    real = load_library

    def load(flows_dir: Path | None = None, content_dir: Path | None = None) -> Library:
        if flows_dir is None and content_dir is None:
            return builtin_library()
        return real(flows_dir, content_dir)

    monkeypatch.setattr(companion.cli, "load_library", load)


# --- exit 0 / 1 ---------------------------------------------------------------


def test_met_expectation_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "ok.json", vignette(facts=SELF_CARE_STORY, expect="self_care"))
    status, out, err = run(capsys, str(path), "--json")
    assert status == 0, err
    (obj,) = json_lines(out)
    assert obj["disposition"] == "self_care"
    assert obj["expected"] == "self_care"


def test_wrong_expectation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = {**SELF_CARE_STORY, "saddle_numbness": True}
    path = write(tmp_path / "wrong.json", vignette(facts=story, expect="self_care"))

    status, out, err = run(capsys, str(path), "--json")
    assert status == 1, err
    (obj,) = json_lines(out)
    assert obj["disposition"] == "emergency", "expect must never steer the result"
    assert obj["expected"] == "self_care"
    assert obj["flags"] == ["saddle_numbness"]


def test_wrong_expectation_in_table_is_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = {**SELF_CARE_STORY, "saddle_numbness": True}
    write(tmp_path / "a.json", vignette("t-a", facts=story, expect="self_care"))
    write(tmp_path / "b.json", vignette("t-b", facts=SELF_CARE_STORY, expect="self_care"))

    status, out, _ = run(capsys, str(tmp_path))
    assert status == 1
    row_a = next(line for line in out.splitlines() if line.startswith("t-a"))
    row_b = next(line for line in out.splitlines() if line.startswith("t-b"))
    assert "emergency" in row_a and "MISMATCH" in row_a
    assert "MISMATCH" not in row_b


def test_vignette_without_expectation_is_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "open.json", vignette(facts={"fever": True}))
    status, out, _ = run(capsys, str(path), "--json")
    assert status == 0
    (obj,) = json_lines(out)
    assert obj["expected"] is None
    assert obj["disposition"] == "gp_today"


# --- exit 2: bad input ----------------------------------------------------------


def test_fact_naming_unknown_concept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "typo.json", vignette(facts={"saddle_anaesthesia": True}))
    status, out, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "saddle_anaesthesia" in err
    assert "typo.json" in err
    assert out.strip() == ""


def test_unknown_list_naming_unknown_concept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "unk.json", vignette(unknown=["feverish"]))
    status, _, err = run(capsys, str(path))
    assert status == 2
    assert "feverish" in err


def test_malformed_json_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "broken-file.json", '{"id": "x", "locale": "nl", ')
    status, _, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "broken-file.json" in err


def test_wrong_fact_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "forty.json", vignette(facts={"age": "forty"}))
    status, _, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "age" in err and "forty" in err
    assert "forty.json" in err


@pytest.mark.parametrize(
    "facts",
    [
        {"fever": "yes"},  # a yes/no concept needs true or false
        {"sex": "woman"},  # not one of female/male/other
        {"pain_duration_days": 2.5},  # not a whole number
    ],
    ids=["bool-as-string", "unknown-option", "fraction"],
)
def test_other_wrong_fact_types(
    facts: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.json", vignette(facts=facts))
    status, _, err = run(capsys, str(path), "--json")
    assert status == 2
    (name,) = facts
    assert name in err


def test_out_of_range_age_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "old.json", vignette(facts={"age": 200}, expect="self_care"))
    status, _, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "age" in err


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "v.json"
    status, out, err = run(capsys, str(missing), "--json")
    assert status == 2
    assert str(missing) in err
    assert out.strip() == ""


def test_empty_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, str(tmp_path))
    assert status == 2
    assert str(tmp_path) in err


def test_unknown_locale_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "de.json", vignette(locale="de"))
    status, _, err = run(capsys, str(path))
    assert status == 2
    assert "de" in err and "de.json" in err


def test_one_bad_file_in_a_folder_makes_the_run_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.json", vignette("good", facts=SELF_CARE_STORY, expect="self_care"))
    write(tmp_path / "b.json", vignette("bad", facts={"no_such_concept": True}))
    status, out, err = run(capsys, str(tmp_path), "--json")
    assert status == 2
    assert "no_such_concept" in err
    assert [obj["id"] for obj in json_lines(out)] == ["good"]


def test_question_without_concept_in_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), flows)
    # The triage takes the fever question from the shared red-flag fragment.
    triage = flows / "fragments" / "red_flags.yaml"
    text = triage.read_text(encoding="utf-8")
    needle = "  fever:\n    concept: fever\n"
    assert needle in text, "the test expects the fever question in flows/fragments/red_flags.yaml"
    triage.write_text(text.replace(needle, "  fever:\n"), encoding="utf-8")
    path = write(tmp_path / "v.json", vignette(facts=SELF_CARE_STORY, expect="self_care"))

    status, out, err = run(capsys, str(path), "--json", "--flows", str(flows))
    assert status == 2
    assert str(triage) in err
    assert "fever" in err and "concept" in err
    assert out.strip() == ""


# --- output formats -------------------------------------------------------------


def test_folder_prints_one_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "1.json", vignette("v-1", facts=SELF_CARE_STORY, expect="self_care"))
    write(tmp_path / "2.json", vignette("v-2", facts={"fever": True}, expect="gp_today"))
    write(tmp_path / "3.json", vignette("v-3", facts={"bowel_incontinence": True}))
    write(tmp_path / "notes.txt", "not a vignette")

    status, out, err = run(capsys, str(tmp_path), "--json")
    assert status == 0, err
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    assert {o["id"]: o["disposition"] for o in objects} == {
        "v-1": "self_care",
        "v-2": "gp_today",
        "v-3": "emergency",
    }
    for obj in objects:
        assert {"id", "locale", "disposition", "flags", "asked", "expected"} <= obj.keys()


def test_single_file_prints_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "v.json", vignette(facts={"fever": True}, expect="gp_today"))
    status, out, _ = run(capsys, str(path), "--json")
    assert status == 0
    obj = json.loads(out)
    assert obj["id"] == "t-01"
    assert obj["flags"] == ["fever"]
    assert obj["asked"][: len(EMERGENCY_CONCEPTS)] == EMERGENCY_CONCEPTS
    # The same-day stage is completed, then what the follow-up needs is collected.
    asked = obj["asked"]
    assert asked.index("fever") < asked.index("iv_drug_use") < asked.index("age")
    assert {"pain_duration_days", "leg_pain_below_knee", "leg_weakness"} <= set(asked)


def test_unspecified_unknown_answers_dont_know_and_gives_gp_today(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "v.json", vignette(facts={}, unspecified="unknown"))
    status, out, _ = run(capsys, str(path), "--json")
    assert status == 0
    obj = json.loads(out)
    assert obj["disposition"] == "gp_today"
    assert set(EMERGENCY_CONCEPTS) <= set(obj["unknown"])
    assert set(obj["flags"]) & set(EMERGENCY_CONCEPTS), "the unknown answers drove it"


def test_unspecified_unknown_never_overrides_a_given_fact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = {name: False for name in EMERGENCY_CONCEPTS} | {"fever": True}
    path = write(tmp_path / "v.json", vignette(facts=facts, unspecified="unknown"))
    status, out, _ = run(capsys, str(path), "--json")
    assert status == 0
    obj = json.loads(out)
    assert obj["disposition"] == "gp_today"
    assert obj["flags"] == ["fever"]
    assert not set(obj["unknown"]) & set(EMERGENCY_CONCEPTS)


def test_unknown_list_for_one_emergency_concept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "v.json",
        vignette(facts=SELF_CARE_STORY, unknown=["bladder_retention"], expect="gp_today"),
    )
    status, out, _ = run(capsys, str(path), "--json")
    assert status == 0
    obj = json.loads(out)
    assert "bladder_retention" in obj["unknown"]
    assert "bladder_retention" in obj["flags"]


def test_table_has_a_row_per_vignette_and_a_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "1.json", vignette("row-one", facts=SELF_CARE_STORY, expect="self_care"))
    write(tmp_path / "2.json", vignette("row-two", locale="fr", facts={"fever": True}))
    status, out, _ = run(capsys, str(tmp_path))
    assert status == 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(out.splitlines()[0])
    lines = [line for line in out.splitlines() if line.strip()]
    assert any(line.startswith("row-one") and "self_care" in line for line in lines)
    assert any(line.startswith("row-two") and "gp_today" in line for line in lines)
    summary = lines[-1]
    assert "row-" not in summary
    assert "2" in summary, f"summary should count the vignettes run: {summary!r}"


# --- locales --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "region"),
    [("nl", "NL"), ("fr", "BE"), ("nl-BE", "BE"), ("fr-BE", "BE"), ("nl-NL", "NL")],
)
def test_locales_and_regions(
    locale: str, region: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "v.json", vignette(locale=locale, facts={"fever": True}, expect="gp_today")
    )
    status, out, err = run(capsys, str(path), "--json")
    assert status == 0, err
    obj = json.loads(out)
    assert obj["locale"] == locale
    assert obj["region"] == region
    assert obj["disposition"] == "gp_today"


def test_unknown_region_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "v.json", vignette(locale="nl-DE"))
    status, _, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "nl-DE" in err
