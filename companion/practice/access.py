"""Pseudonymous access: redeeming a code for a browser session, and the sessions themselves.

A patient enters the one-time invite code a professional printed (``companion practice
invite``); a professional enters their login code. Either way :func:`redeem` returns who they
are and a new session token for an HttpOnly cookie; :func:`principal_for` reads the cookie
back on every request. Nothing is kept in the serving process: codes, sessions and the rate
limit's failed attempts are rows in the database (hashed, :mod:`companion.practice.codes`), so
any serving process answers any request.

**Rate limit**: at most :data:`FAILURES_PER_CLIENT` failed attempts per client (the web app
passes the client's address) and :data:`FAILURES_OVERALL` failed attempts in all in any
:data:`FAILURE_WINDOW`. The overall limit is what bounds an attacker who changes addresses;
the README works out the odds of guessing an invite code under it. Attempts are counted under
an advisory lock, so two processes cannot both let the last allowed attempt through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from companion.clock import Clock
from companion.practice import audit
from companion.practice.codes import (
    client_hash,
    code_hash,
    new_session_token,
    same_hash,
    token_hash,
)
from companion.practice.db import connected, now
from companion.texts.i18n import N_, TranslatableError

if TYPE_CHECKING:
    import psycopg

FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_PER_CLIENT = 10
FAILURES_OVERALL = 100
FAILURES_KEPT = timedelta(days=1)
"""Failed attempts older than this are deleted (they count for nothing any more)."""

PATIENT_IDLE = timedelta(days=90)
"""A patient's browser stays signed in while used at least once in this time."""
PROFESSIONAL_IDLE = timedelta(hours=12)
"""A professional's session ends after a working day without use."""
TOUCH_EVERY = timedelta(minutes=5)
"""A session's last use is written at most this often (not on every request)."""

REDEEM_LOCK = 0x436F6D71
"""The advisory lock redeeming processes take turns on."""

INVITE_PARAMETER = "code"
"""The invite link carries the code after ``#``: ``https://companion.example.org/#code=...``.
Browsers never send that part to a server, so no proxy log or server log keeps it; the code
page reads it and fills in the form (companion/serve_practice.py)."""

REFUSED_CODE = N_("This code cannot be used. Check it, or ask your practice for a new one.")
"""Unknown, used, expired or revoked: one message, so an answer tells a guesser nothing."""
TOO_MANY = N_("Too many wrong codes were tried. Try again in a quarter of an hour.")


@dataclass(frozen=True)
class Principal:
    """Who a browser session belongs to: a patient (pseudonym) or a professional (name)."""

    kind: Literal["patient", "professional"]
    id: str
    pseudonym: str


class PracticeRefusal(TranslatableError):
    """Something the practice will not do. ``message`` is a gettext msgid with
    ``{placeholders}`` from ``params``: ``str()`` gives it in English, :meth:`translated` in the
    reader's language (the served app shows it to the patient or professional)."""


class Refused(PracticeRefusal):
    """A code or a request that cannot be honoured; the message never says why in detail."""

    def __init__(self, message: str = REFUSED_CODE, /, **params: object) -> None:
        super().__init__(message, **params)


class TooManyAttempts(PracticeRefusal):
    """Too many failed attempts lately, from this client or in all: try later."""

    def __init__(self) -> None:
        super().__init__(TOO_MANY)


def invite_link(public_url: str, code: str) -> str:
    """The link a professional may hand out instead of (or beside) the code."""
    return f"{public_url.rstrip('/')}/#{INVITE_PARAMETER}={quote(code)}"


def redeem(
    url: str, code: str, client_key: str, *, clock: Clock | None = None
) -> tuple[Principal, str]:
    """Exchanges an invite code (once) or a login code for a principal and a session token.

    Raises :class:`TooManyAttempts` before looking at the code when the limit is reached, and
    :class:`Refused` for a code that is unknown, used, expired or revoked."""
    token = ""
    with connected(url) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (REDEEM_LOCK,))
        moment = now(connection, clock)
        if _too_many_failures(connection, client_key, moment):
            raise TooManyAttempts
        principal = _use_code(connection, code, moment)
        if principal is None:
            connection.execute(
                "INSERT INTO practice_failed_attempts (client_hash, at) VALUES (%s, %s)",
                (client_hash(client_key), moment),
            )
        else:
            token = _new_session(connection, principal, moment)
            audit.record(
                connection,
                moment,
                _actor(principal),
                audit.SIGN_IN,
                *_patient_of(principal),
            )
    if principal is None:
        raise Refused
    return principal, token


def _too_many_failures(
    connection: psycopg.Connection[tuple[Any, ...]], client_key: str, moment: datetime
) -> bool:
    connection.execute(
        "DELETE FROM practice_failed_attempts WHERE at < %s", (moment - FAILURES_KEPT,)
    )
    row = connection.execute(
        "SELECT count(*) FILTER (WHERE client_hash = %s), count(*)"
        " FROM practice_failed_attempts WHERE at > %s AND at <= %s",
        (client_hash(client_key), moment - FAILURE_WINDOW, moment),
    ).fetchone()
    assert row is not None
    from_client, overall = int(row[0]), int(row[1])
    return from_client >= FAILURES_PER_CLIENT or overall >= FAILURES_OVERALL


