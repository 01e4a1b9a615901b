"""What the SQLite and the PostgreSQL store share, so that the two cannot drift apart.

The JSON a store writes, the records it builds from its rows once a backend has decoded
the columns, the checks before an episode ends, and the export's format: one place for
the promises both backends make (see :class:`companion.store.protocol.Store`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from companion.care.plan import PlanError, parse_plan
from companion.dialogue.conditions import AnswerValue
from companion.store.errors import StorageError
from companion.store.records import Episode, Event, ReadOutcome, StoredPlan, StoredSession
from companion.texts.i18n import N_

EXPORT_FORMAT = "companion-export"
EXPORT_VERSION = 1
DEFAULT_PERSON = "me"

PLAN_UNREADABLE = N_("a stored plan cannot be read: {problem}")


def to_json(value: Any) -> str:
    """The JSON text a store writes; a value that is not JSON is a TypeError, not a row."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"cannot store {value!r}: not JSON ({err})") from None


def stored_plan(plan_id: int, at: str, data: Any, source: str) -> StoredPlan:
    """A plan row (its JSON decoded) as a record; a plan that no longer validates is a
    :class:`StorageError` naming ``source``."""
    try:
        plan = parse_plan(data, source)
    except PlanError as err:
        raise StorageError(PLAN_UNREADABLE, problem=str(err)) from None
    return StoredPlan(plan_id, datetime.fromisoformat(at), plan)


def stored_session(
    row: Sequence[Any], inputs: dict[str, AnswerValue], read: ReadOutcome
) -> StoredSession:
    """A session row (key, flow_id, language, region, inputs, episode, started_at,
    finished_at, ...) as a record, with its inputs and outcome already decoded."""
    return StoredSession(
        key=row[0],
        flow_id=row[1],
        language=row[2],
        region=row[3],
        inputs=inputs,
        episode=row[5],
        started_at=datetime.fromisoformat(row[6]),
        finished_at=datetime.fromisoformat(row[7]) if row[7] else None,
        outcome=read.outcome,
        set_aside=read.set_aside,
        unreadable=read.unreadable,
    )


def episode_to_end(current: Episode | None, ended: date) -> Episode:
    """The current episode when it may end on ``ended``; a ValueError says why not."""
    if current is None:
        raise ValueError("there is no episode to end")
    if current.ended is not None:
        raise ValueError(f"episode {current.id} already ended on {current.ended.isoformat()}")
    if ended < current.onset:
        raise ValueError(
            f"the end {ended.isoformat()} is before the onset {current.onset.isoformat()}"
        )
    return current


def exported_events(events: Sequence[Event]) -> list[dict[str, Any]]:
    """The events as an export lists them."""
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "person": e.person,
            "kind": e.kind,
            "payload": e.payload,
        }
        for e in events
    ]
