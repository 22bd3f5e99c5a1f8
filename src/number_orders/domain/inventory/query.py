"""The number search queries: every rule about the parameters of
`GET /available_phone_numbers` and `GET /available_phone_number_blocks`, in one place.

`from_params` turns decoded query-string pairs into a valid query or one `ApiError`
listing every bad parameter in query-string order. A value of the right shape that names
nothing (a country without inventory, an unknown number type, a city with no numbers) is
a valid query that finds nothing; a value of the wrong shape is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from number_orders.domain.inventory.tables import FEATURES
from number_orders.domain.listing import printable
from number_orders.errors import Problem, bad_parameter, invalid_parameters

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
DEFAULT_COUNTRY = "US"
MAX_DIGITS = 15  # E.164 allows 15 digits, calling code included
MAX_TEXT = 100

_DIGITS = re.compile(r"[0-9]{1,15}", re.ASCII)
_STARTS_WITH = re.compile(r"\+?[0-9]{1,15}", re.ASCII)
_COUNTRY = re.compile(r"[A-Za-z]{2}", re.ASCII)
_TYPE = re.compile(r"[A-Za-z_]{1,32}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """`GET /available_phone_numbers`: which numbers, and how many."""

    country_code: str = DEFAULT_COUNTRY  # ISO alpha-2, upper case
    phone_number_type: str | None = None  # None: every type
    locality: str | None = None
    administrative_area: str | None = None
    rate_center: str | None = None
    national_destination_code: str | None = None
    starts_with: str | None = None  # as given: national digits, or "+" and calling code
    ends_with: str | None = None
    contains: str | None = None
    features: tuple[str, ...] = ()  # every one must be offered
    limit: int = DEFAULT_LIMIT
    best_effort: bool = False
    quickship: bool = False  # true: only numbers that work at once
    reservable: bool = False  # true: only numbers that can be reserved
    exclude_held_numbers: bool = False  # true: the caller's own reservations are hidden too

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> SearchQuery:
        return cls(**_parse(pairs, _SEARCH_RULES))


@dataclass(frozen=True, slots=True)
class BlockQuery:
    """`GET /available_phone_number_blocks`: the spec's four filters."""

    country_code: str = DEFAULT_COUNTRY
    phone_number_type: str | None = None
    locality: str | None = None
    national_destination_code: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> BlockQuery:
        return cls(**_parse(pairs, _BLOCK_RULES))

    def as_search(self) -> SearchQuery:
        """The same numbers, as a number search sees them."""
        return SearchQuery(
            country_code=self.country_code,
            phone_number_type=self.phone_number_type,
            locality=self.locality,
            national_destination_code=self.national_destination_code,
        )


Parser = Callable[[str, str], Any]


@dataclass(frozen=True, slots=True)
class _Rule:
    field: str
    parse: Parser
    repeatable: bool = False  # values of repeated keys add up (array filters)


