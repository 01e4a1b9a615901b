"""`companion serve`: the same app in the browser, through textual-serve.

Each browser tab runs ``companion`` (the Textual app) in its own process,
with the options given to ``companion`` itself (``--data-dir``, ``--content``,
``--lang``, ``--today``, ``--no-save``), so one served companion keeps one
person's data unless ``--no-save`` is given.

What protects the served app (issue 11), request by request:

- **The page's own origin only.** Every request must name an allowed ``Host``
  (the bound address, a loopback name with the port, or the ``--public-url``
  host: a DNS name rebound to 127.0.0.1 is refused), and a request with an
  ``Origin`` must come from the page's own origin (``http://127.0.0.1:PORT``,
  ``http://localhost:PORT``, or the ``--public-url`` origin). The websocket
  needs that ``Origin``. Files fetched by another site's page (``Sec-Fetch-Site``)
  are refused too; following a link is not. All of this applies with and
  without a token; refusals are 403.
- **A token** for anything but loopback (``--token`` or ``COMPANION_SERVE_TOKEN``,
  at least 128 bits): ``?token=`` in the address (which sets an HttpOnly,
  SameSite=Strict cookie, Secure behind https), the cookie, or
  ``Authorization: Bearer``; anything else gets 401. Compared in constant time.
- **Caps**: concurrent sessions (``--max-sessions``) and the terminal size a
  browser may ask for (``--max-columns``, ``--max-rows``).
- **Nothing leaks to logs**: the access log has no query strings and no
  Referer; a malformed websocket message is one line without its content; an
  app's error report (Textual prints tracebacks with local variables, patient
  text included) is not echoed. Only ``--debug`` shows details.
- **A page without third parties**: the page, its fonts and scripts come from
  this server; a Content-Security-Policy allows nothing else.

A practice's server (the store is a PostgreSQL URL: many patients, each admitted by a code)
is :mod:`companion.serve_practice`, built on the hooks here (``routes``, ``middlewares``,
``app_environment``).

Messages for the operator (the terminal running ``companion serve``) are in
English, as the rest of the command line's operator messages; what a browser
may show (refusal pages, the page's own texts) is in Dutch, French and English.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import html
import json
import logging
import math
import os
import shlex
import string
import sys
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager
from textual_serve.server import Server

from companion.commands.serve_options import (
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_SESSIONS,
    ENV_SESSION,
    ENV_TOKEN,
    LOOPBACK,
    MAKE_A_TOKEN,
    MIN_TOKEN_BITS,
    add_serve_command,
)

__all__ = [
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_SESSIONS",
    "ENV_TOKEN",
    "LOOPBACK",
    "MAKE_A_TOKEN",
    "MIN_TOKEN_BITS",
    "add_serve_command",
]

log = logging.getLogger("companion.serve")

COOKIE = "companion_token"
EVERY_ADDRESS = ("0.0.0.0", "::", "")
"""Bind addresses no browser can open: the page's own origin needs --public-url."""
EXIT_REFUSED = 2
WEBSOCKET_PATH = "/ws"

MIN_TOKEN_DISTINCT_CHARACTERS = 8
"""Against 'aaaa…' and similar: a random 128-bit token has far more distinct characters."""
TOKEN_ALPHABETS = (
    string.digits,
    string.digits + "abcdef",
    string.digits + "ABCDEF",
    string.ascii_letters + string.digits + "-_",
)
"""A token's characters must fit one of these; its strength is counted in the smallest."""

MAX_MESSAGE_BYTES = 256 * 1024
"""Keys and pasted text from a browser; far above what a person types at once."""
APP_QUIT_SECONDS = 10
"""How long an app may take to save and quit after its browser tab closed."""
MAX_ERROR_REPORT_BYTES = 64 * 1024
"""What ``--debug`` shows of an app's error report."""

