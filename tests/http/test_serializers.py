"""A listed order, written from its stored JSON, is the same object a retrieve shows."""

from __future__ import annotations

import orjson

from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.representation import order_json
from number_orders.http.serializers import page_bytes
from number_orders.seed.factory import OrderFactory
from number_orders.service import Page
from number_orders.storage.queries import order_row


def test_a_page_shows_each_order_as_order_json_does() -> None:
    details = list(OrderFactory(seed=21).orders(60))
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
