"""GET and PATCH /v2/number_orders/{id}, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from tests.support.app import InProcess, new_key
from tests.support.openapi import assert_matches
from tests.support.orders import Accounts, assert_counts_exact, number, order_body

UNKNOWN = "0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c"
MALFORMED = ["nope", "123", UNKNOWN + "0", UNKNOWN[:-1], UNKNOWN.replace("-", ""), "%00", "%FF"]


@dataclass
class Orders(Accounts):
    def create(self, *numbers: str, key: str | None = None, **fields: Any) -> dict[str, Any]:
        with self.client(key) as client:
            response = client.post("/number_orders", json=order_body(*numbers, **fields))
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def get(self, order_id: str, key: str | None = None) -> httpx.Response:
        with self.client(key) as client:
            return client.get(f"/number_orders/{order_id}")

    def patch(
        self,
        order_id: str,
        body: Any,
        key: str | None = None,
        content_type: str = "application/json",
    ) -> httpx.Response:
        content = body if isinstance(body, bytes) else orjson.dumps(body)
        with self.client(key) as client:
            return client.patch(
                f"/number_orders/{order_id}",
                content=content,
                headers={"content-type": content_type},
            )


@pytest.fixture(scope="module")
def orders(module_database_url: str) -> Iterator[Orders]:
    url = module_database_url
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    # No worker: each test sees exactly what its own requests changed. No review delay:
    # a supplied value is decided in the request that supplies it.
    settings = Settings(
        database_url=url, rate_limit=0, demo=False, run_worker=False, fulfilment_delay=0.0
    )
    with InProcess(settings, store) as app:
        yield Orders(app, store, key, other_key)
    store.close()


def requirement_id(order: dict[str, Any], index: int) -> str:
    requirement_id: str = order["phone_numbers"][index]["regulatory_requirements"][0][
        "requirement_id"
    ]
    return requirement_id


# -- retrieve --------------------------------------------------------------------------


def test_retrieve_returns_the_order_as_created(orders: Orders) -> None:
    created = orders.create(number(), number("GB"), customer_reference="get-me")
    response = orders.get(created["id"])
    assert response.status_code == 200
    assert response.json() == {"data": created}
    assert_matches("NumberOrderWithPhoneNumbers", response.json()["data"])
    assert orders.get(created["id"].upper()).json() == {"data": created}


def test_head_answers_like_get_without_a_body(orders: Orders) -> None:
    created = orders.create(number())
    with orders.client() as client:
        response = client.head(f"/number_orders/{created['id']}")
    assert response.status_code == 200 and response.content == b""


def test_unknown_malformed_and_foreign_ids_are_the_same_404(orders: Orders) -> None:
    foreign = orders.create(number(), key=orders.other_key)["id"]
    answers = [orders.get(i) for i in [UNKNOWN, foreign, *MALFORMED]]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all(a.json() == answers[0].json() for a in answers)
    assert answers[0].json()["errors"][0]["code"] == "10005"
    assert orders.get(foreign, key=orders.other_key).status_code == 200


def test_a_trailing_slash_and_deeper_paths_are_unknown_routes(orders: Orders) -> None:
    created = orders.create(number())
    with orders.client() as client:
        assert client.get(f"/number_orders/{created['id']}/").status_code == 404
        assert client.get(f"/number_orders/{created['id']}/x").status_code == 404
        wrong = client.delete(f"/number_orders/{created['id']}")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD, PATCH"


# -- update ----------------------------------------------------------------------------


def test_update_customer_reference_moves_updated_at_and_the_list_sees_it(orders: Orders) -> None:
    created = orders.create(number(), customer_reference="before")
    response = orders.patch(created["id"], {"customer_reference": "after"})
    assert response.status_code == 200
    updated = response.json()["data"]
    assert updated["customer_reference"] == "after"
    assert updated["updated_at"] > created["updated_at"]
    assert updated["created_at"] == created["created_at"]
    assert orders.get(created["id"]).json()["data"] == updated
    with orders.client() as client:
        found = client.get("/number_orders?filter[customer_reference]=after").json()["data"]
    assert [o["id"] for o in found] == [created["id"]]


def test_null_removes_the_customer_reference(orders: Orders) -> None:
    created = orders.create(number(), customer_reference="gone")
    updated = orders.patch(created["id"], {"customer_reference": None}).json()["data"]
    assert "customer_reference" not in updated


def test_an_update_that_changes_nothing_keeps_updated_at(orders: Orders) -> None:
    created = orders.create(number(), customer_reference="same")
    bodies: list[dict[str, Any]] = [
        {},
        {"customer_reference": "same"},
        {"regulatory_requirements": []},
    ]
    for body in bodies:
        updated = orders.patch(created["id"], body).json()["data"]
        assert updated == created


def test_supplying_requirements_meets_them_and_keeps_counts_exact(orders: Orders) -> None:
    # Two GB numbers share one requirement id: one value satisfies both.
    created = orders.create(number("GB"), number("GB"), number("DE"))
    assert created["requirements_met"] is False
    gb, de = requirement_id(created, 0), requirement_id(created, 2)
    assert requirement_id(created, 1) == gb != de
    first = orders.patch(
        created["id"],
        {"regulatory_requirements": [{"requirement_id": gb, "field_value": "addr-1"}]},
    ).json()["data"]
    assert [n["requirements_met"] for n in first["phone_numbers"]] == [True, True, False]
    assert first["phone_numbers"][0]["regulatory_requirements"][0]["field_value"] == "addr-1"
    assert first["phone_numbers"][0]["requirements_status"] == "approved"
    assert first["requirements_met"] is False
    second = orders.patch(
        created["id"],
        {"regulatory_requirements": [{"requirement_id": de, "field_value": "addr-2"}]},
    ).json()["data"]
    assert second["requirements_met"] is True and second["status"] == "pending"
    assert second["updated_at"] > first["updated_at"] > created["updated_at"]
    with orders.client() as client:
        met = client.get("/number_orders?filter[requirements_met]=true&page[size]=250").json()
    assert created["id"] in [o["id"] for o in met["data"]]
    assert_counts_exact(orders.store)


UPDATE_ROWS: list[tuple[str, Any, list[tuple[str, str]]]] = [
    ("reference too long", {"customer_reference": "x" * 256}, [("10015", "/customer_reference")]),
    ("reference a number", {"customer_reference": 1}, [("10015", "/customer_reference")]),
    ("reference with NUL", {"customer_reference": "\x00"}, [("10015", "/customer_reference")]),
    (
        "requirements not an array",
        {"regulatory_requirements": {}},
        [("10015", "/regulatory_requirements")],
    ),
    (
        "item not an object",
        {"regulatory_requirements": ["x"]},
        [("10015", "/regulatory_requirements/0")],
    ),
    (
        "missing both fields",
        {"regulatory_requirements": [{}]},
        [
            ("10004", "/regulatory_requirements/0/requirement_id"),
            ("10004", "/regulatory_requirements/0/field_value"),
        ],
    ),
    (
        "field_value not a string",
        {"regulatory_requirements": [{"requirement_id": UNKNOWN, "field_value": 3}]},
        [("10015", "/regulatory_requirements/0/field_value")],
    ),
    (
        "field_value with NUL",
        {"regulatory_requirements": [{"requirement_id": UNKNOWN, "field_value": "a\x00"}]},
        [("10015", "/regulatory_requirements/0/field_value")],
    ),
    (
        "unknown requirement",
        {"regulatory_requirements": [{"requirement_id": UNKNOWN, "field_value": "a"}]},
        [("10015", "/regulatory_requirements/0/requirement_id")],
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [r[1:] for r in UPDATE_ROWS], ids=[r[0] for r in UPDATE_ROWS]
)
def test_invalid_updates_are_422_and_change_nothing(
    orders: Orders, body: Any, expected: list[tuple[str, str]]
) -> None:
    created = orders.create(number("GB"))
    response = orders.patch(created["id"], body)
    assert response.status_code == 422, response.text
    found = [(e["code"], e["source"]["pointer"]) for e in response.json()["errors"]]
    assert found == expected
    assert orders.get(created["id"]).json()["data"] == created


def test_a_requirement_of_another_order_is_refused(orders: Orders) -> None:
    gb_order = orders.create(number("GB"))
    us_order = orders.create(number())
    body = {
        "regulatory_requirements": [
            {"requirement_id": requirement_id(gb_order, 0), "field_value": "addr"}
        ]
    }
    response = orders.patch(us_order["id"], body)
    assert response.status_code == 422
    assert "requirement" in response.json()["errors"][0]["detail"]


def test_thousands_of_unknown_requirements_get_a_bounded_answer(orders: Orders) -> None:
    created = orders.create(number("GB"))
    items = [{"requirement_id": f"unknown-{i}", "field_value": "x"} for i in range(9000)]
    response = orders.patch(created["id"], {"regulatory_requirements": items})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 101 and len(response.content) < 64 * 1024
    assert errors[0]["source"]["pointer"] == "/regulatory_requirements/0/requirement_id"
    assert "8900 more" in errors[100]["detail"]


def test_a_repeated_requirement_is_refused(orders: Orders) -> None:
    created = orders.create(number("GB"))
    item = {"requirement_id": requirement_id(created, 0), "field_value": "a"}
    response = orders.patch(created["id"], {"regulatory_requirements": [item, item]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == (
        "/regulatory_requirements/1/requirement_id"
    )


def test_update_body_checks_415_413_400(orders: Orders) -> None:
    created = orders.create(number())
    assert orders.patch(created["id"], b"{}", content_type="text/plain").status_code == 415
    assert orders.patch(created["id"], b"x" * (1024 * 1024 + 1)).status_code == 413
    assert orders.patch(created["id"], b"[1]").status_code == 400
    assert orders.patch(created["id"], b"").status_code == 200  # empty: {}, no change


def test_updates_to_unknown_foreign_or_malformed_ids_are_404_before_the_body(
    orders: Orders,
) -> None:
    foreign = orders.create(number(), key=orders.other_key, customer_reference="theirs")
    for order_id in [UNKNOWN, foreign["id"], *MALFORMED]:
        for body, content_type in ((b"not json", "text/plain"), (b"{}", "application/json")):
            response = orders.patch(order_id, body, content_type=content_type)
            assert response.status_code == 404, (order_id, response.text)
            assert response.json()["errors"][0]["code"] == "10005"
    response = orders.patch(foreign["id"], {"customer_reference": "mine now"})
    assert response.status_code == 404
    assert orders.get(foreign["id"], key=orders.other_key).json()["data"] == foreign
