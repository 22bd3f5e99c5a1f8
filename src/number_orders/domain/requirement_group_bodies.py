"""Requirement group requests: the rules of the create and update bodies (one 422 listing
every problem, with JSON pointers), and whether a value fits its requirement's field type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.documents import document_value_problem
from number_orders.domain.fields import FieldReader, json_type, pointer, shown
from number_orders.domain.orders import parse_order_id
from number_orders.domain.requirement_groups import (
    ACTIONS,
    UNAPPROVED,
    GroupValue,
    RequirementGroup,
)
from number_orders.domain.requirements_catalogue import (
    PHONE_NUMBER_TYPES,
    Catalogue,
    RequirementType,
    Scope,
)
from number_orders.domain.requirements_status import declines
from number_orders.domain.timestamps import parse_instant
from number_orders.errors import Problem, bad_field, invalid_body


@dataclass(frozen=True, slots=True)
class ValueInput:
    """One `{requirement_id, field_value}` of a request body, and where it was."""

    requirement_id: str
    field_value: str
    where: str


@dataclass(frozen=True, slots=True)
class NewRequirementGroup:
    country_code: str
    phone_number_type: str
    action: str
    values: tuple[ValueInput, ...] = ()
    customer_reference: str | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewRequirementGroup:
        """A valid request, or one 422 listing every problem in the body."""
        reader = FieldReader()
        country = _country(reader, body.get("country_code"))
        kind = _enum(reader, body, "phone_number_type", PHONE_NUMBER_TYPES)
        action = _enum(reader, body, "action", ACTIONS)
        reference = reader.text(body, "customer_reference", "/customer_reference")
        values = _values(reader, body)
        if reader.problems or country is None or kind is None or action is None:
            raise invalid_body(reader.problems)
        return cls(country, kind, action, tuple(values), reference)

    def document_ids(self) -> list[str]:
        """Values that may name documents: the service reads their statuses for `build`."""
        return _document_ids(self.values)

    def build(
        self,
        catalogue: Catalogue,
        now: int,
        make_id: Callable[[], str],
        documents: Mapping[str, str] | None = None,
    ) -> RequirementGroup:
        """The new `unapproved` group: one value per requirement of its scope, filled where
        the body gave one. `documents` maps document ids to statuses."""
        scope = Scope(self.country_code, self.phone_number_type, self.action)
        given = _checked(self.values, catalogue, scope, documents or {})
        wanted = catalogue.requirement_for(scope).types
        types = {t.id: t for t in (*wanted, *(t for t, _ in given.values()))}
        values = tuple(
            GroupValue(
                t.id, t.field_type, given[t.id][1] if t.id in given else None, UNAPPROVED, now, now
            )
            for t in types.values()
        )
        return RequirementGroup(
            make_id(),
            self.country_code,
            self.phone_number_type,
            self.action,
            UNAPPROVED,
            values,
            now,
            now,
            self.customer_reference,
        )


_KEEP = object()  # customer_reference absent: leave it as it is


@dataclass(frozen=True, slots=True)
class GroupUpdate:
    customer_reference: Any = _KEEP  # a string, None to clear it, or _KEEP
    values: tuple[ValueInput, ...] = ()

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> GroupUpdate:
        reader = FieldReader()
        reference = _KEEP
        if "customer_reference" in body:
            reference = reader.text(body, "customer_reference", "/customer_reference")
        values = _values(reader, body)
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(reference, tuple(values))

    def document_ids(self) -> list[str]:
        return _document_ids(self.values)

    def apply(
        self,
        group: RequirementGroup,
        catalogue: Catalogue,
        now: int,
        documents: Mapping[str, str] | None = None,
    ) -> RequirementGroup | None:
        """The group after this update, or None when nothing would change. A changed value
        withdraws any submission or verdict: the group is `unapproved` until submitted again."""
        given = _checked(self.values, catalogue, group.scope, documents or {})
        values = _merged(group.values, given, now)
        reference = group.customer_reference
        if self.customer_reference is not _KEEP:
            reference = self.customer_reference
        if values == group.values and reference == group.customer_reference:
            return None
        changed = replace(
            group, customer_reference=reference, updated_at=max(now, group.updated_at + 1)
        )
        if values == group.values:
            return changed
        reset = tuple(replace(v, status=UNAPPROVED) for v in values)
        return replace(changed, values=reset, status=UNAPPROVED, submitted_at=None)


def _document_ids(values: Iterable[ValueInput]) -> list[str]:
    """The values that could be document ids (the service reads those documents' statuses)."""
    return [i for i in (parse_order_id(v.field_value) for v in values) if i is not None]


def _merged(
    values: tuple[GroupValue, ...], given: Mapping[str, tuple[RequirementType, str]], now: int
) -> tuple[GroupValue, ...]:
    merged = [
        replace(v, field_value=given[v.requirement_id][1], updated_at=now)
        if v.requirement_id in given and given[v.requirement_id][1] != v.field_value
        else v
        for v in values
    ]
    present = {v.requirement_id for v in values}
    merged += [
        GroupValue(t.id, t.field_type, value, UNAPPROVED, now, now)
        for rid, (t, value) in given.items()
        if rid not in present
    ]
    return tuple(merged)


def _country(reader: FieldReader, value: Any) -> str | None:
    if value is None:
        reader.missing("/country_code", "country_code")
    elif not (isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha()):
        got = shown(value) if isinstance(value, str) else json_type(value)
        reader.bad(
            "/country_code",
            f"country_code must be an ISO 3166-1 alpha-2 code such as DE; got {got}.",
        )
    else:
        return value.upper()
    return None


def _enum(
    reader: FieldReader, body: Mapping[str, Any], name: str, allowed: Sequence[str]
) -> str | None:
    value = body.get(name)
    if value is None:
        reader.missing(pointer(name), name)
    elif value not in allowed:
        got = shown(value) if isinstance(value, str) else json_type(value)
        reader.bad(pointer(name), f"{name} must be one of {', '.join(allowed)}; got {got}.")
    else:
        return str(value)
    return None


def _values(reader: FieldReader, body: Mapping[str, Any]) -> list[ValueInput]:
    items = reader.array(body, "regulatory_requirements", "/regulatory_requirements")
    values: list[ValueInput] = []
    seen: set[str] = set()
    for index, item in enumerate(items or []):
        where = pointer("regulatory_requirements", index)
        entry = reader.object(item, "each regulatory_requirements item", where)
        if entry is None:
            continue
        requirement = reader.text(entry, "requirement_id", where + "/requirement_id", required=True)
        value = reader.text(entry, "field_value", where + "/field_value", required=True)
        if requirement is None:
            continue
        duplicate = requirement.lower() in seen
        seen.add(requirement.lower())
        if duplicate:
            reader.bad(
                where + "/requirement_id",
                f"requirement_id {shown(requirement)} appears more than once.",
            )
        elif value is not None:
            values.append(ValueInput(requirement.lower(), value, where))
    return values


def _checked(
    values: Iterable[ValueInput], catalogue: Catalogue, scope: Scope, documents: Mapping[str, str]
) -> dict[str, tuple[RequirementType, str]]:
    """Each value with its requirement type, or one 422 naming every value that does not
    belong to the scope's country or does not fit its field type."""
    known = {t.id: t for t in catalogue.types_for(scope.country_code)}
    problems: list[Problem] = []
    given: dict[str, tuple[RequirementType, str]] = {}
    for value in values:
        kind = known.get(value.requirement_id)
        problem = (
            _unknown(value, scope, known)
            if kind is None
            else value_problem(kind.field_type, value, documents)
        )
        if problem is not None:
            problems.append(problem)
        elif kind is not None:
            given[kind.id] = (kind, value.field_value)
    if problems:
        raise invalid_body(problems)
    return given


def _unknown(value: ValueInput, scope: Scope, known: Mapping[str, RequirementType]) -> Problem:
    listed = ", ".join(f"{t.id} ({t.field_type})" for t in known.values()) or "none"
    return bad_field(
        value.where + "/requirement_id",
        f"requirement_id {shown(value.requirement_id)} is not a requirement of "
        f"{scope.country_code} numbers; theirs: {listed}.",
    )


def value_problem(
    field_type: str, value: ValueInput, documents: Mapping[str, str]
) -> Problem | None:
    """Why a value cannot answer a requirement of `field_type`, or None if it can."""
    where = value.where + "/field_value"
    if field_type == "document":
        return document_value_problem(where, value.field_value, documents)
    if (
        field_type == "datetime"
        and not declines(value.field_value)
        and parse_instant(value.field_value) is None
    ):
        return bad_field(
            where,
            f"field_value must be an RFC 3339 date-time such as 1990-01-31T00:00:00Z; got {shown(value.field_value)}.",
        )
    return None
