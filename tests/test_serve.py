"""`companion serve`: loopback by default, a token for anything else, every request checked."""

from __future__ import annotations

import argparse

import pytest
from aiohttp.test_utils import TestClient, TestServer

from companion.cli import build_parser, main
from companion.serve import COOKIE, ENV_TOKEN, CompanionServer, app_command

TOKEN = "s3cret-token"


def test_binding_elsewhere_without_a_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    assert main(["serve", "--host", "127.0.0.2", "--port", "0"]) == 2
    assert "needs an access token" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2


def test_serve_passes_the_companion_options_on() -> None:
    args = build_parser().parse_args(
        ["--data-dir", "/tmp/x y", "--lang", "fr", "--today", "2026-03-02", "--no-save", "serve"]
    )
    assert isinstance(args, argparse.Namespace)
    command = app_command(args)
    assert "-m companion" in command
    assert "'/tmp/x y'" in command and "--lang fr" in command
    assert "--today 2026-03-02" in command and "--no-save" in command


async def _client(token: str | None) -> TestClient:  # type: ignore[type-arg]
    server = CompanionServer("true", "127.0.0.2", 8000, token)
    app = await server.make_app()
    client: TestClient = TestClient(TestServer(app, host="127.0.0.1"))  # type: ignore[type-arg]
    await client.start_server()
    return client


async def test_every_request_without_the_token_is_refused() -> None:
    client = await _client(TOKEN)
    try:
        for path in ("/", "/ws", "/static/js/textual.js", "/download/x"):
            response = await client.get(path)
            assert response.status == 401, path
        assert (await client.get("/?token=wrong")).status == 401
        wrong = {"Authorization": "Bearer wrong"}
        assert (await client.get("/", headers=wrong)).status == 401
    finally:
        await client.close()


async def test_the_token_opens_the_page_and_sets_a_cookie() -> None:
    client = await _client(TOKEN)
    try:
        response = await client.get(f"/?token={TOKEN}")
        assert response.status == 200
        assert "companion" in await response.text()
        assert response.cookies[COOKIE].value == TOKEN
        # The page's own requests carry the cookie, not the query.
        assert (await client.get("/static/js/textual.js")).status == 200
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        client.session.cookie_jar.clear()
        assert (await client.get("/", headers=bearer)).status == 200
    finally:
        await client.close()


async def test_loopback_without_token_serves() -> None:
    client = await _client(None)
    try:
        assert (await client.get("/")).status == 200
    finally:
        await client.close()
