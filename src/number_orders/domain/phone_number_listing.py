"""The phone-number list query: every rule about `GET /phone_numbers` parameters.

`PhoneNumberQuery.from_params` turns query-string pairs into a valid query or one 400
listing every bad parameter (the shared engine of `domain/parameters.py`). Filters on
settings this sandbox has no values for (voice connection names, usage payment methods,
emergency addresses) are accepted and match as such a number would: a name or an address
matches none, `null` matches all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from number_orders.domain.listing import DEFAULT_PAGE_SIZE
from number_orders.domain.parameters import (
    PAGE_RULES,
    Rule,
    choice,
    country_code,
    quoted,
    read_params,
    text,
)
from number_orders.domain.phone_numbers import SOURCES
from number_orders.errors import Problem, bad_parameter

PURCHASED_AT, PHONE_NUMBER = "purchased_at", "phone_number"
# `connection_name` and `usage_payment_method` are accepted; no number here has either, so
# they order as the default does.
SORTS = (PURCHASED_AT, PHONE_NUMBER, "connection_name", "usage_payment_method")
STATUSES = (
    "purchase-pending",
    "purchase-failed",
    "port-pending",
    "active",
    "deleted",
    "port-failed",
    "emergency-only",
    "ported-out",
    "port-out-pending",
)
NUMBER_TYPES = ("local", "national", "toll_free", "mobile", "shared_cost")
NONE = "null"  # `filter[billing_group_id]=null`: numbers without a billing group
MIN_DIGITS = 3

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True, slots=True)
class PhoneNumberQuery:
    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = PURCHASED_AT
    status: str | None = None
    countries: tuple[str, ...] = ()
    phone_number_type: str | None = None
    source_type: str | None = None
    customer_reference: str | None = None
    connection_id: str | None = None
    billing_group_id: str | None = None  # NONE: only numbers without one
    tag: str | None = None
    untagged: bool = False
    digits: str | None = None  # `filter[phone_number]`: these digits anywhere in the number
    matches_nothing: bool = False

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    def total_pages(self, total_results: int) -> int:
        return math.ceil(total_results / self.page_size)

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> PhoneNumberQuery:
        values = read_params(pairs, _RULES)
        unmatched = [values.pop(name) for name in _UNMATCHED if name in values]
        values.pop("ignored", None)
        if values.pop("emergency_address_id", NONE) != NONE:
            unmatched.append(True)
        digits = values.get("digits")
        if digits is not None and not _DIGITS.fullmatch(digits):
            # As the spec says: non-numerical characters find no numbers.
            unmatched.append(True)
            del values["digits"]
        return cls(**values, matches_nothing=bool(unmatched))


def _phone_number(key: str, value: str) -> str | Problem:
    """Digits, with or without a leading `+`; fewer than three digits is a 400, other
    characters are kept so the query finds nothing."""
    digits = value.removeprefix("+")
    if _DIGITS.fullmatch(digits) and len(digits) < MIN_DIGITS:
        return bad_parameter(key, f"{key} needs at least {MIN_DIGITS} digits; got {quoted(value)}")
    if not digits:
        return bad_parameter(key, f"{key} must not be empty.")
    return digits


def _source(key: str, value: str) -> str | Problem:
    parsed = choice(tuple(SOURCES))(key, value)
    return SOURCES[parsed] if isinstance(parsed, str) else parsed


def _without_tags(key: str, value: str) -> bool | Problem:
    parsed = choice(("true", "false"))(key, value)
    return parsed == "true" if isinstance(parsed, str) else parsed


def _name_pattern(key: str, value: str) -> bool | Problem:
    """A connection name, or a part of one of at least three characters."""
    if not value:
        return bad_parameter(key, f"{key} must not be empty.")
    if not key.endswith("[eq]") and len(value) < 3:
        return bad_parameter(key, f"{key} needs at least 3 characters; got {quoted(value)}")
    return True


def _payment_method(key: str, value: str) -> bool | Problem:
    parsed = choice(("pay-per-minute", "channel"))(key, value)
    return parsed if isinstance(parsed, Problem) else True


_NAME_OPERATORS = ("eq", "contains", "starts_with", "ends_with")
# Filters on settings no number here has: each given one makes the query match nothing.
_UNMATCHED = (*(f"connection_name_{op}" for op in _NAME_OPERATORS), "usage_payment_method")
_RULES: dict[str, Rule] = {
    **PAGE_RULES,
    "sort": Rule("sort", choice(SORTS)),
    "filter[status]": Rule("status", choice(STATUSES)),
    "filter[country_iso_alpha2]": Rule("countries", country_code, many=True),
    "filter[number_type][eq]": Rule("phone_number_type", choice(NUMBER_TYPES)),
    "filter[source]": Rule("source_type", _source),
    "filter[customer_reference]": Rule("customer_reference", text),
    "filter[connection_id]": Rule("connection_id", text),
    "filter[billing_group_id]": Rule("billing_group_id", text),
    "filter[tag]": Rule("tag", text),
    "filter[without_tags]": Rule("untagged", _without_tags),
    "filter[phone_number]": Rule("digits", _phone_number),
    "filter[emergency_address_id]": Rule("emergency_address_id", text),
    **{
        f"filter[voice.connection_name][{op}]": Rule(f"connection_name_{op}", _name_pattern)
        for op in _NAME_OPERATORS
    },
    "filter[voice.usage_payment_method]": Rule("usage_payment_method", _payment_method),
    # Messaging profiles are never fetched, so there is no error to handle.
    "handle_messaging_profile_error": Rule("ignored", choice(("true", "false"))),
}
