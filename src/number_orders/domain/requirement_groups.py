"""Requirement groups: values for one (country, phone number type, action), reviewed once
and applied to any number of ordered numbers.

    unapproved --submit_for_approval--> pending-approval --review--> approved | declined

A value equal to `decline` declines the group; changing any value makes it `unapproved`
again, whatever its status.

The review runs when the worker finds it due (`review_due`: submitted plus the review
delay); a declined group gets the regulator's comment (`decline_comment`). Only an approved
group can be applied to numbers (`apply_to_numbers`). JSON is the bare group: these
endpoints answer without a `data` envelope, as the spec says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.comments import DeclinedValue, decline_text
from number_orders.domain.fields import pointer, shown
from number_orders.domain.orders import (
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
    derive_order_state,
)
from number_orders.domain.parameters import Rule, choice, country_code, read_params, text
from number_orders.domain.requirements_catalogue import (
    ORDERING,
    PHONE_NUMBER_TYPES,
    RequirementType,
    Scope,
)
from number_orders.domain.requirements_status import (
    VALUE_APPROVED,
    VALUE_DECLINED,
    VALUE_PENDING_APPROVAL,
    VALUE_UNAPPROVED,
    declines,
)
from number_orders.domain.timestamps import format_micros
from number_orders.errors import ApiError, Problem, bad_field, invalid_body

UNAPPROVED, PENDING_APPROVAL = VALUE_UNAPPROVED, VALUE_PENDING_APPROVAL
APPROVED, DECLINED, EXPIRED = VALUE_APPROVED, VALUE_DECLINED, "expired"
GROUP_STATUSES = (APPROVED, UNAPPROVED, PENDING_APPROVAL, DECLINED, EXPIRED)
ACTIONS = (ORDERING, "porting")


@dataclass(frozen=True, slots=True)
class GroupValue:
    requirement_id: str
    field_type: str
    field_value: str | None
    status: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class RequirementGroup:
    id: str
    country_code: str
    phone_number_type: str
    action: str
    status: str
    values: tuple[GroupValue, ...]
    created_at: int
    updated_at: int
    customer_reference: str | None = None
    submitted_at: int | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.country_code, self.phone_number_type, self.action)

    def value_of(self, requirement_id: str) -> str | None:
        return next(
            (v.field_value for v in self.values if v.requirement_id == requirement_id), None
        )


def _unprocessable(detail: str) -> ApiError:
    return ApiError(422, [Problem("10015", "Bad Request", detail)])


# --- Review ------------------------------------------------------------------------------


def submit_for_approval(group: RequirementGroup, now: int) -> RequirementGroup:
    """The group handed to the regulator, or a 422 saying why it cannot be."""
    if group.status != UNAPPROVED:
        raise _unprocessable(_NOT_SUBMITTABLE[group.status].format(id=group.id))
    missing = [v.requirement_id for v in group.values if v.field_value is None]
    if missing:
        raise invalid_body(
            [
                bad_field(
                    "/regulatory_requirements",
                    f"requirement group {group.id} has no value for requirements {', '.join(missing)}; "
                    "update it with their values, then submit it.",
                )
            ]
        )
    values = tuple(replace(v, status=PENDING_APPROVAL) for v in group.values)
    updated = max(now, group.updated_at + 1)
    return replace(
        group, status=PENDING_APPROVAL, values=values, submitted_at=now, updated_at=updated
    )


_NOT_SUBMITTABLE = {
    PENDING_APPROVAL: "requirement group {id} is already pending approval.",
    APPROVED: "requirement group {id} is already approved.",
    DECLINED: "requirement group {id} was declined; update the declined values, then submit it again.",
    EXPIRED: "requirement group {id} has expired; create a new one.",
}


def review_due(group: RequirementGroup, now: int, review_delay: int) -> bool:
    return (
        group.status == PENDING_APPROVAL
        and group.submitted_at is not None
        and now >= group.submitted_at + review_delay
    )


def review(group: RequirementGroup, now: int) -> RequirementGroup:
    """The regulator's verdict on a submitted group: each `decline` value is declined, the
    rest approved; the group is declined if any value is."""
    if group.status != PENDING_APPROVAL:
        return group
    values = tuple(
        replace(
            v,
            status=DECLINED if v.field_value is not None and declines(v.field_value) else APPROVED,
            updated_at=now,
        )
        for v in group.values
    )
    status = DECLINED if any(v.status == DECLINED for v in values) else APPROVED
    return replace(group, status=status, values=values, updated_at=max(now, group.updated_at + 1))


def decline_comment(group: RequirementGroup) -> str | None:
    """The regulator's comment on a declined group (None if nothing was declined)."""
    declined = [_declined(group.country_code, v) for v in group.values if v.status == DECLINED]
    return decline_text(f"Requirement group {group.id}", declined) if declined else None


def _declined(country: str, value: GroupValue) -> DeclinedValue:
    kind = RequirementType(country, value.field_type)
    reason = f"it does not meet the requirement ({kind.kind.description})"
    return DeclinedValue(value.requirement_id, kind.name, value.field_value or "", reason)


