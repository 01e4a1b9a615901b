"""The options of `companion serve`, without the web server.

Building the command line must not import aiohttp or textual-serve: `simulate`,
`check` and the plain conversation start without them (start-up budget).
"""

from __future__ import annotations

import argparse
from typing import Any

ENV_TOKEN = "COMPANION_SERVE_TOKEN"
ENV_SESSION = "COMPANION_SESSION"
"""A practice's browser tab: its session token, for the tab's app (set by `companion serve`)."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Addresses served without a token (the default is the first)."""
MIN_TOKEN_BITS = 128
MAKE_A_TOKEN = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
DEFAULT_MAX_SESSIONS = 8
"""Each session is a Python process of about 100 MB; 8 fit on a small server."""
DEFAULT_MAX_COLUMNS = 500
DEFAULT_MAX_ROWS = 200
"""A 4K screen at the page's font size is about 400 columns by 110 rows."""


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


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
        help=f"access token every request must carry (default: ${ENV_TOKEN}); at least "
        f"{MIN_TOKEN_BITS} bits, make one with: {MAKE_A_TOKEN}; required for any address "
        "other than 127.0.0.1",
    )
    serve.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use (behind a reverse proxy), when it differs from "
        "http://HOST:PORT; the only origin allowed then",
    )
    serve.add_argument(
        "--max-sessions",
        type=_at_least_one,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"browser tabs served at once (default {DEFAULT_MAX_SESSIONS})",
    )
    serve.add_argument(
        "--max-columns",
        type=_at_least_one,
        default=DEFAULT_MAX_COLUMNS,
        metavar="N",
        help=f"widest terminal a browser may ask for (default {DEFAULT_MAX_COLUMNS})",
    )
    serve.add_argument(
        "--max-rows",
        type=_at_least_one,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"tallest terminal a browser may ask for (default {DEFAULT_MAX_ROWS})",
    )
    serve.add_argument(
        "--debug",
        action="store_true",
        help="show error details in the log; they may quote patient text: "
        "only on a test installation",
    )
