"""`POST /_sandbox/drain` on both engines, on a server without background work, so only
the drain moves anything: it settles due orders, reviews submitted requirement groups,
frees expired reservations, prunes past retention and delivers due webhooks (retries
included, once the clock reaches them), and answers when nothing is left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from number_orders.config import Settings
from number_orders.domain.regulatory import requirement_id
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, WebhookReceiver
from tests.support.orders import number, order_body
from tests.support.sandbox import LiveSandbox, live_sandbox


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
        "done": {
            "fulfilment": 0,
            "requirement_groups": 0,
            "documents": 0,
            "deadlines": 0,
            "reservations": 0,
            "retention": 0,
            "webhooks": 0,
        },
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


def test_drain_runs_every_kind_of_background_work_on_the_clock(
    settings: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    # Reviews wait an hour, reservations hold a minute, finished events go after 30 days.
    later = settings.with_changes(run_worker=False, fulfilment_delay=3600.0, reservation_seconds=60)
    with live_sandbox(later, store) as sandbox:
        account = sandbox.new_account(webhook_url=receiver.url)
        with sandbox.v2(account) as client:
            reserved = client.post("/number_reservations", json=order_body(number()))
            assert reserved.status_code == 200, reserved.text
            body = {
                "country_code": "DE",
                "phone_number_type": "local",
                "action": "ordering",
                "regulatory_requirements": [
                    {
                        "requirement_id": requirement_id("DE", "address"),
                        "field_value": "Unter den Linden 1",
                    }
                ],
            }
            made = client.post("/requirement_groups", json=body)
            assert made.status_code == 200, made.text
            group = made.json()  # the spec's requirement groups have no `data` envelope
            submitted = client.post(f"/requirement_groups/{group['id']}/submit_for_approval")
            assert submitted.status_code == 200, submitted.text
            client.post("/number_orders", json=order_body(number()))
            assert sum(sandbox.drain()["done"].values()) == 0  # nothing is due yet

            sandbox.advance(3600)
            done = sandbox.drain()["done"]
            assert (done["requirement_groups"], done["reservations"]) == (1, 1)
            assert (done["fulfilment"], done["webhooks"]) == (1, 1)
            reviewed = client.get(f"/requirement_groups/{group['id']}").json()
            assert reviewed["status"] == "approved"
            assert held_numbers(store) == 1  # the order's number; the reservation's is free
            assert client.get("/webhook_deliveries").json()["meta"]["total_results"] == 1

            sandbox.advance(31 * 86_400)
            assert sandbox.drain()["done"]["retention"] >= 2  # the event and its attempt
            assert client.get("/webhook_deliveries").json()["meta"]["total_results"] == 0


def held_numbers(store: SqlStore) -> int:
    with store.reading() as conn:
        return len(conn.execute(select(number_holdings.c.phone_number)).all())
