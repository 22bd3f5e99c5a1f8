"""The official clients talk to `number-orders serve` itself, over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import ServeProcess
from tests.support.app import new_key


@dataclass
class Served:
    server: ServeProcess
    store: SqlStore
    key: str  # of the account "acme"


@pytest.fixture(scope="module")
def served(module_database_url: str) -> Iterator[Served]:
    """A server with its worker (no fulfilment delay, no rate limit) on this module's
    database, on each engine in turn."""
    store = open_store(module_database_url)
    key = new_key(store, "acme")
    settings = Settings(
        database_url=module_database_url, rate_limit=0, fulfilment_delay=0.0, demo=False
    )
    with ServeProcess(settings) as server:
        yield Served(server, store, key)
    store.close()
