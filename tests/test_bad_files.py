"""Bad files on disk: a clear message naming the file and what to do, never a traceback.

Covers what a person (or an association, or a physiotherapist) may have lying
around: a corrupt or foreign database in the data folder, a data folder that
cannot be created or written, a plan file with errors, a content pack or flow
with errors. The CLI runs as a real subprocess, so what is asserted is what
the person would see.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from companion.care.plan import PlanError, load_plan
from companion.resources import default_content_dir, default_flows_dir
from companion.store.storage import APPLICATION_ID, DB_NAME

TODAY = "2026-03-03"
FIXTURE_PLANS = Path(__file__).parent / "fixtures" / "plans"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def companion(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COMPANION_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


# --- the database -----------------------------------------------------------------------


def _corrupt(path: Path) -> bytes:
    data = b"this is not a database, but it is someone's file\n" * 200
    path.write_bytes(data)
    return data


def _foreign(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    db.execute("INSERT INTO contacts VALUES ('Jansen', '0612345678')")
    db.commit()
    db.close()
    return path.read_bytes()


def _half_written(path: Path) -> bytes:
    """A real companion database of which only the first page survived."""
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)")
    db.executemany("INSERT INTO events (payload) VALUES (?)", [("x" * 500,)] * 200)
    db.commit()
    db.close()
    data = path.read_bytes()
    page = 4096
    broken = data[:page] + b"\xff" * (len(data) - page)
    path.write_bytes(broken)
    return broken


BAD_DATABASES = {"corrupt": _corrupt, "foreign": _foreign, "damaged": _half_written}
COMMANDS = {
    "conversation": ("--lang", "nl", "--today", TODAY),
    "export": ("export",),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", BAD_DATABASES)
def test_a_bad_database_is_kept_aside_with_a_clear_message(
    tmp_path: Path, kind: str, command: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    database = data_dir / DB_NAME
    original = BAD_DATABASES[kind](database)
    args = COMMANDS[command]
    result = (
        companion("--data-dir", str(data_dir), *args)
        if command == "conversation"
        else companion(*args, "--data-dir", str(data_dir))
    )

    no_traceback(result)
    assert result.returncode != 0
    message = result.stderr
    assert str(database) in message, message  # names the file
    aside = [p for p in data_dir.iterdir() if p.name.startswith(DB_NAME + ".corrupt-")]
    assert len(aside) == 1, list(data_dir.iterdir())
    assert aside[0].name in message  # and where it went
    assert "companion erase" in message  # and what to do with it
    assert aside[0].read_bytes() == original, "the file was changed, not kept aside"
    assert result.stdout.strip() == "" or command == "conversation"

    # The next start begins afresh and leaves the kept file alone.
    again = companion("--data-dir", str(data_dir), "--lang", "nl", "--today", TODAY)
    no_traceback(again)
    assert aside[0].read_bytes() == original
    assert (data_dir / DB_NAME).exists()


def test_a_database_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    database = data_dir / DB_NAME
    db = sqlite3.connect(database)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 999")
    db.execute("CREATE TABLE future (x)")
    db.commit()
    db.close()
    before = database.read_bytes()
    for args in (("--lang", "nl", "--today", TODAY), ("export",)):
        result = companion(*args, "--data-dir", str(data_dir))
        no_traceback(result)
        assert result.returncode != 0
        assert str(database) in result.stderr and "Werk companion bij" in result.stderr
    assert database.read_bytes() == before
    # Nothing beside it but the locks of the store and the one conversation
    # (tests/test_concurrency.py).
    assert sorted(p.name for p in data_dir.iterdir()) == [
        DB_NAME,
        f"{DB_NAME}.conversation.lock",
        f"{DB_NAME}.lock",
    ]


# --- the data folder ---------------------------------------------------------------------


def test_a_data_folder_that_cannot_be_created(tmp_path: Path) -> None:
    """Works as root too: nothing can be created below a regular file."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder\n")
    data_dir = blocker / "sub"
    result = companion("--data-dir", str(data_dir), "--lang", "nl", "--today", TODAY)
    no_traceback(result)
    assert result.returncode != 0
    assert str(data_dir) in result.stderr
    assert "--data-dir" in result.stderr  # what to do: choose another folder
    assert blocker.read_text() == "not a folder\n"


