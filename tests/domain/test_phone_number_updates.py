"""`PATCH /phone_numbers/{id}` bodies: the writable fields, one 422 problem per bad field,
and what an update changes."""

from __future__ import annotations

from typing import Any

import pytest

from number_orders.domain.phone_number_updates import MAX_TAGS, PhoneNumberUpdate
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.errors import ApiError

BEFORE = PhoneNumber(
    id="1293384261075731499",
    phone_number="+13125550147",
    country_iso_alpha2="US",
    phone_number_type="local",
    order_id="0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c",
    purchased_at=1_000,
    updated_at=2_000,
    customer_reference="ref",
)


def test_every_writable_field_changes_and_updated_at_moves() -> None:
    update = PhoneNumberUpdate.from_body(
        {
            "customer_reference": "new",
            "connection_id": "c-1",
            "billing_group_id": "bg-1",
            "external_pin": "1234",
            "address_id": "addr-1",
            "hd_voice_enabled": True,
            "tags": ["b", "a", "b"],
            "id": "ignored",
            "unknown": 1,
        }
    )
    after = update.apply(BEFORE, 5_000)
    assert after is not None
    assert (after.customer_reference, after.connection_id, after.billing_group_id) == (
        "new",
        "c-1",
        "bg-1",
    )
    assert (after.external_pin, after.address_id, after.hd_voice_enabled) == (
        "1234",
        "addr-1",
        True,
    )
    assert after.tags == ("b", "a") and after.updated_at == 5_000
    assert (after.id, after.phone_number, after.purchased_at) == (
        BEFORE.id,
        BEFORE.phone_number,
        1_000,
    )


def test_null_clears_absent_keeps_and_no_change_is_none() -> None:
    cleared = PhoneNumberUpdate.from_body({"customer_reference": None}).apply(BEFORE, 5_000)
    assert cleared is not None and cleared.customer_reference is None
    assert PhoneNumberUpdate.from_body({}).apply(BEFORE, 5_000) is None
    assert PhoneNumberUpdate.from_body({"customer_reference": "ref"}).apply(BEFORE, 5_000) is None


def test_updated_at_always_moves_forward() -> None:
    after = PhoneNumberUpdate.from_body({"tags": ["x"]}).apply(BEFORE, 10)
    assert after is not None and after.updated_at == BEFORE.updated_at + 1


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({"customer_reference": 5}, ["/customer_reference"]),
        ({"connection_id": "", "external_pin": "x" * 256}, ["/connection_id", "/external_pin"]),
        ({"address_id": "a\nb"}, ["/address_id"]),
        ({"hd_voice_enabled": "yes"}, ["/hd_voice_enabled"]),
        ({"hd_voice_enabled": None}, ["/hd_voice_enabled"]),
        ({"tags": "vip"}, ["/tags"]),
        ({"tags": ["ok", 3, ""]}, ["/tags/1", "/tags/2"]),
        ({"tags": ["t"] * (MAX_TAGS + 1)}, ["/tags"]),
    ],
)
def test_bad_fields_are_one_422_problem_each(body: dict[str, Any], pointers: list[str]) -> None:
    with pytest.raises(ApiError) as raised:
        PhoneNumberUpdate.from_body(body)
    assert raised.value.status == 422
    assert [p.pointer for p in raised.value.problems] == pointers
