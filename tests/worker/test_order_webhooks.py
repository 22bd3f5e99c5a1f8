"""Real orders, end to end: created and updated with the official Python client, settled by
the fulfilment worker, announced by signed webhooks that the official client verifies, with
the order exactly as the API returns it. Both engines."""

from __future__ import annotations

import httpx
from telnyx import Telnyx
from telnyx.types import NumberOrderStatusUpdateWebhookEvent

from number_orders.config import Settings
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import ServeProcess, WebhookReceiver, wait_until
from tests.support.app import bearer, new_key
from tests.support.orders import number, settled


def test_each_settled_order_is_announced_once_with_the_order_as_the_api_shows_it(
    settings: Settings, store: SqlStore
) -> None:
    key = new_key(store, "acme")
    service = NumberOrdersService(store)
    with WebhookReceiver() as receiver, ServeProcess(settings) as live:
        service.set_webhook_url("acme", receiver.url)
        public_key = service.ensure_signing_key().public_key
        client = Telnyx(api_key=key, base_url=live.base_url, max_retries=0)
        succeeds = client.number_orders.create(phone_numbers=[{"phone_number": number()}]).data
        fails = client.number_orders.create(
            phone_numbers=[{"phone_number": number(suffix="0000")}]
        ).data
        waits = client.number_orders.create(phone_numbers=[{"phone_number": number("GB")}]).data
        assert succeeds and fails and waits and succeeds.id and fails.id and waits.id
        first_two = receiver.wait_for(2)

        # The GB order waits for its address: no event until an update lets it settle.
        with httpx.Client(base_url=live.base_url, headers=bearer(key)) as http:
            waiting = wait_until(
                lambda: (
                    (d := http.get(f"/number_orders/{waits.id}").json()["data"])
                    and d["phone_numbers"][0]["regulatory_requirements"]
                    and d
                )
            )
            assert len(receiver.deliveries) == 2 and waiting["status"] == "pending"
            requirement = waiting["phone_numbers"][0]["regulatory_requirements"][0]
            client.number_orders.update(
                waits.id,
                regulatory_requirements=[
                    {"requirement_id": requirement["requirement_id"], "field_value": "addr-1"}
                ],
            )
            deliveries = receiver.wait_for(3)
            orders = {i: settled(http, i) for i in (succeeds.id, fails.id, waits.id)}
        wait_until(lambda: len(store.list_webhook_events(None, "delivered", 10)) == 3)

    assert deliveries[:2] == first_two
    by_order = {d.json["data"]["payload"]["id"]: d for d in deliveries}
    assert set(by_order) == set(orders)
    for order_id, delivery in by_order.items():
        event = client.webhooks.unwrap(delivery.body, headers=delivery.headers, key=public_key)
        assert isinstance(event, NumberOrderStatusUpdateWebhookEvent)
        assert event.data.event_type == "number_order.complete"
        data = delivery.json["data"]
        assert data["payload"] == orders[order_id]
        assert data["occurred_at"] == orders[order_id]["updated_at"]
        assert delivery.json["meta"] == {"attempt": 1, "delivered_to": receiver.url}
    assert [by_order[i].json["data"]["payload"]["status"] for i in orders] == [
        "success",
        "failure",
        "success",
    ]
    account_id = store.ensure_account("acme").account_id
    assert len(store.list_webhook_events(account_id, None, 10)) == 3
