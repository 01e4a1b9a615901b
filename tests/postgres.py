"""A throwaway PostgreSQL server for the tests (a pytest plugin, see tests/conftest.py).

- ``postgres_server`` (session): a server of its own made with the system's ``initdb`` and
  started with ``pg_ctl`` in a temporary folder: no TCP, only a unix socket in that folder;
  fsync off (nothing here needs to survive a power cut). Stopped at the end, also when tests
  fail. Under pytest-xdist every worker has its own. Skips, saying why, when the PostgreSQL
  binaries are not installed (Debian: ``apt-get install postgresql``; ``.ci/run`` does).
- ``pg_url`` (function): the URL of a fresh, migrated, empty database for one test, copied
  from a template migrated once per server (``CREATE DATABASE ... TEMPLATE``: a few ms).
- ``pg_patient`` (function): a new patient in that database.

PostgreSQL refuses to run as root; as root the server runs as the ``postgres`` user (or
``nobody``) and the folder is theirs. ``start_server`` is used by the benchmark too.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

SUPERUSER = "companion_test"
TEMPLATE = "companion_template"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) in the server's own folder
BIN_FOLDERS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
"""Where Debian puts each version's binaries (the newest first)."""


def find_binaries() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: PATH first, then Debian's folders."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    for folder in BIN_FOLDERS:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


@dataclass
class Server:
    """A running throwaway server: ``url(name)`` connects to database ``name`` as superuser."""

    folder: Path
    binaries: Path
    run_as: str | None
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str = "postgres") -> str:
        host = quote(str(self.folder), safe="")
        return f"postgresql://{SUPERUSER}@/{database}?host={host}&port={PORT}"

    def new_database(self, template: str | None = None) -> str:
        """Creates a database (a copy of ``template``) and returns its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            copy = f" TEMPLATE {template}" if template else ""
            if template and admin.info.server_version >= 150000:
                # A small template is copied faster as files than through the WAL (15+).
                copy += " STRATEGY FILE_COPY"
            admin.execute(f"CREATE DATABASE {name}{copy}")  # type: ignore[arg-type]
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.split("/", 3)[3].split("?", 1)[0]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]

    def stop(self) -> None:
        if not (self.folder / "data" / "postmaster.pid").exists():
            return
        _run(
            [
                str(self.binaries / "pg_ctl"),
                "stop",
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "-w",
            ],
            self.run_as,
            check=False,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(*, durable: bool = False) -> Server:
    """Makes and starts a server in a new temporary folder; raises ``RuntimeError`` (with the
    server's log) when it cannot. ``durable``: fsync on, as in production (the benchmark)."""
    binaries = find_binaries()
    if binaries is None:
        raise FileNotFoundError("initdb and pg_ctl not found (install PostgreSQL)")
    run_as = _unprivileged_user() if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="companion-pg-"))
    server = Server(folder, binaries, run_as)
    try:
        if run_as is not None:
            os.chown(folder, pwd.getpwnam(run_as).pw_uid, pwd.getpwnam(run_as).pw_gid)
        data = folder / "data"
        _run(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            run_as,
        )
        settings = [
            "listen_addresses=''",
            f"unix_socket_directories='{folder}'",
            f"port={PORT}",
            "max_connections=200",
            "shared_buffers=64MB",
        ]
        if not durable:
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        options = " ".join(f"-c {s}" for s in settings)
        _run(
            [
                str(binaries / "pg_ctl"),
                "start",
                "-D",
                str(data),
                "-w",
                "-t",
                "60",
                "-s",
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
            ],
            run_as,
        )
    except BaseException as err:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.remove()
        if isinstance(err, subprocess.CalledProcessError):
            output = (err.stdout or b"").decode(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start: {output}\n{detail}") from None
        raise
    atexit.register(server.remove)  # also when the session ends without its teardown
    return server


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")


def _run(command: list[str], run_as: str | None, check: bool = True) -> None:
    subprocess.run(
        command,
        check=check,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        user=run_as,
        cwd="/",
        env={**os.environ, "LC_ALL": "C"},
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One throwaway server per test process (per xdist worker)."""
    if find_binaries() is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl; apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    server = start_server()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def pg_template(postgres_server: Server) -> str:
    """The name of a database migrated once, copied for every test."""
    import psycopg

    from companion.store.postgres import migrate

    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {TEMPLATE}")  # type: ignore[arg-type]
    migrate(postgres_server.url(TEMPLATE))
    return TEMPLATE


@pytest.fixture
def pg_url(postgres_server: Server, pg_template: str) -> Iterator[str]:
    """A fresh, migrated, empty database for this test; dropped after it."""
    url = postgres_server.new_database(pg_template)
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture
def pg_patient(pg_url: str) -> str:
    """A new patient in the test's database."""
    from companion.store.postgres import create_patient

    return create_patient(pg_url)
