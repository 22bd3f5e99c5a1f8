"""The official Python client `telnyx`, unchanged and with strict response validation,
searches numbers and blocks on both engines, orders one it found, and no longer finds it."""

from __future__ import annotations

from typing import Any

import pytest
from telnyx import BadRequestError, Telnyx
from telnyx.types.available_phone_number_list_params import Filter

from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.app import new_key
from tests.support.clients import strict_client
from tests.support.live import LiveServer


def client_of(live: LiveServer, store: SqlStore, account: str) -> Telnyx:
    """A strict client with a new key of `account`."""
    return strict_client(live.base_url, new_key(store, account))


def settled(client: Telnyx, order_id: str) -> Any:
    def done() -> Any:
        order = client.number_orders.retrieve(order_id).data
        return order if order is not None and order.status != "pending" else None

    return wait_until(done)


def test_search_order_and_search_again(live: LiveServer, store: SqlStore) -> None:
    client, other = client_of(live, store, "acme"), client_of(live, store, "globex")
    filters: Filter = {"locality": "Chicago", "features": ["sms", "voice"], "limit": 10}
    found = client.available_phone_numbers.list(filter=filters)
    assert found.meta is not None and found.meta.total_results == 10
    assert found.metadata == found.meta and found.meta.best_effort_results == 0
    data = found.data or []
    assert len(data) == 10
    for number in data:
        assert number.record_type == "available_phone_number" and number.reservable
        assert {f.name for f in number.features or []} >= {"sms", "voice"}
        regions = {r.region_type: r.region_name for r in number.region_information or []}
        assert regions == {
            "country_code": "US",
            "state": "IL",
            "location": "Chicago",
            "rate_center": "CHICAGO",
        }
    chosen = [n.phone_number for n in data]
    assert all(chosen)

    order = client.number_orders.create(phone_numbers=[{"phone_number": chosen[0] or ""}]).data
    assert order is not None and order.id is not None and order.status == "pending"
    for searcher in (client, other):
        again = searcher.available_phone_numbers.list(filter=filters)
        assert [n.phone_number for n in again.data or []][:9] == chosen[1:]

    assert settled(client, order.id).status == "success"
    hidden = other.available_phone_numbers.list(
        filter={"locality": "Chicago", "limit": 10, "exclude_held_numbers": True}
    )
    assert chosen[0] not in [n.phone_number for n in hidden.data or []]


def test_best_effort_and_number_patterns(live: LiveServer, store: SqlStore) -> None:
    client = client_of(live, store, "acme")
    found = client.available_phone_numbers.list(
        filter={
            "locality": "Evanston",
            "phone_number": {"ends_with": "4321"},
            "limit": 60,
            "best_effort": True,
        }
    )
    data = found.data or []
    assert len(data) == 60 and all((n.phone_number or "").endswith("4321") for n in data)
    nearby = [n for n in data if n.best_effort]
    assert nearby and found.meta is not None and found.meta.best_effort_results == len(nearby)
    toll_free = client.available_phone_numbers.list(
        filter={"phone_number_type": "toll_free", "quickship": True, "limit": 5}
    )
    assert [n.quickship for n in toll_free.data or []] == [True] * 5


def test_blocks(live: LiveServer, store: SqlStore) -> None:
    client = client_of(live, store, "acme")
    blocks = client.available_phone_number_blocks.list(
        filter={"locality": "Chicago", "phone_number_type": "local"}
    )
    data = blocks.data or []
    assert data and blocks.meta is not None and blocks.meta.total_results == len(data)
    for block in data:
        assert block.record_type == "available_phone_number_block"
        assert block.range in (10, 100)
        assert block.cost_information is not None and block.cost_information.currency == "USD"


def test_a_bad_filter_is_the_clients_bad_request_error(live: LiveServer, store: SqlStore) -> None:
    client = client_of(live, store, "acme")
    with pytest.raises(BadRequestError) as raised:
        client.available_phone_numbers.list(filter={"limit": 0, "country_code": "USA"})
    assert raised.value.status_code == 400
    errors = raised.value.body["errors"]  # type: ignore[index]
    assert [e["source"]["parameter"] for e in errors] == ["filter[limit]", "filter[country_code]"]
