"""Operations over real HTTP on both engines: request ids, health, readiness, metrics,
and per-key rate limits with their headers."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from dataclasses import replace

import httpx
from sqlalchemy import insert

from number_orders.config import Settings
from number_orders.domain.timestamps import now_micros
from number_orders.seed.factory import OrderFactory
from number_orders.storage.schema import webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.conftest import client_for, new_key
from tests.live import LiveServer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def wait_for_a_fresh_window(needed: float = 15.0) -> None:
    """Rate-limit windows are wall-clock minutes: keep a test's requests inside one."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.05)


# -- request ids ------------------------------------------------------------------------


def test_every_response_carries_a_request_id(live: LiveServer, store: SqlStore) -> None:
    key = new_key(store, "acme")
    seen = set()
    for url, headers in [
        (live.base_url + "/number_orders", {"Authorization": f"Bearer {key}"}),
        (live.base_url + "/number_orders", {}),  # 401
        (live.base_url + "/nope", {"Authorization": f"Bearer {key}"}),  # 404
        (live.root_url + "/healthz", {}),
        (live.root_url + "/nope", {}),
    ]:
        response = httpx.get(url, headers=headers)
        assert UUID.fullmatch(response.headers["x-request-id"]), url
        seen.add(response.headers["x-request-id"])
    assert len(seen) == 5


def test_a_sent_request_id_is_echoed_and_a_bad_one_replaced(live: LiveServer) -> None:
    url = live.root_url + "/healthz"
    assert httpx.get(url, headers={"x-request-id": "trace-42"}).headers["x-request-id"] == (
        "trace-42"
    )
    for bad in ["x" * 129, "tab\there"]:
        echoed = httpx.get(url, headers={"x-request-id": bad}).headers["x-request-id"]
        assert UUID.fullmatch(echoed)


# -- health, readiness, metrics ---------------------------------------------------------


def test_health_and_readiness_need_no_key(live: LiveServer) -> None:
    for path in ("/healthz", "/readyz"):
        response = httpx.get(live.root_url + path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
    assert httpx.post(live.root_url + "/healthz").status_code == 405


def test_metrics_count_requests_by_route_template_and_status(
    live: LiveServer, store: SqlStore
) -> None:
    key = new_key(store, "acme")
    account = store.ensure_account("acme").account_id
    details = list(OrderFactory(seed=5).orders(40))
    store.insert_number_orders(account, details)
    with client_for(live, key) as client:
        for _ in range(3):
            assert client.get("/number_orders").status_code == 200
        assert client.get("/number_orders?page[size]=0").status_code == 400
        assert client.get("/number_orders/a/b").status_code == 404
    httpx.get(live.base_url + "/number_orders")  # 401, before routing

    response = httpx.get(live.root_url + "/metrics")
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
    samples = parse_metrics(httpx.get(live.root_url + "/metrics").text)
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


def parse_metrics(text: str) -> Counter[tuple[str, str]]:
    samples: Counter[tuple[str, str]] = Counter()
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and not line.startswith("#"):
            samples[(match.group(1), match.group(2) or "")] += float(match.group(3))
    return samples


# -- rate limits ------------------------------------------------------------------------


def test_over_the_limit_is_429_with_retry_after_and_headers_on_every_answer(
    settings: Settings, store: SqlStore
) -> None:
    key, other = new_key(store, "acme"), new_key(store, "acme")
    wait_for_a_fresh_window()
    with (
        LiveServer(replace(settings, rate_limit=5), store) as server,
        client_for(server, key) as client,
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
        with client_for(server, other) as second:  # another key has its own allowance
            assert second.get("/number_orders").status_code == 200
        assert httpx.get(server.root_url + "/healthz").status_code == 200  # not limited


def test_with_the_limit_off_there_are_no_rate_limit_headers(
    live: LiveServer, store: SqlStore
) -> None:
    with client_for(live, new_key(store, "acme")) as client:
        response = client.get("/number_orders")
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("x-ratelimit")]
