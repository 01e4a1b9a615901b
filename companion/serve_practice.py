"""`companion serve` for a practice: many patients and their professionals on one database.

When the store is a PostgreSQL URL (``--store`` or ``COMPANION_STORE``), the served app
admits people by the one-time code a professional made with ``companion practice invite``:

- **The code page.** Without a valid session a browser reaches nothing but the code page
  (``/``, its stylesheet and script), the form it posts (``/login``) and the proxy's health
  checks (``/healthz``, ``/readyz``). Every other request, the websocket included, gets 401.
- **The code travels in a form body**, never in an address that a proxy or browser history
  keeps. A link may carry it (``?code=...``, or better after ``#``, which browsers never
  send): the page's script moves it into the form and out of the address bar, and the
  server never redeems a code from an address (the access log drops query strings).
- **A session cookie.** A redeemed code gives a session token, kept in an HttpOnly,
  SameSite=Strict cookie (Secure behind https); ``/logout`` revokes it in the database.
- **Nothing held in this process.** Every request asks the database whether its session
  holds; guesses are counted there, per client address. Two servers on one database
  behave as one.
- **The app of a tab** gets the session token in its environment (never a patient id the
  browser could choose, never its arguments), asks the database whose session it is, and
  opens that patient's data or the professional's view.

Every protection of :mod:`companion.serve` stays: the page's own origin, the caps, the
logs without codes, tokens or answers, the page without third parties.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import os
import string
import sys
from typing import Any, Protocol

from aiohttp import web

from companion.commands.serve_options import ENV_SESSION, LOOPBACK
from companion.serve import (
    EXIT_REFUSED,
    CompanionServer,
    Handler,
    Limits,
    ServeRefusal,
    app_command,
    checked_public_url,
    chosen_token,
    security_headers,
)
from companion.store import ENV_PATIENT, ENV_STORE, POSTGRES_SCHEMES

log = logging.getLogger("companion.serve")

SESSION_COOKIE = "companion_session"
SESSION_COOKIE_DAYS = 180
"""How long a browser keeps the session: a patient comes back daily for weeks, and the code
works only once. The database's own expiry and a log-out end it sooner."""
MAX_CODE_LENGTH = 64
MAX_TOKEN_LENGTH = 256
MAX_FORM_BYTES = 4096
OPEN_PATHS = frozenset({"/", "/login", "/logout", "/code.css", "/code.js", "/healthz", "/readyz"})
"""What a browser without a session may ask for."""
SESSION = web.RequestKey("session", str)
"""A request's session token once checked ("" for none)."""


# --- the database behind the door: the practice's access API -------------------------


class CodeRefused(Exception):
    """The code is not known, was used already, or expired (the page does not say which)."""


class TooManyAttempts(Exception):
    """Too many wrong codes from one client address; try again after ``retry_after`` s."""

    def __init__(self, retry_after: int = 900) -> None:
        super().__init__("too many attempts")
        self.retry_after = retry_after


class Gate(Protocol):
    """What the served practice asks of the database; blocking calls (run in a thread)."""

    def redeem(self, code: str, client_key: str) -> str:
        """A new session token for ``code``; CodeRefused or TooManyAttempts otherwise."""

    def holds(self, token: str) -> bool:
        """Whether ``token`` is a session that has not ended."""

    def revoke(self, token: str) -> None:
        """Ends the session ``token`` (nothing happens for an unknown one)."""

    def ready(self) -> bool:
        """Whether the database answers."""


class DatabaseGate:
    """The gate on a practice's PostgreSQL database (:mod:`companion.practice.access`)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def redeem(self, code: str, client_key: str) -> str:
        from companion.practice import access

        try:
            _principal, token = access.redeem(self.url, code, client_key)
        except access.TooManyAttempts:
            raise TooManyAttempts(int(access.FAILURE_WINDOW.total_seconds())) from None
        except access.Refused:
            raise CodeRefused() from None
        return str(token)

    def holds(self, token: str) -> bool:
        from companion.practice import access

        return access.principal_for(self.url, token) is not None

    def revoke(self, token: str) -> None:
        from companion.practice import access

        access.revoke(self.url, token)

    def ready(self) -> bool:
        from companion.practice import health

        return health.check(self.url).ok


# --- texts a browser shows (nl, fr, en: the language is not known yet) -----------------

CODE_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>companion</title>
<link rel="stylesheet" href="code.css">
<script src="code.js"></script>
</head>
<body data-recheck="$recheck">
<main>
<h1>companion</h1>
<p lang="nl">Vul de code in die u van uw zorgverlener kreeg.</p>
<p lang="fr">Saisissez le code que votre soignant vous a donné.</p>
<p lang="en">Enter the code your care provider gave you.</p>
$message
<form method="post" action="login">
<label for="code">Code</label>
<input id="code" name="code" type="text" required maxlength="$max_length"
 autocomplete="one-time-code" autocapitalize="characters" spellcheck="false">
<button type="submit">Verder / Continuer / Continue</button>
</form>
</main>
</body>
</html>
"""

