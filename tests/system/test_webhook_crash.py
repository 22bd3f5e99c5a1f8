"""A server process killed with SIGKILL after an order's status change committed and while
its webhook attempt is in flight: after a restart the event is delivered (as attempt 2,
once the dead process's lease has run out), and nothing else is lost. Both engines."""

from __future__ import annotations

import telnyx

from number_orders.config import Settings
from number_orders.domain.webhooks import DELIVERED
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, ServeProcess, WebhookReceiver, wait_until
from tests.support.app import new_key
from tests.support.orders import number

CLIENT = telnyx.Telnyx(api_key="KEYunused", base_url="http://127.0.0.1:9/v2")


def test_sigkill_after_the_status_change_loses_no_event(database_url: str, store: SqlStore) -> None:
    fast = Settings(
        database_url=database_url,
        rate_limit=0,
        demo=False,
        fulfilment_delay=0.0,
        webhook_timeout=1.0,  # a lease of 2 * 1 + 5 = 7 s
        webhook_poll_interval=0.05,
        webhook_backoff_base=0.05,
    )
    key = new_key(store, "acme")
    service = NumberOrdersService(store)
    with WebhookReceiver() as receiver:
        service.set_webhook_url("acme", receiver.url)
        receiver.answer(Answer(200, delay=4.0))  # the first attempt is still waiting when killed
        server = ServeProcess(fast).start()
        try:
            client = telnyx.Telnyx(api_key=key, base_url=server.base_url, max_retries=0)
            order = client.number_orders.create(phone_numbers=[{"phone_number": number()}]).data
            assert order is not None and order.id is not None
            receiver.wait_for(1)
        finally:
            server.kill()
        account_id = store.ensure_account("acme").account_id
        [event] = store.list_webhook_events(account_id, None, 10)
        assert event.status != DELIVERED and event.attempts == 1
        detail = store.retrieve_number_order(account_id, order.id)
        assert detail is not None and detail.order.status == "success"

        restarted = ServeProcess(fast).start()
        try:
            deliveries = receiver.wait_for(2, timeout=30)
            wait_until(lambda: store.list_webhook_events(account_id, DELIVERED, 10), 10)
            client = telnyx.Telnyx(api_key=key, base_url=restarted.base_url, max_retries=0)
            shown = client.number_orders.retrieve(order.id).data
        finally:
            restarted.stop()
    assert [(d.event_id, d.attempt) for d in deliveries] == [(event.id, 1), (event.id, 2)]
    public_key = service.ensure_signing_key().public_key
    for delivery in deliveries:
        CLIENT.webhooks.unwrap(delivery.body, headers=delivery.headers, key=public_key)
    assert shown is not None and deliveries[1].json["data"]["payload"]["status"] == shown.status
    # The killed attempt left no outcome; the one after the restart did.
    assert [a.attempt for a in store.list_webhook_attempts(account_id, event.id)] == [2]
