"""Requirement groups as the tests build them: a GB group, reviewed or not."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from number_orders.domain.regulatory import RequirementRules, requirement_id
from number_orders.domain.requirement_group_bodies import NewRequirementGroup
from number_orders.domain.requirement_groups import RequirementGroup, review, submit_for_approval
from number_orders.domain.requirements_catalogue import Catalogue
from number_orders.errors import ApiError

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
