"""The regulatory catalogue: what `/requirements`, `/requirement_types`,
`/regulatory_requirements` and `/phone_numbers_regulatory_requirements` show, generated
from the configured `RequirementRules`.

One requirement per (country, phone number type, action `ordering`); one requirement type
per (country, field type), whose id is `regulatory.requirement_id(country, field_type)`:
the very id an ordered number carries, so a client can look up what a number needs and
answer it with that id. Every id is a uuid5 of its key, and every instant is fixed, so the
same rules give the same catalogue on every server.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from number_orders.domain.regulatory import RequirementRules, requirement_id
from number_orders.domain.timestamps import format_micros

DEFAULT_COUNTRIES = tuple(
    ["US", "CA", "GB", "DE", "FR", "NL", "IE", "ES", "IT", "SE", "AU", "BR", "MX", "JP"]
)
PHONE_NUMBER_TYPES = ("local", "mobile", "toll_free", "national", "shared_cost")
ORDERING = "ordering"
VERSION = 1
# When this catalogue's rules took effect: fixed, so every server shows the same instants.
PUBLISHED_AT = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000

_NAMESPACE = uuid.UUID("0b6f8c1e-5d0a-4c7e-8f43-7a2e9d6b1c55")


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one field type is described to a client."""

    label: str
    description: str
    example: str
    shown_type: str  # the spec knows document, address and textual only
    criteria: Mapping[str, Any]


_KINDS: dict[str, _Kind] = {
    "address": _Kind(
        "Address",
        "An address in the country of the numbers: the id of an address, or the address "
        "itself (street, building number, postal code, city and country).",
        "45f45a04-b4be-4592-95b1-9306b9db2b21",
        "address",
        {"locality_limit": "In the country of the phone numbers"},
    ),
    "document": _Kind(
        "Proof of identity",
        "A verified document of this account (its id from /documents): a passport, "
        "national identity card or company registration.",
        "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
        "document",
        {"time_limit": "Current and not expired"},
    ),
    "textual": _Kind(
        "Registration number",
        "A text value, such as a business or personal registration number.",
        "DE123456789",
        "textual",
        {"min_length": 1, "max_length": 255},
    ),
    "datetime": _Kind(
        "Date",
        "An RFC 3339 date-time, such as a date of birth or of registration.",
        "1990-01-31T00:00:00Z",
        "textual",
        {"acceptable_characters": "0123456789-:.TZ+", "min_length": 10, "max_length": 35},
    ),
}


@dataclass(frozen=True, slots=True)
class RequirementType:
    country_code: str
    field_type: str

    @property
    def id(self) -> str:
        return requirement_id(self.country_code, self.field_type)

    @property
    def name(self) -> str:
        return f"{_KINDS[self.field_type].label} ({self.country_code})"

    @property
    def kind(self) -> _Kind:
        return _KINDS[self.field_type]


@dataclass(frozen=True, slots=True)
class Requirement:
    country_code: str
    phone_number_type: str
    action: str
    types: tuple[RequirementType, ...]

    @property
    def id(self) -> str:
        key = f"{self.country_code}:{self.phone_number_type}:{self.action}"
        return str(uuid.uuid5(_NAMESPACE, key))


