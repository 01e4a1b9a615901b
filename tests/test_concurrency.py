"""Two processes, one data folder: nothing is lost, nothing live is set aside.

- Creating the database is atomic: six processes opening a fresh folder at once all get the same,
  complete database (one round used to set the live database aside as "corrupt").
- A file another process holds is never set aside, even when it looks damaged for a moment.
- One conversation at a time per data folder: a second window says so (nl and fr) and stops;
  the lock goes with the process, also when it is killed.
- A read-only data folder: `export` and `report` still work (SQLite opened read-only) and a
  conversation says so in one line. Tests run as root in CI, where chmod does not stop root, so
  the folder is made read-only for the companion by patching
  `companion.store.storage._writable` (the one place that decides) to say no; SQLite then
  really opens the file with `mode=ro`, so any write would fail, and the file is checked to
  be byte-for-byte unchanged. Without root the same is also tried with a real `chmod`.
- A full disk mid-conversation: one line, no traceback, and every answer stored before it is
  kept. Simulated by a connection class whose `execute` raises SQLite's own
  "database or disk is full" once armed.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import pytest

from companion.care.plan import load_plan
from companion.cli import main
from companion.clock import FixedClock
from companion.store import storage
from companion.store.storage import DB_NAME, StorageError, Store

TODAY = "2026-03-03"
ROUNDS = 12
PROCESSES = 6
WAIT = 60  # seconds: a bound against a hang, never a timing assertion
FIXTURE_PLAN = Path(__file__).parent / "fixtures" / "plans" / "walking_2026.json"
"""Starts within a year of every day the tests act on (plan files must, see test_hostile_files)."""
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- six processes, one fresh folder ---------------------------------------------------------


def _open_and_append(base: str, worker: int, barrier: Any, results: Any) -> None:
    """One process: in every round, open the round's fresh folder at the same moment as the
    others and append one event."""
    for round_ in range(ROUNDS):
        barrier.wait(timeout=WAIT)
        folder = Path(base) / f"round-{round_}"
        try:
            with Store.open(folder, FixedClock(date(2026, 3, 3))) as store:
                store.append("hello", {"worker": worker, "round": round_})
            results.put((round_, worker, "ok"))
        except StorageError as err:
            results.put((round_, worker, f"StorageError: {err}"))


def test_six_processes_opening_a_fresh_folder_share_one_database(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_open_and_append, args=(str(tmp_path), n, barrier, results))
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=WAIT) for _ in range(ROUNDS * PROCESSES)]
    for worker in workers:
        worker.join(timeout=WAIT)
        assert worker.exitcode == 0
    assert [o for o in outcomes if o[2] != "ok"] == []
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round-{round_}"
        assert sorted(p.name for p in folder.glob("*corrupt*")) == []
        with Store.open(folder, FixedClock(date(2026, 3, 3))) as store:
            workers_seen = sorted(e.payload["worker"] for e in store.events("hello"))
        assert workers_seen == list(range(PROCESSES)), f"round {round_}"


# --- a file another process holds ------------------------------------------------------------

HOLDER = """
import sys
from datetime import date
from companion.clock import FixedClock
from companion.store.storage import Store
with Store.open(sys.argv[1], FixedClock(date(2026, 3, 3))) as store:
    store.append("held", {"by": "the other process"})
    print("open", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def other_process_holding(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    yield folder
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=WAIT)


def test_a_database_another_process_holds_is_never_set_aside(
    other_process_holding: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when this process reads it as damaged (a torn read, a bug, a file being written),
    a file that is open elsewhere stays where it is and this process says to try again."""

    def looks_damaged(*args: object) -> None:
        raise storage._Corrupt("not a readable SQLite database: file is not a database")

    monkeypatch.setattr(storage, "_check_ours", looks_damaged)
    with pytest.raises(StorageError, match="in use"):
        Store.open(other_process_holding, FixedClock(date(2026, 3, 3)))
    assert list(other_process_holding.glob("*corrupt*")) == []
    monkeypatch.undo()
    with Store.open(other_process_holding, FixedClock(date(2026, 3, 3))) as store:
        assert [e.payload for e in store.events("held")] == [{"by": "the other process"}]


def test_a_damaged_file_nobody_holds_is_still_set_aside(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"not a database at all" * 50)
    with pytest.raises(StorageError, match="kept aside"):
        Store.open(tmp_path, FixedClock(date(2026, 3, 3)))
    assert len(list(tmp_path.glob(f"{DB_NAME}.corrupt-*"))) == 1


def test_no_half_made_database_is_left_by_a_creation_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database appears complete or not at all: a migration that fails leaves no file that a
    next start would find half made."""
    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, ("CREATE TABLE broken (",)])
    with pytest.raises(StorageError):
        Store.open(tmp_path, FixedClock(date(2026, 3, 3)))
    assert not (tmp_path / DB_NAME).exists()
    monkeypatch.undo()
    with Store.open(tmp_path, FixedClock(date(2026, 3, 3))) as store:
        assert store.schema_version == len(storage.MIGRATIONS)
    assert sorted(p.name for p in tmp_path.iterdir() if ".new-" in p.name) == []


