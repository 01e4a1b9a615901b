"""Performance benchmarks for the companion (run by hand; pytest does not collect them).

    .venv/bin/python benchmarks/run.py            # a table with targets and pass/fail
    .venv/bin/python benchmarks/run.py --json     # one JSON object, the numbers only

Measures (issue 7):

* ``engine_step_us_median`` / ``_p99``: engine time per answered question, over
  many triage sessions answered at random (deterministic seed);
* ``bare_transitions_step_us_median``: a bare ``transitions`` Machine with the
  same states and transitions and trivial conditions, stepped along the same
  paths (one step = from one question to the next);
* ``engine_overhead_ratio``: engine median / bare median (target <= 3);
* ``load_flows_ms``: loading and validating all flows and content (target < 100);
* ``simulate_cold_start_s``: a fresh ``python -m companion simulate <vignette>``
  process, median of a few runs (target < 0.5);
* ``sessions_10k_mb``: memory of 10,000 concurrent in-process sessions, each a
  few answers in, measured with tracemalloc (target < 200);
* ``vignettes_per_s``: ``companion simulate`` throughput in process;
* ``app_first_question_s``: a fresh process that starts the Textual app headless
  (``App.run_test``, 80x24) until the first triage question is on screen, median
  of a few runs (no target; the start-up a patient waits for).
* ``practice_*`` (issue 15, ``benchmarks/practice.py``): 1,000 patients doing a daily
  check-in through the journey against one throwaway PostgreSQL (fsync on), 16 at a time:
  ``practice_checkins_per_s`` (target >= 200) and ``practice_answer_p50_ms`` /
  ``practice_answer_p99_ms`` per answer (p99 target < 50) with one serving process;
  the same with two processes (``_2proc``) and with a new connection for every visit
  (``_new_connections``); ``practice_db_mb_per_patient_year``. Left out (said on stderr)
  when PostgreSQL is not installed; ``--patients 0`` leaves them out too.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIGNETTES = ROOT.parent / "shared" / "vignettes" / "triage"
FALLBACK_VIGNETTES = ROOT / "tests" / "timelines"

TARGETS: dict[str, tuple[str, float]] = {
    "engine_overhead_ratio": ("<=", 3.0),
    "load_flows_ms": ("<", 100.0),
    "simulate_cold_start_s": ("<", 0.5),
    "sessions_10k_mb": ("<", 200.0),
    "practice_checkins_per_s": (">=", 200.0),
    "practice_answer_p99_ms": ("<", 50.0),
}
UNITS = {
    "engine_step_us_median": "us",
    "engine_step_us_p99": "us",
    "bare_transitions_step_us_median": "us",
    "engine_overhead_ratio": "x",
    "load_flows_ms": "ms",
    "simulate_cold_start_s": "s",
    "sessions_10k_mb": "MB",
    "vignettes_per_s": "/s",
    "app_first_question_s": "s",
    "practice_db_mb_per_patient_year": "MB",
    **{
        f"practice_{name}{suffix}": unit
        for name, unit in (
            ("checkins_per_s", "/s"),
            ("answer_p50_ms", "ms"),
            ("answer_p99_ms", "ms"),
        )
        for suffix in ("", "_2proc", "_new_connections")
    },
}

APP_PROBE = """
import asyncio, sys, tempfile, time
from pathlib import Path
from companion.app.app import CompanionApp
from companion.app.chat import ChatScreen
from companion.resources import load_library

async def first_question() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = CompanionApp(load_library(), Path(folder) / "data", language="nl")
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(2000):
                screens = [s for s in app.screen_stack if isinstance(s, ChatScreen)]
                if screens and screens[0].question is not None:
                    return
                await pilot.pause(0.005)
            sys.exit("no question after 10 s")

asyncio.run(first_question())
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- engine vs bare transitions --------------------------------------------------------


def _random_reply(session: Any, question: Any, rng: random.Random) -> Any:
    """Mostly "no" (long sessions), sometimes yes / don't know / a typed number."""
    if question.answer_type == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 100
        return lambda: session.answer(str(rng.randint(low, min(high, 90))))
    values = [c.value for c in question.choices]
    if question.answer_type == "yes_no":
        roll = rng.random()
        value = "yes" if roll < 0.03 else "unknown" if roll < 0.05 and "unknown" in values else "no"
    else:
        value = rng.choice(values)
    return lambda: session.choose(value)


