"""``companion practice ...`` against a real PostgreSQL (skipped, with the reason, without it)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from companion.cli import main
from companion.clock import FixedClock, SystemClock
from companion.practice import access, accounts
from companion.practice.audit import export
from companion.practice.roster import patients_of
from companion.store.errors import StorageError
from companion.store.postgres import PostgresStore
from tests.postgres import Server

CODE = re.compile(r"\b[2-9A-Z]{4}(?:-[2-9A-Z]{4}){2,}\b")


def practice(url: str, *words: str) -> int:
    return main(["--store", url, "practice", *words])


@pytest.fixture
def empty_url(postgres_server: Server) -> Iterator[str]:
    """A database never migrated, reached with a password in the URL (trust ignores it)."""
    url = postgres_server.new_database()
    yield url.replace("companion_test@", "companion_test:hunter2-secret@")
    postgres_server.drop_database(url)


def test_init_migrates_prints_a_login_code_once_and_health_follows(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert practice(empty_url, "health") == 1
    assert "not ok" in capsys.readouterr().out

    assert practice(empty_url, "init", "--name", "Anna Peeters") == 0
    out = capsys.readouterr().out
    codes = CODE.findall(out)
    assert len(codes) == 1 and "Anna Peeters" in out
    principal, _ = access.redeem(empty_url, codes[0], "c")
    assert principal.pseudonym == "Anna Peeters"

    assert practice(empty_url, "health") == 0
    assert capsys.readouterr().out.startswith("ok")
    assert practice(empty_url, "init") == 0  # again: migrates, adds no one, shows no code
    again = capsys.readouterr().out
    assert not CODE.search(again) and "no account was added" in again


def test_no_password_is_ever_printed(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    practice(empty_url, "health")
    practice(empty_url, "init")
    practice(empty_url, "professional", "list")
    practice(empty_url, "invite", "--as", "administrator")
    both = capsys.readouterr()
    assert "hunter2-secret" not in both.out + both.err
    assert "companion_test:***@" in both.out


def test_health_fails_when_the_database_does_not_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"postgresql://nobody:pw@/none?host={tmp_path}&port=5432"
    assert practice(url, "health") == 1
    out = capsys.readouterr().out
    assert out.startswith("not ok") and "pw@" not in out


def test_commands_need_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COMPANION_STORE", raising=False)
    assert main(["practice", "health"]) == 2
    assert "--store" in capsys.readouterr().err


def test_invite_prints_a_code_and_a_link_that_sign_the_patient_in(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(pg_url, "init", "--name", "Anna Peeters")
    capsys.readouterr()
    assert (
        practice(pg_url, "invite", "--as", "anna peeters", "--public-url", "https://c.example/")
        == 0
    )
    out = capsys.readouterr().out
    (code,) = set(CODE.findall(out))
    assert f"https://c.example/#code={code}" in out  # never sent to a server
    pseudonym = re.search(r"New patient (P-[2-9A-Z]{6})", out)
    assert pseudonym is not None
    principal, _ = access.redeem(pg_url, code, "c")
    assert principal.pseudonym == pseudonym.group(1)
    assert practice(pg_url, "invite", "--as", "nobody at all") == 2


def test_share_and_revoke(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    practice(pg_url, "init", "--name", "Anna")
    practice(pg_url, "professional", "add", "Bert")
    practice(pg_url, "invite", "--as", "Anna")
    out = capsys.readouterr().out
    pseudonym = re.findall(r"New patient (P-\w+)", out)[0]
    code = CODE.findall(out)[-1]
    _, token = access.redeem(pg_url, code, "c")
    assert practice(pg_url, "share", pseudonym, "--with", "Bert") == 0
    bert = accounts.find_professional(pg_url, "bert")
    assert bert is not None
    assert [row.pseudonym for row in patients_of(pg_url, bert.id, SystemClock())] == [pseudonym]

    assert practice(pg_url, "revoke", "--patient", pseudonym.lower()) == 0
    assert "1 browser session(s) ended" in capsys.readouterr().out
    assert access.principal_for(pg_url, token) is None


def test_audit_is_written_as_csv_or_json(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(pg_url, "init", "--name", "Anna")
    practice(pg_url, "invite", "--as", "Anna")
    assert practice(pg_url, "audit", "--out", str(tmp_path / "audit.csv")) == 0
    table = list(csv.DictReader(io.StringIO((tmp_path / "audit.csv").read_text())))
    assert [row["action"] for row in table] == ["professional_add", "invite"]
    assert practice(pg_url, "audit", "--out", str(tmp_path / "audit.json")) == 0
    rows = json.loads((tmp_path / "audit.json").read_text())
    assert rows[1]["action"] == "invite" and rows[1]["pseudonym"].startswith("P-")
    assert rows[2]["action"] == "audit_export"  # the first export, logged after it was read
    assert (tmp_path / "audit.json").stat().st_mode & 0o077 == 0


def test_retention_is_a_dry_run_until_yes(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    practice(pg_url, "--today", "2026-01-05", "init", "--name", "Anna")
    practice(pg_url, "--today", "2026-01-05", "invite", "--as", "Anna")
    practice(pg_url, "--today", "2026-01-05", "invite", "--as", "Anna")
    out = capsys.readouterr().out
    gone, kept = re.findall(r"New patient (P-\w+)", out)
    kept_code = CODE.findall(out)[-1]
    token = access.redeem(pg_url, kept_code, "c", clock=FixedClock(date(2026, 1, 10)))[1]
    assert access.principal_for(pg_url, token, clock=FixedClock(date(2026, 3, 1))) is not None
    gone_patient = accounts.find_patient(pg_url, gone)
    assert gone_patient is not None

    later = ["--today", "2026-08-01"]
    assert practice(pg_url, *later, "retention", "--inactive-months", "6") == 0
    out = capsys.readouterr().out
    assert gone in out and kept not in out and "Nothing was erased" in out
    assert accounts.find_patient(pg_url, gone) is not None

    assert practice(pg_url, *later, "retention", "--inactive-months", "6", "--yes") == 0
    assert "Erased 1 patient(s)" in capsys.readouterr().out
    assert accounts.find_patient(pg_url, gone) is None
    assert accounts.find_patient(pg_url, kept) is not None
    with pytest.raises(StorageError):
        PostgresStore.open(pg_url, gone_patient.id)
    erased = [row for row in export(pg_url) if row.action == "erase"]
    assert [row.pseudonym for row in erased] == [gone]


def test_health_fails_while_the_practice_migrations_are_missing(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from companion.store.postgres.migrations import migrate, migrations

    migrate(empty_url, [step for step in migrations() if step.version < 50])
    assert practice(empty_url, "health") == 1
    assert "run companion practice init" in capsys.readouterr().out
    assert practice(empty_url, "invite", "--as", "anyone") == 1  # refused before it starts
    assert "practice init" in capsys.readouterr().err
    assert practice(empty_url, "init") == 0
    assert practice(empty_url, "health") == 0


def test_one_patient_is_erased_on_request_after_a_dry_run(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(pg_url, "init", "--name", "Anna")
    practice(pg_url, "invite", "--as", "Anna")
    practice(pg_url, "invite", "--as", "Anna")
    asked, other = re.findall(r"New patient (P-\w+)", capsys.readouterr().out)
    asked_patient = accounts.find_patient(pg_url, asked)
    assert asked_patient is not None
    with PostgresStore.open(pg_url, asked_patient.id) as store:
        store.append("note", {"text": "kept until the patient asks"})

    assert practice(pg_url, "erase", asked) == 0
    assert "Nothing was erased" in capsys.readouterr().out
    assert accounts.find_patient(pg_url, asked) is not None

    assert practice(pg_url, "erase", asked, "--yes") == 0
    assert f"Erased {asked}" in capsys.readouterr().out
    assert accounts.find_patient(pg_url, asked) is None
    assert accounts.find_patient(pg_url, other) is not None
    with pytest.raises(StorageError):
        PostgresStore.open(pg_url, asked_patient.id)
    erased = [row for row in export(pg_url) if row.action == "erase"]
    assert [row.pseudonym for row in erased] == [asked]
    assert "request" in str(erased[0].detail)

    assert practice(pg_url, "erase", "P-NOBODY", "--yes") == 2
    assert "no patient" in capsys.readouterr().err
