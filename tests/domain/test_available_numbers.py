"""The number search over the simulated inventory, against SURFACE.md and the spec."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from number_orders.domain.available_numbers import (
    SUPPORTED_COUNTRIES,
    BlockQuery,
    Inventory,
    SearchQuery,
    parse_countries,
)
from number_orders.domain.forced_outcomes import FORCED_SUFFIXES
from number_orders.domain.inventory.blocks import block_numbers
from number_orders.domain.inventory.catalogue import PHONE_NUMBER_TYPES, type_catalogue
from number_orders.domain.inventory.search import PICKS_BASE, PICKS_PER_RESULT
from number_orders.domain.numbering import classify
from tests.surface_check import assert_matches_response, assert_matches_schema, schema_properties

INVENTORY = Inventory()


class Holdings:
    """A held-numbers predicate over fixed sets, recording every call."""

    def __init__(self, held: Iterable[str] = (), own: Iterable[str] = (), everything: bool = False):
        self.held = set(held)
        self.own = set(own)  # the caller's own reservations
        self.everything = everything
        self.calls: list[tuple[list[str], bool]] = []

    def __call__(self, numbers: list[str], *, include_own_reservations: bool) -> set[str]:
        self.calls.append((list(numbers), include_own_reservations))
        if self.everything:
            return set(numbers)
        taken = self.held | (self.own if include_own_reservations else set())
        return taken.intersection(numbers)

    @property
    def offered(self) -> int:
        return sum(len(numbers) for numbers, _ in self.calls)


def type_of(phone_number: str) -> str:
    """The type `classify` gives a number the search offered (it must classify)."""
    classified = classify(phone_number)
    assert classified is not None, phone_number
    return classified.phone_number_type


def search(
    inventory: Inventory = INVENTORY, held: Holdings | None = None, /, **filters: Any
) -> dict[str, Any]:
    return inventory.list_available_phone_numbers(SearchQuery(**filters), held or Holdings())


def numbers(**filters: Any) -> list[str]:
    return [r["phone_number"] for r in search(**filters)["data"]]


def regions(record: dict[str, Any]) -> dict[str, str]:
    return {r["region_type"]: r["region_name"] for r in record["region_information"]}


# -- filters ---------------------------------------------------------------------------


def test_locality_state_and_rate_center_name_us_areas() -> None:
    for filters in (
        {"locality": "chicago"},
        {"rate_center": "CHICAGO"},
        {"locality": "Chicago", "administrative_area": "il"},
    ):
        data = search(limit=40, **filters)["data"]
        assert len(data) == 40
        for record in data:
            assert regions(record) == {
                "country_code": "US",
                "state": "IL",
                "location": "Chicago",
                "rate_center": "CHICAGO",
            }
    assert {regions(r)["state"] for r in search(administrative_area="TX")["data"]} == {"TX"}
    assert {
        regions(r)["state"] for r in search(country_code="CA", administrative_area="ON")["data"]
    } == {"ON"}


def test_localities_elsewhere_come_from_the_geocoder_without_state_or_rate_center() -> None:
    data = search(country_code="GB", locality="London", limit=20)["data"]
    assert len(data) == 20
    for record in data:
        assert regions(record) == {"country_code": "GB", "location": "London"}
        assert record["phone_number"].startswith("+442")
    assert search(country_code="GB", administrative_area="IL")["data"] == []
    assert search(country_code="GB", rate_center="LONDON")["data"] == []


def test_national_destination_code_and_patterns_after_it() -> None:
    assert all(n.startswith("+1312") for n in numbers(national_destination_code="312"))
    assert all(
        n.startswith("+4420") for n in numbers(country_code="GB", national_destination_code="20")
    )
    assert all(
        n.startswith("+49301")
        for n in numbers(country_code="DE", national_destination_code="30", starts_with="1")
    )
    found = numbers(national_destination_code="312", starts_with="555")
    assert found and all(n.startswith("+1312555") for n in found)
    # With a code, `contains` and `ends_with` look only at the digits after it.
    found = numbers(national_destination_code="312", contains="312", limit=30)
    assert len(found) == 30 and all("312" in n[5:] for n in found)
    assert numbers(national_destination_code="312", ends_with="3121234567") == []


def test_starts_with_reads_national_digits_or_the_calling_code_first() -> None:
    national = numbers(starts_with="312", limit=20)
    assert (
        national == numbers(starts_with="+1312", limit=20) == numbers(starts_with="1312", limit=20)
    )
    assert len(national) == 20 and all(n.startswith("+1312") for n in national)
    assert all(n.startswith("+4420") for n in numbers(country_code="GB", starts_with="+4420"))
    assert numbers(starts_with="+44") == []  # another country's calling code


def test_ends_with_and_contains_match_the_national_number() -> None:
    ending = numbers(ends_with="42", limit=100)
    assert len(ending) == 100 and all(n.endswith("42") for n in ending)
    inside = numbers(contains="4242", limit=100)
    assert len(inside) == 100 and all("4242" in n[2:] for n in inside)
    both = numbers(country_code="FR", starts_with="1", contains="99", ends_with="7")
    assert both and all(n.startswith("+331") and "99" in n[3:] and n.endswith("7") for n in both)


@pytest.mark.parametrize(
    ("country", "kind"),
    [
        ("US", "toll_free"),
        ("US", "national"),
        ("GB", "mobile"),
        ("DE", "shared_cost"),
        ("AU", "mobile"),
    ],
)
def test_phone_number_type_is_the_type_orders_classify(country: str, kind: str) -> None:
    found = numbers(country_code=country, phone_number_type=kind, limit=25)
    assert len(found) == 25
    for number in found:
        classified = classify(number)
        assert classified is not None
        assert (classified.country_code, classified.phone_number_type) == (country, kind)


def test_every_listed_feature_must_be_offered() -> None:
    data = search(country_code="DE", features=("sms",), limit=20)["data"]
    assert data  # German local numbers take no text messages; mobile ones do
    for record in data:
        assert {"name": "sms"} in record["features"]
        assert type_of(record["phone_number"]) == "mobile"
    assert search(phone_number_type="toll_free", features=("emergency",))["data"] == []


def test_quickship_and_reservable_keep_numbers_that_qualify() -> None:
    data = search(quickship=True, limit=20)["data"]
    assert len(data) == 20 and all(r["quickship"] for r in data)
    assert {type_of(r["phone_number"]) for r in data} == {"toll_free"}
    assert search(country_code="GB", quickship=True)["data"] == []
    assert all(r["reservable"] for r in search(reservable=True)["data"])
    assert search(country_code="GB", reservable=True)["data"] == []
    # false filters nothing out
    assert numbers(quickship=False, reservable=False) == numbers()


def test_limit_caps_data_and_meta_counts_it() -> None:
    for limit in (1, 7, 50):
        body = search(limit=limit)
        assert len(body["data"]) == limit
        assert (
            body["meta"] == body["metadata"] == {"total_results": limit, "best_effort_results": 0}
        )


def test_unknown_country_type_or_locality_finds_nothing() -> None:
    for filters in (
        {"country_code": "ZZ"},
        {"country_code": "FI"},  # real, but not supported by default
        {"phone_number_type": "pager"},
        {"locality": "Atlantis"},
        {
            "country_code": "CA",
            "phone_number_type": "toll_free",
        },  # +1 toll-free numbers are US ones
    ):
        assert search(**filters) == {
            "data": [],
            "meta": {"total_results": 0, "best_effort_results": 0},
            "metadata": {"total_results": 0, "best_effort_results": 0},
        }


def test_countries_are_configurable() -> None:
    only_gb = Inventory(countries=("GB",))
    assert search(only_gb)["data"] == []
    assert search(only_gb, country_code="GB")["data"]
    assert (
        search(Inventory(countries=("FI",)), country_code="FI", limit=5)["meta"]["total_results"]
        == 5
    )
    assert parse_countries(" us, gb ,US") == ("US", "GB")
    assert parse_countries("") == SUPPORTED_COUNTRIES
    for text in ("USA", "U1", "XX"):
        with pytest.raises(ValueError, match="inventory country"):
            parse_countries(text)


# -- determinism and variety -----------------------------------------------------------


def test_the_same_search_returns_the_same_numbers_in_the_same_order() -> None:
    first = numbers(locality="Chicago", limit=100)
    assert numbers(locality="Chicago", limit=100) == first
    assert [
        r["phone_number"] for r in search(Inventory(), locality="Chicago", limit=100)["data"]
    ] == first
    assert numbers(locality="Chicago", limit=10) == first[:10]


def test_another_seed_draws_other_numbers() -> None:
    first = numbers(locality="Chicago", limit=50)
    other = [
        r["phone_number"]
        for r in search(Inventory(seed="other"), locality="Chicago", limit=50)["data"]
    ]
    assert len(other) == 50 and not set(first) & set(other)


def test_results_differ_per_locality_and_spread_over_exchanges() -> None:
    chicago = numbers(locality="Chicago", limit=50)
    evanston = numbers(locality="Evanston", limit=50)
    assert not set(chicago) & set(evanston)
    assert len({n[:8] for n in chicago}) > 25  # many NPA-NXX exchanges, not one
    assert len({n[2:5] for n in numbers(limit=50)}) > 25  # many area codes country-wide
    assert len({regions(r)["location"] for r in search(country_code="DE", limit=50)["data"]}) > 25


def test_no_test_number_is_ever_offered() -> None:
    assert numbers(ends_with="0000") == numbers(ends_with="0001") == numbers(ends_with="0002") == []
    # Ending in 000: one candidate in ten ends in 0000 and is skipped.
    found = numbers(ends_with="000", limit=300) + numbers(limit=1000)
    assert found and not [n for n in found if n.endswith(FORCED_SUFFIXES)]


def test_every_country_and_type_offers_numbers_of_its_country_and_type() -> None:
    for country in SUPPORTED_COUNTRIES:
        for kind in PHONE_NUMBER_TYPES:
            if type_catalogue(country, kind) is None:
                continue
            found = numbers(country_code=country, phone_number_type=kind, limit=10)
            assert found, (country, kind)
            for number in found:
                classified = classify(number)
                assert classified is not None and not number.endswith(FORCED_SUFFIXES)
                assert (classified.country_code, classified.phone_number_type) == (country, kind)


# -- holdings --------------------------------------------------------------------------


def test_held_numbers_are_never_returned_and_the_rest_keep_their_order() -> None:
    first = numbers(locality="Chicago", limit=60)
    held = Holdings(held=first[::2])
    again = [
        r["phone_number"] for r in search(INVENTORY, held, locality="Chicago", limit=60)["data"]
    ]
    assert len(again) == 60 and not set(again) & held.held
    assert again[:30] == first[1::2]


def test_own_reservations_show_unless_held_numbers_are_excluded() -> None:
    first = numbers(limit=10)
    held = Holdings(own=first[:3])
    assert [r["phone_number"] for r in search(INVENTORY, held, limit=10)["data"]] == first
    assert {flag for _, flag in held.calls} == {False}
    hidden = Holdings(own=first[:3])
    found = [
        r["phone_number"]
        for r in search(INVENTORY, hidden, limit=10, exclude_held_numbers=True)["data"]
    ]
    assert found[:7] == first[3:] and not set(found) & hidden.own
    assert {flag for _, flag in hidden.calls} == {True}


def test_a_search_asks_about_a_few_more_numbers_than_it_shows() -> None:
    for limit in (1, 50, 1000):
        held = Holdings()
        assert len(search(INVENTORY, held, limit=limit)["data"]) == limit
        assert len(held.calls) == 1 and held.offered <= limit + limit // 4 + 8


def test_a_search_ends_when_everything_is_held() -> None:
    for limit in (10, 1000):
        held = Holdings(everything=True)
        assert search(INVENTORY, held, limit=limit)["data"] == []
        assert held.offered <= PICKS_PER_RESULT * limit + PICKS_BASE
        assert len(held.calls) < 20  # batches grow with what is missing, not one by one


# -- best effort -----------------------------------------------------------------------


def test_best_effort_fills_with_the_same_state_then_the_same_country() -> None:
    # One number per Evanston exchange ends in 4321: too few for the limit.
    exact = search(locality="Evanston", ends_with="4321", limit=200)["data"]
    assert 0 < len(exact) < 200
    body = search(locality="Evanston", ends_with="4321", limit=200, best_effort=True)
    data = body["data"]
    assert data[: len(exact)] == exact
    filled = data[len(exact) :]
    assert len(data) == 200 and filled
    assert all(r["best_effort"] and r["phone_number"].endswith("4321") for r in filled)
    states = [regions(r)["state"] for r in filled]
    in_state = (
        states.index(next(s for s in states if s != "IL")) if set(states) != {"IL"} else len(states)
    )
    assert set(states[:in_state]) == {"IL"} and in_state > 0  # the state first, then elsewhere
    assert (
        body["meta"]
        == body["metadata"]
        == {"total_results": 200, "best_effort_results": len(filled)}
    )


def test_best_effort_for_an_unknown_locality_searches_the_country() -> None:
    data = search(locality="Atlantis", best_effort=True, limit=10)["data"]
    assert len(data) == 10 and all(r["best_effort"] for r in data)


def test_best_effort_only_in_the_us_and_canada() -> None:
    data = search(
        country_code="GB", locality="London", ends_with="4321", limit=500, best_effort=True
    )["data"]
    assert data and not any(r["best_effort"] for r in data)
    assert all(regions(r)["location"] == "London" for r in data)


def test_best_effort_after_a_destination_code_keeps_the_digits_after_it() -> None:
    data = search(
        national_destination_code="312", starts_with="6251234", limit=50, best_effort=True
    )["data"]
    assert len(data) == 50
    assert all(r["phone_number"][5:] == "6251234" for r in data)
    assert {r["best_effort"] for r in data} == {False, True}


# -- shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize("country", SUPPORTED_COUNTRIES)
def test_every_result_fits_the_spec(country: str) -> None:
    body = search(country_code=country, limit=30)
    assert_matches_response("/available_phone_numbers", body)
    for record in body["data"]:
        assert_matches_schema("AvailablePhoneNumber", record)
        assert set(record) == schema_properties("AvailablePhoneNumber")
        for region in record["region_information"]:
            assert set(region) == schema_properties("RegionInformation")
        assert set(record["cost_information"]) == schema_properties("CostInformation")
        assert record["record_type"] == "available_phone_number"
        assert record["vanity_format"] == ""
        assert record["reservable"] == (country in ("US", "CA"))
        assert regions(record)["country_code"] == country


def test_a_us_local_number_in_full() -> None:
    [record] = search(locality="Chicago", limit=1)["data"]
    assert record == {
        "record_type": "available_phone_number",
        "phone_number": record["phone_number"],
        "vanity_format": "",
        "best_effort": False,
        "quickship": False,
        "reservable": True,
        "region_information": [
            {"region_type": "country_code", "region_name": "US"},
            {"region_type": "state", "region_name": "IL"},
            {"region_type": "location", "region_name": "Chicago"},
            {"region_type": "rate_center", "region_name": "CHICAGO"},
        ],
        "cost_information": {"upfront_cost": "1.00", "monthly_cost": "1.00", "currency": "USD"},
        "features": [
            {"name": n}
            for n in (
                "sms",
                "mms",
                "voice",
                "fax",
                "emergency",
                "hd_voice",
                "international_sms",
                "local_calling",
            )
        ],
    }


# -- blocks ----------------------------------------------------------------------------


def blocks(held: Holdings | None = None, **filters: Any) -> dict[str, Any]:
    return INVENTORY.list_available_phone_number_blocks(BlockQuery(**filters), held or Holdings())


def test_blocks_are_aligned_ranges_of_consecutive_valid_numbers() -> None:
    body = blocks(locality="Chicago")
    assert_matches_response("/available_phone_number_blocks", body)
    data = body["data"]
    assert body["meta"] == {"total_results": len(data), "best_effort_results": 0}
    assert {b["range"] for b in data} == {10, 100}
    for record in data:
        assert_matches_schema("AvailablePhoneNumberBlock", record)
        assert set(record) == schema_properties("AvailablePhoneNumberBlock")
        assert record["phone_number"].endswith("0" * (len(str(record["range"])) - 1))
        assert regions(record)["location"] == "Chicago"
        price = 1 * record["range"]
        assert record["cost_information"]["monthly_cost"] == f"{price}.00"
        first = int(record["phone_number"])
        for offset in range(record["range"]):
            number = f"+{first + offset}"
            classified = classify(number)
            assert classified is not None and classified.phone_number_type == "local"
            assert not number.endswith(FORCED_SUFFIXES)


def test_blocks_filter_like_numbers_and_avoid_held_numbers() -> None:
    assert all(
        b["phone_number"].startswith("+4420")
        for b in blocks(country_code="GB", national_destination_code="20")["data"]
    )
    free = blocks(phone_number_type="toll_free")["data"]
    assert free and all(type_of(b["phone_number"]) == "toll_free" for b in free)
    first = blocks()["data"]
    inside = first[0]
    held = Holdings(held=[f"+{int(inside['phone_number']) + 5}"])
    again = blocks(held=held)["data"]
    assert inside not in again and again[0] == first[1]
    assert blocks(country_code="ZZ")["data"] == blocks(locality="Atlantis")["data"] == []


def test_block_numbers_cover_the_range() -> None:
    [found] = [b for b in INVENTORY.search_blocks(BlockQuery(), Holdings())[:1]]
    listed = block_numbers(found)
    assert len(listed) == found.range and listed[0] == found.phone_number
    assert len(set(listed)) == found.range


def test_warming_builds_the_catalogues_of_the_inventorys_countries_only() -> None:
    inventory = Inventory(countries=("NL",))
    before = type_catalogue.cache_info()
    inventory.warm_country("FI")
    assert type_catalogue.cache_info() == before  # not on offer: nothing to build
    inventory.warm_country("NL")
    built = type_catalogue.cache_info()
    for name in PHONE_NUMBER_TYPES:
        type_catalogue("NL", name)
    after = type_catalogue.cache_info()
    assert (after.hits, after.misses) == (built.hits + len(PHONE_NUMBER_TYPES), built.misses)
