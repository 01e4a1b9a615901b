"""The four triage dispositions, most urgent first, and what each one means for the episode.

Every place that asks "did this escalate?" or "does self-management go on?" asks here,
so that a new disposition or a changed rule is one edit (clinical brief sections 2-4).
"""

from __future__ import annotations

from companion.dialogue.flow import DISPOSITIONS, Disposition

ORDERED: tuple[Disposition, ...] = DISPOSITIONS
"""Most urgent first: emergency, gp_today, gp_soon, self_care."""

ESCALATING: frozenset[str] = frozenset({"emergency", "gp_today", "gp_soon"})
"""Advice to see a doctor: the escalation screen (``gp_soon`` a calmer one) and the report."""

URGENT: frozenset[str] = frozenset({"emergency", "gp_today"})
"""Advice that cuts the path short: it stands until the patient reports acting on it."""

SELF_CARE_PATH: frozenset[str] = frozenset({"self_care", "gp_soon"})
"""Triage outcomes after which self-management goes on."""


def escalated(disposition: str | None) -> bool:
    """The advice sends the patient to a doctor (soon, today or now)."""
    return disposition in ESCALATING


def urgent(disposition: str | None) -> bool:
    """The doctor is needed today or now: the companion stops until this is acted on."""
    return disposition in URGENT


def continues_self_care(disposition: str | None) -> bool:
    """Self-management (education, plan, check-ins) goes on after this advice.

    An unknown or missing disposition never does: it is screened again."""
    return disposition in SELF_CARE_PATH
