"""`companion serve` for a practice: the code page, the session cookie, log-out, health checks.

The database is a stand-in here (`Door`), with the promises of the practice's access API:
a code works once, wrong guesses are counted per client address, a session ends when
revoked. The whole journey through a real PostgreSQL and Chromium is
tests/test_practice_browser.py.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from companion.cli import build_parser, main
from companion.commands.serve_options import ENV_SESSION
from companion.serve import CompanionServer, Limits
from companion.serve_practice import (
    SESSION_COOKIE,
    CodeRefused,
    PracticeServer,
    TooManyAttempts,
    client_key,
    practice_app_command,
)
from companion.store import ENV_STORE
from tests.serving import free_port

CODE = "KX7P-4MQ2"
OTHER_CODE = "ZZ9R-8WT3"
Client = TestClient[web.Request, web.Application]
MAX_WRONG = 3


@dataclass
class Door:
    """A stand-in for the practice's database: one-time codes, sessions, wrong guesses."""

    codes: set[str] = field(default_factory=lambda: {CODE, OTHER_CODE})
    sessions: set[str] = field(default_factory=set)
    wrong: dict[str, int] = field(default_factory=dict)
    keys_seen: list[str] = field(default_factory=list)
    up: bool = True

    def redeem(self, code: str, client_key: str) -> str:
        self.keys_seen.append(client_key)
        if self.wrong.get(client_key, 0) >= MAX_WRONG:
            raise TooManyAttempts(600)
        if code not in self.codes:
            self.wrong[client_key] = self.wrong.get(client_key, 0) + 1
            raise CodeRefused()
        self.codes.remove(code)
        token = secrets.token_urlsafe(32)
        self.sessions.add(token)
        return token

    def holds(self, token: str) -> bool:
        if not self.up:
            raise OSError("the database is down")
        return token in self.sessions

    def revoke(self, token: str) -> None:
        self.sessions.discard(token)

    def ready(self) -> bool:
        return self.up


async def start(door: Door, public_url: str | None = None) -> Client:
    port = free_port()
    server = PracticeServer("true", "127.0.0.1", port, door, public_url, limits=Limits())
    app = await server.make_app()
    test_server = TestServer(app, host="127.0.0.1", port=port)
    await test_server.start_server(**server.runner_options())
    # unsafe: keep cookies of an IP address, as browsers do.
    client: Client = TestClient(test_server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await client.start_server()
    return client


@pytest.fixture
def door() -> Door:
    return Door()


@pytest.fixture
async def client(door: Door) -> AsyncIterator[Client]:
    opened = await start(door)
    yield opened
    await opened.close()


def origin(client: Client) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{client.port}"}


async def log_in(client: Client, code: str = CODE) -> aiohttp.ClientResponse:
    return await client.post(
        "/login", data={"code": code}, headers=origin(client), allow_redirects=False
    )


# --- without a session: the code page and the health checks only ---------------------


async def test_without_a_code_only_the_code_page_is_reachable(client: Client) -> None:
    page = await client.get("/")
    assert page.status == 200
    text = await page.text()
    assert 'action="login"' in text and 'name="code"' in text
    assert "textual.js" not in text and "data-session-websocket-url" not in text
    for path in ("/static/js/textual.js", "/page.js", "/download/x", "/static/css/xterm.css"):
        assert (await client.get(path)).status == 401, path
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=origin(client))
    assert refused.value.status == 401
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    assert (await client.get("/code.css")).status == 200


async def test_the_code_page_asks_in_dutch_french_and_english(client: Client) -> None:
    text = await (await client.get("/")).text()
    for lang in ("nl", "fr", "en"):
        assert f'<p lang="{lang}">' in text
    # It posts only to this server; it loads nothing from elsewhere.
    policy = (await client.get("/")).headers["Content-Security-Policy"]
    assert "form-action 'self'" in policy and "default-src 'self'" in policy
    assert "http" not in text.replace('"http-equiv"', "")


# --- a code opens a session -------------------------------------------------------------


