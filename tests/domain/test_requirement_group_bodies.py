"""Requirement group requests: the create and update bodies' rules."""

from __future__ import annotations

from number_orders.domain.regulatory import requirement_id
from number_orders.domain.requirement_group_bodies import GroupUpdate, NewRequirementGroup
from number_orders.domain.requirement_groups import APPROVED, UNAPPROVED
from tests.domain.groups import (
    CATALOGUE,
    DOCUMENTS,
    GB_ADDRESS,
    GB_DOCUMENT,
    VERIFIED_DOC,
    approved_gb,
    gb_group,
    make_id,
    refused,
)


def test_the_service_reads_only_values_that_could_be_documents() -> None:
    values = [{"requirement_id": GB_ADDRESS, "field_value": "1 Main St"}]
    values.append({"requirement_id": GB_DOCUMENT, "field_value": VERIFIED_DOC.upper()})
    body = {"country_code": "GB", "phone_number_type": "local", "action": "ordering"}
    new = NewRequirementGroup.from_body({**body, "regulatory_requirements": values})
    assert new.document_ids() == [VERIFIED_DOC]
    assert GroupUpdate.from_body({"regulatory_requirements": values}).document_ids() == [
        VERIFIED_DOC
    ]


def test_a_new_group_lists_every_requirement_of_its_scope() -> None:
    group = gb_group((GB_DOCUMENT, VERIFIED_DOC.upper()))
    assert (group.country_code, group.status, group.customer_reference) == (
        "GB",
        UNAPPROVED,
        "Acme",
    )
    assert [(v.requirement_id, v.field_type, v.field_value) for v in group.values] == [
        (GB_ADDRESS, "address", None),
        (GB_DOCUMENT, "document", VERIFIED_DOC.upper()),
    ]
    # The test numbers' address is a requirement any country's group may answer.
    us = NewRequirementGroup.from_body(
        {
            "country_code": "US",
            "phone_number_type": "toll_free",
            "action": "ordering",
            "regulatory_requirements": [
                {"requirement_id": requirement_id("US", "address"), "field_value": "x"}
            ],
        }
    ).build(CATALOGUE, 1, make_id)
    assert [v.field_type for v in us.values] == ["address"]


def test_every_bad_field_of_a_create_body_is_reported() -> None:
    assert [p for p, _ in refused(NewRequirementGroup.from_body, {})] == [
        "/country_code",
        "/phone_number_type",
        "/action",
    ]
    body = {
        "country_code": "GBR",
        "phone_number_type": "landline",
        "action": "branded_calling",
        "customer_reference": 5,
        "regulatory_requirements": [
            {"requirement_id": GB_ADDRESS},
            3,
            {"requirement_id": GB_ADDRESS, "field_value": "a"},
        ],
    }
    assert [p for p, _ in refused(NewRequirementGroup.from_body, body)] == [
        "/country_code",
        "/phone_number_type",
        "/action",
        "/customer_reference",
        "/regulatory_requirements/0/field_value",
        "/regulatory_requirements/1",
        "/regulatory_requirements/2/requirement_id",
    ]


def test_values_must_belong_to_the_country_and_fit_their_type() -> None:
    body = {
        "country_code": "GB",
        "phone_number_type": "local",
        "action": "ordering",
        "regulatory_requirements": [
            {"requirement_id": requirement_id("DE", "address"), "field_value": "x"},
            {"requirement_id": GB_DOCUMENT, "field_value": "11111111-1111-4111-8111-111111111111"},
            {"requirement_id": GB_ADDRESS, "field_value": "x"},
            {"requirement_id": GB_ADDRESS.upper(), "field_value": "y"},
        ],
    }
    new = NewRequirementGroup.from_body(
        {**body, "regulatory_requirements": body["regulatory_requirements"][:3]}
    )
    found = refused(new.build, CATALOGUE, 1, make_id, DOCUMENTS)
    assert [p for p, _ in found] == [
        "/regulatory_requirements/0/requirement_id",
        "/regulatory_requirements/1/field_value",
    ]
    assert f"{GB_ADDRESS} (address)" in found[0][1]
    assert [p for p, _ in refused(NewRequirementGroup.from_body, body)] == [
        "/regulatory_requirements/3/requirement_id"
    ]
    jp = {"country_code": "JP", "phone_number_type": "mobile", "action": "ordering"}
    dated = [{"requirement_id": requirement_id("JP", "datetime"), "field_value": "31/01/1990"}]
    new = NewRequirementGroup.from_body({**jp, "regulatory_requirements": dated})
    assert [p for p, _ in refused(new.build, CATALOGUE, 1, make_id)] == [
        "/regulatory_requirements/0/field_value"
    ]


def test_an_update_changes_values_and_withdraws_the_verdict() -> None:
    group = approved_gb()
    unchanged = GroupUpdate.from_body(
        {"regulatory_requirements": [{"requirement_id": GB_ADDRESS, "field_value": "1 Main St"}]}
    )
    assert unchanged.apply(group, CATALOGUE, 30) is None
    renamed = GroupUpdate.from_body({"customer_reference": "New"}).apply(group, CATALOGUE, 30)
    assert renamed is not None and (renamed.status, renamed.customer_reference) == (APPROVED, "New")
    moved = GroupUpdate.from_body(
        {"regulatory_requirements": [{"requirement_id": GB_ADDRESS, "field_value": "9 Elm St"}]}
    )
    changed = moved.apply(group, CATALOGUE, 30)
    assert changed is not None
    assert (changed.status, changed.submitted_at, changed.updated_at) == (UNAPPROVED, None, 30)
    assert changed.value_of(GB_ADDRESS) == "9 Elm St" and {v.status for v in changed.values} == {
        UNAPPROVED
    }
    foreign = GroupUpdate.from_body(
        {
            "regulatory_requirements": [
                {"requirement_id": requirement_id("DE", "address"), "field_value": "x"}
            ]
        }
    )
    assert [p for p, _ in refused(foreign.apply, group, CATALOGUE, 30)] == [
        "/regulatory_requirements/0/requirement_id"
    ]
