"""One module owns time: clocks, day counting from onset, nobody else reads the clock."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from companion.clock import Clock, FixedClock, SystemClock, days_since

PACKAGE = Path(__file__).resolve().parent.parent / "companion"


def test_system_clock_is_timezone_aware_and_agrees_with_itself() -> None:
    clock = SystemClock()
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() is not None
    assert clock.today() in (now.date(), now.date() + timedelta(days=1))
    assert isinstance(clock, Clock)


def test_fixed_clock_stands_still_until_moved() -> None:
    start = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    clock = FixedClock(start)
    assert clock.now() == start
    assert clock.now() == start
    clock.advance(days=2, hours=20)
    assert clock.now() == datetime(2025, 3, 4, 4, 30, tzinfo=UTC)
    assert clock.today() == date(2025, 3, 4)
    clock.set(date(2025, 1, 1))
    assert clock.today() == date(2025, 1, 1)
    assert clock.now().tzinfo is not None
    assert isinstance(clock, Clock)


def test_fixed_clock_refuses_naive_times_and_going_back() -> None:
    with pytest.raises(ValueError, match="no timezone"):
        FixedClock(datetime(2025, 3, 1, 8, 30))
    clock = FixedClock(date(2025, 3, 1))
    with pytest.raises(ValueError, match="no timezone"):
        clock.set(datetime(2025, 3, 2, 8, 30))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(days=-1)


def test_the_day_the_pain_began_is_day_zero() -> None:
    clock = FixedClock(date(2025, 3, 1))
    assert days_since(date(2025, 3, 1), clock) == 0
    clock.advance(days=7)
    assert days_since(date(2025, 3, 1), clock) == 7
    clock.advance(hours=14)  # 23:00 the same evening: still day 7
    assert days_since(date(2025, 3, 1), clock) == 7
    clock.advance(hours=1)  # midnight: a new calendar day
    assert days_since(date(2025, 3, 1), clock) == 8


def test_an_onset_in_the_future_is_refused() -> None:
    clock = FixedClock(date(2025, 3, 1))
    with pytest.raises(ValueError, match="after today"):
        days_since(date(2025, 3, 2), clock)


def _reads_the_clock(tree: ast.AST) -> list[int]:
    """Lines calling datetime.now/utcnow/today or date.today (whatever they were imported as)."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"now", "utcnow", "today"}
            and isinstance(node.func.value, ast.Name | ast.Attribute)
        ):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr
            if name in {"datetime", "date", "dt"}:
                lines.append(node.lineno)
    return lines


def test_no_module_but_clock_reads_the_clock() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "clock.py":
            continue
        for line in _reads_the_clock(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert offenders == [], "use an injected companion.clock.Clock instead"


def test_the_clock_scan_finds_a_clock_read() -> None:
    assert _reads_the_clock(ast.parse("import datetime\nx = datetime.date.today()\n")) == [2]
    assert _reads_the_clock(ast.parse("from datetime import datetime\nx = datetime.now()\n"))
