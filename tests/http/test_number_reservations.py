"""`/v2/number_reservations` over real HTTP on both engines: create, list, retrieve and
extend, their errors, and the tallies behind the list's totals."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from number_orders.config import Settings
from number_orders.domain.timestamps import parse_instant
from number_orders.server import open_store
from number_orders.storage.schema import number_reservations, reservation_counts
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.app import InProcess, new_key
from tests.support.databases import ENGINES, new_database
from tests.support.live import LiveServer, client_for
from tests.support.openapi import assert_matches
from tests.support.orders import Accounts, number, order_body
from tests.surface_check import assert_matches_schema

UNKNOWN = "0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c"


@dataclass
class Reserving(Accounts):
    def reserve(self, *numbers: str, key: str | None = None, **fields: Any) -> dict[str, Any]:
        response = self.post("/number_reservations", order_body(*numbers, **fields), key)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def post(self, path: str, body: Any = None, key: str | None = None) -> httpx.Response:
        with self.client(key) as client:
            return client.post(path, json=body) if body is not None else client.post(path)

    def get(self, path: str, key: str | None = None, **params: str) -> httpx.Response:
        with self.client(key) as client:
            return client.get(path, params=params)


@pytest.fixture(scope="module", params=ENGINES)
def reserving(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reserving]:
    url = new_database(request, tmp_path_factory.mktemp("reserve"))
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(database_url=url, rate_limit=0, demo=False, run_worker=False)
    with InProcess(settings, store) as server:
        fixture = Reserving(server, store, key, other_key)
        yield fixture
    store.close()


def problems(response: httpx.Response) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("source", {}).get("pointer")) for e in response.json()["errors"]]


def test_a_reservation_holds_each_free_number_until_it_expires(reserving: Reserving) -> None:
    us, us_too, gb = number(), number(), number("GB")
    before = time.time_ns() // 1000
    data = reserving.reserve(us, us_too, gb, customer_reference="MY REF 001")
    assert_matches_schema("NumberReservation", data)
    assert_matches("NumberReservation", data)
    assert data["record_type"] == "number_reservation" and data["status"] == "failure"
    assert data["customer_reference"] == "MY REF 001"
    assert [n["phone_number"] for n in data["phone_numbers"]] == [us, us_too, gb]
    held, held_too, refused = data["phone_numbers"]
    assert held["status"] == held_too["status"] == "success"
    # The default reservation time: 30 minutes from the moment it was made.
    expires = parse_instant(held["expired_at"])
    assert expires == parse_instant(data["created_at"]) + 1_800_000_000  # type: ignore[operator]
    assert expires is not None and expires > before
    assert refused["status"] == "failure" and "reservable" in refused["errors"]
    assert "expired_at" not in refused
    retrieved = reserving.get(f"/number_reservations/{data['id']}").json()["data"]
    assert retrieved == data


def test_every_number_reserved_is_a_success(reserving: Reserving) -> None:
    data = reserving.reserve(number(), number())
    assert data["status"] == "success" and "errors" not in data
    assert "customer_reference" not in data


def test_a_number_held_by_anyone_fails_in_the_reservation(reserving: Reserving) -> None:
    taken, free, ordered = number(), number(), number()
    first = reserving.reserve(taken)
    theirs = reserving.reserve(taken, free, key=reserving.other_key)
    assert theirs["status"] == "failure"
    assert [n["status"] for n in theirs["phone_numbers"]] == ["failure", "success"]
    assert theirs["phone_numbers"][0]["errors"].startswith("Number is already on hold")
    # What the caller holds itself (reserved, or in its own order) fails too, saying so.
    assert reserving.post("/number_orders", order_body(ordered)).status_code == 200
    again = reserving.reserve(taken, ordered)
    assert [n["status"] for n in again["phone_numbers"]] == ["failure", "failure"]
    assert all("this account" in n["errors"] for n in again["phone_numbers"])
    # The first reservation is untouched by the others' attempts.
    assert reserving.get(f"/number_reservations/{first['id']}").json()["data"] == first


def test_body_errors_in_the_contracts_order(reserving: Reserving) -> None:
    with reserving.client() as client:
        text = client.post(
            "/number_reservations", content=b"{}", headers={"content-type": "text/plain"}
        )
        assert text.status_code == 415
        broken = client.post(
            "/number_reservations", content=b"{", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 400
        empty = client.post(
            "/number_reservations", content=b"", headers={"content-type": "application/json"}
        )
        assert (empty.status_code, problems(empty)) == (422, [("10004", "/phone_numbers")])
    bad = reserving.post(
        "/number_reservations",
        {"phone_numbers": [{"phone_number": "12345"}, {}], "customer_reference": 7},
    )
    assert bad.status_code == 422
    assert problems(bad) == [
        ("10016", "/phone_numbers/0/phone_number"),
        ("10004", "/phone_numbers/1/phone_number"),
        ("10015", "/customer_reference"),
    ]
    too_many = reserving.post("/number_reservations", order_body(*[number() for _ in range(101)]))
    assert problems(too_many) == [("10015", "/phone_numbers")]


def test_foreign_unknown_and_malformed_ids_are_not_found(reserving: Reserving) -> None:
    theirs = reserving.reserve(number(), key=reserving.other_key)
    for reservation_id in (theirs["id"], UNKNOWN, "not-a-uuid", "1"):
        for response in (
            reserving.get(f"/number_reservations/{reservation_id}"),
            reserving.post(f"/number_reservations/{reservation_id}/actions/extend"),
        ):
            assert response.status_code == 404, response.text
            assert response.json()["errors"][0]["code"] == "10005"
    assert reserving.get(f"/number_reservations/{theirs['id'].upper()}").status_code == 404
    mine = reserving.get(f"/number_reservations/{theirs['id'].upper()}", reserving.other_key)
    assert mine.json()["data"]["id"] == theirs["id"]


def test_extend_holds_every_number_still_reserved_for_another_reservation_time(
    reserving: Reserving,
) -> None:
    kept, ordered, refused = number(), number(), number("GB")
    created = reserving.reserve(kept, ordered, refused)
    assert reserving.post("/number_orders", order_body(ordered)).status_code == 200
    response = reserving.post(f"/number_reservations/{created['id']}/actions/extend")
    assert response.status_code == 200, response.text
    extended = response.json()["data"]
    assert_matches_schema("NumberReservation", extended)
    after, taken, still_refused = extended["phone_numbers"]
    assert after["expired_at"] > created["phone_numbers"][0]["expired_at"]
    assert after["updated_at"] > created["phone_numbers"][0]["updated_at"]
    # The ordered number's hold ended when the order took it over, before the extension.
    assert taken["status"] == "success" and taken["expired_at"] < after["updated_at"]
    assert still_refused == created["phone_numbers"][2]
    assert extended["updated_at"] > created["updated_at"]
    assert extended["status"] == created["status"] == "failure"


def test_extending_a_reservation_that_holds_nothing_is_a_422(reserving: Reserving) -> None:
    refused = reserving.reserve(number("DE"))
    response = reserving.post(f"/number_reservations/{refused['id']}/actions/extend")
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "10015"
    consumed = reserving.reserve(ordered := number())
    assert reserving.post("/number_orders", order_body(ordered)).status_code == 200
    response = reserving.post(f"/number_reservations/{consumed['id']}/actions/extend")
    assert response.status_code == 422


def test_the_list_pages_newest_first_with_exact_totals_for_every_filter(
    reserving: Reserving,
) -> None:
    reference = f"list-{time.time_ns()}"
    shared = number()
    made = [
        reserving.reserve(shared if i == 2 else number(), customer_reference=reference)
        for i in range(5)
    ] + [reserving.reserve(number("GB"), customer_reference=reference)]
    newest_first = [r["id"] for r in reversed(made)]

    def listed(**params: str) -> tuple[list[str], dict[str, int]]:
        response = reserving.get("/number_reservations", **params)
        assert response.status_code == 200, response.text
        body = response.json()
        for item in body["data"]:
            assert_matches_schema("NumberReservation", item)
        return [r["id"] for r in body["data"]], body["meta"]

    ids, meta = listed(**{"filter[customer_reference]": reference, "page[size]": "4"})
    assert ids == newest_first[:4]
    assert meta == {"page_number": 1, "page_size": 4, "total_pages": 2, "total_results": 6}
    ids, meta = listed(
        **{"filter[customer_reference]": reference, "page[size]": "4", "page[number]": "2"}
    )
    assert ids == newest_first[4:] and meta["total_results"] == 6
    ids, _ = listed(**{"filter[customer_reference]": reference, "filter[status]": "failure"})
    assert ids == [made[-1]["id"]]
    ids, meta = listed(**{"filter[phone_numbers.phone_number]": shared})
    assert ids == [made[2]["id"]] and meta["total_results"] == 1
    ids, _ = listed(
        **{
            "filter[customer_reference]": reference,
            "filter[created_at][gt]": made[1]["created_at"],
            "filter[created_at][lt]": made[4]["created_at"],
        }
    )
    assert ids == [made[3]["id"], made[2]["id"]]
    assert_tallies_exact(reserving.store)
    everything = reserving.get("/number_reservations", **{"page[size]": "250"}).json()
    assert everything["meta"]["total_results"] == len(everything["data"]) >= 6
    failures = reserving.get("/number_reservations", **{"filter[status]": "failure"}).json()
    assert failures["meta"]["total_results"] == sum(
        r["status"] == "failure" for r in everything["data"]
    )
    others = reserving.get("/number_reservations", reserving.other_key, **{"page[size]": "250"})
    assert not {r["id"] for r in others.json()["data"]} & set(newest_first)


def test_bad_list_parameters_are_one_400_each(reserving: Reserving) -> None:
    response = reserving.get(
        "/number_reservations",
        **{
            "page[size]": "251",
            "filter[status]": "expired",
            "filter[phone_numbers.phone_number]": "3125550123",
        },
    )
    assert response.status_code == 400
    assert [e["source"]["parameter"] for e in response.json()["errors"]] == [
        "page[size]",
        "filter[status]",
        "filter[phone_numbers.phone_number]",
    ]


def test_other_methods_are_refused_with_allow(reserving: Reserving) -> None:
    with reserving.client() as client:
        response = client.delete("/number_reservations")
        assert response.status_code == 405 and "POST" in response.headers["allow"]
        response = client.get(f"/number_reservations/{UNKNOWN}/actions/extend")
        assert response.status_code == 405 and response.headers["allow"] == "POST"


def assert_tallies_exact(store: SqlStore) -> None:
    r, c = number_reservations.c, reservation_counts.c
    with store.reading() as conn:
        actual = Counter(
            {
                (a, s): k
                for a, s, k in conn.execute(
                    select(r.account_id, r.status, func.count()).group_by(r.account_id, r.status)
                )
            }
        )
        tallied = Counter(
            {(a, s): k for a, s, k in conn.execute(select(c.account_id, c.status, c.n)) if k}
        )
    assert tallied == actual


def test_an_expired_reservation_holds_nothing_even_before_the_worker_runs(
    database_url: str, store: SqlStore
) -> None:
    settings = Settings(
        database_url=database_url,
        rate_limit=0,
        demo=False,
        run_worker=False,
        reservation_seconds=1,
    )
    wanted = number()
    with (
        LiveServer(settings, store) as server,
        client_for(server, new_key(store, "acme")) as acme,
        client_for(server, new_key(store, "globex")) as globex,
    ):
        first = acme.post("/number_reservations", json=order_body(wanted)).json()["data"]
        expiry = parse_instant(first["phone_numbers"][0]["expired_at"])
        assert expiry is not None
        wait_until(lambda: time.time_ns() // 1000 > expiry, timeout=5)
        extend = acme.post(f"/number_reservations/{first['id']}/actions/extend")
        assert extend.status_code == 422
        second = globex.post("/number_reservations", json=order_body(wanted)).json()["data"]
        assert second["status"] == "success"
        # The first reservation now says its hold ended when it expired.
        ended = acme.get(f"/number_reservations/{first['id']}").json()["data"]
        assert ended["phone_numbers"][0]["expired_at"] == first["phone_numbers"][0]["expired_at"]
        assert ended["updated_at"] > first["updated_at"]
