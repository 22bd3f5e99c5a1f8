"""The store's files are private to the user the server runs as: folders it creates are
0700, the SQLite file 0600, and SQLite gives its -wal and -shm files the same mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from number_orders.server import open_store
from tests.support.app import new_key


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most common umask, under which files would otherwise be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_store_and_its_folders_are_private(tmp_path: Path, open_umask: None) -> None:
    database = tmp_path / "var" / "data" / "orders.sqlite3"
    store = open_store(f"sqlite:///{database}")
    try:
        new_key(store, "acme")  # a write, so the WAL and its index exist
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(database.parent) == 0o700
        assert mode(database.parent.parent) == 0o700
        assert mode(Path(f"{database}.migrate-lock")) == 0o600
    finally:
        store.close()


def test_folders_that_exist_already_are_left_as_they_are(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    store = open_store(f"sqlite:///{shared / 'orders.sqlite3'}")
    store.close()
    assert mode(shared) == 0o755
    assert mode(shared / "orders.sqlite3") == 0o600
