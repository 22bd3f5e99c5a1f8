"""Which numbers a search may offer, read from `number_holdings` on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, insert

from number_orders.domain.available_numbers import Inventory, SearchQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage import available_numbers, holdings
from number_orders.storage.available_numbers import held_numbers
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore

MINE, THEIRS = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
# Held by a pending order (`holdings.RESERVED`, or a reservation where a test says so),
# and by a settled one.
MY_RESERVATION, MY_NUMBER = "+13125550101", "+13125550102"
THEIR_RESERVATION, THEIR_NUMBER = "+13125550103", "+13125550104"
FREE = "+13125550105"
ASKED = [MY_RESERVATION, MY_NUMBER, THEIR_RESERVATION, THEIR_NUMBER, FREE]


def hold(store: SqlStore, reservation_state: str = holdings.RESERVED) -> None:
    rows = [
        (MY_RESERVATION, MINE, reservation_state),
        (MY_NUMBER, MINE, holdings.OWNED),
        (THEIR_RESERVATION, THEIRS, reservation_state),
        (THEIR_NUMBER, THEIRS, holdings.OWNED),
    ]
    with store.writing() as conn:
        conn.execute(
            insert(number_holdings),
            [
                {"phone_number": p, "account_id": a, "order_id": f"order-{i}", "state": s}
                | {"updated_at": now_micros()}
                for i, (p, a, s) in enumerate(rows)
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


def held(store: SqlStore, account_id: str, include_own: bool, now: int | None = None) -> set[str]:
    with store.reading() as conn:
        return held_numbers(conn, account_id, ASKED, include_own, now=now or now_micros())


def test_every_holding_of_an_order_takes_its_number_from_every_account(store: SqlStore) -> None:
    hold(store)
    everything = set(ASKED) - {FREE}
    for account_id in (MINE, THEIRS):
        assert held(store, account_id, include_own=False) == everything
        assert held(store, account_id, include_own=True) == everything
    with store.reading() as conn:
        assert held_numbers(conn, MINE, [FREE], True, now=now_micros()) == set()


def test_own_reservations_are_left_to_their_account_unless_it_hides_them(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A state that marks a reservation: the predicate reads it from RESERVATION_STATES.
    monkeypatch.setattr(available_numbers, "RESERVATION_STATES", ("on_hold",))
    hold(store, reservation_state="on_hold")
    assert held(store, MINE, include_own=False) == {MY_NUMBER, THEIR_RESERVATION, THEIR_NUMBER}
    assert held(store, MINE, include_own=True) == set(ASKED) - {FREE}
    assert held(store, THEIRS, include_own=False) == {MY_RESERVATION, MY_NUMBER, THEIR_NUMBER}


def test_holdings_do_not_lapse_with_time(store: SqlStore) -> None:
    hold(store)
    a_century_on = now_micros() + 100 * 365 * 86_400 * 1_000_000
    assert held(store, MINE, include_own=False, now=a_century_on) == set(ASKED) - {FREE}


def test_one_statement_per_batch_and_none_for_an_empty_one(store: SqlStore) -> None:
    hold(store)
    batch = [f"+1312555{i:04d}" for i in range(2500)] + ASKED
    now = now_micros()
    with store.reading() as conn, statements(store) as seen:
        assert held_numbers(conn, MINE, batch, False, now=now) == set(ASKED) - {FREE}
        assert len(seen) == 1
        assert held_numbers(conn, MINE, [], True, now=now) == set()
        assert len(seen) == 1


def search(store: SqlStore, account_id: str, query: SearchQuery) -> list[str]:
    found = store.search_available_numbers(
        account_id, now_micros(), partial(Inventory().search_numbers, query)
    )
    return [f.phone_number for f in found]


def test_a_search_skips_what_any_order_holds(store: SqlStore) -> None:
    query = SearchQuery(locality="Chicago", limit=20)
    first = search(store, MINE, query)
    assert search(store, THEIRS, query) == first  # nothing held: the same for everyone
    now = now_micros()
    with store.writing() as conn:
        holdings.reserve(conn, THEIRS, "order-5", first[:5], now)
        holdings.reserve(conn, MINE, "order-6", first[5:10], now)
    hidden = SearchQuery(locality="Chicago", limit=20, exclude_held_numbers=True)
    for account_id in (MINE, THEIRS):
        for asked in (query, hidden):
            shown = search(store, account_id, asked)
            assert shown[:10] == first[10:] and not set(shown) & set(first[:10])


def test_a_search_reads_one_snapshot(store: SqlStore) -> None:
    """Every batch of a search is judged in the same transaction: a holding committed by
    another connection in the middle of a search does not change what it sees."""
    query = SearchQuery(locality="Chicago", limit=5)
    first = search(store, MINE, query)
    batches: list[set[str]] = []

    def twice(held: Any) -> None:
        batches.append(held(first, include_own_reservations=False))
        with store.writing() as conn:
            holdings.reserve(conn, THEIRS, "order-7", first, now_micros())
        batches.append(held(first, include_own_reservations=False))

    store.search_available_numbers(MINE, now_micros(), twice)
    assert batches == [set(), set()]
    assert search(store, MINE, query)[:5] != first