def test_export_of_a_folder_that_cannot_exist_is_empty_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = companion("export", "--data-dir", str(blocker / "sub"))
    no_traceback(result)
    assert result.returncode == 0
    assert '"sessions": []' in result.stdout


@pytest.mark.skipif(IS_ROOT, reason="runs as root: file permissions do not stop root")
def test_a_read_only_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o500)
    try:
        result = companion("--data-dir", str(data_dir), "--lang", "nl", "--today", TODAY)
    finally:
        data_dir.chmod(0o700)
    no_traceback(result)
    assert result.returncode != 0
    assert str(data_dir) in result.stderr and "--data-dir" in result.stderr


# --- plan files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "not_json.json",
        "wrong_types.json",
        "many_problems.json",
        "no_activities.json",
        "unknown_unit.json",
    ],
)
def test_a_plan_file_with_errors_names_the_file_and_each_problem(name: str) -> None:
    path = FIXTURE_PLANS / name
    if not path.exists():
        pytest.skip(f"fixture {name} not present")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(path) in str(caught.value)
    assert caught.value.problems and all(p.strip() for p in caught.value.problems)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("empty.json", b"", "empty"),
        ("binary.json", b"\xff\xfe\x00\x01", "not a text file"),
        ("plan.txt", b"{}", ".json or .toml"),
        ("broken.toml", b"start = [", "TOML"),
        ("broken.json", b'{"start": "2026-03-02",', "line 1"),
    ],
)
def test_an_unreadable_plan_file_says_what_is_wrong(
    tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(path) in str(caught.value) and says in str(caught.value)


def test_a_missing_plan_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(path) in str(caught.value)


# --- content packs and flows ----------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(default_flows_dir(), target)
    return target


def _break_yaml(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n  : [unclosed\n", encoding="utf-8")


def test_check_names_a_content_file_that_is_not_yaml(content_copy: Path) -> None:
    broken = content_copy / "nl" / "triage.yaml"
    _break_yaml(broken)
    result = companion("check", "--content", str(content_copy))
    no_traceback(result)
    assert result.returncode == 1
    assert str(broken) in result.stdout + result.stderr


def test_check_names_a_missing_text_and_its_language(content_copy: Path) -> None:
    path = content_copy / "fr" / "triage.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    key_line = next(i for i, line in enumerate(lines) if line.startswith("triage.q.fever"))
    # Drop the entry: its key line and the indented lines that follow it.
    end = key_line + 1
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    path.write_text("\n".join(lines[:key_line] + lines[end:]) + "\n", encoding="utf-8")
    result = companion("check", "--content", str(content_copy))
    no_traceback(result)
    assert result.returncode == 1
    assert "triage.q.fever" in result.stdout


def test_check_names_a_broken_flow_file(flows_copy: Path) -> None:
    broken = flows_copy / "checkin.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("to: end_emergency", "to: end_nowhere", 1), encoding="utf-8")
    result = companion("check", "--flows", str(flows_copy))
    no_traceback(result)
    assert result.returncode == 1
    assert "checkin" in result.stdout and "end_nowhere" in result.stdout


@pytest.mark.parametrize("command", [(), ("simulate", "nowhere.json")])
def test_a_broken_content_pack_stops_the_companion_with_its_name(
    content_copy: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    broken = content_copy / "nl" / "pack.yaml"
    _break_yaml(broken)
    result = (
        companion(*command, "--content", str(content_copy), "--data-dir", str(tmp_path / "d"))
        if not command
        else companion(*command, "--content", str(content_copy))
    )
    no_traceback(result)
    assert result.returncode == 2
    assert str(broken) in result.stderr


def test_a_missing_content_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-content"
    result = companion("check", "--content", str(missing))
    no_traceback(result)
    assert result.returncode == 1
    assert str(missing) in result.stdout + result.stderr
