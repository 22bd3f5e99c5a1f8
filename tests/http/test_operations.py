"""Operations on both engines: request ids, health, readiness, metrics, and per-key rate
limits with their headers."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from sqlalchemy import insert

from number_orders.config import Settings
from number_orders.domain.timestamps import now_micros
from number_orders.seed.factory import OrderFactory
from number_orders.storage.schema import webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.support.app import InProcess, new_key
from tests.support.operations import parse_metrics, wait_for_a_fresh_window

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- request ids ------------------------------------------------------------------------


def test_every_response_carries_a_request_id(app: InProcess, store: SqlStore) -> None:
    key = new_key(store, "acme")
    seen = set()
    with app.client() as client:
        for url, headers in [
            (app.base_url + "/number_orders", {"Authorization": f"Bearer {key}"}),
            (app.base_url + "/number_orders", {}),  # 401
            (app.base_url + "/nope", {"Authorization": f"Bearer {key}"}),  # 404
            (app.root_url + "/healthz", {}),
            (app.root_url + "/nope", {}),
        ]:
            response = client.get(url, headers=headers)
            assert UUID.fullmatch(response.headers["x-request-id"]), url
            seen.add(response.headers["x-request-id"])
    assert len(seen) == 5


def test_a_sent_request_id_is_echoed_and_a_bad_one_replaced(app: InProcess) -> None:
    url = app.root_url + "/healthz"
    with app.client() as client:
        sent = client.get(url, headers={"x-request-id": "trace-42"})
        assert sent.headers["x-request-id"] == "trace-42"
        for bad in ["x" * 129, "tab\there"]:
            echoed = client.get(url, headers={"x-request-id": bad}).headers["x-request-id"]
            assert UUID.fullmatch(echoed)


# -- health, readiness, metrics ---------------------------------------------------------


def test_health_and_readiness_need_no_key(app: InProcess) -> None:
    with app.client() as client:
        for path in ("/healthz", "/readyz"):
            response = client.get(app.root_url + path)
            assert response.status_code == 200
            assert response.json() == {"status": "ok"}
        assert client.post(app.root_url + "/healthz").status_code == 405


def test_metrics_count_requests_by_route_template_and_status(
    app: InProcess, store: SqlStore
) -> None:
    key = new_key(store, "acme")
    account = store.ensure_account("acme").account_id
    details = list(OrderFactory(seed=5).orders(40))
    store.insert_number_orders(account, details)
    with app.client(key) as client:
        for _ in range(3):
            assert client.get("/number_orders").status_code == 200
        assert client.get("/number_orders?page[size]=0").status_code == 400
        assert client.get("/number_orders/a/b").status_code == 404
    with app.client() as anonymous:
        anonymous.get("/number_orders")  # 401, before routing
        response = anonymous.get(app.root_url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = parse_metrics(response.text)
    requests = "number_orders_http_requests_total"
    assert samples[(requests, 'method="GET",route="/v2/number_orders",status="200"')] == 3
    assert samples[(requests, 'method="GET",route="/v2/number_orders",status="400"')] == 1
    assert samples[(requests, 'method="GET",route="unmatched",status="404"')] == 1
    assert samples[(requests, 'method="GET",route="/v2/number_orders",status="401"')] == 1
    count = "number_orders_http_request_duration_seconds_count"
    assert samples[(count, 'method="GET",route="/v2/number_orders"')] == 5
    assert samples[("number_orders_outbox_depth", "")] == 0
    add_events(store, account, ["pending", "pending", "delivered", "dead", "pending"])
    with app.client() as anonymous:
        samples = parse_metrics(anonymous.get(app.root_url + "/metrics").text)
    assert samples[("number_orders_outbox_depth", "")] == 3


def add_events(store: SqlStore, account_id: str, statuses: list[str]) -> None:
    """Outbox rows as delivery leaves them; not due for a year, so no loop takes them."""
    later = now_micros() + 365 * 24 * 3600 * 1_000_000
    rows = [
        {
            "account_id": account_id,
            "id": str(uuid.uuid4()),
            "event_type": "number_order.complete",
            "occurred_at": later,
            "payload": "{}",
            "status": status,
            "attempts": 0,
            "attempt_base": 0,
            "next_attempt_at": later,
            "created_at": later,
        }
        for status in statuses
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(webhook_events), rows)


# -- rate limits ------------------------------------------------------------------------


def test_over_the_limit_is_429_with_retry_after_and_headers_on_every_answer(
    settings: Settings, store: SqlStore
) -> None:
    key, other = new_key(store, "acme"), new_key(store, "acme")
    wait_for_a_fresh_window()
    with (
        InProcess(replace(settings, rate_limit=5), store) as app,
        app.client(key) as client,
    ):
        answers = [client.get(path) for path in ["/number_orders"] * 3 + ["/nope", "/x"]]
        assert [a.status_code for a in answers] == [200, 200, 200, 404, 404]
        assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["4", "3", "2", "1", "0"]
        assert {a.headers["x-ratelimit-limit"] for a in answers} == {"5"}
        refused = client.get("/number_orders")
        assert refused.status_code == 429
        assert refused.json()["errors"] == [
            {
                "code": "10011",
                "title": "Too many requests",
                "detail": refused.json()["errors"][0]["detail"],
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10011"},
            }
        ]
        reset = int(refused.headers["x-ratelimit-reset"])
        assert 1 <= reset <= 60
        assert refused.headers["retry-after"] == str(reset)
        assert refused.headers["x-ratelimit-remaining"] == "0"
        with app.client(other) as second:  # another key has its own allowance
            assert second.get("/number_orders").status_code == 200
        with app.client() as anonymous:
            assert anonymous.get(app.root_url + "/healthz").status_code == 200  # not limited


def test_with_the_limit_off_there_are_no_rate_limit_headers(
    app: InProcess, store: SqlStore
) -> None:
    with app.client(new_key(store, "acme")) as client:
        response = client.get("/number_orders")
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("x-ratelimit")]
