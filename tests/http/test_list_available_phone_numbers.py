"""GET /v2/available_phone_numbers over real HTTP, on both engines: every filter, the 400s,
determinism, and numbers that orders take away from every account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from number_orders.domain.numbering import classify
from tests.http.searching import NUMBERS, Searching, parameters, regions, searching
from tests.support.databases import ENGINES
from tests.support.live import client_for
from tests.surface_check import assert_matches_response

Record = dict[str, Any]


@pytest.fixture(scope="module", params=ENGINES)
def search(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Searching]:
    with searching(request, tmp_path_factory.mktemp("search")) as fixture:
        yield fixture


def type_of(record: Record) -> tuple[str, str]:
    classified = classify(record["phone_number"])
    assert classified is not None
    return classified.country_code, classified.phone_number_type


def feature_names(record: Record) -> set[str]:
    return {f["name"] for f in record["features"]}


# -- the response ------------------------------------------------------------------------


def test_by_default_fifty_us_numbers_in_the_spec_shape(search: Searching) -> None:
    response = search.get(NUMBERS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_matches_response(NUMBERS, body)
    assert len(body["data"]) == 50
    assert body["meta"] == body["metadata"] == {"total_results": 50, "best_effort_results": 0}
    for record in body["data"]:
        assert record["record_type"] == "available_phone_number"
        assert record["phone_number"].startswith("+1") and not record["best_effort"]
        assert regions(record)["country_code"] == "US"
        assert set(record) >= {"vanity_format", "quickship", "reservable", "cost_information"}


def test_without_a_key_it_is_401(search: Searching) -> None:
    with client_for(search.server, None) as anonymous:
        response = anonymous.get(NUMBERS)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "10009"


# -- filters -----------------------------------------------------------------------------


FILTERS: list[tuple[str, Callable[[Record], bool]]] = [
    ("filter[country_code]=gb", lambda r: r["phone_number"].startswith("+44")),
    ("filter[locality]=chicago", lambda r: regions(r)["location"] == "Chicago"),
    ("filter[administrative_area]=TX", lambda r: regions(r)["state"] == "TX"),
    ("filter[rate_center]=CHICAGO", lambda r: regions(r)["rate_center"] == "CHICAGO"),
    ("filter[national_destination_code]=312", lambda r: r["phone_number"].startswith("+1312")),
    ("filter[phone_number][starts_with]=312555", lambda r: r["phone_number"][:8] == "+1312555"),
    ("filter[phone_number][starts_with]=%2B1415", lambda r: r["phone_number"][:5] == "+1415"),
    ("filter[phone_number][ends_with]=42", lambda r: r["phone_number"].endswith("42")),
    ("filter[phone_number][contains]=4242", lambda r: "4242" in r["phone_number"][2:]),
    ("filter[phone_number_type]=toll_free", lambda r: type_of(r) == ("US", "toll_free")),
    (
        "filter[country_code]=AU&filter[phone_number_type]=mobile",
        lambda r: type_of(r) == ("AU", "mobile"),
    ),
    ("filter[features]=sms,mms", lambda r: {"sms", "mms"} <= feature_names(r)),
    ("filter[features]=sms&filter[features]=mms", lambda r: {"sms", "mms"} <= feature_names(r)),
    ("filter[quickship]=true", lambda r: r["quickship"] and type_of(r)[1] == "toll_free"),
    ("filter[reservable]=true", lambda r: r["reservable"]),
    ("filter[best_effort]=false", lambda r: not r["best_effort"]),
    ("filter[exclude_held_numbers]=true", lambda r: r["phone_number"].startswith("+1")),
]


@pytest.mark.parametrize(("query", "holds"), FILTERS, ids=[q for q, _ in FILTERS])
def test_each_filter_keeps_what_it_names(
    search: Searching, query: str, holds: Callable[[Record], bool]
) -> None:
    body = search.body(NUMBERS, f"{query}&filter[limit]=20")
    assert_matches_response(NUMBERS, body)
    assert len(body["data"]) == 20
    for record in body["data"]:
        assert holds(record), record


def test_filters_combine(search: Searching) -> None:
    query = (
        "filter[locality]=Chicago&filter[administrative_area]=IL"
        "&filter[national_destination_code]=773&filter[phone_number][ends_with]=7"
        "&filter[phone_number_type]=local&filter[features]=voice,sms&filter[limit]=10"
    )
    data = search.data(NUMBERS, query)
    assert len(data) == 10
    for record in data:
        assert regions(record)["location"] == "Chicago"
        assert record["phone_number"].startswith("+1773") and record["phone_number"][-1] == "7"
        assert {"voice", "sms"} <= feature_names(record)


def test_comma_joined_and_repeated_features_are_the_same_search(search: Searching) -> None:
    joined = search.numbers("filter[features]=sms,voice&filter[limit]=30")
    repeated = search.numbers("filter[features]=sms&filter[features]=voice&filter[limit]=30")
    assert joined == repeated and len(joined) == 30


def test_features_no_number_offers_find_nothing(search: Searching) -> None:
    assert (
        search.data(NUMBERS, "filter[phone_number_type]=toll_free&filter[features]=emergency") == []
    )
    # German local numbers take no text messages: asking for sms finds mobile ones.
    data = search.data(NUMBERS, "filter[country_code]=DE&filter[features]=sms&filter[limit]=10")
    assert len(data) == 10 and {type_of(r) for r in data} == {("DE", "mobile")}


@pytest.mark.parametrize(
    "query",
    [
        "filter[country_code]=ZZ",
        "filter[country_code]=FI",
        "filter[phone_number_type]=pager",
        "filter[locality]=Atlantis",
        "filter[country_code]=GB&filter[quickship]=true",
        "filter[country_code]=GB&filter[reservable]=true",
        "filter[phone_number][starts_with]=%2B44",
    ],
)
def test_a_value_that_names_nothing_finds_nothing(search: Searching, query: str) -> None:
    assert search.body(NUMBERS, query) == {
        "data": [],
        "meta": {"total_results": 0, "best_effort_results": 0},
        "metadata": {"total_results": 0, "best_effort_results": 0},
    }


@pytest.mark.parametrize("limit", [1, 7, 250, 1000])
def test_limit_caps_the_list_and_meta_counts_it(search: Searching, limit: int) -> None:
    body = search.body(NUMBERS, f"filter[limit]={limit}")
    assert len(body["data"]) == limit == len({r["phone_number"] for r in body["data"]})
    assert body["meta"] == body["metadata"] == {"total_results": limit, "best_effort_results": 0}


def test_best_effort_fills_up_with_nearby_numbers_and_counts_them(search: Searching) -> None:
    # One number per Evanston exchange ends in 4321: too few for the limit.
    exact_query = "filter[locality]=Evanston&filter[phone_number][ends_with]=4321&filter[limit]=80"
    exact = search.data(NUMBERS, exact_query)
    assert 0 < len(exact) < 80 and not any(r["best_effort"] for r in exact)
    body = search.body(NUMBERS, exact_query + "&filter[best_effort]=true")
    data = body["data"]
    assert len(data) == 80 and data[: len(exact)] == exact
    filled = data[len(exact) :]
    assert all(r["best_effort"] and r["phone_number"].endswith("4321") for r in filled)
    assert regions(filled[0])["state"] == "IL"  # the same state first
    counts = {"total_results": 80, "best_effort_results": len(filled)}
    assert body["meta"] == body["metadata"] == counts
    # Outside the US and Canada there is nothing nearby to offer.
    london = "filter[country_code]=GB&filter[locality]=London&filter[phone_number][ends_with]=4321"
    assert not any(
        r["best_effort"] for r in search.data(NUMBERS, london + "&filter[best_effort]=true")
    )


# -- determinism -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "filter[locality]=Seattle&filter[limit]=100",
        "filter[country_code]=JP&filter[phone_number][contains]=77",
        "filter[locality]=Springfield&filter[best_effort]=true&filter[limit]=200",
    ],
)
def test_the_same_search_returns_the_same_numbers_in_the_same_order(
    search: Searching, query: str
) -> None:
    first = search.body(NUMBERS, query)
    assert first["data"]
    assert search.body(NUMBERS, query) == first
    assert search.body(NUMBERS, query, key=search.other_key) == first  # nothing held there


def test_localities_offer_different_numbers(search: Searching) -> None:
    seattle = set(search.numbers("filter[locality]=Seattle"))
    portland = set(search.numbers("filter[locality]=Portland&filter[administrative_area]=OR"))
    assert len(seattle) == len(portland) == 50 and not seattle & portland


# -- held numbers ------------------------------------------------------------------------


def every_view(search: Searching, query: str) -> list[list[str]]:
    """The search as each account sees it, with and without its reservations hidden."""
    return [
        search.numbers(query + exclude, key=key)
        for key in (search.key, search.other_key)
        for exclude in ("", "&filter[exclude_held_numbers]=true")
    ]


def test_an_ordered_number_leaves_the_search_of_every_account(search: Searching) -> None:
    query = "filter[locality]=Denver&filter[limit]=20"
    before = search.numbers(query)
    order = search.order(before[0], before[3])
    pending = every_view(search, query)
    for seen in pending:
        assert before[0] not in seen and before[3] not in seen
        # The rest keep their order, and the next free numbers fill the list.
        assert seen[:18] == [n for i, n in enumerate(before) if i not in (0, 3)]
    assert search.settled(order["id"])["status"] == "success"
    assert every_view(search, query) == pending  # owned now, and still gone


def test_a_number_ordered_by_another_account_never_appears(search: Searching) -> None:
    query = "filter[locality]=Boston&filter[limit]=30"
    before = search.numbers(query)
    taken = before[5:8]
    order = search.order(*taken, key=search.other_key)
    for seen in every_view(search, query):
        assert not set(seen) & set(taken) and len(seen) == 30
    search.settled(order["id"], key=search.other_key)
    for seen in every_view(search, query):
        assert not set(seen) & set(taken)
    # Not by any other road to the same numbers either.
    assert not set(search.numbers("filter[phone_number][starts_with]=" + taken[0][2:])) & set(taken)


# -- bad parameters ----------------------------------------------------------------------


BAD = [
    ("filter[limit]", "0"),
    ("filter[limit]", "1001"),
    ("filter[limit]", "ten"),
    ("filter[limit]", "-5"),
    ("filter[country_code]", "USA"),
    ("filter[country_code]", "1"),
    ("filter[phone_number_type]", "toll-free"),
    ("filter[locality]", ""),
    ("filter[locality]", "x" * 101),
    ("filter[administrative_area]", "%20%20"),
    ("filter[rate_center]", "CHI%00CAGO"),
    ("filter[national_destination_code]", "31a"),
    ("filter[phone_number][starts_with]", "%2B"),
    ("filter[phone_number][starts_with]", "1-312"),
    ("filter[phone_number][ends_with]", "1234567890123456"),
    ("filter[phone_number][contains]", "*42"),
    ("filter[features]", "sms,telepathy"),
    ("filter[features]", ""),
    ("filter[best_effort]", "yes"),
    ("filter[quickship]", "1"),
    ("filter[reservable]", "TRUE"),
    ("filter[exclude_held_numbers]", ""),
    ("filter[phone_number]", "312"),
    ("filter[city]", "Chicago"),
    ("page[number]", "2"),
]


@pytest.mark.parametrize(("parameter", "value"), BAD, ids=[f"{p}={v}" for p, v in BAD])
def test_a_bad_parameter_is_400_with_one_error_naming_it(
    search: Searching, parameter: str, value: str
) -> None:
    response = search.get(NUMBERS, f"filter[locality]=Chicago&{parameter}={value}")
    assert parameters(response) == [parameter]
    assert response.json()["errors"][0]["title"]


def test_every_bad_parameter_gets_its_own_error_in_order(search: Searching) -> None:
    query = "filter[limit]=0&filter[locality]=Chicago&filter[country_code]=USA&filter[quickship]=no"
    assert parameters(search.get(NUMBERS, query)) == [
        "filter[limit]",
        "filter[country_code]",
        "filter[quickship]",
    ]


def test_a_repeated_filter_is_400(search: Searching) -> None:
    response = search.get(NUMBERS, "filter[limit]=5&filter[limit]=6")
    assert parameters(response) == ["filter[limit]"]
    assert "only once" in response.json()["errors"][0]["detail"]


def test_other_parameters_are_ignored(search: Searching) -> None:
    assert search.numbers("utm_source=mail&filter[limit]=5") == search.numbers("filter[limit]=5")
