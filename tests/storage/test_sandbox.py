"""The sandbox in the SQL store, on both engines: reset covers every table of the schema
(so a table added later is covered without a change), a fault's count holds under
concurrent use, and the journal keeps each account's newest entries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from number_orders.domain.faults import Fault
from number_orders.domain.journal import JournalEntry
from number_orders.server import open_store
from number_orders.storage.sandbox import KEPT_BY_RESET
from number_orders.storage.schema import SERVER_ACCOUNT_ID, metadata
from number_orders.storage.sql_store import SqlStore


def test_reset_covers_every_table_but_the_accounts_and_their_keys(store: SqlStore) -> None:
    every_table = {str(t.name) for t in metadata.sorted_tables}
    assert every_table > KEPT_BY_RESET
    assert set(store.reset_accounts("any-account")) == every_table - KEPT_BY_RESET
    assert set(store.reset_accounts(None)) == every_table - KEPT_BY_RESET
    assert all("account_id" in t.c for t in metadata.sorted_tables)


def test_the_clock_offset_adds_up(store: SqlStore) -> None:
    assert store.read_clock_offset() == 0
    assert store.advance_clock(5) == 5 and store.advance_clock(7) == 12
    assert store.sandbox_state() == (12, 0, ())
    assert store.request_journal_flush() == 1 and store.request_journal_flush() == 2
    assert store.sandbox_state().journal_flushes == 2 and store.read_clock_offset() == 12
    assert store.reset_accounts(None)["sandbox_clock"] == 0  # the server's row stays
    assert store.read_clock_offset() == 12


def test_a_faults_count_is_used_exactly_once_per_request(
    store: SqlStore, database_url: str
) -> None:
    fault = Fault("f-1", None, None, None, 503, 5, None, 1)
    store.add_fault(fault)
    stores = [open_store(database_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            taken = list(pool.map(lambda i: stores[i % 4].take_fault(fault), range(20)))
    finally:
        for s in stores:
            s.close()
    assert taken.count(True) == 5
    assert store.list_faults() == []  # used up: gone


def entry(account_id: str, n: int) -> JournalEntry:
    return JournalEntry(
        account_id,
        f"{n:08d}-0000-7000-8000-000000000000",
        n,
        "GET",
        "/v2",
        "",
        200,
        1,
        None,
        None,
        None,
    )


def test_the_journal_keeps_each_accounts_newest_entries(store: SqlStore) -> None:
    store.record_requests([entry("a", n) for n in range(6)] + [entry("b", 1)], keep=4)
    store.record_requests([entry("a", 6)], keep=4)
    assert [e.at for e in store.list_requests("a", 100)] == [6, 5, 4, 3]
    assert [e.at for e in store.list_requests("a", 2)] == [6, 5]
    assert [e.at for e in store.list_requests("b", 100)] == [1]
    assert store.reset_accounts("a")["sandbox_requests"] == 4
    assert store.list_requests(SERVER_ACCOUNT_ID, 10) == []
