"""Owned phone numbers: ids, the record an order's number becomes, and its JSON shapes
checked against the public spec and the served document."""

from __future__ import annotations

import uuid
from dataclasses import replace

from number_orders.domain.ids import RandomIds
from number_orders.domain.orders import NumberOrder, OrderedNumber
from number_orders.domain.phone_numbers import (
    PhoneNumber,
    deleted_json,
    parse_phone_number_id,
    phone_number_id,
    phone_number_json,
    purchased,
)
from number_orders.domain.timestamps import format_micros
from tests.support.openapi import assert_matches
from tests.surface_check import assert_matches_schema, schema_properties, surface

AT = 1_780_000_000_000_000


def order(**fields: object) -> NumberOrder:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "status": "success",
        "requirements_met": True,
        "phone_numbers_count": 1,
        "created_at": AT - 10,
        "updated_at": AT - 5,
        "phone_numbers": [],
        "sub_number_orders_ids": [],
    }
    return NumberOrder(**{**values, **fields})  # type: ignore[arg-type]


def record(**fields: object) -> PhoneNumber:
    bought = purchased(
        order(customer_reference="ref-1", connection_id="1521916448077776306"),
        OrderedNumber(str(uuid.uuid4()), "+13125550147", "US", "local", "success"),
        AT,
    )
    return replace(bought, **fields)  # type: ignore[arg-type]


def test_ids_are_19_digit_strings_fixed_by_the_order_number() -> None:
    number_id = str(uuid.uuid4())
    made = phone_number_id(number_id)
    assert made == phone_number_id(number_id)
    assert len(made) == 19 and made.isdigit() and parse_phone_number_id(made) == made
    family = RandomIds(1).family()
    tails = [family.next() for _ in range(1000)]
    assert len({phone_number_id(t) for t in tails}) == 1000
    assert len({phone_number_id(str(uuid.uuid4())) for _ in range(10_000)}) == 10_000


def test_anything_but_19_digits_is_no_id() -> None:
    for text in (
        "",
        "123",
        "0" * 19,
        "1" * 18,
        "1" * 20,
        "12345678901234567a9",
        "+1234567890123456789",
    ):
        assert parse_phone_number_id(text) is None, text


def test_a_bought_number_takes_the_orders_reference_and_connection() -> None:
    made = record()
    assert (made.status, made.source_type, made.tags) == ("active", "number_order", ())
    assert (made.customer_reference, made.connection_id) == ("ref-1", "1521916448077776306")
    assert (made.country_iso_alpha2, made.phone_number_type) == ("US", "local")
    assert made.purchased_at == made.created_at == made.updated_at == AT
    assert made.billing_group_id is None and made.external_pin is None


def test_the_record_has_every_field_of_the_spec_and_fits_both_documents() -> None:
    body = phone_number_json(record(tags=("a", "b"), billing_group_id="bg", external_pin="1234"))
    assert set(body) == schema_properties("PhoneNumberDetailed")
    required = surface()["components"]["schemas"]["PhoneNumberDetailed"]["required"]
    assert set(required) <= set(body)
    assert_matches_schema("PhoneNumberDetailed", body)
    assert_matches("PhoneNumberDetailed", body)
    assert body["tags"] == ["a", "b"] and body["purchased_at"] == format_micros(AT)
    bare = phone_number_json(record(customer_reference=None, connection_id=None))
    assert bare["customer_reference"] is None and bare["external_pin"] is None
    assert_matches_schema("PhoneNumberDetailed", bare)


def test_a_released_record_is_deleted_and_leaves_out_absent_text() -> None:
    body = deleted_json(record(customer_reference=None))
    assert body["status"] == "deleted" and body["phone_number"] == "+13125550147"
    assert None not in body.values() and "customer_reference" not in body
    assert set(body) <= schema_properties("PhoneNumberDeletedDetailed")
    assert_matches_schema("PhoneNumberDeletedDetailed", body)
    assert_matches("PhoneNumberDeletedDetailed", body)
