"""The official Python client `telnyx`, unchanged, through the whole lifecycle on both
engines: create, retrieve until settled, list with filters, update."""

from __future__ import annotations

import time
from typing import Any

from telnyx import NotFoundError, Telnyx, UnprocessableEntityError

from number_orders.testing import wait_until
from tests.clients.conftest import Served
from tests.support.orders import number


def retrieve_until(client: Telnyx, order_id: str, condition: Any) -> Any:
    return wait_until(
        lambda: (d := client.number_orders.retrieve(order_id).data) and condition(d) and d
    )


def test_create_retrieve_list_update(served: Served) -> None:
    client = Telnyx(api_key=served.key, base_url=served.server.base_url, max_retries=0)
    us, gb = number(), number("GB")
    reference = f"py-{time.time_ns()}"
    created = client.number_orders.create(
        phone_numbers=[{"phone_number": us}, {"phone_number": gb, "bundle_id": "b-1"}],
        customer_reference=reference,
    ).data
    assert created is not None and created.id is not None
    assert created.status == "pending" and created.requirements_met is False
    assert [n.phone_number for n in created.phone_numbers or []] == [us, gb]

    # The US number settles; the GB one waits for its address.
    waiting = retrieve_until(client, created.id, lambda d: d.phone_numbers[0].status == "success")
    assert waiting.status == "pending"
    (requirement,) = waiting.phone_numbers[1].regulatory_requirements
    assert requirement.field_type == "address" and requirement.field_value is None

    pending = client.number_orders.list(
        filter={"customer_reference": reference, "status": "pending", "requirements_met": False}
    )
    assert [o.id for o in pending] == [created.id]

    updated = client.number_orders.update(
        created.id,
        customer_reference=reference + "-2",
        regulatory_requirements=[
            {"requirement_id": requirement.requirement_id, "field_value": "address-1"}
        ],
    ).data
    assert updated is not None and updated.customer_reference == reference + "-2"
    assert updated.requirements_met is True
    assert updated.updated_at is not None and waiting.updated_at < updated.updated_at

    done = retrieve_until(client, created.id, lambda d: d.status != "pending")
    assert done.status == "success"
    assert [n.status for n in done.phone_numbers] == ["success", "success"]
    assert done.phone_numbers[1].regulatory_requirements[0].field_value == "address-1"
    listed = client.number_orders.list(
        filter={
            "customer_reference": reference + "-2",
            "status": "success",
            "requirements_met": True,
            "phone_numbers_count": "2",
        }
    )
    assert [o.id for o in listed] == [created.id]


def test_errors_arrive_as_the_clients_exceptions(served: Served) -> None:
    client = Telnyx(api_key=served.key, base_url=served.server.base_url, max_retries=0)
    try:
        client.number_orders.create(phone_numbers=[{"phone_number": "12345"}])
    except UnprocessableEntityError as error:
        assert error.status_code == 422
        assert isinstance(error.body, dict)
        assert error.body["errors"][0]["code"] == "10016"
    else:
        raise AssertionError("expected a 422")
    try:
        client.number_orders.retrieve("0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c")
    except NotFoundError as error:
        assert error.status_code == 404
    else:
        raise AssertionError("expected a 404")
