"""The regulatory catalogue: `/requirements`, `/requirement_types`,
`/regulatory_requirements` and `/phone_numbers_regulatory_requirements`, answered from the
configured requirement rules (`NumberOrdersService.catalogue`); only a
`filter[requirement_group_id]` reads the store."""

from __future__ import annotations

from number_orders import errors
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
from number_orders.domain.forced_outcomes import forced_requirements
from number_orders.domain.numbering import classify
from number_orders.domain.requirements_catalogue import (
    Catalogue,
    Requirement,
    RequirementType,
    Scope,
)
from number_orders.storage.interface import RequirementGroupStore

Listed = tuple[list[Requirement], dict[str, int]]


class RequirementsCatalogue:
    store: RequirementGroupStore
    catalogue: Catalogue

    def list_requirements(self, query: RequirementsQuery) -> Listed:
        return list_requirements(self.catalogue, query)

    def retrieve_requirement(self, requirement_id: str, query: RequirementQuery) -> Requirement:
        found = self.catalogue.requirement(requirement_id)
        if found is None or not query.admits(found):
            raise errors.not_found("No requirement with this id exists.")
        return found

    def list_requirement_types(
        self, query: RequirementTypesQuery
    ) -> tuple[list[RequirementType], dict[str, int]]:
        return list_requirement_types(self.catalogue, query)

    def retrieve_requirement_type(self, type_id: str) -> RequirementType:
        found = self.catalogue.requirement_type(type_id)
        if found is None:
            raise errors.not_found("No requirement type with this id exists.")
        return found

    def list_regulatory_requirements(
        self, account_id: str, query: RegulatoryRequirementsQuery
    ) -> list[Requirement]:
        """What a number, a group of this account, a country or everything needs."""
        scopes = []
        if query.phone_number is not None:
            scopes += [scope for _, scope in locate_all([query.phone_number], scope_of)]
        if query.requirement_group_id is not None:
            group = self.store.retrieve_requirement_group(account_id, query.requirement_group_id)
            if group is None:
                raise errors.not_found("No requirement group with this id exists.")
            scopes.append(group.scope)
        return list_regulatory_requirements(self.catalogue, query, scopes)

    def list_phone_numbers_regulatory_requirements(
        self, query: PhoneNumbersRequirementsQuery
    ) -> tuple[list[tuple[str, Requirement]], dict[str, int]]:
        located = locate_all(query.phone_numbers, scope_of)
        return list_phone_numbers_requirements(self.catalogue, located)


def scope_of(phone_number: str) -> Scope | None:
    """What ordering `phone_number` answers for: its country and type, and what a test
    number needs beyond them; None if no numbering plan knows it."""
    found = classify(phone_number)
    if found is None:
        return None
    return Scope(
        found.country_code,
        found.phone_number_type,
        extra_field_types=forced_requirements(phone_number),
    )
