"""A professional assigns or replaces a patient's homework plan (a TOML plan file's text).

The text is checked exactly as ``companion plan import`` checks a file
(:func:`companion.commands.homework.check_plan_file`: the same limits, the dates around today,
the languages of the content packs) and saved with the patient's store ``save_plan``; the
earlier plan stays in the history. Both the change and a refusal are audit rows.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from pathlib import Path

from companion.care.plan import Plan
from companion.clock import Clock, SystemClock
from companion.commands.homework import FileProblem, check_plan_file, pack_languages
from companion.practice import audit
from companion.practice.accounts import require_access
from companion.practice.db import connected, now

PLAN_NAME = "plan.toml"
"""The name problems are reported under (the text came from a form or an upload)."""
PLAN_ASSIGNED = "plan_assigned"
"""Event in the patient's store: a professional assigned the current plan."""


class PlanRejected(ValueError):
    """The plan text has problems; ``problems`` lists each with its field and line."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def check_plan_text(
    plan_toml_text: str, today: date, content_dir: Path | None = None
) -> tuple[Plan | None, list[FileProblem]]:
    """The plan and no problems, or None and every problem (as ``companion plan check``)."""
    with tempfile.TemporaryDirectory(prefix="companion-plan-") as folder:
        path = Path(folder) / PLAN_NAME
        path.write_text(plan_toml_text, encoding="utf-8")
        plan, problems = check_plan_file(path, today, pack_languages(content_dir))
    return plan, [dataclasses.replace(problem, file=PLAN_NAME) for problem in problems]


def assign(
    url: str,
    professional_id: str,
    patient_id: str,
    plan_toml_text: str,
    *,
    clock: Clock | None = None,
    content_dir: Path | None = None,
) -> Plan:
    """Makes the plan the patient's current plan. Raises :class:`Refused` for a patient who
    is not the professional's, :class:`PlanRejected` for a plan with problems."""
    from companion.store.postgres import PostgresStore

    clock = clock or SystemClock()
    with connected(url) as connection:
        moment = now(connection, clock)
        actor, pseudonym = require_access(
            connection, professional_id, patient_id, audit.HOMEWORK_ASSIGN, moment
        )
        plan, problems = check_plan_text(plan_toml_text, clock.today(), content_dir)
        if plan is None:
            audit.record(
                connection,
                moment,
                actor,
                audit.HOMEWORK_ASSIGN,
                patient_id,
                pseudonym,
                audit.REFUSED,
                {"problems": len(problems)},
            )
            raise PlanRejected(problems)
        with PostgresStore.open(url, patient_id, clock) as store:
            store.save_plan(plan)
            store.append(PLAN_ASSIGNED, {"by": actor.name, "professional": actor.id})
        audit.record(
            connection,
            moment,
            actor,
            audit.HOMEWORK_ASSIGN,
            patient_id,
            pseudonym,
            detail={"activities": len(plan.activities), "start": plan.start.isoformat()},
        )
    return plan
