"""The webhook outbox: writes inside the caller's transaction, and the delivery loops'
claim-attempt-record cycle.

`enqueue` is the integration point for anything that causes an event: call it with the
connection of the transaction that makes the change, so the event exists if and only if
the change committed.

Claims take due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's writers are
serialised by `BEGIN IMMEDIATE`), bump the attempt counter and set a lease
(`locked_until`, `lease_token`) before committing; the HTTP request happens outside any
transaction. Only the lease holder may record the outcome; a claimer that dies leaves
its lease to expire, and the event is taken again, as the next attempt.

The claim is the one query that spans accounts: one loop serves every account. Each
event is then read and written by its full key (`account_id`, `id`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from number_orders.domain.ids import random_id
from number_orders.domain.orders import NumberOrderDetail
from number_orders.domain.representation import detail_json
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    DEAD,
    DELIVERED,
    NO_WEBHOOK_URL,
    ORDER_COMPLETE,
    PENDING,
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)
from number_orders.storage.schema import accounts, webhook_deliveries, webhook_events

e = webhook_events.c

_EVENT_COLUMNS = (
    e.account_id,
    e.id,
    e.event_type,
    e.occurred_at,
    e.status,
    e.attempts,
    e.next_attempt_at,
    e.locked_until,
    e.last_status_code,
    e.last_error,
    e.delivered_at,
    e.created_at,
)
_BY_KEY = and_(e.account_id == bindparam("b_account_id"), e.id == bindparam("b_id"))


def enqueue(
    conn: Connection,
    account_id: str,
    event_type: str,
    payload: dict[str, Any],
    occurred_at: int | None = None,
) -> str:
    """Add an event to the outbox inside the caller's open transaction; its id."""
    row = _event_row(account_id, event_type, payload, occurred_at, now_micros())
    conn.execute(insert(webhook_events).values(row))
    return str(row["id"])


def enqueue_order_complete(conn: Connection, account_id: str, detail: NumberOrderDetail) -> str:
    """`number_order.complete` for an order that has just settled, as of its `updated_at`."""
    return enqueue(conn, account_id, ORDER_COMPLETE, detail_json(detail), detail.order.updated_at)


def enqueue_orders_complete(
    conn: Connection, settled: Sequence[tuple[str, NumberOrderDetail]]
) -> list[str]:
    """`enqueue_order_complete` for orders of any accounts, (account id, order) each, in
    one statement; the events' ids."""
    now = now_micros()
    rows = [
        _event_row(account_id, ORDER_COMPLETE, detail_json(d), d.order.updated_at, now)
        for account_id, d in settled
    ]
    if rows:
        conn.execute(insert(webhook_events), rows)
    return [str(row["id"]) for row in rows]


