"""`prune`, on both engines: one retention pass now, its counts printed per table."""

from __future__ import annotations

from sqlalchemy import update

from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import DELIVERED
from number_orders.server import open_store
from number_orders.service.retention import DAY_MICROS
from number_orders.storage.schema import webhook_events
from tests.support.cli import Cli
from tests.support.outbox import orders, settle


def test_prune_deletes_what_is_past_retention_and_says_how_much(
    cli: Cli, database_url: str
) -> None:
    store = open_store(database_url)
    try:
        account_id = store.ensure_account("acme").account_id
        old, recent = (settle(store, account_id, o) for o in orders(store, account_id, 2))
        with store.writing() as conn:
            conn.execute(
                update(webhook_events)
                .where(webhook_events.c.id.in_([old, recent]))
                .values(status=DELIVERED, next_attempt_at=now_micros() - 10 * DAY_MICROS)
            )
    finally:
        store.close()
    kept = cli("prune", "--event-retention-days", "30", url=database_url)
    assert kept.returncode == 0 and "webhook_events" not in kept.stdout
    pruned = cli("prune", "--event-retention-days", "5", "--prune-batch", "1", url=database_url)
    assert pruned.returncode == 0
    assert "webhook_events: 2 deleted" in pruned.stdout.splitlines()
    again = cli("prune", "--event-retention-days", "5", url=database_url)
    assert again.stdout.strip() == "nothing to delete"
    refused = cli("prune", "--prune-batch", "0", url=database_url)
    assert refused.returncode == 2 and "--prune-batch" in refused.stderr