# --- one conversation at a time ----------------------------------------------------------------


def _companion(*args: str) -> list[str]:
    return [sys.executable, "-u", "-m", "companion", *args]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "COMPANION_DATA_DIR"}


class Window:
    """A plain conversation in its own process, read line by line."""

    def __init__(self, data_dir: Path, language: str) -> None:
        self.process = subprocess.Popen(
            _companion(
                "--plain", "--data-dir", str(data_dir), "--lang", language, "--today", TODAY
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for_question(self) -> list[str]:
        """Lines up to and including the choices of the next question."""
        seen = []
        while True:
            line = self.lines.get(timeout=WAIT)
            seen.append(line)
            if line.startswith("  1)"):
                return seen

    def answer(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=WAIT)


@pytest.mark.parametrize(
    ("language", "says"),
    [("nl", "al open in een ander venster"), ("fr", "déjà ouverte dans une autre fenêtre")],
)
def test_a_second_window_says_the_companion_is_open_elsewhere(
    tmp_path: Path, language: str, says: str
) -> None:
    first = Window(tmp_path, language)
    try:
        first.wait_for_question()
        second = subprocess.run(
            _companion(
                "--plain", "--data-dir", str(tmp_path), "--lang", language, "--today", TODAY
            ),
            input="1\n",
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=_env(),
        )
        assert second.returncode == 1
        assert "Traceback" not in second.stderr
        assert says in second.stderr
        assert second.stdout == ""  # no "welcome back", no question: nothing of the first's session
        first.answer("nee" if language == "nl" else "non")
        assert first.wait_for_question()  # the first window goes on as before
    finally:
        first.close()
    with Store.open(tmp_path, FixedClock(date(2026, 3, 3))) as store:
        (session,) = store.sessions()
        assert len(store.answers_of(session.key)) == 1  # only the first window's answer


def test_the_window_lock_goes_with_a_killed_process(tmp_path: Path) -> None:
    first = Window(tmp_path, "nl")
    first.wait_for_question()
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=WAIT)
    second = Window(tmp_path, "nl")
    try:
        assert second.wait_for_question()
    finally:
        second.close()


def test_erase_refuses_while_a_window_is_open(tmp_path: Path) -> None:
    first = Window(tmp_path, "fr")
    try:
        first.wait_for_question()
        erase = subprocess.run(
            _companion("--lang", "fr", "erase", "--yes", "--data-dir", str(tmp_path)),
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=_env(),
        )
        assert erase.returncode == 1
        assert "Traceback" not in erase.stderr
        assert (tmp_path / DB_NAME).exists()
    finally:
        first.close()


# --- a read-only data folder -----------------------------------------------------------------


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Store.open(folder, FixedClock(date(2026, 3, 2))) as store:
        store.set_setting("language", "fr")
        store.set_setting("region", "BE")
        store.save_plan(load_plan(FIXTURE_PLAN))
        store.append("note", {"kept": True})
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def read_only(stored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made after the data: from here on nothing may be written to the folder."""
    monkeypatch.setattr(storage, "_writable", lambda folder, path: False)


@pytest.mark.usefixtures("read_only")
def test_export_works_on_a_read_only_folder(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(stored)
    assert main(["export", "--data-dir", str(stored)]) == 0
    out = capsys.readouterr().out
    assert '"kept": true' in out and '"language": "fr"' in out
    assert _snapshot(stored) == before


@pytest.mark.usefixtures("read_only")
def test_report_works_on_a_read_only_folder(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(stored)
    out = tmp_path / "report.html"
    assert main(["--today", TODAY, "report", "--out", str(out), "--data-dir", str(stored)]) == 0
    assert 'lang="fr-BE"' in out.read_text(encoding="utf-8")
    assert f"Le fichier {out} est prêt." in capsys.readouterr().err
    assert _snapshot(stored) == before


@pytest.mark.usefixtures("read_only")
def test_plan_import_on_a_read_only_folder_says_so_in_one_line(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(stored)
    argv = ["--today", "2026-03-02", "plan", "import", str(FIXTURE_PLAN), "--yes"]
    argv += ["--data-dir", str(stored)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lecture seule" in err  # the stored language: fr
    assert _snapshot(stored) == before


@pytest.mark.usefixtures("read_only")
@pytest.mark.parametrize(("language", "says"), [("nl", "alleen-lezen"), ("fr", "lecture seule")])
def test_a_conversation_on_a_read_only_folder_says_so_in_one_line(
    stored: Path,
    language: str,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    argv = ["--plain", "--lang", language, "--today", TODAY, "--data-dir", str(stored)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert says in err and str(stored) in err


@pytest.mark.skipif(IS_ROOT, reason="runs as root: file permissions do not stop root")
def test_export_works_on_a_folder_made_read_only_with_chmod(stored: Path) -> None:
    before = _snapshot(stored)
    stored.chmod(0o500)
    try:
        result = subprocess.run(
            _companion("export", "--data-dir", str(stored)),
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=_env(),
        )
    finally:
        stored.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert '"kept": true' in result.stdout
    assert _snapshot(stored) == before


# --- a full disk ----------------------------------------------------------------------------


class FillsUp(sqlite3.Connection):
    """A connection whose disk is full after ``room`` more answers."""

    room: int | None = None

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if sql.startswith("INSERT INTO answers") and FillsUp.room is not None:
            if FillsUp.room == 0:
                raise sqlite3.OperationalError("database or disk is full")
            FillsUp.room -= 1
        return super().execute(sql, *args)


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FillsUp]]:
    real = storage._sqlite_connect

    def connect(database: str | Path, **options: Any) -> sqlite3.Connection:
        return real(database, factory=FillsUp, **options)

    monkeypatch.setattr(storage, "_sqlite_connect", connect)
    FillsUp.room = None
    yield FillsUp
    FillsUp.room = None


@pytest.mark.parametrize(
    ("language", "says"), [("nl", "schijf is vol"), ("fr", "disque est plein")]
)
def test_a_full_disk_mid_conversation_gives_one_line_and_keeps_the_answers_before(
    tmp_path: Path,
    disk_fills_up: type[FillsUp],
    language: str,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    disk_fills_up.room = 2
    no = "nee" if language == "nl" else "non"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{no}\n{no}\n{no}\n{no}\n"))
    argv = ["--plain", "--lang", language, "--today", TODAY, "--data-dir", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert says in err
    disk_fills_up.room = None
    with Store.open(tmp_path, FixedClock(date(2026, 3, 3))) as store:
        (session,) = store.sessions()
        assert [a.value for a in store.answers_of(session.key)] == [False, False]


# --- the app: a second window, a full disk ---------------------------------------------------


def test_a_second_app_window_shows_why_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the browser (`companion serve`) every tab is a process: the second one shows the
    reason in a window of its own, since nothing printed to the terminal reaches the patient."""
    from companion.app import notice
    from companion.cli import build_parser, run_app_conversation
    from companion.resources import builtin_library
    from companion.store.storage import hold_conversation

    shown: list[tuple[list[str], str]] = []

    def show(lines: list[str], close_label: str) -> int:
        shown.append((list(lines), close_label))
        return 1

    monkeypatch.setattr(notice, "show_notice", show)
    args = build_parser().parse_args(["--lang", "fr", "--data-dir", str(tmp_path)])
    with hold_conversation(tmp_path):  # the first window
        assert run_app_conversation(builtin_library(), "fr", None, args) == 1
    ((lines, close_label),) = shown
    assert lines == [
        "votre aide pour le mal de dos est déjà ouverte dans une autre fenêtre. "
        "Continuez là-bas, ou fermez cette fenêtre et recommencez."
    ]
    assert close_label == "Quitter"
    assert not (tmp_path / DB_NAME).exists()  # the second window opened nothing


async def test_the_notice_window_shows_its_lines_as_text_and_closes() -> None:
    from textual.widgets import Static

    from companion.app.notice import NoticeApp

    app = NoticeApp(["de map [bold]x[/] is al open.", "le dossier est déjà ouvert."], "Stop")
    async with app.run_test() as pilot:
        shown = [str(s.render()) for s in app.query(Static).filter(".notice-line")]
        assert shown == ["De map [bold]x[/] is al open.", "Le dossier est déjà ouvert."]
        await pilot.press("enter")
    assert app.return_value == 1


async def test_a_full_disk_in_the_app_closes_with_one_line_and_keeps_the_answers_before(
    tmp_path: Path, disk_fills_up: type[FillsUp]
) -> None:
    from companion.app import CompanionApp
    from companion.app.widgets import ChoiceButton
    from companion.resources import builtin_library

    app = CompanionApp(
        builtin_library(), tmp_path, clock=FixedClock(date(2026, 3, 3)), language="nl"
    )
    disk_fills_up.room = 1
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        no = next(b for b in app.screen.query(ChoiceButton) if b.value == "no")
        await pilot.click(f"#{no.id}")  # stored
        await pilot.pause()
        no = next(b for b in app.screen.query(ChoiceButton) if b.value == "no")
        no.press()  # the disk is full now: the app closes (a pilot click would wait for it)
        while app.return_value is None:
            await asyncio.sleep(0.01)
    assert app.return_value == 1
    assert app.storage_failure is not None and "schijf is vol" in app.storage_failure
    disk_fills_up.room = None
    with Store.open(tmp_path, FixedClock(date(2026, 3, 3))) as store:
        (session,) = store.sessions()
        assert [a.value for a in store.answers_of(session.key)] == [False]


class FullFromTheStart(sqlite3.Connection):
    """A disk with no room even for a new database."""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if sql.lstrip().startswith("CREATE TABLE"):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


@pytest.mark.parametrize(
    ("language", "says"), [("nl", "schijf is vol"), ("fr", "disque est plein")]
)
def test_a_full_disk_at_the_first_start_gives_one_line_and_leaves_no_half_file(
    tmp_path: Path,
    language: str,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = storage._sqlite_connect
    monkeypatch.setattr(
        storage, "_sqlite_connect", lambda db, **kw: real(db, factory=FullFromTheStart, **kw)
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("nee\n"))
    argv = ["--plain", "--lang", language, "--today", TODAY, "--data-dir", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == []
