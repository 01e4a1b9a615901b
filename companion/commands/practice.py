"""``companion practice ...``: running the companion for a practice on PostgreSQL (issue 15).

Operator commands, so their messages are English like the other operator messages of the
command line. The database is the global ``--store URL`` or ``$COMPANION_STORE``; its password
is never printed (:func:`redacted`). Codes are printed once: only their hashes are kept.

| command | what |
|---|---|
| ``init [--name NAME]`` | migrate the schema; the first professional and their login code |
| ``professional add NAME`` / ``code WHO`` / ``list`` | accounts and login codes |
| ``invite --as WHO`` | a new patient (pseudonym), a one-time code and a link |
| ``share PATIENT --with WHO`` | another professional may see the patient too |
| ``revoke (--patient P \\| --professional WHO)`` | end every browser session and unused code |
| ``audit --out FILE`` | the audit log as CSV or JSON |
| ``retention --inactive-months N [--yes]`` | erase patients inactive for N months |
| ``erase PATIENT [--yes]`` | erase one patient's data at their request |
| ``health`` | exit 0 when the database answers and its schema is current |
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from companion.clock import Clock, FixedClock
from companion.store import ENV_STORE
from companion.store.errors import StorageError

EXIT_BAD_INPUT = 2
FORMATS = ("csv", "json")


def add_practice_command(commands: Any) -> None:
    """``companion practice ...`` (called by :func:`companion.cli.build_parser`)."""
    practice = commands.add_parser(
        "practice", help="a practice on PostgreSQL: accounts, invites, audit, retention"
    )
    actions = practice.add_subparsers(dest="practice_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create or update the schema; the first professional")
    init.add_argument(
        "--name",
        default="administrator",
        help="the first professional's name (default: %(default)s)",
    )
    professional = actions.add_parser("professional", help="professional accounts")
    what = professional.add_subparsers(dest="professional_command", metavar="ACTION", required=True)
    add = what.add_parser("add", help="a new professional and their login code")
    add.add_argument("name", help="the name patients and colleagues know them by")
    code = what.add_parser("code", help="a new login code for a professional (the old one ends)")
    code.add_argument("who", metavar="PROFESSIONAL", help="name or id")
    what.add_parser("list", help="the professionals (names and ids)")
    invite = actions.add_parser("invite", help="a new patient: a one-time code and a link")
    invite.add_argument("--as", dest="who", metavar="PROFESSIONAL", required=True)
    invite.add_argument(
        "--public-url", metavar="URL", help="the served app's address, for the link"
    )
    invite.add_argument(
        "--valid-days", type=int, default=14, metavar="N", help="days the code can be used"
    )
    share = actions.add_parser("share", help="let another professional see a patient too")
    share.add_argument("patient", metavar="PATIENT", help="pseudonym or id")
    share.add_argument("--with", dest="who", metavar="PROFESSIONAL", required=True)
    revoke = actions.add_parser("revoke", help="end every browser session and unused code")
    whom = revoke.add_mutually_exclusive_group(required=True)
    whom.add_argument("--patient", metavar="PATIENT", help="pseudonym or id")
    whom.add_argument("--professional", metavar="PROFESSIONAL", help="name or id")
    audit = actions.add_parser("audit", help="write the audit log to a file")
    audit.add_argument("--out", type=Path, metavar="FILE", required=True)
    audit.add_argument("--format", choices=FORMATS, help="default: by the file's suffix, else csv")
    retention = actions.add_parser("retention", help="erase patients inactive for N months")
    retention.add_argument("--inactive-months", type=int, required=True, metavar="N")
    retention.add_argument("--yes", action="store_true", help="erase (without it: a dry run)")
    erase = actions.add_parser("erase", help="erase one patient's data (the patient asked)")
    erase.add_argument("patient", metavar="PATIENT", help="pseudonym or id")
    erase.add_argument("--yes", action="store_true", help="erase (without it: a dry run)")
    actions.add_parser("health", help="exit 0 when the database answers and is up to date")


def redacted(url: str) -> str:
    """The store URL to show: without its password (also in ``key=value`` form)."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}:***@" if parts.username else ":***@"
        return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))
    words = []
    for word in url.split():
        key = word.split("=", 1)[0].strip().lower()
        words.append(f"{key}=***" if key == "password" else word)
    return " ".join(words)


def run_practice_command(args: argparse.Namespace) -> int:
    url = getattr(args, "store", None) or os.environ.get(ENV_STORE)
    if not url:
        _fail(f"no database: give --store postgresql://... or set ${ENV_STORE}")
        return EXIT_BAD_INPUT
    if not url.startswith(("postgresql://", "postgres://")) and "dbname=" not in url:
        _fail("--store must be a PostgreSQL URL (postgresql://user@host/database)")
        return EXIT_BAD_INPUT
    command = args.practice_command
    try:
        if command == "init":
            return _init(url, args)
        if command == "health":
            return _health(url)
        if not _ready(url):
            return 1
        return _ACTIONS[command](url, args)
    except StorageError as err:
        _fail(str(err))
        return 1


def _fail(message: str) -> None:
    print(f"companion practice: {message}", file=sys.stderr)


def _clock(args: argparse.Namespace) -> Clock | None:
    """``--today`` (tests, demonstrations), else the database's clock."""
    today = getattr(args, "today", None)
    return None if today is None else FixedClock(today)


def _ready(url: str) -> bool:
    from companion.practice.health import check

    health = check(url)
    if not health.ok:
        _fail(health.said().removeprefix("not ok: "))
    return health.ok


def _init(url: str, args: argparse.Namespace) -> int:
    from companion.practice.accounts import professionals
    from companion.store.postgres import migrate

    version = migrate(url)
    print(f"Database {redacted(url)}: schema {version}.")
    existing = professionals(url)
    if existing:
        print(
            f"It already has {len(existing)} professional(s); no account was added. "
            "Add one with: companion practice professional add NAME"
        )
        return 0
    return _add_professional(url, args)


def _add_professional(url: str, args: argparse.Namespace) -> int:
    """Adds the professional ``args.name`` and shows their login code, this once."""
    from companion.practice.accounts import NameRefused, add_professional

    try:
        professional, code = add_professional(url, args.name, clock=_clock(args))
    except NameRefused as err:
        _fail(str(err))
        return EXIT_BAD_INPUT
    _say_login_code(professional.name, professional.id, code)
    return 0


def _say_login_code(name: str, id_: str, code: str) -> None:
    print(f"Professional: {name} (id {id_}).")
    print("Login code, shown only now (keep it in a password manager; it cannot be shown again):")
    print(f"  {code}")
    print("A lost code is replaced with: companion practice professional code NAME")


def _health(url: str) -> int:
    from companion.practice.health import check

    health = check(url)
    print(health.said())
    return 0 if health.ok else 1


def _professional(url: str, who: str) -> Any:
    from companion.practice.accounts import find_professional

    found = find_professional(url, who)
    if found is None:
        _fail(f"no professional called {who!r} (see: companion practice professional list)")
    return found


def _professional_action(url: str, args: argparse.Namespace) -> int:
    from companion.practice.accounts import professionals, renew_login_code

    if args.professional_command == "list":
        for each in professionals(url):
            print(f"{each.id}  {each.name}")
        return 0
    if args.professional_command == "add":
        return _add_professional(url, args)
    found = _professional(url, args.who)
    if found is None:
        return EXIT_BAD_INPUT
    _say_login_code(found.name, found.id, renew_login_code(url, found, clock=_clock(args)))
    return 0


def _invite(url: str, args: argparse.Namespace) -> int:
    from companion.practice.access import invite_link
    from companion.practice.accounts import invite

    if not 1 <= args.valid_days <= 90:
        _fail("--valid-days must be 1 to 90")
        return EXIT_BAD_INPUT
    professional = _professional(url, args.who)
    if professional is None:
        return EXIT_BAD_INPUT
    made = invite(url, professional, valid_for=timedelta(days=args.valid_days), clock=_clock(args))
    print(f"New patient {made.patient.pseudonym}, seen by {professional.name}.")
    print(f"One-time code (until {made.expires_at:%Y-%m-%d %H:%M %Z}): {made.code}")
    if args.public_url:
        print(f"Link: {invite_link(args.public_url, made.code)}")
    print(
        "Write the pseudonym beside the person in your own records: the companion keeps no "
        "names. The code is shown only now."
    )
    return 0