def engine_steps(library: Any, sessions: int, seed: int = 7) -> tuple[list[float], list[list[str]]]:
    """Per-answer engine times (us) and, per session, the states visited in order."""
    rng = random.Random(seed)
    times: list[float] = []
    paths: list[list[str]] = []
    clock = time.perf_counter_ns
    for n in range(sessions):
        session = library.session("triage", "nl" if n % 2 else "fr")
        turn = session.start()
        path = [session.state]
        while turn.outcome is None:
            step = _random_reply(session, turn.question, rng)
            before = clock()
            turn = step()
            times.append((clock() - before) / 1000)
            path.append(session.state)
        paths.append(path)
    return times, paths


def bare_steps(library: Any, sessions: int, seed: int = 7) -> list[float]:
    """A bare Machine with the triage flow's states and transitions, trivial conditions.

    Stepped along the same paths the engine took: one step runs the triggers from
    one question state to the next (through message and branch states).
    """
    from transitions import Machine

    flow = library.flows["triage"].flow
    _, paths = engine_steps(library, sessions, seed)

    class Model:
        __slots__ = ("route", "state")

    def go(event: Any) -> bool:
        model = event.model
        return model.route.get(model.state) == event.transition.dest

    machine = Machine(
        model=None,
        states=list(flow.states),
        initial=flow.start,
        auto_transitions=False,
        send_event=True,
    )
    for name, state in flow.states.items():
        for transition in getattr(state, "next", ()):
            conditions = [] if transition.when is None else [go]
            machine.add_transition("advance", name, transition.to, conditions=conditions)
    advance = machine.events["advance"]
    questions = set(flow.questions())

    # Each engine path lists the question states; rebuild the full route the
    # bare machine must take between them by following the same conditions.
    times: list[float] = []
    clock = time.perf_counter_ns
    for path in paths:
        full = _full_route(library, path)
        model = Model()
        model.route = dict(itertools.pairwise(full))
        model.state = flow.start
        # start: move through the intro states to the first question (not timed,
        # the engine's start() is not timed either)
        while model.state not in questions and model.state in model.route:
            advance.trigger(model)
        while model.state in model.route:
            before = clock()
            advance.trigger(model)
            while model.state not in questions and model.state in model.route:
                advance.trigger(model)
            times.append((clock() - before) / 1000)
    return times


def _full_route(library: Any, question_path: list[str]) -> list[str]:
    """Every state between the questions of an engine path (replayed with the engine)."""
    flow = library.flows["triage"].flow
    route = [flow.start]
    # Replay the transitions structurally: from each state, the first transition
    # whose target leads (without passing another question) to the next question.
    targets = question_path[1:] if question_path[0] == flow.start else question_path
    for target in targets:
        while route[-1] != target:
            state = flow.states[route[-1]]
            nexts = [t.to for t in getattr(state, "next", ())]
            route.append(_towards(flow, nexts, target))
    return route


def _towards(flow: Any, candidates: list[str], target: str) -> str:
    # A question that may be skipped (ask_when) can lie between two asked ones.
    questions = {n for n, q in flow.questions().items() if not q.may_be_skipped}
    for first in candidates:
        seen, frontier = set(), [first]
        while frontier:
            here = frontier.pop()
            if here == target:
                return first
            if here in seen or (here in questions and here != first):
                continue
            seen.add(here)
            frontier += [t.to for t in getattr(flow.states[here], "next", ())]
    raise AssertionError(f"no way to {target} from {candidates}")


# --- loading, cold start, memory, throughput --------------------------------------------------


def load_flows_ms(repeat: int = 7) -> float:
    from companion.resources import load_library

    load_library()  # imports and file cache warm: what is measured is the loading itself
    samples = []
    for _ in range(repeat):
        before = time.perf_counter()
        load_library()
        samples.append((time.perf_counter() - before) * 1000)
    return statistics.median(samples)


def _one_vignette() -> Path:
    files = sorted(VIGNETTES.glob("*.json")) if VIGNETTES.is_dir() else []
    if not files:
        files = sorted(FALLBACK_VIGNETTES.glob("*.json"))
    if not files:
        raise SystemExit("no vignette found for the cold-start benchmark")
    return files[0]


