"""The listing query: every rule about `GET /number_orders` parameters, in one place.

`ListQuery.from_params` turns decoded query-string pairs into a valid query or one
`ApiError` listing every bad parameter in query-string order, so storage only ever
receives queries it can run.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from number_orders.domain.orders import ORDER_STATUSES
from number_orders.domain.timestamps import parse_instant
from number_orders.errors import Problem, bad_parameter, invalid_parameters

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 20
MAX_INT32 = 2_147_483_647

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ListedOrder(NamedTuple):
    """An order as the list shows it. Its two lists arrive as the JSON text they were
    stored as (`[{"id", "phone_number"}]` and `["id", ...]`), so a page is written out
    without decoding and re-encoding them.
    """

    id: str
    status: str
    requirements_met: bool
    phone_numbers_count: int
    created_at: int
    updated_at: int
    phone_numbers_json: str
    sub_number_orders_ids_json: str
    customer_reference: str | None
    connection_id: str | None
    messaging_profile_id: str | None
    billing_group_id: str | None

    @property
    def phone_numbers(self) -> list[tuple[str, str]]:
        """`(id, phone_number)` pairs, as `NumberOrder.phone_numbers`."""
        return [(n["id"], n["phone_number"]) for n in json.loads(self.phone_numbers_json)]

    @property
    def sub_number_orders_ids(self) -> list[str]:
        ids: list[str] = json.loads(self.sub_number_orders_ids_json)
        return ids


@dataclass(frozen=True, slots=True)
class ListQuery:
    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    status: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    phone_numbers_count: int | None = None
    customer_reference: str | None = None
    requirements_met: bool | None = None

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    @property
    def created_range(self) -> tuple[int | None, int | None]:
        """The strict bounds as a half-open `[lo, hi)` of integer instants."""
        lo = None if self.created_after is None else self.created_after + 1
        return lo, self.created_before

    def total_pages(self, total_results: int) -> int:
        return math.ceil(total_results / self.page_size)

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> ListQuery:
        values: dict[str, Any] = {}
        seen: set[str] = set()
        problems: list[Problem] = []
        for key, value in pairs:
            problem = _check_pair(key, value, values, seen)
            if problem is not None:
                problems.append(problem)
        if problems:
            raise invalid_parameters(problems)
        return cls(**values)


def _check_pair(key: str, value: str, values: dict[str, Any], seen: set[str]) -> Problem | None:
    shown = printable(key)
    if _SURROGATE.search(key) or _SURROGATE.search(value):
        return bad_parameter(shown, f"{shown} must be valid UTF-8 text.")
    if _CONTROL.search(key) or _CONTROL.search(value):
        return bad_parameter(shown, f"{shown} must not contain control characters.")
    if not key.startswith(("filter", "page")):
        return None  # Telnyx ignores other top-level parameters.
    rule = _RULES.get(key)
    if rule is None:
        return bad_parameter(
            shown, f"{shown} is not a supported parameter; supported: {SUPPORTED}."
        )
    if key in seen:
        return bad_parameter(key, f"{key} may be given only once.")
    seen.add(key)
    field, parse = rule
    parsed = parse(key, value)
    if isinstance(parsed, Problem):
        return parsed
    values[field] = parsed
    return None


def printable(text: str) -> str:
    """Text safe to echo back: undecodable bytes become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _quoted(value: str) -> str:
    shown = printable(value)
    return '"' + (shown if len(shown) <= 64 else shown[:64] + "...") + '"'


def _integer(low: int, high: int) -> Callable[[str, str], int | Problem]:
    def parse(key: str, value: str) -> int | Problem:
        # Leading zeros are digits too; the length check keeps int() off huge strings.
        significant = value.lstrip("0") or "0"
        if _DIGITS.fullmatch(value) and len(significant) <= 10 and low <= int(significant) <= high:
            return int(significant)
        return bad_parameter(
            key, f"{key} must be an integer from {low} to {high}; got {_quoted(value)}"
        )

    return parse


def _choice(allowed: tuple[str, ...]) -> Callable[[str, str], str | Problem]:
    def parse(key: str, value: str) -> str | Problem:
        if value in allowed:
            return value
        return bad_parameter(
            key, f"{key} must be one of {', '.join(allowed)}; got {_quoted(value)}"
        )

    return parse


def _boolean(key: str, value: str) -> bool | Problem:
    if value in ("true", "false"):
        return value == "true"
    return bad_parameter(key, f"{key} must be true or false; got {_quoted(value)}")


def _instant(key: str, value: str) -> int | Problem:
    micros = parse_instant(value)
    if micros is not None:
        return micros
    return bad_parameter(
        key,
        f"{key} must be an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z) "
        f"or a date (YYYY-MM-DD); got {_quoted(value)}",
    )


def _text(key: str, value: str) -> str | Problem:
    if value:
        return value
    return bad_parameter(key, f"{key} must not be empty.")


_RULES: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "page[size]": ("page_size", _integer(1, MAX_PAGE_SIZE)),
    "page[number]": ("page_number", _integer(1, MAX_INT32)),
    "filter[status]": ("status", _choice(ORDER_STATUSES)),
    "filter[created_at][gt]": ("created_after", _instant),
    "filter[created_at][lt]": ("created_before", _instant),
    "filter[phone_numbers_count]": ("phone_numbers_count", _integer(0, MAX_INT32)),
    "filter[customer_reference]": ("customer_reference", _text),
    "filter[requirements_met]": ("requirements_met", _boolean),
}

SUPPORTED = ", ".join(_RULES)
