"""Requirement rules and their configuration text."""

from __future__ import annotations

import pytest

from number_orders.config import Settings
from number_orders.domain.regulatory import RequirementRules, requirement_id


def test_defaults_need_an_address_outside_the_us_and_canada() -> None:
    rules = RequirementRules()
    assert rules.field_types("US") == rules.field_types("CA") == ()
    assert rules.field_types("GB") == rules.field_types("JP") == ("address",)
    assert RequirementRules.parse("") == rules


def test_parse_reads_countries_and_a_default() -> None:
    rules = RequirementRules.parse(" us= , gb=address+document , *=textual ")
    assert rules.field_types("US") == ()
    assert rules.field_types("GB") == ("address", "document")
    assert rules.field_types("FR") == ("textual",)


def test_requirement_ids_are_stable_per_country_and_type() -> None:
    assert requirement_id("GB", "address") == requirement_id("GB", "address")
    assert requirement_id("GB", "address") != requirement_id("DE", "address")


@pytest.mark.parametrize("text", ["GB", "GBR=address", "GB=passport", "1A=address"])
def test_bad_rules_are_refused_with_the_entry(text: str) -> None:
    with pytest.raises(ValueError, match="requirement rule"):
        RequirementRules.parse(text)


def test_settings_read_rules_from_the_environment() -> None:
    settings = Settings.from_env(
        {"NUMBER_ORDERS_REQUIREMENTS": "*=", "NUMBER_ORDERS_FULFILMENT_DELAY": "0"}
    )
    assert settings.requirement_rules.field_types("GB") == ()
    assert settings.fulfilment_delay == 0.0
    assert Settings.from_env(settings.to_env()) == settings
    with pytest.raises(ValueError):
        Settings.from_env({"NUMBER_ORDERS_REQUIREMENTS": "GB=passport"})
