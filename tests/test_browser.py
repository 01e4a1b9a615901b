"""End to end: `companion serve` in a real headless Chromium answers a question.

Uses the system's Chromium (Debian's `chromium`; `.ci/run` installs it when it can)
through the Python `playwright` package, never `playwright install`. Skips with
the reason when there is no browser or no playwright.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.storage import Store

TOKEN = "browser-test-token"
HOST = "127.0.0.2"
"""Not 127.0.0.1: the server must require (and get) the token."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    try:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
    except OSError:
        pytest.skip(f"cannot bind {HOST} on this machine")
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("COMPANION_SERVE_TOKEN", None)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "companion", "--data-dir", str(data), "--lang", "nl",
            "--today", "2026-03-02", "serve", "--host", HOST, "--port", str(port),
            "--token", TOKEN,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("companion serve stopped at start")
                time.sleep(0.1)
        else:
            pytest.fail("companion serve did not listen within 30 seconds")
        yield f"http://{HOST}:{port}", data
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_browser_answers_a_question(served: tuple[str, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    url, data = served
    received: list[str] = []

    def on_websocket(ws: object) -> None:
        def frame(payload: str | bytes) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            received.append(ANSI.sub("", text))

        ws.on("framereceived", frame)  # type: ignore[attr-defined]

    def screen_text() -> str:
        return "".join(received)

    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as err:  # a browser that cannot start here: skip, do not fail
            pytest.skip(f"Chromium cannot start here: {err}")
        try:
            page = browser.new_page()
            # Without the token the server refuses.
            refused = page.goto(url + "/")
            assert refused is not None and refused.status == 401
            page.on("websocket", on_websocket)
            page.goto(f"{url}/?token={TOKEN}")
            deadline = time.monotonic() + 60
            while "fietszadel" not in screen_text() and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert "fietszadel" in screen_text(), "the first question never appeared"
            # Keys go to the terminal's own input element (a click could move the app's focus).
            page.locator(".xterm-helper-textarea").focus()
            received.clear()
            page.keyboard.press("2")  # the number of "Nee", the second quick reply
            page.keyboard.press("Enter")  # the focus is in the input: Enter sends it
            deadline = time.monotonic() + 30
            while "plassen" not in screen_text() and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert "plassen" in screen_text(), "the next question never appeared"
        finally:
            browser.close()
    with Store.open(data) as store:
        open_sessions = store.open_sessions()
        assert open_sessions and open_sessions[0].flow_id == "triage"
        answers = store.answers_of(open_sessions[0].key)
        assert [(a.question_id, a.value) for a in answers] == [("saddle_numbness", False)]
