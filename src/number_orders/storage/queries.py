"""Order row shapes and the count tallies shared by the store's reads and writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, Table

from number_orders.domain.orders import (
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
)
from number_orders.storage import periods
from number_orders.storage.interface import CountKey
from number_orders.storage.schema import (
    number_orders,
    order_counts,
    order_period_counts,
    order_reference_counts,
)

ORDER_COLUMNS = (
    number_orders.c.id,
    number_orders.c.status,
    number_orders.c.requirements_met,
    number_orders.c.phone_numbers_count,
    number_orders.c.created_at,
    number_orders.c.updated_at,
    number_orders.c.phone_numbers,
    number_orders.c.sub_number_orders_ids,
    number_orders.c.customer_reference,
    number_orders.c.connection_id,
    number_orders.c.messaging_profile_id,
    number_orders.c.billing_group_id,
    number_orders.c.deadline_at,
)


def order_row(
    account_id: str, detail: NumberOrderDetail, fulfil_at: int | None = None
) -> dict[str, Any]:
    order = detail.order
    return {
        "account_id": account_id,
        "id": order.id,
        "status": order.status,
        "requirements_met": order.requirements_met,
        "phone_numbers_count": order.phone_numbers_count,
        "customer_reference": order.customer_reference,
        "connection_id": order.connection_id,
        "messaging_profile_id": order.messaging_profile_id,
        "billing_group_id": order.billing_group_id,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "phone_numbers": orjson.dumps(
            [{"id": i, "phone_number": p} for i, p in order.phone_numbers]
        ).decode(),
        "sub_number_orders_ids": orjson.dumps(order.sub_number_orders_ids).decode(),
        "phone_number_details": details_text(detail.numbers),
        "fulfil_at": fulfil_at,
        "deadline_at": order.deadline,
    }


def details_text(numbers: list[OrderedNumber]) -> str:
    return orjson.dumps([_number_document(n) for n in numbers]).decode()


def _number_document(number: OrderedNumber) -> dict[str, Any]:
    return {
        "id": number.id,
        "phone_number": number.phone_number,
        "country_code": number.country_code,
        "phone_number_type": number.phone_number_type,
        "status": number.status,
        "bundle_id": number.bundle_id,
        "requirement_group_id": number.requirement_group_id,
        "regulatory_requirements": [
            _requirement_document(r) for r in number.regulatory_requirements
        ],
    }


def _requirement_document(r: RegulatoryRequirement) -> list[Any]:
    """`[id, field_type, value]`, then `reviewed_at` and `declined` only when a value is
    under review or declined: rows written before checks, and seeded ones, have three."""
    if r.reviewed_at is None and not r.declined:
        return [r.requirement_id, r.field_type, r.field_value]
    return [r.requirement_id, r.field_type, r.field_value, r.reviewed_at, r.declined]


def numbers_from_text(text: str) -> list[OrderedNumber]:
    return [
        OrderedNumber(
            id=d["id"],
            phone_number=d["phone_number"],
            country_code=d["country_code"],
            phone_number_type=d["phone_number_type"],
            status=d["status"],
            bundle_id=d["bundle_id"],
            requirement_group_id=d["requirement_group_id"],
            regulatory_requirements=[
                RegulatoryRequirement(*r) for r in d["regulatory_requirements"]
            ],
        )
        for d in orjson.loads(text)
    ]


def count_key(order: NumberOrder) -> CountKey:
    """Everything the tallies group by: the filters with few values, the reference, the day."""
    return (
        order.status,
        order.requirements_met,
        order.phone_numbers_count,
        order.customer_reference,
        periods.period_start(order.created_at, 1),
    )


def add_counts(conn: Connection, account_id: str, deltas: Counter[CountKey]) -> None:
    """Apply count changes inside the caller's transaction: every writer of orders calls
    this (or `move_count`, `add_counts_of`) in the transaction that writes them, so every
    tally stays exact. Upserts go table by table in key order, so concurrent writers
    cannot deadlock.
    """
    add_counts_of(conn, {account_id: deltas})


def add_counts_of(conn: Connection, deltas: Mapping[str, Counter[CountKey]]) -> None:
    """`add_counts` for several accounts at once: still one statement per table, its rows
    in (account, key) order."""
    tables: dict[Table, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
    for account_id in sorted(deltas):
        for table, keys, rows in tally_rows(account_id, deltas[account_id]):
            tables.setdefault(table, (keys, []))[1].extend(rows)
    for table, (keys, rows) in tables.items():
        upsert_counts(conn, table, keys, rows)


def move_count(conn: Connection, account_id: str, before: CountKey, after: CountKey) -> None:
    if before != after:
        add_counts(conn, account_id, Counter({before: -1, after: 1}))


def tally_rows(
    account_id: str, deltas: Counter[CountKey]
) -> list[tuple[Table, tuple[str, ...], list[tuple[Any, ...]]]]:
    totals: Counter[tuple[str, bool, int]] = Counter()
    by_reference: Counter[tuple[str, str, bool, int]] = Counter()
    by_day: Counter[tuple[int, str, bool, int]] = Counter()
    for (status, met, count, reference, day), delta in deltas.items():
        totals[status, met, count] += delta
        if reference is not None:
            by_reference[reference, status, met, count] += delta
        by_day[day, status, met, count] += delta
    return [
        (order_counts, _TOTAL_KEYS, _rows(account_id, _TOTAL_KEYS, totals)),
        (order_reference_counts, _REFERENCE_KEYS, _rows(account_id, _REFERENCE_KEYS, by_reference)),
        (order_period_counts, _PERIOD_KEYS, _rows(account_id, _PERIOD_KEYS, _by_period(by_day))),
    ]


def _by_period(by_day: Counter[tuple[int, str, bool, int]]) -> Counter[tuple[Any, ...]]:
    """Day counts spread over both widths and every level of detail (`periods.levels`).
    A seed's deltas are grouped by day first, so this runs per day, not per order."""
    by_period: Counter[tuple[Any, ...]] = Counter()
    for (day, status, met, count), delta in by_day.items():
        for level in periods.levels(status, met, count):
            for days in periods.WIDTHS:
                by_period[(days, *level, periods.period_start(day, days))] += delta
    return by_period


