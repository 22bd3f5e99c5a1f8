"""The fulfilment rules as data: each number's next step, and settling an order."""

from __future__ import annotations

import pytest

from number_orders.domain.creating import NewOrder, build_order
from number_orders.domain.fulfilment import CLAIM, has_work, next_step, settle
from number_orders.domain.orders import FAILURE, PENDING, SUCCESS, NumberOrderDetail
from number_orders.domain.regulatory import RequirementRules


def order(*numbers: str, rules: RequirementRules | None = None) -> NumberOrderDetail:
    body = {"phone_numbers": [{"phone_number": n} for n in numbers]}
    return build_order(NewOrder.from_body(body), rules or RequirementRules(), now=1)


@pytest.mark.parametrize(
    ("phone_number", "step"),
    [
        ("+13125550123", CLAIM),  # US: nothing needed
        ("+13125550000", FAILURE),  # always fails
        ("+442071230000", FAILURE),  # ... even before its address
        ("+13125550001", None),  # needs an address, even in the US
        ("+13125550002", None),
        ("+442071838750", None),  # GB: needs an address
    ],
)
def test_next_step_of_a_new_number(phone_number: str, step: str | None) -> None:
    (number,) = order(phone_number).numbers
    assert next_step(number) == step
    assert has_work([number]) == (step is not None)


def test_settling_claims_fails_and_derives_the_order() -> None:
    detail = order("+13125550123", "+13125550124", "+13125550000", "+442071838750")
    taken: list[str] = []

    def take(phone_number: str) -> bool:
        taken.append(phone_number)
        return phone_number != "+13125550124"  # held by someone else

    settlement = settle(detail, take, now=5)
    assert taken == ["+13125550123", "+13125550124"]
    assert [n.status for n in settlement.detail.numbers] == [SUCCESS, FAILURE, FAILURE, PENDING]
    assert settlement.succeeded == ["+13125550123"]
    assert sorted(settlement.failed) == ["+13125550000", "+13125550124"]
    assert settlement.detail.order.status == PENDING  # the GB number still waits
    assert settlement.detail.order.updated_at == 5


def test_configured_rules_change_what_waits() -> None:
    rules = RequirementRules.parse("US=textual,*=")
    us, gb = order("+13125550123", "+442071838750", rules=rules).numbers
    assert [r.field_type for r in us.regulatory_requirements] == ["textual"]
    assert gb.regulatory_requirements == [] and next_step(gb) == CLAIM