async def test_a_code_sets_a_strict_http_only_session_cookie(client: Client, door: Door) -> None:
    response = await log_in(client)
    assert response.status == 303
    assert response.headers["Location"] == "./"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would not return
    assert CODE not in cookie  # the cookie holds the session, never the code
    assert len(door.sessions) == 1
    # With it: the app's page, its files and the websocket.
    page = await client.get("/")
    assert "data-session-websocket-url" in await page.text()
    assert 'action="logout"' in await (await client.get("/")).text()
    assert (await client.get("/static/js/textual.js")).status == 200
    websocket = await client.ws_connect("/ws", headers=origin(client))
    await websocket.close()


async def test_a_code_works_once(client: Client, door: Door) -> None:
    assert (await log_in(client)).status == 303
    client.session.cookie_jar.clear()
    again = await log_in(client)
    assert again.status == 401
    assert "al gebruikt" in await again.text()
    assert (await client.get("/static/js/textual.js")).status == 401


async def test_the_cookie_is_secure_behind_https(door: Door) -> None:
    client = await start(door, public_url="https://practice.example.org")
    try:
        headers = {"Host": "practice.example.org", "Origin": "https://practice.example.org"}
        response = await client.post(
            "/login", data={"code": CODE}, headers=headers, allow_redirects=False
        )
        assert response.status == 303
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await client.close()


async def test_an_empty_or_wrong_code_shows_the_page_again(client: Client) -> None:
    empty = await log_in(client, "   ")
    assert empty.status == 400
    assert "Vul eerst de code in" in await empty.text()
    wrong = await log_in(client, "NOPE-NOPE")
    assert wrong.status == 401
    text = html.unescape(await wrong.text())
    assert "Ce code n'est pas connu" in text and 'name="code"' in text
    assert SESSION_COOKIE not in wrong.cookies


async def test_guessing_is_refused_with_429_and_retry_after(client: Client, door: Door) -> None:
    for guess in range(MAX_WRONG):
        assert (await log_in(client, f"WRONG-{guess}")).status == 401
    refused = await log_in(client, CODE)  # even the right code, once the limit is reached
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "600"
    assert "10 minuten" in await refused.text()
    assert CODE in door.codes, "a code was used up by a refused attempt"
    assert set(door.keys_seen) == {"127.0.0.1"}


async def test_another_site_cannot_post_a_code(client: Client, door: Door) -> None:
    response = await client.post(
        "/login",
        data={"code": CODE},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403
    # Chrome says "Origin: null" for a form of a no-referrer page: Sec-Fetch-Site tells whose.
    for site in ("cross-site", "same-site", None):
        headers = {"Origin": "null", **({"Sec-Fetch-Site": site} if site else {})}
        refused = await client.post(
            "/login", data={"code": CODE}, headers=headers, allow_redirects=False
        )
        assert refused.status == 403, site
    assert CODE in door.codes
    own = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    accepted = await client.post("/login", data={"code": CODE}, headers=own, allow_redirects=False)
    assert accepted.status == 303


# --- log-out ----------------------------------------------------------------------------


async def test_log_out_revokes_the_session(client: Client, door: Door) -> None:
    await log_in(client)
    (token,) = door.sessions
    response = await client.post("/logout", headers=origin(client), allow_redirects=False)
    assert response.status == 303
    assert door.sessions == set()
    assert f"{SESSION_COOKIE}=" in response.headers["Set-Cookie"]  # cleared
    # The old cookie, kept by someone, opens nothing any more.
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: token})
    assert (await client.get("/static/js/textual.js")).status == 401
    page = await client.get("/")
    assert 'name="code"' in await page.text()


async def test_a_revoked_session_is_refused_by_every_server_on_the_database(door: Door) -> None:
    """No state in the serving process: a log-out at one server ends the session at another."""
    first, second = await start(door), await start(door)
    try:
        await log_in(first)
        (token,) = door.sessions
        second.session.cookie_jar.update_cookies({SESSION_COOKIE: token})
        assert (await second.get("/static/js/textual.js")).status == 200
        await first.post("/logout", headers=origin(first), allow_redirects=False)
        assert (await second.get("/static/js/textual.js")).status == 401
    finally:
        await first.close()
        await second.close()


# --- health checks, the database down ----------------------------------------------------


async def test_readyz_says_when_the_database_does_not_answer(client: Client, door: Door) -> None:
    await log_in(client)
    door.up = False
    ready = await client.get("/readyz")
    assert ready.status == 503
    assert (await client.get("/healthz")).status == 200
    # A session cannot be checked: "try later", not a traceback and not the app.
    page = await client.get("/")
    assert page.status == 503
    assert "Traceback" not in await page.text()


