"""Rows past their use, deleted a bounded batch at a time in the caller's transaction:
finished webhook events with their attempts, tally rows counting nothing, and expired
idempotency keys. Each function selects at most `limit` rows along an index, locks them
(PostgreSQL; SQLite admits one writer anyway) and deletes exactly those, so a batch is a
short transaction whatever the backlog, and never races a writer that revives a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, tuple_

from number_orders.domain.webhooks import DEAD, DELIVERED
from number_orders.storage.schema import (
    idempotency_keys,
    order_counts,
    order_period_counts,
    order_reference_counts,
    webhook_deliveries,
    webhook_events,
)

TALLIES = (order_counts, order_reference_counts, order_period_counts)

e = webhook_events.c
d = webhook_deliveries.c


def prune_webhook_events(conn: Connection, before: int, limit: int) -> tuple[int, int]:
    """Delete up to `limit` delivered or dead events whose last attempt was before `before`,
    and their attempts; (events, attempts) deleted. `next_attempt_at` is when a finished
    event finished, and the due index leads with status, so this reads only old rows."""
    keys = conn.execute(
        select(e.account_id, e.id)
        .where(e.status.in_((DELIVERED, DEAD)), e.next_attempt_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not keys:
        return 0, 0
    pairs = [tuple(k) for k in keys]
    attempts = conn.execute(
        delete(webhook_deliveries).where(tuple_(d.account_id, d.event_id).in_(pairs))
    ).rowcount
    events = conn.execute(delete(webhook_events).where(tuple_(e.account_id, e.id).in_(pairs)))
    return int(events.rowcount), int(attempts)


def prune_empty_tallies(conn: Connection, table: Table, limit: int) -> int:
    """Delete up to `limit` rows of a tally table whose count is zero (a total reads an
    absent row as zero). A writer that counts into one again waits for the row lock and
    then inserts it anew."""
    key = list(table.primary_key.columns)
    rows = conn.execute(
        select(*key).where(table.c.n == 0).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return _delete_keys(conn, table, key, rows, table.c.n == 0)


def expire_idempotency_keys(conn: Connection, before: int, limit: int) -> int:
    """Delete up to `limit` idempotency keys first used before `before`."""
    c = idempotency_keys.c
    key = [c.account_id, c.idempotency_key]
    rows = conn.execute(
        select(*key).where(c.created_at < before).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return _delete_keys(conn, idempotency_keys, key, rows, c.created_at < before)


def _delete_keys(
    conn: Connection, table: Table, key: list[Any], rows: Sequence[Any], still: Any
) -> int:
    if not rows:
        return 0
    pairs = [tuple(r) for r in rows]
    statement = delete(table).where(tuple_(*key).in_(pairs), still)
    return int(conn.execute(statement).rowcount)
