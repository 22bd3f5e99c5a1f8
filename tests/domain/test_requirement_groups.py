"""Requirement groups: the request rules, the review, applying them to numbers, JSON."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from telnyx.types.requirement_group import RequirementGroup as ClientGroup

from number_orders.domain.orders import OrderedNumber
from number_orders.domain.regulatory import RequirementRules, requirement_id
from number_orders.domain.requirement_group_bodies import GroupUpdate, NewRequirementGroup
from number_orders.domain.requirement_groups import (
    APPROVED,
    DECLINED,
    PENDING_APPROVAL,
    UNAPPROVED,
    RequirementGroup,
    RequirementGroupsQuery,
    apply_to_numbers,
    decline_comment,
    group_json,
    review,
    review_due,
    submit_for_approval,
)
from number_orders.domain.requirements_catalogue import Catalogue
from number_orders.errors import ApiError
from tests.domain.surface import assert_client_reads, assert_response

RULES = RequirementRules.parse("US=,GB=address+document,JP=datetime,*=address")
CATALOGUE = Catalogue(RULES, extra_field_types=("address",))
GB_ADDRESS, GB_DOCUMENT = requirement_id("GB", "address"), requirement_id("GB", "document")
VERIFIED_DOC = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
DOCUMENTS = {VERIFIED_DOC: "verified"}
_ids = count(1)


def make_id() -> str:
    return f"00000000-0000-4000-8000-{next(_ids):012d}"


def gb_group(*values: tuple[str, str], now: int = 10) -> RequirementGroup:
    body = {
        "country_code": "gb",
        "phone_number_type": "local",
        "action": "ordering",
        "customer_reference": "Acme",
        "regulatory_requirements": [{"requirement_id": r, "field_value": v} for r, v in values],
    }
    return NewRequirementGroup.from_body(body).build(CATALOGUE, now, make_id, DOCUMENTS)


def approved_gb(address: str = "1 Main St") -> RequirementGroup:
    group = submit_for_approval(
        gb_group((GB_ADDRESS, address), (GB_DOCUMENT, VERIFIED_DOC)), now=11
    )
    return review(group, now=20)


def refused(call: Any, *args: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ApiError) as raised:
        call(*args)
    assert raised.value.status == 422
    return [(p.pointer, p.detail) for p in raised.value.problems]


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


def test_submit_then_review_approves() -> None:
    group = gb_group((GB_ADDRESS, "1 Main St"), (GB_DOCUMENT, VERIFIED_DOC))
    submitted = submit_for_approval(group, now=11)
    assert (submitted.status, submitted.submitted_at) == (PENDING_APPROVAL, 11)
    assert {v.status for v in submitted.values} == {PENDING_APPROVAL}
    assert not review_due(submitted, now=15, review_delay=5) and review_due(
        submitted, now=16, review_delay=5
    )
    approved = review(submitted, now=16)
    assert approved.status == APPROVED and {v.status for v in approved.values} == {APPROVED}
    assert decline_comment(approved) is None and review(approved, now=17) == approved
    assert not review_due(approved, now=30, review_delay=5)


def test_a_decline_value_declines_the_group_with_a_comment() -> None:
    group = review(
        submit_for_approval(gb_group((GB_ADDRESS, "decline"), (GB_DOCUMENT, VERIFIED_DOC)), 11), 16
    )
    assert group.status == DECLINED
    assert [v.status for v in group.values] == [DECLINED, APPROVED]
    comment = decline_comment(group)
    assert comment is not None
    assert f"Requirement group {group.id} was declined." in comment
    assert f'Address (GB) (requirement {GB_ADDRESS}): the value "decline" was declined' in comment
    assert [p for p, _ in refused(submit_for_approval, group, 17)] == [None]
    fixed = GroupUpdate.from_body(
        {"regulatory_requirements": [{"requirement_id": GB_ADDRESS, "field_value": "2 High St"}]}
    )
    resubmittable = fixed.apply(group, CATALOGUE, 18)
    assert resubmittable is not None and resubmittable.status == UNAPPROVED
    assert review(submit_for_approval(resubmittable, 19), 25).status == APPROVED


def test_submitting_needs_every_value_and_an_unapproved_group() -> None:
    group = gb_group((GB_ADDRESS, "1 Main St"))
    ((pointer, detail),) = refused(submit_for_approval, group, 11)
    assert pointer == "/regulatory_requirements" and GB_DOCUMENT in detail
    pending = submit_for_approval(gb_group((GB_ADDRESS, "a"), (GB_DOCUMENT, VERIFIED_DOC)), 11)
    assert "already pending approval" in refused(submit_for_approval, pending, 12)[0][1]


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


def number(
    phone_number: str, country: str, kind: str = "local", extra: tuple[str, ...] = ()
) -> OrderedNumber:
    return OrderedNumber(
        id=make_id(),
        phone_number=phone_number,
        country_code=country,
        phone_number_type=kind,
        regulatory_requirements=RULES.requirements_for(country, extra),
    )


def test_an_approved_group_satisfies_its_numbers() -> None:
    group = approved_gb()
    numbers = [number("+442071838750", "GB"), number("+442071838751", "GB")]
    satisfied = apply_to_numbers(group, numbers)
    assert all(n.requirements_met and n.requirement_group_id == group.id for n in satisfied)
    assert [r.field_value for r in satisfied[0].regulatory_requirements] == [
        "1 Main St",
        VERIFIED_DOC,
    ]
    assert numbers[0].requirements_met is False  # the originals are left as they were


def test_only_an_approved_group_for_those_numbers_applies() -> None:
    gb = [number("+442071838750", "GB")]
    found = refused(apply_to_numbers, gb_group((GB_ADDRESS, "a")), gb)
    assert found[0][0] == "/requirement_group_id" and "is unapproved" in found[0][1]
    de = [number("+4930123456", "DE")]
    ((pointer, detail),) = refused(
        apply_to_numbers, approved_gb(), de, "/phone_numbers/0/requirement_group_id"
    )
    assert pointer == "/phone_numbers/0/requirement_group_id"
    assert "is for GB local numbers; +4930123456 is a DE local number" in detail
    mobile = [number("+447400123456", "GB", "mobile")]
    assert "GB mobile number" in refused(apply_to_numbers, approved_gb(), mobile)[0][1]


@pytest.mark.parametrize("stage", ["new", "submitted", "approved", "declined"])
def test_groups_match_the_spec_and_the_client(stage: str) -> None:
    group = {
        "new": gb_group((GB_ADDRESS, "1 Main St")),
        "submitted": submit_for_approval(
            gb_group((GB_ADDRESS, "a"), (GB_DOCUMENT, VERIFIED_DOC)), 11
        ),
        "approved": approved_gb(),
        "declined": approved_gb("decline"),
    }[stage]
    body = group_json(group)
    for path, method in [
        ("/requirement_groups", "post"),
        ("/requirement_groups/{id}", "get"),
        ("/requirement_groups/{id}", "patch"),
        ("/requirement_groups/{id}", "delete"),
        ("/requirement_groups/{id}/submit_for_approval", "post"),
    ]:
        assert_response(path, method, body)  # the bare group: no `data` envelope
    assert_response("/requirement_groups", "get", [body, body])
    assert_client_reads(ClientGroup, body)
    assert "data" not in body and body["record_type"] == "requirement_group"


def test_the_query_reads_the_five_filters() -> None:
    query = RequirementGroupsQuery.from_params(
        [
            ("filter[country_code]", "gb"),
            ("filter[phone_number_type]", "local"),
            ("filter[action]", "ordering"),
            ("filter[status]", "approved"),
            ("filter[customer_reference]", "Acme"),
        ]
    )
    assert query.admits(approved_gb())
    assert not query.admits(gb_group())
    with pytest.raises(ApiError) as raised:
        RequirementGroupsQuery.from_params([("filter[status]", "pending"), ("page[number]", "1")])
    assert [p.parameter for p in raised.value.problems] == ["filter[status]", "page[number]"]
