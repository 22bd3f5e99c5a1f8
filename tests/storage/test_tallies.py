"""The count tallies stay exact: under concurrent writers, and for every filter the list
can combine, against counts taken straight from the order rows. Both engines."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from number_orders.domain.listing import ListQuery
from number_orders.domain.orders import ORDER_STATUSES, NumberOrderDetail
from number_orders.domain.updating import OrderUpdate, RequirementValue
from number_orders.seed.factory import OrderFactory
from number_orders.service import NumberOrdersService
from number_orders.storage.periods import DAY, WIDTHS, levels, period_start
from number_orders.storage.schema import (
    number_orders,
    order_counts,
    order_period_counts,
    order_reference_counts,
)
from number_orders.storage.sql_store import SqlStore

TALLY = ("status", "requirements_met", "phone_numbers_count")


def tallies_from_rows(store: SqlStore) -> dict[str, Counter[Any]]:
    """Every tally recomputed from the orders themselves, zero rows left out; period rows at
    every level of detail."""
    with store.reading() as conn:
        rows = conn.execute(
            select(
                number_orders.c.account_id,
                number_orders.c.customer_reference,
                number_orders.c.created_at,
                *(number_orders.c[c] for c in TALLY),
            )
        ).all()
    expected: dict[str, Counter[Any]] = {
        "total": Counter(),
        "reference": Counter(),
        "period": Counter(),
    }
    for account, reference, created_at, status, met, count in rows:
        key = (status, bool(met), count)
        expected["total"][(account, *key)] += 1
        if reference is not None:
            expected["reference"][(account, reference, *key)] += 1
        for days in WIDTHS:
            for level, *rolled in levels(*key):
                start = period_start(created_at, days)
                expected["period"][(account, days, level, start, *rolled)] += 1
    return expected


def tallies_stored(store: SqlStore) -> dict[str, Counter[Any]]:
    found: dict[str, Counter[Any]] = {}
    for name, table, keys in (
        ("total", order_counts, ()),
        ("reference", order_reference_counts, ("customer_reference",)),
        ("period", order_period_counts, ("period_days", "filters", "period_start")),
    ):
        columns = [table.c.account_id, *(table.c[k] for k in keys), *(table.c[c] for c in TALLY)]
        with store.reading() as conn:
            rows = conn.execute(select(*columns, table.c.n).where(table.c.n != 0)).all()
        found[name] = Counter()
        for row in rows:
            *key, met, count, n = row
            found[name][(*key, bool(met), count)] = n
    return found


def supply_everything(detail: NumberOrderDetail, reference: str | None) -> OrderUpdate:
    """An update as a client sends it: a new reference and a value for every requirement."""
    wanted = {r.requirement_id for n in detail.numbers for r in n.regulatory_requirements}
    return OrderUpdate(reference, tuple(RequirementValue(i, "on file") for i in sorted(wanted)))


def test_tallies_stay_exact_under_concurrent_creates_updates_and_fulfilment(
    store: SqlStore,
) -> None:
    """Through the service, as the server and its worker write: orders created, updated
    (reference, requirements met) and settled (status) by concurrent threads."""
    service = NumberOrdersService(store)
    accounts = [store.ensure_account(name).account_id for name in ("acme", "globex")]
    seeded = list(OrderFactory(seed=3).orders(200))
    store.insert_number_orders(accounts[0], seeded)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            rng = random.Random(number)
            account = accounts[number % 2]
            factory = OrderFactory(seed=100 + number)
            for _ in range(6):
                store.insert_number_orders(account, factory.orders(rng.randrange(1, 4)))
                detail = rng.choice(seeded)
                reference = rng.choice(["acme-001", "wonka-007", None])
                update = supply_everything(detail, reference)
                service.update_number_order(accounts[0], detail.order.id, update)
                service.fulfil_due_orders(5)
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    while service.fulfil_due_orders(100):
        pass
    assert tallies_stored(store) == tallies_from_rows(store)
    changed = [store.retrieve_number_order(accounts[0], d.order.id) for d in seeded]
    moved = [
        (before.order, after.order)
        for before, after in zip(seeded, changed, strict=True)
        if after is not None
    ]
    # The writers moved orders between tallies on every grouped column.
    assert any(b.status != a.status for b, a in moved)
    assert any(b.requirements_met != a.requirements_met for b, a in moved)
    assert any(b.customer_reference != a.customer_reference for b, a in moved)


def brute_count(store: SqlStore, account_id: str, query: ListQuery) -> int:
    c = number_orders.c
    clauses = [c.account_id == account_id]
    for attribute in ("status", "requirements_met", "phone_numbers_count", "customer_reference"):
        value = getattr(query, attribute)
        if value is not None:
            clauses.append(c[attribute] == value)
    if query.created_after is not None:
        clauses.append(c.created_at > query.created_after)
    if query.created_before is not None:
        clauses.append(c.created_at < query.created_before)
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).where(*clauses)).scalar_one())


@pytest.fixture
def spread(store: SqlStore) -> tuple[SqlStore, str, list[Any]]:
    """~1,500 orders over three years (many blocks and days) beside another account's."""
    account = store.ensure_account("acme").account_id
    orders = list(OrderFactory(seed=11).orders(1500))
    store.insert_number_orders(account, orders)
    store.insert_number_orders(
        store.ensure_account("globex").account_id, OrderFactory(seed=12).orders(300)
    )
    return store, account, [d.order for d in orders]


