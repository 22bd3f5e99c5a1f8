"""Webhook deliveries in the SQL store: the outbox's events (`webhook_events`) with their
attempts (`webhook_deliveries`), read per account for the API.

A page is two indexed reads after the count: the page's events along
`ix_webhook_events_recent` (account, created_at, id), then their attempts by primary key.
The count is exact; it reads the account's matching events.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import Connection, Select, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from number_orders.domain.webhook_deliveries import (
    CONTAINS_WINDOW,
    DeliveriesQuery,
    DeliveryPage,
    WebhookDelivery,
)
from number_orders.domain.webhooks import DeliveryAttempt
from number_orders.storage.part import StorePart
from number_orders.storage.schema import webhook_deliveries, webhook_events

e = webhook_events.c
d = webhook_deliveries.c

_COLUMNS = (e.id, e.event_type, e.occurred_at, e.status, e.payload)
_NEWEST_FIRST = (e.created_at.desc(), e.id.desc())


class SqlWebhookDeliveries(StorePart):
    def list_webhook_deliveries(self, account_id: str, query: DeliveriesQuery) -> DeliveryPage:
        with self.reading() as conn:
            clauses = _matching(conn, account_id, query)
            total = int(
                conn.execute(
                    select(func.count()).select_from(webhook_events).where(*clauses)
                ).scalar_one()
            )
            rows: list[Any] = []
            if query.page.offset < total:
                statement = _page(clauses, query.page.size, query.page.offset)
                rows = list(conn.execute(statement))
            deliveries = _with_attempts(conn, account_id, rows)
        return DeliveryPage(query, deliveries, total)

    def retrieve_webhook_delivery(
        self, account_id: str, delivery_id: str
    ) -> WebhookDelivery | None:
        with self.reading() as conn:
            statement = select(*_COLUMNS).where(e.account_id == account_id, e.id == delivery_id)
            rows = list(conn.execute(statement))
            found = _with_attempts(conn, account_id, rows)
        return found[0] if found else None


def _matching(
    conn: Connection, account_id: str, query: DeliveriesQuery
) -> list[ColumnElement[bool]]:
    clauses = [e.account_id == account_id]
    if query.status is not None:
        clauses.append(e.status == query.status)
    if query.event_types:
        clauses.append(e.event_type.in_(query.event_types))
    if query.contains is not None:
        # Stored text has no index to help, so only the newest events are searched.
        window = (
            select(e.id)
            .where(e.account_id == account_id)
            .order_by(*_NEWEST_FIRST)
            .limit(CONTAINS_WINDOW)
        )
        clauses.append(e.id.in_(window.scalar_subquery()))
        clauses.append(_contains(conn, query.contains))
    return clauses


def _contains(conn: Connection, needle: str) -> ColumnElement[bool]:
    """The event (its payload as stored JSON, its id or its type) holds `needle` exactly,
    case and all, on both engines (SQLite's LIKE ignores ASCII case, PostgreSQL's does
    not; neither needs wildcards escaped this way)."""
    position = func.instr if conn.dialect.name == "sqlite" else func.strpos
    return or_(*(position(column, needle) > 0 for column in (e.payload, e.id, e.event_type)))


def _page(clauses: list[ColumnElement[bool]], size: int, offset: int) -> Select[Any]:
    return select(*_COLUMNS).where(*clauses).order_by(*_NEWEST_FIRST).limit(size).offset(offset)


def _with_attempts(conn: Connection, account_id: str, rows: list[Any]) -> list[WebhookDelivery]:
    if not rows:
        return []
    statement = (
        select(d.event_id, d.attempt, d.key_id, d.url, d.started_at, d.duration_micros)
        .add_columns(d.status_code, d.error)
        .where(d.account_id == account_id, d.event_id.in_([r.id for r in rows]))
        .order_by(d.event_id, d.attempt)
    )
    attempts: dict[str, list[DeliveryAttempt]] = defaultdict(list)
    for event_id, *fields in conn.execute(statement):
        attempts[event_id].append(DeliveryAttempt(*fields))
    return [
        WebhookDelivery(
            id=row.id,
            event_type=row.event_type,
            occurred_at=row.occurred_at,
            status=row.status,
            payload=orjson.loads(row.payload),
            attempts=tuple(attempts[row.id]),
        )
        for row in rows
    ]
