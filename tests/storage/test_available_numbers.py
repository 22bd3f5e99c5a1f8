"""Which numbers a search may offer, read from `number_holdings` on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import event, insert

from number_orders.domain.available_numbers import Inventory, SearchQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage import holdings
from number_orders.storage.available_numbers import held_numbers
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore

MINE, THEIRS = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
MY_RESERVATION, MY_NUMBER = "+13125550101", "+13125550102"
THEIR_RESERVATION, THEIR_NUMBER = "+13125550103", "+13125550104"
FREE, MY_ORDER, EXPIRED = "+13125550105", "+13125550106", "+13125550107"
ASKED = [MY_RESERVATION, MY_NUMBER, THEIR_RESERVATION, THEIR_NUMBER, FREE, MY_ORDER, EXPIRED]
HOUR = 3_600_000_000


def hold(store: SqlStore) -> None:
    now = now_micros()
    rows = [
        (MY_RESERVATION, MINE, holdings.RESERVED, now + HOUR),
        (MY_NUMBER, MINE, holdings.OWNED, None),
        (THEIR_RESERVATION, THEIRS, holdings.RESERVED, now + HOUR),
        (THEIR_NUMBER, THEIRS, holdings.OWNED, None),
        (MY_ORDER, MINE, holdings.PENDING, None),
        # Expired by the clock, not yet deleted by the worker: holds nothing.
        (EXPIRED, THEIRS, holdings.RESERVED, now - 1),
    ]
    with store.writing() as conn:
        conn.execute(
            insert(number_holdings),
            [
                {"phone_number": p, "account_id": a, "state": s, "expires_at": e}
                | (
                    {"reservation_id": f"reservation-{i}", "order_id": None}
                    if s == holdings.RESERVED
                    else {"order_id": f"order-{i}", "reservation_id": None}
                )
                | {"updated_at": now}
                for i, (p, a, s, e) in enumerate(rows)
            ],
        )


@contextmanager
def statements(store: SqlStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_every_holding_counts_except_the_callers_own_reservations(store: SqlStore) -> None:
    hold(store)
    with store.reading() as conn:
        mine = held_numbers(conn, MINE, ASKED, False, now=now_micros())
        assert mine == {MY_NUMBER, THEIR_RESERVATION, THEIR_NUMBER, MY_ORDER}
        assert held_numbers(conn, MINE, ASKED, True, now=now_micros()) == set(ASKED) - {
            FREE,
            EXPIRED,
        }
        assert held_numbers(conn, THEIRS, ASKED, False, now=now_micros()) == {
            MY_RESERVATION,
            MY_NUMBER,
            THEIR_NUMBER,
            MY_ORDER,
        }
        assert held_numbers(conn, MINE, [FREE], True, now=now_micros()) == set()


def test_a_reservation_holds_until_it_expires_by_the_clock(store: SqlStore) -> None:
    hold(store)
    later = now_micros() + 2 * HOUR
    with store.reading() as conn:
        assert held_numbers(conn, MINE, ASKED, True, now=later) == {
            MY_NUMBER,
            THEIR_NUMBER,
            MY_ORDER,
        }


def test_one_statement_per_batch_and_none_for_an_empty_one(store: SqlStore) -> None:
    hold(store)
    batch = [f"+1312555{i:04d}" for i in range(2500)] + ASKED
    with store.reading() as conn, statements(store) as seen:
        assert held_numbers(conn, MINE, batch, False, now=now_micros()) == {
            MY_NUMBER,
            THEIR_RESERVATION,
            THEIR_NUMBER,
            MY_ORDER,
        }
        assert len(seen) == 1
        assert held_numbers(conn, MINE, [], True, now=now_micros()) == set()
        assert len(seen) == 1


def test_a_search_skips_what_the_store_holds(store: SqlStore) -> None:
    inventory = Inventory()
    query = SearchQuery(locality="Chicago", limit=20)
    with store.reading() as conn:
        first = [
            f.phone_number
            for f in inventory.search_numbers(
                query, partial(held_numbers, conn, MINE, now=now_micros())
            )
        ]
    now = now_micros()
    with store.writing() as conn:
        holdings.reserve(conn, THEIRS, "order-5", first[:5], now)
        holdings.reserve_for_reservation(conn, MINE, "reservation-6", first[5:10], now + HOUR, now)
    with store.reading() as conn:
        held = partial(held_numbers, conn, MINE, now=now_micros())
        shown = [f.phone_number for f in inventory.search_numbers(query, held)]
        hidden = SearchQuery(locality="Chicago", limit=20, exclude_held_numbers=True)
        without_mine = [f.phone_number for f in inventory.search_numbers(hidden, held)]
    assert shown[:15] == first[5:] and not set(shown) & set(first[:5])
    assert without_mine[:10] == first[10:] and not set(without_mine) & set(first[:10])


def test_a_search_reads_one_snapshot(store: SqlStore) -> None:
    """Every batch of a search is judged in the same transaction: a holding committed by
    another connection in the middle of a search does not change what it sees."""
    first = ["+13125550142", "+13125550143"]
    batches: list[set[str]] = []

    def twice(held: Any) -> None:
        batches.append(held(first, include_own_reservations=False))
        with store.writing() as conn:
            holdings.reserve(conn, THEIRS, "order-7", first, now_micros())
        batches.append(held(first, include_own_reservations=False))

    store.search_available_numbers(MINE, now_micros(), twice)
    assert batches == [set(), set()]
    with store.reading() as conn:
        assert held_numbers(conn, MINE, first, False, now=now_micros()) == set(first)