BUNDLE_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-03EiY9OLVCaCQVNKUgCYxdI11BJ8pKsqSKUlTlszVsE='",
)
"""The two <style> elements textual.js adds while running (an empty one from xterm.js and
the bundle's own rules, which page.css repeats): allowed by hash, so no other inline
style is. A new textual-serve with other styles shows up in tests/test_browser.py."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Texts a browser may show: whoever opens the page reads them, so nl, fr and en.
REFUSED_ORIGIN = (
    "Deze pagina van de companion opent alleen via haar eigen adres.\n"
    "Cette page du compagnon ne s'ouvre que par sa propre adresse.\n"
    "This page of the companion only opens from its own address.\n"
)
NEEDS_TOKEN = (
    "Open de companion met de volledige link die u kreeg.\n"
    "Ouvrez le compagnon avec le lien complet que vous avez reçu.\n"
    "Open the companion with the full link you were given (?token=...).\n"
)
TOO_MANY_SESSIONS = (
    "Er zijn nu te veel gesprekken tegelijk open. Probeer het over enkele minuten opnieuw.\n"
    "Il y a trop de conversations ouvertes en même temps. Réessayez dans quelques minutes.\n"
    "Too many sessions are open at once ({count}). Try again in a few minutes.\n"
)
TERMINAL_TOO_LARGE = (
    "Het venster vraagt een te groot scherm. Maak het venster kleiner of zoom in.\n"
    "La fenêtre demande un écran trop grand. Réduisez la fenêtre ou agrandissez le zoom.\n"
    "The terminal size must be within 1 to {columns} columns and 1 to {rows} rows.\n"
)


class ServeRefusal(ValueError):
    """A setting `companion serve` does not start with; the text is the operator's one line."""


# --- tokens ---------------------------------------------------------------------------


def token_bits(token: str) -> float:
    """The most randomness ``token`` can hold: its length times the bits of the smallest
    usual alphabet holding all its characters (0 outside those alphabets)."""
    for alphabet in TOKEN_ALPHABETS:
        if set(token) <= set(alphabet):
            return len(token) * math.log2(len(alphabet))
    return 0.0


def token_problem(token: str) -> str | None:
    """Why ``token`` is too weak to guard the app, or None when it is strong enough."""
    if not token.strip():
        reason = "is blank"
    elif token_bits(token) == 0.0:
        reason = "may only hold letters, digits, '-' and '_' (it travels in addresses)"
    elif token_bits(token) < MIN_TOKEN_BITS or len(set(token)) < MIN_TOKEN_DISTINCT_CHARACTERS:
        reason = "is too weak"
    else:
        return None
    return (
        f"the access token {reason}: it needs at least {MIN_TOKEN_BITS} bits of randomness, "
        f"such as 22 or more random letters, digits, '-' and '_'. Make one with: {MAKE_A_TOKEN}"
    )


def chosen_token(given: str | None) -> str | None:
    """``--token``, else ``$COMPANION_SERVE_TOKEN`` (empty is unset); refuses a weak one."""
    if given is not None:
        source, token = "--token", given
    elif os.environ.get(ENV_TOKEN):
        source, token = f"${ENV_TOKEN}", os.environ[ENV_TOKEN]
    else:
        return None
    problem = token_problem(token)
    if problem is not None:
        raise ServeRefusal(f"{source}: {problem}")
    return token