@dataclass(frozen=True, slots=True)
class Scope:
    """What a requirement answers for: a number's or a group's (country, type, action).

    `extra_field_types` are asked of one number beyond its country's rules (a test number's
    address), so its answer lists exactly the requirement ids the order will carry.
    """

    country_code: str
    phone_number_type: str
    action: str = ORDERING
    extra_field_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """The catalogue of `rules` for the supported countries and number types.

    `extra_field_types`: field types any number may be asked for beyond its country's
    rules (the test numbers' address); they are types of every country, so their ids
    resolve too.
    """

    rules: RequirementRules
    countries: tuple[str, ...] = DEFAULT_COUNTRIES
    phone_number_types: tuple[str, ...] = PHONE_NUMBER_TYPES
    extra_field_types: tuple[str, ...] = ()

    @cached_property
    def requirements(self) -> tuple[Requirement, ...]:
        return tuple(
            self.requirement_for(Scope(c, t))
            for c in self.countries
            for t in self.phone_number_types
        )

    @cached_property
    def requirement_types(self) -> tuple[RequirementType, ...]:
        return tuple(t for c in self.countries for t in self.types_for(c))

    def requirement_for(self, scope: Scope) -> Requirement:
        """The requirement of any country, listed in the catalogue or not."""
        fields = (*self.rules.field_types(scope.country_code), *scope.extra_field_types)
        types = tuple(RequirementType(scope.country_code, f) for f in dict.fromkeys(fields))
        return Requirement(scope.country_code, scope.phone_number_type, scope.action, types)

    def types_for(self, country: str) -> tuple[RequirementType, ...]:
        """Every requirement type a number of `country` can carry."""
        fields = (*self.rules.field_types(country), *self.extra_field_types)
        return tuple(RequirementType(country, f) for f in dict.fromkeys(fields))

    def requirement(self, id: str) -> Requirement | None:
        return self._requirements_by_id.get(id.lower())

    def requirement_type(self, id: str) -> RequirementType | None:
        return self._types_by_id.get(id.lower())

    @cached_property
    def _requirements_by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    @cached_property
    def _types_by_id(self) -> dict[str, RequirementType]:
        return {t.id: t for t in self.requirement_types}


# --- JSON, as the spec's schemas shape it ------------------------------------------------


def requirement_type_json(kind: RequirementType) -> dict[str, Any]:
    return {
        "id": kind.id,
        "record_type": "requirement_type",
        "name": kind.name,
        "type": kind.kind.shown_type,
        "description": kind.kind.description,
        "example": kind.kind.example,
        "acceptance_criteria": dict(kind.kind.criteria),
        "created_at": format_micros(PUBLISHED_AT),
        "updated_at": format_micros(PUBLISHED_AT),
    }


def requirement_json(requirement: Requirement) -> dict[str, Any]:
    return {
        "id": requirement.id,
        "record_type": "requirement",
        "country_code": requirement.country_code,
        "phone_number_type": requirement.phone_number_type,
        "action": requirement.action,
        "requirement_types": [requirement_type_json(t) for t in requirement.types],
        "version": VERSION,
        "effective_start_at": format_micros(PUBLISHED_AT),
        "effective_end_at": None,
        "created_at": format_micros(PUBLISHED_AT),
        "updated_at": format_micros(PUBLISHED_AT),
    }


def regulatory_requirements_json(requirement: Requirement) -> dict[str, Any]:
    """One entry of `/regulatory_requirements` (its criteria lengths are strings there)."""
    return {
        "country_code": requirement.country_code,
        "phone_number_type": requirement.phone_number_type,
        "action": requirement.action,
        "regulatory_requirements": [
            {
                "id": t.id,
                "name": t.name,
                "field_type": t.field_type,
                "description": t.kind.description,
                "example": t.kind.example,
                "acceptance_criteria": {k: _text(v) for k, v in t.kind.criteria.items()},
            }
            for t in requirement.types
        ],
    }


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int) else value


def phone_number_requirements_json(phone_number: str, requirement: Requirement) -> dict[str, Any]:
    """One entry of `/phone_numbers_regulatory_requirements`."""
    return {
        "phone_number": phone_number,
        "phone_number_type": requirement.phone_number_type,
        "record_type": "phone_number_regulatory_requirements",
        "region_information": [
            {"region_type": "country_code", "region_name": requirement.country_code}
        ],
        "regulatory_requirements": [
            {
                "id": t.id,
                "record_type": "regulatory_requirement",
                "label": t.name,
                "field_type": t.field_type,
                "description": t.kind.description,
                "example": t.kind.example,
                "acceptance_criteria": {
                    "field_type": t.field_type,
                    **(
                        {"locality_limit": t.kind.criteria["locality_limit"]}
                        if "locality_limit" in t.kind.criteria
                        else {}
                    ),
                },
            }
            for t in requirement.types
        ],
    }
