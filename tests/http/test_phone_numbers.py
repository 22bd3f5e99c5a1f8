"""/v2/phone_numbers over real HTTP, on both engines, with the server's own worker: an
ordered number becomes owned when it settles; list, retrieve, update and delete, and
every kind of bad request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest

from number_orders.config import Settings
from number_orders.domain.timestamps import parse_instant
from number_orders.server import open_store
from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.live import LiveServer, client_for
from tests.support.openapi import assert_matches
from tests.support.orders import number, order_body, quiet
from tests.support.phone_numbers import assert_tallies_exact, holdings
from tests.surface_check import assert_matches_response, assert_matches_schema

UNKNOWN = "1293384261075731499"
MALFORMED = ["nope", "123", UNKNOWN + "0", UNKNOWN[:-1], "0" + UNKNOWN[1:], "%00", "%FF"]


@dataclass
class Numbers:
    """A live server with two accounts' keys, and kept-alive clients per key."""

    server: LiveServer
    store: SqlStore
    key: str
    other_key: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    @contextmanager
    def client(self, key: str | None = None) -> Iterator[httpx.Client]:
        """A kept-alive client per key: a new client per request costs more than the request."""
        key = key or self.key
        if key not in self.clients:
            self.clients[key] = client_for(self.server, key)
        yield self.clients[key]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def order(self, *numbers: str, key: str | None = None, **fields: Any) -> dict[str, Any]:
        """An order of the numbers, once the worker has done all it can."""
        with self.client(key) as client:
            response = client.post("/number_orders", json=order_body(*numbers, **fields))
            assert response.status_code == 200, response.text
            return quiet(client, response.json()["data"]["id"])

    def owned(self, key: str | None = None, **params: str) -> list[dict[str, Any]]:
        with self.client(key) as client:
            response = client.get("/phone_numbers", params={"page[size]": "250", **params})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def find(self, phone_number: str, key: str | None = None) -> dict[str, Any]:
        (found,) = [n for n in self.owned(key) if n["phone_number"] == phone_number]
        return found

    def request(self, method: str, path: str, key: str | None = None, **kw: Any) -> httpx.Response:
        with self.client(key) as client:
            return client.request(method, path, **kw)


@pytest.fixture(scope="module")
def numbers(module_database_url: str) -> Iterator[Numbers]:
    url = module_database_url
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(database_url=url, rate_limit=0, demo=False, fulfilment_delay=0.0)
    with LiveServer(settings, store) as server:
        fixture = Numbers(server, store, key, other_key)
        yield fixture
        fixture.close()
    store.close()


def problems(response: httpx.Response) -> list[tuple[str, str | None]]:
    return [
        (
            e["code"],
            (e.get("source") or {}).get("parameter") or (e.get("source") or {}).get("pointer"),
        )
        for e in response.json()["errors"]
    ]


def test_an_ordered_number_becomes_owned_when_it_settles(numbers: Numbers) -> None:
    us, gb = number(), number("GB")
    order = numbers.order(us, gb, customer_reference="owned-1", connection_id="1521916448077776306")
    assert [n["status"] for n in order["phone_numbers"]] == ["success", "pending"]  # GB waits
    record = numbers.find(us)
    assert not [n for n in numbers.owned() if n["phone_number"] == gb]
    assert (record["status"], record["source_type"], record["record_type"]) == (
        "active",
        "number_order",
        "phone_number",
    )
    assert (record["country_iso_alpha2"], record["phone_number_type"], record["tags"]) == (
        "US",
        "local",
        [],
    )
    assert record["customer_reference"] == "owned-1"
    assert record["connection_id"] == "1521916448077776306"
    assert record["deletion_lock_enabled"] is False and record["external_pin"] is None
    bought = parse_instant(record["purchased_at"])
    assert bought is not None and parse_instant(order["created_at"]) <= bought  # type: ignore[operator]
    assert record["created_at"] == record["purchased_at"] == record["activated_at"]
    assert_matches_schema("PhoneNumberDetailed", record)
    retrieved = numbers.request("GET", f"/phone_numbers/{record['id']}")
    assert retrieved.status_code == 200 and retrieved.json() == {"data": record}
    assert holdings(numbers.store)[us][2] == "owned"
    assert_tallies_exact(numbers.store)