def _share(url: str, args: argparse.Namespace) -> int:
    from companion.practice.access import Refused
    from companion.practice.accounts import find_patient, share

    patient = find_patient(url, args.patient)
    professional = _professional(url, args.who)
    if patient is None:
        _fail(f"no patient {args.patient!r}")
    if patient is None or professional is None:
        return EXIT_BAD_INPUT
    try:
        share(url, patient.id, professional.id, clock=_clock(args))
    except Refused as err:
        _fail(str(err))
        return EXIT_BAD_INPUT
    print(f"{professional.name} now sees {patient.pseudonym} too.")
    return 0


def _revoke(url: str, args: argparse.Namespace) -> int:
    from companion.practice import audit
    from companion.practice.access import revoke_all
    from companion.practice.accounts import find_patient, revoke_codes

    if args.patient is not None:
        patient = find_patient(url, args.patient)
        if patient is None:
            _fail(f"no patient {args.patient!r}")
            return EXIT_BAD_INPUT
        principal = patient.principal
    else:
        professional = _professional(url, args.professional)
        if professional is None:
            return EXIT_BAD_INPUT
        principal = professional.principal
    sessions = revoke_all(url, principal, clock=_clock(args), actor=audit.operator())
    codes = revoke_codes(url, principal, clock=_clock(args))
    print(
        f"{principal.pseudonym}: {sessions} browser session(s) ended, {codes} code(s) "
        "made unusable."
    )
    if principal.kind == "professional":
        print("A new login code: companion practice professional code NAME")
    return 0


def _audit(url: str, args: argparse.Namespace) -> int:
    from companion.practice.audit import as_csv, as_json, export, operator
    from companion.store.storage import write_private

    chosen = args.format or ("json" if args.out.suffix.lower() == ".json" else "csv")
    rows = export(url, by=operator(), clock=_clock(args))
    text = as_json(rows) if chosen == "json" else as_csv(rows)
    try:
        write_private(args.out, text)
    except OSError as err:
        _fail(f"cannot write {args.out}: {err.strerror or err}")
        return 1
    print(f"Wrote {len(rows)} audit row(s) to {args.out} ({chosen}).")
    return 0


def _retention(url: str, args: argparse.Namespace) -> int:
    from companion.clock import SystemClock
    from companion.practice.retention import erase_patients, inactive_patients

    months = args.inactive_months
    if months < 1:
        _fail("--inactive-months must be 1 or more")
        return EXIT_BAD_INPUT
    clock = _clock(args)
    inactive = inactive_patients(url, months, clock)
    for patient in inactive:
        print(f"{patient.pseudonym}  last active {patient.last_active_at:%Y-%m-%d}")
    if not args.yes:
        print(
            f"Dry run: {len(inactive)} patient(s) inactive for more than {months} month(s) "
            "would be erased. Nothing was erased; add --yes to erase them."
        )
        return 0
    erased = erase_patients(url, inactive, clock or SystemClock())
    print(f"Erased {erased} patient(s) inactive for more than {months} month(s).")
    return 0


def _erase(url: str, args: argparse.Namespace) -> int:
    """One patient's data, at their request: everything of theirs goes, the audit row stays."""
    from companion.clock import SystemClock
    from companion.practice.accounts import find_patient
    from companion.practice.retention import erase_patients

    patient = find_patient(url, args.patient)
    if patient is None:
        _fail(f"no patient {args.patient!r}")
        return EXIT_BAD_INPUT
    if not args.yes:
        print(
            f"Dry run: {patient.pseudonym} would be erased (their answers, plans, notes, "
            "codes and sessions). Nothing was erased; add --yes to erase."
        )
        return 0
    erase_patients(url, [patient], _clock(args) or SystemClock(), reason="request")
    print(f"Erased {patient.pseudonym}. The audit log keeps that it was done, not the data.")
    return 0


_ACTIONS = {
    "professional": _professional_action,
    "invite": _invite,
    "share": _share,
    "revoke": _revoke,
    "audit": _audit,
    "retention": _retention,
    "erase": _erase,
}