# --- Applying a group to numbers ---------------------------------------------------------


def apply_to_numbers(
    group: RequirementGroup, numbers: Sequence[OrderedNumber], where: str = "/requirement_group_id"
) -> list[OrderedNumber]:
    """The numbers with every requirement the group has a value for satisfied, and the
    group named on them; or a 422 at `where` if the group is not approved or not for
    these numbers. The values were reviewed with the group, so they count as approved.
    """
    misfit = _misfit(group, numbers)
    if misfit is not None:
        raise invalid_body([bad_field(where, f"requirement group {group.id} {misfit}")])
    return [_satisfied(number, group) for number in numbers]


def apply_to_order(
    detail: NumberOrderDetail, groups: Mapping[str, RequirementGroup]
) -> NumberOrderDetail:
    """A new order with the group each number names (`requirement_group_id` at create)
    applied to it; `groups` holds the account's groups those ids name. One 422 names every
    number whose group is not the account's, not approved, or not for that number."""
    problems: list[Problem] = []
    numbers: list[OrderedNumber] = []
    for index, number in enumerate(detail.numbers):
        group_id = number.requirement_group_id
        group = groups.get(group_id.lower()) if group_id is not None else None
        where = pointer("phone_numbers", index, "requirement_group_id")
        if group_id is not None and group is None:
            detail_text = f"requirement_group_id {shown(group_id)} is not a requirement group of this account."
            problems.append(bad_field(where, detail_text))
        elif group is not None:
            try:
                number = apply_to_numbers(group, [number], where)[0]
            except ApiError as refused:
                problems += refused.problems
        numbers.append(number)
    if problems:
        raise invalid_body(problems)
    status, requirements_met = derive_order_state(numbers)
    order = replace(detail.order, status=status, requirements_met=requirements_met)
    return NumberOrderDetail(order, numbers)


def _misfit(group: RequirementGroup, numbers: Sequence[OrderedNumber]) -> str | None:
    if group.status != APPROVED:
        return (
            f"is {group.status}; only an approved group can be applied "
            "(submit it for approval and wait for the review)."
        )
    if group.action != ORDERING:
        return f"is for {group.action}, not ordering."
    wanted = (group.country_code, group.phone_number_type)
    for number in numbers:
        if (number.country_code, number.phone_number_type) != wanted:
            return (
                f"is for {' '.join(wanted)} numbers; {number.phone_number} is a "
                f"{number.country_code} {number.phone_number_type} number."
            )
    return None


def _satisfied(number: OrderedNumber, group: RequirementGroup) -> OrderedNumber:
    requirements = [
        RegulatoryRequirement(
            r.requirement_id, r.field_type, group.value_of(r.requirement_id) or r.field_value
        )
        for r in number.regulatory_requirements
    ]
    return replace(number, regulatory_requirements=requirements, requirement_group_id=group.id)


# --- JSON and listing --------------------------------------------------------------------


def group_json(group: RequirementGroup) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group.id,
        "record_type": "requirement_group",
        "country_code": group.country_code,
        "phone_number_type": group.phone_number_type,
        "action": group.action,
        "status": group.status,
        "regulatory_requirements": [_value_json(v) for v in group.values],
        "created_at": format_micros(group.created_at),
        "updated_at": format_micros(group.updated_at),
    }
    if group.customer_reference is not None:
        body["customer_reference"] = group.customer_reference
    return body


def _value_json(value: GroupValue) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requirement_id": value.requirement_id,
        "field_type": value.field_type,
        "status": value.status,
        "created_at": format_micros(value.created_at),
        "updated_at": format_micros(value.updated_at),
    }
    if value.field_value is not None:  # typed as a string: absent until given
        body["field_value"] = value.field_value
    return body


@dataclass(frozen=True, slots=True)
class RequirementGroupsQuery:
    """`GET /requirement_groups`: the spec's five filters; never paged, newest first."""

    country_code: str | None = None
    phone_number_type: str | None = None
    action: str | None = None
    status: str | None = None
    customer_reference: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> RequirementGroupsQuery:
        return cls(**read_params(pairs, _RULES))

    def admits(self, group: RequirementGroup) -> bool:
        return all(
            wanted is None or wanted == getattr(group, name)
            for name, wanted in (
                ("country_code", self.country_code),
                ("phone_number_type", self.phone_number_type),
                ("action", self.action),
                ("status", self.status),
                ("customer_reference", self.customer_reference),
            )
        )


_RULES = {
    "filter[country_code]": Rule("country_code", country_code),
    "filter[phone_number_type]": Rule("phone_number_type", choice(PHONE_NUMBER_TYPES)),
    "filter[action]": Rule("action", choice((*ACTIONS, "action"))),
    "filter[status]": Rule("status", choice(GROUP_STATUSES)),
    "filter[customer_reference]": Rule("customer_reference", text),
}
