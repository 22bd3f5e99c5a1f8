"""A live server for the number search tests: two accounts, the worker settling orders at
once, and helpers to search, order and read errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.databases import new_database
from tests.support.live import LiveServer, client_for
from tests.support.orders import settled

NUMBERS, BLOCKS = "/available_phone_numbers", "/available_phone_number_blocks"


@dataclass
class Searching:
    server: LiveServer
    store: SqlStore
    key: str
    other_key: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, key: str | None = None) -> httpx.Client:
        """One kept-alive client per key."""
        key = key or self.key
        if key not in self.clients:
            self.clients[key] = client_for(self.server, key)
        return self.clients[key]

    def get(self, path: str, query: str = "", key: str | None = None) -> httpx.Response:
        return self.client(key).get(path + (f"?{query}" if query else ""))

    def body(self, path: str, query: str = "", key: str | None = None) -> dict[str, Any]:
        response = self.get(path, query, key)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, path: str, query: str = "", key: str | None = None) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.body(path, query, key)["data"]
        return data

    def numbers(self, query: str = "", key: str | None = None) -> list[str]:
        return [r["phone_number"] for r in self.data(NUMBERS, query, key)]

    def order(self, *phone_numbers: str, key: str | None = None) -> dict[str, Any]:
        body = {"phone_numbers": [{"phone_number": n} for n in phone_numbers]}
        response = self.client(key).post("/number_orders", json=body)
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()["data"]
        return order

    def settled(self, order_id: str, key: str | None = None) -> dict[str, Any]:
        return settled(self.client(key), order_id)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@contextmanager
def searching(request: pytest.FixtureRequest, directory: Path) -> Iterator[Searching]:
    url = new_database(request, directory)
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(database_url=url, rate_limit=0, demo=False, fulfilment_delay=0.0)
    with LiveServer(settings, store) as server:
        fixture = Searching(server, store, key, other_key)
        try:
            yield fixture
        finally:
            fixture.close()
    store.close()


def parameters(response: httpx.Response) -> list[str]:
    """The parameters a 400 names, one per error, in order."""
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {e["code"] for e in errors} == {"10015"}
    return [e["source"]["parameter"] for e in errors]


def regions(record: dict[str, Any]) -> dict[str, str]:
    return {r["region_type"]: r["region_name"] for r in record["region_information"]}
