"""Storage: everything kept about a person, behind the :class:`~companion.store.protocol.Store`
protocol (SQLite on a patient's machine, PostgreSQL for a practice's many patients).

- :mod:`.protocol`: the ``Store`` protocol callers are typed against.
- :mod:`.records`: the typed records a store returns (outcomes validated).
- :mod:`.errors`: ``StorageError``, what every backend raises.
- :mod:`.storage`: the SQLite store, its data folder and files.
- :mod:`.postgres`: the PostgreSQL store, its migrations and patients.

Open a store with :func:`open_store`; the backend is chosen there, by a URL.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from companion.store.errors import StorageError
from companion.texts.i18n import N_

if TYPE_CHECKING:
    from companion.clock import Clock
    from companion.store.protocol import Store

ENV_STORE = "COMPANION_STORE"
"""A ``postgresql://`` URL: the store is that database, not the data folder (``--store``)."""
ENV_PATIENT = "COMPANION_PATIENT"
"""With a PostgreSQL store: whose data (a patient id), when the caller does not pass one."""
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

NOT_A_STORE_URL = N_(
    "the store {scheme}... is not one this companion knows. Give a postgresql:// address, "
    "or leave it out to keep your data in your data folder."
)
NO_PATIENT = N_(
    "the companion's database needs to know whose data to open, and it was not told. "
    "Open the companion through your practice's link."
)


def store_url(given: str | None = None) -> str | None:
    """The PostgreSQL URL to use: ``given`` (``--store``), else ``$COMPANION_STORE``; None
    for the SQLite data folder (the default)."""
    url = given or os.environ.get(ENV_STORE) or None
    if url is None:
        return None
    if not url.startswith(POSTGRES_SCHEMES):
        scheme = url.split("://", 1)[0] + "://" if "://" in url else url[:12]
        raise StorageError(NOT_A_STORE_URL, scheme=scheme)
    return url


def open_store(
    data_dir: Path | str | None = None,
    clock: Clock | None = None,
    *,
    for_reading: bool = False,
    url: str | None = None,
    patient: str | None = None,
) -> Store:
    """Opens the person's store: the PostgreSQL database at ``url`` (or
    ``$COMPANION_STORE``) for ``patient`` (or ``$COMPANION_PATIENT``) when there is one,
    else the SQLite file in their data folder.

    ``for_reading`` (export, report): a folder that cannot be written is read, not refused.
    """
    database = store_url(url)
    if database is not None:
        from companion.store.postgres import PostgresStore

        return PostgresStore.open(database, _patient(patient), clock)
    from companion.store.storage import SQLiteStore  # imported when used: start-up stays fast

    return SQLiteStore.open(data_dir, clock, for_reading=for_reading)


def hold_conversation(
    data_dir: Path | str | None = None, *, url: str | None = None, patient: str | None = None
) -> AbstractContextManager[object]:
    """One conversation at a time per person: on the data folder (SQLite), or per patient
    in the database (PostgreSQL). Raises :class:`~companion.store.errors.AlreadyOpen` when
    another window or process holds it; released when the process ends, also when killed."""
    database = store_url(url)
    if database is not None:
        from companion.store.postgres import hold_patient_conversation

        return hold_patient_conversation(database, _patient(patient))
    from companion.store.storage import hold_conversation as hold_data_folder

    return hold_data_folder(data_dir)


def _patient(patient: str | None) -> str:
    chosen = patient or os.environ.get(ENV_PATIENT)
    if not chosen:
        raise StorageError(NO_PATIENT)
    return chosen
