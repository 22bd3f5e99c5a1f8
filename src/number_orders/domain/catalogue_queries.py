"""Queries on the regulatory catalogue: the parameters of `/requirements`,
`/requirement_types`, `/regulatory_requirements` and `/phone_numbers_regulatory_requirements`
read into one object each (one 400 problem per bad parameter), and the answers to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from number_orders.domain.listing import DEFAULT_PAGE_SIZE, MAX_INT32
from number_orders.domain.parameters import (
    PAGE_RULES,
    Page,
    Rule,
    SortKey,
    choice,
    country_code,
    e164,
    integer,
    read_params,
    sort_rules,
    sorted_by,
    text,
    uuid_text,
    whole_list_meta,
)
from number_orders.domain.requirements_catalogue import (
    ORDERING,
    PHONE_NUMBER_TYPES,
    PUBLISHED_AT,
    VERSION,
    Catalogue,
    Requirement,
    RequirementType,
    Scope,
)
from number_orders.errors import ApiError, bad_parameter, invalid_parameters

MAX_PHONE_NUMBERS = 100

# The official clients send these types (wider than the spec's enum for this filter).
_FILTERED_TYPES = ("local", "mobile", "multipurpose", "national", "shared_cost", "toll_free")


@dataclass(frozen=True, slots=True)
class RequirementsQuery:
    """`GET /requirements`: filters, `sort`, `page` and `version`."""

    country_code: str | None = None
    phone_number_type: str | None = None
    action: str | None = None
    version: int | None = None
    sort: tuple[SortKey, ...] = ()
    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> RequirementsQuery:
        return cls(**read_params(pairs, _REQUIREMENTS_RULES))

    @property
    def page(self) -> Page:
        return Page(self.page_number, self.page_size)

    def admits(self, requirement: Requirement) -> bool:
        return (
            self.version in (None, VERSION)
            and self.country_code in (None, requirement.country_code)
            and self.phone_number_type in (None, requirement.phone_number_type)
            and self.action in (None, requirement.action)
        )


_REQUIREMENTS_RULES = {
    "filter[country_code]": Rule("country_code", country_code),
    "filter[phone_number_type]": Rule("phone_number_type", choice(_FILTERED_TYPES)),
    "filter[action]": Rule("action", choice(("branded_calling", ORDERING, "porting"))),
    "version": Rule("version", integer(1, MAX_INT32)),
    **sort_rules(("created_at", "updated_at", "country_code", "phone_number_type")),
    **PAGE_RULES,
}


def list_requirements(
    catalogue: Catalogue, query: RequirementsQuery
) -> tuple[list[Requirement], dict[str, int]]:
    """One page of requirements and its `meta`; catalogue order unless sorted."""
    found = [r for r in catalogue.requirements if query.admits(r)]
    ordered = sorted_by(found, query.sort, _requirement_field)
    return query.page.of(ordered), query.page.meta(len(ordered))


def _requirement_field(requirement: Requirement, field: str) -> Any:
    # Every entry shares its instants, so they leave the catalogue order as it is.
    return PUBLISHED_AT if field in ("created_at", "updated_at") else getattr(requirement, field)


@dataclass(frozen=True, slots=True)
class RequirementQuery:
    """`GET /requirements/{id}`: an optional `version`; only the current one exists."""

    version: int | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> RequirementQuery:
        return cls(**read_params(pairs, _REQUIREMENT_RULES))

    def admits(self, requirement: Requirement) -> bool:
        return self.version in (None, VERSION)


_REQUIREMENT_RULES = {"version": _REQUIREMENTS_RULES["version"]}


@dataclass(frozen=True, slots=True)
class RequirementTypesQuery:
    """`GET /requirement_types`: `filter[name][contains]` and `sort`; never paged."""

    name_contains: str | None = None
    sort: tuple[SortKey, ...] = ()

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> RequirementTypesQuery:
        return cls(**read_params(pairs, _TYPES_RULES))

    def admits(self, kind: RequirementType) -> bool:
        return self.name_contains is None or self.name_contains.casefold() in kind.name.casefold()


_TYPES_RULES = {
    "filter[name][contains]": Rule("name_contains", text),
    **sort_rules(("name", "created_at", "updated_at")),
}


def list_requirement_types(
    catalogue: Catalogue, query: RequirementTypesQuery
) -> tuple[list[RequirementType], dict[str, int]]:
    found = [t for t in catalogue.requirement_types if query.admits(t)]
    ordered = sorted_by(found, query.sort, _type_field)
    return ordered, whole_list_meta(len(ordered))


def _type_field(kind: RequirementType, field: str) -> Any:
    return kind.name if field == "name" else PUBLISHED_AT


@dataclass(frozen=True, slots=True)
class RegulatoryRequirementsQuery:
    """`GET /regulatory_requirements`. A `phone_number` or `requirement_group_id` filter
    names a scope the service resolves (classifying the number, finding the group) and
    passes to `list_regulatory_requirements`."""

    phone_number: str | None = None
    requirement_group_id: str | None = None
    country_code: str | None = None
    phone_number_type: str | None = None
    action: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> RegulatoryRequirementsQuery:
        return cls(**read_params(pairs, _REGULATORY_RULES))

    def admits(self, requirement: Requirement) -> bool:
        return (
            self.country_code in (None, requirement.country_code)
            and self.phone_number_type in (None, requirement.phone_number_type)
            and self.action in (None, requirement.action)
        )


_REGULATORY_RULES = {
    "filter[phone_number]": Rule("phone_number", e164),
    "filter[requirement_group_id]": Rule("requirement_group_id", uuid_text),
    "filter[country_code]": Rule("country_code", country_code),
    "filter[phone_number_type]": Rule("phone_number_type", choice(PHONE_NUMBER_TYPES)),
    "filter[action]": Rule("action", choice((ORDERING, "porting", "action"))),
}


def list_regulatory_requirements(
    catalogue: Catalogue, query: RegulatoryRequirementsQuery, scopes: Sequence[Scope] = ()
) -> list[Requirement]:
    """What each scope needs, else what the filtered country needs (any country: numbers
    of unlisted countries can be ordered too), else the whole catalogue; then filtered."""
    if scopes:
        candidates = [catalogue.requirement_for(s) for s in scopes]
    elif query.country_code is not None:
        scoped = (Scope(query.country_code, t) for t in catalogue.phone_number_types)
        candidates = [catalogue.requirement_for(s) for s in scoped]
    else:
        candidates = list(catalogue.requirements)
    return [r for r in candidates if query.admits(r)]


@dataclass(frozen=True, slots=True)
class PhoneNumbersRequirementsQuery:
    """`GET /phone_numbers_regulatory_requirements?filter[phone_number]=+1...,+44...`."""

    phone_numbers: tuple[str, ...]

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> PhoneNumbersRequirementsQuery:
        numbers: tuple[str, ...] = read_params(pairs, _PHONE_NUMBERS_RULES).get("phone_numbers", ())
        if not 1 <= len(numbers) <= MAX_PHONE_NUMBERS:
            raise invalid_parameters(
                [
                    bad_parameter(
                        _PHONE_NUMBER,
                        f"{_PHONE_NUMBER} must hold 1 to {MAX_PHONE_NUMBERS} numbers in "
                        f"+E.164 format, comma-separated; got {len(numbers)}.",
                    )
                ]
            )
        return cls(numbers)


_PHONE_NUMBER = "filter[phone_number]"
_PHONE_NUMBERS_RULES = {_PHONE_NUMBER: Rule("phone_numbers", e164, many=True)}


def list_phone_numbers_requirements(
    catalogue: Catalogue, located: Sequence[tuple[str, Scope]]
) -> tuple[list[tuple[str, Requirement]], dict[str, int]]:
    """Each number (as the service classified it) with what ordering it needs."""
    found = [(number, catalogue.requirement_for(scope)) for number, scope in located]
    return found, whole_list_meta(len(found))


def not_valid_numbers(numbers: Sequence[str]) -> ApiError:
    """The 400 for numbers of the right shape that no numbering plan knows."""
    shown = ", ".join(numbers[:10]) + (", ..." if len(numbers) > 10 else "")
    return invalid_parameters(
        [
            bad_parameter(
                _PHONE_NUMBER,
                f"{_PHONE_NUMBER} holds numbers that are not valid in any country: {shown}.",
            )
        ]
    )


def locate_all(
    numbers: Sequence[str], locate: Callable[[str], Scope | None]
) -> list[tuple[str, Scope]]:
    """Every number with its scope, or the 400 naming those `locate` does not know."""
    located = [(n, locate(n)) for n in numbers]
    unknown = [n for n, scope in located if scope is None]
    if unknown:
        raise not_valid_numbers(unknown)
    return [(n, scope) for n, scope in located if scope is not None]
