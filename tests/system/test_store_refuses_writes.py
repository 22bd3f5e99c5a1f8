"""A store that refuses writes (a read-only SQLite file, a read-only PostgreSQL database, a
full disk) is an outage, not a bug: writes answer 503 `10007` with `Retry-After`, reads go
on, and writes work again by themselves once the store takes them. Both engines."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, make_url, text

from number_orders.config import Settings
from number_orders.domain.creating import NewOrder
from number_orders.domain.listing import ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer, wait_until
from tests.support.app import new_key
from tests.support.live import LiveServer, client_for
from tests.support.orders import number, order_body


@contextmanager
def read_only_sqlite(path: Path) -> Iterator[None]:
    """The file read-only for the server's user; root ignores modes, so for root the file
    is also made immutable."""
    os.chmod(path, 0o444)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o600)


@contextmanager
def read_only_postgresql(store: SqlStore) -> Iterator[None]:
    """New sessions of the database are read-only, as on a standby."""
    name = store.engine.url.database

    def read_only(on: bool) -> None:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            value = "on" if on else "off"
            conn.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}')
            )

    read_only(True)
    try:
        yield
    finally:
        read_only(False)


@contextmanager
def refusing_writes(engine_name: str, store: SqlStore) -> Iterator[None]:
    if engine_name == "sqlite":
        database = make_url(str(store.engine.url)).database
        assert database is not None
        with read_only_sqlite(Path(database)):
            yield
    else:
        with read_only_postgresql(store):
            yield


def create(client: httpx.Client) -> httpx.Response:
    return client.post("/number_orders", json=order_body(number()))


def test_a_read_only_store_answers_503_and_recovers(
    engine_name: str, database_url: str, store: SqlStore, settings: Settings
) -> None:
    key = new_key(store, "acme")
    service = NumberOrdersService(store)
    account_id = store.ensure_account("acme").account_id
    order_id = service.create_number_order(
        account_id, NewOrder.from_body(order_body(number()))
    ).order.id
    with ExitStack() as read_only:
        read_only.enter_context(refusing_writes(engine_name, store))
        # A server started meanwhile: every connection it opens is read-only.
        server_store = open_store(database_url)
        with (
            LiveServer(settings.with_changes(run_worker=False), server_store) as server,
            client_for(server, key) as client,
        ):
            update = {"customer_reference": "x"}
            for refused in (
                create(client),
                client.patch(f"/number_orders/{order_id}", json=update),
            ):
                assert refused.status_code == 503, refused.text
                assert [e["code"] for e in refused.json()["errors"]] == ["10007"]
                assert refused.headers["retry-after"] == "1"
            assert client.get("/number_orders").json()["meta"]["total_results"] == 1
            assert client.get(f"/number_orders/{order_id}").status_code == 200

            read_only.close()  # the store takes writes again; the server is not restarted
            wait_until(lambda: create(client).status_code == 200, timeout=10)
            assert client.patch(f"/number_orders/{order_id}", json=update).status_code == 200
        server_store.close()


def test_a_full_sqlite_file_is_an_outage_not_a_bug(tmp_path: Path) -> None:
    """SQLite reports a full disk as SQLITE_FULL; `max_page_count` makes the file full."""
    url = f"sqlite:///{tmp_path / 'full.sqlite3'}"
    account_id = open_store(url).ensure_account("acme").account_id
    full = open_store(url)

    @event.listens_for(full.engine, "connect")
    def _no_room(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    full.engine.dispose()  # connections from now on have no room to grow
    big = NewOrder.from_body(order_body(*(number() for _ in range(500))))
    with pytest.raises(StoreUnavailable, match="full"):
        NumberOrdersService(full).create_number_order(account_id, big)
    full.close()


def test_a_full_postgresql_disk_is_an_outage_not_a_bug(postgres: PostgresServer) -> None:
    """PostgreSQL reports a full disk as SQLSTATE 53100; raised here as the server would."""
    store = open_store(postgres.create_database("full"))
    disk_full = (
        "DO $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"
    )
    with pytest.raises(StoreUnavailable, match="could not extend"), store.writing() as conn:
        conn.execute(text(disk_full))
    store.close()


def test_a_group_of_creates_the_store_refuses_acknowledges_none(
    engine_name: str, database_url: str, store: SqlStore
) -> None:
    """Creates that share a transaction (`storage/group_commit.py`) fail together when
    the store refuses it: each caller gets the outage, and none of the orders is there."""
    account_id = store.ensure_account("acme").account_id
    service = NumberOrdersService(store)
    orders = [NewOrder.from_body(order_body(number())) for _ in range(4)]
    answers: list[Any] = []

    def create(order: NewOrder) -> None:
        try:
            answers.append(refused_service.create_number_order(account_id, order))
        except Exception as error:
            answers.append(error)

    with refusing_writes(engine_name, store):
        refused_store = open_store(database_url)  # its connections open read-only
        refused_service = NumberOrdersService(refused_store)
        groups = refused_store.create_groups
        threads = [threading.Thread(target=create, args=(order,)) for order in orders]
        with groups.turn:
            for thread in threads:
                thread.start()
            wait_until(lambda: groups.queued == len(orders), timeout=10)
        for thread in threads:
            thread.join()
        assert groups.groups == 1
        refused_store.close()
    assert len(answers) == 4 and all(isinstance(a, StoreUnavailable) for a in answers)
    # The store takes writes again: none of the refused orders was kept, and their
    # numbers are free for the next create.
    page, total = store.list_number_orders(account_id, ListQuery.from_params([]))
    assert (page, total) == ([], 0)
    again = service.create_number_order(account_id, orders[0])
    assert store.retrieve_number_order(account_id, again.order.id) == again
