"""The ``Store`` protocol: every operation the rest of the program asks of storage.

Callers (journey, reports, commands, drivers) are typed against this protocol, never
against a backend. The SQLite store (:mod:`companion.store.storage`) implements it on a
patient's own machine; another backend (PostgreSQL, issue 15) implements the same methods
with the same promises and passes ``tests/test_store_contract.py``.

Promises every backend keeps:

- A method that writes has committed when it returns (an acknowledged answer survives a
  crash); a failure is a :class:`~companion.store.errors.StorageError` that says what to
  do, and loses nothing stored before.
- Events and answers are append-only; a session finishes once.
- What comes back is typed (:mod:`companion.store.records`): a finished session's outcome
  is a validated ``Outcome``; an unreadable one says so in ``unreadable``.
- Lists are oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from companion.care.plan import Plan
from companion.clock import Clock
from companion.dialogue.conditions import AnswerValue
from companion.dialogue.engine import Outcome
from companion.store.records import Episode, Event, StoredAnswer, StoredPlan, StoredSession


class Store(Protocol):
    """One person's stored data, open. Close it (or use ``with``) when done."""

    @property
    def clock(self) -> Clock:
        """Where every stored timestamp comes from."""

    @property
    def schema_version(self) -> int: ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # events and settings

    def append(self, kind: str, payload: Any = None, person: str | None = None) -> int:
        """Appends an event (JSON-ready ``payload``); returns its id."""

    def events(self, kind: str | None = None) -> list[Event]: ...

    def settings(self) -> dict[str, str]: ...

    def set_setting(self, key: str, value: str) -> None: ...

    # the episode and the plan

    def start_episode(self, onset: date) -> int:
        """Starts an episode of back pain that began on ``onset``; returns its id."""

    def current_episode(self) -> Episode | None:
        """The latest episode, ended or not; None before the first."""

    def end_episode(self, ended: date) -> None:
        """Ends the current episode on ``ended`` (the back is fine again).

        ValueError when there is no episode, it already ended, or ``ended`` is before its
        onset."""

    def episodes(self) -> list[Episode]:
        """Every episode, oldest first."""

    def save_plan(self, plan: Plan) -> int: ...

    def current_plan(self) -> Plan | None: ...

    def plan_history(self, latest_only: bool = False) -> list[StoredPlan]: ...

    # conversations, answer by answer

    def start_session(
        self,
        flow_id: str,
        language: str,
        region: str | None,
        inputs: Mapping[str, AnswerValue] | None = None,
    ) -> str:
        """Records the start of a conversation in the current episode; returns its key."""

    def record_answer(
        self, session_key: str, flow_id: str, question_id: str, value: AnswerValue
    ) -> None:
        """Stores an accepted answer before the turn that accepted it is shown."""

    def answers_of(self, session_key: str) -> list[StoredAnswer]: ...

    def finish_session(self, session_key: str, outcome: Outcome) -> None:
        """Records the outcome; a session finishes once (ValueError the second time)."""

    def set_aside(self, session_key: str, why: str) -> None:
        """Finishes an abandoned conversation without an outcome (too old, flow changed)."""

    def session(self, session_key: str) -> StoredSession:
        """KeyError when there is no such session."""

    def open_sessions(self) -> list[StoredSession]:
        """Unfinished sessions."""

    def sessions(self) -> list[StoredSession]:
        """Every session (export, tests); callers that decide use the questions below."""

    # questions the journey and the reports ask

    def finished(self, flow_ids: Iterable[str], episode: int | None = None) -> list[StoredSession]:
        """Sessions of these flows that reached an outcome (not set aside), optionally of
        one episode."""

    def latest_finished(self, flow_ids: Iterable[str]) -> StoredSession | None:
        """The last started of :meth:`finished`, without reading the others."""

    def finished_since(self, flow_ids: Iterable[str], since: datetime) -> list[StoredSession]:
        """:meth:`finished` sessions started at or after ``since``."""

    def fired_advice(self, flow_id: str | None = None) -> set[str]:
        """Advice rules that fired in finished sessions of the current episode."""

    # everything

    def export(self) -> dict[str, Any]:
        """Everything stored, JSON-ready, in the ``companion-export`` format."""

    def erase(self) -> list[Any]:
        """Closes the store and deletes everything it holds; returns what was deleted."""
