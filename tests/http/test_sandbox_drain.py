"""`POST /_sandbox/drain` on both engines, on a server without background work, so only
the drain moves anything: it settles due orders and delivers due webhooks (retries
included, once the clock reaches them), and answers when nothing is left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from number_orders.config import Settings
from number_orders.storage.sql_store import SqlStore
from tests.orders import number, order_body
from tests.sandbox import LiveSandbox, live_sandbox
from tests.webhook_receiver import Answer, WebhookReceiver


@pytest.fixture
def idle(settings: Settings, store: SqlStore) -> Iterator[LiveSandbox]:
    with live_sandbox(settings.with_changes(run_worker=False), store) as sandbox:
        yield sandbox


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def test_nothing_to_do_is_one_round(idle: LiveSandbox) -> None:
    response = idle.raw("POST", "/drain")
    assert response.status_code == 200
    assert response.json()["data"] == {
        "done": {"fulfilment": 0, "idempotency_keys": 0, "webhooks": 0},
        "rounds": 1,
        "complete": True,
    }


def test_drain_settles_orders_and_delivers_their_webhooks(
    idle: LiveSandbox, receiver: WebhookReceiver
) -> None:
    account = idle.new_account(webhook_url=receiver.url)
    with idle.v2(account) as client:
        ids = [client.post("/number_orders", json=order_body(number())).json()["data"]["id"]]
        ids += [client.post("/number_orders", json=order_body(number())).json()["data"]["id"]]
        drained = idle.drain()
        assert drained["done"]["fulfilment"] == 2 and drained["done"]["webhooks"] == 2
        assert drained["complete"] is True
        statuses = {client.get(f"/number_orders/{i}").json()["data"]["status"] for i in ids}
    assert statuses == {"success"}
    assert sorted(d.json["data"]["payload"]["id"] for d in receiver.deliveries) == sorted(ids)


def test_a_failed_delivery_is_retried_once_the_clock_reaches_it(
    settings: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    # The retry waits up to half an hour (full jitter: a wait of under a tenth of a second,
    # which the next drain could meet, has odds of 1 in 18,000).
    patient = settings.with_changes(run_worker=False, webhook_backoff_base=1800.0)
    receiver.answer(Answer(status=500))
    with live_sandbox(patient, store) as sandbox:
        account = sandbox.new_account(webhook_url=receiver.url)
        with sandbox.v2(account) as client:
            client.post("/number_orders", json=order_body(number()))
        assert sandbox.drain()["done"]["webhooks"] == 1
        sandbox.advance(1800)
        assert sandbox.drain()["done"]["webhooks"] == 1
    assert [d.attempt for d in receiver.deliveries] == [1, 2]
