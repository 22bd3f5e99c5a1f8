"""Queries on the catalogue: parameters read into one object, answered with exact meta."""

from __future__ import annotations

import pytest

from number_orders.domain.catalogue_queries import (
    PhoneNumbersRequirementsQuery,
    RegulatoryRequirementsQuery,
    RequirementQuery,
    RequirementsQuery,
    RequirementTypesQuery,
    list_phone_numbers_requirements,
    list_regulatory_requirements,
    list_requirement_types,
    list_requirements,
    locate_all,
)
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirements_catalogue import Catalogue, Scope
from number_orders.errors import ApiError

CATALOGUE = Catalogue(RequirementRules.parse("US=,CA=,GB=address+document,*=address"))


def refused(parse, pairs: list[tuple[str, str]]) -> list[str | None]:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as raised:
        parse(pairs)
    assert raised.value.status == 400
    return [p.parameter for p in raised.value.problems]


def test_requirements_filter_and_page_with_exact_meta() -> None:
    query = RequirementsQuery.from_params(
        [("filter[country_code]", "gb"), ("page[size]", "2"), ("page[number]", "3")]
    )
    page, meta = list_requirements(CATALOGUE, query)
    assert meta == {"page_number": 3, "page_size": 2, "total_pages": 3, "total_results": 5}
    assert [(r.country_code, r.phone_number_type) for r in page] == [("GB", "shared_cost")]
    typed = RequirementsQuery.from_params(
        [("filter[phone_number_type]", "toll_free"), ("filter[action]", "ordering")]
    )
    page, meta = list_requirements(CATALOGUE, typed)
    assert meta["total_results"] == 14 and len(page) == 14
    assert {r.phone_number_type for r in page} == {"toll_free"}


def test_requirements_sort_by_each_key_in_turn() -> None:
    query = RequirementsQuery.from_params(
        [("sort", "-country_code,phone_number_type"), ("page[size]", "250")]
    )
    page, _ = list_requirements(CATALOGUE, query)
    assert [r.country_code for r in page[:5]] == ["US"] * 5
    assert [r.phone_number_type for r in page[:5]] == sorted(CATALOGUE.phone_number_types)
    assert page[-1].country_code == "AU"
    # Every entry shares its instants: sorting by them keeps the catalogue's order.
    by_time, _ = list_requirements(
        CATALOGUE, RequirementsQuery.from_params([("sort[]", "-created_at")])
    )
    assert by_time == list(CATALOGUE.requirements[:20])


def test_requirements_other_versions_and_actions_are_empty() -> None:
    for pairs in (
        [("version", "2")],
        [("filter[action]", "porting")],
        [("filter[country_code]", "CH")],
    ):
        page, meta = list_requirements(CATALOGUE, RequirementsQuery.from_params(pairs))
        assert page == [] and meta["total_results"] == 0 and meta["total_pages"] == 0
    page, _ = list_requirements(CATALOGUE, RequirementsQuery.from_params([("version", "1")]))
    assert len(page) == 20


def test_requirements_refuse_each_bad_parameter() -> None:
    pairs = [
        ("filter[country_code]", "GBR"),
        ("filter[phone_number_type]", "landline"),
        ("filter[action]", "both"),
        ("sort", "name"),
        ("version", "0"),
        ("page[size]", "0"),
        ("filter[locality]", "Nice"),
    ]
    assert refused(RequirementsQuery.from_params, pairs) == [p for p, _ in pairs]


def test_one_requirement_exists_in_the_current_version_only() -> None:
    requirement = CATALOGUE.requirements[0]
    assert RequirementQuery.from_params([]).admits(requirement)
    assert RequirementQuery.from_params([("version", "1")]).admits(requirement)
    assert not RequirementQuery.from_params([("version", "2")]).admits(requirement)
    assert refused(RequirementQuery.from_params, [("version", "one"), ("sort", "name")]) == [
        "version",
        "sort",
    ]


def test_requirement_types_filter_by_name_and_sort() -> None:
    query = RequirementTypesQuery.from_params(
        [("filter[name][contains]", "proof OF"), ("sort", "-name")]
    )
    found, meta = list_requirement_types(CATALOGUE, query)
    assert [t.name for t in found] == ["Proof of identity (GB)"]
    assert meta == {"page_number": 1, "page_size": 1, "total_pages": 1, "total_results": 1}
    named, _ = list_requirement_types(
        CATALOGUE, RequirementTypesQuery.from_params([("sort", "name")])
    )
    assert [t.name for t in named][:3] == ["Address (AU)", "Address (BR)", "Address (DE)"]
    assert refused(
        RequirementTypesQuery.from_params, [("page[size]", "5"), ("filter[name]", "x")]
    ) == [
        "page[size]",
        "filter[name]",
    ]


def test_regulatory_requirements_answer_for_a_scope_a_country_or_all() -> None:
    everything = list_regulatory_requirements(CATALOGUE, RegulatoryRequirementsQuery())
    assert len(everything) == 70
    swiss = RegulatoryRequirementsQuery.from_params(
        [("filter[country_code]", "ch"), ("filter[phone_number_type]", "mobile")]
    )
    (found,) = list_regulatory_requirements(CATALOGUE, swiss)
    assert (found.country_code, found.phone_number_type) == ("CH", "mobile")
    number = RegulatoryRequirementsQuery.from_params([("filter[phone_number]", "+13125550001")])
    scope = Scope("US", "local", extra_field_types=("address",))
    (found,) = list_regulatory_requirements(CATALOGUE, number, [scope])
    assert [t.field_type for t in found.types] == ["address"]
    porting = RegulatoryRequirementsQuery.from_params([("filter[action]", "porting")])
    assert list_regulatory_requirements(CATALOGUE, porting, [scope]) == []


def test_regulatory_requirements_refuse_each_bad_parameter() -> None:
    pairs = [
        ("filter[phone_number]", "0044 20 7183 8750"),
        ("filter[requirement_group_id]", "42"),
        ("filter[action]", "both"),
    ]
    assert refused(RegulatoryRequirementsQuery.from_params, pairs) == [p for p, _ in pairs]


def test_phone_numbers_requirements_need_one_to_a_hundred_known_numbers() -> None:
    query = PhoneNumbersRequirementsQuery.from_params(
        [("filter[phone_number]", "+442071838750,+13125550123")]
    )
    kinds = {"+442071838750": Scope("GB", "local"), "+13125550123": Scope("US", "local")}
    located = locate_all(query.phone_numbers, kinds.get)
    found, meta = list_phone_numbers_requirements(CATALOGUE, located)
    assert [(n, len(r.types)) for n, r in found] == [("+442071838750", 2), ("+13125550123", 0)]
    assert meta == {"page_number": 1, "page_size": 2, "total_pages": 1, "total_results": 2}
    with pytest.raises(ApiError) as raised:
        locate_all(("+442071838750", "+999123"), kinds.get)
    (problem,) = raised.value.problems
    assert problem.parameter == "filter[phone_number]" and "+999123" in problem.detail
    assert refused(PhoneNumbersRequirementsQuery.from_params, []) == ["filter[phone_number]"]
    many = ",".join(f"+1312555{i:04d}" for i in range(101))
    assert refused(PhoneNumbersRequirementsQuery.from_params, [("filter[phone_number]", many)]) == [
        "filter[phone_number]"
    ]
