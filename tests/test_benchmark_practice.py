"""The practice load benchmark still runs (benchmarks/practice.py, issue 15).

Run by hand it measures 1,000 patients; here three patients and two at a time show that its
preparation still matches the journey (a new conversation before the check-in broke it once)
and that every number it reports is there. No timing is asserted: timings are the
benchmark's, never the tests'.
"""

from __future__ import annotations

import pytest

from tests.postgres import find_binaries


def test_the_practice_benchmark_runs_every_scenario_on_a_few_patients() -> None:
    if find_binaries() is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl; apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    from benchmarks.practice import measure

    results = measure(patients=3, at_once=2)
    for suffix in ("", "_2proc", "_new_connections"):
        assert results[f"practice_checkins_per_s{suffix}"] > 0
        assert results[f"practice_answer_p50_ms{suffix}"] > 0
        assert (
            results[f"practice_answer_p99_ms{suffix}"] >= results[f"practice_answer_p50_ms{suffix}"]
        )
    assert results["practice_db_mb_per_patient_year"] > 0
