"""/v2/comments over real HTTP, on both engines: on the account's sub number orders and
requirement groups, listed by record, retrieved and marked read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.domain.surface import assert_response
from tests.http.regulatory import MALFORMED, UNKNOWN, Regulatory
from tests.http.regulatory import regulatory_server as _server
from tests.support.databases import ENGINES
from tests.support.orders import number, order_body


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def comment_on(
    server: Regulatory,
    record_type: str,
    record_id: str,
    text: str = "hello",
    key: str | None = None,
) -> Any:
    body = {"body": text, "comment_record_type": record_type, "comment_record_id": record_id}
    return server.send("POST", "/comments", key, json=body)


def sub_order_of(server: Regulatory, key: str | None = None) -> str:
    order = server.ok("POST", "/number_orders", key, json=order_body(number("GB"), number("DE")))
    sub_orders: list[str] = order["data"]["sub_number_orders_ids"]
    assert len(sub_orders) == 2
    return sub_orders[1]


def test_a_comment_on_a_sub_order_and_on_a_group_in_order(server: Regulatory) -> None:
    sub_order = sub_order_of(server)
    group = server.group("DE")
    first = comment_on(server, "sub_number_order", sub_order.upper(), "Where is my number?")
    assert first.status_code == 200, first.text
    created = first.json()
    assert_response("/comments", "post", created)
    data = created["data"]
    assert (data["comment_record_type"], data["comment_record_id"]) == (
        "sub_number_order",
        sub_order,
    )
    assert (data["commenter"], data["commenter_type"], data["body"]) == (
        "acme",
        "user",
        "Where is my number?",
    )
    assert "read_at" not in data
    second = comment_on(server, "requirement_group", group["id"], "Line one\nline two").json()[
        "data"
    ]
    third = comment_on(server, "sub_number_order", sub_order, "Any news?").json()["data"]

    by_record = server.ok(
        "GET",
        "/comments",
        params={
            "filter[comment_record_type]": "sub_number_order",
            "filter[comment_record_id]": sub_order,
        },
    )
    assert_response("/comments", "get", by_record)
    assert [c["id"] for c in by_record["data"]] == [data["id"], third["id"]]
    assert by_record["meta"] == {
        "page_number": 1,
        "page_size": 2,
        "total_pages": 1,
        "total_results": 2,
    }
    by_id = server.ok("GET", "/comments", params={"filter[comment_record_id]": group["id"].upper()})
    assert by_id["data"] == [second]
    wrong_type = server.ok(
        "GET",
        "/comments",
        params={
            "filter[comment_record_type]": "requirement_group",
            "filter[comment_record_id]": sub_order,
        },
    )
    assert wrong_type["data"] == []
    everything = [c["id"] for c in server.ok("GET", "/comments")["data"]]
    assert (
        everything.index(data["id"])
        < everything.index(second["id"])
        < everything.index(third["id"])
    )
    assert server.ok("GET", "/comments", server.other_key)["data"] == []
    found = server.ok("GET", f"/comments/{second['id']}")
    assert_response("/comments/{id}", "get", found)
    assert found["data"] == second


def test_marking_read_sets_read_at_once(server: Regulatory) -> None:
    group = server.group("DE")
    comment = comment_on(server, "requirement_group", group["id"]).json()["data"]
    read = server.ok("PATCH", f"/comments/{comment['id']}/read")
    assert_response("/comments/{id}/read", "patch", read)
    assert read["data"]["read_at"] >= comment["created_at"]
    again = server.ok("PATCH", f"/comments/{comment['id']}/read")
    assert again == read
    assert server.ok("GET", f"/comments/{comment['id']}") == read


def test_only_records_of_the_account_take_comments(server: Regulatory) -> None:
    theirs = server.ok(
        "POST",
        "/requirement_groups",
        server.other_key,
        json={"country_code": "DE", "phone_number_type": "local", "action": "ordering"},
    )
    their_sub_order = sub_order_of(server, server.other_key)
    for record_type, record_id in (
        ("requirement_group", theirs["id"]),
        ("sub_number_order", their_sub_order),
        ("requirement_group", UNKNOWN),
        ("sub_number_order", UNKNOWN),
        ("sub_number_order", theirs["id"]),
    ):
        response = comment_on(server, record_type, record_id)
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["source"]["pointer"] == "/comment_record_id"
        assert f"is not a {record_type} of this account" in error["detail"]


def test_every_bad_field_is_refused(server: Regulatory) -> None:
    response = server.send(
        "POST",
        "/comments",
        json={"body": "a\x00b", "comment_record_type": "number_order", "comment_record_id": 7},
    )
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == [
        "/body",
        "/comment_record_type",
        "/comment_record_id",
    ]
    missing = server.send("POST", "/comments", json={"body": " "})
    assert [(e["code"], e["source"]["pointer"]) for e in missing.json()["errors"]] == [
        ("10015", "/body"),
        ("10004", "/comment_record_type"),
        ("10004", "/comment_record_id"),
    ]
    assert (
        server.send(
            "POST", "/comments", content=b"[]", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    bad = server.get(
        "/comments?filter[comment_record_type]=order&filter[comment_record_id]=x&filter[y]=1"
    )
    assert bad.status_code == 400
    assert [e["source"]["parameter"] for e in bad.json()["errors"]] == [
        "filter[comment_record_type]",
        "filter[comment_record_id]",
        "filter[y]",
    ]


def test_another_accounts_unknown_and_malformed_comments_are_404(server: Regulatory) -> None:
    group = server.group("DE")
    comment = comment_on(server, "requirement_group", group["id"]).json()["data"]
    attempts: list[tuple[str | None, str]] = [(server.other_key, comment["id"])]
    attempts += [(None, bad) for bad in [UNKNOWN, *MALFORMED]]
    for key, comment_id in attempts:
        for method, path in (
            ("GET", f"/comments/{comment_id}"),
            ("PATCH", f"/comments/{comment_id}/read"),
        ):
            response = server.send(method, path, key)
            assert response.status_code == 404, (method, comment_id, response.text)
            assert response.json()["errors"][0]["code"] == "10005"
    assert "read_at" not in server.ok("GET", f"/comments/{comment['id']}")["data"]
