"""Killing the companion in the middle of a check-in loses no acknowledged answer.

The companion runs as a real process on a pipe. An answer counts as
acknowledged once the next question has been shown. The process is killed
with SIGKILL (no clean-up of any kind), restarted, and must resume at the
first unanswered question.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.care.plan import generate_plan
from companion.clock import FixedClock
from companion.journey.journey import Journey
from companion.resources import builtin_library
from companion.store.protocol import Store as StoreProtocol
from companion.store.storage import Store
from tests.patients import given_plan_function_part
from tests.test_journey import SELF_CARE_TRIAGE, talk

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

TRIAGE_DAY = date(2026, 3, 2)
CHECKIN_DAY = "2026-03-03"
PROMPT = "> "
WAIT_SECONDS = 60  # generous: a stuck child fails the test instead of hanging it


def prepare(data_dir: Path) -> None:
    """A person who did triage and education yesterday and has a walking plan."""
    clock = FixedClock(PREPARED_AT)
    with Store.open(data_dir, clock=clock) as store:
        prepare_store(store, clock)


PREPARED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def prepare_store(store: StoreProtocol, clock: FixedClock) -> None:
    """:func:`prepare` on any backend's store (the PostgreSQL sweep uses it too)."""
    journey = Journey(builtin_library(), store, clock, "nl", None)
    for _ in range(2):
        conversation = journey.next()
        assert conversation is not None
        talk(conversation, SELF_CARE_TRIAGE)
    store.save_plan(
        generate_plan(
            [10, 10, 10],
            30,
            TRIAGE_DAY,
            kind="walking",
            unit="minutes",
            step_every_days=3,
            weeks=8,
        )
    )
    given_plan_function_part(journey)


class Companion:
    """The companion as a child process on a pipe, read prompt by prompt."""

    def __init__(self, data_dir: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                "-m",
                "companion",
                "--data-dir",
                str(data_dir),
                "--lang",
                "nl",
                "--today",
                CHECKIN_DAY,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output = ""

    def until_prompt(self) -> str:
        """Everything shown up to the next prompt (the text before '> ')."""
        assert self.process.stdout is not None
        start = len(self.output)
        deadline = time.monotonic() + WAIT_SECONDS
        # New output only: right after an answer the output still ends with the
        # previous prompt, and the answer is acknowledged by the NEXT prompt.
        while len(self.output) == start or not self.output.endswith(PROMPT):
            assert time.monotonic() < deadline, f"no prompt; output so far:\n{self.output}"
            if _readable(self.process.stdout.fileno(), 0.1):
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:  # end of file: the child has exited
                    self.process.wait(WAIT_SECONDS)
                    break
                self.output += chunk.decode("utf-8", errors="replace")
        return self.output[start:]

    def send(self, line: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()
        return self.until_prompt()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT_SECONDS)


def _readable(fd: int, timeout: float = 0.0) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def open_checkin_answers(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "companion.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [
            row[0]
            for row in db.execute(
                "SELECT a.question_id FROM answers a JOIN sessions s ON s.key = a.session_key "
                "WHERE s.flow_id = 'checkin' AND s.finished_at IS NULL ORDER BY a.id"
            )
        ]
    finally:
        db.close()


# An ordinary check-in, answered as typed: the two lists of urgent signs, then quota
# (1 = done), pain, trend (1 = better), daily activities, moving, work.
CHECKIN_ANSWERS = ["nee", "nee", "1", "3", "1", "ja", "ja", "nee"]


@pytest.mark.parametrize("acknowledged", [1, 3, 5, 7])
def test_kill_during_checkin_then_resume(tmp_path: Path, acknowledged: int) -> None:
    data_dir = tmp_path / "data"
    prepare(data_dir)

    companion = Companion(data_dir)
    shown = companion.until_prompt()
    assert "doof" in shown or "gevoel" in shown  # the check-in opens with the red flags
    for answer in CHECKIN_ANSWERS[:acknowledged]:
        shown = companion.send(answer)
    companion.kill()

    stored = open_checkin_answers(data_dir)
    assert len(stored) >= acknowledged, "an acknowledged answer was lost"

    restarted = Companion(data_dir)
    shown = restarted.until_prompt()
    assert "verder waar u gebleven was" in shown
    # It asks again exactly the question that was open when the process died.
    # (the last line shown that is not a prompt, a help text or the choices)
    last_question = [
        line for line in companion.output.splitlines() if line and not line.startswith((" ", ">"))
    ][-1]
    assert last_question in shown
    for _ in range(40):
        if restarted.process.poll() is not None:
            break
        shown = restarted.send("nee" if "1) Ja" in shown else "3")
    restarted.process.wait(WAIT_SECONDS)
    assert restarted.process.returncode == 0, restarted.output
    assert open_checkin_answers(data_dir) == []  # the check-in was finished
