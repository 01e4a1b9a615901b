"""Start-up budget (issue 12): commands import only what they use.

`simulate`, `check` and the plain conversation must not load the app or the web
server (textual, textual-serve, aiohttp): they are run headless, by scripts and
screen readers, and their cold start is measured in benchmarks/run.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("textual", "textual_serve", "aiohttp")
VIGNETTE = {
    "id": "startup",
    "locale": "nl",
    "facts": {"age": 40, "sex": "male", "pain_duration_days": 2},
    "unspecified": "no",
}
PROBE = """
import contextlib, io, json, sys
from companion.cli import main
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(argv)
    except SystemExit:
        pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by(argv: list[str], stdin: str = "") -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "{vignette}"],
        ["check"],
        ["--plain", "--lang", "nl", "--no-save"],
    ],
    ids=["simulate", "check", "plain"],
)
def test_headless_commands_do_not_load_the_app_or_the_web_server(
    tmp_path: Path, command: list[str]
) -> None:
    vignette = tmp_path / "v.json"
    vignette.write_text(json.dumps(VIGNETTE), encoding="utf-8")
    argv = ["--data-dir", str(tmp_path / "data"), *(a.format(vignette=vignette) for a in command)]
    loaded = loaded_by(argv, stdin="nee\n")
    assert {"companion", "pydantic", "yaml"} <= loaded, "the probe sees what a command loads"
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
