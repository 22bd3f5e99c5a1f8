"""An order update's values for `document` requirements: only a verified document of the
account, by the same rule a requirement group's values follow."""

from __future__ import annotations

import pytest

from number_orders.domain.creating import NewOrder, build_order
from number_orders.domain.orders import NumberOrderDetail
from number_orders.domain.requirement_reviews import review_due
from number_orders.domain.updating import OrderUpdate
from number_orders.errors import ApiError
from tests.domain.groups import DOCUMENTS, GB_ADDRESS, GB_DOCUMENT, RULES, VERIFIED_DOC

PENDING_DOC = "11111111-1111-4111-8111-111111111111"


def gb_order() -> NumberOrderDetail:
    new = NewOrder.from_body({"phone_numbers": [{"phone_number": "+442071838750"}]})
    return build_order(new, RULES, now=10)


def update(*values: tuple[str, str]) -> OrderUpdate:
    body = {"regulatory_requirements": [{"requirement_id": r, "field_value": v} for r, v in values]}
    return OrderUpdate.from_body(body)


def test_a_verified_document_of_the_account_answers_a_document_requirement() -> None:
    detail = gb_order()
    changed = update((GB_DOCUMENT, VERIFIED_DOC), (GB_ADDRESS, "1 Main St"))
    assert changed.field_values() == [VERIFIED_DOC, "1 Main St"]
    applied = changed.apply(detail, 20, documents=DOCUMENTS)
    assert applied is not None
    # Accepted for review; with no review delay the check ends at once.
    assert review_due(applied, 20).detail.order.requirements_met


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (PENDING_DOC, f"document {PENDING_DOC} is pending"),
        ("22222222-2222-4222-8222-222222222222", "is not a document of this account"),
        ("a passport", "is not a document of this account"),
    ],
)
def test_any_other_value_is_refused_where_it_stands(value: str, words: str) -> None:
    detail = gb_order()
    with pytest.raises(ApiError) as raised:
        update((GB_ADDRESS, "1 Main St"), (GB_DOCUMENT, value)).apply(
            detail, 20, documents={**DOCUMENTS, PENDING_DOC: "pending"}
        )
    (problem,) = raised.value.problems
    assert problem.pointer == "/regulatory_requirements/1/field_value" and words in problem.detail


def test_an_address_takes_any_text() -> None:
    detail = gb_order()
    assert update((GB_ADDRESS, "a passport")).apply(detail, 20) is not None
