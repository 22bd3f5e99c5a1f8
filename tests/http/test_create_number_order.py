"""POST /v2/number_orders, against CONTRACT.md, on both engines."""

from __future__ import annotations

import threading
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

BODY_LIMIT = 64 * 1024


@dataclass
class Creating(Accounts):
    def post(self, body: Any, key: str | None = None, **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = {"content-type": "application/json", **headers}
        with self.client(key) as client:
            return client.post("/number_orders", content=content, headers=headers)

    def total(self, key: str | None = None) -> int:
        with self.client(key) as client:
            total: int = client.get("/number_orders").json()["meta"]["total_results"]
            return total


@pytest.fixture(scope="module")
def creating(module_database_url: str) -> Iterator[Creating]:
    url = module_database_url
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    # No worker: what a create answers and stores is checked before anything settles.
    settings = Settings(
        database_url=url, rate_limit=0, demo=False, run_worker=False, body_limit=BODY_LIMIT
    )
    with InProcess(settings, store) as app:
        yield Creating(app, store, key, other_key)
    store.close()


def problems(response: httpx.Response) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("source", {}).get("pointer")) for e in response.json()["errors"]]


# -- a valid create ---------------------------------------------------------------------


def test_create_answers_200_with_a_pending_order_and_rich_numbers(creating: Creating) -> None:
    us, toll_free, gb, us2 = number("US"), "+18005550199", number("GB"), number("US")
    body = order_body(us, toll_free, gb, us2, customer_reference="ref-1", connection_id="123")
    body["phone_numbers"][2]["bundle_id"] = "bundle-7"
    response = creating.post(body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data = response.json()["data"]
    assert_matches("NumberOrderWithPhoneNumbers", data)
    assert data["record_type"] == "number_order"
    assert data["status"] == "pending"
    assert data["requirements_met"] is False  # the GB number needs an address
    assert data["phone_numbers_count"] == 4
    assert data["created_at"] == data["updated_at"]
    assert data["customer_reference"] == "ref-1" and data["connection_id"] == "123"
    assert "messaging_profile_id" not in data and "billing_group_id" not in data
    numbers = data["phone_numbers"]
    assert [n["phone_number"] for n in numbers] == [us, toll_free, gb, us2]
    assert [(n["country_code"], n["phone_number_type"]) for n in numbers] == [
        ("US", "local"),
        ("US", "toll_free"),
        ("GB", "local"),
        ("US", "local"),
    ]
    assert all(n["status"] == "pending" for n in numbers)
    assert numbers[0]["regulatory_requirements"] == [] and numbers[0]["requirements_met"]
    assert numbers[2]["bundle_id"] == "bundle-7" and "bundle_id" not in numbers[0]
    (requirement,) = numbers[2]["regulatory_requirements"]
    assert requirement["field_type"] == "address" and "field_value" not in requirement
    assert numbers[2]["requirements_status"] == "requirement-info-pending"
    # One sub order per (country, number type): US local, US toll free, GB local.
    assert len(data["sub_number_orders_ids"]) == 3
    assert len({n["id"] for n in numbers} | {data["id"]}) == 5


def test_a_created_order_is_listed_and_counted(creating: Creating) -> None:
    before = creating.total()
    data = creating.post(order_body(number(), customer_reference="listed")).json()["data"]
    assert creating.total() == before + 1
    with creating.client() as client:
        listed = client.get("/number_orders?filter[customer_reference]=listed").json()["data"]
    assert [o["id"] for o in listed] == [data["id"]]
    assert listed[0]["phone_numbers"] == [
        {"id": n["id"], "phone_number": n["phone_number"]} for n in data["phone_numbers"]
    ]
    assert_counts_exact(creating.store)


def test_null_optional_fields_are_left_out(creating: Creating) -> None:
    body = order_body(number(), customer_reference=None, billing_group_id=None)
    body["phone_numbers"][0]["bundle_id"] = None
    data = creating.post(body).json()["data"]
    assert "customer_reference" not in data and "billing_group_id" not in data
    assert "bundle_id" not in data["phone_numbers"][0]


def test_longest_texts_are_stored_and_found(creating: Creating) -> None:
    reference = "\U0001f4de" * 255  # 1,020 bytes of UTF-8 in an indexed column
    response = creating.post(order_body(number(), customer_reference=reference))
    assert response.status_code == 200, response.text
    with creating.client() as client:
        found = client.get("/number_orders", params={"filter[customer_reference]": reference})
    assert [o["id"] for o in found.json()["data"]] == [response.json()["data"]["id"]]


def test_charset_and_json_suffix_media_types_are_json(creating: Creating) -> None:
    for content_type in (
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.x+json",
    ):
        response = creating.post(order_body(number()), **{"content-type": content_type})
        assert response.status_code == 200, (content_type, response.text)


# -- body validation: one error per problem ---------------------------------------------

LONG = "x" * 256
VALIDATION_ROWS: list[tuple[str, Any, list[tuple[str, str | None]]]] = [
    ("empty object", {}, [("10004", "/phone_numbers")]),
    ("null numbers", {"phone_numbers": None}, [("10004", "/phone_numbers")]),
    ("numbers not an array", {"phone_numbers": "+13125550123"}, [("10015", "/phone_numbers")]),
    ("no numbers", {"phone_numbers": []}, [("10015", "/phone_numbers")]),
    ("item not an object", {"phone_numbers": [5]}, [("10015", "/phone_numbers/0")]),
    ("item without number", {"phone_numbers": [{}]}, [("10004", "/phone_numbers/0/phone_number")]),
    (
        "number not a string",
        {"phone_numbers": [{"phone_number": 13125550123}]},
        [("10015", "/phone_numbers/0/phone_number")],
    ),
    ("no plus sign", order_body("13125550123"), [("10016", "/phone_numbers/0/phone_number")]),
    ("spaces", order_body("+1 312 555 0123"), [("10016", "/phone_numbers/0/phone_number")]),
    ("too short", order_body("+1312555012"), [("10016", "/phone_numbers/0/phone_number")]),
    ("too long", order_body("+131255501234567"), [("10016", "/phone_numbers/0/phone_number")]),
    ("no such country", order_body("+99912345678"), [("10016", "/phone_numbers/0/phone_number")]),
    ("letters", order_body("+1312555CALL"), [("10016", "/phone_numbers/0/phone_number")]),
    (
        "other digits",
        order_body("+" + "".join(chr(0xFF10 + int(d)) for d in "13125550123")),
        [("10016", "/phone_numbers/0/phone_number")],
    ),
    ("empty number", order_body(""), [("10016", "/phone_numbers/0/phone_number")]),
    ("NUL in number", order_body("+1312555\x000123"), [("10016", "/phone_numbers/0/phone_number")]),
    (
        "duplicate",
        order_body("+13125550123", "+13125550124", "+13125550123"),
        [("10015", "/phone_numbers/2/phone_number")],
    ),
    (
        "bundle_id not a string",
        {"phone_numbers": [{"phone_number": "+13125550123", "bundle_id": 7}]},
        [("10015", "/phone_numbers/0/bundle_id")],
    ),
    (
        "requirement_group_id with NUL",
        {"phone_numbers": [{"phone_number": "+13125550123", "requirement_group_id": "a\x00"}]},
        [("10015", "/phone_numbers/0/requirement_group_id")],
    ),
    (
        "reference too long",
        order_body("+13125550123", customer_reference=LONG),
        [("10015", "/customer_reference")],
    ),
    (
        "reference empty",
        order_body("+13125550123", customer_reference=""),
        [("10015", "/customer_reference")],
    ),
    (
        "reference with NUL",
        order_body("+13125550123", customer_reference="a\x00b"),
        [("10015", "/customer_reference")],
    ),
    (
        "reference a number",
        order_body("+13125550123", customer_reference=5),
        [("10015", "/customer_reference")],
    ),
    (
        "connection_id an object",
        order_body("+13125550123", connection_id={}),
        [("10015", "/connection_id")],
    ),
    (
        "messaging_profile_id an array",
        order_body("+13125550123", messaging_profile_id=[]),
        [("10015", "/messaging_profile_id")],
    ),
    (
        "billing_group_id a boolean",
        order_body("+13125550123", billing_group_id=True),
        [("10015", "/billing_group_id")],
    ),
    (
        "billing_group_id too long",
        order_body("+13125550123", billing_group_id=LONG),
        [("10015", "/billing_group_id")],
    ),
    (
        "several problems, in body order",
        {
            "phone_numbers": [{"phone_number": "nope"}, {}, {"phone_number": "+13125550123"}],
            "connection_id": 5,
            "customer_reference": LONG,
        },
        [
            ("10016", "/phone_numbers/0/phone_number"),
            ("10004", "/phone_numbers/1/phone_number"),
            ("10015", "/connection_id"),
            ("10015", "/customer_reference"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [row[1:] for row in VALIDATION_ROWS],
    ids=[row[0] for row in VALIDATION_ROWS],
)
def test_invalid_bodies_are_422_with_one_error_per_problem(
    creating: Creating, body: Any, expected: list[tuple[str, str | None]]
) -> None:
    before = creating.total()
    response = creating.post(body)
    assert response.status_code == 422, response.text
    assert problems(response) == expected
    for error in response.json()["errors"]:
        assert error["meta"]["url"].endswith(error["code"])
        assert error["detail"]
    assert creating.total() == before


def test_too_many_numbers_is_422(creating: Creating) -> None:
    body = order_body(*(f"+1312555{i:04d}" for i in range(1001)))
    response = creating.post(body)
    assert response.status_code == 422
    assert problems(response) == [("10015", "/phone_numbers")]
    assert "1 to 1000" in response.json()["errors"][0]["detail"]


def test_an_invalid_number_detail_echoes_it_and_says_what_is_valid(creating: Creating) -> None:
    (error,) = creating.post(order_body("12345")).json()["errors"]
    assert error["title"] == "Phone number must be in +E.164 format"
    assert '"12345"' in error["detail"] and "+E.164" in error["detail"]


# -- the body itself: 415, 413, 400, then 422 -------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_is_415(creating: Creating, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    with creating.client() as client:
        response = client.post(
            "/number_orders", content=orjson.dumps(order_body(number())), headers=headers
        )
    assert response.status_code == 415
    assert [e["code"] for e in response.json()["errors"]] == ["10014"]


def test_415_comes_before_413(creating: Creating) -> None:
    response = creating.post(b"x" * (BODY_LIMIT + 1), **{"content-type": "text/plain"})
    assert response.status_code == 415


def test_a_body_over_the_limit_is_413(creating: Creating) -> None:
    response = creating.post(b"{" * (BODY_LIMIT + 1))  # also invalid JSON: 413 comes first
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "10015"


def test_a_chunked_body_over_the_limit_is_413(creating: Creating) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b" " * 1024

    with creating.client() as client:
        response = client.post(
            "/number_orders", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b"null", b'"text"', b"12", b'{"a": NaN}', b"\xff\xfe{}", b'{"a": "\\ud800"}'],
    ids=["truncated", "array", "null", "string", "number", "nan", "not utf-8", "lone surrogate"],
)
def test_a_body_that_is_not_a_json_object_is_400(creating: Creating, body: bytes) -> None:
    response = creating.post(body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["code"] == "10015"


def test_an_empty_json_body_is_an_empty_object(creating: Creating) -> None:
    for body in (b"", b"  \n"):
        response = creating.post(body)
        assert response.status_code == 422
        assert problems(response) == [("10004", "/phone_numbers")]


def test_route_and_method_come_before_the_body(creating: Creating) -> None:
    with creating.client() as client:
        slash = client.post("/number_orders/", content=b"x", headers={"content-type": "text/plain"})
        put = client.put("/number_orders", content=b"x", headers={"content-type": "text/plain"})
    assert slash.status_code == 404
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST"
    with creating.app.client() as anonymous:
        assert anonymous.post("/number_orders", json={}).status_code == 401


# -- idempotency -----------------------------------------------------------------------


def test_the_same_key_and_body_return_the_same_order(creating: Creating) -> None:
    body = order_body(number(), customer_reference="retry")
    before = creating.total()
    first = creating.post(body, **{"idempotency-key": "k-same"})
    # The same content in another spelling (key order, spacing) is the same body.
    respelled = (
        b'{ "customer_reference" : "retry", "phone_numbers": '
        + orjson.dumps(body["phone_numbers"])
        + b"}"
    )
    second = creating.post(respelled, **{"idempotency-key": "k-same"})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert creating.total() == before + 1


def test_the_same_key_with_another_body_is_422(creating: Creating) -> None:
    creating.post(order_body(number()), **{"idempotency-key": "k-other"})
    before = creating.total()
    response = creating.post(order_body(number()), **{"idempotency-key": "k-other"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["code"] == "10015" and "Idempotency-Key" in error["detail"]
    assert creating.total() == before


def test_keys_belong_to_one_account(creating: Creating) -> None:
    body = order_body(number())
    mine = creating.post(body, **{"idempotency-key": "k-shared"}).json()["data"]
    body["phone_numbers"][0]["phone_number"] = number()
    theirs = creating.post(body, key=creating.other_key, **{"idempotency-key": "k-shared"})
    assert theirs.status_code == 200
    assert theirs.json()["data"]["id"] != mine["id"]


def test_a_malformed_key_is_400_before_the_body(creating: Creating) -> None:
    for key in (b"x" * 256, b"a\tb", b"caf\xe9"):
        headers = {b"content-type": b"text/plain", b"idempotency-key": key}
        with creating.client() as client:
            response = client.post("/number_orders", content=b"x", headers=headers)
        assert response.status_code == 400, key
        assert response.json()["errors"][0]["source"] == {"parameter": "Idempotency-Key"}


def test_concurrent_creates_with_one_key_make_one_order(creating: Creating) -> None:
    body = order_body(number(), number())
    before = creating.total()
    barrier = threading.Barrier(8)
    answers: list[httpx.Response] = []

    def create() -> None:
        barrier.wait()
        answers.append(creating.post(body, **{"idempotency-key": "k-race"}))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [200] * 8
    assert len({a.json()["data"]["id"] for a in answers}) == 1
    assert creating.total() == before + 1
    assert_counts_exact(creating.store)
