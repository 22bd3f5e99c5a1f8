"""The error envelope from every source, and the served API documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml

from number_orders.config import Settings
from number_orders.domain.listing import ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.storage.sql_store import SqlStore
from tests.conftest import client_for, new_key
from tests.live import LiveServer


class BrokenStore(SqlStore):
    """A real store whose listing fails the way a bug or an outage would."""

    failure: Exception = RuntimeError("a bug")

    def list_number_orders(self, account_id: str, query: ListQuery) -> Any:
        raise self.failure


def test_a_bug_is_a_500_in_the_envelope_without_a_traceback(
    store: SqlStore, settings: Settings
) -> None:
    broken = BrokenStore(store.engine)
    token = new_key(store, "acme")
    with LiveServer(settings, broken) as server, client_for(server, token) as client:
        response = client.get("/number_orders")
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "code": "10007",
                "title": "Unexpected error",
                "detail": "An unexpected error occurred.",
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10007"},
            }
        ]
    }
    assert "Traceback" not in response.text


def test_an_unreachable_store_is_a_503_with_retry_after(
    store: SqlStore, settings: Settings
) -> None:
    broken = BrokenStore(store.engine)
    broken.failure = StoreUnavailable("down")
    token = new_key(store, "acme")
    with LiveServer(settings, broken) as server, client_for(server, token) as client:
        response = client.get("/number_orders")
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["errors"][0]["code"] == "10007"


def test_the_openapi_document_is_served_and_matches_the_seed(live: LiveServer) -> None:
    response = httpx.get(live.base_url + "/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"].startswith("3.1")
    seed_path = Path(__file__).resolve().parents[3] / "shared/spec/seed-list-number-orders.yaml"
    if seed_path.exists():
        seed = yaml.safe_load(seed_path.read_text())
        ours = served["paths"]["/number_orders"]["get"]
        assert ours["operationId"] == seed["paths"]["/number_orders"]["get"]["operationId"]
        for name in ("NumberOrder", "PaginationMeta", "numbers_Errors"):
            assert served["components"]["schemas"][name]["properties"].keys() >= (
                seed["components"]["schemas"][name]["properties"].keys()
            )
