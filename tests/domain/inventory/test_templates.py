"""Numbering-plan patterns expanded into templates."""

from __future__ import annotations

import random
import re

import pytest
from phonenumbers import PhoneMetadata

from number_orders.domain.inventory.templates import DIGITS, compatible, expand, pin

DESCRIPTIONS = ("fixed_line", "mobile", "toll_free", "shared_cost", "uan", "voip")


def test_a_pattern_becomes_its_digit_sets() -> None:
    assert expand(r"8(?:00|33)[2-9]\d{2}") == (
        ("8", "0", "0", "23456789", DIGITS, DIGITS),
        ("8", "3", "3", "23456789", DIGITS, DIGITS),
    )
    assert expand(r"1[02]?\d{1,2}|1\d") == (
        ("1", DIGITS),
        ("1", DIGITS, DIGITS),
        ("1", "02", DIGITS),
        ("1", "02", DIGITS, DIGITS),
    )  # in pattern order, the repeated alternative once


@pytest.mark.parametrize("pattern", ["1+", "1*", "(?=1)2", "[a-z]", "1{2", "(?:1", "1)"])
def test_anything_outside_the_finite_dialect_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        expand(pattern)


@pytest.mark.parametrize("region", ["US", "GB", "DE", "FR", "IT", "AU", "BR", "JP", "IN", "CN"])
def test_templates_match_exactly_what_the_pattern_matches(region: str) -> None:
    rng = random.Random(region)
    metadata = PhoneMetadata.metadata_for_region(region)
    for name in DESCRIPTIONS:
        description = getattr(metadata, name)
        if description is None or not description.national_number_pattern:
            continue
        pattern = re.compile(description.national_number_pattern)
        templates = expand(description.national_number_pattern)
        for template in templates:
            # Every number a template makes matches the pattern...
            for _ in range(5):
                assert pattern.fullmatch("".join(rng.choice(d) for d in template))
        # ...and every number the pattern matches is made by some template.
        lengths = {len(t) for t in templates}
        for _ in range(300):
            number = "".join(rng.choice(DIGITS) for _ in range(rng.choice(sorted(lengths))))
            made = any(
                all(c in d for c, d in zip(number, t, strict=True))
                for t in templates
                if len(t) == len(number)
            )
            assert made == bool(pattern.fullmatch(number)), number


def test_compatible_and_pin() -> None:
    template = ("2345", DIGITS, DIGITS)
    assert compatible(template, 0, "29") and compatible(template, 1, "00")
    assert not compatible(template, 0, "19")
    assert not compatible(template, 2, "00")  # runs past the end
    assert not compatible(template, -1, "2")
    assert pin(template, 1, "42") == ("2345", "4", "2")
    assert pin(template, 0, "3") == ("3", DIGITS, DIGITS)
