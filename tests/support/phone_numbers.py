"""Helpers for owned-number tests: the records and holdings as stored, and the tallies
recomputed from the rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.storage.interface.phone_numbers import VALUE_FIELDS
from number_orders.storage.phone_number_rows import COLUMNS, record_of
from number_orders.storage.schema import (
    PHONE_TALLY_KEYS,
    number_holdings,
    phone_number_counts,
    phone_number_tags,
    phone_number_value_counts,
    phone_numbers,
)
from number_orders.storage.sql_store import SqlStore


def records(store: SqlStore, account_id: str | None = None) -> list[PhoneNumber]:
    """Every stored record (of one account), newest purchase first."""
    c = phone_numbers.c
    statement = select(*COLUMNS).order_by(c.purchased_at.desc(), c.id.desc())
    if account_id is not None:
        statement = statement.where(c.account_id == account_id)
    with store.reading() as conn:
        return [record_of(row) for row in conn.execute(statement)]


def holdings(store: SqlStore) -> dict[str, tuple[str, str, str]]:
    """phone number -> (account, order, state)."""
    h = number_holdings.c
    with store.reading() as conn:
        rows = conn.execute(select(h.phone_number, h.account_id, h.order_id, h.state)).all()
    return {number: (account, order, state) for number, account, order, state in rows}


def assert_tallies_exact(store: SqlStore) -> None:
    """The tallies and tag rows equal what the records say, and every record's number is
    held `owned` by its account and order."""
    with store.reading() as conn:
        rows = conn.execute(select(*COLUMNS)).all()
        stored_totals = _stored(conn, phone_number_counts, PHONE_TALLY_KEYS)
        stored_values = _stored(
            conn, phone_number_value_counts, ("field", "value", *PHONE_TALLY_KEYS)
        )
        t = phone_number_tags.c
        stored_tags = Counter(
            conn.execute(select(t.account_id, t.tag, t.purchased_at, t.phone_number_id)).all()
        )
    totals: Counter[Any] = Counter()
    values: Counter[Any] = Counter()
    tags: Counter[Any] = Counter()
    for row in rows:
        key = (
            row.status,
            row.country_iso_alpha2,
            row.phone_number_type,
            row.source_type,
            bool(row.tagged),
            row.billing_group_id is not None,
        )
        totals[(row.account_id, *key)] += 1
        for field in VALUE_FIELDS:
            if row._mapping[field] is not None:
                values[(row.account_id, field, row._mapping[field], *key)] += 1
        for tag in record_of(row).tags:
            tags[(row.account_id, tag, row.purchased_at, row.id)] += 1
    assert stored_totals == totals
    assert stored_values == values
    assert stored_tags == tags
    held = holdings(store)
    for row in rows:
        assert held[row.phone_number] == (row.account_id, row.order_id, "owned")


def _stored(conn: Any, table: Any, keys: tuple[str, ...]) -> Counter[Any]:
    statement = select(table.c.account_id, *(table.c[k] for k in keys), table.c.n)
    return Counter(
        {
            tuple(
                bool(v) if isinstance(v, int) and k in ("tagged", "billing_grouped") else v
                for k, v in zip(("account_id", *keys), row[:-1], strict=True)
            ): row[-1]
            for row in conn.execute(statement)
            if row[-1]
        }
    )
