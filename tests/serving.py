"""What the browser tests share: `companion serve` as a real process, and a page of another
site served from this process (tests/test_browser.py, tests/test_practice_browser.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

LISTEN_SECONDS = 30
"""How long `companion serve` may take to listen (a slow, shared machine)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def companion_serving(
    args: list[str],
    host: str,
    port: int,
    log: Path,
    *,
    unset: tuple[str, ...],
    log_mode: str = "wb",
    stop_seconds: float = 10,
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m companion *args` (which serves on ``host:port``) with its output in
    ``log``, once it listens; the environment variables ``unset`` are not passed on.
    Terminated on leaving (killed after ``stop_seconds``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in unset:
        env.pop(name, None)
    with log.open(log_mode) as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "companion", *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + LISTEN_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host, port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("companion serve stopped at start: " + log.read_text())
                time.sleep(0.1)
        else:
            pytest.fail(f"companion serve did not listen within {LISTEN_SECONDS} seconds")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def page_server(page: bytes, host: str = "127.0.0.1") -> Iterator[int]:
    """Serves ``page`` (HTML) at every path on ``host``, on a thread; yields the port."""

    class FixedPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer((host, 0), FixedPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