# --- logs and the app's environment --------------------------------------------------------


async def test_no_code_and_no_session_token_in_the_log(
    client: Client,
    door: Door,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await log_in(client, "WRONG-0000")
    await log_in(client)
    (token,) = door.sessions
    await client.get("/")
    await client.post("/logout", headers=origin(client), allow_redirects=False)
    assert "WRONG-0000" not in caplog.text and CODE not in caplog.text
    assert token not in caplog.text
    assert "a code was refused" in caplog.text


async def test_the_app_gets_the_session_token_in_its_environment(
    client: Client,
    door: Door,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[dict[str, str]] = []
    from companion.serve import QuietAppService

    async def record(self: QuietAppService, width: int, height: int) -> None:
        started.append(self._build_environment(width, height))
        await self.remote_close()

    monkeypatch.setattr(QuietAppService, "start", record)
    await log_in(client)
    (token,) = door.sessions
    websocket = await client.ws_connect("/ws", headers=origin(client))
    await websocket.receive()
    await websocket.close()
    assert [env[ENV_SESSION] for env in started] == [token]


def test_the_client_behind_a_proxy_is_the_address_the_proxy_added() -> None:
    @dataclass
    class Request:
        remote: str = "127.0.0.1"
        headers: dict[str, str] = field(
            default_factory=lambda: {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}
        )

    assert client_key(Request(), behind_proxy=True) == "203.0.113.7"  # type: ignore[arg-type]
    # Not behind a proxy, a client's own X-Forwarded-For counts for nothing.
    assert client_key(Request(), behind_proxy=False) == "127.0.0.1"  # type: ignore[arg-type]


# --- the command line ------------------------------------------------------------------------


def test_a_database_store_serves_a_practice(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[CompanionServer] = []
    monkeypatch.setattr(CompanionServer, "serve", lambda self: started.append(self))
    monkeypatch.delenv("COMPANION_SERVE_TOKEN", raising=False)
    url = "postgresql://companion:secret@127.0.0.1:5432/practice"
    monkeypatch.setenv(ENV_STORE, url)
    assert main(["serve", "--port", "0"]) == 0
    (server,) = started
    assert isinstance(server, PracticeServer)
    assert "secret" not in server.command and "--data-dir" not in server.command
    # A shared token makes no sense next to personal codes.
    assert main(["serve", "--port", "0", "--token", "Jq3vX9_kLm2Pz8RtY4wN6bHc"]) == 2
    assert main(["--no-save", "serve", "--port", "0"]) == 2
    assert len(started) == 1


def test_the_apps_command_has_no_data_folder() -> None:
    args = build_parser().parse_args(["--data-dir", "/srv/x", "--lang", "fr", "serve"])
    assert isinstance(args, argparse.Namespace)
    command = practice_app_command(args)
    assert "--lang fr" in command and "/srv/x" not in command


async def test_a_code_in_the_address_is_never_redeemed(client: Client, door: Door) -> None:
    """An invite link's ?code= only fills the form (the page's script): only a post redeems."""
    page = await client.get(f"/?code={CODE}")
    assert page.status == 200 and 'name="code"' in await page.text()
    assert CODE in door.codes and door.sessions == set()
    assert SESSION_COOKIE not in page.cookies
    script = await (await client.get("/code.js")).text()
    assert 'searchParams.get("code")' in script and "replaceState" in script


def test_no_session_token_or_patient_reaches_the_apps_of_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tab's app gets its session from the server for its own browser only: a token or a
    patient id left in the server's environment would otherwise reach every tab."""
    started: list[CompanionServer] = []
    monkeypatch.setattr(CompanionServer, "serve", lambda self: started.append(self))
    monkeypatch.delenv("COMPANION_SERVE_TOKEN", raising=False)
    monkeypatch.delenv(ENV_STORE, raising=False)
    monkeypatch.setenv(ENV_SESSION, "left-over-token")
    assert main(["serve", "--port", "0"]) == 0  # one person's server
    assert ENV_SESSION not in os.environ
    monkeypatch.setenv(ENV_STORE, "postgresql://companion@127.0.0.1/practice")
    monkeypatch.setenv("COMPANION_PATIENT", "0b1f6c2e-1111-4222-8333-944455556666")
    assert main(["serve", "--port", "0"]) == 0  # a practice's server
    assert "COMPANION_PATIENT" not in os.environ
    assert len(started) == 2


def descendants_of(pid: int) -> set[int]:
    """Every process below ``pid`` (an app may run under a shell)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("stopped_by", ["terminate", "kill"])
async def test_no_app_outlives_the_server(pg_url: str, stopped_by: str) -> None:
    """A stopped server ends its sessions' apps, and the apps of a killed server end
    themselves: an orphan would keep a patient's conversation (one tab at a time, a lock
    in the database) open after a restart."""
    from companion.practice import accounts

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to see the server's processes")
    professional, _ = accounts.add_professional(pg_url, "Fysio Anke")
    code = accounts.invite(pg_url, professional).code
    port = free_port()
    hidden = ("COMPANION_SERVE_TOKEN", "COMPANION_PATIENT", ENV_SESSION)
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "--store", pg_url, "--lang", "nl", "serve",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            opened = await session.post(
                f"{url}/login", data={"code": code}, headers={"Origin": url}
            )
            assert opened.status == 200, "the code did not open the app's page"
            websocket = await session.ws_connect(f"ws://127.0.0.1:{port}/ws", origin=url)
            apps: set[int] = set()
            for _ in range(600):
                apps = {
                    pid
                    for pid in descendants_of(process.pid)
                    if b"companion" in Path(f"/proc/{pid}/cmdline").read_bytes()
                }
                if apps:
                    break
                await asyncio.sleep(0.05)
            assert apps, "no app started for the session"
            await asyncio.sleep(2)  # the app opens the patient's conversation
            if stopped_by == "terminate":
                process.terminate()
                process.wait(timeout=60)
                # Once the server has stopped, its apps have ended (not some time later).
                assert not any(alive(pid) for pid in apps), "an app outlived its server"
            else:
                process.kill()
                process.wait(timeout=60)
                for _ in range(600):  # the apps notice on their own
                    if not any(alive(pid) for pid in apps):
                        break
                    await asyncio.sleep(0.05)
                assert not any(alive(pid) for pid in apps), "an app outlived its killed server"
            await websocket.close()
    finally:
        if process.poll() is None:
            process.kill()


def test_the_gate_on_a_real_practice_database(pg_url: str) -> None:
    """The served practice's questions to the database, through the practice API."""
    from companion.practice import access, accounts
    from companion.serve_practice import DatabaseGate

    professional, _ = accounts.add_professional(pg_url, "Fysio Anke")
    code = accounts.invite(pg_url, professional).code
    gate = DatabaseGate(pg_url)
    assert gate.ready()
    with pytest.raises(CodeRefused):
        gate.redeem("WRONG-CODE", "203.0.113.7")
    token = gate.redeem(code, "203.0.113.8")
    assert gate.holds(token) and not gate.holds(token[:-1])
    with pytest.raises(CodeRefused):
        gate.redeem(code, "203.0.113.8")  # used up
    gate.revoke(token)
    assert not gate.holds(token)
    for _ in range(access.FAILURES_PER_CLIENT - 1):
        with pytest.raises(CodeRefused):
            gate.redeem("WRONG-CODE", "203.0.113.7")
    with pytest.raises(TooManyAttempts) as too_many:
        gate.redeem("WRONG-CODE", "203.0.113.7")
    assert too_many.value.retry_after == access.FAILURE_WINDOW.total_seconds()
    assert not DatabaseGate(pg_url.replace("/test_", "/missing_")).ready()


async def test_a_link_from_another_site_lets_the_page_ask_again(client: Client) -> None:
    """A SameSite=Strict cookie stays home when a link on another site (an e-mail) opens the
    page: the code page then asks once more from itself, which sends the cookie."""
    followed = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    page = await (await client.get("/", headers=followed)).text()
    assert 'data-recheck="1"' in page
    typed = await (await client.get("/", headers={"Sec-Fetch-Site": "none"})).text()
    assert 'data-recheck="0"' in typed  # typed or bookmarked: the cookie came, if there is one
    script = await (await client.get("/code.js")).text()
    assert "dataset.recheck" in script and "sessionStorage" in script  # once, not in a loop
