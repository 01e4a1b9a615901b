"""The concept lists the tests take from ``flows/concepts.yaml`` (``group``) agree with
the independent triage oracle, which keeps its own lists typed from the clinical brief:
a concept moved to the wrong group in the contract fails here, not silently elsewhere."""

from __future__ import annotations

from tests import triage_oracle
from tests.patients import EMERGENCY, SAME_DAY


def test_the_emergency_group_is_the_oracles_emergency_level() -> None:
    assert list(triage_oracle.EMERGENCY) == EMERGENCY


def test_the_same_day_group_is_the_oracles_same_day_level() -> None:
    assert list(triage_oracle.SAME_DAY) == SAME_DAY
