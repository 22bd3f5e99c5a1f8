"""Owned phone numbers as rows, and their tallies, inside the caller's transaction.

Every writer of `phone_numbers` goes through here, so the tallies (`phone_number_counts`,
`phone_number_value_counts`) and the tag rows stay exact: the settling transaction
(`add`), bulk loading (`load`, then `write_counts`), an update (`rewrite`) and a release
(`remove`). Tallies are written last, in one sorted statement per table, after the order
counts of the same transaction, so no two transactions take tallies in opposite orders.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, update

from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.storage import holdings
from number_orders.storage.interface import (
    PHONE_NUMBER_COLUMNS,
    PhoneCountKey,
    phone_number_counts,
)
from number_orders.storage.queries import upsert_counts
from number_orders.storage.schema import (
    PHONE_TALLY_KEYS,
    phone_number_tags,
    phone_number_value_counts,
    phone_numbers,
)
from number_orders.storage.schema import phone_number_counts as phone_number_counts_table

COLUMNS = tuple(phone_numbers.c[name] for name in PHONE_NUMBER_COLUMNS)
_AT = {name: i for i, name in enumerate(PHONE_NUMBER_COLUMNS)}
_TAGGED, _TAGS = _AT["tagged"], _AT["tags"]
_ID, _PURCHASED = _AT["id"], _AT["purchased_at"]
_NUMBER, _ORDER = _AT["phone_number"], _AT["order_id"]
_VALUE_KEYS = ("field", "value", *PHONE_TALLY_KEYS)


def row_of(account_id: str, record: PhoneNumber) -> tuple[Any, ...]:
    """The record as a row, in `PHONE_NUMBER_COLUMNS` order."""
    return (
        account_id,
        record.id,
        record.phone_number,
        record.status,
        record.country_iso_alpha2,
        record.phone_number_type,
        record.source_type,
        record.customer_reference,
        record.connection_id,
        record.billing_group_id,
        orjson.dumps(record.tags).decode(),
        bool(record.tags),
        record.external_pin,
        record.hd_voice_enabled,
        record.address_id,
        record.order_id,
        record.purchased_at,
        record.updated_at,
    )


def record_of(row: Any) -> PhoneNumber:
    """A row selected with `COLUMNS` as the record (by position: a row's attributes cost
    more than the rest of this together)."""
    (
        _account_id,
        number_id,
        phone_number,
        status,
        country,
        number_type,
        source_type,
        customer_reference,
        connection_id,
        billing_group_id,
        tags,
        _tagged,
        external_pin,
        hd_voice_enabled,
        address_id,
        order_id,
        purchased_at,
        updated_at,
    ) = row
    return PhoneNumber(
        number_id,
        phone_number,
        country,
        number_type,
        order_id,
        purchased_at,
        updated_at,
        status,
        source_type,
        customer_reference,
        connection_id,
        billing_group_id,
        tuple(orjson.loads(tags)) if tags != "[]" else (),
        external_pin,
        bool(hd_voice_enabled),
        address_id,
    )


def add(conn: Connection, account_id: str, records: Sequence[PhoneNumber]) -> None:
    """Numbers just bought, whose holdings the caller has already made `owned`."""
    rows = [row_of(account_id, r) for r in records]
    if rows:
        conn.execute(
            insert(phone_numbers), [dict(zip(PHONE_NUMBER_COLUMNS, r, strict=True)) for r in rows]
        )
        _add_tags(conn, rows)
        add_tallies(conn, account_id, added=rows)


def add_of(conn: Connection, bought: Mapping[str, Sequence[PhoneNumber]]) -> None:
    """`add` for several accounts at once: one statement for the rows, one for their tags,
    one per tally table, the tallies' rows in (account, key) order."""
    rows = [row_of(a, r) for a in sorted(bought) for r in bought[a]]
    if not rows:
        return
    conn.execute(
        insert(phone_numbers), [dict(zip(PHONE_NUMBER_COLUMNS, r, strict=True)) for r in rows]
    )
    _add_tags(conn, rows)
    totals: list[tuple[Any, ...]] = []
    values: list[tuple[Any, ...]] = []
    for account_id in sorted(bought):
        counts = phone_number_counts([r for r in rows if r[0] == account_id])
        account_totals, account_values = _split(counts)
        totals += _rows(account_id, account_totals)
        values += _rows(account_id, account_values)
    upsert_counts(conn, phone_number_counts_table, PHONE_TALLY_KEYS, totals)
    upsert_counts(conn, phone_number_value_counts, _VALUE_KEYS, values)


def rewrite(conn: Connection, account_id: str, before: PhoneNumber, after: PhoneNumber) -> None:
    """An updated record: its row, its tags and its tallies."""
    old, new = row_of(account_id, before), row_of(account_id, after)
    values = {n: v for n, v, was in zip(PHONE_NUMBER_COLUMNS, new, old, strict=True) if v != was}
    c = phone_numbers.c
    conn.execute(
        update(phone_numbers).where(c.account_id == account_id, c.id == before.id).values(values)
    )
    if before.tags != after.tags:
        _remove_tags(conn, old)
        _add_tags(conn, [new])
    add_tallies(conn, account_id, added=[new], removed=[old])


def remove(conn: Connection, account_id: str, record: PhoneNumber) -> None:
    """A released record: its row, its tags, its holding and its tallies."""
    row = row_of(account_id, record)
    c = phone_numbers.c
    conn.execute(delete(phone_numbers).where(c.account_id == account_id, c.id == record.id))
    _remove_tags(conn, row)
    holdings.release_owned(conn, account_id, record.phone_number)
    add_tallies(conn, account_id, removed=[row])


