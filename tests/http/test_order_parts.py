"""Sub number orders and number order phone numbers over HTTP, on both engines: views of
their order, whose changes show in the order, in the other view, in the list's tallies
and in the outbox at once; cancel frees numbers for search; a declined value gets the
regulator's comment on the sub order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from number_orders.config import Settings
from number_orders.domain.regulatory import requirement_id
from number_orders.server import open_store
from number_orders.storage.schema import webhook_events
from number_orders.testing import wait_until
from tests.http.regulatory import MALFORMED, UNKNOWN, Regulatory
from tests.support.app import InProcess, new_key
from tests.support.databases import ENGINES, new_database
from tests.support.orders import assert_counts_exact, number, order_body

DE_ADDRESS = requirement_id("DE", "address")


@pytest.fixture(scope="module", params=ENGINES)
def parts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    """The default requirement rules, a worker that settles and reviews at once."""
    url = new_database(request, tmp_path_factory.mktemp("parts"))
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(database_url=url, rate_limit=0, demo=False, fulfilment_delay=0.0)
    with InProcess(settings, store) as server:
        yield Regulatory(server, store, key, other_key)
    store.close()


def create(parts: Regulatory, *numbers: str) -> dict[str, Any]:
    data: dict[str, Any] = parts.ok("POST", "/number_orders", json=order_body(*numbers))["data"]
    return data


def sub_order(parts: Regulatory, sub_id: str, **params: Any) -> dict[str, Any]:
    data: dict[str, Any] = parts.ok("GET", f"/sub_number_orders/{sub_id}", params=params)["data"]
    return data


def order(parts: Regulatory, order_id: str) -> dict[str, Any]:
    data: dict[str, Any] = parts.ok("GET", f"/number_orders/{order_id}")["data"]
    return data


def events(parts: Regulatory, order_id: str) -> list[str]:
    e = webhook_events.c
    with parts.store.engine.connect() as conn:
        rows = conn.execute(select(e.event_type, e.payload)).all()
    return [t for t, payload in rows if order_id in payload]


def test_sub_orders_and_numbers_resolve_from_the_order(parts: Regulatory) -> None:
    de, de2, us = number("DE"), number("DE"), number("US")
    created = create(parts, de, us, de2)
    de_sub, us_sub = created["sub_number_orders_ids"]
    first = sub_order(parts, de_sub)
    assert first["order_request_id"] == created["id"] and first["country_code"] == "DE"
    assert first["phone_numbers_count"] == 2 and first["status"] == "pending"
    assert first["regulatory_requirements"] == [
        {
            "record_type": "phone_number_regulatory_requirement",
            "requirement_id": DE_ADDRESS,
            "field_type": "address",
        }
    ]
    assert "phone_numbers" not in first
    included = sub_order(parts, de_sub, **{"filter[include_phone_numbers]": "true"})
    assert [n["phone_number"] for n in included["phone_numbers"]] == [de, de2]
    assert included["phone_numbers"][0]["regulatory_requirements"][0]["status"] == "awaiting-value"
    assert sub_order(parts, us_sub)["country_code"] == "US"

    number_id = created["phone_numbers"][0]["id"]
    viewed = parts.ok("GET", f"/number_order_phone_numbers/{number_id}")["data"]
    assert viewed["sub_number_order_id"] == de_sub and viewed["order_request_id"] == created["id"]
    assert viewed["requirements_status"] == "requirement-info-pending"
    assert viewed["deadline"] > created["created_at"]

    listed = parts.ok(
        "GET", "/sub_number_orders", params={"filter[order_request_id]": created["id"]}
    )
    assert [s["id"] for s in listed["data"]] == [de_sub, us_sub]
    assert listed["meta"] == {
        "page_number": 1,
        "page_size": 2,
        "total_pages": 1,
        "total_results": 2,
    }
    by_country = parts.ok(
        "GET", "/number_order_phone_numbers", params={"filter[country_code]": "de"}
    )
    assert {de, de2} <= {n["phone_number"] for n in by_country["data"]}
    assert all(n["country_code"] == "DE" for n in by_country["data"])


def test_foreign_unknown_and_malformed_ids_are_404(parts: Regulatory) -> None:
    created = create(parts, number("DE"))
    sub_id, number_id = created["sub_number_orders_ids"][0], created["phone_numbers"][0]["id"]
    for path in (f"/sub_number_orders/{sub_id}", f"/number_order_phone_numbers/{number_id}"):
        assert parts.send("GET", path, parts.other_key).status_code == 404
        patched = parts.send("PATCH", path, parts.other_key, json={"regulatory_requirements": []})
        assert patched.status_code == 404
    # A part's id names only its own kind; an order's id names no part.
    assert parts.send("GET", f"/sub_number_orders/{number_id}").status_code == 404
    assert parts.send("GET", f"/number_order_phone_numbers/{created['id']}").status_code == 404
    for bad in (UNKNOWN, *MALFORMED):
        assert parts.send("GET", f"/sub_number_orders/{bad}").status_code == 404
        assert parts.send("PATCH", f"/sub_number_orders/{bad}/cancel").status_code == 404
    assert (
        parts.send("PATCH", f"/sub_number_orders/{sub_id}/cancel", parts.other_key).status_code
        == 404
    )
    assert (
        parts.get(
            "/sub_number_orders", parts.other_key, **{"filter[order_request_id]": created["id"]}
        ).json()["data"]
        == []
    )


def test_a_value_through_a_sub_order_shows_everywhere(parts: Regulatory) -> None:
    de, us = number("DE"), number("US")
    created = create(parts, de, us)
    de_sub = created["sub_number_orders_ids"][0]
    body = {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "addr-1"}]}
    updated = parts.ok("PATCH", f"/sub_number_orders/{de_sub}", json=body)["data"]
    assert updated["requirements_met"] is True
    settled = wait_until(lambda: (o := order(parts, created["id"]))["status"] != "pending" and o)
    assert settled["status"] == "success" and settled["requirements_met"] is True
    assert settled["phone_numbers"][0]["regulatory_requirements"][0]["field_value"] == "addr-1"
    viewed = parts.ok("GET", f"/number_order_phone_numbers/{created['phone_numbers'][0]['id']}")
    assert viewed["data"]["status"] == "success"
    assert viewed["data"]["regulatory_requirements"][0]["field_value"] == "addr-1"
    assert sub_order(parts, de_sub)["status"] == "success"
    done = parts.get("/number_orders", **{"filter[status]": "success", "page[size]": "250"})
    assert created["id"] in [o["id"] for o in done.json()["data"]]
    assert events(parts, created["id"]) == ["number_order.complete"]
    assert_counts_exact(parts.store)


def test_a_value_through_a_number_touches_that_number_only(parts: Regulatory) -> None:
    created = create(parts, number("DE"), number("DE"))
    first, second = (n["id"] for n in created["phone_numbers"])
    body = {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "addr-9"}]}
    updated = parts.ok("PATCH", f"/number_order_phone_numbers/{first}", json=body)["data"]
    assert updated["requirements_met"] is True and updated["id"] == first
    other = parts.ok("GET", f"/number_order_phone_numbers/{second}")["data"]
    assert (
        other["requirements_met"] is False
        and "field_value" not in other["regulatory_requirements"][0]
    )
    assert order(parts, created["id"])["requirements_met"] is False
    assert_counts_exact(parts.store)


def test_invalid_part_updates_are_422_and_change_nothing(parts: Regulatory) -> None:
    created = create(parts, number("DE"), number("US"))
    de_sub, us_sub = created["sub_number_orders_ids"]
    unknown = {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "a"}]}
    # The US sub order has no DE requirement: the value is not one of its numbers'.
    response = parts.send("PATCH", f"/sub_number_orders/{us_sub}", json=unknown)
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["source"]["pointer"]
        == "/regulatory_requirements/0/requirement_id"
    )
    bad = parts.send(
        "PATCH", f"/sub_number_orders/{de_sub}", json={"regulatory_requirements": [{}]}
    )
    assert bad.status_code == 422
    assert (
        parts.send(
            "PATCH",
            f"/sub_number_orders/{de_sub}",
            content=b"[1]",
            headers={"content-type": "application/json"},
        ).status_code
        == 400
    )
    unchanged = order(parts, created["id"])["phone_numbers"][0]["regulatory_requirements"]
    assert unchanged == created["phone_numbers"][0]["regulatory_requirements"]
    for body in ({}, {"requirement_group_id": "nope"}, {"requirement_group_id": UNKNOWN}):
        refused = parts.send("POST", f"/sub_number_orders/{de_sub}/requirement_group", json=body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["source"]["pointer"] == "/requirement_group_id"


def test_cancel_fails_pending_numbers_and_frees_them_for_search(parts: Regulatory) -> None:
    query = {
        "filter[country_code]": "DE",
        "filter[phone_number_type]": "local",
        "filter[limit]": "5",
    }
    offered = [
        n["phone_number"] for n in parts.ok("GET", "/available_phone_numbers", params=query)["data"]
    ]
    chosen = offered[0]
    created = create(parts, chosen, number("US"))
    de_sub, us_sub = created["sub_number_orders_ids"]
    after_order = [
        n["phone_number"] for n in parts.ok("GET", "/available_phone_numbers", params=query)["data"]
    ]
    assert chosen not in after_order

    cancelled = parts.ok("PATCH", f"/sub_number_orders/{de_sub}/cancel")["data"]
    assert cancelled["status"] == "failure"
    again = [
        n["phone_number"] for n in parts.ok("GET", "/available_phone_numbers", params=query)["data"]
    ]
    assert again == offered
    settled = wait_until(lambda: (o := order(parts, created["id"]))["status"] != "pending" and o)
    assert settled["status"] == "failure"
    assert [n["status"] for n in settled["phone_numbers"]] == ["failure", "success"]
    assert events(parts, created["id"]) == ["number_order.complete"]
    refused = parts.send("PATCH", f"/sub_number_orders/{de_sub}/cancel")
    assert refused.status_code == 422 and "failure" in refused.json()["errors"][0]["detail"]
    assert parts.send("PATCH", f"/sub_number_orders/{us_sub}/cancel").status_code == 422
    assert_counts_exact(parts.store)


def test_cancel_that_settles_the_order_writes_its_event_at_once(parts: Regulatory) -> None:
    created = create(parts, number("DE"))
    (sub_id,) = created["sub_number_orders_ids"]
    parts.ok("PATCH", f"/sub_number_orders/{sub_id}/cancel")
    # The same transaction as the status change: no worker pass in between.
    assert events(parts, created["id"]) == ["number_order.complete"]
    assert order(parts, created["id"])["status"] == "failure"
    failed = parts.ok(
        "GET",
        "/sub_number_orders",
        params={"filter[status]": "failure", "filter[country_code]": "DE"},
    )
    assert sub_id in [s["id"] for s in failed["data"]]
    pending = parts.ok("GET", "/sub_number_orders", params={"filter[status]": "pending"})
    assert sub_id not in [s["id"] for s in pending["data"]]
    assert_counts_exact(parts.store)


def test_a_declined_value_is_an_exception_with_the_regulators_comment(parts: Regulatory) -> None:
    created = create(parts, number("DE"))
    (sub_id,) = created["sub_number_orders_ids"]
    body = {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "decline"}]}
    updated = parts.ok("PATCH", f"/sub_number_orders/{sub_id}", json=body)["data"]
    assert updated["requirements_met"] is False and updated["status"] == "pending"
    viewed = sub_order(parts, sub_id, **{"filter[include_phone_numbers]": "true"})
    (declined,) = viewed["phone_numbers"]
    assert declined["requirements_status"] == "requirement-info-exception"
    assert declined["regulatory_requirements"][0]["status"] == "declined"
    comments = parts.ok("GET", "/comments", params={"filter[comment_record_id]": sub_id})["data"]
    (comment,) = comments
    assert (
        comment["commenter_type"] == "admin"
        and comment["comment_record_type"] == "sub_number_order"
    )
    assert DE_ADDRESS in comment["body"] and '"decline"' in comment["body"]
    # A new value is checked again and approved.
    body["regulatory_requirements"][0]["field_value"] = "addr-2"
    parts.ok("PATCH", f"/sub_number_orders/{sub_id}", json=body)
    settled = wait_until(lambda: (o := order(parts, created["id"]))["status"] != "pending" and o)
    assert settled["status"] == "success"
    assert_counts_exact(parts.store)


def test_an_approved_group_applied_to_a_number(parts: Regulatory) -> None:
    created = create(parts, number("DE"), number("DE"))
    first, second = (n["id"] for n in created["phone_numbers"])
    group = parts.group("DE", (DE_ADDRESS, "addr-g"))
    path = f"/number_order_phone_numbers/{first}/requirement_group"
    unapproved = parts.send("POST", path, json={"requirement_group_id": group["id"]})
    assert (
        unapproved.status_code == 422 and "unapproved" in unapproved.json()["errors"][0]["detail"]
    )
    parts.ok("POST", f"/requirement_groups/{group['id']}/submit_for_approval")
    assert parts.reviewed(group["id"])["status"] == "approved"
    applied = parts.ok("POST", path, json={"requirement_group_id": group["id"]})["data"]
    assert applied["requirements_met"] is True
    assert applied["regulatory_requirements"][0] == {
        "record_type": "phone_number_regulatory_requirement",
        "requirement_id": DE_ADDRESS,
        "field_type": "address",
        "field_value": "addr-g",
        "status": "approved",
    }
    other = parts.ok("GET", f"/number_order_phone_numbers/{second}")["data"]
    assert other["requirements_met"] is False
    foreign = parts.send("POST", path, parts.other_key, json={"requirement_group_id": group["id"]})
    assert foreign.status_code == 404
    assert_counts_exact(parts.store)
