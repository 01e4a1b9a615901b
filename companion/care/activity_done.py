"""What a check-in's "done?" answers say about each activity of the plan.

A check-in asks "done?" in one of two ways (``flows/checkin.yaml``; clinical brief
section 5, "Burden": a list question counts as one):

- no plan or a one-activity plan: one question, ``quota_done`` (done / partly / not);
- a plan of two or three activities: one list question, ``activities_done`` ("did you
  do all of this today?", each activity with today's amount). "Yes" is done for each
  activity; any other answer asks each activity in short (``activity_N_done``).

:func:`done_per_activity` reads either into one answer per activity, so the report, the
app and the professional's summary need not know how it was asked. Check-ins from before
the per-activity questions asked ``quota_done`` about the whole plan: that answer stands
for each activity of the plan.
"""

from __future__ import annotations

from collections.abc import Mapping

from companion.dialogue.conditions import AnswerValue

WHOLE_PLAN = "quota_done"
"""One "done?" for the plan (no plan, one activity, or a check-in before per-activity ones)."""
ALL_DONE = "activities_done"
"""The list question over 2-3 activities: yes = each activity done."""
ACTIVITY_DONE = ("activity_1_done", "activity_2_done", "activity_3_done")
"""The short question of each activity, in the plan's order (asked after a list not "yes")."""
PLAN_ACTIVITIES = "plan_activities"
"""The check-in's input: how many activities the current plan has (missing = no plan)."""
DONE_ANSWERS = ("done", "partly", "not")
"""A "done?" answer; "I don't know" and no answer are None in what this module returns."""


def done_per_activity(answers: Mapping[str, AnswerValue], activity_count: int) -> list[str | None]:
    """The "done?" answer of each of the plan's first ``activity_count`` activities, from a
    check-in's answers by concept; None where it was not asked or not known."""
    whole_plan = _done(answers.get(WHOLE_PLAN))
    all_done = answers.get(ALL_DONE) is True
    return [
        _activity_done(answers, index, whole_plan, all_done)
        for index in range(min(activity_count, len(ACTIVITY_DONE)))
    ]


def _activity_done(
    answers: Mapping[str, AnswerValue], index: int, whole_plan: str | None, all_done: bool
) -> str | None:
    own = _done(answers.get(ACTIVITY_DONE[index]))
    if own is not None:
        return own
    if all_done:
        return "done"
    return whole_plan


def _done(value: AnswerValue | None) -> str | None:
    return value if isinstance(value, str) and value in DONE_ANSWERS else None
