"""The practice load benchmark (issue 15): many patients' daily check-ins on one PostgreSQL.

    .venv/bin/python benchmarks/practice.py [--patients 1000] [--at-once 16] [--processes 1]

It starts its own throwaway PostgreSQL (``tests/postgres.py``, with fsync and synchronous
commit on, as in production: every accepted answer is on disk before the next question),
makes a database, and:

1. prepares ``--patients`` patients as the day after their first triage (self-care),
   education and a walking plan: one through the journey, the others copied from it through
   the store (not timed);
2. lets every patient do the day's check-in through the journey, as the served app does but
   without a screen: open the patient's store, ``Journey.next()``, answer each question
   (a calm check-in), close. ``--at-once`` patients at a time, spread over ``--processes``
   processes (threads within each). Timed: the wall time of all check-ins, and each answer
   (from the patient's answer to the next question, the answer committed in between);
3. measures the database's tables before and after, for the size per patient-year
   (a year of daily check-ins plus what the first day stores).

``benchmarks/run.py`` calls :func:`measure` with one and with two processes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PREPARED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CHECKIN_DAY = date(2026, 3, 3)
TRIAGE_FACTS: Mapping[str, Any] = {"age": 38, "sex": "female", "pain_duration_days": 2}
CALM_CHECKIN: Mapping[str, Any] = {
    "quota_done": "done",
    "pain_now": 3,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}
DAYS_PER_YEAR = 365


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- preparing patients (not timed) ------------------------------------------------------


def prepare_reference(url: str) -> str:
    """One patient through the journey: triage (self-care), education, a walking plan."""
    from companion.care.plan import generate_plan
    from companion.clock import FixedClock
    from companion.journey.journey import Journey
    from companion.resources import builtin_library
    from companion.store.postgres import PostgresStore, create_patient

    patient = create_patient(url)
    clock = FixedClock(PREPARED_AT)
    with PostgresStore.open(url, patient, clock) as store:
        store.set_setting("language", "nl")
        journey = Journey(builtin_library(), store, clock, "nl", None)
        for facts in (TRIAGE_FACTS, {}):
            conversation = journey.next()
            assert conversation is not None
            talk(conversation, facts)
        store.save_plan(
            generate_plan(
                [10, 10, 10],
                30,
                PREPARED_AT.date(),
                kind="walking",
                unit="minutes",
                step_every_days=3,
                weeks=8,
            )
        )
        # A plan given before the set-up: the set-up still asks its function part (nothing named).
        while (conversation := journey.next()) is not None:
            talk(conversation, {})
    return patient


def talk(conversation: Any, facts: Mapping[str, Any]) -> None:
    """Answers a whole conversation from ``facts`` (anything else: no), as a vignette does."""
    from companion.commands.timeline import answer_from_facts

    turn = conversation.start()
    while turn.outcome is None:
        assert turn.question is not None
        turn = answer_from_facts(conversation, turn.question, facts, (), "no", [])


def copy_patient(url: str, reference: str) -> str:
    """A new patient whose stored days are the reference's, written through the store."""
    from companion.clock import FixedClock
    from companion.store.postgres import PostgresStore, create_patient

    clock = FixedClock(PREPARED_AT)
    patient = create_patient(url)
    with (
        PostgresStore.open(url, reference, clock) as source,
        PostgresStore.open(url, patient, clock) as copy,
    ):
        for key, value in source.settings().items():
            copy.set_setting(key, value)
        episode = source.current_episode()
        if episode is not None:
            copy.start_episode(episode.onset)
        for event in source.events():
            copy.append(event.kind, event.payload, event.person)
        for session in source.sessions():
            key = copy.start_session(
                session.flow_id, session.language, session.region, session.inputs
            )
            for answer in source.answers_of(session.key):
                copy.record_answer(key, session.flow_id, answer.question_id, answer.value)
            if session.outcome is not None:
                copy.finish_session(key, session.outcome)
        plan = source.current_plan()
        if plan is not None:
            copy.save_plan(plan)
    return patient


def copies_of(url: str, reference: str, count: int, at_once: int) -> list[str]:
    with ThreadPoolExecutor(at_once) as pool:
        return list(pool.map(lambda _: copy_patient(url, reference), range(count)))


# --- the timed check-ins -----------------------------------------------------------------


@dataclass
class WorkerResult:
    started: float
    ended: float
    answer_ms: list[float]
    checkins: int


class TimedConversation:
    """A journey conversation whose answers are timed (engine, journey and the commit)."""

    def __init__(self, conversation: Any, times: list[float]) -> None:
        self._conversation = conversation
        self._times = times

    def answer(self, text: str) -> Any:
        return self._timed(self._conversation.answer, text)

    def choose(self, value: str) -> Any:
        return self._timed(self._conversation.choose, value)

    def _timed(self, step: Any, given: str) -> Any:
        before = time.perf_counter()
        turn = step(given)
        self._times.append((time.perf_counter() - before) * 1000)
        return turn


def check_in(connections: Any, patient: str, library: Any, day: date, times: list[float]) -> None:
    """One patient's check-in of ``day`` through the journey, as the served app runs it."""
    from companion.clock import FixedClock
    from companion.commands.timeline import answer_from_facts
    from companion.journey.journey import CHECKIN, Journey
    from companion.store.postgres import PostgresStore

    clock = FixedClock(day)
    with PostgresStore.open(connections.url, patient, clock, connections=connections) as store:
        conversation = Journey(library, store, clock, "nl", None).next()
        assert conversation is not None and conversation.flow_id == CHECKIN
        timed = TimedConversation(conversation, times)
        turn = conversation.start()
        while turn.outcome is None:
            assert turn.question is not None
            turn = answer_from_facts(timed, turn.question, CALM_CHECKIN, (), "no", [])


