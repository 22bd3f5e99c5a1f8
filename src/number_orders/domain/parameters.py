"""Query parameters of the regulatory listings: one rule per key, one 400 problem per bad
parameter, in query-string order (as `listing.ListQuery` does for orders).

`read_params` is the shared engine; each resource declares its keys as a table of `Rule`s
and turns the values it returns into its own query object. Array parameters (`sort`,
`filter[...][in]`) arrive comma-joined from the official clients or repeated; both work.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from number_orders.domain.listing import DEFAULT_PAGE_SIZE, MAX_INT32, MAX_PAGE_SIZE, printable
from number_orders.domain.orders import parse_order_id
from number_orders.domain.timestamps import parse_instant
from number_orders.errors import Problem, bad_parameter, invalid_parameters

T = TypeVar("T")
Parse = Callable[[str, str], Any]  # (key, value) -> a value, or a Problem

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_COUNTRY = re.compile(r"[A-Za-z]{2}", re.ASCII)
_E164 = re.compile(r"\+[1-9][0-9]{1,14}", re.ASCII)
# Keys under these prefixes must be known; Telnyx ignores other top-level parameters.
_CHECKED_PREFIXES = ("filter", "page", "sort")


@dataclass(frozen=True, slots=True)
class Rule:
    """What one query key means: the field it fills and how its text is read.

    A `many` field gathers comma-joined and repeated values into a tuple; several keys
    may fill one field (`sort` and `sort[]`).
    """

    field: str
    parse: Parse
    many: bool = False


class SortKey(NamedTuple):
    field: str
    descending: bool


def read_params(pairs: Iterable[tuple[str, str]], rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The fields the pairs fill, or one 400 listing every bad parameter."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in pairs:
        problem = _read_pair(key, value, rules, values)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise invalid_parameters(problems)
    return values


def _read_pair(
    key: str, value: str, rules: Mapping[str, Rule], values: dict[str, Any]
) -> Problem | None:
    shown = printable(key)
    if _SURROGATE.search(key) or _SURROGATE.search(value):
        return bad_parameter(shown, f"{shown} must be valid UTF-8 text.")
    if _CONTROL.search(key) or _CONTROL.search(value):
        return bad_parameter(shown, f"{shown} must not contain control characters.")
    rule = rules.get(key)
    if rule is None:
        if not key.startswith(_CHECKED_PREFIXES):
            return None
        supported = ", ".join(rules) or "none"
        return bad_parameter(
            shown, f"{shown} is not a supported parameter; supported: {supported}."
        )
    if rule.many:
        return _read_many(key, value, rule, values)
    if rule.field in values:
        return bad_parameter(key, f"{key} may be given only once.")
    parsed = rule.parse(key, value)
    if isinstance(parsed, Problem):
        return parsed
    values[rule.field] = parsed
    return None


def _read_many(key: str, value: str, rule: Rule, values: dict[str, Any]) -> Problem | None:
    gathered: tuple[Any, ...] = values.get(rule.field, ())
    items: list[Any] = []
    for part in value.split(","):
        parsed = rule.parse(key, part)
        if isinstance(parsed, Problem):
            return parsed
        if _identity(parsed) in {_identity(g) for g in (*gathered, *items)}:
            return bad_parameter(key, f"{key} names {quoted(part)} more than once.")
        items.append(parsed)
    values[rule.field] = (*gathered, *items)
    return None


def _identity(item: Any) -> Any:
    # `sort=name,-name` names one field twice: compare sort keys by field alone.
    return item.field if isinstance(item, SortKey) else item


def quoted(value: str) -> str:
    shown = printable(value)
    return '"' + (shown if len(shown) <= 64 else shown[:64] + "...") + '"'


def integer(low: int, high: int) -> Parse:
    def parse(key: str, value: str) -> int | Problem:
        significant = value.lstrip("0") or "0"  # the length check keeps int() off huge text
        if _DIGITS.fullmatch(value) and len(significant) <= 10 and low <= int(significant) <= high:
            return int(significant)
        return bad_parameter(
            key, f"{key} must be an integer from {low} to {high}; got {quoted(value)}"
        )

    return parse


def choice(allowed: Sequence[str]) -> Parse:
    def parse(key: str, value: str) -> str | Problem:
        if value in allowed:
            return value
        return bad_parameter(key, f"{key} must be one of {', '.join(allowed)}; got {quoted(value)}")

    return parse


def sort_key(fields: Sequence[str]) -> Parse:
    """`name` ascending or `-name` descending, for one of `fields`."""

    def parse(key: str, value: str) -> SortKey | Problem:
        name = value.removeprefix("-")
        if name in fields:
            return SortKey(name, value.startswith("-"))
        allowed = ", ".join(f"{f}, -{f}" for f in fields)
        return bad_parameter(key, f"{key} must name {allowed}; got {quoted(value)}")

    return parse


def text(key: str, value: str) -> str | Problem:
    if value:
        return value
    return bad_parameter(key, f"{key} must not be empty.")


def country_code(key: str, value: str) -> str | Problem:
    if _COUNTRY.fullmatch(value):
        return value.upper()
    return bad_parameter(
        key, f"{key} must be an ISO 3166-1 alpha-2 country code such as DE; got {quoted(value)}"
    )


def uuid_text(key: str, value: str) -> str | Problem:
    canonical = parse_order_id(value)
    if canonical is not None:
        return canonical
    return bad_parameter(key, f"{key} must be a UUID; got {quoted(value)}")


def e164(key: str, value: str) -> str | Problem:
    if _E164.fullmatch(value):
        return value
    return bad_parameter(
        key, f"{key} must hold numbers in +E.164 format such as +4930123456; got {quoted(value)}"
    )


def instant(key: str, value: str) -> int | Problem:
    micros = parse_instant(value)
    if micros is not None:
        return micros
    return bad_parameter(
        key,
        f"{key} must be an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z) "
        f"or a date (YYYY-MM-DD); got {quoted(value)}",
    )


PAGE_RULES = {
    "page[number]": Rule("page_number", integer(1, MAX_INT32)),
    "page[size]": Rule("page_size", integer(1, MAX_PAGE_SIZE)),
}


def sort_rules(fields: Sequence[str]) -> dict[str, Rule]:
    """`sort` as the clients send it (comma-joined) and as the spec names it (`sort[]`)."""
    rule = Rule("sort", sort_key(fields), many=True)
    return {"sort": rule, "sort[]": rule}


def sorted_by(
    items: Iterable[T], keys: Sequence[SortKey], value: Callable[[T, str], Any]
) -> list[T]:
    """Items ordered by each key in turn (the first key decides first)."""
    ordered = list(items)
    for key in reversed(keys):  # stable sorts, least significant key first
        ordered.sort(key=lambda item: value(item, key.field), reverse=key.descending)
    return ordered


@dataclass(frozen=True, slots=True)
class Page:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def of(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.size])

    def meta(self, total_results: int) -> dict[str, int]:
        return {
            "page_number": self.number,
            "page_size": self.size,
            "total_pages": math.ceil(total_results / self.size),
            "total_results": total_results,
        }


def whole_list_meta(count: int) -> dict[str, int]:
    """`meta` of a list that is never paged: the clients require `page_number` and
    `total_pages` whenever `meta` is there, so it reads as one page holding everything."""
    return {"page_number": 1, "page_size": count, "total_pages": 1, "total_results": count}