CODE_CSS = """html, body { margin: 0; min-height: 100%; background: #0c181f; }
body { color: #f4f4f4; font-family: sans-serif; font-size: 18px; line-height: 1.5; }
main { max-width: 34em; margin: 10vh auto; padding: 24px 32px; background: #12232d; }
h1 { font-size: 1.4em; margin-top: 0; }
label { display: block; margin-top: 16px; font-weight: bold; }
input { font: inherit; font-size: 1.3em; letter-spacing: 0.1em; width: 100%;
  box-sizing: border-box; padding: 8px; margin: 8px 0 16px; }
button { font: inherit; padding: 12px 24px; border: none; cursor: pointer;
  background: #5e0ba7; color: #ffffff; }
.message { padding: 8px 12px; background: #5c1d1d; }
"""

CODE_JS = """"use strict";
(function () {
  // An invite link carries the code in the address (?code=...; better after '#', which
  // browsers never send). Move it into the form, and out of the address bar and history.
  const here = new URL(window.location.href);
  const fromLink = new URLSearchParams(here.hash.slice(1)).get("code")
    || here.searchParams.get("code");
  if (here.hash || here.searchParams.has("code")) {
    here.searchParams.delete("code");
    window.history.replaceState(null, "", here.pathname + here.search);
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Opened from a link on another site: a SameSite=Strict cookie was not sent. Ask
    // once more from this page itself, which sends it (a second time would loop).
    if (document.body.dataset.recheck === "1" && !sessionStorage.getItem("rechecked")) {
      sessionStorage.setItem("rechecked", "1");
      window.location.replace(here.pathname + here.search);
      return;
    }
    sessionStorage.removeItem("rechecked");
    const input = document.getElementById("code");
    if (fromLink) {
      input.value = fromLink;
    }
    input.focus();
  });
})();
"""

LOG_OUT = """<form method="post" action="logout">
<button type="submit">Afmelden / Se déconnecter / Log out</button>
</form>"""

CODE_REFUSED = (
    "Deze code kennen we niet, of hij is al gebruikt. Kijk de code na of vraag een nieuwe "
    "aan uw zorgverlener.",
    "Ce code n'est pas connu ou a déjà été utilisé. Vérifiez-le ou demandez-en un nouveau "
    "à votre soignant.",
    "This code is not known or was already used. Check it or ask your care provider for a new one.",
)
CODE_MISSING = (
    "Vul eerst de code in.",
    "Saisissez d'abord le code.",
    "Enter the code first.",
)
TOO_MANY_CODES = (
    "Te veel pogingen. Probeer het over {minutes} minuten opnieuw.",
    "Trop d'essais. Réessayez dans {minutes} minutes.",
    "Too many attempts. Try again in {minutes} minutes.",
)
NEEDS_CODE = (
    "Open de companion en vul uw code in.\n"
    "Ouvrez le compagnon et saisissez votre code.\n"
    "Open the companion and enter your code.\n"
)
UNAVAILABLE = (
    "De companion is even niet bereikbaar. Probeer het later opnieuw.\n"
    "Le compagnon est momentanément indisponible. Réessayez plus tard.\n"
    "The companion cannot be reached just now. Try again later.\n"
)


def _message(lines: tuple[str, str, str], **values: object) -> str:
    paragraphs = (
        f'<p lang="{lang}" class="message">{html.escape(line.format(**values))}</p>'
        for lang, line in zip(("nl", "fr", "en"), lines, strict=True)
    )
    return "\n".join(paragraphs)


