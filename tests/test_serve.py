"""`companion serve`: loopback by default, a token for anything else, every request checked.

Each attack of issue 11 ("Serve", "Leaks", `--token " "`) is a test here: another site's page
or a rebound DNS name reaching the app, tokens and patient text in the logs, weak tokens,
unbounded sessions and terminal sizes, and fonts fetched from a third party.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from companion.cli import build_parser, main
from companion.serve import (
    COOKIE,
    ENV_TOKEN,
    CompanionServer,
    Limits,
    QuietAppService,
    app_command,
    one_line_handler,
    token_problem,
)

TOKEN = "Jq3vX9_kLm2Pz8RtY4wN6bHc"
"""24 random URL-safe characters: 144 bits."""
PATIENT_TEXT = "ik heb pijn in mijn been sinds gisteren"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --- starting: addresses and tokens ---------------------------------------------------


@pytest.fixture
def never_serve(monkeypatch: pytest.MonkeyPatch) -> list[CompanionServer]:
    """Records the servers `companion serve` would start instead of serving forever."""
    started: list[CompanionServer] = []
    monkeypatch.setattr(CompanionServer, "serve", lambda self: started.append(self))
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    return started


def test_binding_elsewhere_without_a_token_is_refused(
    never_serve: list[CompanionServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "127.0.0.2", "--port", "0"]) == 2
    assert "needs an access token" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert never_serve == []


@pytest.mark.parametrize(
    "weak",
    [" ", "", "short", "s3cret-token", "a" * 64, "0123456789abcdef0123", "12345678901234567890"],
)
def test_a_weak_or_blank_token_is_refused_with_how_to_make_one(
    weak: str, never_serve: list[CompanionServer], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "127.0.0.2", "--port", "0", "--token", weak]) == 2
    err = capsys.readouterr().err
    assert never_serve == []
    assert len(err.strip().splitlines()) == 1, err
    assert "128 bits" in err and "secrets.token_urlsafe(32)" in err
    # On loopback too: a token that is given must be strong.
    assert main(["serve", "--port", "0", "--token", weak]) == 2
    assert never_serve == []


def test_a_weak_token_in_the_environment_is_refused(
    never_serve: list[CompanionServer],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_TOKEN, "password")
    assert main(["serve", "--host", "127.0.0.2", "--port", "0"]) == 2
    assert ENV_TOKEN in capsys.readouterr().err
    assert never_serve == []


def test_a_strong_token_starts_and_stays_out_of_the_apps_environment(
    never_serve: list[CompanionServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    assert main(["serve", "--host", "127.0.0.2", "--port", "0"]) == 0
    assert [server.token for server in never_serve] == [TOKEN]
    # Every browser tab's app inherits the environment: it has no use for the token.
    assert ENV_TOKEN not in os.environ


@pytest.mark.parametrize(
    "token",
    [TOKEN, "0123456789abcdef0123456789abcdef", "f" + "0123456789abcdef" * 2],
)
def test_tokens_of_128_bits_are_accepted(token: str) -> None:
    assert token_problem(token) is None


def test_every_address_needs_a_public_url_browsers_can_use(
    never_serve: list[CompanionServer], capsys: pytest.CaptureFixture[str]
) -> None:
    # 0.0.0.0 is no address a browser can open: which origin would be the page's own?
    assert main(["serve", "--host", "0.0.0.0", "--port", "0", "--token", TOKEN]) == 2
    assert "--public-url" in capsys.readouterr().err
    for bad in ("ftp://example.org", "example.org", "https://user:pw@example.org", "https://"):
        argv = ["serve", "--port", "8000", "--public-url", bad]
        assert main(argv) == 2, bad
        assert "--public-url" in capsys.readouterr().err
    assert never_serve == []
    argv = ["serve", "--host", "0.0.0.0", "--token", TOKEN, "--public-url", "https://c.example"]
    assert main(argv) == 0
    assert len(never_serve) == 1


def test_a_public_url_elsewhere_needs_a_token_even_on_loopback(
    never_serve: list[CompanionServer], capsys: pytest.CaptureFixture[str]
) -> None:
    """Behind a reverse proxy the app binds 127.0.0.1, yet anyone reaching the proxy reaches it."""
    assert main(["serve", "--public-url", "https://companion.example.org"]) == 2
    assert "needs an access token" in capsys.readouterr().err
    assert never_serve == []
    assert main(["serve", "--public-url", "http://localhost:8000"]) == 0


def test_a_taken_port_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1 port {port}" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_serve_passes_the_companion_options_on() -> None:
    args = build_parser().parse_args(
        ["--data-dir", "/tmp/x y", "--lang", "fr", "--today", "2026-03-02", "--no-save", "serve"]
    )
    assert isinstance(args, argparse.Namespace)
    command = app_command(args)
    assert "-m companion" in command
    assert "'/tmp/x y'" in command and "--lang fr" in command
    assert "--today 2026-03-02" in command and "--no-save" in command


def test_serve_options_for_limits_and_debug() -> None:
    args = build_parser().parse_args(
        ["serve", "--max-sessions", "3", "--max-columns", "200", "--max-rows", "60", "--debug"]
    )
    assert (args.max_sessions, args.max_columns, args.max_rows, args.debug) == (3, 200, 60, True)
    defaults = build_parser().parse_args(["serve"])
    assert defaults.debug is False and 1 <= defaults.max_sessions <= 32


# --- requests: origin, host, token ----------------------------------------------------


async def start_client(
    token: str | None,
    *,
    command: str = "true",
    public_url: str | None = None,
    limits: Limits | None = None,
) -> TestClient:  # type: ignore[type-arg]
    port = free_port()
    server = CompanionServer(
        command, "127.0.0.1", port, token, public_url, limits=limits or Limits()
    )
    app = await server.make_app()
    test_server = TestServer(app, host="127.0.0.1", port=port)
    await test_server.start_server(**server.runner_options())
    client: TestClient = TestClient(test_server)  # type: ignore[type-arg]
    await client.start_server()
    return client


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    opened = await start_client(None)
    yield opened
    await opened.close()


def own_origin(client: TestClient) -> str:  # type: ignore[type-arg]
    return f"http://127.0.0.1:{client.port}"


async def test_every_request_without_the_token_is_refused() -> None:
    client = await start_client(TOKEN)
    try:
        for path in ("/", "/static/js/textual.js", "/download/x"):
            response = await client.get(path)
            assert response.status == 401, path
        origin = {"Origin": own_origin(client)}
        assert (await client.get("/ws", headers=origin)).status == 401
        assert (await client.get("/?token=wrong")).status == 401
        wrong = {"Authorization": "Bearer wrong"}
        assert (await client.get("/", headers=wrong)).status == 401
    finally:
        await client.close()


async def test_the_token_opens_the_page_and_sets_a_strict_cookie() -> None:
    client = await start_client(TOKEN)
    try:
        response = await client.get(f"/?token={TOKEN}")
        assert response.status == 200
        assert "companion" in await response.text()
        assert response.cookies[COOKIE].value == TOKEN
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would not return
        # The page's own requests carry the cookie, not the query.
        assert (await client.get("/static/js/textual.js")).status == 200
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        client.session.cookie_jar.clear()
        assert (await client.get("/", headers=bearer)).status == 200
    finally:
        await client.close()


async def test_the_cookie_is_secure_behind_https() -> None:
    client = await start_client(TOKEN, public_url="https://companion.example.org")
    try:
        headers = {"Host": "companion.example.org"}
        response = await client.get(f"/?token={TOKEN}", headers=headers)
        assert response.status == 200
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await client.close()


async def test_loopback_without_token_serves(client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/")).status == 200


@pytest.mark.parametrize("token", [None, TOKEN])
async def test_another_origin_is_refused_on_every_request(token: str | None) -> None:
    client = await start_client(token)
    auth = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    try:
        for origin in ("http://evil.example", "http://127.0.0.1:1", "null", "https://127.0.0.1"):
            for path in ("/", "/static/js/textual.js", "/download/x"):
                response = await client.get(path, headers={**auth, "Origin": origin})
                assert response.status == 403, (origin, path)
        for own in (own_origin(client), f"http://localhost:{client.port}"):
            assert (await client.get("/", headers={**auth, "Origin": own})).status == 200
    finally:
        await client.close()


@pytest.mark.parametrize("token", [None, TOKEN])
async def test_a_rebound_dns_name_is_refused(token: str | None) -> None:
    """DNS rebinding: evil.example resolves to 127.0.0.1, the browser says Host: evil.example."""
    client = await start_client(token)
    auth = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    try:
        for host in (f"evil.example:{client.port}", "evil.example", f"127.0.0.1:{client.port + 1}"):
            response = await client.get("/", headers={**auth, "Host": host})
            assert response.status == 403, host
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(
                "/ws",
                headers={**auth, "Host": f"evil.example:{client.port}"},
                origin=f"http://evil.example:{client.port}",
            )
        assert refused.value.status == 403
        assert (await client.get("/", headers={**auth, "Host": f"localhost:{client.port}"})).ok
    finally:
        await client.close()


@pytest.mark.parametrize("token", [None, TOKEN])
async def test_the_websocket_needs_the_pages_own_origin(token: str | None) -> None:
    client = await start_client(token)
    auth = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    try:
        for origin in (None, "http://evil.example", f"http://127.0.0.1:{client.port + 1}"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/ws", headers=auth, origin=origin)
            assert refused.value.status == 403, origin
        websocket = await client.ws_connect("/ws", headers=auth, origin=own_origin(client))
        await websocket.close()
    finally:
        await client.close()


async def test_the_public_url_is_the_only_origin_behind_a_proxy() -> None:
    client = await start_client(None, public_url="https://companion.example.org")
    try:
        public = {"Host": "companion.example.org"}
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=public, origin=own_origin(client))
        assert refused.value.status == 403
        websocket = await client.ws_connect(
            "/ws", headers=public, origin="https://companion.example.org"
        )
        await websocket.close()
        page = await client.get("/", headers=public)
        assert 'data-session-websocket-url="wss://companion.example.org/ws"' in await page.text()
    finally:
        await client.close()


async def test_a_public_url_with_a_sub_path() -> None:
    """A proxy serving the app at /companion/ (and stripping it): the page's addresses follow."""
    client = await start_client(TOKEN, public_url="https://example.org/companion/")
    try:
        headers = {"Host": "example.org", "Origin": "https://example.org"}
        page = await (await client.get(f"/?token={TOKEN}", headers=headers)).text()
        assert 'data-session-websocket-url="wss://example.org/companion/ws"' in page
        assert 'src="static/js/textual.js"' in page  # relative: under /companion/ as well
        bearer = {**headers, "Authorization": f"Bearer {TOKEN}"}  # the cookie is https only
        websocket = await client.ws_connect("/ws", headers=bearer, origin="https://example.org")
        await websocket.close()
    finally:
        await client.close()


