"""`/v2/webhook_deliveries` over HTTP on both engines, with real orders announced to a real
receiver: listed and found with their attempts newest first, filtered, paged, sent again
on request, one account's only; the official Python client reads them strictly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from telnyx import Telnyx

from number_orders.config import Settings
from number_orders.domain.ids import random_id
from number_orders.domain.webhook_deliveries import NO_RESPONSE
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, WebhookReceiver, wait_until
from tests.support.live import LiveServer, client_for
from tests.support.openapi import assert_matches
from tests.support.orders import number, order_body, settled
from tests.support.outbox import account_with_url, orders, settle


@dataclass
class Hooked:
    live: LiveServer
    http: httpx.Client
    key: str
    receiver: WebhookReceiver
    store: SqlStore

    def order(self) -> dict[str, Any]:
        """A new order, settled by the worker (its event then goes to the receiver)."""
        created = self.http.post("/number_orders", json=order_body(number())).json()["data"]
        return settled(self.http, created["id"])

    def deliveries(self, **params: str) -> dict[str, Any]:
        response = self.http.get("/webhook_deliveries", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        for delivery in body["data"]:
            assert_matches("WebhookDelivery", delivery)
        return body

    def decided(self, delivery_id: str) -> dict[str, Any]:
        """The delivery once its round has ended."""
        return wait_until(
            lambda: (
                (d := self.http.get(f"/webhook_deliveries/{delivery_id}").json()["data"])["status"]
                and d
            )
        )


@pytest.fixture
def hooked(settings: Settings, store: SqlStore) -> Iterator[Hooked]:
    fast = settings.with_changes(
        webhook_backoff_base=0.05,
        webhook_backoff_cap=0.1,
        webhook_poll_interval=0.05,
        webhook_timeout=3.0,
        webhook_max_attempts=2,
    )
    service = NumberOrdersService(store)
    key = service.create_api_key("acme").token
    with WebhookReceiver() as receiver, LiveServer(fast, store) as live:
        service.set_webhook_url("acme", receiver.url)
        with client_for(live, key) as http:
            yield Hooked(live, http, key, receiver, store)


def test_an_orders_event_is_listed_and_found_with_its_attempts_newest_first(
    hooked: Hooked,
) -> None:
    hooked.receiver.answer(Answer(500))  # the first attempt fails, the retry succeeds
    order = hooked.order()
    first, second = hooked.receiver.wait_for(2)
    found = hooked.decided(first.event_id)

    listed = hooked.deliveries()
    assert listed["data"] == [found]
    assert listed["meta"] == {
        "page_number": 1,
        "page_size": 20,
        "total_pages": 1,
        "total_results": 1,
    }
    assert (found["id"], found["record_type"], found["status"]) == (
        first.event_id,
        "webhook_delivery",
        "delivered",
    )
    assert found["webhook"] == {"record_type": "event", **second.json["data"]}
    assert found["webhook"]["payload"] == order  # as the API shows the order
    delivered, failed = found["attempts"]
    assert (delivered["status"], delivered["http"]["response"], delivered["errors"]) == (
        "delivered",
        {"status": 200},
        [],
    )
    assert (failed["status"], failed["http"]["response"], failed["detail"]) == (
        "failed",
        {"status": 500},
        "HTTP 500",
    )
    assert delivered["http"]["request"]["url"] == hooked.receiver.url
    assert found["started_at"] == failed["started_at"] < delivered["started_at"]
    assert found["finished_at"] == delivered["finished_at"] >= delivered["started_at"]


def test_filters_select_by_status_event_type_and_contained_text(hooked: Hooked) -> None:
    kept = hooked.order()
    hooked.receiver.wait_for(1)
    hooked.decided(hooked.receiver.deliveries[0].event_id)
    other = hooked.order()
    hooked.receiver.wait_for(2)
    hooked.decided(hooked.receiver.deliveries[1].event_id)

    def ids(**params: str) -> list[str]:
        body = hooked.deliveries(**params)
        assert body["meta"]["total_results"] == len(body["data"])
        return [d["webhook"]["payload"]["id"] for d in body["data"]]

    assert ids() == [other["id"], kept["id"]]  # newest first
    assert ids(**{"filter[webhook][contains]": kept["id"]}) == [kept["id"]]
    assert ids(**{"filter[webhook][contains]": random_id()}) == []
    assert ids(**{"filter[status][eq]": "delivered"}) == [other["id"], kept["id"]]
    assert ids(**{"filter[status][eq]": "failed"}) == []
    assert ids(**{"filter[status][eq]": "pending"}) == []
    assert ids(**{"filter[event_type]": "number_order.complete,other"}) == [other["id"], kept["id"]]
    assert ids(**{"filter[event_type]": "other"}) == []

    # The official client, strictly, sends the same filters and reads the same shapes.
    client = Telnyx(
        api_key=hooked.key,
        base_url=hooked.live.base_url,
        max_retries=0,
        _strict_response_validation=True,
    )
    page = client.webhook_deliveries.list(
        filter={"status": {"eq": "delivered"}, "webhook": {"contains": kept["id"]}}
    )
    [delivery] = page.data
    assert delivery.status == "delivered" and delivery.webhook and delivery.webhook.payload
    assert delivery.webhook.payload["id"] == kept["id"]
    assert page.meta and page.meta.model_dump().get("total_results") == 1
    assert delivery.id is not None
    retrieved = client.webhook_deliveries.retrieve(delivery.id).data
    assert retrieved == delivery
    assert [a.status for a in retrieved.attempts or []] == ["delivered"]


def test_a_failed_delivery_is_redelivered_on_request(hooked: Hooked) -> None:
    hooked.receiver.stop()  # the port refuses: both attempts of the round fail
    order = hooked.order()
    [event_id] = wait_until(
        lambda: [d["id"] for d in hooked.deliveries(**{"filter[status][eq]": "failed"})["data"]]
    )
    failed = hooked.decided(event_id)
    assert [a["errors"] for a in failed["attempts"]] == [[NO_RESPONSE], [NO_RESPONSE]]
    assert all("response" not in a["http"] and a["detail"] for a in failed["attempts"])
    assert failed["webhook"]["payload"]["id"] == order["id"]

    hooked.receiver.restart()
    response = hooked.http.post(f"/webhook_deliveries/{event_id}/actions/redeliver")
    assert response.status_code == 200
    queued = response.json()["data"]
    assert_matches("WebhookDelivery", queued)
    assert (queued["status"], queued["finished_at"], queued["attempts"]) == (
        None,
        None,
        failed["attempts"],
    )
    [sent] = hooked.receiver.wait_for(1)
    assert (sent.event_id, sent.attempt) == (event_id, 3)  # attempts count on across rounds
    delivered = hooked.decided(event_id)
    assert [a["status"] for a in delivered["attempts"]] == ["delivered", "failed", "failed"]
    assert hooked.deliveries(**{"filter[status][eq]": "failed"})["data"] == []


def test_redelivering_during_an_attempt_is_a_409_to_retry(hooked: Hooked) -> None:
    hooked.receiver.answer(Answer(200, delay=1.5))
    hooked.order()
    [arrived] = hooked.receiver.wait_for(1)  # the receiver now holds the attempt
    busy = hooked.http.post(f"/webhook_deliveries/{arrived.event_id}/actions/redeliver")
    assert busy.status_code == 409 and busy.headers["retry-after"] == "1"
    [problem] = busy.json()["errors"]
    assert problem["code"] == "10015" and "in flight" in problem["detail"]

    hooked.decided(arrived.event_id)
    again = hooked.http.post(f"/webhook_deliveries/{arrived.event_id}/actions/redeliver")
    assert again.status_code == 200
    assert hooked.receiver.wait_for(2)[1].attempt == 2


def test_another_accounts_unknown_and_malformed_ids_are_not_found(hooked: Hooked) -> None:
    other = account_with_url(hooked.store, "other")
    foreign = settle(hooked.store, other, orders(hooked.store, other, 1)[0])
    for delivery_id in (foreign, random_id(), "not-an-id", foreign.upper() + "0"):
        for method, path in (
            ("GET", f"/webhook_deliveries/{delivery_id}"),
            ("POST", f"/webhook_deliveries/{delivery_id}/actions/redeliver"),
        ):
            response = hooked.http.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json()["errors"][0]["code"] == "10005"
    assert hooked.deliveries()["meta"]["total_results"] == 0
    # Ids are UUIDs: any case finds one's own.
    hooked.order()
    [mine] = hooked.receiver.wait_for(1)
    found = hooked.http.get(f"/webhook_deliveries/{mine.event_id.upper()}")
    assert found.json()["data"]["id"] == mine.event_id


def test_pages_are_exact_and_bad_parameters_are_named(hooked: Hooked) -> None:
    account = hooked.store.find_account("acme")
    assert account is not None
    account_id = account.account_id
    for detail in orders(hooked.store, account_id, 5):
        settle(hooked.store, account_id, detail)
    everything = [d["id"] for d in hooked.deliveries(**{"page[size]": "250"})["data"]]
    assert len(set(everything)) == 5
    pages = [hooked.deliveries(**{"page[size]": "2", "page[number]": str(n)}) for n in (1, 2, 3, 4)]
    assert [d["id"] for p in pages for d in p["data"]] == everything
    assert [p["meta"] for p in pages][2:] == [
        {"page_number": n, "page_size": 2, "total_pages": 3, "total_results": 5} for n in (3, 4)
    ]

    response = hooked.http.get(
        "/webhook_deliveries",
        params={"filter[status][eq]": "dead", "page[size]": "0", "filter[status]": "failed"},
    )
    assert response.status_code == 400
    assert [e["source"]["parameter"] for e in response.json()["errors"]] == [
        "filter[status][eq]",
        "page[size]",
        "filter[status]",
    ]
