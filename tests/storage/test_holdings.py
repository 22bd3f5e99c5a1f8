"""One owner per number (`storage/holdings.py`) on SQLite and PostgreSQL: orders' holds,
reservations that expire by the clock, takeovers, expiry in batches, and races."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import insert, select

from number_orders.domain.timestamps import now_micros
from number_orders.server import open_store
from number_orders.storage import holdings
from number_orders.storage.schema import number_holdings, reserved_phone_numbers
from number_orders.storage.sql_store import SqlStore
from tests.support.orders import number

MINE, THEIRS = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
HOUR = 3_600_000_000


def holding(store: SqlStore, phone_number: str) -> dict[str, Any] | None:
    h = number_holdings.c
    with store.reading() as conn:
        row = conn.execute(select(number_holdings).where(h.phone_number == phone_number)).first()
    return dict(row._mapping) if row is not None else None


def holds(store: SqlStore, phone_number: str, **expected: Any) -> bool:
    """Whether the number's holding has every expected column value."""
    found = holding(store, phone_number)
    return found is not None and {k: found[k] for k in expected} == expected


def reserve(
    store: SqlStore, account: str, reservation: str, numbers: list[str], expires_at: int
) -> dict[str, bool]:
    """Hold numbers for a reservation, with its numbers' rows as the store keeps them."""
    now = now_micros()
    with store.writing() as conn:
        refused = holdings.reserve_for_reservation(
            conn, account, reservation, numbers, expires_at, now
        )
        conn.execute(
            insert(reserved_phone_numbers),
            [
                {
                    "account_id": account,
                    "reservation_id": reservation,
                    "position": i,
                    "id": f"n-{i}",
                    "phone_number": p,
                    "state": "failure" if p in refused else "reserved",
                    "expired_at": None if p in refused else expires_at,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, p in enumerate(numbers)
            ],
        )
    return refused


def reserved_state(store: SqlStore, account: str, reservation: str) -> dict[str, str]:
    n = reserved_phone_numbers.c
    with store.reading() as conn:
        rows = conn.execute(
            select(n.phone_number, n.state).where(
                n.account_id == account, n.reservation_id == reservation
            )
        ).all()
    return {p: s for p, s in rows}


def take(store: SqlStore, account: str, order: str, phone_number: str) -> bool:
    with store.writing() as conn:
        return holdings.take(conn, account, order, phone_number, now_micros())


def order(store: SqlStore, account: str, order_id: str, numbers: list[str]) -> None:
    with store.writing() as conn:
        holdings.reserve(conn, account, order_id, numbers, now_micros())


def test_take_claims_a_free_number_and_says_so(store: SqlStore) -> None:
    # Bulk-loaded orders hold nothing up front: the claim inserts the row, and RETURNING
    # (not the driver's row count) tells whether it went in.
    free = number()
    assert take(store, MINE, "order-1", free) is True
    assert holds(store, free, state="owned", order_id="order-1")
    assert take(store, THEIRS, "order-2", free) is False
    assert take(store, MINE, "order-3", free) is False


def test_an_orders_hold_is_pending_until_it_is_taken_or_released(store: SqlStore) -> None:
    kept, failed = number(), number()
    order(store, MINE, "order-1", [kept, failed])
    assert holds(
        store, kept, state="pending", order_id="order-1", reservation_id=None, expires_at=None
    )
    assert take(store, THEIRS, "order-2", kept) is False
    assert take(store, MINE, "order-1", kept) is True
    with store.writing() as conn:
        holdings.release(conn, MINE, "order-1", failed)
        holdings.release(conn, MINE, "order-1", kept)  # owned: not released
    assert holding(store, failed) is None
    assert holds(store, kept, state="owned")


def test_an_order_consumes_its_own_accounts_reservation(store: SqlStore) -> None:
    mine = number()
    reserve(store, MINE, "reservation-1", [mine], now_micros() + HOUR)
    order(store, MINE, "order-1", [mine])
    assert holds(
        store,
        mine,
        state="pending",
        account_id=MINE,
        order_id="order-1",
        reservation_id=None,
        expires_at=None,
    )
    assert reserved_state(store, MINE, "reservation-1") == {mine: "ordered"}
    assert take(store, MINE, "order-1", mine) is True


def test_another_accounts_reservation_holds_against_orders_and_reservations(
    store: SqlStore,
) -> None:
    theirs = number()
    reserve(store, THEIRS, "reservation-1", [theirs], now_micros() + HOUR)
    order(store, MINE, "order-1", [theirs])
    assert holds(store, theirs, reservation_id="reservation-1")
    assert take(store, MINE, "order-1", theirs) is False
    assert reserve(store, MINE, "reservation-2", [theirs], now_micros() + HOUR) == {theirs: False}
    # The holder itself is told that it is the holder.
    assert reserve(store, THEIRS, "reservation-3", [theirs], now_micros() + HOUR) == {theirs: True}
    assert reserved_state(store, THEIRS, "reservation-1") == {theirs: "reserved"}


def test_an_expired_reservation_holds_nothing_before_the_worker_runs(store: SqlStore) -> None:
    by_reservation, by_order, by_claim = number(), number(), number()
    past = now_micros() - 1
    reserve(store, THEIRS, "old", [by_reservation, by_order, by_claim], past)
    assert reserve(store, MINE, "new", [by_reservation], now_micros() + HOUR) == {}
    order(store, MINE, "order-1", [by_order])
    assert take(store, MINE, "order-2", by_claim) is True
    assert holds(store, by_reservation, reservation_id="new")
    assert holds(store, by_order, order_id="order-1")
    assert holds(store, by_claim, state="owned")
    assert reserved_state(store, THEIRS, "old") == dict.fromkeys(
        [by_reservation, by_order, by_claim], "expired"
    )


def test_expiry_frees_due_holds_in_batches_and_marks_them(store: SqlStore) -> None:
    due = sorted(number() for _ in range(5))
    alive = number()
    now = now_micros()
    reserve(store, MINE, "due", due, now - 10)
    reserve(store, MINE, "alive", [alive], now + HOUR)
    with store.reading() as conn:
        assert holdings.next_expiry_at(conn) == now - 10
    freed = []
    for expected in (2, 2, 1, 0):
        with store.writing() as conn:
            batch = holdings.expire_due(conn, now, 2)
        assert len(batch) == expected
        freed += [e.phone_number for e in batch]
    assert sorted(freed) == due
    assert all(holding(store, p) is None for p in due)
    assert holding(store, alive) is not None
    with store.reading() as conn:
        assert holdings.next_expiry_at(conn) == now + HOUR


def test_extend_moves_only_live_holds_of_the_reservation(store: SqlStore) -> None:
    live, ordered, other = number(), number(), number()
    now = now_micros()
    reserve(store, MINE, "r", [live, ordered], now + HOUR)
    reserve(store, THEIRS, "s", [other], now + HOUR)
    order(store, MINE, "o", [ordered])
    with store.writing() as conn:
        extended = holdings.extend(conn, MINE, "r", [live, ordered, other], now + 2 * HOUR, now)
    assert extended == [live]
    assert holds(store, live, expires_at=now + 2 * HOUR)
    with store.writing() as conn:
        assert holdings.extend(conn, MINE, "r", [live], now, now + 3 * HOUR) == []


def test_two_accounts_reserving_the_same_numbers_at_once_get_one_each(
    store: SqlStore, database_url: str
) -> None:
    wanted = [number() for _ in range(40)]
    stores = [open_store(database_url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    won: dict[int, set[str]] = {}

    def race(i: int) -> None:
        account = (MINE, THEIRS)[i % 2]
        # Opposite orders in each pair, so the contested rows really meet.
        numbers = wanted if i < 2 else wanted[::-1]
        barrier.wait()
        refused = reserve(stores[i], account, f"reservation-{i}", numbers, now_micros() + HOUR)
        won[i] = set(numbers) - set(refused)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for s in stores:
        s.close()
    assert sorted(p for numbers in won.values() for p in numbers) == sorted(wanted)