async def test_other_sites_cannot_load_the_apps_files(client: TestClient) -> None:  # type: ignore[type-arg]
    """A page elsewhere (even on another port of 127.0.0.1) embedding our files is refused."""
    for site in ("cross-site", "same-site"):
        headers = {"Sec-Fetch-Site": site, "Sec-Fetch-Mode": "no-cors"}
        assert (await client.get("/static/js/textual.js", headers=headers)).status == 403
    # A link followed from another site is a navigation: the patient gets the page.
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert (await client.get("/", headers=navigation)).status == 200
    own = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors"}
    assert (await client.get("/static/js/textual.js", headers=own)).status == 200


# --- the page: every asset local, strict headers ---------------------------------------


URL = re.compile(r"""(?:https?|wss?):/{2}[^\s"'<>)]+|//[a-z0-9.-]+\.[a-z]{2,}/""", re.IGNORECASE)


async def test_the_page_calls_no_third_party(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/")
    page = await response.text()
    assert "fonts.googleapis.com" not in page
    for url in URL.findall(page):
        assert url.startswith(f"ws://127.0.0.1:{client.port}/"), url
    for style in re.findall(r'href="([^"]+\.css)"', page):
        css = await (await client.get("/" + style.lstrip("/"))).text()
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)  # credits in comments load nothing
        assert not URL.findall(css), style
        for font in re.findall(r'url\("?([^")]+)"?\)', css):
            font_path = "/" + font.lstrip("./")
            assert (await client.get(font_path)).status == 200, font
    scripts = re.findall(r'src="([^"]+)"', page)
    assert scripts and all(not URL.match(src) for src in scripts)


