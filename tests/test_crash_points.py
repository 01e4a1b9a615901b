"""Killing the companion after ANY acknowledged answer loses nothing, in check-in and triage.

Builds on tests/test_crash_resume.py (which kills a check-in at four points)
and reuses its child-process driver. Here the companion is killed (SIGKILL)
after every possible number of acknowledged answers 0..N, in the check-in,
and at a spread of points (every third question and the last) in the first triage. After each kill:

* every acknowledged answer is in the database, with the value given;
* ``PRAGMA integrity_check`` passes;
* a restart says it resumes, asks exactly the question that was open, and the
  conversation can be finished (exit status 0).

An answer counts as acknowledged once the next question has been shown.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from companion.clock import FixedClock
from companion.dialogue.engine import QuestionView
from companion.journey.journey import CHECKIN, TRIAGE, Journey
from companion.resources import builtin_library
from companion.store.storage import Store
from tests.test_crash_resume import (
    CHECKIN_DAY,
    Companion,
    prepare,
)

pytestmark = pytest.mark.skipif(
    not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL"
)

NUMBER_REPLY = {TRIAGE: "40", CHECKIN: "3"}
"""What the patient types at a number question (age 40, 40 days; pain 3 of 10)."""

RESUMED = "verder waar u gebleven was"
MAX_SENDS = 120


def reply_to(question: QuestionView, flow_id: str) -> str:
    """The patient's reply: no to every sign, the first choice, a plausible number."""
    if question.answer_type == "yes_no":
        return "nee"
    if question.answer_type == "number":
        return NUMBER_REPLY[flow_id]
    return "1"


def reply_to_shown(shown: str, flow_id: str) -> str:
    """The same reply, read off the terminal as the plain driver shows a question."""
    if "1) Ja   2) Nee" in shown:
        return "nee"
    lines = [line.strip() for line in shown.splitlines() if line.strip() not in ("", ">")]
    if lines and lines[-1].startswith("[") and "1)" not in lines[-1]:
        return NUMBER_REPLY.get(flow_id, "3")
    return "1"


@dataclass(frozen=True)
class Reference:
    """The conversation as an in-process run with the same replies sees it."""

    question_ids: tuple[str, ...]
    question_texts: tuple[str, ...]
    values: tuple[object, ...]


@cache
def reference(flow_id: str) -> Reference:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        if flow_id == CHECKIN:
            prepare(data_dir)
        clock = FixedClock(date.fromisoformat(CHECKIN_DAY))
        with Store.open(data_dir, clock=clock) as store:
            conversation = Journey(builtin_library(), store, clock, "nl", None).next()
            assert conversation is not None and conversation.flow_id == flow_id
            turn = conversation.start()
            ids, texts, values = [], [], []
            while turn.question is not None:
                ids.append(turn.question.id)
                texts.append(turn.question.text)
                turn = conversation.answer(reply_to(turn.question, flow_id))
                assert turn.problem is None, f"{flow_id}: reply refused: {turn.problem}"
                assert turn.accepted is not None
                values.append(turn.accepted.value)
            return Reference(tuple(ids), tuple(texts), tuple(values))


def stored_open_answers(data_dir: Path, flow_id: str) -> list[tuple[str, object]]:
    db = sqlite3.connect(data_dir / "companion.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN sessions s ON s.key = a.session_key "
            "WHERE s.flow_id = ? AND s.finished_at IS NULL ORDER BY a.id",
            (flow_id,),
        ).fetchall()
    finally:
        db.close()
    return [(question, json.loads(value)) for question, value in rows]


def finished_sessions(data_dir: Path, flow_id: str) -> int:
    db = sqlite3.connect(data_dir / "companion.db")
    try:
        return db.execute(
            "SELECT count(*) FROM sessions WHERE flow_id = ? AND finished_at IS NOT NULL "
            "AND outcome NOT LIKE '%set_aside%'",
            (flow_id,),
        ).fetchone()[0]
    finally:
        db.close()


def kill_after(flow_id: str, acknowledged: int, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    if flow_id == CHECKIN:
        prepare(data_dir)
    kill_and_resume(
        flow_id,
        acknowledged,
        data_dir,
        open_answers=lambda: stored_open_answers(data_dir, flow_id),
        finished=lambda: finished_sessions(data_dir, flow_id),
    )


def kill_and_resume(
    flow_id: str,
    acknowledged: int,
    data_dir: Path,
    open_answers: Callable[[], list[tuple[str, object]]],
    finished: Callable[[], int],
) -> None:
    """Kills the companion after ``acknowledged`` answers, checks that they are all stored
    (``open_answers``, as the store holds them), restarts it and finishes the conversation:
    nothing left open, one more conversation ``finished``. The sweep of every store."""
    ref = reference(flow_id)
    companion = Companion(data_dir)
    try:
        shown = companion.until_prompt()
        assert ref.question_texts[0] in shown, shown
        for k in range(acknowledged):
            shown = companion.send(reply_to_shown(shown, flow_id))
            # Acknowledged: the next question is on the screen.
            assert ref.question_texts[k + 1] in shown, shown
    finally:
        companion.kill()

    expected = list(zip(ref.question_ids[:acknowledged], ref.values[:acknowledged], strict=True))
    assert open_answers() == expected, "an acknowledged answer was lost"

    restarted = Companion(data_dir)
    try:
        shown = restarted.until_prompt()
        assert RESUMED in shown, shown
        assert ref.question_texts[acknowledged] in shown, "did not resume at the open question"
        for _ in range(MAX_SENDS):
            if restarted.process.poll() is not None:
                break
            shown = restarted.send(reply_to_shown(shown, flow_id))
        restarted.process.wait(60)
    finally:
        if restarted.process.poll() is None:
            restarted.kill()
    assert restarted.process.returncode == 0, restarted.output
    assert "Traceback" not in restarted.output
    assert open_answers() == []
    assert finished() == 1


@pytest.mark.parametrize("acknowledged", range(len(reference(CHECKIN).question_ids)))
def test_kill_at_every_checkin_question(tmp_path: Path, acknowledged: int) -> None:
    kill_after(CHECKIN, acknowledged, tmp_path)


def _triage_points() -> list[int]:
    """Triage: a kill at every third question, the first and the last one (the stored
    path is the same code as in the check-in, which is killed at every question)."""
    last = len(reference(TRIAGE).question_ids) - 1
    return sorted({*range(0, last, 3), last})


@pytest.mark.parametrize("acknowledged", _triage_points())
def test_kill_during_triage(tmp_path: Path, acknowledged: int) -> None:
    kill_after(TRIAGE, acknowledged, tmp_path)
