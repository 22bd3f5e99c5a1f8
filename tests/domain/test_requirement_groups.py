"""Requirement groups: submitting, the review, applying them to numbers, JSON, the query."""

from __future__ import annotations

from dataclasses import replace

import pytest
from telnyx.types.requirement_group import RequirementGroup as ClientGroup

from number_orders.domain.orders import NumberOrder, NumberOrderDetail, OrderedNumber
from number_orders.domain.requirement_group_bodies import GroupUpdate
from number_orders.domain.requirement_groups import (
    APPROVED,
    DECLINED,
    PENDING_APPROVAL,
    UNAPPROVED,
    RequirementGroupsQuery,
    apply_to_numbers,
    apply_to_order,
    decline_comment,
    group_json,
    review,
    review_due,
    submit_for_approval,
)
from number_orders.errors import ApiError
from tests.domain.groups import (
    CATALOGUE,
    GB_ADDRESS,
    GB_DOCUMENT,
    RULES,
    VERIFIED_DOC,
    approved_gb,
    gb_group,
    make_id,
    refused,
)
from tests.domain.surface import assert_client_reads, assert_response


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


def test_an_order_takes_the_approved_groups_its_numbers_name() -> None:
    group = approved_gb()
    us = number("+13125550199", "US")
    gb = replace(number("+442071838752", "GB"), requirement_group_id=group.id.upper())
    detail = NumberOrderDetail(order_of([us, gb]), [us, gb])
    applied = apply_to_order(detail, {group.id: group})
    assert applied.order.requirements_met and applied.numbers[0] == us
    assert applied.numbers[1].requirement_group_id == group.id
    assert [r.field_value for r in applied.numbers[1].regulatory_requirements] == [
        "1 Main St",
        VERIFIED_DOC,
    ]
    assert detail.order.requirements_met is False  # the new order before its groups
    found = refused(apply_to_order, detail, {})
    assert found == [
        (
            "/phone_numbers/1/requirement_group_id",
            f'requirement_group_id "{group.id.upper()}" is not a requirement group of this account.',
        )
    ]
    unapproved = gb_group((GB_ADDRESS, "a"))
    named = replace(gb, requirement_group_id=unapproved.id)
    ((pointer, detail_text),) = refused(
        apply_to_order, NumberOrderDetail(order_of([named]), [named]), {unapproved.id: unapproved}
    )
    assert pointer == "/phone_numbers/0/requirement_group_id" and "is unapproved" in detail_text


def order_of(numbers: list[OrderedNumber]) -> NumberOrder:
    return NumberOrder(
        id=make_id(),
        status="pending",
        requirements_met=False,
        phone_numbers_count=len(numbers),
        created_at=1,
        updated_at=1,
        phone_numbers=[(n.id, n.phone_number) for n in numbers],
        sub_number_orders_ids=[make_id()],
    )