def load(conn: Connection, candidates: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Bulk loading (seeding): make each candidate number owned by its order, unless
    someone holds it already (as a settling order would fail it); of several candidates
    for one number, the first wins. The candidates left out, so the caller counts only
    the others (`write_counts`, after its order counts). Candidates claim in number
    order, so concurrent loaders meet on holdings in one order only."""
    won = _claim(conn, sorted(candidates, key=itemgetter(_NUMBER)))
    owned: list[tuple[Any, ...]] = []
    left_out: list[tuple[Any, ...]] = []
    for row in candidates:
        pair = (row[_NUMBER], row[_ORDER])
        if pair in won:
            won.discard(pair)  # an order that offers a number twice owns it once
            owned.append(row)
        else:
            left_out.append(row)
    # In the order they came (oldest first), so the indexes ending in `purchased_at`
    # grow at their newest end.
    _insert_rows(conn, owned)
    _add_tags(conn, owned)
    return left_out


def add_tallies(
    conn: Connection,
    account_id: str,
    added: Sequence[tuple[Any, ...]] = (),
    removed: Sequence[tuple[Any, ...]] = (),
) -> None:
    """Count rows (in `PHONE_NUMBER_COLUMNS` order) in and out."""
    counts = phone_number_counts(added)
    counts.subtract(phone_number_counts(removed))
    write_counts(conn, account_id, counts)


def write_counts(conn: Connection, account_id: str, counts: Counter[PhoneCountKey]) -> None:
    """Apply tally changes: the account's totals, then the per-value ones, each table in
    one sorted statement."""
    totals, values = _split(counts)
    upsert_counts(conn, phone_number_counts_table, PHONE_TALLY_KEYS, _rows(account_id, totals))
    upsert_counts(conn, phone_number_value_counts, _VALUE_KEYS, _rows(account_id, values))


def _split(
    counts: Counter[PhoneCountKey],
) -> tuple[list[tuple[tuple[Any, ...], int]], list[tuple[tuple[Any, ...], int]]]:
    """The account's totals and its per-value counts, each sorted by key."""
    totals = sorted((key[2:], n) for key, n in counts.items() if key[0] is None and n)
    values = sorted((key, n) for key, n in counts.items() if key[0] is not None and n)
    return totals, values


def _rows(account_id: str, counts: list[tuple[tuple[Any, ...], int]]) -> list[tuple[Any, ...]]:
    return [(account_id, *key, n) for key, n in counts]


def _claim(conn: Connection, rows: list[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """Insert `owned` holdings for the rows' numbers where there are none; the
    (phone number, order id) pairs that went in. One statement on either engine."""
    if not rows:
        return set()
    h = (_NUMBER, _AT["account_id"], _ORDER, _PURCHASED)
    if conn.dialect.name == "sqlite":
        document = orjson.dumps([[row[i] for i in h] for row in rows]).decode()
        found = conn.exec_driver_sql(_CLAIM_SQLITE, (holdings.OWNED, document))
    else:
        columns = tuple([row[i] for row in rows] for i in h)
        found = conn.exec_driver_sql(_CLAIM_POSTGRESQL, (holdings.OWNED, *columns))
    return {(number, order) for number, order in found}


_HOLDING = "number_holdings (phone_number, account_id, order_id, state, updated_at)"
_CLAIMED = "ON CONFLICT (phone_number) DO NOTHING RETURNING phone_number, order_id"
# `WHERE true` tells SQLite's parser that ON CONFLICT is the upsert's, not a join's.
_CLAIM_SQLITE = (
    f"INSERT INTO {_HOLDING} SELECT value ->> 0, value ->> 1, value ->> 2, ?, value ->> 3 "
    f"FROM json_each(?) WHERE true {_CLAIMED}"
)
_CLAIM_POSTGRESQL = (
    f"INSERT INTO {_HOLDING} SELECT n, a, o, %s, u "
    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[]) AS t(n, a, o, u) "
    f"{_CLAIMED}"
)


def _insert_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """The driver's fastest path: `executemany` on SQLite, `COPY` on PostgreSQL."""
    if not rows:
        return
    driver: Any = conn.connection.driver_connection
    names = ", ".join(PHONE_NUMBER_COLUMNS)
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(PHONE_NUMBER_COLUMNS))
        driver.executemany(f"INSERT INTO phone_numbers ({names}) VALUES ({marks})", rows)
        return
    with driver.cursor() as cursor, cursor.copy(f"COPY phone_numbers ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _add_tags(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    tagged = [
        {
            "account_id": row[0],
            "tag": tag,
            "purchased_at": row[_PURCHASED],
            "phone_number_id": row[_ID],
        }
        for row in rows
        if row[_TAGGED]
        for tag in orjson.loads(row[_TAGS])
    ]
    if tagged:
        conn.execute(insert(phone_number_tags), tagged)


def _remove_tags(conn: Connection, row: tuple[Any, ...]) -> None:
    if not row[_TAGGED]:
        return
    t = phone_number_tags.c
    conn.execute(
        delete(phone_number_tags).where(
            t.account_id == row[0],
            t.tag.in_(orjson.loads(row[_TAGS])),
            t.purchased_at == row[_PURCHASED],
            t.phone_number_id == row[_ID],
        )
    )
