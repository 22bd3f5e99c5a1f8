"""GET /v2/requirements and /v2/requirement_types (and by id) over real HTTP, on both
engines: generated from the configured rules, with the ids ordered numbers carry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from number_orders.domain.regulatory import requirement_id
from tests.domain.surface import assert_response
from tests.http.regulatory import GB_ADDRESS, GB_DOCUMENT, MALFORMED, UNKNOWN, Regulatory
from tests.http.regulatory import regulatory_server as _server
from tests.support.databases import ENGINES
from tests.support.orders import number, order_body


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def test_requirements_page_with_exact_meta(server: Regulatory) -> None:
    body = server.ok("GET", "/requirements", params={"page[size]": "30", "page[number]": "3"})
    assert_response("/requirements", "get", body)
    # 14 countries times 5 number types, 30 a page.
    assert body["meta"] == {
        "page_number": 3,
        "page_size": 30,
        "total_pages": 3,
        "total_results": 70,
    }
    assert len(body["data"]) == 10
    default = server.ok("GET", "/requirements")
    assert default["meta"]["page_size"] == 20 and len(default["data"]) == 20


def test_a_configured_rule_shows_in_the_catalogue(server: Regulatory) -> None:
    body = server.ok(
        "GET",
        "/requirements",
        params={"filter[country_code]": "gb", "filter[phone_number_type]": "mobile"},
    )
    (gb,) = body["data"]
    assert (gb["country_code"], gb["phone_number_type"], gb["action"]) == (
        "GB",
        "mobile",
        "ordering",
    )
    assert [(t["id"], t["type"]) for t in gb["requirement_types"]] == [
        (GB_ADDRESS, "address"),
        (GB_DOCUMENT, "document"),
    ]
    (us,) = server.ok(
        "GET",
        "/requirements",
        params={"filter[country_code]": "US", "filter[phone_number_type]": "local"},
    )["data"]
    assert us["requirement_types"] == []
    one = server.ok("GET", f"/requirements/{gb['id'].upper()}")
    assert_response("/requirements/{id}", "get", one)
    assert one["data"] == gb


def test_requirements_sort_filter_and_version(server: Regulatory) -> None:
    body = server.ok(
        "GET",
        "/requirements",
        params={"sort": "-country_code,phone_number_type", "page[size]": "5"},
    )
    assert [r["country_code"] for r in body["data"]] == ["US"] * 5
    assert [r["phone_number_type"] for r in body["data"]] == sorted(
        r["phone_number_type"] for r in body["data"]
    )
    repeated = server.get(
        "/requirements?sort[]=-country_code&sort[]=phone_number_type&page[size]=5"
    )
    assert repeated.json()["data"] == body["data"]
    for params in ({"version": "2"}, {"filter[action]": "porting"}, {"filter[country_code]": "CH"}):
        empty = server.ok("GET", "/requirements", params=params)
        assert empty["data"] == [] and empty["meta"]["total_results"] == 0
    first = body["data"][0]["id"]
    assert (
        server.ok("GET", f"/requirements/{first}", params={"version": "1"})["data"]["id"] == first
    )
    assert server.get(f"/requirements/{first}", version="2").status_code == 404


def test_requirement_types_list_filter_and_retrieve(server: Regulatory) -> None:
    body = server.ok("GET", "/requirement_types")
    assert_response("/requirement_types", "get", body)
    # Every country has an address type (the test numbers need one even in the US);
    # GB a document too; JP a text and a date.
    assert body["meta"]["total_results"] == len(body["data"]) == 14 + 1 + 2
    named = server.ok(
        "GET", "/requirement_types", params={"filter[name][contains]": "proof of", "sort": "-name"}
    )
    assert [(t["id"], t["name"]) for t in named["data"]] == [
        (GB_DOCUMENT, "Proof of identity (GB)")
    ]
    assert named["meta"] == {"page_number": 1, "page_size": 1, "total_pages": 1, "total_results": 1}
    one = server.ok("GET", f"/requirement_types/{GB_DOCUMENT}")
    assert_response("/requirement_types/{id}", "get", one)
    assert one["data"] == named["data"][0]
    assert one["data"]["type"] == "document"


def test_the_ids_an_order_carries_resolve_in_the_catalogue(server: Regulatory) -> None:
    test_number = number("US", "0001")
    order = server.ok("POST", "/number_orders", json=order_body(number("GB"), test_number))["data"]
    carried = {
        r["requirement_id"]: r["field_type"]
        for n in order["phone_numbers"]
        for r in n["regulatory_requirements"]
    }
    assert carried == {
        GB_ADDRESS: "address",
        GB_DOCUMENT: "document",
        requirement_id("US", "address"): "address",
    }
    for requirement, field_type in carried.items():
        found = server.ok("GET", f"/requirement_types/{requirement}")["data"]
        assert found["id"] == requirement and found["type"] == field_type


@pytest.mark.parametrize("path", ["/requirements", "/requirement_types"])
def test_unknown_and_malformed_ids_are_404(server: Regulatory, path: str) -> None:
    for bad in [UNKNOWN, *MALFORMED]:
        response = server.get(f"{path}/{bad}")
        assert response.status_code == 404, (bad, response.text)
        assert response.json()["errors"][0]["code"] == "10005"


def test_each_bad_parameter_is_a_400_naming_it(server: Regulatory) -> None:
    response = server.get(
        "/requirements?filter[country_code]=GBR&filter[phone_number_type]=landline"
        "&sort=name&version=0&page[size]=251&filter[locality]=Nice"
    )
    assert response.status_code == 400
    assert [e["source"]["parameter"] for e in response.json()["errors"]] == [
        "filter[country_code]",
        "filter[phone_number_type]",
        "sort",
        "version",
        "page[size]",
        "filter[locality]",
    ]
    types = server.get("/requirement_types?page[size]=5&filter[name][contains]=")
    assert types.status_code == 400
    assert [e["source"]["parameter"] for e in types.json()["errors"]] == [
        "page[size]",
        "filter[name][contains]",
    ]
    retrieve = server.get(f"/requirements/{UNKNOWN}?version=x")
    assert retrieve.status_code == 400
    assert retrieve.json()["errors"][0]["source"]["parameter"] == "version"