def simulate_cold_start_s(repeat: int = 5) -> float:
    vignette = _one_vignette()
    samples = []
    for _ in range(repeat):
        before = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "companion", "simulate", str(vignette)],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        samples.append(time.perf_counter() - before)
        if done.returncode not in (0, 1):
            raise SystemExit(f"simulate failed: {done.stderr.decode(errors='replace')}")
    return statistics.median(samples)


def app_first_question_s(repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", APP_PROBE], check=True, cwd=ROOT, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sessions_10k_mb(library: Any, count: int = 10_000, answers: int = 5) -> float:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sessions = []
    for n in range(count):
        session = library.session("triage", "nl" if n % 2 else "fr")
        turn = session.start()
        for _ in range(answers):
            if turn.outcome is not None:
                break
            turn = session.choose("no")
        sessions.append(session)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(sessions) == count
    return used / 1e6


def vignettes_per_s(library: Any, seconds: float = 1.5) -> float:
    from companion.commands.simulate import simulate

    folder = VIGNETTES if VIGNETTES.is_dir() else _one_vignette()
    done = 0
    before = time.perf_counter()
    while time.perf_counter() - before < seconds:
        run = simulate(folder, library)
        done += len(run.results)
    return done / (time.perf_counter() - before)


# --- report ------------------------------------------------------------------------------


def practice(patients: int) -> dict[str, float]:
    """The PostgreSQL load benchmark; nothing when PostgreSQL or psycopg is not installed."""
    if patients <= 0:
        return {}
    from tests.postgres import find_binaries

    if find_binaries() is None:
        print("practice benchmark left out: PostgreSQL is not installed", file=sys.stderr)
        return {}
    from benchmarks.practice import measure as measure_practice
    from benchmarks.practice import server_load

    print(f"practice benchmark: machine load {server_load()} (1, 5, 15 min)", file=sys.stderr)
    return measure_practice(patients)


def measure(sessions: int = 2000, patients: int = 1000) -> dict[str, float]:
    from companion.resources import load_library

    library = load_library()
    engine_steps(library, 200)  # warm up
    engine, _ = engine_steps(library, sessions)
    bare = bare_steps(library, sessions)
    engine_median = statistics.median(engine)
    bare_median = statistics.median(bare)
    return {
        "engine_step_us_median": round(engine_median, 2),
        "engine_step_us_p99": round(_percentile(engine, 0.99), 2),
        "bare_transitions_step_us_median": round(bare_median, 2),
        "engine_overhead_ratio": round(engine_median / bare_median, 2),
        "load_flows_ms": round(load_flows_ms(), 1),
        "simulate_cold_start_s": round(simulate_cold_start_s(), 3),
        "sessions_10k_mb": round(sessions_10k_mb(library), 1),
        "vignettes_per_s": round(vignettes_per_s(library), 1),
        "app_first_question_s": round(app_first_question_s(), 3),
        **practice(patients),
    }


def passed(name: str, value: float) -> bool | None:
    if name not in TARGETS:
        return None
    op, limit = TARGETS[name]
    compare: dict[str, Callable[[float, float], bool]] = {
        "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b,
    }
    return compare[op](value, limit)


def table(results: dict[str, float]) -> str:
    lines = [f"{'measure':42} {'value':>12}  {'target':>10}  result"]
    for name, value in results.items():
        target = TARGETS.get(name)
        verdict = passed(name, value)
        lines.append(
            f"{name:42} {value:>10} {UNITS[name]:<2}"
            f"{(target[0] + ' ' + format(target[1], 'g')) if target else '':>10}  "
            f"{'' if verdict is None else 'pass' if verdict else 'FAIL'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sessions", type=int, default=2000, help="triage sessions to time")
    parser.add_argument(
        "--patients", type=int, default=1000, help="patients in the PostgreSQL benchmark (0: none)"
    )
    args = parser.parse_args(argv)
    results = measure(args.sessions, args.patients)
    if args.json:
        print(json.dumps(results))
    else:
        print(table(results))
    return 0 if all(passed(n, v) is not False for n, v in results.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
