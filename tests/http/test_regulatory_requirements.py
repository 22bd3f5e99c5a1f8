"""GET /v2/regulatory_requirements and /v2/phone_numbers_regulatory_requirements over real
HTTP, on both engines: what numbers, groups and countries need, from the configured rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from number_orders.domain.regulatory import requirement_id
from tests.domain.surface import assert_response
from tests.http.regulatory import GB_ADDRESS, GB_DOCUMENT, UNKNOWN, Regulatory
from tests.http.regulatory import regulatory_server as _server
from tests.support.databases import ENGINES
from tests.support.orders import number


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def ids(entry: dict[str, object]) -> list[str]:
    return [r["id"] for r in entry["regulatory_requirements"]]  # type: ignore[attr-defined]


def test_what_a_number_needs(server: Regulatory) -> None:
    body = server.ok(
        "GET", "/regulatory_requirements", params={"filter[phone_number]": number("GB")}
    )
    assert_response("/regulatory_requirements", "get", body)
    (entry,) = body["data"]
    assert (entry["country_code"], entry["phone_number_type"], entry["action"]) == (
        "GB",
        "local",
        "ordering",
    )
    assert ids(entry) == [GB_ADDRESS, GB_DOCUMENT]
    # A test number that needs an address needs it even in the US.
    (test_number,) = server.ok(
        "GET", "/regulatory_requirements", params={"filter[phone_number]": number("US", "0001")}
    )["data"]
    assert ids(test_number) == [requirement_id("US", "address")]
    (plain,) = server.ok(
        "GET", "/regulatory_requirements", params={"filter[phone_number]": number("US")}
    )["data"]
    assert plain["regulatory_requirements"] == []


def test_what_a_country_or_everything_needs(server: Regulatory) -> None:
    swiss = server.ok(
        "GET",
        "/regulatory_requirements",
        params={"filter[country_code]": "ch", "filter[phone_number_type]": "mobile"},
    )
    (entry,) = swiss["data"]
    assert (entry["country_code"], ids(entry)) == ("CH", [requirement_id("CH", "address")])
    everything = server.ok("GET", "/regulatory_requirements")
    assert_response("/regulatory_requirements", "get", everything)
    assert len(everything["data"]) == 70
    porting = server.ok("GET", "/regulatory_requirements", params={"filter[action]": "porting"})
    assert porting["data"] == []
    (japan,) = server.ok(
        "GET",
        "/regulatory_requirements",
        params={"filter[country_code]": "JP", "filter[phone_number_type]": "toll_free"},
    )["data"]
    textual = japan["regulatory_requirements"][0]
    assert textual["field_type"] == "textual"
    assert textual["acceptance_criteria"] == {"min_length": "1", "max_length": "255"}


def test_what_a_requirement_group_needs_and_only_the_owners(server: Regulatory) -> None:
    group = server.group("GB")
    (entry,) = server.ok(
        "GET", "/regulatory_requirements", params={"filter[requirement_group_id]": group["id"]}
    )["data"]
    assert (entry["country_code"], ids(entry)) == ("GB", [GB_ADDRESS, GB_DOCUMENT])
    for key, group_id in ((server.other_key, group["id"]), (None, UNKNOWN)):
        response = server.get(
            "/regulatory_requirements", key, **{"filter[requirement_group_id]": group_id}
        )
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["code"] == "10005"


def test_phone_numbers_each_with_what_ordering_it_needs(server: Regulatory) -> None:
    gb, us, test_number = number("GB"), number("US"), number("US", "0002")
    body = server.ok(
        "GET",
        "/phone_numbers_regulatory_requirements",
        params={"filter[phone_number]": f"{gb},{us},{test_number}"},
    )
    assert_response("/phone_numbers_regulatory_requirements", "get", body)
    assert [e["phone_number"] for e in body["data"]] == [gb, us, test_number]
    assert [ids(e) for e in body["data"]] == [
        [GB_ADDRESS, GB_DOCUMENT],
        [],
        [requirement_id("US", "address")],
    ]
    assert body["data"][0]["region_information"] == [
        {"region_type": "country_code", "region_name": "GB"}
    ]
    assert body["meta"] == {"page_number": 1, "page_size": 3, "total_pages": 1, "total_results": 3}


@pytest.mark.parametrize(
    ("path", "query", "parameters"),
    [
        ("/phone_numbers_regulatory_requirements", "", ["filter[phone_number]"]),
        (
            "/phone_numbers_regulatory_requirements",
            "filter[phone_number]=%2B999123",
            ["filter[phone_number]"],
        ),
        (
            "/phone_numbers_regulatory_requirements",
            "filter[phone_number]=4420",
            ["filter[phone_number]"],
        ),
        (
            "/phone_numbers_regulatory_requirements",
            "filter[phone_numbers]=%2B4420",
            ["filter[phone_numbers]"],
        ),
        (
            "/regulatory_requirements",
            "filter[phone_number]=0044&filter[requirement_group_id]=42&filter[action]=both",
            ["filter[phone_number]", "filter[requirement_group_id]", "filter[action]"],
        ),
        ("/regulatory_requirements", "filter[phone_number]=%2B999123", ["filter[phone_number]"]),
        (
            "/regulatory_requirements",
            "filter[country_code]=GBR&page[size]=5",
            ["filter[country_code]", "page[size]"],
        ),
    ],
)
def test_each_bad_parameter_is_a_400_naming_it(
    server: Regulatory, path: str, query: str, parameters: list[str]
) -> None:
    response = server.get(f"{path}?{query}")
    assert response.status_code == 400, response.text
    assert [e["source"]["parameter"] for e in response.json()["errors"]] == parameters
