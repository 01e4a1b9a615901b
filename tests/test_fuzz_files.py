"""Fuzzing the files others write: plan files and association packs (overlays).

The real commands run in process (``companion plan check FILE`` and ``companion
check --content DIR`` through :func:`companion.cli.main`) on random bytes,
mutated valid files, deep nesting, huge numbers, dates from year 1 to 9999,
control characters, YAML aliases, odd encodings and special files (FIFO, links
to /dev/zero and /dev/urandom, folders, dangling and looping links). Whatever
the input: the command returns 0 or 1, prints no traceback, names the file in
every problem, and its Python allocations stay under :data:`MEMORY_BOUND`
(measured with tracemalloc). A plan it accepts starts within a year of today.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.care.plan import START_WINDOW, load_plan
from companion.cli import main
from companion.files.untrusted import forbidden_characters
from tests.test_overlay import OVERLAY_YAML, entry

MEMORY_BOUND = 32 * 1024 * 1024
"""Peak Python allocations of one command on a hostile file (tracemalloc), in bytes.
Before the fix, a plan linked to /dev/zero grew to 1.3 GB."""
PROCESS_BOUND = 1024 * 1024 * 1024
"""Peak resident size of the whole test process (``resource``), in bytes: the bound for
``companion check``, whose run under tracemalloc would be three times slower."""
TODAY = date(2026, 3, 3)

VALID_TOML = """\
version = 1
start = 2026-03-02
created_by = "physiotherapist"
therapist = { name = "M. Janssens", contact = "+32 9 123 45 67" }

