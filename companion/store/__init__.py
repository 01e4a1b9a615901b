"""Storage: everything kept about a person, behind the :class:`~companion.store.protocol.Store`
protocol (SQLite on a patient's machine).

- :mod:`.protocol`: the ``Store`` protocol callers are typed against.
- :mod:`.records`: the typed records a store returns (outcomes validated).
- :mod:`.errors`: ``StorageError``, what every backend raises.
- :mod:`.storage`: the SQLite store, its data folder and files.

Open a store with :func:`open_store`; a new backend is chosen there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from companion.clock import Clock
    from companion.store.protocol import Store


def open_store(
    data_dir: Path | str | None = None,
    clock: Clock | None = None,
    *,
    for_reading: bool = False,
) -> Store:
    """Opens the person's store: today the SQLite file in their data folder.

    ``for_reading`` (export, report): a folder that cannot be written is read, not refused.
    """
    from companion.store.storage import SQLiteStore  # imported when used: start-up stays fast

    return SQLiteStore.open(data_dir, clock, for_reading=for_reading)
