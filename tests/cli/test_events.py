"""`events list`, `events show` and `events redeliver`, on both engines."""

from __future__ import annotations

from number_orders.server import open_store
from tests.support.cli import Cli
from tests.support.outbox import orders, settle


def test_events_list_show_and_redeliver(cli: Cli, database_url: str) -> None:
    store = open_store(database_url)
    try:
        account_id = store.ensure_account("acme").account_id
        event_id = settle(store, account_id, orders(store, account_id, 1)[0])
    finally:
        store.close()
    listed = cli("events", "list", "--account", "acme", "--status", "pending", url=database_url)
    assert event_id in listed.stdout and "number_order.complete" in listed.stdout
    assert cli("events", "list", "--status", "dead", url=database_url).stdout == ""
    assert cli("events", "list", "--account", "nobody", url=database_url).returncode == 1
    assert event_id in cli("events", "show", event_id, url=database_url).stdout
    redelivered = cli("events", "redeliver", event_id, url=database_url)
    assert redelivered.returncode == 0 and event_id in redelivered.stdout
    unknown = cli("events", "redeliver", "00000000-0000-4000-8000-000000000000", url=database_url)
    assert unknown.returncode == 1 and "no event" in unknown.stderr