[[activities]]
kind = "cycling"
name = { nl = "fietsen", fr = "vélo" }
instruction = { nl = "Rustig fietsen.\\nElke dag." }
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 3
weeks = 8
"""
VALID_JSON = json.dumps(
    {
        "start": "2026-03-02",
        "activities": [
            {
                "kind": "walking",
                "name": {"nl": "wandelen", "fr": "marcher"},
                "unit": "minutes",
                "baseline": 10,
                "goal": 30,
                "step_every_days": 3,
                "weeks": 8,
            }
        ],
    },
    ensure_ascii=False,
)
ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-be", "utf-32", "utf-8-sig", "utf-8"]
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run(argv: list[str], trace: bool = True) -> tuple[int, str, int]:
    """``companion ARGV`` in process: exit status, everything printed, peak allocation.

    With ``trace`` the peak is tracemalloc's (Python allocations of this command);
    without (three times faster, for the slower ``check``), the process's peak
    resident size from ``resource``, which must stay under :data:`PROCESS_BOUND`."""
    printed = io.StringIO()
    if trace:
        tracemalloc.start()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = main(argv)
    finally:
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    if not trace:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - PROCESS_BOUND
        peak += MEMORY_BOUND  # under MEMORY_BOUND exactly when under PROCESS_BOUND
    return status, printed.getvalue(), peak


def assert_handled(status: int, printed: str, peak: int, named: Path | None) -> None:
    """Handled: 0 or 1, no traceback, under the bound, every problem names a file
    (``named`` for a plan; an overlay's problem may name the built-in folder it
    differs from), and nothing printed can steer the terminal."""
    assert status in (0, 1), printed
    assert "Traceback" not in printed and "Error:" not in printed, printed
    assert peak < MEMORY_BOUND, f"{peak} bytes"
    if status == 1:
        summary = ("companion check:", "note:")
        problems = [
            line for line in printed.split("\n") if line and not line.startswith((" ", *summary))
        ]
        if named is not None:
            assert problems and all(str(named) in line for line in problems), printed
        else:
            assert problems and all(line.startswith(os.sep) for line in problems), printed
    assert not forbidden_characters(printed, multi_line=True), printed


# --- what hostile files look like ------------------------------------------------------------


def inserted(text: str) -> st.SearchStrategy[bytes]:
    """``text`` with random characters (control and bidi ones included) put somewhere."""
    return st.tuples(st.integers(0, len(text)), st.text(min_size=1, max_size=12)).map(
        lambda cut: (text[: cut[0]] + cut[1] + text[cut[0] :]).encode("utf-8", "replace")
    )


def replaced(text: str, old: str) -> st.SearchStrategy[bytes]:
    """``old`` in ``text`` replaced by a random short text."""
    return st.text(max_size=20).map(lambda new: text.replace(old, new).encode("utf-8", "replace"))


def deep(prefix: str, opener: str, closer: str) -> st.SearchStrategy[bytes]:
    return st.integers(1, 70_000).map(lambda n: (prefix + opener * n + closer * n + "\n").encode())


def encoded(text: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(ENCODINGS).map(lambda name: text.encode(name))


def plan_bytes(valid: str) -> st.SearchStrategy[bytes]:
    start = "2026-03-02"
    return st.one_of(
        st.binary(max_size=4000),
        inserted(valid),
        replaced(valid, "fietsen" if "fietsen" in valid else "wandelen"),
        replaced(valid, "10"),
        st.dates().map(lambda day: valid.replace(start, day.isoformat()).encode()),
        st.integers(1, 6000).map(lambda n: valid.replace("10", "9" * n, 1).encode()),
        deep("x = ", "[", "]"),
        deep('{"x": ', "[", "]").map(lambda b: b.rstrip(b"\n") + b"}"),
        deep("x = ", "{ a = ", "}"),
        encoded(valid),
        st.binary(min_size=1, max_size=8).map(lambda b: b * 9000),
    )


# --- plans -----------------------------------------------------------------------------------


@contextlib.contextmanager
def file_with(data: bytes, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


@SETTINGS
@given(data=plan_bytes(VALID_TOML))
def test_fuzz_toml_plan_files(data: bytes) -> None:
    check_plan(data, "plan.toml")


@SETTINGS
@given(data=plan_bytes(VALID_JSON))
def test_fuzz_json_plan_files(data: bytes) -> None:
    check_plan(data, "plan.json")


def check_plan(data: bytes, name: str) -> None:
    with file_with(data, name) as path:
        status, printed, peak = run(["--today", TODAY.isoformat(), "plan", "check", str(path)])
        assert_handled(status, printed, peak, path)
        if status == 0:
            plan = load_plan(path, TODAY)
            assert abs(plan.start - TODAY) <= START_WINDOW


# --- overlays ------------------------------------------------------------------------------

OVERLAY_FILES = {
    "overlay.yaml": OVERLAY_YAML,
    "regions.yaml": 'BE:\n  values:\n    association_phone: "03 555 12 12"\n',
    "nl/education.yaml": entry("edu.closing", "Bel ons gerust. Wij helpen u graag verder."),
    "nl/regions.yaml": 'region.nl.out_of_hours: "de huisartsenpost"\n',
    "nl/harmful.yaml": '- {pattern: "kapot", why: "schaadt", source: ["003:500"]}\n',
}


def yaml_bytes(valid: str) -> st.SearchStrategy[bytes]:
    bomb = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 8)}]\n" for n in range(9)
    )
    return st.one_of(
        st.binary(max_size=3000),
        inserted(valid),
        replaced(valid, "03 555 12 12" if "03 555" in valid else "e"),
        st.integers(1, 6000).map(lambda n: f"x: {'9' * n}\n".encode()),
        st.dates().map(lambda day: valid.replace("2026-10-01", day.isoformat()).encode()),
        st.sampled_from(["2026-13-45", "2026-02-30", "0000-01-01", "9999-12-31T25:00:00"]).map(
            lambda day: f"reviewed: {day}\n".encode()
        ),
        deep("x: ", "[", "]"),
        deep("x: ", "{a: ", "}"),
        st.just(bomb.encode()),
        encoded(valid + "# café, élève\n"),
        st.binary(min_size=1, max_size=8).map(lambda b: b * 20000),
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(target=st.sampled_from(sorted(OVERLAY_FILES)), data=st.data())
def test_fuzz_overlay_packs(target: str, data: st.DataObject) -> None:
    content = data.draw(yaml_bytes(OVERLAY_FILES[target]))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "pack"
        for name, text in {**OVERLAY_FILES, target: ""}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        (root / target).write_bytes(content)
        status, printed, peak = run(["check", "--content", str(root)], trace=False)
        assert_handled(status, printed, peak, None)


# --- special files -----------------------------------------------------------------------------


def make_special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path.symlink_to({"dev_zero": "/dev/zero", "urandom": "/dev/urandom"}.get(kind, "/nowhere"))


SPECIAL = ["fifo", "directory", "dev_zero", "urandom", "dangling", "loop"]


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_plan_files(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "plan.toml"
    make_special(path, kind)
    status, printed, peak = run(["--today", TODAY.isoformat(), "plan", "check", str(path)])
    assert status == 1
    assert_handled(status, printed, peak, path)


def test_special_files_in_an_overlay_pack(tmp_path: Path) -> None:
    """One pack with a special file in place of each of its files: every one is named."""
    root = tmp_path / "pack"
    (root / "nl").mkdir(parents=True)
    (root / "overlay.yaml").write_text(OVERLAY_FILES["overlay.yaml"], encoding="utf-8")
    targets = ["regions.yaml", "nl/education.yaml", "nl/regions.yaml", "nl/harmful.yaml"]
    targets += ["nl/checkin.yaml", "nl/plan.yaml"]
    for target, kind in zip(targets, SPECIAL, strict=True):
        make_special(root / target, kind)
    status, printed, peak = run(["check", "--content", str(root)], trace=False)
    assert status == 1
    assert_handled(status, printed, peak, root)
    for target in targets:
        assert str(root / target) in printed, (target, printed)


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_special_overlay_yaml(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "pack"
    (root / "nl").mkdir(parents=True)
    (root / "regions.yaml").write_text(OVERLAY_FILES["regions.yaml"], encoding="utf-8")
    make_special(root / "overlay.yaml", kind)
    status, printed, peak = run(["check", "--content", str(root)], trace=False)
    assert status == 1
    assert_handled(status, printed, peak, root)
