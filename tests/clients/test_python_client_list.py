"""The official Python client, unchanged, against the real server on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import telnyx
from telnyx import Telnyx

from number_orders.domain.orders import NumberOrder
from number_orders.domain.timestamps import format_micros
from number_orders.seed.factory import OrderFactory
from tests.clients.conftest import Served


@pytest.fixture(scope="module")
def seeded(served: Served) -> Iterator[tuple[Telnyx, list[NumberOrder]]]:
    store = served.store
    details = list(OrderFactory(seed=3).orders(130))
    store.insert_number_orders(store.ensure_account("acme").account_id, details)
    other = store.ensure_account("globex")
    store.insert_number_orders(other.account_id, OrderFactory(seed=4).orders(40))
    orders = sorted((d.order for d in details), key=lambda o: (o.created_at, o.id), reverse=True)
    with Telnyx(api_key=served.key, base_url=served.server.base_url, max_retries=0) as client:
        yield client, orders


def test_auto_pagination_returns_every_order_exactly_once(
    seeded: tuple[Telnyx, list[NumberOrder]],
) -> None:
    client, orders = seeded
    listed = [order.id for order in client.number_orders.list(page_size=17)]
    assert listed == [o.id for o in orders]


def test_filters_through_the_filter_argument(seeded: tuple[Telnyx, list[NumberOrder]]) -> None:
    client, orders = seeded
    pivot = orders[60]
    page = client.number_orders.list(
        filter={
            "status": "success",
            "requirements_met": True,
            "created_at": {"lt": format_micros(pivot.created_at)},
        },
        page_size=250,
    )
    expected = [
        o.id
        for o in orders
        if o.status == "success" and o.requirements_met and o.created_at < pivot.created_at
    ]
    assert [o.id for o in page.data] == expected
    assert page.meta is not None and page.meta.to_dict()["total_results"] == len(expected)


def test_customer_reference_and_count_filters(seeded: tuple[Telnyx, list[NumberOrder]]) -> None:
    client, orders = seeded
    reference = next(o.customer_reference for o in orders if o.customer_reference)
    by_reference = client.number_orders.list(filter={"customer_reference": reference})
    assert {o.id for o in by_reference} == {
        o.id for o in orders if o.customer_reference == reference
    }
    by_count = client.number_orders.list(filter={"phone_numbers_count": "2"})
    assert {o.id for o in by_count} == {o.id for o in orders if o.phone_numbers_count == 2}


def test_items_parse_into_the_client_models(seeded: tuple[Telnyx, list[NumberOrder]]) -> None:
    client, orders = seeded
    first = client.number_orders.list(page_size=1).data[0]
    assert first.id == orders[0].id
    assert first.status == orders[0].status
    assert first.phone_numbers is not None
    assert [p.phone_number for p in first.phone_numbers] == [p for _, p in orders[0].phone_numbers]


def test_a_bad_key_raises_the_authentication_error(served: Served) -> None:
    with (
        Telnyx(api_key="KEYnope", base_url=served.server.base_url, max_retries=0) as client,
        pytest.raises(telnyx.AuthenticationError) as raised,
    ):
        client.number_orders.list()
    assert raised.value.status_code == 401
    assert isinstance(raised.value.body, dict)
    assert raised.value.body["errors"][0]["code"] == "10009"


def test_a_bad_parameter_raises_bad_request(seeded: tuple[Telnyx, list[NumberOrder]]) -> None:
    client, _ = seeded
    with pytest.raises(telnyx.BadRequestError):
        client.number_orders.list(filter={"status": "nope"})
