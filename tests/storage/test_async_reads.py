"""The order list on PostgreSQL awaited on the event loop (`storage.async_reads`): the
same bytes as the thread path for every shape, and a pool that fails as an outage, heals,
and belongs to one process and one loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from number_orders.domain.listing import ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.http.serializers import page_bytes
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.async_reads import AsyncPageReader, ReadPool
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer
from tests.storage.test_tallies import date_aligned_queries, newest_first, random_queries

_parent = os.getpid()


@pytest.fixture(scope="module")
def spread(postgres: PostgresServer) -> Iterator[tuple[SqlStore, str, list[Any]]]:
    """~1,500 orders over three years beside another account's, on PostgreSQL."""
    store = open_store(postgres.create_database("async_reads"))
    account = store.ensure_account("acme").account_id
    orders = list(OrderFactory(seed=11).orders(1500))
    store.insert_number_orders(account, orders)
    store.insert_number_orders(
        store.ensure_account("globex").account_id, OrderFactory(seed=12).orders(300)
    )
    yield store, account, [d.order for d in orders]
    store.close()


def pages_to_read(orders: list[Any]) -> list[ListQuery]:
    """Random filter combinations, each at first, shallow, deep, last and past-the-end
    pages of several sizes."""
    rng = random.Random(3)
    bases = [
        ListQuery(),
        ListQuery(status="success"),
        *date_aligned_queries(orders),
        *random_queries(orders, 120, seed=8),
    ]
    made = []
    for base in bases:
        fields = {name: getattr(base, name) for name in _FILTERS}
        size = rng.choice((1, 1, 7, 20, 250))  # small sizes reach deep offsets
        last = max(1, -(-len(newest_first(orders, base)) // size))
        numbers = {1, 2, 500 // size + 1, last, last + 1, rng.randrange(1, last + 1)}
        made += [ListQuery(**fields, page_size=size, page_number=n) for n in numbers]
    return made


_FILTERS = (
    "status",
    "requirements_met",
    "phone_numbers_count",
    "customer_reference",
    "created_after",
    "created_before",
)


def test_every_shape_reads_the_same_bytes_as_the_thread_path(
    spread: tuple[SqlStore, str, list[Any]],
) -> None:
    store, account, orders = spread
    service = NumberOrdersService(store)
    queries = pages_to_read(orders)
    assert store.async_pages is not None

    async def both() -> list[tuple[bytes, bytes]]:
        pairs = []
        for query in queries:
            awaited = await service.list_number_orders_async(account, query)
            pairs.append(
                (page_bytes(awaited), page_bytes(service.list_number_orders(account, query)))
            )
        return pairs

    pairs = asyncio.run(both())
    for query, (awaited, threaded) in zip(queries, pairs, strict=True):
        assert awaited == threaded, query
    # Not a comparison of empty answers: the seek path is well covered by pages that
    # hold orders, and so are the shallow pages.
    full = [q for q, (awaited, _) in zip(queries, pairs, strict=True) if b'"id"' in awaited]
    assert sum(q.offset >= 500 for q in full) > 40
    assert sum(q.offset < 500 for q in full) > 100


@pytest.mark.parametrize("noticed", [False, True], ids=["unnoticed", "noticed"])
def test_a_lost_connection_is_an_outage_then_the_pool_heals(
    spread: tuple[SqlStore, str, list[Any]], noticed: bool
) -> None:
    """Whether or not the loop has read the server's goodbye before the next statement."""
    store, account, _ = spread
    reader = AsyncPageReader(store.engine, 2)

    async def scenario() -> None:
        first = await reader.list_number_orders(account, ListQuery())
        with psycopg.connect(reader.dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'number-orders' AND datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        if noticed:
            await asyncio.sleep(0.5)
        with pytest.raises(StoreUnavailable):
            await reader.list_number_orders(account, ListQuery())  # on the dead connection
        assert await reader.list_number_orders(account, ListQuery()) == first

    asyncio.run(scenario())
    reader.close()


def test_a_pool_with_every_slot_taken_is_an_outage_after_its_timeout(
    spread: tuple[SqlStore, str, list[Any]],
) -> None:
    store, account, _ = spread
    reader = AsyncPageReader(store.engine, 1)

    async def scenario() -> None:
        pool = reader.pool()
        pool.timeout = 0.2
        async with pool.connection():
            with pytest.raises(StoreUnavailable, match="no database connection free"):
                await reader.list_number_orders(account, ListQuery())
        await reader.list_number_orders(account, ListQuery())  # the slot is back

    asyncio.run(scenario())
    reader.close()


def test_each_process_and_each_loop_opens_a_pool_of_its_own(
    spread: tuple[SqlStore, str, list[Any]],
) -> None:
    store, account, _ = spread
    reader = AsyncPageReader(store.engine, 2)
    pools: list[ReadPool] = []

    async def read() -> bytes:
        pools.append(reader.pool())
        orders, total = await reader.list_number_orders(account, ListQuery())
        return repr((orders, total)).encode()

    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(read())
        kept = list(pools[0]._idle)
        # A forked child lists through connections of its own, and closing its store
        # leaves the parent's alone: the parent's loop reads on with the same ones.
        child = multiprocessing.get_context("fork").Process(
            target=_list_and_close, args=(reader, account)
        )
        child.start()
        child.join(30)
        assert child.exitcode == 0
        assert loop.run_until_complete(read()) == first
        assert pools[1] is pools[0] and pools[0]._idle == kept
    finally:
        loop.close()
    assert asyncio.run(read()) == first  # another loop: another pool
    assert pools[2] is not pools[0]
    reader.close()


def _list_and_close(reader: AsyncPageReader, account: str) -> None:
    async def main() -> None:
        assert (await reader.list_number_orders(account, ListQuery()))[0]
        assert reader.pool().pid != _parent

    asyncio.run(main())
    reader.close()
