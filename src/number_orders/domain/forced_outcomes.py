"""Numbers with forced outcomes (the README's "test numbers"): like a payment provider's
test cards, their last four digits force a fulfilment path whatever the country.

| ends in | what happens |
|---------|--------------|
| 0000    | always fails |
| 0001    | needs an address first (even in the US and Canada), then succeeds |
| 0002    | needs an address first, then fails once it is supplied |

Any other number succeeds once its country's requirements are met, unless another order
(of any account) holds it: a number belongs to one account at a time.
"""

from __future__ import annotations

ALWAYS_FAILS = "0000"
NEEDS_REQUIREMENTS = "0001"
FAILS_AFTER_REQUIREMENTS = "0002"
# Every suffix that forces a path; generated data never ends an ordinary number so.
FORCED_SUFFIXES = (ALWAYS_FAILS, NEEDS_REQUIREMENTS, FAILS_AFTER_REQUIREMENTS)
# What a test number may need beyond its country's rules, in any country: the regulatory
# catalogue lists these types for every country, so the ids such numbers carry resolve.
FORCED_FIELD_TYPES = ("address",)


def always_fails(phone_number: str) -> bool:
    return phone_number.endswith(ALWAYS_FAILS)


def forced_requirements(phone_number: str) -> tuple[str, ...]:
    """Requirement field types a test number needs beyond its country's."""
    if phone_number.endswith((NEEDS_REQUIREMENTS, FAILS_AFTER_REQUIREMENTS)):
        return FORCED_FIELD_TYPES
    return ()


def fails_after_requirements(phone_number: str) -> bool:
    return phone_number.endswith(FAILS_AFTER_REQUIREMENTS)
