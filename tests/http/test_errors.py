"""The error envelope for failures no handler expects: a bug is a 500, an unreachable
store a 503. Refused requests: the test module of each operation."""

from __future__ import annotations

from typing import Any

from number_orders.config import Settings
from number_orders.domain.listing import ListQuery
from number_orders.errors import StoreUnavailable
from number_orders.storage.sql_store import SqlStore
from tests.support.app import InProcess, new_key


class BrokenStore(SqlStore):
    """A real store whose listing fails the way a bug or an outage would."""

    failure: Exception = RuntimeError("a bug")

    def list_number_orders(self, account_id: str, query: ListQuery) -> Any:
        raise self.failure

    async def list_number_orders_async(self, account_id: str, query: ListQuery) -> Any:
        raise self.failure  # what the list route awaits


def test_a_bug_is_a_500_in_the_envelope_without_a_traceback(
    store: SqlStore, settings: Settings
) -> None:
    broken = BrokenStore(store.engine)
    token = new_key(store, "acme")
    with InProcess(settings, broken) as app, app.client(token) as client:
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
    with InProcess(settings, broken) as app, app.client(token) as client:
        response = client.get("/number_orders")
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["errors"][0]["code"] == "10007"
