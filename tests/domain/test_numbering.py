"""Classifying numbers: from +E.164 text, and from digits the number search builds."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from number_orders.domain.numbering import (
    ClassifiedNumber,
    classify,
    classify_national,
    classify_parsed,
)


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


def _examples() -> list[str]:
    """Every example number `phonenumbers` has, of every region and type, as +E.164."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    return found


def test_classify_agrees_with_parsing_every_number() -> None:
    """The quick path (calling code split off by hand) answers as `phonenumbers.parse`
    does: on every example number, on each with a digit dropped, added or a national
    prefix put in front, and on random digits after every calling code."""
    rng = random.Random(7)
    texts = []
    for example in _examples():
        code = str(phonenumbers.parse(example).country_code)
        national = example[1 + len(code) :]
        texts += [example, example[:-1], example + "5", f"+{code}0{national}"]
        texts += [f"+{code}1{national}", f"+{code}00{national}", f"+{code}{national[:1]}"]
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for _ in range(20000):
        code = str(rng.choice(codes))
        length = rng.randint(0, 15 - len(code))
        texts.append("+" + code + "".join(rng.choice("0123456789") for _ in range(length)))
    texts += ["+0123456789", "+999123456", "+1", "+10", "+100000000000", "+3900"]
    valid = 0
    for text in (t for t in texts if len(t) <= 16):  # E.164: at most 15 digits
        found = classify(text)
        assert found == classify_parsed(text), text
        valid += found is not None
    assert valid > 2000  # valid numbers as well as rejections
