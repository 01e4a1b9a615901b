"""`companion serve`: the same app in the browser, through textual-serve.

Each browser tab runs ``companion`` (the Textual app) in its own process,
with the options given to ``companion`` itself (``--data-dir``, ``--content``,
``--lang``, ``--today``, ``--no-save``), so one served companion keeps one
person's data unless ``--no-save`` is given.

It binds to 127.0.0.1 by default. Any other address needs an access token set
by the operator (``--token`` or ``COMPANION_SERVE_TOKEN``); without one it
refuses to start. With a token every request must carry it: ``?token=`` in the
address (which sets a cookie for the page's own requests and its websocket),
the cookie, or ``Authorization: Bearer``; anything else gets 401.
"""

from __future__ import annotations

import argparse
import hmac
import os
import shlex
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from textual_serve.server import Server

ENV_TOKEN = "COMPANION_SERVE_TOKEN"
COOKIE = "companion_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Addresses served without a token (the default is the first)."""
EXIT_REFUSED = 2

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def given_token(request: web.Request) -> str:
    """The token of a request: ``?token=``, then the cookie, then ``Authorization: Bearer``."""
    if "token" in request.query:
        return request.query["token"]
    if COOKIE in request.cookies:
        return request.cookies[COOKIE]
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_middleware(token: str) -> Any:
    """Refuses (401) every request that does not carry ``token``."""
    expected = token.encode()

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not hmac.compare_digest(given_token(request).encode(), expected):
            raise web.HTTPUnauthorized(
                text="companion: an access token is needed (?token=...).",
                headers={"WWW-Authenticate": "Bearer"},
            )
        response = await handler(request)
        if "token" in request.query and not response.prepared:
            # The page's static files and its websocket are fetched without ?token=.
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    return require_token


class CompanionServer(Server):
    """textual-serve's server with the token check in front of every route."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        token: str | None,
        public_url: str | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title="companion", public_url=public_url)
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token:
            app.middlewares.append(token_middleware(self.token))
        return app

    def make_app(self) -> Awaitable[web.Application]:
        """The aiohttp application, for tests."""
        return self._make_app()


def add_serve_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the app in the browser (127.0.0.1; other addresses need --token)",
    )
    serve.add_argument("--host", default=LOOPBACK[0], help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--token",
        default=None,
        help=f"access token every request must carry (default: ${ENV_TOKEN}); "
        "required for any address other than 127.0.0.1",
    )
    serve.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when it differs from http://HOST:PORT",
    )


def app_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this companion's app with the same options."""
    parts = [sys.executable, "-m", "companion"]
    for flag, value in (
        ("--lang", args.lang),
        ("--region", args.region),
        ("--flows", args.flows),
        ("--content", args.content),
        ("--data-dir", args.data_dir),
        ("--today", args.today.isoformat() if args.today else None),
    ):
        if value is not None:
            parts += [flag, str(value)]
    if args.no_save:
        parts.append("--no-save")
    return shlex.join(parts)


def run_serve_command(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(ENV_TOKEN) or None
    if args.host not in LOOPBACK and not token:
        print(
            f"companion serve: binding to {args.host} needs an access token: "
            f"give --token or set {ENV_TOKEN}. Refusing to start.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    server = CompanionServer(app_command(args), args.host, args.port, token, args.public_url)
    server.serve()
    return 0
