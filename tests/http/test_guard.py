"""The guard's authentication beyond API keys, over real HTTP on both engines: the metrics
token, and the limit on failed authentications per client address."""

from __future__ import annotations

import httpx

from number_orders.config import Settings
from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.live import LiveServer
from tests.support.operations import wait_for_a_fresh_window

TOKEN = "metrics-token-with-enough-entropy-3f9c2a"
BAD_KEY = "KEY0123456789abcdef0123456789abcdef_not-a-real-secret"


def codes(response: httpx.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_with_a_metrics_token_only_that_token_opens_metrics(
    settings: Settings, store: SqlStore
) -> None:
    key = new_key(store, "acme")
    with LiveServer(settings.with_changes(metrics_token=TOKEN, run_worker=False), store) as live:
        metrics = live.root_url + "/metrics"
        for headers in (
            {},
            {"Authorization": f"Bearer {key}"},  # an API key is not the metrics token
            {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": TOKEN},
        ):
            refused = httpx.get(metrics, headers=headers)
            assert refused.status_code == 401 and codes(refused) == ["10009"]
            assert "number_orders_http_requests_total" not in refused.text
        opened = httpx.get(metrics, headers={"Authorization": f"Bearer {TOKEN}"})
        assert opened.status_code == 200
        assert "number_orders_http_requests_total" in opened.text
        # Liveness and readiness stay open; the API still takes only API keys.
        assert httpx.get(live.root_url + "/healthz").status_code == 200
        assert httpx.get(live.root_url + "/readyz").status_code == 200
        api = httpx.get(
            live.base_url + "/number_orders", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert api.status_code == 401


def test_without_a_metrics_token_metrics_are_open(live: LiveServer) -> None:
    assert httpx.get(live.root_url + "/metrics").status_code == 200


def test_an_address_past_its_failed_authentications_gets_429_but_valid_keys_pass(
    settings: Settings, store: SqlStore
) -> None:
    key = new_key(store, "acme")
    limited = settings.with_changes(auth_failure_limit=5, metrics_token=TOKEN, run_worker=False)
    wait_for_a_fresh_window()
    with LiveServer(limited, store) as live, httpx.Client(base_url=live.base_url) as client:
        bad = {"Authorization": f"Bearer {BAD_KEY}"}
        assert [client.get("/number_orders", headers=bad).status_code for _ in range(4)] == [
            401
        ] * 4
        assert client.get(live.root_url + "/metrics").status_code == 401  # the fifth failure
        refused = client.get("/number_orders", headers=bad)
        assert refused.status_code == 429 and codes(refused) == ["10011"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.get("/number_orders").status_code == 429  # no key at all
        assert client.get(live.root_url + "/metrics").status_code == 429
        # A valid key (or token) is never limited.
        valid = client.get("/number_orders", headers={"Authorization": f"Bearer {key}"})
        assert valid.status_code == 200
        opened = client.get(
            live.root_url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert opened.status_code == 200


def test_with_the_limit_off_every_failure_is_401(settings: Settings, store: SqlStore) -> None:
    unlimited = settings.with_changes(auth_failure_limit=0, run_worker=False)
    with LiveServer(unlimited, store) as live, httpx.Client(base_url=live.base_url) as client:
        bad = {"Authorization": f"Bearer {BAD_KEY}"}
        assert {client.get("/number_orders", headers=bad).status_code for _ in range(30)} == {401}
