"""Global options work the same before and after every subcommand.

The README promises that `--content`, `--flows`, `--data-dir`, `--today`, `--lang`, `--region`,
`--no-save` and `--plain` apply to all commands. Every global option is tried with every
subcommand, once before it and once after it (in-process `main(argv)` calls on fresh copies of
the same files): both places must give the same result, and where the option means something for
that command the result must differ from a run without it (so an ignored option fails).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.care.plan import load_plan
from companion.cli import build_parser, main
from companion.clock import FixedClock, SystemClock
from companion.resources import default_content_dir, default_flows_dir
from companion.store.storage import DB_NAME, Store, export_data

FIXTURE_PLAN = Path(__file__).parent / "fixtures" / "plans" / "walking_2026.json"
"""Starts within a year of every day the tests act on (plan files must, see test_hostile_files)."""
SYSTEM_NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TODAY = "2026-03-09"


@dataclass(frozen=True)
class World:
    """Files the commands work on, rebuilt before every run at the same paths."""

    root: Path

    @property
    def data(self) -> Path:  # the --data-dir given on the command line
        return self.root / "data"

    @property
    def default_data(self) -> Path:  # $COMPANION_DATA_DIR, used without --data-dir
        return self.root / "default-data"

    @property
    def template(self) -> Path:
        return self.root / "template"

    @property
    def out(self) -> Path:
        return self.root / "out" / "result.html"

    @property
    def broken_content(self) -> Path:
        return self.root / "broken-content"

    @property
    def broken_flows(self) -> Path:
        return self.root / "broken-flows"

    @property
    def vignette(self) -> Path:
        return self.root / "vignette.json"

    def reset(self) -> None:
        for folder in (self.data, self.default_data, self.out.parent):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(self.template, self.data)
        self.default_data.mkdir()
        self.out.parent.mkdir()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    w = World(tmp_path_factory.mktemp("options"))
    with Store.open(w.template, FixedClock(date(2026, 3, 2))) as store:
        store.set_setting("language", "nl")
        store.set_setting("region", "NL")
        store.save_plan(load_plan(FIXTURE_PLAN))
        store.append("note", {"from": "the data folder given with --data-dir"})
    shutil.copytree(default_content_dir(), w.broken_content)
    pack = w.broken_content / "nl" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "\n  : [unclosed\n", encoding="utf-8")
    shutil.copytree(default_flows_dir(), w.broken_flows)
    checkin = w.broken_flows / "checkin.yaml"
    checkin.write_text(checkin.read_text(encoding="utf-8") + "\n  : [unclosed\n", encoding="utf-8")
    w.vignette.write_text(
        json.dumps(
            {
                "id": "options-1",
                "locale": "nl",
                "facts": {"age": 38, "sex": "female", "pain_duration_days": 2},
                "unknown": [],
                "unspecified": "no",
                "expect": {"disposition": "self_care"},
            }
        ),
        encoding="utf-8",
    )
    return w


def global_options(w: World) -> dict[str, list[str]]:
    return {
        "content": ["--content", str(w.broken_content)],
        "flows": ["--flows", str(w.broken_flows)],
        "data-dir": ["--data-dir", str(w.data)],
        "today": ["--today", TODAY],
        "lang": ["--lang", "fr"],
        "region": ["--region", "BE"],
        "no-save": ["--no-save"],
        "plain": ["--plain"],
    }


def subcommands(w: World) -> dict[str, tuple[list[str], str]]:
    """argv and what the person types (the conversation picks Nederlands, then stops)."""
    return {
        "conversation": ([], "2\n"),
        "check": (["check"], ""),
        "content report": (["content", "report"], ""),
        "simulate": (["simulate", str(w.vignette)], ""),
        "export": (["export"], ""),
        "export --fhir": (["export", "--fhir"], ""),
        "erase": (["erase", "--yes"], ""),
        "plan check": (["plan", "check", str(FIXTURE_PLAN)], ""),
        "plan import": (["plan", "import", str(FIXTURE_PLAN), "--yes"], ""),
        "plan new": (["plan", "new", "--out", str(w.out)], ""),
        "report": (["report", "--out", str(w.out)], ""),
    }


MEANINGFUL = {
    "content": {
        "conversation",
        "check",
        "content report",
        "simulate",
        "export --fhir",
        "report",
        "plan check",  # a plan's languages are those of the content packs
        "plan import",
        "plan new",
    },
    "flows": {"conversation", "check", "content report", "simulate", "export --fhir", "report"},
    "data-dir": {"conversation", "export", "export --fhir", "erase", "plan import", "report"},
    "today": {"conversation", "export", "export --fhir", "plan import", "plan new", "report"},
    "lang": {"conversation", "export --fhir", "erase", "report"},
    "region": {"conversation", "export --fhir", "report"},
    "no-save": {"conversation", "plan import"},
    "plain": set(),  # the tests have no terminal: every conversation is plain already
}
"""Where an option must change what happens; elsewhere it is accepted and changes nothing."""


def _export_of(folder: Path) -> object:
    if not (folder / DB_NAME).exists():
        return None
    data = export_data(folder, FixedClock(SYSTEM_NOW))
    data.pop("exported_at")
    text = json.dumps(data, sort_keys=True)
    for n, session in enumerate(data["sessions"]):  # random keys, the same between runs
        text = text.replace(session["key"], f"session-{n}")
    return json.loads(text)


def run(
    w: World,
    argv: list[str],
    typed: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[object, ...]:
    """What the person sees and what is left on disk after `companion ARGV`."""
    w.reset()
    monkeypatch.setenv("COMPANION_DATA_DIR", str(w.default_data))
    monkeypatch.delenv("COMPANION_CONTENT", raising=False)
    monkeypatch.setattr(SystemClock, "now", lambda self: SYSTEM_NOW)
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    capsys.readouterr()
    try:
        status: object = main(argv)
    except SystemExit as stop:  # argparse refusing an option
        status = ("exit", stop.code)
    seen = capsys.readouterr()
    out = re.sub(r"urn:uuid:[0-9a-f-]+", "urn:uuid:X", seen.out)  # FHIR ids: new every run
    written = w.out.read_text(encoding="utf-8") if w.out.exists() else None
    return (status, out, seen.err, written, _export_of(w.data), _export_of(w.default_data))


OPTION_NAMES = list(MEANINGFUL)
SUBCOMMAND_NAMES = [
    "conversation",
    "check",
    "content report",
    "simulate",
    "export",
    "export --fhir",
    "erase",
    "plan check",
    "plan import",
    "plan new",
    "report",
]


@pytest.mark.parametrize("subcommand", SUBCOMMAND_NAMES)
@pytest.mark.parametrize("option", OPTION_NAMES)
def test_a_global_option_works_before_and_after_every_subcommand(
    world: World,
    option: str,
    subcommand: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flag = global_options(world)[option]
    argv, typed = subcommands(world)[subcommand]
    before = run(world, [*flag, *argv], typed, monkeypatch, capsys)
    after = run(world, [*argv, *flag], typed, monkeypatch, capsys)
    assert before[0] != ("exit", 2), f"{flag} before {subcommand} refused: {before[2]}"
    assert after[0] != ("exit", 2), f"{flag} after {subcommand} refused: {after[2]}"
    assert before == after
    if subcommand in MEANINGFUL[option]:
        without = run(world, argv, typed, monkeypatch, capsys)
        assert before != without, f"{flag} changed nothing for {subcommand}"


def test_content_before_check_is_not_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's reproduction: `companion --content DIR check` said "ok"."""
    status, out, *_ = run(
        world, ["--content", str(world.broken_content), "check"], "", monkeypatch, capsys
    )
    assert status == 1
    assert str(world.broken_content) in out