def test_the_list_is_paged_with_exact_meta_and_fits_the_spec(numbers: Numbers) -> None:
    reference = "paged-1"
    numbers.order(*(number() for _ in range(5)), customer_reference=reference)
    with numbers.client() as client:
        response = client.get(
            "/phone_numbers",
            params={
                "filter[customer_reference]": reference,
                "page[size]": "2",
                "page[number]": "3",
            },
        )
        assert response.status_code == 200
        body = response.json()
        assert body["meta"] == {
            "page_number": 3,
            "page_size": 2,
            "total_pages": 3,
            "total_results": 5,
        }
        assert len(body["data"]) == 1
        assert_matches_response("/phone_numbers", body)
        full = client.get("/phone_numbers", params={"filter[customer_reference]": reference})
        listed = full.json()["data"]
        assert [n["purchased_at"] for n in listed] == sorted(
            (n["purchased_at"] for n in listed), reverse=True
        )
        past = client.get("/phone_numbers", params={"page[number]": "99", "page[size]": "250"})
        assert past.json()["data"] == [] and past.json()["meta"]["total_results"] >= 5


def test_an_update_changes_the_writable_fields_and_moves_updated_at(numbers: Numbers) -> None:
    phone_number = number()
    numbers.order(phone_number)
    before = numbers.find(phone_number)
    body = {
        "customer_reference": "patched",
        "tags": ["vip", "eu"],
        "connection_id": "c-2",
        "billing_group_id": "bg-2",
        "external_pin": "4321",
        "hd_voice_enabled": True,
        "address_id": "addr-2",
    }
    response = numbers.request("PATCH", f"/phone_numbers/{before['id']}", json=body)
    assert response.status_code == 200, response.text
    after = response.json()["data"]
    assert_matches("PhoneNumberDetailed", after)
    for name in (
        "customer_reference",
        "tags",
        "connection_id",
        "billing_group_id",
        "external_pin",
    ):
        assert after[name] == body[name]
    assert after["hd_voice_enabled"] is True
    assert (
        after["updated_at"] > before["updated_at"]
        and after["purchased_at"] == before["purchased_at"]
    )
    assert [n["id"] for n in numbers.owned(**{"filter[tag]": "eu"})] == [before["id"]]
    unchanged = numbers.request(
        "PATCH", f"/phone_numbers/{before['id']}", json={"tags": ["vip", "eu"]}
    )
    assert unchanged.json()["data"] == after
    cleared = numbers.request(
        "PATCH", f"/phone_numbers/{before['id']}", json={"tags": [], "external_pin": None}
    )
    assert cleared.json()["data"]["tags"] == [] and cleared.json()["data"]["external_pin"] is None
    assert numbers.owned(**{"filter[tag]": "eu"}) == []
    assert_tallies_exact(numbers.store)


def test_a_release_deletes_the_record_and_frees_the_number_for_everyone(numbers: Numbers) -> None:
    phone_number = number()
    numbers.order(phone_number)
    record = numbers.find(phone_number)
    response = numbers.request("DELETE", f"/phone_numbers/{record['id']}")
    assert response.status_code == 200, response.text
    released = response.json()["data"]
    assert released["status"] == "deleted" and released["phone_number"] == phone_number
    assert released["id"] == record["id"]
    assert_matches("PhoneNumberDeletedDetailed", released)
    assert_matches_schema("PhoneNumberDeletedDetailed", released)
    assert numbers.request("GET", f"/phone_numbers/{record['id']}").status_code == 404
    assert numbers.request("DELETE", f"/phone_numbers/{record['id']}").status_code == 404
    assert phone_number not in [n["phone_number"] for n in numbers.owned()]
    assert phone_number not in holdings(numbers.store)
    again = numbers.order(phone_number, key=numbers.other_key)
    assert again["phone_numbers"][0]["status"] == "success"
    assert numbers.find(phone_number, key=numbers.other_key)["id"] != record["id"]
    assert_tallies_exact(numbers.store)


