"""The sandbox's control operations (`/_sandbox`, `number-orders sandbox`): what their
bodies may say, and what they answer. Faults and the journal have modules of their own
(`faults.py`, `journal.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from number_orders import errors
from number_orders.domain.fields import FieldReader, json_type
from number_orders.domain.parameters import Rule, integer, read_params, text
from number_orders.domain.webhooks import check_webhook_url
from number_orders.errors import bad_parameter

MICROS = 1_000_000
# One advance moves the clock at most this far (ten years): far enough for any due time,
# near enough that instants stay printable.
MAX_ADVANCE_SECONDS = 10 * 366 * 86_400
ACCOUNT_NAME_LIMIT = 200  # the `accounts.name` column
JOURNAL_PAGE_LIMIT = 1_000


@dataclass(frozen=True, slots=True)
class NewAccount:
    """`POST /_sandbox/accounts`: a name, and optionally where its webhooks go."""

    name: str
    webhook_url: str | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewAccount:
        reader = FieldReader()
        name = reader.text(body, "name", "/name", required=True)
        if name is not None and len(name) > ACCOUNT_NAME_LIMIT:
            reader.bad("/name", f"name must be at most {ACCOUNT_NAME_LIMIT} characters.")
        url = body.get("webhook_url")
        if url is not None:
            problem = check_webhook_url(url) if isinstance(url, str) else "must be a string"
            if problem is not None:
                reader.bad("/webhook_url", f"webhook_url: {problem}.")
        if reader.problems:
            raise errors.invalid_body(reader.problems)
        assert name is not None
        return cls(name, url)


def advance_micros(body: Mapping[str, Any]) -> int:
    """`POST /_sandbox/clock`: how far to move the clock forward, in microseconds."""
    value: Any = body.get("advance_seconds")
    reader = FieldReader()
    if value is None:
        reader.missing("/advance_seconds", "advance_seconds")
    elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        reader.bad("/advance_seconds", f"advance_seconds must be a number; got {json_type(value)}.")
    elif not 0 <= value <= MAX_ADVANCE_SECONDS:
        reader.bad(
            "/advance_seconds",
            f"advance_seconds must be from 0 to {MAX_ADVANCE_SECONDS} (the clock only moves "
            f"forward); got {value}.",
        )
    if reader.problems:
        raise errors.invalid_body(reader.problems)
    return round(float(value) * MICROS)


def reset_account(body: Mapping[str, Any]) -> str | None:
    """`POST /_sandbox/reset`: the account to reset, or None for every account."""
    reader = FieldReader()
    name = reader.text(body, "account", "/account")
    if reader.problems:
        raise errors.invalid_body(reader.problems)
    return name


def seconds(micros: int) -> int | float:
    """Microseconds as seconds, a whole number when it is one."""
    whole, part = divmod(micros, MICROS)
    return whole if part == 0 else micros / MICROS


@dataclass(frozen=True, slots=True)
class Drained:
    """What a drain did: items of work per step, the rounds it took, and whether it
    ended because nothing was left (rather than at its bound)."""

    done: dict[str, int]
    rounds: int
    complete: bool


_JOURNAL_RULES = {
    "account": Rule("account", text),
    "limit": Rule("limit", integer(1, JOURNAL_PAGE_LIMIT)),
}
DEFAULT_JOURNAL_PAGE = 50


def journal_query(pairs: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """`GET /_sandbox/requests?account=NAME&limit=N`: whose entries, and how many."""
    values = read_params(pairs, _JOURNAL_RULES)
    if "account" not in values:
        raise errors.invalid_parameters(
            [bad_parameter("account", "account is required: the name of an account.")]
        )
    return values["account"], values.get("limit", DEFAULT_JOURNAL_PAGE)
