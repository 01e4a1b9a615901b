"""Text from files and patients is shown as text, never as Textual or Rich markup.

Reproductions from issue 11: an activity named ``[@click=app.screenshot(...)]``
passed ``plan check`` and ``plan import`` and became a link that wrote a
screenshot where the plan's author chose; ``[@click=app.quit]`` quit; an
unbalanced ``[/bold]`` in an overlay's association name (or typed by the patient)
crashed the app at every start. The plain terminal and the reports show the same
strings as they are, without terminal control characters, HTML or links.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from companion.app import CompanionApp
from companion.app.about import AboutScreen
from companion.app.chat import ChatScreen
from companion.app.plan_screen import PlanScreen
from companion.app.today import TodayScreen
from companion.app.widgets import Bubble
from companion.cli import main
from companion.clock import FixedClock
from companion.journey.journey import Quota, Today
from companion.plain import show_association, show_today
from companion.reports.report import collect, open_texts, render_html, render_markdown
from companion.resources import builtin_library, load_library
from companion.store.storage import Store
from tests.test_overlay import OVERLAY_YAML, write

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCREENSHOT = "[@click=app.screenshot('x.svg','/tmp')]wandel[/]"
QUIT = "[@click=app.quit]stoppen[/]"
UNBALANCED = "[/bold]Rug[b]"

PLAN = f"""\
version = 1
start = 2026-03-02
created_by = "physiotherapist"
therapist = {{ name = "{UNBALANCED}" }}

[[activities]]
kind = "walking"
name = {{ nl = "{SCREENSHOT}" }}
unit = "minutes"
baseline = 10
goal = 30
step_every_days = 3
weeks = 8

[[activities]]
kind = "exercises"
name = {{ nl = "{QUIT}" }}
unit = "repetitions"
baseline = 5
goal = 15
step_every_days = 3
weeks = 8
"""


@pytest.fixture
def data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A plan with markup in its names, through plan check and plan import."""
    path = write(tmp_path / "plan.toml", PLAN)
    data = tmp_path / "data"
    assert main(["--today", "2026-03-03", "plan", "check", str(path)]) == 0
    assert (
        main(
            ["--today", "2026-03-03", "plan", "import", str(path), "--yes", "--data-dir", str(data)]
        )
        == 0
    )
    capsys.readouterr()
    return data


def rendered(screen: object) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))  # type: ignore[attr-defined]


async def test_plan_names_are_text_on_the_plan_and_today_screens(data_dir: Path) -> None:
    app = CompanionApp(builtin_library(), data_dir, clock=FixedClock(START), language="nl")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        table = app.screen.query_one("#plan-table", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert SCREENSHOT in labels and QUIT in labels
        await pilot.press("escape")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        shown = rendered(app.screen)
        assert SCREENSHOT in shown and QUIT in shown
    assert app.is_running is False and app.return_code in (None, 0)


@pytest.fixture
def markup_overlay(tmp_path: Path) -> Path:
    root = tmp_path / "vereniging"
    write(root / "overlay.yaml", OVERLAY_YAML.replace("Rugvereniging Voorbeeld", f'"{UNBALANCED}"'))
    return root


async def test_an_unbalanced_tag_in_the_association_name_does_not_lock_the_patient_out(
    markup_overlay: Path, tmp_path: Path
) -> None:
    library = load_library(None, markup_overlay)
    app = CompanionApp(library, tmp_path / "data", clock=FixedClock(START), language="nl")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert any(UNBALANCED in str(b.render()) for b in app.screen.query(Bubble))
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, AboutScreen)
        assert UNBALANCED in rendered(app.screen)


async def test_a_typed_answer_is_shown_as_typed(tmp_path: Path) -> None:
    app = CompanionApp(builtin_library(), tmp_path / "data", clock=FixedClock(START), language="nl")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        answer = app.screen.query_one("#answer", Input)
        answer.focus()
        answer.value = "[/b] nee [@click=app.quit]x[/]"
        await pilot.press("enter")
        await pilot.pause()
        patient = [str(b.render()) for b in app.screen.query(Bubble) if b.has_class("patient")]
        assert "[/b] nee [@click=app.quit]x[/]" in patient


def test_the_plain_terminal_shows_no_control_characters(markup_overlay: Path) -> None:
    overlay = markup_overlay / "overlay.yaml"
    overlay.write_text(
        OVERLAY_YAML.replace("Rugvereniging Voorbeeld", '"Rug\\x1b]0;pwned\\x07\\u202eVereniging"'),
        encoding="utf-8",
    )
    library = load_library(None, markup_overlay)
    said: list[str] = []
    texts = library.content.localizer("nl", "BE")
    show_association(library.content, texts, said.append)
    quota = Quota(kind="walking", name="wandelen\x1b[2J", unit="minutes", amount=10)
    show_today(
        Today(day=3, plan=None, quotas=[quota], paused=False, last_triage=None), texts, said.append
    )
    out = "\n".join(said)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Rug" in out and "Vereniging" in out and "wandelen" in out


def test_reports_show_names_as_text(data_dir: Path) -> None:
    library = builtin_library()
    clock = FixedClock(START)
    with Store.open(data_dir, clock=clock) as store:
        plan = store.current_plan()
        assert plan is not None
        hostile = "<img src=x onerror=alert(1)> [klik](https://evil.example) **vet**"
        old = plan.activities[0].name
        assert old is not None
        name = old.model_copy(update={"root": {**old.root, "nl": hostile}})
        activity = plan.activities[0].model_copy(update={"name": name})
        store.save_plan(plan.model_copy(update={"activities": [activity]}))
        texts = open_texts(library, store, "nl")
        html = render_html(collect(store, library, texts, date(2026, 3, 3)))
        markdown = render_markdown(collect(store, library, texts, date(2026, 3, 3)))
    assert "<img" not in html and "&lt;img" in html
    assert "<img" not in markdown and "\\[klik\\](https://evil.example)" in markdown
    assert "**vet**" not in markdown and "\\*\\*vet\\*\\*" in markdown


def test_reports_show_no_bidi_or_control_characters(data_dir: Path) -> None:
    """A plan stored before the checks existed may still hold them."""
    library = builtin_library()
    with Store.open(data_dir, clock=FixedClock(START)) as store:
        plan = store.current_plan()
        assert plan is not None
        old = plan.activities[0].name
        assert old is not None
        name = old.model_copy(update={"root": {**old.root, "nl": "wan\u202edel\x1b[2J"}})
        activity = plan.activities[0].model_copy(update={"name": name})
        store.save_plan(plan.model_copy(update={"activities": [activity]}))
        texts = open_texts(library, store, "nl")
        for render in (render_html, render_markdown):
            report = render(collect(store, library, texts, date(2026, 3, 3)))
            assert "\u202e" not in report and "\x1b" not in report
            assert "wan\ufffddel\ufffd[2J" in report.replace("\\[", "[")
