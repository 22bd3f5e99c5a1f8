"""The served OpenAPI document is merged from a base and one fragment per resource: the
result is valid OpenAPI, describes exactly the API routes the server answers, and a
fragment cannot silently replace what another defines."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from number_orders.http.docs import merged, openapi_document
from number_orders.http.guard import PUBLIC_V2_PATHS
from number_orders.http.routes import all_routes

_OPERATION_METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_merged_document_is_valid_openapi() -> None:
    validate(openapi_document())  # raises on any violation, unresolvable $ref included


def served_operations() -> set[tuple[str, str]]:
    """(path as the document writes it, method) for every authenticated `/v2` route."""
    served = set()
    for route in all_routes():
        assert isinstance(route, Route)
        if not route.path.startswith("/v2/") or route.path in PUBLIC_V2_PATHS:
            continue
        for method in route.methods or ():
            if method != "HEAD":  # answered wherever GET is
                served.add((route.path.removeprefix("/v2"), method.lower()))
    return served


def documented_operations() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in _OPERATION_METHODS
    }


def test_every_served_route_is_documented_and_every_documented_one_served() -> None:
    served = served_operations()
    assert ("/number_orders", "get") in served  # the routes really were collected
    assert documented_operations() == served


def base() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Shared": {"type": "string"}}},
    }


def test_fragments_add_paths_and_components_in_name_order() -> None:
    first = {
        "paths": {"/a": {}},
        "components": {"schemas": {"A": {}}, "parameters": {"P": {}}},
    }
    second = {"paths": {"/b": {}}, "components": {"schemas": {"B": {}}}}
    document = merged(base(), [("a.yaml", first), ("b.yaml", second)])
    assert list(document) == ["openapi", "info", "paths", "components"]
    assert list(document["paths"]) == ["/a", "/b"]
    assert list(document["components"]["schemas"]) == ["Shared", "A", "B"]
    assert document["components"]["parameters"] == {"P": {}}


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ({"components": {"schemas": {"Shared": {}}}}, "components/schemas/Shared is defined twice"),
        ({"info": {"title": "mine"}}, "only paths and components"),
    ],
)
def test_a_fragment_cannot_replace_what_the_base_defines(
    fragment: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        merged(base(), [("x.yaml", fragment)])


def test_two_fragments_cannot_define_one_path() -> None:
    twice: dict[str, Any] = {"paths": {"/a": {}}}
    with pytest.raises(ValueError, match=r"y\.yaml: path /a is defined twice"):
        merged(base(), [("x.yaml", twice), ("y.yaml", twice)])
