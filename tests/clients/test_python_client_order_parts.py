"""The official Python client, unchanged and with strict response validation, through
every operation of sub number orders and number order phone numbers, on both engines;
and the regulatory path end to end with the default rules: a DE number ordered, a
requirement group approved and applied, the order settled and announced by webhook."""

from __future__ import annotations

import pytest
from telnyx import NotFoundError, Telnyx, UnprocessableEntityError

from number_orders.domain.regulatory import requirement_id
from number_orders.service import NumberOrdersService
from number_orders.testing import WebhookReceiver, wait_until
from tests.clients.conftest import Served
from tests.http.regulatory import UNKNOWN
from tests.support.clients import strict_client
from tests.support.orders import assert_counts_exact, number

DE_ADDRESS = requirement_id("DE", "address")


def strict(served: Served) -> Telnyx:
    return strict_client(served.server.base_url, served.key)


def test_every_operation_of_the_order_parts(served: Served) -> None:
    with strict(served) as client:
        created = client.number_orders.create(
            phone_numbers=[{"phone_number": number("DE")}, {"phone_number": number("DE")}]
        ).data
        assert created is not None and created.id and created.sub_number_orders_ids
        (sub_id,) = created.sub_number_orders_ids
        first, second = (n.id for n in created.phone_numbers or [])
        assert first and second

        listed = client.sub_number_orders.list(filter={"order_request_id": created.id})
        assert [s.id for s in listed.data or []] == [sub_id]
        assert listed.meta is not None and listed.meta.total_results == 1
        assert client.sub_number_orders.list(filter={"status": "pending", "country_code": "DE"})
        sub = client.sub_number_orders.retrieve(sub_id, filter={"include_phone_numbers": True}).data
        assert sub is not None and sub.phone_numbers_count == 2 and sub.status == "pending"
        assert [p.id for p in sub.phone_numbers or []] == [first, second]

        updated = client.sub_number_orders.update(
            sub_id, regulatory_requirements=[{"requirement_id": DE_ADDRESS, "field_value": "x"}]
        ).data
        assert updated is not None and updated.requirements_met is True

        numbers = client.number_order_phone_numbers.list(filter={"country_code": "DE"})
        assert {first, second} <= {n.id for n in numbers.data or []}
        one = client.number_order_phone_numbers.retrieve(first).data
        assert one is not None and one.sub_number_order_id == sub_id and one.deadline
        changed = client.number_order_phone_numbers.update_requirements(
            second, regulatory_requirements=[{"requirement_id": DE_ADDRESS, "field_value": "y"}]
        ).data
        assert changed is not None and changed.id == second
        with pytest.raises(NotFoundError):
            client.sub_number_orders.retrieve(UNKNOWN)
        with pytest.raises(NotFoundError):
            client.number_order_phone_numbers.retrieve(UNKNOWN)
        with pytest.raises(UnprocessableEntityError):
            client.number_order_phone_numbers.update_requirement_group(
                first, requirement_group_id=UNKNOWN
            )

        waiting = client.number_orders.create(phone_numbers=[{"phone_number": number("DE")}]).data
        assert waiting is not None and waiting.sub_number_orders_ids
        cancelled = client.sub_number_orders.cancel(waiting.sub_number_orders_ids[0]).data
        assert cancelled is not None and cancelled.status == "failure"
        with pytest.raises(UnprocessableEntityError):
            client.sub_number_orders.cancel(waiting.sub_number_orders_ids[0])
    assert_counts_exact(served.store)


def test_the_regulatory_path_end_to_end(served: Served) -> None:
    service = NumberOrdersService(served.store)
    with WebhookReceiver() as receiver, strict(served) as client:
        service.set_webhook_url("acme", receiver.url)
        ordered = client.number_orders.create(phone_numbers=[{"phone_number": number("DE")}]).data
        assert ordered is not None and ordered.id and ordered.sub_number_orders_ids
        (sub_id,) = ordered.sub_number_orders_ids

        group = client.requirement_groups.create(
            country_code="DE",
            phone_number_type="local",
            action="ordering",
            regulatory_requirements=[{"requirement_id": DE_ADDRESS, "field_value": "Berlin 1"}],
        )
        group_id, order_id = group.id, ordered.id
        assert group_id is not None
        client.requirement_groups.submit_for_approval(group_id)
        wait_until(lambda: client.requirement_groups.retrieve(group_id).status == "approved")

        applied = client.sub_number_orders.update_requirement_group(
            sub_id, requirement_group_id=group_id
        ).data
        assert applied is not None and applied.requirements_met is True
        assert applied.phone_numbers and applied.phone_numbers[0].requirements_status == "approved"

        wait_until(
            lambda: (
                (o := client.number_orders.retrieve(order_id).data) is not None
                and o.status == "success"
            )
        )
        # Earlier orders of the account are announced to the receiver too: find this one.
        delivery = wait_until(
            lambda: next(
                (d for d in receiver.deliveries if d.json["data"]["payload"]["id"] == ordered.id),
                None,
            )
        )
    assert delivery.json["data"]["event_type"] == "number_order.complete"
    assert delivery.json["data"]["payload"]["status"] == "success"
