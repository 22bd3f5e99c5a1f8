"""A PostgreSQL outage under a running service: fast 503s, a failing readiness check, and
recovery by itself once the database is back, background fulfilment included. Uses a
PostgreSQL server of its own, since it stops it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from number_orders.config import Settings
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.testing import PostgresServer, ServeProcess
from tests.support.app import bearer, new_key
from tests.support.orders import number


@pytest.fixture
def postgres_of_its_own() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def timed(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_a_database_outage_is_503_at_once_and_heals_by_itself(
    postgres_of_its_own: PostgresServer, tmp_path: Path
) -> None:
    pg = postgres_of_its_own
    url = pg.create_database("outage")
    store = open_store(url)
    key = new_key(store, "acme")
    store.insert_number_orders(store.ensure_account("acme").account_id, OrderFactory(2).orders(30))
    settings = Settings(database_url=url, demo=False, fulfilment_delay=0.0)
    with (
        ServeProcess(settings, log=tmp_path / "serve.log") as server,
        httpx.Client(base_url=server.base_url, headers=bearer(key), timeout=30) as client,
    ):
        assert client.get("/number_orders").status_code == 200
        root = httpx.Client(base_url=server.root_url, timeout=30)

        pg.stop()
        for _ in range(5):
            response, seconds = timed(client, "/number_orders")
            assert response.status_code == 503, response.text
            assert seconds < 2.0
            assert response.headers["retry-after"] == "1"
            assert [e["code"] for e in response.json()["errors"]] == ["10007"]
            assert "Traceback" not in response.text
        ready, seconds = timed(root, "/readyz")
        assert ready.status_code == 503 and seconds < 2.0
        assert ready.json()["errors"][0]["code"] == "10007"
        assert root.get("/healthz").status_code == 200  # the process itself is fine
        assert root.get("/metrics").status_code == 200  # and can still be watched

        pg.restart()
        back = time.monotonic()
        while (response := client.get("/number_orders")).status_code != 200:
            assert response.status_code == 503
            assert time.monotonic() - back < 10, "no recovery within 10 s"
            time.sleep(0.05)
        recovery = time.monotonic() - back
        print(f"recovered {recovery:.2f}s after PostgreSQL accepted connections again")
        assert response.json()["meta"]["total_results"] == 30
        assert root.get("/readyz").status_code == 200
        root.close()

        # The worker beside the API lived through the outage: a new order still settles.
        created = client.post(
            "/number_orders", json={"phone_numbers": [{"phone_number": number()}]}
        )
        assert created.status_code == 200, created.text
        order_id = created.json()["data"]["id"]
        deadline = time.monotonic() + 15
        while client.get(f"/number_orders/{order_id}").json()["data"]["status"] == "pending":
            assert time.monotonic() < deadline, "the order was not settled after the outage"
            time.sleep(0.1)
    store.close()
