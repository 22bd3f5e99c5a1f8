"""GET /v2/available_phone_number_blocks over real HTTP, on both engines: its four filters,
the 400s, determinism, and blocks that an ordered number breaks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from number_orders.domain.numbering import classify
from tests.http.searching import BLOCKS, Searching, parameters, regions, searching
from tests.support.databases import ENGINES
from tests.surface_check import assert_matches_response

Record = dict[str, Any]


@pytest.fixture(scope="module", params=ENGINES)
def search(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Searching]:
    with searching(request, tmp_path_factory.mktemp("blocks")) as fixture:
        yield fixture


def numbers_of(block: Record) -> list[str]:
    first = int(block["phone_number"])
    return [f"+{first + i}" for i in range(block["range"])]


def kind(block: Record) -> tuple[str, str]:
    classified = classify(block["phone_number"])
    assert classified is not None
    return classified.country_code, classified.phone_number_type


def test_blocks_are_aligned_ranges_of_us_numbers_in_the_spec_shape(search: Searching) -> None:
    body = search.body(BLOCKS)
    assert_matches_response(BLOCKS, body)
    data = body["data"]
    assert data and body["meta"] == {"total_results": len(data), "best_effort_results": 0}
    assert {b["range"] for b in data} <= {10, 100}
    for block in data:
        assert block["record_type"] == "available_phone_number_block"
        zeros = len(str(block["range"])) - 1
        assert block["phone_number"].startswith("+1") and block["phone_number"].endswith(
            "0" * zeros
        )
        assert regions(block)["country_code"] == "US"


FILTERS: list[tuple[str, Callable[[Record], bool]]] = [
    ("filter[country_code]=gb", lambda b: kind(b)[0] == "GB"),
    ("filter[locality]=chicago", lambda b: regions(b)["location"] == "Chicago"),
    ("filter[national_destination_code]=415", lambda b: b["phone_number"].startswith("+1415")),
    ("filter[phone_number_type]=toll_free", lambda b: kind(b) == ("US", "toll_free")),
    (
        "filter[country_code]=DE&filter[national_destination_code]=30",
        lambda b: b["phone_number"].startswith("+4930"),
    ),
]


@pytest.mark.parametrize(("query", "holds"), FILTERS, ids=[q for q, _ in FILTERS])
def test_each_filter_keeps_what_it_names(
    search: Searching, query: str, holds: Callable[[Record], bool]
) -> None:
    body = search.body(BLOCKS, query)
    assert_matches_response(BLOCKS, body)
    assert body["data"]
    for block in body["data"]:
        assert holds(block), block


@pytest.mark.parametrize(
    "query", ["filter[country_code]=ZZ", "filter[locality]=Atlantis", "filter[phone_number_type]=x"]
)
def test_a_value_that_names_nothing_finds_nothing(search: Searching, query: str) -> None:
    assert search.body(BLOCKS, query) == {
        "data": [],
        "meta": {"total_results": 0, "best_effort_results": 0},
    }


def test_the_same_search_returns_the_same_blocks(search: Searching) -> None:
    query = "filter[locality]=Houston"
    first = search.body(BLOCKS, query)
    assert first["data"]
    assert search.body(BLOCKS, query) == first
    assert search.body(BLOCKS, query, key=search.other_key) == first


def test_a_block_with_an_ordered_number_leaves_the_search_of_every_account(
    search: Searching,
) -> None:
    query = "filter[locality]=Phoenix"
    before = search.data(BLOCKS, query)
    broken = before[1]
    order = search.order(numbers_of(broken)[5], key=search.other_key)
    for key in (search.key, search.other_key):
        after = search.data(BLOCKS, query, key=key)
        assert broken not in after and after[:1] == before[:1] and after[1:3] == before[2:4]
    search.settled(order["id"], key=search.other_key)
    assert broken not in search.data(BLOCKS, query)


def test_the_numbers_of_a_block_are_offered_by_the_number_search(search: Searching) -> None:
    block = search.data(BLOCKS, "filter[locality]=Tucson&filter[phone_number_type]=local")[0]
    digits = block["phone_number"][2:-1]
    found = search.numbers(f"filter[phone_number][starts_with]={digits}&filter[limit]=10")
    assert set(found) <= set(numbers_of(block)) and found


BAD = [
    ("filter[country_code]", "U5"),
    ("filter[locality]", ""),
    ("filter[national_destination_code]", "4l5"),
    ("filter[phone_number_type]", "toll%20free"),
    ("filter[limit]", "5"),  # not a filter of blocks
    ("filter[features]", "sms"),
    ("page[size]", "5"),
]


@pytest.mark.parametrize(("parameter", "value"), BAD, ids=[f"{p}={v}" for p, v in BAD])
def test_a_bad_parameter_is_400_with_one_error_naming_it(
    search: Searching, parameter: str, value: str
) -> None:
    assert parameters(search.get(BLOCKS, f"{parameter}={value}")) == [parameter]


def test_every_bad_parameter_gets_its_own_error(search: Searching) -> None:
    query = "filter[country_code]=USA&filter[locality]=Chicago&filter[national_destination_code]=x"
    assert parameters(search.get(BLOCKS, query)) == [
        "filter[country_code]",
        "filter[national_destination_code]",
    ]
