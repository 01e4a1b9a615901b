"""The two episode actions in the drivers (issue 13, item 3): the plain terminal and the
app offer what the journey allows ("my back is fine again", "the pain is back") and only
pass the choice on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Button

from companion.app.episode import EpisodeScreen
from companion.clock import FixedClock
from companion.journey.episodes import BACK_FINE, PAIN_BACK
from companion.journey.journey import Journey
from companion.plain import run_journey
from companion.present import EPISODE_ACTIONS
from companion.resources import Library
from companion.store.storage import SQLiteStore
from tests.patients import after_self_care_path
from tests.test_app import chat, make_app, talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def plain_run(library: Library, folder: Path, clock: FixedClock, replies: list[str]) -> list[str]:
    """The plain terminal with typed ``replies`` (then the input ends): what it said."""
    said: list[str] = []
    given = iter(replies)

    def ask(prompt: str) -> str:
        try:
            return next(given)
        except StopIteration:
            raise EOFError from None

    with SQLiteStore.open(folder, clock) as store:
        journey = Journey(library, store, clock, "nl", "BE")
        run_journey(journey, library.content.localizer("nl", "BE"), ask, said.append, clock)
    return said


def test_the_plain_terminal_offers_the_back_fine_and_holds_the_closing_talk(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "nl", "BE")
    clock = FixedClock(START)
    texts = library.content.localizer("nl", "BE")
    # Nothing due today: the offer, "1" for it, then the closing talk ("what helped": 1).
    said = plain_run(library, folder, clock, ["1", "1"])
    assert f"  1) {texts.ui(EPISODE_ACTIONS[BACK_FINE])}" in said
    assert texts.text("episode_end.keep_moving") in said
    assert texts.text("journey.episode_ended") in said
    assert said[-1] == texts.ui("Thank you for your answers. Get well soon.")
    # Just said fine again: "the pain is back" is not offered in the same run.
    assert f"  1) {texts.ui(EPISODE_ACTIONS[PAIN_BACK])}" not in said
    with SQLiteStore.open(folder, clock) as store:
        assert store.episodes()[0].ended == START.date()
    # Later: the offer is "the pain is back", and it starts a triage.
    clock.advance(days=30)
    said = plain_run(library, folder, clock, ["1"])
    assert f"  1) {texts.ui(EPISODE_ACTIONS[PAIN_BACK])}" in said
    assert texts.text("triage.intro") in said


def test_the_plain_terminal_stops_as_before_when_nothing_is_chosen(
    library: Library, tmp_path: Path
) -> None:
    folder = after_self_care_path(library, tmp_path / "data", START, "nl", "BE")
    said = plain_run(library, folder, FixedClock(START), [""])
    with SQLiteStore.open(folder, FixedClock(START)) as store:
        assert store.episodes()[0].ended is None
    assert texts_goodbye(library) == said[-1]


def texts_goodbye(library: Library) -> str:
    return library.content.localizer("nl", "BE").ui("Thank you for your answers. Get well soon.")


def test_the_words_of_the_pain_back_action_are_those_the_closing_talk_quotes(
    library: Library,
) -> None:
    for language in ("nl", "fr"):
        texts = library.content.localizer(language)
        label = texts.ui(EPISODE_ACTIONS[PAIN_BACK])
        assert label != EPISODE_ACTIONS[PAIN_BACK]  # translated
        assert label in texts.text("episode_end.comes_back.what_to_do")
        assert label in texts.text("journey.episode_ended")


async def test_the_app_ends_the_episode_from_the_my_back_screen(
    library: Library, tmp_path: Path
) -> None:
    after_self_care_path(library, tmp_path / "data", START, "nl", "BE")
    app = make_app(library, tmp_path, FixedClock(START))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert chat(app).conversation is None  # nothing due today
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, EpisodeScreen)
        assert app.screen.actions == [BACK_FINE]
        assert app.screen.query_one(f"#episode-{BACK_FINE}", Button).has_focus is False
        await pilot.click(f"#episode-{BACK_FINE}")
        await pilot.pause()
        conversation = chat(app).conversation
        assert conversation is not None and conversation.flow_id == "episode_end"
        await talk(pilot, app, {"what_helped": "moving"})
        assert chat(app).conversation is None
        assert app.store.episodes()[0].ended == START.date()
        assert app.check_action("episode", ()) is True  # now: "the pain is back"
