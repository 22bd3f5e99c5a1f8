"""Number reservations in the domain: the body's rules, what each number becomes, the
reservation's status, and the JSON shape against the published spec."""

from __future__ import annotations

from typing import Any

import pytest

from number_orders.domain.number_reservations import (
    DECIDING,
    EXPIRED,
    HELD_BY_CALLER,
    HELD_ELSEWHERE,
    MAX_NUMBERS,
    ORDERED,
    RESERVED,
    NewReservation,
    NumberReservation,
    ReservedNumber,
    build_reservation,
    decide,
    derive_status,
    nothing_to_extend,
    parse_reservation_id,
    reservation_json,
    waiting,
)
from number_orders.errors import ApiError
from tests.support.openapi import assert_matches
from tests.surface_check import assert_matches_schema

US, US_2, CA, GB = "+13125550123", "+13125550124", "+14165550123", "+442071234567"
NOW = 1_700_000_000_000_000
LATER = NOW + 1_800_000_000


def body(*numbers: Any, **fields: Any) -> dict[str, Any]:
    return {"phone_numbers": [{"phone_number": n} for n in numbers], **fields}


def problems(raw: dict[str, Any]) -> list[tuple[str, str | None]]:
    with pytest.raises(ApiError) as caught:
        NewReservation.from_body(raw)
    assert caught.value.status == 422
    return [(p.code, p.pointer) for p in caught.value.problems]


def ids() -> Any:
    counter = iter(range(1000))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def test_a_valid_body_keeps_the_numbers_in_order_and_the_reference() -> None:
    new = NewReservation.from_body(body(US, GB, customer_reference="MY REF 001"))
    assert [n.e164 for n in new.numbers] == [US, GB]
    assert new.customer_reference == "MY REF 001"
    assert NewReservation.from_body(body(US)).customer_reference is None


def test_every_problem_of_a_body_in_one_422() -> None:
    assert problems({}) == [("10004", "/phone_numbers")]
    assert problems({"phone_numbers": []}) == [("10015", "/phone_numbers")]
    too_many = body(*[f"+1312555{i:04d}" for i in range(MAX_NUMBERS + 1)])
    assert problems(too_many) == [("10015", "/phone_numbers")]
    assert problems({"phone_numbers": "+13125550123"}) == [("10015", "/phone_numbers")]
    assert problems(
        {
            "phone_numbers": [
                "x",
                {},
                {"phone_number": 5},
                {"phone_number": "12345"},
                {"phone_number": US},
                {"phone_number": US},
            ],
            "customer_reference": "",
        }
    ) == [
        ("10015", "/phone_numbers/0"),
        ("10004", "/phone_numbers/1/phone_number"),
        ("10015", "/phone_numbers/2/phone_number"),
        ("10016", "/phone_numbers/3/phone_number"),
        ("10015", "/phone_numbers/5/phone_number"),
        ("10015", "/customer_reference"),
    ]


def test_only_reservable_numbers_wait_for_the_store() -> None:
    new = NewReservation.from_body(body(US, GB, CA))
    reservation = build_reservation(new, NOW, ids())
    assert [n.state for n in reservation.numbers] == [DECIDING, "failure", DECIDING]
    assert waiting(reservation) == [US, CA]
    assert reservation.status == "pending"
    refused = reservation.numbers[1]
    assert refused.errors is not None and "CA and US" in refused.errors
    assert refused.expired_at is None


def test_the_store_decides_the_waiting_numbers() -> None:
    reservation = build_reservation(NewReservation.from_body(body(US, US_2, CA)), NOW, ids())
    decided = decide(reservation, {US_2: False, CA: True}, LATER)
    held, elsewhere, mine = decided.numbers
    assert (held.state, held.status, held.expired_at, held.errors) == (
        RESERVED,
        "success",
        LATER,
        None,
    )
    assert (elsewhere.status, elsewhere.errors) == ("failure", HELD_ELSEWHERE)
    assert (mine.status, mine.errors) == ("failure", HELD_BY_CALLER)
    assert decided.status == "failure"
    assert decide(reservation, {}, LATER).status == "success"


def number(state: str) -> ReservedNumber:
    return ReservedNumber("i", US, state, NOW, NOW, LATER)


def test_a_reservation_is_success_only_when_every_number_was_reserved() -> None:
    assert derive_status((number(RESERVED), number(EXPIRED), number(ORDERED))) == "success"
    assert derive_status((number(RESERVED), number("failure"))) == "failure"
    assert derive_status((number("failure"),)) == "failure"
    assert derive_status((number(RESERVED), number(DECIDING))) == "pending"


def test_a_hold_that_ended_still_reads_as_success_within_the_spec_enum() -> None:
    for state in (RESERVED, EXPIRED, ORDERED):
        assert number(state).status == "success"


def test_ids_are_uuids_in_any_case() -> None:
    upper = "12ADE33A-21C0-473B-B055-B3C836E1C292"
    assert parse_reservation_id(upper) == upper.lower()
    assert parse_reservation_id("not-an-id") is None


def test_extending_a_reservation_that_holds_nothing_is_a_422() -> None:
    error = nothing_to_extend("r-1")
    assert error.status == 422 and "r-1" in error.problems[0].detail


def shaped() -> NumberReservation:
    reservation = build_reservation(
        NewReservation.from_body(body(US, GB, customer_reference="ref")), NOW, ids()
    )
    return decide(reservation, {}, LATER)


def test_the_json_fits_the_published_and_the_served_schema() -> None:
    data = reservation_json(shaped())
    assert_matches_schema("NumberReservation", data)
    assert_matches("NumberReservation", data)
    assert data["record_type"] == "number_reservation" and data["customer_reference"] == "ref"
    held, refused = data["phone_numbers"]
    assert held["record_type"] == "reserved_phone_number"
    assert held["expired_at"] == "2023-11-14T22:43:20.000000Z"
    assert "errors" not in held and "expired_at" not in refused
    assert (
        data["errors"]
        == "Not every number could be reserved (1 of 2 failed); see each number's errors."
    )


def test_absent_optional_fields_are_left_out() -> None:
    reservation = decide(build_reservation(NewReservation.from_body(body(US)), NOW, ids()), {}, 1)
    data = reservation_json(reservation)
    assert "customer_reference" not in data and "errors" not in data
    assert data["status"] == "success"
