"""Classifying numbers: from +E.164 text, and from digits the number search builds."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from number_orders.domain.numbering import ClassifiedNumber, classify, classify_national


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+13125551234", ("US", "local")),
        ("+14165551234", ("CA", "local")),
        ("+18005551234", ("US", "toll_free")),
        ("+447400123456", ("GB", "mobile")),
        ("+390212345678", ("IT", "local")),  # a national number with a leading zero
        ("+4918012345678", ("DE", "shared_cost")),
        ("+13125551234 ", None),
        ("+1312555123", None),
        ("13125551234", None),
    ],
)
def test_classify(text: str, expected: tuple[str, str] | None) -> None:
    found = classify(text)
    assert (found and (found.country_code, found.phone_number_type)) == expected
    if found is not None:
        assert found.e164 == text


def test_digits_classify_as_their_text_does() -> None:
    rng = random.Random(42)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    valid = 0
    for _ in range(5000):
        code = str(rng.choice(codes))
        national = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 15 - len(code))))
        found = classify_national(code, national)
        assert found == classify(f"+{code}{national}"), (code, national)
        valid += found is not None
    for code, national in (("39", "0212345678"), ("1", "3125551234"), ("44", "7400123456")):
        assert isinstance(classify_national(code, national), ClassifiedNumber)
    assert valid > 100  # the sample reaches valid numbers, not only rejections
