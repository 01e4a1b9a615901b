"""Every shared clinical vignette reaches its expected disposition.

The vignettes live beside the repository (``../shared/vignettes/triage``); set
``COMPANION_VIGNETTES`` to run another folder. Files are collected when the
tests are collected, so a new vignette is a new test without editing this file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from companion.cli import main
from companion.commands.simulate import read_vignette, run_vignette
from companion.resources import builtin_library
from tests.patients import EMERGENCY

VIGNETTES = Path(
    os.environ.get("COMPANION_VIGNETTES")
    or Path(__file__).resolve().parents[2] / "shared" / "vignettes" / "triage"
)
FILES = sorted(VIGNETTES.glob("*.json")) if VIGNETTES.is_dir() else []
MISSING = (
    f"no vignette files in {VIGNETTES} (clone ../shared beside the repository "
    "or set COMPANION_VIGNETTES to a folder of *.json vignettes)"
)

EMERGENCY_CONCEPTS = set(EMERGENCY)
REQUIRED_KEYS = {"id", "locale", "disposition", "flags", "asked", "expected"}

if FILES:
    VIGNETTE_PARAMS = [pytest.param(path, id=path.stem) for path in FILES]
else:
    VIGNETTE_PARAMS = [pytest.param(None, id="no-vignettes", marks=pytest.mark.skip(MISSING))]

needs_vignettes = pytest.mark.skipif(not FILES, reason=MISSING)


@pytest.mark.parametrize("path", VIGNETTE_PARAMS)
def test_vignette_reaches_expected_disposition(path: Path) -> None:
    library = builtin_library()
    vignette = read_vignette(path, library.concepts)
    if vignette.expect is None or vignette.expect.disposition is None:
        pytest.skip(f"{path.name} has no expected disposition")
    result = run_vignette(vignette, library, path)
    assert result.disposition == vignette.expect.disposition, (
        f"{vignette.id} ({vignette.locale}): expected {vignette.expect.disposition}, "
        f"got {result.disposition}; flags={result.flags} asked={result.asked} "
        f"unknown={result.unknown} notes={result.notes}"
    )


@needs_vignettes
def test_simulate_folder_as_json_through_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["simulate", str(VIGNETTES), "--json"])
    out, err = capsys.readouterr()

    assert status == 0, f"simulate exit {status}; stderr:\n{err}\nstdout:\n{out}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == len(FILES), "one JSON object per vignette file, one per line"

    on_disk = {}
    for path in FILES:
        raw = json.loads(path.read_text(encoding="utf-8"))
        on_disk[raw["id"]] = raw

    seen = set()
    for line in lines:
        obj = json.loads(line)
        assert isinstance(obj, dict)
        assert obj.keys() >= REQUIRED_KEYS, f"missing {REQUIRED_KEYS - obj.keys()} in {obj}"
        raw = on_disk[obj["id"]]
        seen.add(obj["id"])
        assert obj["locale"] == raw["locale"]
        assert obj["expected"] == (raw.get("expect") or {}).get("disposition")
        assert obj["disposition"] == obj["expected"]
        assert isinstance(obj["flags"], list)
        asked = obj["asked"]
        assert asked, f"{obj['id']}: nothing was asked"
        # The emergency-level questions always come first: before anything
        # else, all six unless one of them already ended the talk.
        if obj["disposition"] == "emergency":
            assert set(asked) <= EMERGENCY_CONCEPTS, f"{obj['id']}: asked {asked}"
            assert asked[-1] in obj["flags"]
        else:
            assert set(asked[: len(EMERGENCY_CONCEPTS)]) == EMERGENCY_CONCEPTS, (
                f"{obj['id']}: asked {asked}"
            )
        assert set(obj["flags"]) <= set(asked), "flags are concepts that were asked"
    assert seen == set(on_disk)


# --- the shared timeline vignettes (brief section 5, "Check-in screening") -----------

TIMELINES = VIGNETTES.parent / "timelines"
TIMELINE_FILES = sorted(TIMELINES.glob("*.json")) if TIMELINES.is_dir() else []
if TIMELINE_FILES:
    TIMELINE_PARAMS = [pytest.param(path, id=path.stem) for path in TIMELINE_FILES]
else:
    TIMELINE_PARAMS = [
        pytest.param(None, id="no-timelines", marks=pytest.mark.skip(f"no files in {TIMELINES}"))
    ]


@pytest.mark.parametrize("path", TIMELINE_PARAMS)
def test_shared_timeline_gives_the_expected_advice_at_every_checkin(path: Path) -> None:
    library = builtin_library()
    vignette = read_vignette(path, library.concepts)
    result = run_vignette(vignette, library, path)
    assert result.triage_matched is not False, (vignette.id, result.disposition)
    assert result.checkins, f"{vignette.id} has no check-ins"
    for checkin in result.checkins:
        assert checkin.matched is not False, (
            f"{vignette.id} day {checkin.day}: expected {checkin.expected}, got "
            f"{checkin.advice}; asked {checkin.asked}"
        )