def _digest(token: str) -> bytes:
    # Equal-length digests: the comparison leaks neither content nor length.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def given_token(request: web.Request) -> str:
    """The token of a request: ``?token=``, then the cookie, then ``Authorization: Bearer``."""
    if "token" in request.query:
        return request.query["token"]
    if COOKIE in request.cookies:
        return request.cookies[COOKIE]
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_middleware(token: str, secure_cookie: bool) -> Any:
    """Refuses (401) every request that does not carry ``token``."""
    expected = _digest(token)

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not hmac.compare_digest(_digest(given_token(request)), expected):
            raise web.HTTPUnauthorized(text=NEEDS_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        response = await handler(request)
        if "token" in request.query and not response.prepared:
            # The page's static files and its websocket are fetched without ?token=.
            response.set_cookie(
                COOKIE, token, httponly=True, samesite="Strict", secure=secure_cookie, path="/"
            )
        return response

    return require_token


# --- the page's own origin --------------------------------------------------------------


DEFAULT_PORTS = {"http": 80, "https": 443}


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _authorities(host: str, port: int | None, scheme: str) -> set[str]:
    """The ``Host`` header values naming ``host``: with the port, and bare on the default."""
    name = _bracketed(host.lower())
    if port is None or port == DEFAULT_PORTS[scheme]:
        return {name, f"{name}:{DEFAULT_PORTS[scheme]}"}
    return {f"{name}:{port}"}


def _origin(scheme: str, host: str, port: int | None) -> str:
    """An ``Origin`` as browsers write it: the default port left out."""
    name = _bracketed(host.lower())
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{name}"
    return f"{scheme}://{name}:{port}"


def checked_public_url(public_url: str) -> str:
    """``public_url`` without a trailing slash, or a refusal saying what is wrong."""
    try:
        parts = urlsplit(public_url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError as err:
        raise ServeRefusal(f"--public-url {public_url!r} is not an address ({err}).") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ServeRefusal(
            f"--public-url {public_url!r} must be an http:// or https:// address with a host, "
            "such as https://companion.example.org."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ServeRefusal(
            f"--public-url {public_url!r} may not hold a user name, password, query or fragment."
        )
    return public_url.rstrip("/")


@dataclass(frozen=True)
class Site:
    """Where browsers reach the app: the origins and Host values allowed, and its public URL."""

    origins: frozenset[str]
    hosts: frozenset[str]
    public_url: str | None
    """The address browsers use, when given (behind a reverse proxy)."""

    @property
    def secure(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))

    @classmethod
    def of(cls, host: str, port: int, public_url: str | None) -> Site:
        hosts = set().union(*(_authorities(name, port, "http") for name in (*LOOPBACK, host)))
        if public_url is None:
            names = LOOPBACK if host in LOOPBACK else (host,)
            origins = {_origin("http", name, port) for name in names}
        else:
            parts = urlsplit(public_url)
            assert parts.hostname is not None  # checked_public_url
            origins = {_origin(parts.scheme, parts.hostname, parts.port)}
            hosts |= _authorities(parts.hostname, parts.port, parts.scheme)
        return cls(frozenset(origins), frozenset(hosts), public_url)

    def websocket_url(self, request: web.Request) -> str:
        """The websocket address for the page: on the public URL, else on the Host the
        page came from (already checked), so the page and its websocket share an origin."""
        if self.public_url is None:
            return f"ws://{request.headers['Host']}{WEBSOCKET_PATH}"
        scheme, rest = self.public_url.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}{WEBSOCKET_PATH}"

    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` does not come from the page's own origin (None: it does)."""
        host = request.headers.get("Host", "").lower()
        if host not in self.hosts:
            return f"Host {host[:80]!r} is not this server's"
        origin = request.headers.get("Origin")
        if origin is None:
            if _is_websocket(request):
                return "a websocket without Origin"
        elif origin.lower() not in self.origins and not _own_form_post(request):
            return f"Origin {origin[:80]!r} is another site"
        fetch_site = request.headers.get("Sec-Fetch-Site", "none")
        fetch_mode = request.headers.get("Sec-Fetch-Mode", "navigate")
        following_a_link = fetch_mode in ("navigate", "websocket")  # websockets: Origin above
        if fetch_site not in ("same-origin", "none") and not following_a_link:
            return f"a {fetch_site} page fetching {request.path[:80]!r}"
        return None


def _own_form_post(request: web.Request) -> bool:
    """A form this server's page posted to it: with ``Referrer-Policy: no-referrer`` a browser
    says ``Origin: null`` there, and ``Sec-Fetch-Site`` (which no page can set) says whose."""
    return (
        request.method == "POST"
        and request.headers.get("Origin") == "null"
        and request.headers.get("Sec-Fetch-Site") == "same-origin"
    )


def _is_websocket(request: web.Request) -> bool:
    return (
        request.path == WEBSOCKET_PATH or request.headers.get("Upgrade", "").lower() == "websocket"
    )


def site_middleware(site: Site) -> Any:
    """Refuses (403) requests that do not come from the page's own origin."""

    @web.middleware
    async def own_origin_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        refusal = site.refusal(request)
        if refusal is not None:
            log.warning("companion serve: refused a request: %s", refusal)
            raise web.HTTPForbidden(text=REFUSED_ORIGIN)
        return await handler(request)

    return own_origin_only


def security_headers(site: Site, request: web.Request, forms: bool = False) -> dict[str, str]:
    """Headers for every response: only this server's files, no framing, no Referer.
    ``forms``: the page may post forms to this server (a practice's code and log-out)."""
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {' '.join(BUNDLE_STYLE_HASHES)}",
            "img-src 'self'",
            "font-src 'self'",
            f"connect-src 'self' {site.websocket_url(request).removesuffix(WEBSOCKET_PATH)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'" if forms else "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


# --- logs -------------------------------------------------------------------------------


class PathOnlyAccessLogger(AbstractAccessLogger):
    """The access log without query strings (``?token=``) and without the Referer (which
    carries the page's address, token included)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s', request.remote, request.method, request.path, response.status
        )


class OneLineFormatter(logging.Formatter):
    """Log lines without tracebacks: an exception is named, its details (which may quote
    patient text) only with ``--debug``. Never local variables, not even then."""

    def __init__(self, show_details: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
        self.show_details = show_details

    def format(self, record: logging.LogRecord) -> str:
        if self.show_details:
            return super().format(record)
        quiet = logging.makeLogRecord(record.__dict__)
        quiet.msg, quiet.args = record.getMessage(), None
        if record.exc_info and record.exc_info[0] is not None:
            quiet.msg += f" ({record.exc_info[0].__name__}; details with --debug)"
        quiet.exc_info, quiet.exc_text, quiet.stack_info = None, None, None
        return super().format(quiet).replace("\n", " ")


def one_line_handler(show_details: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(show_details))
    return handler


# --- sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_sessions: int = DEFAULT_MAX_SESSIONS
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_rows: int = DEFAULT_MAX_ROWS

    def fits(self, columns: int, rows: int) -> bool:
        return 1 <= columns <= self.max_columns and 1 <= rows <= self.max_rows


class MalformedMessage(ValueError):
    """A websocket message that is not what the page sends; its text names the shape only,
    never the content (which is what the patient typed)."""


@dataclass(frozen=True)
class Envelope:
    """One message from the page: keys (``stdin``), a new size, a ping, blur or focus."""

    kind: str
    text: str = ""
    columns: int = 0
    rows: int = 0


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_envelope(data: str) -> Envelope:
    """The page's JSON message ``[kind, payload]``, checked; MalformedMessage otherwise."""
    try:
        envelope = json.loads(data)
    except (ValueError, RecursionError):
        raise MalformedMessage("not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise MalformedMessage("not a [kind, ...] list")
    kind, payload = envelope[0], envelope[1:]
    if kind in ("stdin", "ping"):
        if len(payload) != 1 or not isinstance(payload[0], str):
            raise MalformedMessage(f"{kind} without one text")
        return Envelope(kind, text=payload[0])
    if kind == "resize":
        size = payload[0] if len(payload) == 1 else None
        if not isinstance(size, dict) or not all(
            _whole_number(size.get(key)) for key in ("width", "height")
        ):
            raise MalformedMessage("resize without whole width and height")
        return Envelope(kind, columns=size["width"], rows=size["height"])
    if kind in ("blur", "focus"):
        return Envelope(kind)
    raise MalformedMessage("an unknown kind")


def requested_size(query: Any, limits: Limits) -> tuple[int, int]:
    """The terminal size asked for when the websocket opens (80 x 24 when not given)."""
    width, height = query.get("width", "80"), query.get("height", "24")
    if width.isdigit() and height.isdigit() and len(width) < 7 and len(height) < 7:
        columns, rows = int(width), int(height)
        if limits.fits(columns, rows):
            return columns, rows
    log.warning(
        "companion serve: refused a session asking for a terminal of %.12s x %.12s "
        "(at most %d columns and %d rows: --max-columns, --max-rows)",
        width,
        height,
        limits.max_columns,
        limits.max_rows,
    )
    raise web.HTTPBadRequest(
        text=TERMINAL_TOO_LARGE.format(columns=limits.max_columns, rows=limits.max_rows)
    )


def _empty_stream() -> asyncio.StreamReader:
    stream = asyncio.StreamReader()
    stream.feed_eof()
    return stream


class QuietAppService(AppService):
    """One browser tab's app process, whose error report stays out of the server's output.

    textual-serve copies an app's stderr to its own output; a crashing Textual app
    writes a traceback with local variables there, the patient's answers included.
    Here it is read apart: one line says there was a report, ``--debug`` shows it.
    """

    def __init__(
        self,
        command: str,
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        download_manager: DownloadManager,
        show_details: bool,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            command,
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,  # type: ignore[arg-type]  # textual-serve ignores what close returns
            download_manager=download_manager,
            debug=False,  # textual-serve's debug turns on Textual's devtools in the app
        )
        self.show_details = show_details
        self.environment = dict(environment or {})
        """Added to the app's environment (a practice's session token: never its arguments,
        which every user of the machine can list)."""
        self._error_report: asyncio.Task[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), **self.environment}

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        process = await super()._open_app_process(width, height)
        if process.stderr is not None:
            self._error_report = asyncio.create_task(self._report_errors(process.stderr))
            process.stderr = _empty_stream()
        return process

    async def _report_errors(self, stream: asyncio.StreamReader) -> None:
        kept, size = bytearray(), 0
        while chunk := await stream.read(4096):
            size += len(chunk)
            if self.show_details:
                kept += chunk[: MAX_ERROR_REPORT_BYTES - len(kept)]
        if not size:
            return
        if self.show_details:
            log.warning(
                "companion serve: a session's app reported:\n%s",
                kept.decode("utf-8", "replace"),
            )
        else:
            log.warning(
                "companion serve: a session's app reported an error (%d bytes, not shown: "
                "it may quote patient text; start with --debug to see it)",
                size,
            )

    async def stop(self) -> None:
        await super().stop()
        await self._end_process()

    async def end(self) -> None:
        """Stops the app, ending its process when it does not quit in time (the server is
        stopping: nothing may keep it, and no app may outlive it)."""
        try:
            await asyncio.wait_for(self.stop(), APP_QUIT_SECONDS)
        except TimeoutError:
            log.warning("companion serve: a session's app did not quit; ended it")
            if self._process is not None and self._process.returncode is None:
                self._process.kill()

    async def _end_process(self) -> None:
        """textual-serve asks the app to quit and leaves it: one that hangs would keep
        running outside --max-sessions, so it is ended after a grace period."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), APP_QUIT_SECONDS)
            except TimeoutError:
                log.warning("companion serve: a session's app did not quit; ended it")
                process.kill()
                await process.wait()
        if process.stdin is not None:
            process.stdin.close()  # its last open pipe: nothing of the session is left

    async def finished(self) -> None:
        """Waits until the app has ended and its error report is dealt with."""
        if self._task is not None:
            await self._task
        if self._error_report is not None:
            await self._error_report


# --- the page ---------------------------------------------------------------------------

# Relative addresses throughout: the page works at / and behind a proxy's sub-path alike.
PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>companion</title>
<link rel="stylesheet" href="static/css/xterm.css">
<link rel="stylesheet" href="page.css">
<script src="page.js"></script>
<script src="static/js/textual.js"></script>
</head>
<body>
<div class="notice starting"><div class="notice-box">
<p>companion</p>
<button type="button" id="start" data-restart>Start / Démarrer</button>
</div></div>
<div class="notice ended"><div class="notice-box">
<p lang="nl">De sessie is gestopt.</p>
<p lang="fr">La session est terminée.</p>
<button type="button" data-restart>Opnieuw openen / Rouvrir</button>
$after_the_session
</div></div>
<div id="terminal" class="textual-terminal"
 data-session-websocket-url="$websocket_url" data-font-size="$font_size"></div>
</body>
</html>
"""

# The font is textual-serve's own copy of Roboto Mono, so the browser asks no font site.
PAGE_CSS = """@font-face {
  font-family: "Roboto Mono";
  src: url("static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700;
  font-style: normal;
}
@font-face {
  font-family: "Roboto Mono";
  src: url("static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700;
  font-style: italic;
}
html, body { margin: 0; height: 100%; background: #0c181f; }
body { color: #f4f4f4; font-family: "Roboto Mono", monospace; font-size: 16px; }
.notice {
  position: fixed; inset: 0; z-index: 10;
  display: flex; align-items: center; justify-content: center;
  background: #0c181f;
}
.notice-box { padding: 24px 40px; background: #12232d; text-align: center; }
.notice button {
  margin-top: 12px; padding: 12px 24px; border: none; cursor: pointer;
  background: #5e0ba7; color: #ffffff; font: inherit;
}
body.-first-byte .starting { display: none; }
.ended { display: none; }
body.-closed .ended { display: flex; }
#start { display: none; }
#start.-delay { display: inline-block; }
.textual-terminal { width: 100vw; height: 100vh; opacity: 0; }
body.-first-byte .textual-terminal { opacity: 1; }
"""

PAGE_JS = """"use strict";
(function () {
  // The token came in the address once, to set the cookie: keep it out of the
  // address bar, the history and bookmarks.
  const here = new URL(window.location.href);
  if (here.searchParams.has("token")) {
    here.searchParams.delete("token");
    window.history.replaceState(null, "", here.pathname + here.search + here.hash);
  }
  function restart() {
    const again = new URL(window.location.href);
    again.searchParams.delete("delay");
    window.location.href = again.pathname + again.search;
  }
  document.addEventListener("DOMContentLoaded", function () {
    for (const button of document.querySelectorAll("button[data-restart]")) {
      button.addEventListener("click", restart);
    }
  });
})();
"""


def _font_size(query: Any) -> int:
    text = query.get("fontsize", "16")
    size = int(text) if text.isdigit() and len(text) < 4 else 16
    return min(max(size, 8), 48)


class CompanionServer(Server):
    """textual-serve's server with the checks above in front of every route."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        token: str | None,
        public_url: str | None = None,
        *,
        limits: Limits | None = None,
        show_details: bool = False,
    ) -> None:
        super().__init__(command, host=host, port=port, title="companion", public_url=public_url)
        self.token = token
        self.site = Site.of(host, port, public_url.rstrip("/") if public_url else None)
        self.limits = limits or Limits()
        self.show_details = show_details
        self.sessions = 0
        self.app_services: set[QuietAppService] = set()
        """The apps of the open sessions, ended when the server stops."""

    def runner_options(self) -> dict[str, Any]:
        """Options of aiohttp's runner: the access log without queries."""
        return {"access_log_class": PathOnlyAccessLogger}

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, handlers=[one_line_handler(self.show_details)])

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            print=None,
            **self.runner_options(),
        )

    async def on_startup(self, app: web.Application) -> None:
        address = self.site.public_url or f"http://{_bracketed(self.host)}:{self.port}"
        how = " with ?token=<your token>" if self.token else ""
        log.info("companion serve: open %s/%s in a browser (Ctrl+C stops)", address, how)

    def middlewares(self) -> list[Any]:
        """What every request passes, in order: the page's own origin, then the token."""
        middlewares = [site_middleware(self.site)]
        if self.token:
            middlewares.append(token_middleware(self.token, self.site.secure))
        return middlewares

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self.handle_page, name="index"),
            web.get("/page.css", self.handle_page_css),
            web.get("/page.js", self.handle_page_js),
            web.get(WEBSOCKET_PATH, self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ]

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=self.middlewares())
        app.add_routes(self.routes())
        app.on_response_prepare.append(self._add_security_headers)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_shutdown(self, app: web.Application) -> None:
        """The server stops (Ctrl+C, SIGTERM): every open session's app is asked to quit and
        ended if it does not, before the sessions' connections are cut."""
        await asyncio.gather(
            *(service.end() for service in list(self.app_services)), return_exceptions=True
        )

    def make_app(self) -> Awaitable[web.Application]:
        """The aiohttp application, for tests."""
        return self._make_app()

    async def _add_security_headers(
        self, request: web.Request, response: web.StreamResponse
    ) -> None:
        response.headers.update(security_headers(self.site, request))

    async def handle_page(self, request: web.Request) -> web.Response:
        return self.app_page(request)

    def app_page(self, request: web.Request, after_the_session: str = "") -> web.Response:
        """The terminal's page; ``after_the_session``: HTML shown under "Reopen" once the
        session ended (a practice's log-out)."""
        page = string.Template(PAGE).substitute(
            websocket_url=html.escape(self.site.websocket_url(request)),
            font_size=_font_size(request.query),
            after_the_session=after_the_session,
        )
        return web.Response(text=page, content_type="text/html")

    def app_environment(self, request: web.Request) -> dict[str, str]:
        """What a tab's app gets in its environment besides the server's own."""
        return {}

    async def handle_page_css(self, request: web.Request) -> web.Response:
        return web.Response(text=PAGE_CSS, content_type="text/css")

    async def handle_page_js(self, request: web.Request) -> web.Response:
        return web.Response(text=PAGE_JS, content_type="text/javascript")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        columns, rows = requested_size(request.query, self.limits)
        if self.sessions >= self.limits.max_sessions:
            log.warning(
                "companion serve: refused a session: %d are open, the most --max-sessions allows",
                self.sessions,
            )
            raise web.HTTPServiceUnavailable(text=TOO_MANY_SESSIONS.format(count=self.sessions))
        self.sessions += 1
        try:
            return await self._run_session(request, columns, rows)
        finally:
            self.sessions -= 1

    async def _run_session(
        self, request: web.Request, columns: int, rows: int
    ) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES)
        await websocket.prepare(request)
        app_service = QuietAppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            show_details=self.show_details,
            environment=self.app_environment(request),
        )
        self.app_services.add(app_service)
        try:
            await app_service.start(columns, rows)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # one session's failure must not end the others
            log.exception("companion serve: a session ended with an error")
        finally:
            self.app_services.discard(app_service)
            await app_service.stop()
        return websocket

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = parse_envelope(message.data)
            except MalformedMessage as problem:
                detail = f" ({problem})" if self.show_details else ""
                log.warning("companion serve: ignored a malformed message from a browser%s", detail)
                continue
            await self._obey(envelope, websocket, app_service)

    async def _obey(
        self, envelope: Envelope, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        if envelope.kind == "stdin":
            await app_service.send_bytes(envelope.text.encode("utf-8", "replace"))
        elif envelope.kind == "resize":
            if self.limits.fits(envelope.columns, envelope.rows):
                await app_service.set_terminal_size(envelope.columns, envelope.rows)
            else:
                log.warning(
                    "companion serve: refused a terminal of %d x %d "
                    "(at most %d columns and %d rows: --max-columns, --max-rows)",
                    envelope.columns,
                    envelope.rows,
                    self.limits.max_columns,
                    self.limits.max_rows,
                )
        elif envelope.kind == "ping":
            await websocket.send_json(["pong", envelope.text[:64]])
        elif envelope.kind == "blur":
            await app_service.blur()
        elif envelope.kind == "focus":
            await app_service.focus()


# --- the command line -------------------------------------------------------------------


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
    # exec: the shell textual-serve starts becomes the app, so ending the process (a hung
    # app, the server stopping) ends the app and leaves no orphan behind.
    return "exec " + shlex.join(parts)


def _is_loopback(host: str) -> bool:
    return host.lower().strip("[]") in LOOPBACK


def checked_settings(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The token and the public URL to serve with; ServeRefusal when they cannot be safe."""
    public_url = checked_public_url(args.public_url) if args.public_url is not None else None
    token = chosen_token(args.token)
    exposed = _reachable_from_elsewhere(args.host, public_url)
    if exposed is not None and token is None:
        raise ServeRefusal(
            f"serving for {exposed} needs an access token: give --token or set {ENV_TOKEN} "
            f"(make one with: {MAKE_A_TOKEN})."
        )
    if args.host in EVERY_ADDRESS and public_url is None:
        raise ServeRefusal(
            f"binding to {args.host or 'every address'} needs --public-url, the address "
            "browsers use (such as https://companion.example.org): only that origin is allowed."
        )
    return token, public_url


def _reachable_from_elsewhere(host: str, public_url: str | None) -> str | None:
    """The address that makes the app reachable beyond this machine (None: loopback only)."""
    if not _is_loopback(host):
        return host
    public_host = urlsplit(public_url).hostname if public_url else None
    if public_host is not None and not _is_loopback(public_host):
        return public_url
    return None


def run_serve_command(args: argparse.Namespace) -> int:
    from companion.serve_practice import practice_url, run_practice_serve

    url = practice_url(args)
    if url is not None:  # a practice's database: codes and sessions instead of one token
        return run_practice_serve(args, url)
    try:
        token, public_url = checked_settings(args)
    except ServeRefusal as refusal:
        print(f"companion serve: {refusal} Refusing to start.", file=sys.stderr)
        return EXIT_REFUSED
    # Every tab's app inherits this environment and has no use for the token; a practice's
    # session variable left over from elsewhere would send it down a practice tab's path.
    os.environ.pop(ENV_TOKEN, None)
    os.environ.pop(ENV_SESSION, None)
    server = CompanionServer(
        app_command(args),
        args.host,
        args.port,
        token,
        public_url,
        limits=Limits(args.max_sessions, args.max_columns, args.max_rows),
        show_details=args.debug,
    )
    try:
        server.serve()
    except OSError as err:  # the port is taken, the address is not this machine's, ...
        print(
            f"companion serve: cannot listen on {args.host} port {args.port}: "
            f"{err.strerror or err}.",
            file=sys.stderr,
        )
        return 1
    return 0
