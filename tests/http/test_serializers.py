"""A listed order, written from its stored JSON, is the same object a retrieve shows."""

from __future__ import annotations

import orjson

from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail
from number_orders.domain.representation import order_json
from number_orders.domain.timestamps import format_micros
from number_orders.http import serializers
from number_orders.http.serializers import page_bytes
from number_orders.seed.factory import OrderFactory
from number_orders.service import Page
from number_orders.storage.queries import order_row


def listed_orders(count: int, seed: int) -> tuple[list[NumberOrderDetail], list[ListedOrder]]:
    details = list(OrderFactory(seed=seed).orders(count))
    listed = []
    for detail in details:
        row = order_row("acct", detail)  # the lists as the store keeps them
        order = detail.order
        listed.append(
            ListedOrder(
                order.id,
                order.status,
                order.requirements_met,
                order.phone_numbers_count,
                order.created_at,
                order.updated_at,
                row["phone_numbers"],
                row["sub_number_orders_ids"],
                order.customer_reference,
                order.connection_id,
                order.messaging_profile_id,
                order.billing_group_id,
            )
        )
    return details, listed


def test_a_page_shows_each_order_as_order_json_does() -> None:
    details, listed = listed_orders(60, seed=21)
    page = orjson.loads(page_bytes(Page(listed, 60, ListQuery(page_size=60))))
    assert page["data"] == [order_json(d.order) for d in details]
    assert page["meta"] == {
        "page_number": 1,
        "page_size": 60,
        "total_results": 60,
        "total_pages": 1,
    }
    # Optional members are left out when absent, as the published schema wants.
    assert any("customer_reference" not in o for o in page["data"])
    assert any("customer_reference" in o for o in page["data"])


def test_a_page_written_again_or_after_a_change_shows_each_order_as_it_is_now() -> None:
    """Orders written lately are kept as JSON by their whole row: the same rows give the same
    bytes, and a row that changed in any field is written afresh, never from an old one."""
    details, listed = listed_orders(20, seed=22)
    first = page_bytes(Page(listed, 20, ListQuery()))
    assert page_bytes(Page(listed, 20, ListQuery())) == first
    changed = [
        listed[0]._replace(status="failure", updated_at=listed[0].updated_at + 1),
        listed[1]._replace(customer_reference="renamed"),
        listed[2]._replace(requirements_met=not listed[2].requirements_met),
        *listed[3:],
    ]
    page = orjson.loads(page_bytes(Page(changed, 20, ListQuery())))
    expected = [order_json(d.order) for d in details]
    expected[0].update(status="failure", updated_at=format_micros(changed[0].updated_at))
    expected[1]["customer_reference"] = "renamed"
    expected[2]["requirements_met"] = not expected[2]["requirements_met"]
    assert page["data"] == expected
    assert orjson.loads(first)["data"] == [order_json(d.order) for d in details]


def test_the_orders_kept_are_bounded() -> None:
    _, listed = listed_orders(60, seed=23)
    for number in range(serializers._LISTED_KEPT // 60 + 2):
        page = [o._replace(updated_at=o.updated_at + number) for o in listed]
        page_bytes(Page(page, 60, ListQuery(page_size=60)))
    assert len(serializers._listed_json) <= serializers._LISTED_KEPT
