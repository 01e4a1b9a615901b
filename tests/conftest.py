"""Shared test configuration: hypothesis profiles, a private data folder, the library.

``CI`` set in the environment -> the reproducible "ci" profile (derandomized,
200 examples per property unless a test asks for more); otherwise "dev".
Answering like a patient and the concept lists live in ``tests/patients.py``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from companion.resources import Library, builtin_library

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=200)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may read or write the real user data folder."""
    folder = tmp_path_factory.mktemp("companion-data")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(folder))
    # Nor a practice's database named in the developer's environment.
    monkeypatch.delenv("COMPANION_STORE", raising=False)
    monkeypatch.delenv("COMPANION_PATIENT", raising=False)
    return folder


@pytest.fixture(scope="session")
def library() -> Library:
    """The built-in flows and content, loaded once. Sharing is safe: ``builtin_library``
    is cached per process anyway, the library is a frozen dataclass of frozen models,
    and every conversation gets its own ``Session``."""
    return builtin_library()


# A throwaway PostgreSQL server and a database per test (postgres_server, pg_url, pg_patient).
pytest_plugins = ["tests.postgres"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes many seconds; started first, so that it does not end the run alone"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests go first: spread over the workers (pytest-xdist), a test of half a
    minute that starts last would leave the other workers idle until it ends."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