def test_another_account_orders_an_owned_number_in_vain(numbers: Numbers) -> None:
    phone_number = number()
    numbers.order(phone_number)
    lost = numbers.order(phone_number, key=numbers.other_key)
    assert lost["status"] == "failure"
    assert phone_number not in [n["phone_number"] for n in numbers.owned(numbers.other_key)]
    assert numbers.find(phone_number)["status"] == "active"


@pytest.mark.parametrize("number_id", ["other-account", UNKNOWN, *MALFORMED])
def test_foreign_unknown_and_malformed_ids_are_404(numbers: Numbers, number_id: str) -> None:
    if number_id == "other-account":
        phone_number = number()
        numbers.order(phone_number, key=numbers.other_key)
        number_id = numbers.find(phone_number, key=numbers.other_key)["id"]
    for method, body in (
        ("GET", None),
        ("PATCH", {"tags": ["x"]}),
        ("DELETE", None),
        ("PATCH", {"tags": 5}),
    ):
        response = numbers.request(method, f"/phone_numbers/{number_id}", json=body)
        assert response.status_code == 404, (method, response.text)
        assert problems(response) == [("10005", None)]


def test_bad_list_parameters_are_400_one_per_parameter(numbers: Numbers) -> None:
    query = (
        "page[size]=0&sort=newest&filter[status]=owned&filter[country_iso_alpha2]=USA"
        "&filter[number_type][eq]=landline&filter[phone_number]=12&filter[without_tags]=yes"
        "&filter[source]=stolen&filter[tags]=x&handle_messaging_profile_error=1"
    )
    response = numbers.request("GET", f"/phone_numbers?{query}")
    assert response.status_code == 400
    assert problems(response) == [
        ("10015", p)
        for p in (
            "page[size]",
            "sort",
            "filter[status]",
            "filter[country_iso_alpha2]",
            "filter[number_type][eq]",
            "filter[phone_number]",
            "filter[without_tags]",
            "filter[source]",
            "filter[tags]",
            "handle_messaging_profile_error",
        )
    ]


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        (
            {"customer_reference": 1, "tags": ["", 2], "hd_voice_enabled": "on"},
            ["/customer_reference", "/hd_voice_enabled", "/tags/0", "/tags/1"],
        ),
        ({"external_pin": "x" * 256}, ["/external_pin"]),
    ],
)
def test_bad_update_bodies_are_422_one_per_field(
    numbers: Numbers, body: dict[str, Any], pointers: list[str]
) -> None:
    phone_number = number()
    numbers.order(phone_number)
    record = numbers.find(phone_number)
    response = numbers.request("PATCH", f"/phone_numbers/{record['id']}", json=body)
    assert response.status_code == 422
    assert [p for _, p in problems(response)] == pointers
    assert numbers.find(phone_number) == record


def test_update_bodies_are_json_objects(numbers: Numbers) -> None:
    phone_number = number()
    numbers.order(phone_number)
    path = f"/phone_numbers/{numbers.find(phone_number)['id']}"
    not_json = numbers.request(
        "PATCH", path, content=b"tags=x", headers={"content-type": "text/plain"}
    )
    assert not_json.status_code == 415
    array = numbers.request(
        "PATCH", path, content=orjson.dumps([1]), headers={"content-type": "application/json"}
    )
    assert array.status_code == 400
    assert numbers.request("POST", "/phone_numbers").status_code == 405
    assert numbers.request("PUT", path).status_code == 405
