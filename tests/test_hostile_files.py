"""Files from others (a physiotherapist's plan, an association's pack) written to hurt.

Each test is a reproduction from issue 11: before the fix it gave a traceback, hung,
grew without bound, or let a pack change a safety number. The commands run in
process through :func:`companion.cli.main`, so what is asserted is what the
professional reads: one clear line per problem (file, field or key, line), exit 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from companion.cli import main
from companion.commands.check import check
from companion.files.untrusted import OVERLAY_FILE_LIMIT, PLAN_FILE_LIMIT
from companion.resources import default_flows_dir
from companion.store.storage import Store
from tests.test_overlay import OVERLAY_YAML, entry, write

TODAY = "2026-03-03"

PLAN = """\
version = 1
start = {start}
created_by = "physiotherapist"

[[activities]]
kind = "walking"
name = {{ nl = "{name}" }}
unit = "minutes"
baseline = {baseline}
goal = 30
step_every_days = 3
weeks = 8
"""


def plan_text(start: str = "2026-03-02", name: str = "wandelen", baseline: str = "10") -> str:
    return PLAN.format(start=start, name=name, baseline=baseline)


def plan_check(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main(["--today", TODAY, *options, "plan", "check", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return status, captured.out + captured.err


# --- plans -------------------------------------------------------------------------------


def test_a_valid_plan_still_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "plan.toml", plan_text())
    status, out = plan_check(path, capsys)
    assert status == 0, out


def test_a_utf8_bom_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(b"\xef\xbb\xbf" + plan_text().encode())
    status, out = plan_check(path, capsys)
    assert status == 0, out


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_deep_nesting_is_refused_not_a_recursion_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    text = f"x = {nested}\n" if suffix == ".toml" else f'{{"x": {nested}}}'
    path = write(tmp_path / f"plan{suffix}", text[:PLAN_FILE_LIMIT])
    status, out = plan_check(path, capsys)
    assert status == 1 and "nested" in out and str(path) in out


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_5000_digit_number_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    digits = "9" * 5000
    text = (
        plan_text(baseline=digits)
        if suffix == ".toml"
        else f'{{"start": "2026-03-02", "activities": [{{"baseline": {digits}}}]}}'
    )
    path = write(tmp_path / f"plan{suffix}", text)
    status, out = plan_check(path, capsys)
    assert status == 1 and "number" in out and digits not in out


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2025-01-01", "2027-06-01"])
def test_a_start_far_from_today_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    path = write(tmp_path / "plan.toml", plan_text(start=start))
    status, out = plan_check(path, capsys)
    assert status == 1
    assert f"{path}:2: start:" in out and start in out


def test_the_date_window_follows_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "plan.toml", plan_text(start="2026-03-02"))
    assert main(["--today", "2027-06-01", "plan", "check", str(path)]) == 1
    assert main(["--today", "2026-12-01", "plan", "check", str(path)]) == 0


def test_plan_import_refuses_a_far_start_and_report_keeps_working(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    path = write(tmp_path / "plan.toml", plan_text(start="9999-12-31"))
    options = ["--today", TODAY]
    assert main([*options, "plan", "import", str(path), "--yes", "--data-dir", str(data)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    with Store.open(data) as store:
        assert store.current_plan() is None
    out = tmp_path / "report.html"
    assert main([*options, "report", "--out", str(out), "--data-dir", str(data)]) == 0


def test_a_plan_linked_to_dev_zero_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.toml"
    path.symlink_to("/dev/zero")
    status, out = plan_check(path, capsys)
    assert status == 1 and "not a regular file" in out


def test_a_directory_is_not_a_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.toml"
    path.mkdir()
    status, out = plan_check(path, capsys)
    assert status == 1 and "not a regular file" in out


def test_a_fifo_does_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    os.mkfifo(path)
    # A subprocess so that a hang fails this test instead of the whole run.
    try:
        result = subprocess.run(
            [sys.executable, "-m", "companion", "--today", TODAY, "plan", "check", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("plan check waited for a writer on a FIFO")
    assert result.returncode == 1 and "not a regular file" in result.stdout + result.stderr


def test_a_plan_over_the_size_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    padding = "# " + "x" * 78 + "\n"
    text = plan_text() + padding * (PLAN_FILE_LIMIT // len(padding) + 1)
    path = write(tmp_path / "plan.toml", text)
    status, out = plan_check(path, capsys)
    assert status == 1 and "too large" in out and "64 KiB" in out


def test_latin1_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(plan_text(name="vélo").encode("latin-1"))
    status, out = plan_check(path, capsys)
    assert status == 1 and f"{path}:7:" in out and "UTF-8" in out


@pytest.mark.parametrize(
    ("name", "shown"),
    [("wandelen\\u001b[31m", "U+001B"), ("wandelen\\u202e", "U+202E"), ("a\\nb", "U+000A")],
)
def test_control_characters_in_a_plan_are_refused_with_field_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, shown: str
) -> None:
    path = write(tmp_path / "plan.toml", plan_text(name=name))
    status, out = plan_check(path, capsys)
    assert status == 1
    assert f"{path}:7: activities.0.name.nl:" in out and shown in out


def test_a_new_line_in_an_instruction_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = plan_text().replace(
        'unit = "minutes"', 'instruction = { nl = "Rustig.\\nElke dag." }\nunit = "minutes"'
    )
    path = write(tmp_path / "plan.toml", text)
    status, out = plan_check(path, capsys)
    assert status == 0, out


def test_plan_problems_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.toml"
    path.symlink_to("/dev/zero")
    status, out = plan_check(path, capsys, "--lang", "fr")
    assert status == 1 and "n'est pas un fichier ordinaire" in out
    status, out = plan_check(path, capsys, "--lang", "nl")
    assert status == 1 and "is geen gewoon bestand" in out


# --- overlays ------------------------------------------------------------------------------


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "vereniging"
    write(root / "overlay.yaml", OVERLAY_YAML)
    return root


def check_lines(root: Path) -> list[str]:
    return [str(p) for p in check(default_flows_dir(), root, verify_sources=False).problems]


def content_check(root: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main([*options, "check", "--content", str(root)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return status, captured.out + captured.err


def test_the_plain_pack_passes(pack: Path) -> None:
    assert check_lines(pack) == []


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_an_overlay_not_in_utf8_is_refused_clearly(
    pack: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    path = pack / "nl" / "education.yaml"
    path.parent.mkdir()
    path.write_bytes(entry("edu.closing", "Bel ons, dat is geen probleem: café.").encode(encoding))
    status, out = content_check(pack, capsys)
    assert status == 1 and str(path) in out and "UTF-8" in out


def test_an_overlay_with_a_bom_is_fine(pack: Path) -> None:
    (pack / "overlay.yaml").write_bytes(b"\xef\xbb\xbf" + OVERLAY_YAML.encode())
    assert check_lines(pack) == []


def test_a_48_mb_overlay_is_refused_without_reading_it(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pack / "nl" / "education.yaml"
    path.parent.mkdir()
    with path.open("wb") as handle:  # sparse: no 48 MB written to the disk
        handle.truncate(48 * 1024 * 1024)
    status, out = content_check(pack, capsys)
    assert status == 1 and str(path) in out and "too large" in out
    assert OVERLAY_FILE_LIMIT < 48 * 1024 * 1024


def test_a_yaml_bomb_is_refused(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, 12):
        previous = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}]")
    path = write(pack / "regions.yaml", "\n".join(lines) + "\n")
    status, out = content_check(pack, capsys)
    assert status == 1 and str(path) in out and "alias" in out


def test_a_few_aliases_are_fine(pack: Path) -> None:
    write(
        pack / "regions.yaml",
        'NL:\n  values: &ours\n    association_phone: "03 555 12 12"\nBE:\n  values: *ours\n',
    )
    assert check_lines(pack) == []


def test_deep_yaml_is_refused(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(pack / "regions.yaml", "[" * 50_000 + "]" * 50_000 + "\n")
    status, out = content_check(pack, capsys)
    assert status == 1 and str(path) in out and "nested" in out


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "directory"])
def test_special_files_in_an_overlay_are_refused(
    pack: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = pack / "nl" / "education.yaml"
    path.parent.mkdir()
    if kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    status, out = content_check(pack, capsys)
    assert status == 1 and str(path) in out and "not a regular file" in out


def test_control_characters_in_an_overlay_name_file_key_and_line(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nl = write(
        pack / "nl" / "education.yaml",
        entry("edu.closing", "Bel ons gerust.") + 'edu.extra:\n  text: "Lees \\u202eons boek."\n',
    )
    write(
        pack / "fr" / "education.yaml",
        entry("edu.closing", "Appelez-nous.") + 'edu.extra:\n  text: "Lisez notre livre."\n',
    )
    (pack / "overlay.yaml").write_text(
        OVERLAY_YAML.replace(
            "association: Rugvereniging Voorbeeld", 'association: "Rug\\x1bvereniging"'
        ),
        encoding="utf-8",
    )
    status, out = content_check(pack, capsys)
    assert status == 1
    assert f"{nl}:4: key 'edu.extra': " in out and "U+202E" in out
    assert f"{pack / 'overlay.yaml'}:1: association: " in out and "U+001B" in out


# --- locked safety values --------------------------------------------------------------------


def test_an_overlay_cannot_change_the_emergency_number(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        pack / "regions.yaml",
        'NL:\n  values:\n    association_phone: "03 555 12 12"\n'
        'BE:\n  values:\n    association_phone: "03 555 12 12"\n    emergency_number: "100"\n',
    )
    status, out = content_check(pack, capsys)
    assert status == 1
    assert f"{path}:7: BE.values.emergency_number: " in out and "112" in out


def test_an_overlay_cannot_change_1733_in_belgium(pack: Path) -> None:
    path = write(pack / "regions.yaml", 'BE:\n  values:\n    out_of_hours_number: "1234"\n')
    nl = write(
        pack / "nl" / "regions.yaml", 'region.be.out_of_hours: "de huisartsenpost op 1234"\n'
    )
    write(pack / "fr" / "regions.yaml", 'region.be.out_of_hours: "le poste de garde au 1234"\n')
    problems = check_lines(pack)
    assert any(p.startswith(f"{path}:3: BE.values.out_of_hours_number: ") for p in problems)
    assert any(
        p.startswith(f"{nl}:1: key 'region.be.out_of_hours': ") and "1733" in p for p in problems
    )


def test_a_region_word_cannot_shadow_the_emergency_number(pack: Path) -> None:
    nl = write(pack / "nl" / "regions.yaml", 'region.nl.emergency_number: "100"\n')
    write(pack / "fr" / "regions.yaml", 'region.nl.emergency_number: "100"\n')
    problems = check_lines(pack)
    assert any(p.startswith(f"{nl}:1: key 'region.nl.emergency_number': ") for p in problems)


def test_an_overlay_cannot_rewrite_an_escalation_text(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Rustig aan, het is niets. Bel morgen eens {gp}, of {out_of_hours}, of {emergency_number}."
    )
    path = write(
        pack / "nl" / "triage.yaml",
        "# ours\n" + entry("end.emergency.action", text, '["001:3112"]'),
    )
    write(
        pack / "fr" / "triage.yaml",
        entry(
            "end.emergency.action",
            "Rien de grave. {gp} {out_of_hours} {emergency_number}",
            '["001:3112"]',
        ),
    )
    status, out = content_check(pack, capsys)
    assert status == 1
    assert f"{path}:2: key 'end.emergency.action': " in out and "escalation" in out


def test_an_overlay_may_give_its_contact_and_the_huisartsenpost_phone(pack: Path) -> None:
    write(
        pack / "regions.yaml",
        'NL:\n  values:\n    association_phone: "03 555 12 12"\n'
        'BE:\n  values:\n    association_phone: "03 555 12 12"\n',
    )
    write(
        pack / "nl" / "regions.yaml",
        'region.nl.out_of_hours: "de huisartsenpost (030 123 45 67)"\n'
        'region.be.out_of_hours: "de huisartsenwachtdienst op 1733 (of 03 555 00 00)"\n',
    )
    write(
        pack / "fr" / "regions.yaml",
        'region.nl.out_of_hours: "le poste de garde (030 123 45 67)"\n'
        'region.be.out_of_hours: "la garde de médecine générale au 1733"\n',
    )
    assert check_lines(pack) == []


def test_locked_value_problem_in_dutch(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(pack / "regions.yaml", 'BE:\n  values:\n    emergency_number: "100"\n')
    status, out = content_check(pack, capsys, "--lang", "nl")
    assert status == 1 and "noodnummer" in out


@pytest.mark.parametrize(
    ("value", "says"),
    [("9" * 5000, "number is too long"), ("2026-13-45", "date or number")],
    ids=["5000 digits", "month 13"],
)
def test_values_python_cannot_build_are_refused(
    pack: Path, capsys: pytest.CaptureFixture[str], value: str, says: str
) -> None:
    path = write(pack / "regions.yaml", f"BE:\n  values:\n    association_phone: {value}\n")
    status, out = content_check(pack, capsys)
    assert status == 1 and f"{path}:3:" in out and says in out


def test_plan_new_asks_again_for_a_start_far_from_today(tmp_path: Path) -> None:
    from argparse import Namespace
    from datetime import date

    from companion.commands.homework import run_plan_command

    answers = iter(["9999-12-31"])
    said: list[str] = []

    def ask(prompt: str) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    args = Namespace(plan_command="new", out=tmp_path / "plan.toml")
    assert run_plan_command(args, ask=ask, say=said.append, today=date(2026, 3, 3)) == 1
    assert any("9999-12-31 is not within a year of today" in line for line in said)
    assert not (tmp_path / "plan.toml").exists()


def test_a_complete_pack_keeps_112_and_1733(tmp_path: Path) -> None:
    import shutil

    from companion.resources import default_content_dir

    pack = tmp_path / "content"
    shutil.copytree(default_content_dir(), pack)
    regions = pack / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    regions.write_text(
        text.replace(
            'emergency_number: "112"\n    out_of_hours', 'emergency_number: "100"\n    out_of_hours'
        ).replace('"1733"', '"1234"'),
        encoding="utf-8",
    )
    problems = check_lines(pack)
    lines = text.splitlines()
    belgium = lines.index("BE:") + 1
    be_112 = next(
        n for n, line in enumerate(lines, 1) if n > belgium and "emergency_number" in line
    )
    be_1733 = next(n for n, line in enumerate(lines, 1) if "out_of_hours_number" in line)
    assert f"{regions}:{be_112}: BE.values.emergency_number: " in "\n".join(problems)
    assert f"{regions}:{be_1733}: BE.values.out_of_hours_number: " in "\n".join(problems)
