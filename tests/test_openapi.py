"""The project's OpenAPI document: a valid OpenAPI 3.1 text that describes every
operation the server answers, consistent with the published list endpoint."""

from __future__ import annotations

from openapi_spec_validator import validate

from number_orders.http.docs import openapi_document


def test_the_document_is_valid_openapi() -> None:
    validate(openapi_document())  # raises on any violation, unresolvable $ref included


def operations(prefix: str) -> dict[tuple[str, str], str]:
    """(path, method) to operationId, for the paths that start with `prefix`."""
    return {
        (path, method): op["operationId"]
        for path, item in openapi_document()["paths"].items()
        for method, op in item.items()
        if method != "parameters" and path.startswith(prefix)
    }


def test_it_describes_create_retrieve_and_update() -> None:
    paths = openapi_document()["paths"]
    assert operations("/number_orders") == {
        ("/number_orders", "get"): "ListNumberOrders",
        ("/number_orders", "post"): "CreateNumberOrder",
        ("/number_orders/{number_order_id}", "get"): "RetrieveNumberOrder",
        ("/number_orders/{number_order_id}", "patch"): "UpdateNumberOrder",
    }
    for method in ("post", "patch"):
        item = paths["/number_orders" if method == "post" else "/number_orders/{number_order_id}"]
        assert {"200", "400", "401", "404", "413", "415", "422"} <= set(item[method]["responses"])
    post = paths["/number_orders"]["post"]
    assert post["parameters"] == [{"$ref": "#/components/parameters/IdempotencyKey"}]
    header = openapi_document()["components"]["parameters"]["IdempotencyKey"]
    assert (header["name"], header["in"]) == ("Idempotency-Key", "header")


def test_it_describes_the_number_search_under_the_specs_operation_ids() -> None:
    assert operations("/available_phone_number") == {
        ("/available_phone_numbers", "get"): "ListAvailablePhoneNumbers",
        ("/available_phone_number_blocks", "get"): "ListAvailablePhoneNumberBlocks",
    }
