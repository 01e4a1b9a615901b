"""End to end: a practice in real browsers (issue 15, "Done when").

Two patients and one physiotherapist side by side through `companion serve` on a throwaway
PostgreSQL (tests/postgres.py), each in their own headless Chromium context (their own
cookies): `companion practice init` and two `invite`s, each patient enters their code, does
the first triage (with education and the plan set-up that follow) and, the next day, a
check-in; the physiotherapist logs in with their code, sees both patients' adherence and
assigns homework; a third browser without a code reaches the code page only, and its
websocket is refused.

The patients answer by keys, as people do. Which question is on the screen is known from a
shadow journey in this process (the same flows, the same answers, on a scratch SQLite
store): the served app shows exactly what the shadow shows, and every answer the app
accepted is in the database before the next question appears, which is what the test waits
for. Skips with the reason when Chromium, playwright or PostgreSQL is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from companion.care.plan_setup import plan_from_answers
from companion.clock import FixedClock
from companion.dialogue.engine import Turn
from companion.journey.journey import Conversation, Journey
from companion.resources import Library
from companion.store.storage import SQLiteStore
from tests.patients import SELF_CARE_PATH, Facts, patient_answer
from tests.postgres import Server
from tests.serving import companion_serving, free_port, page_server
from tests.test_browser import ANSI, launch

FIRST_DAY = date(2026, 3, 2)
NEXT_DAY = date(2026, 3, 3)
PHYSIOTHERAPIST = "Fysio Anke"
FACTS: Facts = {
    **SELF_CARE_PATH,
    "quota_done": "done",
    "pain_now": 3,
    "pain_trend": "better",
}
"""A patient on the self-care path who walked their day goal and feels better."""
HOMEWORK = Path(__file__).resolve().parents[1] / "examples" / "homework" / "rug-wandelen.nl.toml"
ANSWER_SECONDS = 30
"""How long one answer may take to be stored (a slow, shared machine)."""
NOT_INHERITED = ("COMPANION_SERVE_TOKEN", "COMPANION_PATIENT", "COMPANION_SESSION")
"""What the test's own environment may hold that the command line and server must not see:
the database and whose data come from the arguments and the session alone."""


def companion(url: str, *args: str) -> str:
    """Runs the command line on the practice's database; its standard output."""
    env = {**os.environ}
    for name in NOT_INHERITED:
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "companion", "--store", url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@contextmanager
def served(url: str, today: date, log: Path) -> Iterator[str]:
    """`companion serve` on the practice's database, acting as if it were ``today``."""
    port = free_port()
    args = ["--store", url, "--lang", "nl",
            "--today", today.isoformat(), "serve", "--port", str(port)]  # fmt: skip
    with companion_serving(
        args,
        "127.0.0.1",
        port,
        log,
        unset=NOT_INHERITED,
        log_mode="ab",
        stop_seconds=15,
    ):
        yield f"http://127.0.0.1:{port}"


# --- a person at a browser ---------------------------------------------------------------