def _use_code(
    connection: psycopg.Connection[tuple[Any, ...]], code: str, moment: datetime
) -> Principal | None:
    """The principal of a usable code, marking an invite used; None otherwise."""
    typed_hash = code_hash(code)
    row = connection.execute(
        "SELECT c.code_hash, c.purpose, c.patient_id, c.professional_id, p.pseudonym, pro.name"
        " FROM practice_codes c"
        " LEFT JOIN practice_patients p ON p.patient_id = c.patient_id"
        " LEFT JOIN practice_professionals pro ON pro.id = c.professional_id"
        " WHERE c.code_hash = %s AND c.revoked_at IS NULL"
        " AND (c.expires_at IS NULL OR c.expires_at > %s)"
        " AND (c.purpose = 'login' OR c.used_at IS NULL)"
        " FOR UPDATE OF c",
        (typed_hash, moment),
    ).fetchone()
    if row is None or not same_hash(row[0], typed_hash):
        return None
    _, purpose, patient_id, professional_id, pseudonym, name = row
    connection.execute(
        "UPDATE practice_codes SET used_at = %s WHERE code_hash = %s", (moment, typed_hash)
    )
    if purpose == "invite" and pseudonym is not None:
        connection.execute(
            "UPDATE practice_patients SET last_active_at = %s WHERE patient_id = %s",
            (moment, patient_id),
        )
        return Principal("patient", str(patient_id), str(pseudonym))
    if purpose == "login" and name is not None:
        return Principal("professional", str(professional_id), str(name))
    return None


def _new_session(
    connection: psycopg.Connection[tuple[Any, ...]], principal: Principal, moment: datetime
) -> str:
    token = new_session_token()
    patient_id, professional_id = _owner_columns(principal)
    connection.execute(
        "INSERT INTO practice_web_sessions (token_hash, patient_id, professional_id, created_at,"
        " last_seen_at, expires_at) VALUES (%s, %s, %s, %s, %s, %s)",
        (
            token_hash(token),
            patient_id,
            professional_id,
            moment,
            moment,
            moment + _idle(principal.kind),
        ),
    )
    return token


def principal_for(url: str, token: str, *, clock: Clock | None = None) -> Principal | None:
    """Who the session token belongs to; None when unknown, expired or revoked.

    Using a session keeps it alive (and marks the patient active, for retention)."""
    if not token:
        return None
    with connected(url) as connection:
        moment = now(connection, clock)
        given_hash = token_hash(token)
        row = connection.execute(
            "SELECT s.token_hash, s.patient_id, s.professional_id, p.pseudonym, pro.name,"
            " s.last_seen_at"
            " FROM practice_web_sessions s"
            " LEFT JOIN practice_patients p ON p.patient_id = s.patient_id"
            " LEFT JOIN practice_professionals pro ON pro.id = s.professional_id"
            " WHERE s.token_hash = %s AND s.revoked_at IS NULL AND s.expires_at > %s",
            (given_hash, moment),
        ).fetchone()
        if row is None or not same_hash(row[0], given_hash):
            return None
        _, patient_id, professional_id, pseudonym, name, last_seen = row
        if patient_id is not None and pseudonym is not None:
            principal = Principal("patient", str(patient_id), str(pseudonym))
        elif professional_id is not None and name is not None:
            principal = Principal("professional", str(professional_id), str(name))
        else:
            return None
        if moment - last_seen >= TOUCH_EVERY:
            _touch(connection, token, principal, moment)
    return principal


def _touch(
    connection: psycopg.Connection[tuple[Any, ...]],
    token: str,
    principal: Principal,
    moment: datetime,
) -> None:
    with connection.transaction():
        connection.execute(
            "UPDATE practice_web_sessions SET last_seen_at = %s, expires_at = %s"
            " WHERE token_hash = %s",
            (moment, moment + _idle(principal.kind), token_hash(token)),
        )
        if principal.kind == "patient":
            connection.execute(
                "UPDATE practice_patients SET last_active_at = greatest(last_active_at, %s)"
                " WHERE patient_id = %s",
                (moment, principal.id),
            )


def revoke(url: str, token: str, *, clock: Clock | None = None) -> None:
    """Ends one browser session (signing out); an unknown token is no error."""
    with connected(url) as connection:
        connection.execute(
            "UPDATE practice_web_sessions SET revoked_at = %s"
            " WHERE token_hash = %s AND revoked_at IS NULL",
            (now(connection, clock), token_hash(token)),
        )


def revoke_all(
    url: str, principal: Principal, *, clock: Clock | None = None, actor: audit.Actor | None = None
) -> int:
    """Ends every browser session of a patient or professional; returns how many ended."""
    column = "patient_id" if principal.kind == "patient" else "professional_id"
    with connected(url) as connection, connection.transaction():
        moment = now(connection, clock)
        ended = connection.execute(
            f"UPDATE practice_web_sessions SET revoked_at = %s"
            f" WHERE {column} = %s AND revoked_at IS NULL",
            (moment, principal.id),
        ).rowcount
        audit.record(
            connection,
            moment,
            actor or _actor(principal),
            audit.REVOKE,
            *_patient_of(principal),
            detail={"sessions": ended, "of": principal.kind, "id": principal.id},
        )
    return ended


def _idle(kind: str) -> timedelta:
    return PATIENT_IDLE if kind == "patient" else PROFESSIONAL_IDLE


def _owner_columns(principal: Principal) -> tuple[str | None, str | None]:
    """(patient_id, professional_id) of a session row."""
    if principal.kind == "patient":
        return principal.id, None
    return None, principal.id


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(principal.kind, principal.id, principal.pseudonym)


def _patient_of(principal: Principal) -> tuple[str | None, str | None]:
    """(patient_id, pseudonym) for the audit row: set when the principal is a patient."""
    if principal.kind == "patient":
        return principal.id, principal.pseudonym
    return None, None