def random_queries(orders: list[Any], count: int, seed: int) -> list[ListQuery]:
    rng = random.Random(seed)
    instants = sorted(o.created_at for o in orders)
    made = []
    for _ in range(count):
        fields: dict[str, Any] = {}
        if rng.random() < 0.4:
            fields["status"] = rng.choice(ORDER_STATUSES)
        if rng.random() < 0.3:
            fields["requirements_met"] = rng.random() < 0.5
        if rng.random() < 0.3:
            fields["phone_numbers_count"] = rng.randrange(1, 5)
        if rng.random() < 0.3:
            fields["customer_reference"] = rng.choice(
                [o.customer_reference for o in orders if o.customer_reference] + ["nobody"]
            )
        if rng.random() < 0.6:
            fields["created_after"] = rng.choice(instants) + rng.choice((-1, 0, 1, 0))
        if rng.random() < 0.6:
            fields["created_before"] = rng.choice(instants) + rng.choice((-1, 0, 1, 0))
        made.append(ListQuery(**fields))
    return made


def date_aligned_queries(orders: list[Any]) -> list[ListQuery]:
    """Bounds at midnight, as `YYYY-MM-DD` filters give: edges counted from their day."""
    days = sorted({period_start(o.created_at, 1) for o in orders})
    lo, hi = days[len(days) // 4], days[3 * len(days) // 4]
    return [
        ListQuery(created_after=lo, created_before=hi),
        ListQuery(created_after=lo - 1, created_before=hi + 1, status="success"),
        ListQuery(created_after=lo + DAY // 3, created_before=hi - DAY // 3),
        ListQuery(created_after=lo, created_before=lo + DAY - 1, requirements_met=True),
    ]


def test_every_filter_combination_counts_exactly(spread: tuple[SqlStore, str, list[Any]]) -> None:
    store, account, orders = spread
    for query in [*date_aligned_queries(orders), *random_queries(orders, 120, seed=5)]:
        assert store.list_number_orders(account, query)[1] == brute_count(store, account, query), (
            query
        )


def newest_first(orders: list[Any], query: ListQuery) -> list[str]:
    lo, hi = query.created_range
    kept = [
        o
        for o in orders
        if all(
            getattr(query, a) is None or getattr(o, a) == getattr(query, a)
            for a in ("status", "requirements_met", "phone_numbers_count", "customer_reference")
        )
        and (lo is None or o.created_at >= lo)
        and (hi is None or o.created_at < hi)
    ]
    kept.sort(key=lambda o: (o.created_at, o.id), reverse=True)
    return [o.id for o in kept]


def test_deep_pages_equal_offset_results(spread: tuple[SqlStore, str, list[Any]]) -> None:
    """Pages past the seek threshold (found through the tallies) against plain slicing."""
    store, account, orders = spread
    rng = random.Random(9)
    queries_ = [ListQuery(), ListQuery(status="success"), *random_queries(orders, 30, seed=6)]
    for base in queries_:
        expected = newest_first(orders, base)
        for size in (1, 7, 250):
            first_deep = 500 // size + 1
            last = max(1, -(-len(expected) // size))
            for number in {first_deep, last, last + 1, rng.randrange(1, last + 1)}:
                query = ListQuery(**{**_fields(base), "page_size": size, "page_number": number})
                page, total = store.list_number_orders(account, query)
                start = (number - 1) * size
                assert total == len(expected)
                assert [o.id for o in page] == expected[start : start + size], query


def _fields(query: ListQuery) -> dict[str, Any]:
    return {
        name: getattr(query, name)
        for name in (
            "status",
            "requirements_met",
            "phone_numbers_count",
            "customer_reference",
            "created_after",
            "created_before",
        )
    }
