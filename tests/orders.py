"""Helpers for order tests: unique valid numbers, waiting for the worker, count checks."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from number_orders.domain.numbering import classify
from number_orders.storage.schema import number_orders, order_counts
from number_orders.storage.sql_store import SqlStore
from tests.conftest import client_for
from tests.live import LiveServer

_TEST_SUFFIXES = ("0000", "0001", "0002")
# Prefixes whose every completion is a valid number of one country and type.
_PREFIXES = {
    "US": ("+1312", 7),  # Chicago, local
    "GB": ("+44207", 7),  # London, local
    "DE": ("+4930", 8),  # Berlin, local
}
_rng = random.Random()
_used: set[str] = set()


def number(country: str = "US", suffix: str | None = None) -> str:
    """A valid number never handed out before in this process. Without `suffix` it never
    ends like a test number; with one it ends in it."""
    prefix, width = _PREFIXES[country]
    for _ in range(1000):
        digits = str(_rng.randrange(2 * 10 ** (width - 1), 10**width))
        if suffix is not None:
            digits = digits[: -len(suffix)] + suffix
        elif digits.endswith(_TEST_SUFFIXES):
            continue
        candidate = prefix + digits
        found = classify(candidate)
        if candidate not in _used and found and found.country_code == country:
            _used.add(candidate)
            return candidate
    raise AssertionError(f"no valid {country} number found")


def order_body(*numbers: str, **fields: Any) -> dict[str, Any]:
    return {"phone_numbers": [{"phone_number": n} for n in numbers], **fields}


def wait_until(condition: Any, timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Poll `condition()` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def settled(client: httpx.Client, order_id: str, timeout: float = 15.0) -> dict[str, Any]:
    """The order once the worker has settled it (success or failure)."""

    def fetch() -> dict[str, Any] | None:
        data: dict[str, Any] = client.get(f"/number_orders/{order_id}").json()["data"]
        return data if data["status"] != "pending" else None

    result: dict[str, Any] = wait_until(fetch, timeout)
    return result


def quiet(client: httpx.Client, order_id: str, timeout: float = 15.0) -> dict[str, Any]:
    """The order once the worker has done all it can (the rest waits for requirements)."""

    def fetch() -> dict[str, Any] | None:
        data: dict[str, Any] = client.get(f"/number_orders/{order_id}").json()["data"]
        waiting = all(
            n["status"] != "pending" or not n["requirements_met"] for n in data["phone_numbers"]
        )
        ends_in_zeros = any(
            n["status"] == "pending" and n["phone_number"].endswith("0000")
            for n in data["phone_numbers"]
        )
        return data if waiting and not ends_in_zeros else None

    result: dict[str, Any] = wait_until(fetch, timeout)
    return result


def actual_counts(store: SqlStore) -> Counter[tuple[str, str, bool, int]]:
    c = number_orders.c
    statement = select(
        c.account_id, c.status, c.requirements_met, c.phone_numbers_count, func.count()
    ).group_by(c.account_id, c.status, c.requirements_met, c.phone_numbers_count)
    with store.engine.connect() as conn:
        return Counter({(a, s, bool(m), n): k for a, s, m, n, k in conn.execute(statement)})


def rollup_counts(store: SqlStore) -> Counter[tuple[str, str, bool, int]]:
    c = order_counts.c
    statement = select(c.account_id, c.status, c.requirements_met, c.phone_numbers_count, c.n)
    with store.engine.connect() as conn:
        return Counter({(a, s, bool(m), n): k for a, s, m, n, k in conn.execute(statement) if k})


def assert_counts_exact(store: SqlStore) -> None:
    assert rollup_counts(store) == actual_counts(store)


@dataclass
class AccountsServer:
    """A live server with two accounts' keys, and kept-alive clients per key."""

    server: LiveServer
    store: SqlStore
    key: str
    other_key: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    @contextmanager
    def client(self, key: str | None = None) -> Iterator[httpx.Client]:
        """A kept-alive client per key: a new client per request costs more than the request."""
        key = key or self.key
        if key not in self.clients:
            self.clients[key] = client_for(self.server, key)
        yield self.clients[key]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