@dataclass
class Screen:
    """What one tab's terminal showed (ANSI codes removed), as frames arrive."""

    received: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        def on_websocket(ws: Any) -> None:
            def frame(payload: str | bytes) -> None:
                text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
                self.received.append(ANSI.sub("", text))

            ws.on("framereceived", frame)

        page.on("websocket", on_websocket)

    def text(self) -> str:
        return "".join(self.received)

    def squeezed(self) -> str:
        """The text without spaces: words wrapped at the screen's edge still match."""
        return re.sub(r"\s+", "", self.text())

    def wait_for(self, page: Any, wanted: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        squeezed = re.sub(r"\s+", "", wanted)
        while squeezed not in self.squeezed() and time.monotonic() < deadline:
            page.wait_for_timeout(25)
        assert squeezed in self.squeezed(), f"never shown: {wanted!r}; last: {self.text()[-1500:]}"


def enter_code(page: Any, base_url: str, code: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("#code").count() == 1, "no code page"
    page.fill("#code", code)
    page.click("button[type=submit]")
    page.wait_for_selector(".xterm-helper-textarea", state="attached", timeout=30000)


def type_into_terminal(page: Any, keys: str) -> None:
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.type(keys)
    page.keyboard.press("Enter")


@dataclass
class Patient:
    """A patient in their own browser context, with their shadow journey."""

    name: str
    code: str
    library: Library
    scratch: Path
    context: Any = None
    page: Any = None
    screen: Screen = field(default_factory=Screen)
    answers_given: int = 0

    def open(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.screen = Screen()
        self.screen.watch(self.page)
        enter_code(self.page, base_url, self.code)

    def reopen(self, base_url: str, through: str | None = None) -> None:
        """The next day: the same browser (its cookie), the page opened again, typed in or
        ``through`` a link on another site (which does not send the Strict cookie)."""
        self.page.close()
        self.page = self.context.new_page()
        self.screen = Screen()
        self.screen.watch(self.page)
        if through is None:
            self.page.goto(base_url + "/")
        else:
            self.page.goto(through)
            self.page.click("#companion")
        self.page.wait_for_selector(".xterm-helper-textarea", state="attached", timeout=30000)

    def talk_through_the_day(self, day: date, answers_stored: Any) -> None:
        """Every conversation the journey holds on ``day``, answered by keys."""
        clock = FixedClock(day)
        region = self.library.content.localizer("nl").region
        with SQLiteStore.open(self.scratch, clock) as shadow:
            shadow.set_setting("language", "nl")
            shadow.set_setting("region", region)
            journey = Journey(self.library, shadow, clock, "nl", region, plan_from_answers)
            conversation = journey.next()
            assert conversation is not None, f"{self.name}: nothing to do on {day}"
            while conversation is not None:
                self._talk(conversation, answers_stored)
                conversation = journey.next()

    def _talk(self, conversation: Conversation, answers_stored: Any) -> None:
        turn: Turn = conversation.start()
        while turn.outcome is None:
            question = turn.question
            assert question is not None
            self.screen.wait_for(self.page, question.text[:40])
            given = patient_answer(question, FACTS)
            if given.typed is not None:
                keys = given.typed
                turn = conversation.answer(given.typed)
            else:
                values = [choice.value for choice in question.choices]
                assert question.answer_type != "number", f"give a number for {question.concept}"
                assert given.chosen is not None
                keys = str(values.index(given.chosen) + 1)  # "2" + Enter is the button "2. Nee"
                turn = conversation.choose(given.chosen)
            self.screen.received.clear()
            type_into_terminal(self.page, keys)
            self.answers_given += 1
            deadline = time.monotonic() + ANSWER_SECONDS
            while answers_stored() < self.answers_given and time.monotonic() < deadline:
                self.page.wait_for_timeout(25)
            assert answers_stored() == self.answers_given, (
                f"{self.name}: the answer to {question.concept} was not stored"
            )


def answers_in_database(url: str, patient_id: str) -> int:
    from companion.store.postgres import PostgresStore

    with PostgresStore.open(url, patient_id) as store:
        return sum(len(store.answers_of(s.key)) for s in store.sessions())


def patient_ids(url: str) -> dict[str, str]:
    """Pseudonym -> patient id, read as the operator would."""
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT pseudonym, patient_id FROM practice_patients").fetchall()
    return {str(pseudonym): str(patient_id) for pseudonym, patient_id in rows}


@contextmanager
def a_link_to(base_url: str) -> Iterator[str]:
    """A page on another site with a link to the companion (a reminder e-mail's link)."""
    page = f'<html><body><a id="companion" href="{base_url}/">companion</a></body></html>'.encode()
    with page_server(page) as port:
        yield f"http://localhost:{port}/"  # another site, not only origin


# --- the test ------------------------------------------------------------------------------


def invite(url: str) -> tuple[str, str]:
    """A new patient of the physiotherapist: (pseudonym, one-time code)."""
    said = companion(url, "practice", "invite", "--as", PHYSIOTHERAPIST)
    pseudonym = re.search(r"New patient (\S+),", said)
    code = re.search(r"One-time code \(until [^)]*\): (\S+)", said)
    assert pseudonym and code, said
    return pseudonym.group(1), code.group(1)


@pytest.mark.slow
def test_two_patients_and_a_physiotherapist_side_by_side(
    postgres_server: Server, pg_url: str, library: Library, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    url = pg_url
    said = companion(url, "practice", "init", "--name", PHYSIOTHERAPIST)
    login_code = said.split("cannot be shown again):\n", 1)[1].split("\n", 1)[0].strip()
    (first_name, first_code), (second_name, second_code) = invite(url), invite(url)
    ids = patient_ids(url)
    log = tmp_path / "serve.log"

    with sync_api.sync_playwright() as playwright:
        browser = launch(sync_api, playwright)
        try:
            patients = [
                Patient(first_name, first_code, library, tmp_path / "shadow-1"),
                Patient(second_name, second_code, library, tmp_path / "shadow-2"),
            ]
            # Day one: both patients in at once; each does the first triage and what follows.
            with served(url, FIRST_DAY, log) as base_url:
                for patient in patients:
                    patient.open(browser, base_url)
                for patient in patients:
                    patient_id = ids[patient.name]
                    patient.talk_through_the_day(
                        FIRST_DAY, lambda pid=patient_id: answers_in_database(url, pid)
                    )
            # Day two, on another serving process: the browsers' sessions hold, a check-in.
            with served(url, NEXT_DAY, log) as base_url, a_link_to(base_url) as mail:
                for patient, through in zip(patients, (mail, None), strict=True):
                    patient.reopen(base_url, through)
                    patient_id = ids[patient.name]
                    patient.talk_through_the_day(
                        NEXT_DAY, lambda pid=patient_id: answers_in_database(url, pid)
                    )
                physiotherapist_sees_and_assigns(browser, base_url, login_code, patients)
                a_browser_without_a_code_sees_nothing(browser, base_url)
        finally:
            browser.close()

    from companion.store.postgres import PostgresStore

    # The homework went to the patient opened (the first row), and only to them.
    given, other = sorted((first_name, second_name))
    with PostgresStore.open(url, ids[given]) as store:
        plan = store.current_plan()
        assert plan is not None and plan.therapist is not None
        assert plan.therapist.name == "M. de Vries", "the homework was not assigned"
    with PostgresStore.open(url, ids[other]) as store:
        plan = store.current_plan()
        assert plan is not None and plan.created_by == "patient"
    text = log.read_text(errors="replace")
    for secret in (login_code, first_code, second_code):
        assert secret not in text, "a code is in the server's log"
    assert "Traceback" not in text


def physiotherapist_sees_and_assigns(
    browser: Any, base_url: str, login_code: str, patients: list[Patient]
) -> None:
    context = browser.new_context()
    page = context.new_page()
    screen = Screen()
    screen.watch(page)
    enter_code(page, base_url, login_code)
    screen.wait_for(page, "Mijn patiënten")
    for patient in patients:
        screen.wait_for(page, patient.name)
    # Both walked their day goal at their one check-in: 100% each.
    assert screen.text().count("100%") >= 2, "the adherence of both patients is not shown"
    # The first row is the first patient by pseudonym (neither has an open escalation).
    first = min(patients, key=lambda p: p.name)
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.press("Enter")
    screen.wait_for(page, f"Patiënt {first.name}")
    page.keyboard.press("h")
    screen.wait_for(page, "Huiswerk voor")
    page.wait_for_timeout(500)  # the text area takes the focus once the screen is up
    plan_text = HOMEWORK.read_text(encoding="utf-8")
    page.keyboard.type(plan_text)
    screen.wait_for(page, plan_text.strip().splitlines()[-1])  # all of it arrived
    page.keyboard.press("Tab")  # from the text to the Assign button
    page.keyboard.press("Enter")
    screen.wait_for(page, "Huiswerk toegewezen")
    # Done: quit the app, then log out on the page; the browser is back at the code page.
    page.keyboard.press("Control+q")
    page.locator("form[action=logout] button").click(timeout=30000)
    page.wait_for_selector("#code", timeout=30000)
    assert page.evaluate("fetch('static/js/textual.js').then(r => r.status)") == 401
    context.close()


def a_browser_without_a_code_sees_nothing(browser: Any, base_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.locator("#code").count() == 1
    assert page.locator(".xterm-helper-textarea").count() == 0
    status = page.evaluate("fetch('static/js/textual.js').then(r => r.status)")
    assert status == 401
    websocket_url = base_url.replace("http://", "ws://", 1) + "/ws?width=80&height=24"
    outcome = page.evaluate(
        """url => new Promise(resolve => {
            const socket = new WebSocket(url);
            socket.onopen = () => resolve("opened");
            socket.onclose = () => resolve("refused");
        })""",
        websocket_url,
    )
    assert outcome == "refused", "a browser without a code opened the app's websocket"
    context.close()
