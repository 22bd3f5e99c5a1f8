"""`orders failing`, on both engines: what the worker set aside, with its error."""

from __future__ import annotations

from sqlalchemy import update

from number_orders.domain.timestamps import now_micros
from number_orders.server import open_store
from number_orders.storage.schema import number_orders
from tests.support.cli import Cli
from tests.support.outbox import orders


def test_failing_orders_are_listed_with_their_error(cli: Cli, database_url: str) -> None:
    store = open_store(database_url)
    try:
        account_id = store.ensure_account("acme").account_id
        healthy, failing = (d.order.id for d in orders(store, account_id, 2))
        assert cli("orders", "failing", url=database_url).stdout.strip() == "no failing orders"
        with store.writing() as conn:
            conn.execute(
                update(number_orders)
                .where(number_orders.c.id == failing)
                .values(
                    fulfil_at=now_micros() + 60_000_000,
                    fulfil_failures=3,
                    fulfil_error="ValueError: a bad row",
                )
            )
    finally:
        store.close()
    listed = cli("orders", "failing", url=database_url)
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.startswith(failing) and healthy not in line
    assert "3 failure(s)" in line and line.endswith("ValueError: a bad row")