def run_worker(
    url: str, patients: list[str], day: date, threads: int, keep: bool, go: Any = None
) -> WorkerResult:
    """Check-ins of ``patients``, ``threads`` at a time; waits for ``go()`` once warm.
    ``keep``: the process keeps idle connections for its next check-ins."""
    from companion.resources import builtin_library
    from companion.store.postgres import StoreConnections

    library = builtin_library()
    connections = StoreConnections(url, keep=threads if keep else 0)
    per_thread: list[list[float]] = [[] for _ in patients]
    if go is not None:
        go()
    started = time.time()
    with ThreadPoolExecutor(threads) as pool:
        for done in pool.map(
            lambda n: check_in(connections, patients[n], library, day, per_thread[n]),
            range(len(patients)),
        ):
            del done
    ended = time.time()
    connections.close()
    answers = [ms for times in per_thread for ms in times]
    return WorkerResult(started, ended, answers, len(patients))


@dataclass(frozen=True)
class Scenario:
    processes: int
    keep_connections: bool
    suffix: str


SCENARIOS = (
    Scenario(1, True, ""),
    Scenario(2, True, "_2proc"),
    Scenario(1, False, "_new_connections"),
)
"""One serving process, two, and one that connects anew for every patient's visit."""


def run_processes(
    url: str, patients: list[str], day: date, at_once: int, scenario: Scenario
) -> WorkerResult:
    """The check-ins in worker processes, started together once all are warm."""
    share = [patients[n :: scenario.processes] for n in range(scenario.processes)]
    threads = max(1, at_once // scenario.processes)
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in share
    ]
    for worker, mine in zip(workers, share, strict=True):
        assert worker.stdin is not None
        order = {"patients": mine, "day": day.isoformat(), "keep": scenario.keep_connections}
        worker.stdin.write(json.dumps(order) + "\n")
        worker.stdin.flush()
    for worker in workers:  # each says "ready" when warm
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.close()
    results = []
    for worker in workers:
        assert worker.stdout is not None
        output = worker.stdout.read()
        if worker.wait() != 0:
            raise SystemExit(f"a benchmark worker failed ({worker.returncode})")
        results.append(WorkerResult(**json.loads(output)))
    return WorkerResult(
        min(r.started for r in results),
        max(r.ended for r in results),
        [ms for r in results for ms in r.answer_ms],
        sum(r.checkins for r in results),
    )


def _worker_main(url: str, threads: int) -> int:
    order = json.loads(sys.stdin.readline())

    def wait_for_go() -> None:
        print("ready", flush=True)
        sys.stdin.readline()

    day = date.fromisoformat(order["day"])
    result = run_worker(url, order["patients"], day, threads, order["keep"], wait_for_go)
    print(json.dumps(result.__dict__))
    return 0


# --- size ------------------------------------------------------------------------------------


def tables_bytes(url: str) -> int:
    """The companion's tables with their indexes and TOAST, after a VACUUM."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute("VACUUM")
        row = owner.execute(
            "SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        ).fetchone()
    return int(row[0]) if row else 0


def server_load() -> str:
    """The machine's load when measured (it is shared): 1, 5 and 15 minute averages."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# --- all together ------------------------------------------------------------------------------


def measure(
    patients: int = 1000, at_once: int = 16, scenarios: tuple[Scenario, ...] = SCENARIOS
) -> dict[str, float]:
    """Check-ins per second and answer times for each scenario (one check-in day each, on
    the same patients), and the size per patient-year (from the first day)."""
    from companion.store.postgres import migrate
    from tests.postgres import start_server

    server = start_server(durable=True)
    results: dict[str, float] = {}
    try:
        url = server.new_database()
        migrate(url)
        reference = prepare_reference(url)
        everyone = [reference, *copies_of(url, reference, patients - 1, at_once)]
        first_day = tables_bytes(url) / patients
        for day_number, scenario in enumerate(scenarios):
            before = tables_bytes(url)
            day = CHECKIN_DAY + timedelta(days=day_number)
            run = run_processes(url, everyone, day, at_once, scenario)
            if day_number == 0:
                per_checkin = (tables_bytes(url) - before) / run.checkins
                results["practice_db_mb_per_patient_year"] = round(
                    (first_day + DAYS_PER_YEAR * per_checkin) / 1e6, 2
                )
            results.update(summary(run, scenario.suffix))
    finally:
        server.remove()
    return results


def summary(run: WorkerResult, suffix: str) -> dict[str, float]:
    return {
        f"practice_checkins_per_s{suffix}": round(run.checkins / (run.ended - run.started), 1),
        f"practice_answer_p50_ms{suffix}": round(statistics.median(run.answer_ms), 2),
        f"practice_answer_p99_ms{suffix}": round(_percentile(run.answer_ms, 0.99), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--at-once", type=int, default=16)
    parser.add_argument("--worker", nargs=2, metavar=("URL", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args.worker[0], int(args.worker[1]))
    load = server_load()
    results = measure(args.patients, args.at_once)
    print(json.dumps({**results, "load_before": load, "load_after": server_load()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
