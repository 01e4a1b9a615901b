"""End to end: `companion serve` in a real headless Chromium answers a question.

Uses the system's Chromium (Debian's `chromium`; `.ci/run` installs it when it can)
through the Python `playwright` package, never `playwright install`. Skips with
the reason when there is no browser or no playwright.
"""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from companion.store.storage import Store
from tests.serving import companion_serving, free_port, page_server

TOKEN = "bT7-kQ2_wZ9xLp4Rn8Vc3Hs6"
"""24 random URL-safe characters: the 128 bits `companion serve` asks for."""
TOKEN_HOST = "127.0.0.2"
"""Not 127.0.0.1: the server must require (and get) the token."""
DEFAULT_HOST = "127.0.0.1"
"""`companion serve` as most people start it: loopback, no token."""
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


@dataclass(frozen=True)
class Served:
    url: str
    data: Path
    log: Path
    token: str | None


@pytest.fixture(params=[(TOKEN_HOST, TOKEN), (DEFAULT_HOST, None)], ids=["token", "default"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    host, token = request.param
    yield from serve(host, token, tmp_path)


@pytest.fixture
def served_by_default(tmp_path: Path) -> Iterator[Served]:
    yield from serve(DEFAULT_HOST, None, tmp_path)


def serve(host: str, token: str | None, tmp_path: Path) -> Iterator[Served]:
    try:
        with socket.socket() as sock:
            sock.bind((host, 0))
    except OSError:
        pytest.skip(f"cannot bind {host} on this machine")
    port = free_port(host)
    data = tmp_path / "data"
    log = tmp_path / "serve.log"
    with companion_serving(
        [
            "--data-dir", str(data), "--lang", "nl", "--today", "2026-03-02",
            "serve", "--host", host, "--port", str(port),
            *(["--token", token] if token else []),
        ],
        host,
        port,
        log,
        unset=("COMPANION_SERVE_TOKEN",),
    ):  # fmt: skip
        yield Served(f"http://{host}:{port}", data, log, token)


def launch(sync_api: Any, playwright: Any) -> Any:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    try:
        return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as err:  # a browser that cannot start here: skip, do not fail
        pytest.skip(f"Chromium cannot start here: {err}")


def test_browser_answers_a_question(served: Served) -> None:
    """The served app works in a real browser, asking nothing of any other site."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    received: list[str] = []
    requested: list[str] = []
    console: list[str] = []

    def on_websocket(ws: object) -> None:
        def frame(payload: str | bytes) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            received.append(ANSI.sub("", text))

        ws.on("framereceived", frame)  # type: ignore[attr-defined]

    def screen_text() -> str:
        return "".join(received)

    with sync_api.sync_playwright() as playwright:
        browser = launch(sync_api, playwright)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on("console", lambda message: console.append(message.text))
            if served.token:
                # Without the token the server refuses.
                refused = page.goto(served.url + "/")
                assert refused is not None and refused.status == 401
            page.on("websocket", on_websocket)
            query = f"?token={served.token}" if served.token else ""
            page.goto(f"{served.url}/{query}")
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
            # The token set its cookie and left the address bar.
            assert "token=" not in page.url
        finally:
            browser.close()
    websocket_url = served.url.replace("http://", "ws://", 1)
    elsewhere = [u for u in requested if not u.startswith((served.url, websocket_url))]
    assert not elsewhere, f"the page called other sites: {elsewhere}"
    blocked = [m for m in console if "Content Security Policy" in m]
    assert not blocked, f"the page needs more than its policy allows: {blocked}"
    with Store.open(served.data) as store:
        open_sessions = store.open_sessions()
        assert open_sessions and open_sessions[0].flow_id == "triage"
        answers = store.answers_of(open_sessions[0].key)
        assert [(a.question_id, a.value) for a in answers] == [("saddle_numbness", False)]


ATTACKER_PAGE = """<!DOCTYPE html>
<html><head><title>waiting</title></head><body>
<script>
const socket = new WebSocket("WEBSOCKET_URL/ws?width=80&height=24");
socket.onopen = () => { document.title = "opened"; };
socket.onclose = () => { if (document.title !== "opened") document.title = "refused"; };
</script>
</body></html>
"""


@contextmanager
def another_site(websocket_url: str) -> Iterator[str]:
    """A page on another port of 127.0.0.1 (another origin, the same site) that tries to
    open the served app's websocket, as a page in another tab of the patient could."""
    page = ATTACKER_PAGE.replace("WEBSOCKET_URL", websocket_url).encode()
    with page_server(page, DEFAULT_HOST) as port:
        yield f"http://{DEFAULT_HOST}:{port}"


def test_another_origin_cannot_open_the_websocket(served_by_default: Served) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    served = served_by_default
    websocket_url = served.url.replace("http://", "ws://", 1)
    with sync_api.sync_playwright() as playwright, another_site(websocket_url) as attacker:
        browser = launch(sync_api, playwright)
        try:
            page = browser.new_page()
            page.goto(attacker + "/")
            page.wait_for_function("document.title !== 'waiting'", timeout=30000)
            assert page.title() == "refused", "another site's page opened the app's websocket"
        finally:
            browser.close()
    # The refusal is the server's origin check, not a browser or network failure.
    assert f"Origin '{attacker}' is another site" in served.log.read_text()
