"""`GET /phone_numbers` parameters: every filter, the sorts, and one 400 problem per bad
parameter."""

from __future__ import annotations

import pytest

from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.errors import ApiError


def query(*pairs: tuple[str, str]) -> PhoneNumberQuery:
    return PhoneNumberQuery.from_params(pairs)


def problems(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    with pytest.raises(ApiError) as raised:
        query(*pairs)
    assert raised.value.status == 400
    return [(p.parameter or "", p.detail) for p in raised.value.problems]


def test_defaults_newest_first_twenty_a_page() -> None:
    q = query()
    assert (q.page_number, q.page_size, q.sort, q.offset) == (1, 20, "purchased_at", 0)
    assert not q.matches_nothing and q.countries == ()


def test_every_filter_reads_into_the_query() -> None:
    q = query(
        ("page[number]", "3"),
        ("page[size]", "250"),
        ("sort", "phone_number"),
        ("filter[status]", "active"),
        ("filter[country_iso_alpha2]", "us,CA"),
        ("filter[country_iso_alpha2]", "GB"),
        ("filter[number_type][eq]", "toll_free"),
        ("filter[source]", "purchased"),
        ("filter[customer_reference]", "ref 1"),
        ("filter[connection_id]", "1521916448077776306"),
        ("filter[billing_group_id]", "null"),
        ("filter[tag]", "vip"),
        ("filter[without_tags]", "true"),
        ("filter[phone_number]", "+1312"),
        ("filter[emergency_address_id]", "null"),
        ("handle_messaging_profile_error", "true"),
    )
    assert (q.page_number, q.page_size, q.offset, q.sort) == (3, 250, 500, "phone_number")
    assert q.status == "active" and q.countries == ("US", "CA", "GB")
    assert (q.phone_number_type, q.source_type) == ("toll_free", "number_order")
    assert (q.customer_reference, q.connection_id) == ("ref 1", "1521916448077776306")
    assert (q.billing_group_id, q.tag, q.untagged, q.digits) == ("null", "vip", True, "1312")
    assert not q.matches_nothing
    assert query(("filter[source]", "ported")).source_type == "port_request"
    assert query(("filter[without_tags]", "false")).untagged is False


@pytest.mark.parametrize(
    "pair",
    [
        ("filter[phone_number]", "13a12"),
        ("filter[phone_number]", "abc"),
        ("filter[emergency_address_id]", "9102160989215728032"),
        ("filter[voice.connection_name][eq]", "office"),
        ("filter[voice.connection_name][contains]", "off"),
        ("filter[voice.connection_name][starts_with]", "off"),
        ("filter[voice.connection_name][ends_with]", "ice"),
        ("filter[voice.usage_payment_method]", "channel"),
    ],
)
def test_filters_no_number_here_can_pass_match_nothing(pair: tuple[str, str]) -> None:
    assert query(pair).matches_nothing


@pytest.mark.parametrize(
    "sort", ["purchased_at", "phone_number", "connection_name", "usage_payment_method"]
)
def test_each_sort_of_the_spec_is_accepted(sort: str) -> None:
    assert query(("sort", sort)).sort == sort


def test_one_problem_per_bad_parameter_in_order() -> None:
    found = problems(
        ("page[size]", "251"),
        ("sort", "-phone_number"),
        ("filter[status]", "owned"),
        ("filter[country_iso_alpha2]", "USA"),
        ("filter[number_type][eq]", "landline"),
        ("filter[phone_number]", "+12"),
        ("filter[without_tags]", "yes"),
        ("filter[voice.connection_name][contains]", "of"),
        ("filter[voice.usage_payment_method]", "free"),
        ("filter[tag]", ""),
        ("filter[unknown]", "x"),
        ("handle_messaging_profile_error", "maybe"),
    )
    assert [p for p, _ in found] == [
        "page[size]",
        "sort",
        "filter[status]",
        "filter[country_iso_alpha2]",
        "filter[number_type][eq]",
        "filter[phone_number]",
        "filter[without_tags]",
        "filter[voice.connection_name][contains]",
        "filter[voice.usage_payment_method]",
        "filter[tag]",
        "filter[unknown]",
        "handle_messaging_profile_error",
    ]
    assert "at least 3 digits" in found[5][1]


def test_a_filter_given_twice_or_a_country_named_twice_is_400() -> None:
    assert problems(("filter[tag]", "a"), ("filter[tag]", "b"))[0][0] == "filter[tag]"
    assert "more than once" in problems(("filter[country_iso_alpha2]", "US,us"))[0][1]


def test_other_top_level_parameters_are_ignored() -> None:
    assert query(("include", "everything")) == query()
