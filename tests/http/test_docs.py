"""The project's OpenAPI document: a valid OpenAPI 3.1 text that describes every
operation the server answers, consistent with the published list endpoint, and served
with a browsable reference page."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from number_orders.http.docs import openapi_document
from tests.support.app import InProcess
from tests.support.openapi import SEED_SPEC


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
    owned = {k: v for k, v in operations("/phone_numbers").items() if "regulatory" not in k[0]}
    assert owned == {
        ("/phone_numbers", "get"): "ListPhoneNumbers",
        ("/phone_numbers/{phone_number_id}", "get"): "RetrievePhoneNumber",
        ("/phone_numbers/{phone_number_id}", "patch"): "UpdatePhoneNumber",
        ("/phone_numbers/{phone_number_id}", "delete"): "DeletePhoneNumber",
    }
    for method in ("post", "patch"):
        item = paths["/number_orders" if method == "post" else "/number_orders/{number_order_id}"]
        assert {"200", "400", "401", "404", "413", "415", "422"} <= set(item[method]["responses"])
    post = paths["/number_orders"]["post"]
    assert post["parameters"] == [{"$ref": "#/components/parameters/IdempotencyKey"}]
    header = openapi_document()["components"]["parameters"]["IdempotencyKey"]
    assert (header["name"], header["in"]) == ("Idempotency-Key", "header")


def test_every_operation_documents_the_refusals_any_request_can_get() -> None:
    """Before any handler runs, any request can be refused: no key (401), an address past
    its failed authentications or a key past its rate (429), a URL or head too large (414,
    431), the store or the connection limit (503)."""
    for item in openapi_document()["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert {"401", "414", "429", "431", "500", "503"} <= set(operation["responses"])
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= set(operation["responses"])


def test_the_vendored_seed_spec_is_valid_openapi_of_the_list_endpoint() -> None:
    seed = yaml.safe_load(SEED_SPEC.read_text())
    validate(seed)
    assert list(seed["paths"]) == ["/number_orders"]
    assert seed["paths"]["/number_orders"]["get"]["operationId"] == "ListNumberOrders"


def test_the_openapi_document_is_served_and_matches_the_seed(app: InProcess) -> None:
    with app.client() as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"].startswith("3.1")
    seed = yaml.safe_load(SEED_SPEC.read_text())
    ours = served["paths"]["/number_orders"]["get"]
    assert ours["operationId"] == seed["paths"]["/number_orders"]["get"]["operationId"]
    for name in ("NumberOrder", "PaginationMeta", "numbers_Errors"):
        assert served["components"]["schemas"][name]["properties"].keys() >= (
            seed["components"]["schemas"][name]["properties"].keys()
        )


def test_it_describes_the_number_search_under_the_specs_operation_ids() -> None:
    assert operations("/available_phone_number") == {
        ("/available_phone_numbers", "get"): "ListAvailablePhoneNumbers",
        ("/available_phone_number_blocks", "get"): "ListAvailablePhoneNumberBlocks",
    }
