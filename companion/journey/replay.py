"""Resuming a conversation: the stored answers replayed through a fresh engine session."""

from __future__ import annotations

from collections.abc import Sequence

from companion.dialogue.engine import Session, Turn
from companion.store.errors import StorageError
from companion.store.records import StoredAnswer


def replay(session: Session, answers: Sequence[StoredAnswer]) -> Turn:
    """Gives a fresh engine session the stored answers; returns the turn to show now.

    Each answer must be for the question the session is asking, or correct the
    answer just before it (else the flow changed since it was stored:
    :class:`StorageError`, start over) and must be accepted again.
    """
    turn = session.start()
    for stored in answers:
        asking = session.current_question
        corrected = asking is not None and session.last_answered == stored.question_id
        if corrected and session.state != stored.question_id:
            # The patient corrected the answer just given ("nee, 2 weken"): both are stored.
            turn = session.amend(stored.value)
        elif asking is None or session.state != stored.question_id:
            raise StorageError(
                f"cannot resume: the stored answer to '{stored.question_id}' does not fit the "
                f"flow '{session.flow.id}' any more (it is at '{session.state}')"
            )
        else:
            turn = session.give(stored.value)
        if turn.accepted is None or turn.accepted.question != stored.question_id:
            raise StorageError(
                f"cannot resume: flow '{session.flow.id}' no longer accepts "
                f"{stored.value!r} for '{stored.question_id}'"
            )
    return turn.model_copy(update={"accepted": None}) if answers else turn
