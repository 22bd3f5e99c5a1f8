"""Seeding's loader on SQLite: unsynced commits of its own, no checkpoint that could
write other processes' commits into the database file without an fsync, a page cache of
its own while it loads, and batches that take the writer's place in turn."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

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
    # No automatic checkpoint, synchronous=OFF, the loading cache; then SQLite's default
    # checkpoints, synchronous=FULL and every connection's cache again.
    assert during == [0, 0, -bulk._LOADING_CACHE_KIB]
    assert after == [1000, 2, -65536]


def test_a_batch_holds_the_writers_turn_until_it_ends(tmp_path: Path) -> None:
    database = tmp_path / "seed.sqlite3"
    store = open_store(f"sqlite:///{database}")
    try:
        with bulk._turns(store.engine) as turn, open(f"{database}.load-lock", "w") as other:
            # Another process's loader (its own open file) must wait for this batch.
            with turn(), pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the batch ends
            fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        store.close()


PRAGMAS = ("wal_autocheckpoint", "synchronous", "cache_size")
