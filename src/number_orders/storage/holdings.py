"""Who holds each phone number, inside the caller's transaction.

One row per number (primary key `phone_number`). A create reserves its numbers with an
insert that does nothing on conflict, so when two accounts race for a number the
database lets exactly one row in: on PostgreSQL the second insert waits for the first
transaction and then does nothing; on SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Insert, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from number_orders.storage.schema import number_holdings

RESERVED, OWNED = "reserved", "owned"


def reserve(
    conn: Connection, account_id: str, order_id: str, phone_numbers: Iterable[str], now: int
) -> None:
    # Sorted, so two creates that share numbers wait for each other in one order only.
    rows = [
        {
            "phone_number": p,
            "account_id": account_id,
            "order_id": order_id,
            "state": RESERVED,
            "updated_at": now,
        }
        for p in sorted(phone_numbers)
    ]
    if rows:
        conn.execute(_insert_or_ignore(conn), rows)


def take(conn: Connection, account_id: str, order_id: str, phone_number: str, now: int) -> bool:
    """Make the number this order's for good: True if it was reserved for the order or
    free; False if another order (of any account) holds it.

    A number held elsewhere is only read, never locked, so settling an order that lost
    a number waits for nobody.
    """
    h = number_holdings.c
    holder = conn.execute(
        select(h.account_id, h.order_id).where(h.phone_number == phone_number)
    ).first()
    if holder is not None and (holder.account_id, holder.order_id) != (account_id, order_id):
        return False
    if holder is not None:
        conn.execute(
            update(number_holdings)
            .where(h.phone_number == phone_number, h.order_id == order_id)
            .values(state=OWNED, updated_at=now)
        )
        return True
    # Orders loaded in bulk (seeding) reserve nothing up front; claim the number now.
    row = {
        "phone_number": phone_number,
        "account_id": account_id,
        "order_id": order_id,
        "state": OWNED,
        "updated_at": now,
    }
    # RETURNING, not rowcount: psycopg can report -1 for an ON CONFLICT DO NOTHING insert.
    inserted = conn.execute(
        _insert_or_ignore(conn).values(row).returning(number_holdings.c.phone_number)
    )
    return inserted.first() is not None


def release(conn: Connection, account_id: str, order_id: str, phone_number: str) -> None:
    """Free a failed number, if this order had reserved it."""
    h = number_holdings.c
    conn.execute(
        delete(number_holdings).where(
            h.phone_number == phone_number,
            h.order_id == order_id,
            h.account_id == account_id,
            h.state == RESERVED,
        )
    )


def _insert_or_ignore(conn: Connection) -> Insert:
    dialect_insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    return dialect_insert(number_holdings).on_conflict_do_nothing(index_elements=["phone_number"])


def release_owned(conn: Connection, account_id: str, phone_number: str) -> None:
    """Free a number the account owns (a released phone number): free for everyone."""
    h = number_holdings.c
    conn.execute(
        delete(number_holdings).where(
            h.phone_number == phone_number, h.account_id == account_id, h.state == OWNED
        )
    )