@pytest.mark.parametrize(
    "argv", [["content", "report"], ["simulate", "VIGNETTE"]], ids=["content report", "simulate"]
)
def test_content_before_the_other_content_commands_is_not_ignored(
    world: World,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [str(world.vignette) if a == "VIGNETTE" else a for a in argv]
    status, _, err, *_ = run(
        world, ["--content", str(world.broken_content), *argv], "", monkeypatch, capsys
    )
    assert status == 2
    assert str(world.broken_content) in err


def test_plan_import_is_dated_with_today(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--today", TODAY, "plan", "import", str(FIXTURE_PLAN), "--yes"]
    status, *_, data, _ = run(
        world, ["--data-dir", str(world.data), *argv], "", monkeypatch, capsys
    )
    assert status == 0
    assert isinstance(data, dict)
    assert data["plans"][-1]["at"].startswith(TODAY)
    assert data["events"][-1]["kind"] == "plan_imported"
    assert data["events"][-1]["at"].startswith(TODAY)


def test_plan_import_with_no_save_stores_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data-dir", str(world.data), "plan", "import", str(FIXTURE_PLAN), "--yes"]
    status, _, err, _, data, _ = run(world, [*argv, "--no-save"], "", monkeypatch, capsys)
    assert status != 0
    assert "--no-save" in err
    assert data == _export_of(world.template)


def test_serve_passes_the_global_options_on_from_either_place(world: World) -> None:
    from companion.serve import app_command

    options = [
        *global_options(world)["data-dir"],
        *global_options(world)["today"],
        *global_options(world)["lang"],
        *global_options(world)["region"],
        *global_options(world)["content"],
        *global_options(world)["no-save"],
    ]
    parser = build_parser()
    before = app_command(parser.parse_args([*options, "serve"]))
    after = app_command(parser.parse_args(["serve", *options]))
    assert before == after
    for value in (str(world.data), TODAY, "fr", "BE", str(world.broken_content), "--no-save"):
        assert value in before


def test_an_option_given_twice_the_later_one_wins(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before and after the subcommand: the one nearer the end counts, as with any option."""
    argv = [
        "--content",
        str(world.broken_content),
        "check",
        "--content",
        str(default_content_dir()),
    ]
    status, *_ = run(world, argv, "", monkeypatch, capsys)
    assert status == 0


@pytest.mark.parametrize(
    ("language", "exported", "fhir", "erased"),
    [
        ("nl", "Al uw gegevens staan nu in", "Een FHIR R4-bundel staat nu in", "zijn gewist"),
        (
            "fr",
            "Toutes les données enregistrées sont maintenant dans",
            "Un paquet FHIR R4 est maintenant dans",
            "sont effacées",
        ),
    ],
)
def test_export_and_erase_speak_the_patients_language(
    tmp_path: Path,
    language: str,
    exported: str,
    fhir: str,
    erased: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, FixedClock(date(2026, 3, 2))) as store:
        store.set_setting("language", language)
    out = tmp_path / "export.json"
    assert main(["export", "--out", str(out), "--data-dir", str(folder)]) == 0
    assert main(["export", "--fhir", "--out", str(out), "--data-dir", str(folder)]) == 0
    assert main(["erase", "--yes", "--data-dir", str(folder)]) == 0
    seen = capsys.readouterr()
    assert exported in seen.err and fhir in seen.err
    assert erased in seen.out
    assert "Exported" not in seen.err and "Deleted" not in seen.out


def test_erase_asks_in_the_language_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    with Store.open(folder, FixedClock(date(2026, 3, 2))) as store:
        store.set_setting("language", "nl")
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "non")
    assert main(["--lang", "fr", "erase", "--data-dir", str(folder)]) == 1
    (question,) = asked
    assert question.startswith("Ceci efface toutes les données de l'aide")
    assert capsys.readouterr().out == "Rien n'a été effacé.\n"  # one language, one line
    assert (folder / DB_NAME).exists()
