"""The webhook deliveries the API lists, read from the outbox on SQLite and PostgreSQL:
newest first, exact totals, the filters, attempts in order, and one account's only."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import insert

from number_orders.domain.ids import random_id
from number_orders.domain.webhook_deliveries import CONTAINS_WINDOW, DeliveriesQuery
from number_orders.domain.webhooks import DEAD, DELIVERED, ORDER_COMPLETE, PENDING
from number_orders.storage.schema import webhook_deliveries, webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.support.outbox import account_with_url

T0 = 1_700_000_000_000_000


def event_row(account_id: str, at: int, **fields: Any) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": random_id(),
        "event_type": ORDER_COMPLETE,
        "occurred_at": at,
        "payload": orjson.dumps(fields.pop("payload", {"id": random_id()})).decode(),
        "status": PENDING,
        "attempts": 0,
        "attempt_base": 0,
        "next_attempt_at": at,
        "created_at": at,
    } | fields


def add_events(store: SqlStore, rows: list[dict[str, Any]]) -> list[str]:
    with store.writing() as conn:
        conn.execute(insert(webhook_events), rows)
    return [row["id"] for row in rows]


def add_attempt(
    store: SqlStore, account_id: str, event_id: str, n: int, status: int | None
) -> None:
    with store.writing() as conn:
        conn.execute(
            insert(webhook_deliveries).values(
                account_id=account_id,
                event_id=event_id,
                attempt=n,
                key_id="k1",
                url="http://127.0.0.1:9/hooks",
                started_at=T0 + n * 1_000_000,
                duration_micros=2_500,
                status_code=status,
                error=None if status == 200 else "ConnectError: refused",
            )
        )


def listed(store: SqlStore, account_id: str, **query: Any) -> tuple[list[str], int]:
    page = store.list_webhook_deliveries(account_id, DeliveriesQuery(**query))
    return [d.id for d in page.deliveries], page.total_results


def test_newest_first_with_exact_totals_and_pages(store: SqlStore) -> None:
    account_id = account_with_url(store)
    ids = add_events(store, [event_row(account_id, T0 + i) for i in range(7)])
    # Same instant: the id decides, so the order is total.
    tied = add_events(store, [event_row(account_id, T0 + 100) for _ in range(2)])
    newest = sorted(tied, reverse=True) + ids[::-1]
    assert listed(store, account_id) == (newest, 9)
    assert listed(store, account_id, page_size=4, page_number=3) == (newest[8:], 9)
    assert listed(store, account_id, page_size=4, page_number=4) == ([], 9)


def test_filters_by_outbox_status_event_type_and_contained_text(store: SqlStore) -> None:
    account_id = account_with_url(store)
    order_id = random_id()
    delivered, dead, pending, other = add_events(
        store,
        [
            event_row(account_id, T0 + 1, status=DELIVERED, payload={"id": order_id}),
            event_row(account_id, T0 + 2, status=DEAD, payload={"ref": "Acme-7"}),
            event_row(account_id, T0 + 3),
            event_row(account_id, T0 + 4, event_type="number_order.other"),
        ],
    )
    assert listed(store, account_id, status=DELIVERED) == ([delivered], 1)
    assert listed(store, account_id, status=DEAD) == ([dead], 1)
    assert listed(store, account_id, status=PENDING) == ([other, pending], 2)
    assert listed(store, account_id, event_types=("number_order.other",)) == ([other], 1)
    both = (ORDER_COMPLETE, "number_order.other")
    assert listed(store, account_id, event_types=both)[1] == 4
    assert listed(store, account_id, contains=order_id) == ([delivered], 1)
    # Exact text, case included, on both engines; wildcards are plain characters.
    assert listed(store, account_id, contains="Acme-7") == ([dead], 1)
    assert listed(store, account_id, contains="acme-7") == ([], 0)
    assert listed(store, account_id, contains="%") == ([], 0)
    assert listed(store, account_id, contains=pending) == ([pending], 1)  # the event's id
    assert listed(store, account_id, contains="other") == ([other], 1)  # its type
    assert listed(store, account_id, contains="Acme", status=DELIVERED) == ([], 0)


def test_contains_searches_only_the_newest_events(store: SqlStore) -> None:
    account_id = account_with_url(store)
    rows = [
        event_row(account_id, T0 + i, payload={"n": f"event-{i}"})
        for i in range(CONTAINS_WINDOW + 1)
    ]
    oldest, *_ = add_events(store, rows)
    assert (
        listed(store, account_id, contains="event-1")[1] == 1112
    )  # 1, 10-19, 100-199, 1000-1999, 10000
    assert listed(store, account_id, contains="event-0") == ([], 0)  # beyond the window
    assert listed(store, account_id, page_size=1, page_number=CONTAINS_WINDOW + 1)[0] == [oldest]


def test_a_delivery_has_its_attempts_in_order_and_belongs_to_its_account(store: SqlStore) -> None:
    account_id = account_with_url(store)
    other_account = account_with_url(store, "other")
    [event_id] = add_events(store, [event_row(account_id, T0, status=DELIVERED)])
    [foreign] = add_events(store, [event_row(other_account, T0)])
    add_attempt(store, account_id, event_id, 2, 200)
    add_attempt(store, account_id, event_id, 1, None)
    add_attempt(store, other_account, foreign, 1, 500)

    found = store.retrieve_webhook_delivery(account_id, event_id)
    assert found is not None
    assert [(a.attempt, a.status_code) for a in found.attempts] == [(1, None), (2, 200)]
    assert found.attempts[0].error == "ConnectError: refused"
    assert (found.status, found.event_type, found.occurred_at) == (DELIVERED, ORDER_COMPLETE, T0)
    assert store.retrieve_webhook_delivery(account_id, foreign) is None
    assert store.retrieve_webhook_delivery(other_account, event_id) is None
    assert listed(store, account_id) == ([event_id], 1)
    [page_delivery] = store.list_webhook_deliveries(account_id, DeliveriesQuery()).deliveries
    assert page_delivery == found
