"""Practice access, isolation and audit against a real PostgreSQL (``pg_url``, tests/postgres.py;
skipped, with the reason, where PostgreSQL is not installed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.journey.journey import Journey
from companion.practice import access, accounts, audit, homework, notes, roster, viewing
from companion.practice.access import Principal, Refused, TooManyAttempts
from companion.practice.codes import code_hash, token_hash
from companion.resources import builtin_library
from companion.store.errors import StorageError
from companion.store.postgres import PostgresStore
from tests.patients import SELF_CARE_PATH, talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "homework"
PLAN_TEXT = (EXAMPLES / "rug-wandelen.nl.toml").read_text(encoding="utf-8")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def anna(pg_url: str, clock: FixedClock) -> accounts.Professional:
    return accounts.add_professional(pg_url, "Anna Peeters", clock=clock)[0]


@pytest.fixture
def bert(pg_url: str, clock: FixedClock) -> accounts.Professional:
    return accounts.add_professional(pg_url, "Bert Claes", clock=clock)[0]


def rows(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(query, params).fetchall()  # type: ignore[arg-type]


# --- redeeming codes ----------------------------------------------------------------------


def test_an_invite_code_is_redeemed_once_only(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, clock=clock)
    principal, token = access.redeem(pg_url, made.code, "203.0.113.7", clock=clock)
    assert principal == Principal("patient", made.patient.id, made.patient.pseudonym)
    assert access.principal_for(pg_url, token, clock=clock) == principal
    with pytest.raises(Refused) as used:
        access.redeem(pg_url, made.code, "203.0.113.7", clock=clock)
    with pytest.raises(Refused) as unknown:
        access.redeem(pg_url, "AAAA-BBBB-CCCC", "203.0.113.7", clock=clock)
    assert str(used.value) == str(unknown.value)  # a guesser learns nothing from the answer


def test_two_processes_redeeming_one_code_at_once_get_one_session(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    made = accounts.invite(pg_url, anna, clock=clock)

    def attempt(client: int) -> bool:
        try:
            access.redeem(pg_url, made.code, f"client-{client}", clock=clock)
        except Refused:
            return False
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert sorted(results) == [False, False, False, True]
    assert rows(pg_url, "SELECT count(*) FROM practice_web_sessions") == [(1,)]


def test_a_code_typed_loosely_is_accepted(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, clock=clock)
    typed = made.code.lower().replace("-", " ")
    assert access.redeem(pg_url, typed, "c", clock=clock)[0].kind == "patient"


def test_an_expired_invite_code_is_refused(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, valid_for=timedelta(days=14), clock=clock)
    clock.advance(days=14, minutes=1)
    with pytest.raises(Refused):
        access.redeem(pg_url, made.code, "c", clock=clock)


def test_a_login_code_signs_a_professional_in_and_can_be_renewed(
    pg_url: str, clock: FixedClock
) -> None:
    anna, code = accounts.add_professional(pg_url, "Anna Peeters", clock=clock)
    principal, _ = access.redeem(pg_url, code, "c", clock=clock)
    assert principal == Principal("professional", anna.id, "Anna Peeters")
    assert access.redeem(pg_url, code, "c", clock=clock)[0] == principal  # not one-time
    renewed = accounts.renew_login_code(pg_url, anna, clock=clock)
    with pytest.raises(Refused):
        access.redeem(pg_url, code, "c", clock=clock)
    assert access.redeem(pg_url, renewed, "c", clock=clock)[0] == principal


def test_guessing_is_limited_per_client_and_in_all(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, clock=clock)
    for _ in range(access.FAILURES_PER_CLIENT):
        with pytest.raises(Refused):
            access.redeem(pg_url, "AAAA-BBBB-CCCC", "198.51.100.1", clock=clock)
    with pytest.raises(TooManyAttempts):  # even the right code, from that client
        access.redeem(pg_url, made.code, "198.51.100.1", clock=clock)
    clock.advance(minutes=16)
    principal, _ = access.redeem(pg_url, made.code, "198.51.100.1", clock=clock)
    assert principal.id == made.patient.id

    other = accounts.invite(pg_url, anna, clock=clock)
    for attempt in range(access.FAILURES_OVERALL):
        with pytest.raises(Refused):
            access.redeem(pg_url, "AAAA-BBBB-CCCC", f"client-{attempt}", clock=clock)
    with pytest.raises(TooManyAttempts):  # many addresses do not get around the limit
        access.redeem(pg_url, other.code, "a-new-client", clock=clock)


def test_the_limit_is_kept_in_the_database_not_in_the_process(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    for _ in range(access.FAILURES_PER_CLIENT):
        with pytest.raises(Refused):
            access.redeem(pg_url, "AAAA-BBBB-CCCC", "198.51.100.2", clock=clock)
    (count,) = rows(pg_url, "SELECT count(*) FROM practice_failed_attempts")[0]
    assert count == access.FAILURES_PER_CLIENT
    stored = rows(pg_url, "SELECT client_hash FROM practice_failed_attempts")
    assert all(b"198.51.100.2" not in bytes(row[0]) for row in stored)


def test_only_hashes_of_codes_and_tokens_are_stored(pg_url: str, clock: FixedClock) -> None:
    anna, login = accounts.add_professional(pg_url, "Anna Peeters", clock=clock)
    made = accounts.invite(pg_url, anna, clock=clock)
    _, patient_token = access.redeem(pg_url, made.code, "c", clock=clock)
    _, professional_token = access.redeem(pg_url, login, "c", clock=clock)
    dump = "\n".join(
        str(row)
        for table in ("practice_codes", "practice_web_sessions", "practice_audit")
        for row in rows(pg_url, f"SELECT * FROM {table}")
    )
    for secret in (made.code, login, patient_token, professional_token):
        assert secret not in dump and secret.replace("-", "") not in dump
    hashes = {bytes(row[0]) for row in rows(pg_url, "SELECT code_hash FROM practice_codes")}
    assert hashes == {code_hash(made.code), code_hash(login)}
    sessions = {bytes(r[0]) for r in rows(pg_url, "SELECT token_hash FROM practice_web_sessions")}
    assert sessions == {token_hash(patient_token), token_hash(professional_token)}


# --- sessions --------------------------------------------------------------------------------


def test_revoking_ends_one_session_and_revoke_all_ends_every_one(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, clock=clock)
    patient, phone = access.redeem(pg_url, made.code, "c", clock=clock)
    laptop = access.redeem(pg_url, accounts.renew_login_code(pg_url, anna), "c", clock=clock)[1]
    access.revoke(pg_url, phone, clock=clock)
    assert access.principal_for(pg_url, phone, clock=clock) is None
    assert access.principal_for(pg_url, laptop, clock=clock) is not None

    code = accounts.renew_login_code(pg_url, anna, clock=clock)
    second = access.redeem(pg_url, code, "c", clock=clock)[1]
    assert access.revoke_all(pg_url, anna.principal, clock=clock) == 2
    assert access.principal_for(pg_url, laptop, clock=clock) is None
    assert access.principal_for(pg_url, second, clock=clock) is None
    assert access.principal_for(pg_url, "not-a-token", clock=clock) is None
    assert access.principal_for(pg_url, "", clock=clock) is None
    assert patient.kind == "patient"


def test_an_unused_session_expires_and_a_used_one_stays(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    made = accounts.invite(pg_url, anna, clock=clock)
    token = access.redeem(pg_url, made.code, "c", clock=clock)[1]
    for _ in range(4):  # used every 60 days: stays signed in past 90 days
        clock.advance(days=60)
        assert access.principal_for(pg_url, token, clock=clock) is not None
    clock.advance(days=91)
    assert access.principal_for(pg_url, token, clock=clock) is None


# --- a professional sees and changes only their own patients ----------------------------


def patient_after_self_care(url: str, patient_id: str, clock: FixedClock) -> None:
    """Triage, education and plan set-up, then a check-in the next day with the plan done."""
    library = builtin_library()
    with PostgresStore.open(url, patient_id, clock) as store:
        store.set_setting("language", "nl")
        store.set_setting("region", "BE")
        journey = Journey(library, store, clock, "nl", "BE", plan_from_answers)
        while (conversation := journey.next()) is not None:
            talk(conversation, SELF_CARE_PATH)
        clock.advance(days=1)
        checkin = journey.next()
        assert checkin is not None and checkin.flow_id == "checkin"
        talk(checkin, {**SELF_CARE_PATH, "quota_done": "done", "pain_now": 4})


def test_the_roster_shows_only_my_patients_with_their_progress(
    pg_url: str, anna: accounts.Professional, bert: accounts.Professional, clock: FixedClock
) -> None:
    mine = accounts.invite(pg_url, anna, clock=clock).patient
    waiting = accounts.invite(pg_url, anna, clock=clock).patient
    theirs = accounts.invite(pg_url, bert, clock=clock).patient
    patient_after_self_care(pg_url, mine.id, clock)

    shown = roster.patients_of(pg_url, anna.id, clock)
    assert {row.pseudonym for row in shown} == {mine.pseudonym, waiting.pseudonym}
    row = next(row for row in shown if row.patient_id == mine.id)
    assert row.day == 3  # pain began 2 days before triage, check-in the day after
    assert row.last_checkin is not None and row.last_checkin.date() == clock.today()
    assert row.adherence == (1, 1)
    assert row.open_escalation is None and row.support_level is None
    idle = next(row for row in shown if row.patient_id == waiting.id)
    assert idle.day is None and idle.last_checkin is None and idle.adherence == (0, 0)
    assert [row.pseudonym for row in roster.patients_of(pg_url, bert.id, clock)] == [
        theirs.pseudonym
    ]


def test_an_open_escalation_comes_first(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    calm = accounts.invite(pg_url, anna, clock=clock).patient
    alarmed = accounts.invite(pg_url, anna, clock=clock).patient
    patient_after_self_care(pg_url, calm.id, clock)
    with PostgresStore.open(pg_url, alarmed.id, clock) as store:
        store.set_setting("language", "fr")
        journey = Journey(builtin_library(), store, clock, "fr", "BE", plan_from_answers)
        triage = journey.next()
        assert triage is not None
        talk(triage, {**SELF_CARE_PATH, "saddle_numbness": True})
    shown = roster.patients_of(pg_url, anna.id, clock)
    assert [row.patient_id for row in shown] == [alarmed.id, calm.id]
    assert shown[0].open_escalation == "emergency"


CRAFTED = ["", "x' OR '1'='1", "00000000-0000-0000-0000-000000000000", "../../etc"]


def test_a_professional_never_changes_or_sees_a_patient_not_theirs(
    pg_url: str, anna: accounts.Professional, bert: accounts.Professional, clock: FixedClock
) -> None:
    theirs = accounts.invite(pg_url, bert, clock=clock).patient
    for patient_id in [theirs.id, *CRAFTED, str(uuid.uuid4())]:
        with pytest.raises(Refused):
            homework.assign(pg_url, anna.id, patient_id, PLAN_TEXT, clock=clock)
        with pytest.raises(Refused):
            notes.send(pg_url, anna.id, patient_id, "Goed bezig!", clock=clock)
        with pytest.raises(Refused), viewing.patient_store(pg_url, anna.id, patient_id, clock):
            pass
    with pytest.raises(Refused):  # a crafted professional id does not help either
        homework.assign(pg_url, "' OR 1=1 --", theirs.id, PLAN_TEXT, clock=clock)
    assert roster.patients_of(pg_url, "' OR 1=1 --", clock) == []
    with PostgresStore.open(pg_url, theirs.id, clock) as store:
        assert store.current_plan() is None and store.events() == []
    assert notes.for_patient(pg_url, theirs.id, clock=clock) == []


def test_sharing_lets_a_colleague_see_and_change_the_patient(
    pg_url: str, anna: accounts.Professional, bert: accounts.Professional, clock: FixedClock
) -> None:
    patient = accounts.invite(pg_url, anna, clock=clock).patient
    with pytest.raises(Refused):
        notes.send(pg_url, bert.id, patient.id, "Hallo", clock=clock)
    accounts.share(pg_url, patient.id, bert.id, clock=clock)
    notes.send(pg_url, bert.id, patient.id, "Hallo", clock=clock)
    assert [row.pseudonym for row in roster.patients_of(pg_url, bert.id, clock)] == [
        patient.pseudonym
    ]


def test_homework_is_checked_as_plan_import_checks_it(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    patient = accounts.invite(pg_url, anna, clock=clock).patient
    broken = PLAN_TEXT.replace("goal = 40", 'goal = "veel"')
    with pytest.raises(homework.PlanRejected) as rejected:
        homework.assign(pg_url, anna.id, patient.id, broken, clock=clock)
    problem = rejected.value.problems[0]
    assert problem.file == "plan.toml" and problem.line == 16 and "goal" in problem.field
    plan = homework.assign(pg_url, anna.id, patient.id, PLAN_TEXT, clock=clock)
    with PostgresStore.open(pg_url, patient.id, clock) as store:
        assert store.current_plan() == plan
        assert store.events(homework.PLAN_ASSIGNED)[0].payload["by"] == "Anna Peeters"


def test_a_note_is_plain_text_of_limited_length(
    pg_url: str, anna: accounts.Professional, clock: FixedClock
) -> None:
    patient = accounts.invite(pg_url, anna, clock=clock).patient
    markup = "[bold red]Stop[/] met *oefenen*\nTot volgende week."
    notes.send(pg_url, anna.id, patient.id, markup, clock=clock)
    for text, reason in [
        ("   ", notes.EMPTY),
        ("x" * (notes.MAX_NOTE_LENGTH + 1), notes.TOO_LONG),
        ("Bel \x1b[2J ons", notes.CHARACTERS),
        ("abc\u202edef", notes.CHARACTERS),
    ]:
        with pytest.raises(notes.NoteRejected) as rejected:
            notes.send(pg_url, anna.id, patient.id, text, clock=clock)
        assert rejected.value.reason == reason
    received = notes.for_patient(pg_url, patient.id, clock=clock)
    assert [(note.sender, note.text) for note in received] == [("Anna Peeters", markup)]


# --- the audit log -------------------------------------------------------------------------


def test_every_view_and_change_is_an_audit_row(
    pg_url: str, anna: accounts.Professional, bert: accounts.Professional, clock: FixedClock
) -> None:
    patient = accounts.invite(pg_url, anna, clock=clock).patient
    roster.patients_of(pg_url, anna.id, clock)
    homework.assign(pg_url, anna.id, patient.id, PLAN_TEXT, clock=clock)
    notes.send(pg_url, anna.id, patient.id, "Goed zo", clock=clock)
    with viewing.patient_store(pg_url, anna.id, patient.id, clock):
        pass
    notes.for_patient(pg_url, patient.id, clock=clock)
    with pytest.raises(Refused):
        notes.send(pg_url, bert.id, patient.id, "Hallo", clock=clock)

    logged = [
        (row.actor_name, row.action, row.pseudonym, row.outcome)
        for row in audit.export(pg_url)
        if row.patient_id == patient.id
    ]
    who = patient.pseudonym
    assert logged[1:] == [
        ("Anna Peeters", audit.ROSTER_VIEW, who, audit.DONE),
        ("Anna Peeters", audit.HOMEWORK_ASSIGN, who, audit.DONE),
        ("Anna Peeters", audit.NOTE_SEND, who, audit.DONE),
        ("Anna Peeters", audit.REPORT_VIEW, who, audit.DONE),
        (who, audit.NOTES_VIEW, who, audit.DONE),
        ("Bert Claes", audit.NOTE_SEND, None, audit.REFUSED),
    ]
    assert logged[0][1] == audit.INVITE


def test_the_audit_log_cannot_be_changed(pg_url: str, anna: accounts.Professional) -> None:
    import psycopg

    with psycopg.connect(pg_url) as connection, pytest.raises(psycopg.Error):
        connection.execute("DELETE FROM practice_audit")


def test_the_audit_export_is_csv_or_json_without_formulas(pg_url: str, clock: FixedClock) -> None:
    login = accounts.add_professional(pg_url, "=HYPERLINK(1)", clock=clock)[1]
    access.redeem(pg_url, login, "c", clock=clock)  # the name is the actor of the sign-in
    exported = audit.export(pg_url)
    text = audit.as_csv(exported)
    assert text.splitlines()[0].startswith("at,actor_kind,actor_id,actor_name,action")
    assert ",'=HYPERLINK(1),sign_in," in text
    assert '"name": "=HYPERLINK(1)"' in audit.as_json(exported)


def test_an_invite_that_fails_leaves_no_patient_behind(pg_url: str, clock: FixedClock) -> None:
    ghost = accounts.Professional(str(uuid.uuid4()), "Nobody")
    with pytest.raises(StorageError):
        accounts.invite(pg_url, ghost, clock=clock)
    assert rows(pg_url, "SELECT count(*) FROM patients") == [(0,)]
