"""The SIGKILL sweep of tests/test_crash_points.py against the PostgreSQL store.

The companion runs as a real process (the plain conversation) on a practice's database
(``COMPANION_STORE``, ``COMPANION_PATIENT``) and is killed after every possible number of
acknowledged answers in the check-in, and at the same spread of points in the first triage.
After each kill every acknowledged answer is in the database with the value given, and a
restart resumes at the open question and finishes the conversation. The kill also ends the
process's connection, and with it its hold on the patient's conversation, so the restart is
not told the companion is open elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from companion.clock import FixedClock
from companion.journey.journey import CHECKIN, TRIAGE
from companion.store.postgres import PostgresStore
from tests.test_crash_points import _triage_points, kill_and_resume, reference
from tests.test_crash_resume import PREPARED_AT, prepare_store

pytestmark = pytest.mark.skipif(
    not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL"
)


def stored_open_answers(url: str, patient: str, flow_id: str) -> list[tuple[str, object]]:
    """The answers of the patient's unfinished conversations, read as the tables' owner."""
    with psycopg.connect(url, autocommit=True) as owner:
        rows = owner.execute(
            "SELECT a.question_id, a.value FROM answers a JOIN sessions s "
            "ON s.patient_id = a.patient_id AND s.key = a.session_key "
            "WHERE s.patient_id = %s AND s.flow_id = %s AND s.finished_at IS NULL ORDER BY a.id",
            (patient, flow_id),
        ).fetchall()
    return [(question, value) for question, value in rows]


def finished_sessions(url: str, patient: str, flow_id: str) -> int:
    with psycopg.connect(url, autocommit=True) as owner:
        row = owner.execute(
            "SELECT count(*) FROM sessions WHERE patient_id = %s AND flow_id = %s "
            "AND finished_at IS NOT NULL AND NOT outcome ? 'set_aside'",
            (patient, flow_id),
        ).fetchone()
    assert row is not None
    return int(row[0])


def kill_after(flow_id: str, acknowledged: int, url: str, patient: str, tmp_path: Path) -> None:
    if flow_id == CHECKIN:
        clock = FixedClock(PREPARED_AT)
        with PostgresStore.open(url, patient, clock) as store:
            prepare_store(store, clock)
    data_dir = tmp_path / "unused"  # the store is the database; nothing may land here
    kill_and_resume(
        flow_id,
        acknowledged,
        data_dir,
        open_answers=lambda: stored_open_answers(url, patient, flow_id),
        finished=lambda: finished_sessions(url, patient, flow_id),
    )
    assert not data_dir.exists()


@pytest.fixture
def patient_in_env(pg_url: str, pg_patient: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The child processes open this patient's store in the test's database."""
    monkeypatch.setenv("COMPANION_STORE", pg_url)
    monkeypatch.setenv("COMPANION_PATIENT", pg_patient)
    return pg_patient


@pytest.mark.parametrize("acknowledged", range(len(reference(CHECKIN).question_ids)))
def test_kill_at_every_checkin_question(
    pg_url: str, patient_in_env: str, tmp_path: Path, acknowledged: int
) -> None:
    kill_after(CHECKIN, acknowledged, pg_url, patient_in_env, tmp_path)


@pytest.mark.parametrize("acknowledged", _triage_points())
def test_kill_during_triage(
    pg_url: str, patient_in_env: str, tmp_path: Path, acknowledged: int
) -> None:
    kill_after(TRIAGE, acknowledged, pg_url, patient_in_env, tmp_path)