def _parse(pairs: Iterable[tuple[str, str]], rules: dict[str, _Rule]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    seen: set[str] = set()
    problems: list[Problem] = []
    for key, value in pairs:
        problem = _check_pair(key, value, rules, values, seen)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise invalid_parameters(problems)
    return values


def _check_pair(
    key: str, value: str, rules: dict[str, _Rule], values: dict[str, Any], seen: set[str]
) -> Problem | None:
    shown = printable(key)
    if _SURROGATE.search(key) or _SURROGATE.search(value):
        return bad_parameter(shown, f"{shown} must be valid UTF-8 text.")
    if _CONTROL.search(key) or _CONTROL.search(value):
        return bad_parameter(shown, f"{shown} must not contain control characters.")
    if not key.startswith(("filter", "page")):
        return None  # Telnyx ignores other top-level parameters.
    rule = rules.get(key)
    if rule is None:
        supported = ", ".join(rules)
        return bad_parameter(
            shown,
            f"{shown} is not a supported parameter; this list is not paged, "
            f"and it supports: {supported}.",
        )
    if key in seen and not rule.repeatable:
        return bad_parameter(key, f"{key} may be given only once.")
    seen.add(key)
    parsed = rule.parse(key, value)
    if isinstance(parsed, Problem):
        return parsed
    if rule.repeatable:
        parsed = tuple(dict.fromkeys(values.get(rule.field, ()) + parsed))
    values[rule.field] = parsed
    return None


def _quoted(value: str) -> str:
    shown = printable(value)
    return '"' + (shown if len(shown) <= 64 else shown[:64] + "...") + '"'


def _limit(key: str, value: str) -> int | Problem:
    # Leading zeros are digits too; the length check keeps int() off huge strings.
    significant = value.lstrip("0") or "0"
    digits = value.isascii() and value.isdigit() and len(significant) <= 4
    if digits and 1 <= int(significant) <= MAX_LIMIT:
        return int(significant)
    return bad_parameter(
        key, f"{key} must be an integer from 1 to {MAX_LIMIT}; got {_quoted(value)}"
    )


def _boolean(key: str, value: str) -> bool | Problem:
    if value in ("true", "false"):
        return value == "true"
    return bad_parameter(key, f"{key} must be true or false; got {_quoted(value)}")


def _country(key: str, value: str) -> str | Problem:
    if _COUNTRY.fullmatch(value):
        return value.upper()
    return bad_parameter(
        key, f"{key} must be a two-letter ISO 3166-1 country code such as US; got {_quoted(value)}"
    )


def _number_type(key: str, value: str) -> str | Problem:
    if _TYPE.fullmatch(value):
        return value
    return bad_parameter(
        key,
        f"{key} must be a number type such as local, toll_free, mobile, national or "
        f"shared_cost; got {_quoted(value)}",
    )


def _text(key: str, value: str) -> str | Problem:
    if not value.strip():
        return bad_parameter(key, f"{key} must not be empty.")
    if len(value) > MAX_TEXT:
        return bad_parameter(key, f"{key} must be at most {MAX_TEXT} characters long.")
    return value


def _digits(key: str, value: str) -> str | Problem:
    if _DIGITS.fullmatch(value):
        return value
    return bad_parameter(key, f"{key} must be 1 to {MAX_DIGITS} digits; got {_quoted(value)}")


def _starts_with(key: str, value: str) -> str | Problem:
    if _STARTS_WITH.fullmatch(value):
        return value
    return bad_parameter(
        key,
        f"{key} must be 1 to {MAX_DIGITS} digits, optionally led by + and the "
        f"country calling code; got {_quoted(value)}",
    )


def _features(key: str, value: str) -> tuple[str, ...] | Problem:
    # The clients join an array filter with commas; repeated keys are accepted too.
    names = value.split(",")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        return bad_parameter(
            key,
            f"{key} must list features among {', '.join(FEATURES)}, separated by commas; "
            f"got {_quoted(unknown[0])}",
        )
    return tuple(names)


_BLOCK_RULES: dict[str, _Rule] = {
    "filter[country_code]": _Rule("country_code", _country),
    "filter[phone_number_type]": _Rule("phone_number_type", _number_type),
    "filter[locality]": _Rule("locality", _text),
    "filter[national_destination_code]": _Rule("national_destination_code", _digits),
}

_SEARCH_RULES: dict[str, _Rule] = {
    "filter[phone_number][starts_with]": _Rule("starts_with", _starts_with),
    "filter[phone_number][ends_with]": _Rule("ends_with", _digits),
    "filter[phone_number][contains]": _Rule("contains", _digits),
    **_BLOCK_RULES,
    "filter[administrative_area]": _Rule("administrative_area", _text),
    "filter[rate_center]": _Rule("rate_center", _text),
    "filter[features]": _Rule("features", _features, repeatable=True),
    "filter[limit]": _Rule("limit", _limit),
    "filter[best_effort]": _Rule("best_effort", _boolean),
    "filter[quickship]": _Rule("quickship", _boolean),
    "filter[reservable]": _Rule("reservable", _boolean),
    "filter[exclude_held_numbers]": _Rule("exclude_held_numbers", _boolean),
}