def code_page(message: str = "", *, recheck: bool = False) -> str:
    return string.Template(CODE_PAGE).substitute(
        message=message, max_length=MAX_CODE_LENGTH, recheck="1" if recheck else "0"
    )


def _see_other() -> web.Response:
    """Back to the page (relative: it works behind a proxy's sub-path too)."""
    return web.Response(status=303, headers={"Location": "./"})


# --- who is asking ---------------------------------------------------------------------


def client_key(request: web.BaseRequest, behind_proxy: bool) -> str:
    """The address wrong codes are counted against (the practice API keeps only its hash).
    Behind a proxy on this machine every request comes from loopback: the client is then the
    last ``X-Forwarded-For`` entry, the one the proxy added (entries before it are what the
    client claimed)."""
    remote = request.remote or ""
    if behind_proxy and remote.strip("[]") in LOOPBACK:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return remote


def session_token(request: web.BaseRequest) -> str:
    """The cookie's session token, or "" (an oversized one is no token)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return token if 0 < len(token) <= MAX_TOKEN_LENGTH else ""


def session_middleware(gate: Gate) -> Any:
    """Refuses (401) every request outside :data:`OPEN_PATHS` without a valid session;
    marks the request with its session token (``request[SESSION]``, "" for none)."""

    @web.middleware
    async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = session_token(request)
        if request.path in ("/healthz", "/readyz", "/code.css", "/code.js"):
            token = ""  # the database is not asked for these
        elif token:
            try:
                held = await asyncio.to_thread(gate.holds, token)
            except Exception:  # the database is down: say so, without details
                log.exception("companion serve: could not check a session")
                raise web.HTTPServiceUnavailable(text=UNAVAILABLE) from None
            token = token if held else ""
        request[SESSION] = token
        if not token and request.path not in OPEN_PATHS:
            raise web.HTTPUnauthorized(text=NEEDS_CODE)
        return await handler(request)

    return require_session


# --- the server ------------------------------------------------------------------------


class PracticeServer(CompanionServer):
    """The served app of a practice: the code page in front, a session per browser."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        gate: Gate,
        public_url: str | None = None,
        *,
        limits: Limits | None = None,
        show_details: bool = False,
    ) -> None:
        super().__init__(
            command, host, port, None, public_url, limits=limits, show_details=show_details
        )
        self.gate = gate

    def middlewares(self) -> list[Any]:
        return [*super().middlewares(), session_middleware(self.gate)]

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            *super().routes(),
            web.post("/login", self.handle_login),
            web.post("/logout", self.handle_logout),
            web.get("/code.css", self.handle_code_css),
            web.get("/code.js", self.handle_code_js),
            web.get("/healthz", self.handle_healthz),
            web.get("/readyz", self.handle_readyz),
        ]

    async def on_startup(self, app: web.Application) -> None:
        address = self.site.public_url or f"http://{self.host}:{self.port}"
        log.info(
            "companion serve: a practice at %s/ (patients enter their code; Ctrl+C stops)",
            address,
        )

    async def _add_security_headers(
        self, request: web.Request, response: web.StreamResponse
    ) -> None:
        response.headers.update(security_headers(self.site, request, forms=True))

    def app_environment(self, request: web.Request) -> dict[str, str]:
        return {ENV_SESSION: request[SESSION]}

    def _code_response(
        self, request: web.Request, message: str = "", status: int = 200
    ) -> web.Response:
        # Opened from another site's link, a Strict cookie stays home: let the page ask again.
        recheck = not message and request.headers.get("Sec-Fetch-Site") == "cross-site"
        response = web.Response(
            text=code_page(message, recheck=recheck), content_type="text/html", status=status
        )
        if SESSION_COOKIE in request.cookies:
            response.del_cookie(SESSION_COOKIE, path="/")  # ended or unknown: forget it
        return response

    async def handle_page(self, request: web.Request) -> web.Response:
        if request[SESSION]:
            return self.app_page(request, after_the_session=LOG_OUT)
        return self._code_response(request)

    async def handle_code_css(self, request: web.Request) -> web.Response:
        return web.Response(text=CODE_CSS, content_type="text/css")

    async def handle_code_js(self, request: web.Request) -> web.Response:
        return web.Response(text=CODE_JS, content_type="text/javascript")

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        code = await self._posted_code(request)
        if not code:
            return self._code_response(request, _message(CODE_MISSING), status=400)
        key = client_key(request, behind_proxy=self.site.public_url is not None)
        try:
            token = await asyncio.to_thread(self.gate.redeem, code, key)
        except TooManyAttempts as too_many:
            log.warning("companion serve: too many wrong codes from one address; refused")
            minutes = max(1, -(-too_many.retry_after // 60))
            response = self._code_response(
                request, _message(TOO_MANY_CODES, minutes=minutes), status=429
            )
            response.headers["Retry-After"] = str(too_many.retry_after)
            return response
        except CodeRefused:
            log.info("companion serve: a code was refused")
            return self._code_response(request, _message(CODE_REFUSED), status=401)
        except Exception:
            log.exception("companion serve: could not check a code")
            raise web.HTTPServiceUnavailable(text=UNAVAILABLE) from None
        log.info("companion serve: a code opened a session")
        opened = _see_other()
        opened.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=self.site.secure,
            path="/",
            max_age=SESSION_COOKIE_DAYS * 24 * 3600,
        )
        return opened

    async def _posted_code(self, request: web.Request) -> str:
        if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
            raise web.HTTPRequestEntityTooLarge(MAX_FORM_BYTES, request.content_length)
        form = await request.post()
        code = form.get("code", "")
        return code.strip()[:MAX_CODE_LENGTH] if isinstance(code, str) else ""

    async def handle_logout(self, request: web.Request) -> web.StreamResponse:
        token = session_token(request)
        if token:
            try:
                await asyncio.to_thread(self.gate.revoke, token)
            except Exception:
                log.exception("companion serve: could not end a session")
                raise web.HTTPServiceUnavailable(text=UNAVAILABLE) from None
        response = _see_other()
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    async def handle_healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def handle_readyz(self, request: web.Request) -> web.Response:
        try:
            ready = await asyncio.to_thread(self.gate.ready)
        except Exception:
            ready = False
        if not ready:
            return web.Response(text="database not ready\n", status=503)
        return web.Response(text="ready\n")


# --- the command line ------------------------------------------------------------------


def practice_url(args: argparse.Namespace) -> str | None:
    """The practice's database URL (``--store``, else ``$COMPANION_STORE``), or None when
    the store is a data folder."""
    given = getattr(args, "store", None) or os.environ.get(ENV_STORE) or ""
    return given if given.startswith(POSTGRES_SCHEMES) else None


def practice_app_command(args: argparse.Namespace) -> str:
    """A tab's app: the companion's options without a data folder (the database URL goes
    through the environment, where the arguments' readers cannot see its password)."""
    settings = argparse.Namespace(**{**vars(args), "data_dir": None, "no_save": False})
    return app_command(settings)


def checked_practice_settings(args: argparse.Namespace) -> str | None:
    """The public URL; refuses what would make a practice unsafe or confusing."""
    if chosen_token(args.token) is not None:
        raise ServeRefusal(
            "a practice admits people by their codes: leave out --token and COMPANION_SERVE_TOKEN."
        )
    if args.no_save:
        raise ServeRefusal("a practice keeps its patients' data: leave out --no-save.")
    public_url = checked_public_url(args.public_url) if args.public_url is not None else None
    if args.host in ("0.0.0.0", "::", "") and public_url is None:
        raise ServeRefusal(
            f"binding to {args.host or 'every address'} needs --public-url, the address "
            "browsers use (such as https://companion.example.org): only that origin is allowed."
        )
    return public_url


def run_practice_serve(args: argparse.Namespace, url: str) -> int:
    try:
        public_url = checked_practice_settings(args)
    except ServeRefusal as refusal:
        print(f"companion serve: {refusal} Refusing to start.", file=sys.stderr)
        return EXIT_REFUSED
    os.environ[ENV_STORE] = url  # every tab's app inherits it
    # Whose data a tab opens is its session's: never a patient named in the environment.
    os.environ.pop(ENV_PATIENT, None)
    server = PracticeServer(
        practice_app_command(args),
        args.host,
        args.port,
        DatabaseGate(url),
        public_url,
        limits=Limits(args.max_sessions, args.max_columns, args.max_rows),
        show_details=args.debug,
    )
    try:
        server.serve()
    except OSError as err:
        print(
            f"companion serve: cannot listen on {args.host} port {args.port}: "
            f"{err.strerror or err}.",
            file=sys.stderr,
        )
        return 1
    return 0