async def test_every_response_has_strict_security_headers(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/", "/static/js/textual.js", "/nothing-here"):
        headers = (await client.get(path)).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "https:" not in policy and "*" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


async def test_no_directory_listing_of_the_static_files(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/static/")
    assert response.status in (403, 404)
    assert "textual.js" not in await response.text()


# --- sessions: caps, malformed messages, app errors ------------------------------------


async def test_a_cap_on_concurrent_sessions() -> None:
    client = await start_client(None, limits=Limits(max_sessions=2))
    origin = own_origin(client)
    try:
        first = await client.ws_connect("/ws", origin=origin)
        second = await client.ws_connect("/ws", origin=origin)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", origin=origin)
        assert refused.value.status == 503
        await first.close()
        await second.close()
        # Closed sessions free their places (the server notices the close on its own time).
        for _ in range(100):
            try:
                third = await client.ws_connect("/ws", origin=origin)
                break
            except aiohttp.WSServerHandshakeError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("a closed session never freed its place")
        await third.close()
    finally:
        await client.close()


async def test_a_cap_on_the_terminal_size(caplog: pytest.LogCaptureFixture) -> None:
    client = await start_client(None, limits=Limits(max_columns=300, max_rows=100))
    origin = own_origin(client)
    try:
        for query in ("width=100000&height=24", "width=80&height=100000", "width=-5&height=24",
                      "width=x&height=24"):  # fmt: skip
            response = await client.get(
                f"/ws?{query}",
                headers={"Origin": origin, "Connection": "Upgrade", "Upgrade": "websocket",
                         "Sec-WebSocket-Version": "13",
                         "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
            )  # fmt: skip
            assert response.status == 400, query
            assert "300" in await response.text()
        websocket = await client.ws_connect("/ws?width=300&height=100", origin=origin)
        caplog.set_level(logging.INFO)
        await websocket.send_str(json.dumps(["resize", {"width": 5000, "height": 5000}]))
        await websocket.send_str(json.dumps(["ping", "after-resize"]))
        assert json.loads((await websocket.receive()).data) == ["pong", "after-resize"]
        assert "5000" in caplog.text and "300" in caplog.text
        await websocket.close()
    finally:
        await client.close()


async def test_a_malformed_message_is_one_clean_line(caplog: pytest.LogCaptureFixture) -> None:
    client = await start_client(None)
    try:
        websocket = await client.ws_connect("/ws", origin=own_origin(client))
        caplog.set_level(logging.DEBUG)
        for malformed in (
            f'["stdin", "{PATIENT_TEXT}"',
            json.dumps({"stdin": PATIENT_TEXT}),
            json.dumps(["resize", PATIENT_TEXT]),
            json.dumps(["stdin"]),
            json.dumps([]),
        ):
            await websocket.send_str(malformed)
        await websocket.send_str(json.dumps(["ping", "still-here"]))
        reply = await websocket.receive()
        assert json.loads(reply.data) == ["pong", "still-here"], "the session did not go on"
        await websocket.close()
    finally:
        await client.close()
    assert PATIENT_TEXT not in caplog.text
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "malformed" in caplog.text


async def test_an_apps_error_report_stays_out_of_the_log(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A crashing app prints a traceback with locals (patient text) on its stderr."""
    report = f"Traceback (most recent call last):\\n  answer = '{PATIENT_TEXT}'\\n"
    command = f"{sys.executable} -c \"import sys; sys.stderr.write('{report}')\""
    sent: list[bytes | str] = []

    async def keep(data: bytes | str) -> None:
        sent.append(data)

    async def close() -> None:
        return None

    from textual_serve.download_manager import DownloadManager

    service = QuietAppService(
        command,
        write_bytes=keep,
        write_str=keep,
        close=close,
        download_manager=DownloadManager(),
        show_details=False,
    )
    caplog.set_level(logging.INFO)
    await service.start(80, 24)
    await service.finished()
    await service.stop()
    captured = capfd.readouterr()
    for text in (captured.out, captured.err, caplog.text):
        assert PATIENT_TEXT not in text and "Traceback" not in text
    assert "--debug" in caplog.text


def test_log_lines_carry_no_traceback_unless_debug() -> None:
    try:
        answer = PATIENT_TEXT
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "textual-serve", logging.ERROR, __file__, 1, "a session failed", None, sys.exc_info()
        )
    assert answer
    quiet = one_line_handler(show_details=False).format(record)
    assert quiet.count("\n") == 0 and "Traceback" not in quiet and "ValueError" in quiet
    detailed = one_line_handler(show_details=True).format(record)
    assert "Traceback" in detailed and PATIENT_TEXT not in detailed  # no locals even then


# --- end to end: what `companion serve` writes -----------------------------------------


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(ENV_TOKEN, None)
    output = tmp_path / "serve.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "companion", "--data-dir", str(tmp_path / "data"), "--no-save",
             "serve", "--port", str(port), "--token", TOKEN],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )  # fmt: skip
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("companion serve stopped at start: " + output.read_text())
                time.sleep(0.1)
        else:
            pytest.fail("companion serve did not listen")
        yield f"http://127.0.0.1:{port}", process, output
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def test_the_served_log_shows_no_token_and_no_patient_text(
    serve_process: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, process, output = serve_process
    # unsafe: keep cookies of an IP address, as browsers do.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{url}/?token={TOKEN}") as page:
            assert page.status == 200
        # Browsers send the page's address, token included, as Referer.
        referer = {"Referer": f"{url}/?token={TOKEN}"}
        async with session.get(f"{url}/static/js/textual.js", headers=referer) as script:
            assert script.status == 200
        websocket = await session.ws_connect(f"{url.replace('http', 'ws')}/ws", origin=url)
        await websocket.send_str(f'["stdin", "{PATIENT_TEXT}"')  # not JSON
        await websocket.send_str(json.dumps(["ping", "done"]))
        assert json.loads((await websocket.receive()).data) == ["pong", "done"]
        await websocket.close()
    process.terminate()
    process.wait(timeout=10)
    log = output.read_text(encoding="utf-8", errors="replace")
    assert "GET /" in log, "no access log at all"
    assert TOKEN not in log
    assert PATIENT_TEXT not in log
    assert "Traceback" not in log and "locals" not in log
