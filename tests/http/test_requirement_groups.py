"""/v2/requirement_groups over real HTTP, on both engines: create, list, retrieve, update,
delete and submit for approval, then the worker's review (approved, or declined with the
regulator's comment). Answers carry no `data` envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.domain.surface import assert_response
from tests.http.regulatory import (
    DE_ADDRESS,
    GB_ADDRESS,
    GB_DOCUMENT,
    MALFORMED,
    UNKNOWN,
    Regulatory,
)
from tests.http.regulatory import regulatory_server as _server
from tests.support.databases import ENGINES


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def values(group: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [
        (v["requirement_id"], v.get("field_value"), v["status"])
        for v in group["regulatory_requirements"]
    ]


def pointers(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["source"]["pointer"] for e in response.json()["errors"]]


# -- create, retrieve, list ------------------------------------------------------------


def test_create_answers_the_bare_group_with_every_requirement(server: Regulatory) -> None:
    created = server.group("gb", (GB_ADDRESS, "1 Main St"), customer_reference="acme-gb")
    assert_response("/requirement_groups", "post", created)
    assert "data" not in created
    assert (created["country_code"], created["status"], created["record_type"]) == (
        "GB",
        "unapproved",
        "requirement_group",
    )
    assert created["customer_reference"] == "acme-gb"
    assert values(created) == [
        (GB_ADDRESS, "1 Main St", "unapproved"),
        (GB_DOCUMENT, None, "unapproved"),
    ]
    found = server.ok("GET", f"/requirement_groups/{created['id'].upper()}")
    assert_response("/requirement_groups/{id}", "get", found)
    assert found == created


def test_create_refuses_every_bad_field(server: Regulatory) -> None:
    response = server.send(
        "POST",
        "/requirement_groups",
        json={
            "country_code": "GBR",
            "phone_number_type": "landline",
            "regulatory_requirements": [{"requirement_id": GB_ADDRESS}, "x"],
        },
    )
    assert pointers(response) == [
        "/country_code",
        "/phone_number_type",
        "/action",
        "/regulatory_requirements/0/field_value",
        "/regulatory_requirements/1",
    ]
    foreign_value = server.send(
        "POST",
        "/requirement_groups",
        json={
            "country_code": "DE",
            "phone_number_type": "local",
            "action": "ordering",
            "regulatory_requirements": [{"requirement_id": GB_ADDRESS, "field_value": "x"}],
        },
    )
    assert pointers(foreign_value) == ["/regulatory_requirements/0/requirement_id"]
    assert DE_ADDRESS in foreign_value.json()["errors"][0]["detail"]
    broken = server.send(
        "POST", "/requirement_groups", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    unsupported = server.send(
        "POST", "/requirement_groups", content=b"{}", headers={"content-type": "text/plain"}
    )
    assert unsupported.status_code == 415


def test_a_document_value_must_be_a_verified_document_of_the_account(server: Regulatory) -> None:
    response = server.send(
        "POST",
        "/requirement_groups",
        json={
            "country_code": "GB",
            "phone_number_type": "local",
            "action": "ordering",
            "regulatory_requirements": [
                {
                    "requirement_id": GB_DOCUMENT,
                    "field_value": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
                }
            ],
        },
    )
    assert pointers(response) == ["/regulatory_requirements/0/field_value"]
    assert "is not a document of this account" in response.json()["errors"][0]["detail"]


def test_list_is_the_accounts_groups_newest_first_filtered(server: Regulatory) -> None:
    reference = "list-" + UNKNOWN[:8]
    first = server.group("DE", customer_reference=reference)
    second = server.group("DE", (DE_ADDRESS, "Unter den Linden 1"), customer_reference=reference)
    listed = server.ok(
        "GET", "/requirement_groups", params={"filter[customer_reference]": reference}
    )
    assert_response("/requirement_groups", "get", listed)
    assert [g["id"] for g in listed] == [second["id"], first["id"]]
    for params, expected in (
        ({"filter[country_code]": "de", "filter[status]": "unapproved"}, [second, first]),
        ({"filter[phone_number_type]": "mobile"}, []),
        ({"filter[action]": "porting"}, []),
        ({"filter[status]": "approved"}, []),
    ):
        found = server.ok(
            "GET", "/requirement_groups", params={**params, "filter[customer_reference]": reference}
        )
        assert [g["id"] for g in found] == [g["id"] for g in expected], params
    assert server.ok("GET", "/requirement_groups", server.other_key) == []
    bad = server.get("/requirement_groups?filter[status]=done&filter[country_code]=1&filter[x]=1")
    assert bad.status_code == 400
    assert [e["source"]["parameter"] for e in bad.json()["errors"]] == [
        "filter[status]",
        "filter[country_code]",
        "filter[x]",
    ]


def test_another_accounts_unknown_and_malformed_groups_are_404(server: Regulatory) -> None:
    group = server.group("DE", (DE_ADDRESS, "Alexanderplatz 1"))
    attempts: list[tuple[str | None, str]] = [(server.other_key, group["id"])]
    attempts += [(None, bad) for bad in [UNKNOWN, *MALFORMED]]
    for key, group_id in attempts:
        for method, path, body in (
            ("GET", f"/requirement_groups/{group_id}", None),
            ("PATCH", f"/requirement_groups/{group_id}", {"customer_reference": "x"}),
            ("DELETE", f"/requirement_groups/{group_id}", None),
            ("POST", f"/requirement_groups/{group_id}/submit_for_approval", None),
        ):
            response = server.send(method, path, key, json=body)
            assert response.status_code == 404, (method, group_id, response.text)
            assert response.json()["errors"][0]["code"] == "10005"
    # Untouched by all of that.
    assert server.ok("GET", f"/requirement_groups/{group['id']}") == group


# -- update and delete -----------------------------------------------------------------


def test_update_sets_values_and_the_reference(server: Regulatory) -> None:
    group = server.group("GB", customer_reference="before")
    updated = server.ok(
        "PATCH",
        f"/requirement_groups/{group['id']}",
        json={
            "customer_reference": "after",
            "regulatory_requirements": [{"requirement_id": GB_ADDRESS, "field_value": "2 High St"}],
        },
    )
    assert_response("/requirement_groups/{id}", "patch", updated)
    assert updated["customer_reference"] == "after"
    assert values(updated) == [
        (GB_ADDRESS, "2 High St", "unapproved"),
        (GB_DOCUMENT, None, "unapproved"),
    ]
    assert updated["updated_at"] > group["updated_at"]
    # The same again changes nothing, not even updated_at; null clears the reference.
    same = server.ok(
        "PATCH", f"/requirement_groups/{group['id']}", json={"customer_reference": "after"}
    )
    assert same == updated
    cleared = server.ok(
        "PATCH", f"/requirement_groups/{group['id']}", json={"customer_reference": None}
    )
    assert "customer_reference" not in cleared
    refused = server.send(
        "PATCH",
        f"/requirement_groups/{group['id']}",
        json={"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "x"}]},
    )
    assert pointers(refused) == ["/regulatory_requirements/0/requirement_id"]


def test_delete_answers_the_group_as_it_was_and_takes_its_comments(server: Regulatory) -> None:
    group = server.group("DE", (DE_ADDRESS, "Kurfürstendamm 1"))
    comment = server.ok(
        "POST",
        "/comments",
        json={
            "body": "hi",
            "comment_record_type": "requirement_group",
            "comment_record_id": group["id"],
        },
    )["data"]
    deleted = server.ok("DELETE", f"/requirement_groups/{group['id']}")
    assert_response("/requirement_groups/{id}", "delete", deleted)
    assert deleted == group
    assert server.send("GET", f"/requirement_groups/{group['id']}").status_code == 404
    assert server.send("DELETE", f"/requirement_groups/{group['id']}").status_code == 404
    assert server.send("GET", f"/comments/{comment['id']}").status_code == 404


# -- submit and review -----------------------------------------------------------------


def test_submitted_then_approved_by_the_worker(server: Regulatory) -> None:
    group = server.group("DE", (DE_ADDRESS, "Friedrichstraße 1"))
    submitted = server.ok("POST", f"/requirement_groups/{group['id']}/submit_for_approval")
    assert_response("/requirement_groups/{id}/submit_for_approval", "post", submitted)
    assert submitted["status"] == "pending-approval"
    assert values(submitted) == [(DE_ADDRESS, "Friedrichstraße 1", "pending-approval")]
    approved = server.reviewed(group["id"])
    assert approved["status"] == "approved"
    assert values(approved) == [(DE_ADDRESS, "Friedrichstraße 1", "approved")]
    assert approved["updated_at"] > submitted["updated_at"]
    comments = server.ok("GET", "/comments", params={"filter[comment_record_id]": group["id"]})[
        "data"
    ]
    assert comments == []
    again = server.send("POST", f"/requirement_groups/{group['id']}/submit_for_approval")
    assert "already approved" in again.json()["errors"][0]["detail"]
    # A changed value withdraws the approval.
    changed = server.ok(
        "PATCH",
        f"/requirement_groups/{group['id']}",
        json={"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "Neu 2"}]},
    )
    assert changed["status"] == "unapproved"


def test_a_decline_value_is_declined_with_the_regulators_comment(server: Regulatory) -> None:
    group = server.group("GB", (GB_ADDRESS, "1 Main St"), (GB_DOCUMENT, "decline"))
    server.ok("POST", f"/requirement_groups/{group['id']}/submit_for_approval")
    declined = server.reviewed(group["id"])
    assert declined["status"] == "declined"
    assert values(declined) == [
        (GB_ADDRESS, "1 Main St", "approved"),
        (GB_DOCUMENT, "decline", "declined"),
    ]
    body = server.ok(
        "GET",
        "/comments",
        params={
            "filter[comment_record_type]": "requirement_group",
            "filter[comment_record_id]": group["id"],
        },
    )
    assert_response("/comments", "get", body)
    (comment,) = body["data"]
    assert comment["commenter_type"] == "admin"
    assert comment["commenter"] == "Number Regulatory Team"
    assert f"Requirement group {group['id']} was declined." in comment["body"]
    assert f"Proof of identity (GB) (requirement {GB_DOCUMENT})" in comment["body"]
    assert "read_at" not in comment
    # Not another account's to see.
    assert server.send("GET", f"/comments/{comment['id']}", server.other_key).status_code == 404


def test_submitting_needs_every_value_once(server: Regulatory) -> None:
    group = server.group("GB", (GB_ADDRESS, "1 Main St"))
    response = server.send("POST", f"/requirement_groups/{group['id']}/submit_for_approval")
    assert pointers(response) == ["/regulatory_requirements"]
    assert GB_DOCUMENT in response.json()["errors"][0]["detail"]
    assert server.ok("GET", f"/requirement_groups/{group['id']}")["status"] == "unapproved"
