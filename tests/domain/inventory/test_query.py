"""The search parameters: every filter of the spec, one 400 error per bad parameter."""

from __future__ import annotations

import pytest

from number_orders.domain.inventory.query import BlockQuery, SearchQuery
from number_orders.errors import ApiError


def bad_parameters(
    query: type[SearchQuery] | type[BlockQuery], pairs: list[tuple[str, str]]
) -> list[str]:
    """The parameters named by the 400's errors, in order."""
    with pytest.raises(ApiError) as raised:
        query.from_params(pairs)
    assert raised.value.status == 400
    assert {p.code for p in raised.value.problems} == {"10015"}
    return [p.parameter or "" for p in raised.value.problems]


def test_defaults_search_us_numbers_fifty_at_a_time() -> None:
    query = SearchQuery.from_params([])
    assert query == SearchQuery()
    assert (query.country_code, query.limit, query.phone_number_type) == ("US", 50, None)
    assert not (query.best_effort or query.quickship or query.reservable)
    assert not query.exclude_held_numbers


def test_every_filter_of_the_spec_is_read() -> None:
    query = SearchQuery.from_params(
        [
            ("filter[phone_number][starts_with]", "+1312"),
            ("filter[phone_number][ends_with]", "42"),
            ("filter[phone_number][contains]", "555"),
            ("filter[locality]", "Chicago"),
            ("filter[administrative_area]", "IL"),
            ("filter[country_code]", "us"),
            ("filter[national_destination_code]", "312"),
            ("filter[rate_center]", "CHICAGO"),
            ("filter[phone_number_type]", "local"),
            ("filter[features]", "sms,voice"),
            ("filter[limit]", "0100"),
            ("filter[best_effort]", "true"),
            ("filter[quickship]", "false"),
            ("filter[reservable]", "true"),
            ("filter[exclude_held_numbers]", "true"),
        ]
    )
    assert query == SearchQuery(
        country_code="US",
        phone_number_type="local",
        locality="Chicago",
        administrative_area="IL",
        rate_center="CHICAGO",
        national_destination_code="312",
        starts_with="+1312",
        ends_with="42",
        contains="555",
        features=("sms", "voice"),
        limit=100,
        best_effort=True,
        quickship=False,
        reservable=True,
        exclude_held_numbers=True,
    )


def test_features_arrive_comma_joined_or_repeated() -> None:
    joined = SearchQuery.from_params([("filter[features]", "sms,voice")])
    repeated = SearchQuery.from_params(
        [("filter[features]", "sms"), ("filter[features]", "voice"), ("filter[features]", "sms")]
    )
    assert joined.features == repeated.features == ("sms", "voice")


@pytest.mark.parametrize("value", ["1", "1000", "50", "0007"])
def test_limits_from_one_to_a_thousand(value: str) -> None:
    assert SearchQuery.from_params([("filter[limit]", value)]).limit == int(value)


@pytest.mark.parametrize(
    "value", ["0", "1001", "-1", "1.5", "", "ten", "1e3", "99999999999999999999"]
)
def test_other_limits_are_a_400(value: str) -> None:
    assert bad_parameters(SearchQuery, [("filter[limit]", value)]) == ["filter[limit]"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("filter[country_code]", "USA"),
        ("filter[country_code]", "1A"),
        ("filter[country_code]", ""),
        ("filter[phone_number_type]", "toll-free"),
        ("filter[phone_number_type]", ""),
        ("filter[national_destination_code]", "31a"),
        ("filter[national_destination_code]", "1234567890123456"),
        ("filter[phone_number][starts_with]", "+1-312"),
        ("filter[phone_number][starts_with]", "++1"),
        ("filter[phone_number][ends_with]", ""),
        ("filter[phone_number][contains]", "abc"),
        ("filter[features]", "sms,telepathy"),
        ("filter[features]", "sms,,voice"),
        ("filter[features]", ""),
        ("filter[best_effort]", "yes"),
        ("filter[quickship]", "1"),
        ("filter[reservable]", "TRUE"),
        ("filter[exclude_held_numbers]", ""),
        ("filter[locality]", "  "),
        ("filter[administrative_area]", ""),
        ("filter[rate_center]", "x" * 101),
        ("filter[locality]", "Chi\x00cago"),
        ("filter[locality]", "Chi\udcffcago"),
    ],
)
def test_a_value_of_the_wrong_shape_is_a_400(key: str, value: str) -> None:
    assert bad_parameters(SearchQuery, [(key, value)]) == [key]


def test_unknown_filters_paging_and_repeats_are_a_400() -> None:
    pairs = [
        ("filter[phone_number]", "312"),
        ("filter[color]", "red"),
        ("page[size]", "10"),
        ("filter[limit]", "5"),
        ("filter[limit]", "6"),
    ]
    assert bad_parameters(SearchQuery, pairs) == [
        "filter[phone_number]",
        "filter[color]",
        "page[size]",
        "filter[limit]",
    ]


def test_one_error_per_bad_parameter_in_query_string_order() -> None:
    pairs = [
        ("filter[limit]", "0"),
        ("filter[country_code]", "US"),
        ("filter[best_effort]", "maybe"),
        ("filter[phone_number][ends_with]", "x"),
    ]
    assert bad_parameters(SearchQuery, pairs) == [
        "filter[limit]",
        "filter[best_effort]",
        "filter[phone_number][ends_with]",
    ]


def test_a_well_shaped_value_that_names_nothing_is_a_valid_query() -> None:
    query = SearchQuery.from_params(
        [("filter[country_code]", "zz"), ("filter[phone_number_type]", "pager")]
    )
    assert (query.country_code, query.phone_number_type) == ("ZZ", "pager")


def test_other_top_level_parameters_are_ignored() -> None:
    assert SearchQuery.from_params([("sort", "x"), ("include", "y")]) == SearchQuery()


def test_blocks_take_the_four_filters_of_their_spec() -> None:
    query = BlockQuery.from_params(
        [
            ("filter[country_code]", "GB"),
            ("filter[locality]", "London"),
            ("filter[national_destination_code]", "20"),
            ("filter[phone_number_type]", "local"),
        ]
    )
    assert query == BlockQuery("GB", "local", "London", "20")
    assert query.as_search() == SearchQuery(
        country_code="GB",
        phone_number_type="local",
        locality="London",
        national_destination_code="20",
    )
    assert BlockQuery.from_params([]) == BlockQuery(country_code="US")


def test_number_search_filters_are_a_400_on_blocks() -> None:
    pairs = [("filter[limit]", "5"), ("filter[features]", "sms"), ("filter[locality]", "")]
    assert bad_parameters(BlockQuery, pairs) == [
        "filter[limit]",
        "filter[features]",
        "filter[locality]",
    ]
