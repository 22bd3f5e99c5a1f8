"""The journal in a server process, on both engines: each account's newest exchanges are
held in memory and written when a reader wants them, when too many are held, or at stop."""

from __future__ import annotations

from number_orders.domain.journal import Exchange
from number_orders.http.journal import Journal
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until


def exchange(account_id: str, at: int) -> Exchange:
    return Exchange(
        account_id, at, "GET", "/v2/number_orders", b"", 200, 10, b"", b"{}", True, None
    )


def journal(store: SqlStore, keep: int = 3, held_limit: int = 100) -> Journal:
    service = NumberOrdersService(store)
    return Journal(lambda batch: service.record_requests(batch, keep, ()), keep, held_limit)


def written(store: SqlStore, account_id: str) -> list[int]:
    return [entry.at for entry in store.list_requests(account_id, 100)]


def test_each_account_keeps_its_newest_until_they_are_wanted(store: SqlStore) -> None:
    held = journal(store, keep=3)
    for at in range(1, 6):
        held.record(exchange("a", at))
    held.record(exchange("b", 9))
    assert held.count == 4 and written(store, "a") == []
    held.flush()
    assert written(store, "a") == [5, 4, 3] and written(store, "b") == [9]
    assert held.count == 0
    held.flush()  # nothing held: nothing written
    assert written(store, "a") == [5, 4, 3]


def test_the_writer_thread_writes_when_asked_and_when_too_many_are_held(store: SqlStore) -> None:
    held = journal(store, keep=10, held_limit=4).start()
    try:
        held.record(exchange("a", 1))
        held.request_flush()  # as the poller does for a reader in another process
        wait_until(lambda: written(store, "a") == [1], timeout=5)
        for at in range(2, 7):
            held.record(exchange(f"account-{at}", at))
        # Five held, over the limit of four: written without a read.
        wait_until(lambda: written(store, "account-6") == [6], timeout=5)
        held.record(exchange("a", 7))
    finally:
        held.stop()  # writes what is left
    assert written(store, "a") == [7, 1]
