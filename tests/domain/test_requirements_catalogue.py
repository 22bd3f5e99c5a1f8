"""The regulatory catalogue generated from the requirement rules, and its JSON."""

from __future__ import annotations

import pytest
from telnyx.types.phone_numbers_regulatory_requirement_retrieve_response import (
    PhoneNumbersRegulatoryRequirementRetrieveResponse,
)
from telnyx.types.regulatory_requirement_retrieve_response import (
    RegulatoryRequirementRetrieveResponse,
)
from telnyx.types.requirement_retrieve_response import RequirementRetrieveResponse
from telnyx.types.requirement_type_list_response import RequirementTypeListResponse
from telnyx.types.requirement_type_retrieve_response import RequirementTypeRetrieveResponse

from number_orders.domain.parameters import Page, whole_list_meta
from number_orders.domain.regulatory import RequirementRules, requirement_id
from number_orders.domain.requirements_catalogue import (
    DEFAULT_COUNTRIES,
    PHONE_NUMBER_TYPES,
    Catalogue,
    RequirementType,
    Scope,
    phone_number_requirements_json,
    regulatory_requirements_json,
    requirement_json,
    requirement_type_json,
)
from tests.domain.surface import assert_client_reads, assert_response

DEFAULT = Catalogue(RequirementRules())
CONFIGURED = Catalogue(
    RequirementRules.parse("US=,GB=address+document,JP=textual+datetime,*=address")
)


def test_one_requirement_per_country_and_type_and_one_type_per_field() -> None:
    assert len(DEFAULT.requirements) == len(DEFAULT_COUNTRIES) * len(PHONE_NUMBER_TYPES) == 70
    keys = {(r.country_code, r.phone_number_type, r.action) for r in DEFAULT.requirements}
    assert len(keys) == 70 and {a for _, _, a in keys} == {"ordering"}
    # US and Canada need nothing; the twelve others an address.
    assert [(t.country_code, t.field_type) for t in DEFAULT.requirement_types] == [
        (c, "address") for c in DEFAULT_COUNTRIES if c not in ("US", "CA")
    ]


def test_requirement_type_ids_are_the_ids_ordered_numbers_carry() -> None:
    for country in CONFIGURED.countries:
        carried = CONFIGURED.rules.requirements_for(country)
        listed = [t.id for t in CONFIGURED.types_for(country)]
        assert [r.requirement_id for r in carried] == listed
        for requirement in carried:
            found = CONFIGURED.requirement_type(requirement.requirement_id.upper())
            assert found == RequirementType(country, requirement.field_type)


def test_ids_are_stable_across_servers_and_releases() -> None:
    again = Catalogue(RequirementRules.parse("*=address,US=,CA="))
    assert [r.id for r in again.requirements] == [r.id for r in DEFAULT.requirements]
    de_local = DEFAULT.requirement_for(Scope("DE", "local"))
    # Pinned: a changed namespace would orphan every id a client has stored.
    assert de_local.id == "9cdc7d3f-7c61-595f-91fa-5e1c7e727e66"
    assert de_local.types[0].id == requirement_id("DE", "address")
    assert DEFAULT.requirement(de_local.id) == de_local
    assert DEFAULT.requirement("9cdc7d3f-7c61-595f-91fa-5e1c7e727e67") is None


def test_configured_rules_and_extra_field_types_shape_the_catalogue() -> None:
    gb = CONFIGURED.requirement_for(Scope("GB", "mobile"))
    assert [t.field_type for t in gb.types] == ["address", "document"]
    assert CONFIGURED.requirement_for(Scope("US", "local")).types == ()
    with_test_numbers = Catalogue(RequirementRules(), extra_field_types=("address",))
    us = with_test_numbers.types_for("US")
    assert [t.id for t in us] == [requirement_id("US", "address")]
    assert with_test_numbers.requirement_type(us[0].id) == us[0]
    # A number may need more than its country's requirement lists.
    scoped = DEFAULT.requirement_for(Scope("US", "local", extra_field_types=("address",)))
    assert [t.field_type for t in scoped.types] == ["address"]
    # Countries outside the catalogue still answer from the rules.
    assert [t.field_type for t in DEFAULT.requirement_for(Scope("CH", "local")).types] == [
        "address"
    ]


def test_requirements_match_the_spec_and_the_client() -> None:
    data = [requirement_json(r) for r in CONFIGURED.requirements]
    assert_response("/requirements", "get", {"data": data, "meta": Page().meta(len(data))})
    one = {"data": requirement_json(CONFIGURED.requirement_for(Scope("JP", "toll_free")))}
    assert_response("/requirements/{id}", "get", one)
    assert_client_reads(RequirementRetrieveResponse, one)
    assert [t["type"] for t in one["data"]["requirement_types"]] == ["textual", "textual"]


def test_requirement_types_match_the_spec_and_the_client() -> None:
    data = [requirement_type_json(t) for t in CONFIGURED.requirement_types]
    body = {"data": data, "meta": whole_list_meta(len(data))}
    assert_response("/requirement_types", "get", body)
    assert_client_reads(RequirementTypeListResponse, body)
    one = {"data": data[0]}
    assert_response("/requirement_types/{id}", "get", one)
    assert_client_reads(RequirementTypeRetrieveResponse, one)
    assert {t["type"] for t in data} == {"address", "document", "textual"}


def test_regulatory_requirements_match_the_spec_and_the_client() -> None:
    requirement = CONFIGURED.requirement_for(Scope("JP", "local"))
    body = {"data": [regulatory_requirements_json(requirement)]}
    assert_response("/regulatory_requirements", "get", body)
    assert_client_reads(RegulatoryRequirementRetrieveResponse, body)
    textual = body["data"][0]["regulatory_requirements"][0]
    assert textual["id"] == requirement_id("JP", "textual")
    assert textual["acceptance_criteria"] == {"min_length": "1", "max_length": "255"}


@pytest.mark.parametrize("country", ["GB", "US"])
def test_phone_number_requirements_match_the_spec_and_the_client(country: str) -> None:
    requirement = CONFIGURED.requirement_for(Scope(country, "local"))
    entry = phone_number_requirements_json("+442071838750", requirement)
    body = {"data": [entry], "meta": whole_list_meta(1)}
    assert_response("/phone_numbers_regulatory_requirements", "get", body)
    assert_client_reads(PhoneNumbersRegulatoryRequirementRetrieveResponse, body)
    assert entry["region_information"] == [{"region_type": "country_code", "region_name": country}]
    ids = [r["id"] for r in entry["regulatory_requirements"]]
    assert ids == [r.requirement_id for r in CONFIGURED.rules.requirements_for(country)]


def test_the_spec_check_catches_a_wrong_field() -> None:
    body = requirement_type_json(DEFAULT.requirement_types[0])
    with pytest.raises(AssertionError, match="typ"):
        assert_response("/requirement_types/{id}", "get", {"data": {**body, "typ": "address"}})
    with pytest.raises(AssertionError, match="datetime"):
        assert_response("/requirement_types/{id}", "get", {"data": {**body, "type": "datetime"}})