_TOTAL_KEYS = ("status", "requirements_met", "phone_numbers_count")
_REFERENCE_KEYS = ("customer_reference", *_TOTAL_KEYS)
_PERIOD_KEYS = ("period_days", "filters", *_TOTAL_KEYS, "period_start")


def _rows(account_id: str, names: tuple[str, ...], counts: Counter[Any]) -> list[tuple[Any, ...]]:
    return [(account_id, *key, n) for key, n in sorted(counts.items()) if n]


def upsert_counts(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """One `executemany` on the driver: a seed applies thousands of these at a time."""
    if not rows:
        return
    columns = ", ".join(("account_id", *keys, "n"))
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    marks = ", ".join([mark] * (len(keys) + 2))
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT (account_id, {', '.join(keys)}) DO UPDATE SET n = {table.name}.n + excluded.n",
        rows,
    )


def order_from_row(row: Any) -> NumberOrder:
    return NumberOrder(
        id=row.id,
        status=row.status,
        requirements_met=bool(row.requirements_met),
        phone_numbers_count=row.phone_numbers_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
        phone_numbers=[(n["id"], n["phone_number"]) for n in orjson.loads(row.phone_numbers)],
        sub_number_orders_ids=orjson.loads(row.sub_number_orders_ids),
        customer_reference=row.customer_reference,
        connection_id=row.connection_id,
        messaging_profile_id=row.messaging_profile_id,
        billing_group_id=row.billing_group_id,
        deadline=row.deadline_at,
    )