def _event_row(
    account_id: str, event_type: str, payload: dict[str, Any], occurred_at: int | None, now: int
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": random_id(),
        "event_type": event_type,
        "occurred_at": occurred_at if occurred_at is not None else now,
        "payload": orjson.dumps(payload).decode(),
        "status": PENDING,
        "attempts": 0,
        "attempt_base": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _due(now: int) -> list[ColumnElement[bool]]:
    return [
        e.status == PENDING,
        e.next_attempt_at <= now,
        or_(e.locked_until.is_(None), e.locked_until <= now),
    ]


def any_due(conn: Connection, now: int) -> bool:
    """A cheap read first, so idle loops never take SQLite's write lock."""
    return bool(conn.execute(select(exists().where(*_due(now)))).scalar())


def next_attempt_at(conn: Connection) -> int | None:
    """Along the index of due events: the earliest `next_attempt_at` of a pending one."""
    statement = select(func.min(e.next_attempt_at)).where(e.status == PENDING)
    value = conn.execute(statement).scalar()
    return None if value is None else int(value)


def claim(
    conn: Connection, now: int, limit: int, lease_micros: int, token: str, per_account: int = 0
) -> list[ClaimedEvent]:
    """Lease up to `limit` due events, oldest due first. With `per_account`, no account
    has more than that many attempts in flight over every loop together (leases not yet
    expired), so one account's slow receiver cannot take every slot."""
    statement = (
        select(e.account_id, e.id, e.event_type, e.occurred_at, e.payload, e.attempts)
        .add_columns(e.attempt_base, accounts.c.webhook_url)
        .join(accounts, accounts.c.account_id == e.account_id)
        .where(*_due(now))
        .order_by(e.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=webhook_events)
    )
    if per_account > 0:
        statement = statement.where(e.account_id.not_in(_saturated(now, per_account)))
    rows = conn.execute(statement).all()
    if per_account > 0:
        rows = _within_allowance(conn, rows, now, per_account)
    claimed, unsendable = [], []
    for row in rows:
        if not row.webhook_url:
            # Nowhere to send it: kept as dead, so `events redeliver` can retry it once
            # the account has a URL.
            unsendable.append((row, NO_WEBHOOK_URL))
            continue
        try:
            claimed.append(_claimed(row, token))
        except ValueError as error:
            # A payload that cannot be read would fail every claim that takes it: it is
            # set aside as dead, with the reason, and the others go on.
            unsendable.append((row, f"the stored payload cannot be read: {error}"[:500]))
    for row, reason in unsendable:
        conn.execute(
            update(webhook_events).where(_BY_KEY).values(status=DEAD, last_error=reason),
            {"b_account_id": row.account_id, "b_id": row.id},
        )
    if claimed:
        conn.execute(
            update(webhook_events)
            .where(_BY_KEY)
            .values(attempts=e.attempts + 1, locked_until=now + lease_micros, lease_token=token),
            [{"b_account_id": c.account_id, "b_id": c.id} for c in claimed],
        )
    return claimed


def _in_flight(now: int) -> ColumnElement[bool]:
    # Along the small partial index of leased events (`ix_webhook_events_leased`).
    return e.locked_until > now


def _saturated(now: int, per_account: int) -> Any:
    """Accounts with `per_account` attempts in flight already."""
    return (
        select(e.account_id)
        .where(_in_flight(now))
        .group_by(e.account_id)
        .having(func.count() >= per_account)
    )


def _within_allowance(
    conn: Connection, rows: Sequence[Any], now: int, per_account: int
) -> list[Any]:
    """The rows each account still has room for, in their order; the rest stay due."""
    accounts_seen = {r.account_id for r in rows}
    busy: dict[str, int] = dict(
        conn.execute(
            select(e.account_id, func.count())
            .where(_in_flight(now), e.account_id.in_(accounts_seen))
            .group_by(e.account_id)
        ).all()
    )
    room = {account: per_account - busy.get(account, 0) for account in accounts_seen}
    kept = []
    for row in rows:
        if room[row.account_id] > 0:
            room[row.account_id] -= 1
            kept.append(row)
    return kept


def _claimed(row: Any, token: str) -> ClaimedEvent:
    return ClaimedEvent(
        account_id=row.account_id,
        id=row.id,
        event_type=row.event_type,
        occurred_at=row.occurred_at,
        payload=orjson.loads(row.payload),
        attempt=row.attempts + 1,
        attempt_base=row.attempt_base,
        url=row.webhook_url,
        lease_token=token,
    )


def finish(conn: Connection, result: AttemptResult, step: NextStep) -> bool:
    """Record an attempt and its consequence; False if the lease was lost meanwhile."""
    event = result.event
    conn.execute(
        insert(webhook_deliveries).values(
            account_id=event.account_id,
            event_id=event.id,
            attempt=event.attempt,
            key_id=result.key_id,
            url=event.url,
            started_at=result.started_at,
            duration_micros=result.duration_micros,
            status_code=result.status_code,
            error=result.error,
        )
    )
    statement = (
        update(webhook_events)
        .where(e.account_id == event.account_id, e.id == event.id)
        .where(e.lease_token == event.lease_token)
        .values(
            status=step.status,
            next_attempt_at=step.next_attempt_at,
            locked_until=None,
            lease_token=None,
            last_status_code=result.status_code,
            last_error=result.error,
            delivered_at=step.next_attempt_at if step.status == DELIVERED else None,
        )
    )
    return conn.execute(statement).rowcount == 1


def list_events(
    conn: Connection, account_id: str | None, status: str | None, limit: int
) -> list[WebhookEvent]:
    """Newest first. Without an account this spans accounts: an operator's view."""
    clauses: list[ColumnElement[bool]] = []
    if account_id is not None:
        clauses.append(e.account_id == account_id)
    if status is not None:
        clauses.append(e.status == status)
    statement = (
        select(*_EVENT_COLUMNS)
        .where(*clauses)
        .order_by(e.created_at.desc(), e.id.desc())
        .limit(limit)
    )
    return [WebhookEvent(**row._mapping) for row in conn.execute(statement)]


def find_event(conn: Connection, event_id: str) -> WebhookEvent | None:
    """By id alone (ids are UUIDs): the operator names an event, not its account."""
    row = conn.execute(select(*_EVENT_COLUMNS).where(e.id == event_id)).first()
    return WebhookEvent(**row._mapping) if row else None


def list_attempts(conn: Connection, account_id: str, event_id: str) -> list[DeliveryAttempt]:
    d = webhook_deliveries.c
    statement = (
        select(d.attempt, d.key_id, d.url, d.started_at, d.duration_micros, d.status_code, d.error)
        .where(d.account_id == account_id, d.event_id == event_id)
        .order_by(d.attempt)
    )
    return [DeliveryAttempt(*row) for row in conn.execute(statement)]


def redeliver(conn: Connection, account_id: str, event_id: str, now: int) -> bool:
    """Start a new round of attempts now, unless an attempt is in flight."""
    statement = (
        update(webhook_events)
        .where(e.account_id == account_id, e.id == event_id)
        .where(or_(e.locked_until.is_(None), e.locked_until <= now))
        .values(
            status=PENDING,
            attempt_base=e.attempts,
            next_attempt_at=now,
            locked_until=None,
            lease_token=None,
        )
    )
    return conn.execute(statement).rowcount == 1


def depth(conn: Connection) -> int:
    """Events waiting for delivery, over every account: the operator's outbox gauge, so
    like the claim it spans accounts; it counts along the index of due events."""
    statement = select(func.count()).select_from(webhook_events).where(e.status == PENDING)
    return int(conn.execute(statement).scalar_one())


def count_by_status(conn: Connection, account_id: str) -> dict[str, int]:
    statement = select(e.status, func.count()).where(e.account_id == account_id).group_by(e.status)
    return {status: int(n) for status, n in conn.execute(statement)}
