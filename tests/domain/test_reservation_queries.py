"""`GET /number_reservations` parameters: paging, the spec's filters, one 400 per bad one."""

from __future__ import annotations

import pytest

from number_orders.domain.parameters import Page
from number_orders.domain.reservation_queries import ReservationQuery
from number_orders.errors import ApiError


def refused(pairs: list[tuple[str, str]]) -> list[str | None]:
    with pytest.raises(ApiError) as raised:
        ReservationQuery.from_params(pairs)
    assert raised.value.status == 400
    return [p.parameter for p in raised.value.problems]


def test_no_parameters_is_the_first_page_of_everything_counted_by_tally() -> None:
    query = ReservationQuery.from_params([])
    assert query == ReservationQuery()
    assert query.page == Page(1, 20) and query.counted_by_tally


def test_every_filter_and_the_page() -> None:
    query = ReservationQuery.from_params(
        [
            ("page[number]", "3"),
            ("page[size]", "250"),
            ("filter[status]", "success"),
            ("filter[created_at][gt]", "2024-01-01"),
            ("filter[created_at][lt]", "2024-01-02T00:00:00Z"),
            ("filter[phone_numbers.phone_number]", "+13125550123"),
            ("filter[customer_reference]", "MY REF 001"),
            ("ignored", "x"),
        ]
    )
    assert query.page == Page(3, 250)
    assert query.status == "success"
    assert query.created_after == 1_704_067_200_000_000
    assert query.created_before == 1_704_153_600_000_000
    assert query.phone_numbers == ("+13125550123",)
    assert query.customer_reference == "MY REF 001"
    assert not query.counted_by_tally


def test_status_alone_is_counted_by_tally_and_the_others_are_not() -> None:
    assert ReservationQuery.from_params([("filter[status]", "failure")]).counted_by_tally
    for key, value in (
        ("filter[created_at][gt]", "2024-01-01"),
        ("filter[created_at][lt]", "2024-01-01"),
        ("filter[phone_numbers.phone_number]", "+13125550123"),
        ("filter[customer_reference]", "r"),
    ):
        assert not ReservationQuery.from_params([(key, value)]).counted_by_tally, key


def test_numbers_arrive_comma_joined_or_repeated() -> None:
    joined = ReservationQuery.from_params(
        [("filter[phone_numbers.phone_number]", "+13125550123,+13125550124")]
    )
    repeated = ReservationQuery.from_params(
        [
            ("filter[phone_numbers.phone_number]", "+13125550123"),
            ("filter[phone_numbers.phone_number]", "+13125550124"),
        ]
    )
    assert joined.phone_numbers == repeated.phone_numbers == ("+13125550123", "+13125550124")


def test_one_problem_per_bad_parameter_in_query_string_order() -> None:
    assert refused(
        [
            ("page[size]", "251"),
            ("page[number]", "0"),
            ("filter[status]", "expired"),
            ("filter[created_at][gt]", "yesterday"),
            ("filter[phone_numbers.phone_number]", "3125550123"),
            ("filter[customer_reference]", ""),
            ("filter[phone_number]", "+13125550123"),
        ]
    ) == [
        "page[size]",
        "page[number]",
        "filter[status]",
        "filter[created_at][gt]",
        "filter[phone_numbers.phone_number]",
        "filter[customer_reference]",
        "filter[phone_number]",
    ]
    assert refused([("filter[status]", "success"), ("filter[status]", "failure")]) == [
        "filter[status]"
    ]
