"""Helpers for order tests: unique valid numbers, waiting for the worker, count checks."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from number_orders.domain.creating import NewOrder
from number_orders.domain.listing import ListQuery
from number_orders.domain.numbering import classify
from number_orders.domain.orders import PENDING
from number_orders.storage.schema import number_orders, order_counts
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.app import InProcess

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


def new_order(*numbers: str) -> NewOrder:
    """A valid order of these numbers, as the service takes it."""
    return NewOrder.from_body(order_body(*numbers))


def pending_count(store: SqlStore, account_ids: list[str]) -> int:
    return sum(
        store.list_number_orders(a, ListQuery(status=PENDING, page_size=1))[1] for a in account_ids
    )


def status_of(store: SqlStore, account_id: str, order_id: str) -> str:
    detail = store.retrieve_number_order(account_id, order_id)
    assert detail is not None, order_id
    return detail.order.status


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
class Accounts:
    """The application with two accounts' keys."""

    app: InProcess
    store: SqlStore
    key: str
    other_key: str

    @contextmanager
    def client(self, key: str | None = None) -> Iterator[httpx.Client]:
        """A client that sends `key`, the first account's by default."""
        with self.app.client(key or self.key) as client:
            yield client
