"""Row shapes and the count rollup shared by the store's reads and writes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from number_orders.domain.listing import ListQuery
from number_orders.domain.orders import (
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
)
from number_orders.storage.schema import api_keys, number_orders, order_counts

API_KEY_COLUMNS = (
    api_keys.c.key_id,
    api_keys.c.account_id,
    api_keys.c.secret_hash,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)
FIND_API_KEY = select(*API_KEY_COLUMNS).where(api_keys.c.key_id == bindparam("key_id"))

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
)

CountKey = tuple[str, bool, int]


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
            [r.requirement_id, r.field_type, r.field_value] for r in number.regulatory_requirements
        ],
    }


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
    return (order.status, order.requirements_met, order.phone_numbers_count)


def countable_from_rollup(query: ListQuery) -> bool:
    """The rollup holds every filter except the free-text and range ones."""
    return (
        query.customer_reference is None
        and query.created_after is None
        and query.created_before is None
    )


def rollup_filters(account_id: str, query: ListQuery) -> list[ColumnElement[bool]]:
    c = order_counts.c
    clauses: list[ColumnElement[bool]] = [c.account_id == account_id]
    if query.status is not None:
        clauses.append(c.status == query.status)
    if query.phone_numbers_count is not None:
        clauses.append(c.phone_numbers_count == query.phone_numbers_count)
    if query.requirements_met is not None:
        clauses.append(c.requirements_met == query.requirements_met)
    return clauses


def add_counts(conn: Connection, account_id: str, deltas: Counter[CountKey]) -> None:
    """Apply count changes inside the caller's transaction (an upsert per combination)."""
    rows = [
        {
            "account_id": account_id,
            "status": status,
            "requirements_met": met,
            "phone_numbers_count": count,
            "n": delta,
        }
        for (status, met, count), delta in sorted(deltas.items())
        if delta
    ]
    if not rows:
        return
    dialect_insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(order_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["account_id", "status", "requirements_met", "phone_numbers_count"],
        set_={"n": order_counts.c.n + statement.excluded.n},
    )
    conn.execute(statement, rows)


def move_count(conn: Connection, account_id: str, before: CountKey, after: CountKey) -> None:
    if before != after:
        add_counts(conn, account_id, Counter({before: -1, after: 1}))


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
    )
