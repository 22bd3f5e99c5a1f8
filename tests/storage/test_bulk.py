"""Seeding's loader on SQLite: unsynced commits of its own, and no checkpoint that could
write other processes' commits into the database file without an fsync."""

from __future__ import annotations

from pathlib import Path

from number_orders.server import open_store
from number_orders.storage import bulk


def test_the_loading_connection_runs_no_automatic_checkpoint(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    try:
        with bulk._loading(store.engine) as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            during = [driver.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS]
        with store.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            after = [driver.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS]
    finally:
        store.close()
    assert during == [0, 0]  # no automatic checkpoint, synchronous=OFF
    assert after == [1000, 2]  # SQLite's default checkpoints, synchronous=FULL


PRAGMAS = ("wal_autocheckpoint", "synchronous")
